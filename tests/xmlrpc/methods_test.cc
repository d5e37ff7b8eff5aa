// Every method of spec §5 against a small seeded database.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "db/connection.h"
#include "rpc_test_util.h"
#include "service/passwords.h"
#include "test_util.h"
#include "xmlrpc/marshal.h"
#include "xmlrpc/xmlrpc.h"

namespace pb::xmlrpc {
namespace {

using namespace testing;  // NOLINT: the helpers of rpc_test_util.h
using V = std::vector<Value>;

// PBKDF2 is slow on purpose; hash once for every user of every test.
const std::string& SecretHash() {
  static const std::string h = service::HashPassword("secret");
  return h;
}

// "Basic base64(user:secret)"
std::string BasicAuth(const std::string& user, const std::string& password = "secret") {
  std::string b = EncodeBase64Lines(user + ":" + password);
  b.erase(std::remove(b.begin(), b.end(), '\n'), b.end());
  return "Basic " + b;
}

constexpr int64_t kJan1 = 1704099600000000;  // 2024-01-01 09:00:00 UTC
constexpr int64_t kHour = 3600000000;

class Rpc : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& c = db_.conn();
    const std::string& h = SecretHash();
    // users: 1 maint (maintains alpha), 2 sub (person 1's user), 3 deleg
    // (delegate of patch 2), 4 other, 5 inactive
    for (auto [id, name, active] : {std::tuple{1, "maint", 1}, {2, "sub", 1}, {3, "deleg", 1},
                                     {4, "other", 1}, {5, "inactive", 0}}) {
      db::Query(c,
                "INSERT INTO users (id, username, password, is_active, date_joined) "
                "VALUES (?1, ?2, ?3, ?4, 0)",
                id, name, h, active)
          .Run();
    }
    c.ExecScript(R"SQL(
      INSERT INTO projects (id, linkname, name, listid, listemail, send_notifications)
        VALUES (1, 'alpha', 'Alpha Project', 'alpha.example.com', 'alpha@example.com', 1),
               (2, 'beta', 'Beta', 'beta.example.com', 'beta@example.com', 0),
               (3, 'alphabet', 'Letters', 'abc.example.com', 'abc@example.com', 0);
      INSERT INTO project_maintainers (user_id, project_id) VALUES (1, 1);
      INSERT INTO people (id, email, name, user_id) VALUES
        (1, 'sub@example.com', 'Sub Mitter', 2),
        (2, 'noname@example.com', NULL, NULL),
        (3, 'deleg@example.com', 'Deleg Ate', 3);
    )SQL");
    auto patch = [&](int id, int project, const char* msgid, const char* name, int64_t date,
                     int submitter, std::optional<int> delegate, int state, int archived,
                     std::optional<std::string> hash, std::optional<std::string> commit_ref,
                     std::optional<std::string> diff) {
      db::Query(c,
                "INSERT INTO patches (id, project_id, msgid, name, date, submitter_id, delegate_id, "
                "state_id, archived, hash, commit_ref, diff, content, headers) VALUES "
                "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'body', '')",
                id, project, msgid, name, date, submitter, delegate, state, archived, hash,
                commit_ref, diff)
          .Run();
    };
    const std::string ha(40, 'a'), hb(40, 'b');
    patch(1, 1, "<p1@example.com>", "[PATCH 1/2] foo: do a thing", kJan1, 1, std::nullopt, 1, 0,
          ha, std::nullopt, "diff --git a/x b/x\n");
    patch(2, 1, "<p2@example.com>", "[PATCH 2/2] bar: fix it", kJan1 + 25 * kHour + 500000, 2, 3,
          2, 1, hb, "abc123", "diff --git a/y b/y\n");
    patch(3, 2, "<p3@example.com>", "[GIT PULL] Please pull", kJan1 - 10 * kHour, 1,
          std::nullopt, 3, 0, std::nullopt, std::nullopt, std::nullopt);
    patch(4, 2, "<p4@example.com>", "Same diff elsewhere", kJan1 + 2 * kHour, 3, std::nullopt, 1,
          0, ha, std::nullopt, "diff --git a/x b/x\n");
    c.ExecScript(R"SQL(
      INSERT INTO checks (id, patch_id, user_id, date, state, target_url, description, context)
        VALUES (1, 1, 1, 1704099600000000, 1, 'https://ci/1', 'built', 'ci'),
               (2, 1, 1, 1704103200000000, 3, 'https://ci/2', 'broke', 'ci'),
               (3, 1, 4, 1704099600000000, 2, '', '', 'lint'),
               (4, 2, 1, 1704099600000000, 1, NULL, NULL, 'ci');
    )SQL");
  }

  int64_t Count(const std::string& sql) { return db::QueryInt(db_.conn(), sql).value_or(-1); }

  pb::testing::TempDb db_;
};

