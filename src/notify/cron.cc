#include "notify/cron.h"

#include <cctype>

#include "db/accounts.h"
#include "db/mail_store.h"
#include "notify/messages.h"

namespace pb::notify {
namespace {

constexpr Micros kMinute = 60LL * 1000000;
constexpr Micros kDay = 24 * 60 * kMinute;

std::string LowerStripped(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

}  // namespace

void QueueNotificationDigests(db::Connection& c, const MailConfig& config,
                              std::string_view site_url, Micros now, CronReport& report) {
  Micros limit = now - config.notification_delay_minutes * kMinute;
  db::Transaction tx(c);
  auto pending = db::PendingNotifications(c);
  for (size_t i = 0; i < pending.size();) {
    size_t end = i;
    bool ready = true;
    while (end < pending.size() && pending[end].submitter_id == pending[i].submitter_id) {
      if (pending[end].last_modified >= limit) ready = false;
      ++end;
    }
    std::vector<db::PendingNotification> group(pending.begin() + static_cast<long>(i),
                                               pending.begin() + static_cast<long>(end));
    i = end;
    if (!ready) {
      ++report.postponed;
      continue;
    }
    std::vector<db::PendingNotification> mail;
    for (auto& n : group) {
      db::DeleteNotification(c, n.patch_id);
      if (n.project_sends) mail.push_back(std::move(n)); else ++report.dropped;
    }
    if (mail.empty()) continue;
    const std::string& email = mail.front().submitter_email;
    if (db::IsOptedOut(c, LowerStripped(email))) {
      report.dropped += static_cast<int>(mail.size());
      continue;
    }
    Status s = QueueMail(c, NotificationMail(config, site_url, email, mail), now);
    if (!s.ok()) {
      // Upstream drops the rows of an unusable address ("<>") too.
      report.dropped += static_cast<int>(mail.size());
      report.errors.push_back("Failed sending to " + email + ": " + s.message());
      continue;
    }
    ++report.digests;
    report.notifications += static_cast<int>(mail.size());
  }
  tx.Commit();
}

CronReport RunCron(db::Connection& c, const MailConfig& config, std::string_view site_url,
                   Micros now) {
  CronReport report;
  QueueNotificationDigests(c, config, site_url, now, report);
  {
    db::Transaction tx(c);
    auto n = db::ExpireConfirmationsAndUsers(c, now - config.confirmation_validity_days * kDay);
    db::BumpGeneration(c);
    tx.Commit();
    report.confirmations_expired = n.confirmations;
    report.users_expired = n.users;
  }
  report.delivery = FlushOutbox(c, config, /*retry_all=*/true, now);
  for (const auto& e : report.delivery.errors) report.errors.push_back("Failed sending " + e);
  return report;
}

}  // namespace pb::notify
