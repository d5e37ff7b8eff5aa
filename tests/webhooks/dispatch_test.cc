// The webhook dispatcher's database side: signatures, the cursor, the
// category filter, leases (two dispatchers never claim one delivery) and
// the retry bookkeeping; no network (the integration test has a receiver).
#include "webhooks/dispatch.h"

#include <gtest/gtest.h>

#include <set>

#include "db/projects.h"
#include "db/webhooks.h"
#include "service/ingest.h"
#include "service/webhooks.h"
#include "test_util.h"
#include "webhooks/signature.h"

namespace pb::webhooks {
namespace {

using db::QueryInt;

std::string Patch(int n) {
  return "From: Jane <jane@example.com>\nSubject: [PATCH] change " + std::to_string(n) +
         "\nDate: Tue, 01 Aug 2023 17:10:0" + std::to_string(n % 10) +
         " +0000\nMessage-Id: <w" + std::to_string(n) +
         "@example.com>\nList-Id: <hooks.example.org>\n\ntext\n---\n"
         "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b" + std::to_string(n) + "\n";
}

TEST(Signature, IsHmacSha256OfTheBody) {
  // RFC 4231, test case 2.
  EXPECT_EQ(Signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  std::string id = NewDeliveryId();
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(id, NewDeliveryId());
}

class DispatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db::ProjectRow p;
    p.linkname = "hooks";
    p.name = "Hooks";
    p.listid = "hooks.example.org";
    p.listemail = "hooks@example.org";
    db::InsertProject(t_.conn(), p);
    p.linkname = "other";
    p.name = "Other";
    p.listid = "other.example.org";
    p.listemail = "other@example.org";
    db::InsertProject(t_.conn(), p);
    state_.conn = db::Open(t_.url());
  }
  void Ingest(int n) {
    ASSERT_EQ(service::IngestMail(t_.conn(), Patch(n), {}).outcome, service::Outcome::kPatch);
  }
  db::Id Add(const std::string& project, std::vector<std::string> categories) {
    service::NewWebhook w{project, "http://127.0.0.1:9/", "key", std::move(categories)};
    auto r = service::AddWebhook(t_.conn(), w);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? r->id : 0;
  }
  int64_t Deliveries(db::Id hook) {
    return *QueryInt(t_.conn(), "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?1", hook);
  }