TEST_F(Rpc, Version) {
  auto r = Invoke(db_.conn(), "pw_rpc_version");
  ASSERT_FALSE(r.fault) << r.fault_string;
  ASSERT_EQ(r.value.items.size(), 3u);
  EXPECT_EQ(r.value.items[0].i, 1);
  EXPECT_EQ(r.value.items[1].i, 3);
  EXPECT_EQ(r.value.items[2].i, 0);
}

TEST_F(Rpc, UnknownMethod) {
  auto r = Invoke(db_.conn(), "nosuch");
  EXPECT_TRUE(r.fault);
  EXPECT_EQ(r.fault_string, "<class 'Exception'>:method \"nosuch\" is not supported");
  // No system.* introspection either.
  EXPECT_TRUE(Invoke(db_.conn(), "system.listMethods").fault);
}

TEST_F(Rpc, WrongArgumentCountsReadLikePython) {
  EXPECT_EQ(Invoke(db_.conn(), "pw_rpc_version", {Int(1)}).fault_string,
            "<class 'TypeError'>:pw_rpc_version() takes 0 positional arguments but 1 was given");
  EXPECT_EQ(Invoke(db_.conn(), "project_list", {Str(""), Int(0), Int(0)}).fault_string,
            "<class 'TypeError'>:project_list() takes from 0 to 2 positional arguments but 3 "
            "were given");
  EXPECT_EQ(Invoke(db_.conn(), "patch_get_by_project_hash").fault_string,
            "<class 'TypeError'>:patch_get_by_project_hash() missing 2 required positional "
            "arguments: 'project' and 'hash'");
  EXPECT_EQ(Invoke(db_.conn(), "check_create", {Int(1)}, BasicAuth("maint")).fault_string,
            "<class 'TypeError'>:check_create() missing 2 required positional arguments: "
            "'context' and 'state'");
}

