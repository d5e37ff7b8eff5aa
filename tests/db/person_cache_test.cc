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

// `prefetched`: the batch's addresses looked up first (PrefetchPeople, a
// no-op on SQLite), as parsearchive does on PostgreSQL; `stored`: people
// rows there before the batch.
std::pair<std::vector<Id>, std::string> Ingest(const Calls& calls, bool cached, bool prefetched = false,
                                               const Calls& stored = {}) {
  testing::TempDb t;
  auto& c = t.conn();
  PersonCache cache;
  std::vector<Id> ids;
  for (const auto& [email, name] : stored) GetOrCreatePerson(c, email, name);
  c.Begin();
  if (cached && prefetched) {
    std::vector<std::string> emails;
    for (const auto& [email, name] : calls) emails.push_back(email);
    PrefetchPeople(c, emails, cache);
  }
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

// Addresses the prefetch found no row for are inserted without the lookup
// (PersonCache::absent), until a row any of their spellings matches is made.
TEST(PersonCache, PrefetchedAbsentAddressesSameRows) {
  Calls stored = {{"dave@example.org", "Dave"}};
  Calls calls = {
      {"Ann@example.org", "Ann"},  // absent: made without the lookup
      {"ann@example.org", "Ann Other"},  // absent at the prefetch, made since: found
      {"ANN@example.org", ""},
      {"Dave@example.org", "Dave D"},  // stored: found by the prefetch
      {"bob@example.org", ""},       {"BOB@example.org", "Bob"},
      // Not ASCII: never taken as absent, and after it is made nothing is.
      {"\xc3\xa9ve@example.org", "Eve"}, {"carol@example.org", "Carol"},
      {"Carol@example.org", ""},
  };
  auto uncached = Ingest(calls, false, false, stored);
  auto cached = Ingest(calls, true, true, stored);
  EXPECT_EQ(cached.first, uncached.first);
  EXPECT_EQ(cached.second, uncached.second);
  EXPECT_EQ(cached.first[0], cached.first[1]);
  EXPECT_EQ(cached.first[0], cached.first[2]);
  EXPECT_EQ(cached.first[4], cached.first[5]);
  EXPECT_EQ(cached.first[7], cached.first[8]);
}

}  // namespace
}  // namespace pb::db