  testing::TempDb t_;
  api::ThreadState state_;
  DispatchOptions options_;
};

TEST_F(DispatchTest, QueuesOnlyNewEventsOfItsProjectAndCategories) {
  Ingest(1);  // before any webhook: never sent
  db::Id all = Add("hooks", {});
  db::Id created = Add("hooks", {"patch-created"});
  db::Id other = Add("other", {});
  Ingest(2);
  Ingest(3);
  int64_t events = *QueryInt(t_.conn(), "SELECT COUNT(*) FROM events WHERE id > "
                                         "(SELECT MIN(last_event_id) FROM webhooks)");
  EXPECT_EQ(QueueNewEvents(state_, options_), events + 2);
  EXPECT_EQ(Deliveries(all), events);
  EXPECT_EQ(Deliveries(created), 2);
  EXPECT_EQ(Deliveries(other), 0);
  // The cursor moved: nothing twice.
  EXPECT_EQ(QueueNewEvents(state_, options_), 0);
  // Each body is the event's JSON, with its category.
  auto n = QueryInt(t_.conn(),
                    "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?1 "
                    "AND category = 'patch-created'", created);
  EXPECT_EQ(*n, 2);
}

TEST_F(DispatchTest, SecondDispatcherFindsNothingLeftToQueue) {
  Add("hooks", {});
  Ingest(1);
  api::ThreadState second;
  second.conn = db::Open(t_.url());
  int queued = QueueNewEvents(state_, options_);
  EXPECT_GT(queued, 0);
  EXPECT_EQ(QueueNewEvents(second, options_), 0);
  Ingest(2);
  int more = QueueNewEvents(second, options_);
  EXPECT_GT(more, 0);
  EXPECT_EQ(QueueNewEvents(state_, options_), 0);
  EXPECT_EQ(*QueryInt(t_.conn(), "SELECT COUNT(*) FROM webhook_deliveries"), queued + more);
  EXPECT_EQ(*QueryInt(t_.conn(), "SELECT COUNT(DISTINCT event_id) FROM webhook_deliveries"),
            queued + more);
}

TEST_F(DispatchTest, TwoDispatchersNeverClaimTheSameDelivery) {
  Add("hooks", {});
  for (int i = 1; i <= 4; ++i) Ingest(i);
  int queued = QueueNewEvents(state_, options_);
  ASSERT_GT(queued, 4);
  auto other = db::Open(t_.url());
  Micros now = NowMicros();
  std::vector<db::DueDelivery> a, b;
  {
    db::Transaction tx(t_.conn());
    a = db::ClaimDueWebhookDeliveries(t_.conn(), now, now + 60000000, 3, false, 0);
    tx.Commit();
  }
  {
    db::Transaction tx(*other);
    b = db::ClaimDueWebhookDeliveries(*other, now, now + 60000000, 1000, false, 0);
    tx.Commit();
  }
  EXPECT_EQ(a.size(), 3u);
  EXPECT_EQ(static_cast<int>(a.size() + b.size()), queued);
  std::set<db::Id> ids;
  for (const auto& d : a) ids.insert(d.id);
  for (const auto& d : b) ids.insert(d.id);
  EXPECT_EQ(static_cast<int>(ids.size()), queued);
  // Leased: nothing left to claim until the leases run out.
  {
    db::Transaction tx(t_.conn());
    EXPECT_TRUE(db::ClaimDueWebhookDeliveries(t_.conn(), now, now + 1, 1000, true, 0).empty());
    EXPECT_EQ(db::ClaimDueWebhookDeliveries(t_.conn(), now + 60000001, now + 60000002, 1000, true, 0)
                  .size(),
              static_cast<size_t>(queued));
    // Not committed: the destructor rolls the second claim back.
  }
}

TEST_F(DispatchTest, FailedAttemptsWaitTheirBackoffAndAreLogged) {
  Add("hooks", {"patch-created"});
  Ingest(1);
  ASSERT_EQ(QueueNewEvents(state_, options_), 1);
  // Port 9 on loopback: refused at once.
  options_.limits.connect_timeout_ms = 2000;
  options_.limits.total_timeout_ms = 2000;
  DispatchReport r = DeliverDue(t_.conn(), options_);
  EXPECT_EQ(r.retrying, 1);
  EXPECT_EQ(r.delivered, 0);
  // Not due again yet; --all tries it anyway.
  EXPECT_EQ(DeliverDue(t_.conn(), options_).retrying, 0);
  options_.retry_all = true;
  EXPECT_EQ(DeliverDue(t_.conn(), options_).retrying, 1);
  EXPECT_EQ(*QueryInt(t_.conn(), "SELECT COUNT(*) FROM webhook_attempts WHERE response_code = 0 "
                                 "AND error <> ''"), 2);
  EXPECT_EQ(*QueryInt(t_.conn(), "SELECT attempts FROM webhook_deliveries"), 2);
  EXPECT_GT(*QueryInt(t_.conn(), "SELECT next_attempt - created FROM webhook_deliveries"), 0);
  // A day later the next failure is the last.
  db::Query(t_.conn(), "UPDATE webhook_deliveries SET created = created - ?1",
            int64_t{25} * 3600 * 1000000).Run();
  r = DeliverDue(t_.conn(), options_);
  EXPECT_EQ(r.failed, 1);
  EXPECT_EQ(*QueryInt(t_.conn(), "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'failed'"), 1);
  EXPECT_EQ(DeliverDue(t_.conn(), options_).failed, 0);  // failed ones stay failed
}

TEST_F(DispatchTest, RulesForAdding) {
  EXPECT_FALSE(service::AddWebhook(t_.conn(), {"hooks", "ftp://x.example.org/", "", {}}).ok());
  EXPECT_FALSE(service::AddWebhook(t_.conn(), {"hooks", "http://x.example.org/", "", {"nope"}}).ok());
  EXPECT_EQ(service::AddWebhook(t_.conn(), {"nope", "http://x.example.org/", "", {}}).status().code(),
            Code::kNotFound);
  auto made = service::AddWebhook(t_.conn(), {"hooks", "http://x.example.org/", "", {}});
  ASSERT_TRUE(made.ok());
  EXPECT_GE(made->secret.size(), 20u);  // one was made up
  EXPECT_TRUE(service::RemoveWebhook(t_.conn(), made->id).ok());
  EXPECT_EQ(service::RemoveWebhook(t_.conn(), made->id).code(), Code::kNotFound);
}

}  // namespace
}  // namespace pb::webhooks
