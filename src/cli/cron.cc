// `patchbay cron` (upstream's manage.py cron) and `patchbay mail`, the
// outbox seen from the command line.
#include <cstdio>

#include "cli/commands.h"
#include "cli/mail_options.h"
#include "cli/open_db.h"
#include "db/outbox.h"
#include "notify/cron.h"
#include "notify/outbox.h"
#include "webhooks/dispatch.h"

namespace pb::cli {

int Cron(const Args& in) {
  Args args = in;
  std::string url = TakeDatabaseUrl(args);
  bool quiet = TakeFlag(args, "--quiet");
  auto config = TakeMailConfig(args);
  if (!config.ok()) {
    std::fprintf(stderr, "patchbay: %s\n", config.status().message().c_str());
    return 2;
  }
  if (!args.empty()) {
    std::fprintf(stderr, "usage: patchbay cron [--database URL] [--quiet]\n%s", kMailFlagsUsage);
    return 2;
  }
  if (config->site_url.empty()) {
    std::fprintf(stderr, "patchbay: cron needs the site URL for links in mails "
                         "(--site-url or site_url in --mail-config)\n");
    return 2;
  }
  auto conn = OpenMigrated(url);
  if (!conn) return 1;
  notify::CronReport r = notify::RunCron(*conn, *config, config->site_url);
  for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.c_str());
  // Webhooks too, for sites that run no server or want a second sender.
  webhooks::DispatchReport hooks;
  try {
    api::ThreadState state;
    state.conn = OpenMigrated(url);
    webhooks::DispatchOptions o;
    o.origin = config->site_url;
    if (state.conn) hooks = webhooks::RunWebhooksOnce(state, o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "patchbay: webhooks: %s\n", e.what());
  }
  size_t queued = db::ListOutbox(*conn).size();
  if (!quiet) {
    std::printf("notifications: %d mails for %d changes, %d dropped, %d submitters postponed\n",
                r.digests, r.notifications, r.dropped, r.postponed);
    std::printf("expired: %lld confirmations, %lld inactive users\n",
                static_cast<long long>(r.confirmations_expired),
                static_cast<long long>(r.users_expired));
    std::printf("outbox: %d sent, %d failed, %zu queued (transport: %s)\n", r.delivery.sent,
                r.delivery.failed, queued, notify::DescribeTransport(*config).c_str());
    std::printf("webhooks: %d queued, %d delivered, %d to retry, %d failed\n", hooks.queued,
                hooks.delivered, hooks.retrying, hooks.failed);
  }
  // Mail that failed stays queued for the next run: a failure, not a loss.
  return r.delivery.failed > 0 ? 1 : 0;
}

int Mail(const Args& in) {
  Args args = in;
  std::string url = TakeDatabaseUrl(args);
  auto config = TakeMailConfig(args);
  auto usage = [] {
    std::fprintf(stderr,
                 "usage: patchbay mail list             (the outbox: queued mails, errors)\n"
                 "       patchbay mail send [--all]     (deliver what is due; --all: retry all now)\n"
                 "       patchbay mail test ADDRESS     (queue a test mail and deliver it)\n%s",
                 kMailFlagsUsage);
    return 2;
  };
  if (!config.ok()) {
    std::fprintf(stderr, "patchbay: %s\n", config.status().message().c_str());
    return 2;
  }
  if (args.empty()) return usage();
  std::string verb = args[0];
  args.erase(args.begin());
  bool all = TakeFlag(args, "--all");
  auto conn = OpenMigrated(url);
  if (!conn) return 1;
  if (verb == "list" && args.empty()) {
    auto rows = db::ListOutbox(*conn);
    std::printf("%-5s %-20s %-30s %-8s %s\n", "id", "queued", "to", "attempts", "last error");
    for (const auto& r : rows) {
      std::string to = r.recipients;
      for (char& ch : to) {
        if (ch == '\n') ch = ',';
      }
      std::printf("%-5lld %-20s %-30s %-8lld %s\n", static_cast<long long>(r.id),
                  FormatIsoDate(r.created).substr(0, 19).c_str(), to.c_str(),
                  static_cast<long long>(r.attempts), r.last_error.c_str());
    }
    std::printf("%zu queued\n", rows.size());
    return 0;
  }
  if ((verb == "send" && args.empty()) || (verb == "test" && args.size() == 1)) {
    if (verb == "test") {
      notify::OutgoingMail m;
      m.from = config->from;
      m.to = {args[0]};
      m.subject = "patchbay test mail";
      m.body = "This mail shows that patchbay can send mail (" +
               notify::DescribeTransport(*config) + ").\n";
      Status s = notify::QueueMail(*conn, m);
      if (!s.ok()) {
        std::fprintf(stderr, "patchbay: %s\n", s.message().c_str());
        return 1;
      }
      all = true;
    }
    auto r = notify::FlushOutbox(*conn, *config, all);
    for (const auto& e : r.errors) std::fprintf(stderr, "patchbay: not sent, kept queued: %s\n", e.c_str());
    std::printf("%d sent, %d failed, %zu queued (transport: %s)\n", r.sent, r.failed,
                db::ListOutbox(*conn).size(), notify::DescribeTransport(*config).c_str());
    return r.failed > 0 ? 1 : 0;
  }
  return usage();
}

}  // namespace pb::cli
