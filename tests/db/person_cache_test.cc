// db::GetOrCreatePerson with a PersonCache (parsearchive batches) must leave
// the same people rows as the lookups it saves: same ids, same names, also
// when one person is written under several spellings of the address.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "db/mail_store.h"
#include "test_util.h"

namespace pb::db {
namespace {

using Calls = std::vector<std::pair<std::string, std::string>>;  // address, name

std::string People(Connection& c) {
  std::string out;
  Query q(c, "SELECT id, email, name FROM people ORDER BY id");
  while (q.Next()) {
    out += std::to_string(q.Int(0)) + " " + std::string(q.Text(1)) + " " +
           (q.IsNull(2) ? "NULL" : std::string(q.Text(2))) + "\n";
  }
  return out;
}

std::pair<std::vector<Id>, std::string> Ingest(const Calls& calls, bool cached) {
  testing::TempDb t;
  auto& c = t.conn();
  PersonCache cache;
  std::vector<Id> ids;
  c.Begin();
  for (const auto& [email, name] : calls) {
    ids.push_back(cached ? GetOrCreatePerson(c, email, name, cache) : GetOrCreatePerson(c, email, name));
  }
  c.Commit();
  return {ids, People(c)};
}

TEST(PersonCache, SameRowsAsTheLookups) {
  Calls calls = {
      {"Ann@example.org", "Ann"},       {"bob@example.org", ""},
      {"ann@example.org", "Ann Other"},  // another spelling renames the same row
      {"Ann@example.org", "Ann"},        // and this one renames it back
      {"bob@example.org", "Bob"},       {"bob@example.org", ""},
      {"ANN@EXAMPLE.ORG", ""},          {"carol@example.org", "Carol"},
      {"Ann@example.org", "Ann"},
  };
  auto uncached = Ingest(calls, false);
  auto cached = Ingest(calls, true);
  EXPECT_EQ(cached.first, uncached.first);
  EXPECT_EQ(cached.second, uncached.second);
  EXPECT_NE(uncached.second.find(" Ann\n"), std::string::npos);
  EXPECT_NE(uncached.second.find(" Bob\n"), std::string::npos);
}

}  // namespace
}  // namespace pb::db
