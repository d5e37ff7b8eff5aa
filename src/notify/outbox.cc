#include "notify/outbox.h"

#include <algorithm>

#include "db/outbox.h"
#include "notify/transport.h"

namespace pb::notify {
namespace {

constexpr Micros kMinute = 60LL * 1000000;
constexpr Micros kLease = 10 * kMinute;  // longer than any one delivery's timeouts
constexpr int64_t kBatch = 50;

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : "\n") + x;
  return s;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    if (nl > start) out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

Micros Backoff(int64_t attempts) {
  return std::min<Micros>(kMinute << std::min<int64_t>(attempts, 6), 60 * kMinute);
}

}  // namespace

Status QueueMail(db::Connection& c, const OutgoingMail& mail, Micros now) {
  auto composed = Compose(mail, now);
  if (!composed.ok()) return composed.status();
  try {
    db::InsertOutboxMail(c, composed->sender, Join(composed->recipients), composed->message, now);
  } catch (const db::DbError& e) {
    return Status::Database(e.what());
  }
  return Status::Ok();
}

FlushResult FlushOutbox(db::Connection& c, const MailConfig& config, bool retry_all,
                        Micros now) {
  FlushResult result;
  if (config.transport == Transport::kNone) return result;
  // Each mail is tried once per run: the walk goes up the ids.
  db::Id after = 0;
  for (;;) {
    std::vector<db::OutboxRow> due;
    {
      db::Transaction tx(c);
      due = db::ClaimDueOutboxMails(c, now, now + kLease, kBatch, retry_all, after);
      tx.Commit();
    }
    if (due.empty()) break;
    after = due.back().id;
    for (const auto& m : due) {
      Status s = Deliver(config, m.sender, Split(m.recipients), m.message);
      db::Transaction tx(c);
      if (s.ok()) {
        db::DeleteOutboxMail(c, m.id);
        ++result.sent;
      } else {
        db::OutboxMailFailed(c, m.id, s.message(), now + Backoff(m.attempts));
        ++result.failed;
        result.errors.push_back("to " + m.recipients + ": " + s.message());
      }
      tx.Commit();
    }
    if (static_cast<int64_t>(due.size()) < kBatch) break;
  }
  return result;
}

}  // namespace pb::notify