TEST_F(Rpc, ProjectListAndGet) {
  auto all = Invoke(db_.conn(), "project_list");
  ASSERT_FALSE(all.fault) << all.fault_string;
  EXPECT_EQ(Ids(all.value), (std::vector<int64_t>{1, 3, 2}));  // by linkname
  EXPECT_EQ(Ids(Invoke(db_.conn(), "project_list", {Str("ALPHA")}).value),
            (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(Ids(Invoke(db_.conn(), "project_list", {Str(""), Int(2)}).value),
            (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(Ids(Invoke(db_.conn(), "project_list", {Str(""), Int(-1)}).value),
            (std::vector<int64_t>{2}));
  EXPECT_EQ(Ids(Invoke(db_.conn(), "project_list", {Str("%")}).value), (std::vector<int64_t>{}));

  auto one = Invoke(db_.conn(), "project_get", {Int(1)});
  EXPECT_EQ(DumpResponse(one.value),
            DumpResponse(StructOf({{"id", Int(1)}, {"linkname", Str("alpha")},
                                   {"name", Str("Alpha Project")}})));
  EXPECT_TRUE(Invoke(db_.conn(), "project_get", {Int(99)}).value.members.empty());
  EXPECT_EQ(Invoke(db_.conn(), "project_get", {Str("x")}).fault_string,
            "<class 'ValueError'>:Field 'id' expected a number but got 'x'.");
}

TEST_F(Rpc, NilIdsFindNothing) {
  // Django's get(id=None) matches no row.
  EXPECT_TRUE(Invoke(db_.conn(), "patch_get", {Value::Nil()}).value.members.empty());
  EXPECT_EQ(Invoke(db_.conn(), "patch_get_mbox", {Value::Nil()}).value.s, "");
  EXPECT_TRUE(Invoke(db_.conn(), "patch_list", {StructOf({{"project_id", Value::Nil()}})})
                  .value.items.empty());
  EXPECT_EQ(Invoke(db_.conn(), "patch_set", {Value::Nil(), Value::Struct()}, BasicAuth("maint"))
                .fault_string,
            "<class 'patchwork.models.Patch.DoesNotExist'>:Patch matching query does not exist.");
}

TEST_F(Rpc, NegativeMaxCountBeyondTheListFails) {
  EXPECT_EQ(Invoke(db_.conn(), "project_list", {Str(""), Int(-4)}).fault_string,
            "<class 'ValueError'>:Negative indexing is not supported.");
  EXPECT_EQ(Ids(Invoke(db_.conn(), "project_list", {Str(""), Int(-3)}).value),
            (std::vector<int64_t>{1, 3, 2}));
  EXPECT_TRUE(Invoke(db_.conn(), "project_list", {Str(""), Str("2")}).fault);
}

TEST_F(Rpc, PersonListAndGet) {
  EXPECT_EQ(Ids(Invoke(db_.conn(), "person_list").value), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(Ids(Invoke(db_.conn(), "person_list", {Str("deleg")}).value), (std::vector<int64_t>{3}));
  EXPECT_EQ(Ids(Invoke(db_.conn(), "person_list", {Str("NONAME@")}).value),
            (std::vector<int64_t>{2}));
  EXPECT_EQ(Ids(Invoke(db_.conn(), "person_list", {Str(""), Int(-2)}).value),
            (std::vector<int64_t>{2, 3}));

  auto p = Invoke(db_.conn(), "person_get", {Int(2)}).value;
  EXPECT_EQ(Field(p, "name"), "noname@example.com");  // no name: the email
  ASSERT_TRUE(p.Find("user"));
  EXPECT_TRUE(p.Find("user")->is(Value::Kind::kBytes));
  EXPECT_EQ(Field(p, "user"), "None");
  EXPECT_EQ(Field(Invoke(db_.conn(), "person_get", {Int(1)}).value, "user"), "sub");
  EXPECT_TRUE(Invoke(db_.conn(), "person_get", {Int(42)}).value.members.empty());
}

TEST_F(Rpc, PatchGetIsByteIdenticalToUpstream) {
  // Built with Python's xmlrpc.client from upstream's patch_to_dict for the
  // same row (see codec_test for the marshaller itself).
  const std::string expected =
      "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n"
      "<member>\n<name>id</name>\n<value><int>1</int></value>\n</member>\n"
      "<member>\n<name>date</name>\n<value><base64>\nMjAyNC0wMS0wMSAwOTowMDowMA==\n</base64></value>\n</member>\n"
      "<member>\n<name>filename</name>\n<value><string>PATCH-1-2-foo-do-a-thing</string></value>\n</member>\n"
      "<member>\n<name>msgid</name>\n<value><string>&lt;p1@example.com&gt;</string></value>\n</member>\n"
      "<member>\n<name>name</name>\n<value><string>[PATCH 1/2] foo: do a thing</string></value>\n</member>\n"
      "<member>\n<name>project</name>\n<value><base64>\nQWxwaGEgUHJvamVjdA==\n</base64></value>\n</member>\n"
      "<member>\n<name>project_id</name>\n<value><int>1</int></value>\n</member>\n"
      "<member>\n<name>state</name>\n<value><base64>\nTmV3\n</base64></value>\n</member>\n"
      "<member>\n<name>state_id</name>\n<value><int>1</int></value>\n</member>\n"
      "<member>\n<name>archived</name>\n<value><boolean>0</boolean></value>\n</member>\n"
      "<member>\n<name>submitter</name>\n<value><base64>\nU3ViIE1pdHRlciA8c3ViQGV4YW1wbGUuY29tPg==\n</base64></value>\n</member>\n"
      "<member>\n<name>submitter_id</name>\n<value><int>1</int></value>\n</member>\n"
      "<member>\n<name>delegate</name>\n<value><base64>\nTm9uZQ==\n</base64></value>\n</member>\n"
      "<member>\n<name>delegate_id</name>\n<value><int>0</int></value>\n</member>\n"
      "<member>\n<name>commit_ref</name>\n<value><string></string></value>\n</member>\n"
      "<member>\n<name>hash</name>\n<value><string>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</string></value>\n</member>\n"
      "</struct></value>\n</param>\n</params>\n</methodResponse>\n";
  EXPECT_EQ(HandleCall(db_.conn(), DumpCall("patch_get", {Int(1)}), ""), expected);
}

TEST_F(Rpc, PatchGetFields) {
  auto p = Invoke(db_.conn(), "patch_get", {Int(2)}).value;
  EXPECT_EQ(Field(p, "date"), "2024-01-02 10:00:00.500000");
  EXPECT_EQ(Field(p, "submitter"), "noname@example.com");
  EXPECT_EQ(Field(p, "delegate"), "deleg");
  EXPECT_EQ(IntField(p, "delegate_id"), 3);
  EXPECT_EQ(Field(p, "state"), "Under Review");
  EXPECT_EQ(IntField(p, "archived"), 1);
  EXPECT_EQ(Field(p, "commit_ref"), "abc123");
  EXPECT_EQ(Field(Invoke(db_.conn(), "patch_get", {Int(3)}).value, "filename"),
            "GIT-PULL-Please-pull");
  EXPECT_TRUE(Invoke(db_.conn(), "patch_get", {Int(99)}).value.members.empty());
  EXPECT_EQ(IntField(Invoke(db_.conn(), "patch_get", {Str(" 4 ")}).value, "id"), 4);
}

TEST_F(Rpc, PatchGetByHash) {
  EXPECT_EQ(IntField(Invoke(db_.conn(), "patch_get_by_hash", {Str(std::string(40, 'b'))}).value, "id"),
            2);
  EXPECT_TRUE(Invoke(db_.conn(), "patch_get_by_hash", {Str("nope")}).value.members.empty());
  EXPECT_EQ(Invoke(db_.conn(), "patch_get_by_hash", {Str(std::string(40, 'a'))}).fault_string,
            "<class 'patchwork.models.Patch.MultipleObjectsReturned'>:get() returned more than "
            "one Patch -- it returned 2!");
  EXPECT_EQ(IntField(Invoke(db_.conn(), "patch_get_by_project_hash",
                          {Str("beta"), Str(std::string(40, 'a'))})
                         .value,
                     "id"),
            4);
  EXPECT_TRUE(Invoke(db_.conn(), "patch_get_by_project_hash", {Str("beta"), Str(std::string(40, 'b'))})
                  .value.members.empty());
}

TEST_F(Rpc, PatchGetDiff) {
  EXPECT_EQ(Invoke(db_.conn(), "patch_get_diff", {Int(1)}).value.s, "diff --git a/x b/x\n");
  EXPECT_EQ(Invoke(db_.conn(), "patch_get_diff", {Int(99)}).value.s, "");
  // A pull request has no diff; upstream returns None and fails to marshal it.
  EXPECT_EQ(Invoke(db_.conn(), "patch_get_diff", {Int(3)}).fault_string,
            "<class 'TypeError'>:cannot marshal None unless allow_none is enabled");
}

TEST_F(Rpc, PatchListFilters) {
  auto ids = [&](Value filt) {
    auto r = Invoke(db_.conn(), "patch_list", {std::move(filt)});
    EXPECT_FALSE(r.fault) << r.fault_string;
    return Ids(r.value);
  };
  using I = std::vector<int64_t>;
  EXPECT_EQ(Ids(Invoke(db_.conn(), "patch_list").value), (I{3, 1, 4, 2}));  // by date
  EXPECT_EQ(ids(StructOf({})), (I{3, 1, 4, 2}));
  EXPECT_EQ(ids(StructOf({{"project_id", Int(1)}})), (I{1, 2}));
  EXPECT_EQ(ids(StructOf({{"project_id__gt", Int(2)}})), (I{3, 4}));  // lookup ignored
  EXPECT_EQ(ids(StructOf({{"project_id", Int(99)}})), (I{}));
  EXPECT_EQ(ids(StructOf({{"submitter_id", Int(1)}})), (I{3, 1}));
  EXPECT_EQ(ids(StructOf({{"state_id", Int(2)}})), (I{2}));
  EXPECT_EQ(ids(StructOf({{"state_id", Int(77)}})), (I{}));
  EXPECT_EQ(ids(StructOf({{"delegate_id", Int(3)}})), (I{2}));  // a person id
  EXPECT_EQ(ids(StructOf({{"delegate_id", Int(2)}})), (I{}));
  EXPECT_EQ(ids(StructOf({{"archived", Value::Bool(false)}})), (I{3, 1, 4}));
  EXPECT_EQ(ids(StructOf({{"archived", Value::Bool(true)}})), (I{2}));
  EXPECT_EQ(ids(StructOf({{"name__icontains", Str("FOO")}})), (I{1}));
  EXPECT_EQ(ids(StructOf({{"name__iexact", Str("same DIFF elsewhere")}})), (I{4}));
  EXPECT_EQ(ids(StructOf({{"name__startswith", Str("[PATCH")}})), (I{1, 2}));
  EXPECT_EQ(ids(StructOf({{"name__iendswith", Str("FIX IT")}})), (I{2}));
  EXPECT_EQ(ids(StructOf({{"name__contains", Str("%")}})), (I{}));
  EXPECT_EQ(ids(StructOf({{"msgid", Str("<p3@example.com>")}})), (I{3}));
  EXPECT_EQ(ids(StructOf({{"hash", Str(std::string(40, 'a'))}})), (I{1, 4}));
  EXPECT_EQ(ids(StructOf({{"hash__isnull", Value::Bool(true)}})), (I{3}));
  EXPECT_EQ(ids(StructOf({{"commit_ref", Str("abc123")}})), (I{2}));
  EXPECT_EQ(ids(StructOf({{"id", Int(2)}})), (I{2}));
  EXPECT_EQ(ids(StructOf({{"id", Str("2")}})), (I{2}));
  EXPECT_EQ(ids(StructOf({{"id__gt", Int(2)}})), (I{3, 4}));
  EXPECT_EQ(ids(StructOf({{"id__gte", Int(2)}, {"id__lt", Int(4)}})), (I{3, 2}));
  EXPECT_EQ(ids(StructOf({{"id__in", Value::Array({Int(1), Int(4), Int(9)})}})), (I{1, 4}));
  EXPECT_EQ(ids(StructOf({{"id__in", Value::Array()}})), (I{}));
  EXPECT_EQ(ids(StructOf({{"id__range", Value::Array({Int(2), Int(3)})}})), (I{3, 2}));
  EXPECT_EQ(ids(StructOf({{"date__gt", Str("2024-01-01 09:00:00")}})), (I{4, 2}));
  EXPECT_EQ(ids(StructOf({{"date", Str("2024-01-01 09:00:00")}})), (I{1}));
  EXPECT_EQ(ids(StructOf({{"date__lt", Str("2024-01-01")}})), (I{3}));
  EXPECT_EQ(ids(StructOf({{"date__year", Int(2023)}})), (I{3}));
  EXPECT_EQ(ids(StructOf({{"date__month", Int(1)}})), (I{1, 4, 2}));
  EXPECT_EQ(ids(StructOf({{"date__day", Int(2)}})), (I{2}));
  EXPECT_EQ(ids(StructOf({{"date__contains", Str("10:00:00.5")}})), (I{2}));
  // Several terms are ANDed.
  EXPECT_EQ(ids(StructOf({{"project_id", Int(1)}, {"archived", Value::Bool(false)}})), (I{1}));
  // Unknown fields and lookups (including exact/lte) answer [].
  EXPECT_EQ(ids(StructOf({{"content", Str("x")}})), (I{}));
  EXPECT_EQ(ids(StructOf({{"id__lte", Int(3)}})), (I{}));
  EXPECT_EQ(ids(StructOf({{"id__exact", Int(3)}})), (I{}));
}

TEST_F(Rpc, PatchListMaxCount) {
  using I = std::vector<int64_t>;
  auto ids = [&](int64_t max, Value extra = Value::Nil()) {
    Value f = StructOf({{"max_count", Int(max)}});
    if (!extra.is(Value::Kind::kNil)) f.Add("date__month", std::move(extra));
    auto r = Invoke(db_.conn(), "patch_list", {f});
    EXPECT_FALSE(r.fault) << r.fault_string;
    return Ids(r.value);
  };
  EXPECT_EQ(ids(2), (I{3, 1}));
  EXPECT_EQ(ids(-2), (I{4, 2}));
  EXPECT_EQ(ids(-4), (I{3, 1, 4, 2}));
  EXPECT_EQ(ids(0), (I{3, 1, 4, 2}));
  // With a term applied outside SQL the window still comes last.
  EXPECT_EQ(ids(2, Int(1)), (I{1, 4}));
  EXPECT_EQ(ids(-1, Int(1)), (I{2}));
  EXPECT_TRUE(Invoke(db_.conn(), "patch_list", {StructOf({{"max_count", Int(-5)}})}).fault);
}

TEST_F(Rpc, PatchListBadValuesFaultLikeDjango) {
  auto fault = [&](Value filt) { return Invoke(db_.conn(), "patch_list", {std::move(filt)}).fault_string; };
  EXPECT_EQ(fault(StructOf({{"id", Str("abc")}})),
            "<class 'ValueError'>:Field 'id' expected a number but got 'abc'.");
  EXPECT_EQ(fault(StructOf({{"project_id", Str("abc")}})),
            "<class 'ValueError'>:Field 'id' expected a number but got 'abc'.");
  EXPECT_EQ(fault(StructOf({{"name__year", Int(2020)}})),
            "<class 'django.core.exceptions.FieldError'>:Unsupported lookup 'year' for CharField "
            "or join on the field not permitted.");
  EXPECT_NE(fault(StructOf({{"date", Str("yesterday")}})).find("ValidationError"), std::string::npos);
  EXPECT_NE(fault(StructOf({{"archived", Str("maybe")}})).find("ValidationError"), std::string::npos);
  EXPECT_NE(fault(StructOf({{"id__isnull", Int(1)}})).find("isnull"), std::string::npos);
  EXPECT_NE(fault(StructOf({{"id__range", Value::Array({Int(1)})}})).find("ValueError"),
            std::string::npos);
  EXPECT_NE(fault(Int(5)).find("TypeError"), std::string::npos);
}

TEST_F(Rpc, StateListAndGet) {
  auto all = Invoke(db_.conn(), "state_list").value;
  ASSERT_EQ(all.items.size(), 10u);
  EXPECT_EQ(Field(all.items[0], "name"), "New");
  EXPECT_EQ(Field(all.items[9], "name"), "Deferred");
  EXPECT_EQ(Ids(Invoke(db_.conn(), "state_list", {Str("ed")}).value),
            (std::vector<int64_t>{3, 4, 7, 9, 10}));
  EXPECT_EQ(Ids(Invoke(db_.conn(), "state_list", {Str(""), Int(-1)}).value),
            (std::vector<int64_t>{10}));
  EXPECT_EQ(Field(Invoke(db_.conn(), "state_get", {Int(3)}).value, "name"), "Accepted");
  EXPECT_TRUE(Invoke(db_.conn(), "state_get", {Int(11)}).value.members.empty());
}

TEST_F(Rpc, CheckGetAndList) {
  auto c = Invoke(db_.conn(), "check_get", {Int(1)}).value;
  EXPECT_EQ(DumpResponse(c),
            DumpResponse(StructOf({{"id", Int(1)},
                                   {"date", Value::Bytes("2024-01-01 09:00:00")},
                                   {"patch", Value::Bytes("[PATCH 1/2] foo: do a thing")},
                                   {"patch_id", Int(1)},
                                   {"user", Value::Bytes("maint")},
                                   {"user_id", Int(1)},
                                   {"state", Str("success")},
                                   {"target_url", Str("https://ci/1")},
                                   {"description", Str("built")},
                                   {"context", Str("ci")}})));
  EXPECT_TRUE(Invoke(db_.conn(), "check_get", {Int(50)}).value.members.empty());
  // NULL target_url/description can't be marshalled, as upstream.
  EXPECT_TRUE(Invoke(db_.conn(), "check_get", {Int(4)}).fault);

  using I = std::vector<int64_t>;
  auto ids = [&](Value filt) {
    auto r = Invoke(db_.conn(), "check_list", {std::move(filt)});
    EXPECT_FALSE(r.fault) << r.fault_string;
    return Ids(r.value);
  };
  EXPECT_EQ(ids(StructOf({{"patch_id", Int(1)}})), (I{1, 2, 3}));
  EXPECT_EQ(ids(StructOf({{"patch_id", Int(1)}, {"user", Int(4)}})), (I{3}));
  EXPECT_EQ(ids(StructOf({{"patch_id", Int(1)}, {"max_count", Int(-1)}})), (I{3}));
  EXPECT_EQ(ids(StructOf({{"project_id", Int(1)}, {"id__lt", Int(3)}})), (I{1, 2}));
  EXPECT_EQ(ids(StructOf({{"project_id", Int(1)}, {"max_count", Int(2)}})), (I{1, 2}));
  EXPECT_EQ(ids(StructOf({{"user_id", Int(1)}})), (I{}));  // not an allowed field
  EXPECT_EQ(Invoke(db_.conn(), "check_list", {StructOf({{"patch_id", Int(99)}})}).fault_string,
            "<class 'IndexError'>:list index out of range");
  EXPECT_EQ(Invoke(db_.conn(), "check_list", {StructOf({{"user__icontains", Str("m")}})}).fault_string,
            "<class 'django.core.exceptions.FieldError'>:Related Field got invalid lookup: "
            "icontains");
}

TEST_F(Rpc, PatchCheckGetKeepsTheLatestPerContext) {
  auto r = Invoke(db_.conn(), "patch_check_get", {Int(1)});
  ASSERT_FALSE(r.fault) << r.fault_string;
  EXPECT_EQ(Field(r.value, "state"), "fail");
  EXPECT_EQ(IntField(r.value, "total"), 2);
  ASSERT_TRUE(r.value.Find("checks"));
  EXPECT_EQ(Ids(*r.value.Find("checks")), (std::vector<int64_t>{2, 3}));

  auto none = Invoke(db_.conn(), "patch_check_get", {Int(4)});
  EXPECT_EQ(Field(none.value, "state"), "pending");
  EXPECT_EQ(IntField(none.value, "total"), 0);
  EXPECT_TRUE(Invoke(db_.conn(), "patch_check_get", {Int(99)}).value.members.empty());
}

// ---- authentication ----

TEST_F(Rpc, AuthFailures) {
  auto set = [&](std::string_view auth) {
    return Invoke(db_.conn(), "patch_set", {Int(1), StructOf({{"state", Int(3)}})}, auth).fault_string;
  };
  EXPECT_EQ(set(""), "<class 'Exception'>:No authentication credentials given");
  EXPECT_EQ(set("Token abc"), "<class 'Exception'>:Authentication scheme not supported");
  EXPECT_EQ(set("basic bWFpbnQ6c2VjcmV0"), "<class 'Exception'>:Authentication scheme not supported");
  EXPECT_EQ(set("Basic bm9jb2xvbg=="), "<class 'Exception'>:Invalid authentication credentials");
  EXPECT_EQ(set("Basic !"), "<class 'Exception'>:Invalid authentication credentials");
  EXPECT_EQ(set(BasicAuth("maint", "wrong")), "<class 'Exception'>:Invalid username/password");
  EXPECT_EQ(set(BasicAuth("ghost")), "<class 'Exception'>:Invalid username/password");
  EXPECT_EQ(set(BasicAuth("inactive")), "<class 'Exception'>:Invalid username/password");
  EXPECT_EQ(set(BasicAuth("MAINT")), "<class 'Exception'>:Invalid username/password");
  // Nothing was written.
  EXPECT_EQ(Count("SELECT state_id FROM patches WHERE id = 1"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events"), 0);
}

TEST_F(Rpc, AuthHappensBeforeArgumentChecks) {
  EXPECT_EQ(Invoke(db_.conn(), "patch_set", {}, "").fault_string,
            "<class 'Exception'>:No authentication credentials given");
  EXPECT_EQ(Invoke(db_.conn(), "patch_set", {}, BasicAuth("maint")).fault_string,
            "<class 'TypeError'>:patch_set() missing 2 required positional arguments: "
            "'patch_id' and 'params'");
}

TEST_F(Rpc, WhoMayEdit) {
  auto set = [&](const char* user, int patch) {
    return Invoke(db_.conn(), "patch_set", {Int(patch), StructOf({{"commit_ref", Str(user)}})},
                BasicAuth(user));
  };
  EXPECT_FALSE(set("maint", 2).fault);     // maintainer of alpha
  EXPECT_FALSE(set("sub", 1).fault);       // the submitter's user
  EXPECT_FALSE(set("deleg", 2).fault);     // the delegate
  EXPECT_EQ(set("other", 1).fault_string, "<class 'Exception'>:No permissions to edit this patch");
  EXPECT_TRUE(set("maint", 3).fault);      // not a maintainer of beta
  EXPECT_TRUE(set("deleg", 1).fault);
  EXPECT_EQ(set("maint", 99).fault_string,
            "<class 'patchwork.models.Patch.DoesNotExist'>:Patch matching query does not exist.");
}

// ---- writers ----

TEST_F(Rpc, PatchSetChangesStateWithEventAndNotification) {
  int64_t gen = Count("SELECT generation FROM data_generation");
  auto r = Invoke(db_.conn(), "patch_set",
                {Int(1), StructOf({{"state", Int(3)}, {"commit_ref", Str("deadbeef")},
                                   {"archived", Value::Bool(true)}, {"name", Str("ignored")}})},
                BasicAuth("maint"));
  ASSERT_FALSE(r.fault) << r.fault_string;
  EXPECT_TRUE(r.value.is(Value::Kind::kBool));
  EXPECT_EQ(r.value.i, 1);

  auto p = Invoke(db_.conn(), "patch_get", {Int(1)}).value;
  EXPECT_EQ(IntField(p, "state_id"), 3);
  EXPECT_EQ(Field(p, "commit_ref"), "deadbeef");
  EXPECT_EQ(IntField(p, "archived"), 1);
  EXPECT_EQ(Field(p, "name"), "[PATCH 1/2] foo: do a thing");
  EXPECT_GT(Count("SELECT generation FROM data_generation"), gen);

  db::Query ev(db_.conn(),
               "SELECT category, project_id, patch_id, actor_id, previous_state_id, "
               "current_state_id FROM events");
  ASSERT_TRUE(ev.Next());
  EXPECT_EQ(ev.Str(0), "patch-state-changed");
  EXPECT_EQ(ev.Int(1), 1);
  EXPECT_EQ(ev.Int(2), 1);
  EXPECT_EQ(ev.Int(3), 1);
  EXPECT_EQ(ev.Int(4), 1);
  EXPECT_EQ(ev.Int(5), 3);
  EXPECT_FALSE(ev.Next());

  // alpha sends notifications: one row remembering the original state.
  EXPECT_EQ(Count("SELECT orig_state_id FROM patch_change_notifications WHERE patch_id = 1"), 1);
  // Moving on keeps it; going back to the original state removes it.
  ASSERT_FALSE(Invoke(db_.conn(), "patch_set", {Int(1), StructOf({{"state", Int(4)}})},
                    BasicAuth("maint")).fault);
  EXPECT_EQ(Count("SELECT orig_state_id FROM patch_change_notifications WHERE patch_id = 1"), 1);
  ASSERT_FALSE(Invoke(db_.conn(), "patch_set", {Int(1), StructOf({{"state", Int(1)}})},
                    BasicAuth("maint")).fault);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM patch_change_notifications"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events WHERE category = 'patch-state-changed'"), 3);
}

TEST_F(Rpc, PatchSetWithoutStateChangeEmitsNothing) {
  ASSERT_FALSE(Invoke(db_.conn(), "patch_set", {Int(1), StructOf({{"archived", Value::Bool(true)},
                                                                {"state", Int(1)}})},
                    BasicAuth("sub")).fault);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM patch_change_notifications"), 0);
  EXPECT_EQ(Count("SELECT archived FROM patches WHERE id = 1"), 1);
}

TEST_F(Rpc, PatchSetInBetaSendsNoNotification) {
  ASSERT_FALSE(Invoke(db_.conn(), "patch_set", {Int(4), StructOf({{"state", Int(2)}})},
                    BasicAuth("deleg")).fault);  // deleg is person 3's user, the submitter
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM patch_change_notifications"), 0);
}

TEST_F(Rpc, PatchSetBadValuesWriteNothing) {
  auto set = [&](Value params) {
    return Invoke(db_.conn(), "patch_set", {Int(1), std::move(params)}, BasicAuth("maint")).fault_string;
  };
  EXPECT_EQ(set(StructOf({{"state", Int(42)}})),
            "<class 'patchwork.models.State.DoesNotExist'>:State matching query does not exist.");
  EXPECT_EQ(set(StructOf({{"commit_ref", Str("x")}, {"archived", Str("perhaps")}})),
            "<class 'django.core.exceptions.ValidationError'>:['\u201cperhaps\u201d value must "
            "be either True or False.']");
  EXPECT_NE(set(Value::Array()).find("AttributeError"), std::string::npos);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM patches WHERE id = 1 AND commit_ref IS NULL"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events"), 0);
}

// Upstream's XML-RPC stored whatever it was given; the REST limits hold here.
TEST_F(Rpc, PatchSetCapsCommitRefAndCheckContextIsASlug) {
  auto set = [&](std::string ref) {
    return Invoke(db_.conn(), "patch_set", {Int(1), StructOf({{"commit_ref", Str(ref)}})}, BasicAuth("maint"));
  };
  EXPECT_EQ(set(std::string(10000, 'a')).fault_string,
            "<class 'django.db.utils.DataError'>:value too long for type character varying(255)");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM patches WHERE id = 1 AND commit_ref IS NULL"), 1);
  EXPECT_FALSE(set(std::string(255, 'a')).fault);
  std::string accents;  // 255 characters in 510 bytes: characters count, as in Django
  for (int i = 0; i < 255; ++i) accents += "\xc3\xa9";
  EXPECT_FALSE(set(accents).fault);
  auto check = [&](std::string context) {
    return Invoke(db_.conn(), "check_create", {Int(1), Str(context), Str("success")}, BasicAuth("maint"));
  };
  int64_t checks = Count("SELECT COUNT(*) FROM checks");
  for (std::string bad : std::vector<std::string>{"has space", "semi;colon", "", std::string(256, 'c'), std::string("x\x1b[2J")}) {
    auto r = check(bad);
    EXPECT_TRUE(r.fault) << bad;
    EXPECT_NE(r.fault_string.find("slug"), std::string::npos) << r.fault_string;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM checks"), checks);
  EXPECT_FALSE(check("ci-build_2").fault);
}

TEST_F(Rpc, CheckCreate) {
  int64_t gen = Count("SELECT generation FROM data_generation");
  auto r = Invoke(db_.conn(), "check_create",
                {Int(2), Str("build"), Str("warning"), Str("https://ci/9"), Str("slow")},
                BasicAuth("deleg"));
  ASSERT_FALSE(r.fault) << r.fault_string;
  EXPECT_EQ(r.value.i, 1);
  int64_t id = Count("SELECT MAX(id) FROM checks");
  auto c = Invoke(db_.conn(), "check_get", {Int(id)}).value;
  EXPECT_EQ(Field(c, "state"), "warning");
  EXPECT_EQ(Field(c, "context"), "build");
  EXPECT_EQ(Field(c, "user"), "deleg");
  EXPECT_EQ(Field(c, "target_url"), "https://ci/9");
  EXPECT_EQ(Field(c, "description"), "slow");
  EXPECT_GT(Count("SELECT generation FROM data_generation"), gen);
  db::Query ev(db_.conn(), "SELECT category, patch_id, actor_id, created_check_id, project_id FROM events");
  ASSERT_TRUE(ev.Next());
  EXPECT_EQ(ev.Str(0), "check-created");
  EXPECT_EQ(ev.Int(1), 2);
  EXPECT_EQ(ev.Int(2), 3);
  EXPECT_EQ(ev.Int(3), id);
  EXPECT_EQ(ev.Int(4), 1);

  // Defaults: empty target_url and description.
  ASSERT_FALSE(Invoke(db_.conn(), "check_create", {Int(1), Str("x"), Str("pending")}, BasicAuth("sub")).fault);
  auto d = Invoke(db_.conn(), "check_get", {Int(Count("SELECT MAX(id) FROM checks"))}).value;
  EXPECT_EQ(Field(d, "target_url"), "");
  EXPECT_EQ(Field(d, "description"), "");
}

TEST_F(Rpc, CheckCreateRefusals) {
  EXPECT_EQ(Invoke(db_.conn(), "check_create", {Int(1), Str("ci"), Str("great")}, BasicAuth("maint"))
                .fault_string,
            "<class 'Exception'>:Invalid check state: great");
  EXPECT_EQ(Invoke(db_.conn(), "check_create", {Int(1), Str("ci"), Str("success")}, BasicAuth("other"))
                .fault_string,
            "<class 'Exception'>:No permissions to edit this patch");
  EXPECT_EQ(Invoke(db_.conn(), "check_create", {Int(1), Str("ci"), Str("success")}).fault_string,
            "<class 'Exception'>:No authentication credentials given");
  EXPECT_TRUE(Invoke(db_.conn(), "check_create", {Int(77), Str("ci"), Str("success")}, BasicAuth("maint"))
                  .fault);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM checks"), 4);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events"), 0);
}

TEST_F(Rpc, QueriesPerListAreConstant) {
  auto& c = db_.conn();
  int64_t before = c.statements_executed();
  Invoke(c, "patch_list", {StructOf({{"project_id", Int(1)}})});
  int64_t one = c.statements_executed() - before;
  for (int i = 0; i < 30; ++i) {
    db::Query(c,
              "INSERT INTO patches (project_id, msgid, name, date, submitter_id, state_id) "
              "VALUES (1, ?1, 'more', 0, 1, 1)",
              "<more" + std::to_string(i) + "@x>")
        .Run();
  }
  before = c.statements_executed();
  auto r = Invoke(c, "patch_list", {StructOf({{"project_id", Int(1)}})});
  EXPECT_EQ(r.value.items.size(), 32u);
  EXPECT_EQ(c.statements_executed() - before, one);
}

TEST_F(Rpc, DocumentationPage) {
  std::string page = DocumentationPage();
  EXPECT_NE(page.find("<title>Patchwork XML-RPC API v1 Documentation</title>"), std::string::npos);
  for (const char* m : {"pw_rpc_version", "patch_list", "patch_set", "check_create",
                        "patch_check_get", "patch_get_by_project_hash"}) {
    EXPECT_NE(page.find(m), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace pb::xmlrpc
