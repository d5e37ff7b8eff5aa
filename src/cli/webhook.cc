// `patchbay webhook add|list|enable|disable|remove|deliveries|run`:
// webhooks per project (service/webhooks.h) and their delivery log; `run`
// queues and sends what is due now, for sites that deliver from cron rather
// than from `serve`. Database errors go to main()'s boundary.
#include <cstdio>
#include <string>

#include "api/context.h"
#include "cli/commands.h"
#include "cli/open_db.h"
#include "cli/printable.h"
#include "core/time.h"
#include "db/projects.h"
#include "db/read/webhooks_read.h"
#include "db/webhooks.h"
#include "service/webhooks.h"
#include "webhooks/dispatch.h"

namespace pb::cli {
namespace {

const char* const kUsage =
    "usage: patchbay webhook add --project P --url URL [--secret S] [--events CAT,CAT...]\n"
    "       patchbay webhook list [--project P]\n"
    "       patchbay webhook enable|disable ID\n"
    "       patchbay webhook remove ID\n"
    "       patchbay webhook deliveries ID [--limit N]\n"
    "       patchbay webhook run [--all] [--site-url URL] [--timeout SECONDS]\n"
    "       (all take --database URL; categories as in /api/events/, none: every one)\n";

int Usage() {
  std::fprintf(stderr, "%s", kUsage);
  return 2;
}

int Fail(const std::string& why) {
  std::fprintf(stderr, "patchbay: %s\n", why.c_str());
  return 1;
}

bool ParseId(const std::string& s, int64_t* out) {
  try {
    size_t used = 0;
    *out = std::stoll(s, &used);
    return used == s.size() && *out > 0;
  } catch (const std::exception&) {
    return false;
  }
}

int Add(db::Connection& c, Args& args) {
  service::NewWebhook w;
  w.project = TakeOption(args, "--project");
  w.url = TakeOption(args, "--url");
  w.secret = TakeOption(args, "--secret");
  w.categories = service::SplitCategories(TakeOption(args, "--events"));
  if (!args.empty() || w.project.empty() || w.url.empty()) return Usage();
  auto added = service::AddWebhook(c, w);
  if (!added.ok()) return Fail(added.status().message());
  std::printf("webhook %lld added\nsecret: %s\n", static_cast<long long>(added->id),
              added->secret.c_str());
  return 0;
}

int List(db::Connection& c, Args& args) {
  std::string project = TakeOption(args, "--project");
  if (!args.empty()) return Usage();
  std::optional<db::Id> project_id;
  if (!project.empty()) {
    auto p = db::FindProject(c, project);
    if (!p) return Fail("no project '" + project + "'");
    project_id = p->id;
  }
  auto hooks = db::ListWebhooks(c, project_id);
  for (const auto& w : hooks) {
    std::printf("%lld  %s  %s  events: %s  since event %lld%s\n", static_cast<long long>(w.id),
                Printable(w.project).c_str(), Printable(w.url).c_str(),
                w.categories.empty() ? "all" : Printable(w.categories).c_str(),
                static_cast<long long>(w.last_event_id), w.active ? "" : "  disabled");
  }
  if (hooks.empty()) std::printf("no webhooks\n");
  return 0;
}

int Deliveries(db::Connection& c, Args& args) {
  std::string limit_text = TakeOption(args, "--limit");
  int64_t id = 0, limit = 50;
  if (args.size() != 1 || !ParseId(args[0], &id)) return Usage();
  if (!limit_text.empty() && !ParseId(limit_text, &limit)) return Usage();
  if (!db::FindWebhook(c, id)) return Fail("no webhook " + args[0]);
  auto rows = db::read::ListWebhookDeliveries(c, id, limit);
  for (const auto& d : rows) {
    std::printf("%lld  %s  event %lld %s  %s  attempts %lld", static_cast<long long>(d.id),
                d.uuid.c_str(), static_cast<long long>(d.event_id), d.category.c_str(),
                d.status.c_str(), static_cast<long long>(d.attempts));
    if (d.status == "pending" && d.attempts > 0) {
      std::printf("  next %s", FormatIsoDate(d.next_attempt).substr(0, 19).c_str());
    }
    std::printf("\n");
    for (const auto& a : d.attempt_log) {
      std::printf("    %s  %s  %lld ms%s%s\n", FormatIsoDate(a.date).substr(0, 19).c_str(),
                  a.response_code ? ("HTTP " + std::to_string(a.response_code)).c_str() : "no response",
                  static_cast<long long>(a.duration_us / 1000), a.error.empty() ? "" : "  ",
                  Printable(a.error).c_str());
    }
  }
  if (rows.empty()) std::printf("no deliveries\n");
  return 0;
}

int Run(std::unique_ptr<db::Connection> conn, Args& args) {
  webhooks::DispatchOptions o;
  o.retry_all = TakeFlag(args, "--all");
  std::string site = TakeOption(args, "--site-url");
  std::string timeout = TakeOption(args, "--timeout");
  if (!args.empty()) return Usage();
  if (!site.empty()) o.origin = site;
  if (!timeout.empty()) {
    int64_t s = 0;
    if (!ParseId(timeout, &s)) return Usage();
    o.limits.total_timeout_ms = s * 1000;
    o.limits.connect_timeout_ms = std::min<long>(o.limits.connect_timeout_ms, s * 1000);
  }
  api::ThreadState state;
  state.conn = std::move(conn);
  auto r = webhooks::RunWebhooksOnce(state, o);
  std::printf("webhooks: %d queued, %d delivered, %d to retry, %d failed\n", r.queued, r.delivered,
              r.retrying, r.failed);
  return r.retrying + r.failed > 0 ? 1 : 0;
}

}  // namespace

int Webhook(const Args& in) {
  Args args = in;
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::printf("%s", kUsage);
    return 0;
  }
  std::string url = TakeDatabaseUrl(args);
  if (args.empty()) return Usage();
  std::string verb = args[0];
  args.erase(args.begin());
  if (verb != "add" && verb != "list" && verb != "enable" && verb != "disable" &&
      verb != "remove" && verb != "deliveries" && verb != "run") {
    return Usage();
  }
  auto conn = OpenMigrated(url);
  if (!conn) return 1;
  if (verb == "add") return Add(*conn, args);
  if (verb == "list") return List(*conn, args);
  if (verb == "deliveries") return Deliveries(*conn, args);
  if (verb == "run") return Run(std::move(conn), args);
  int64_t id = 0;
  if (args.size() != 1 || !ParseId(args[0], &id)) return Usage();
  Status s = verb == "remove" ? service::RemoveWebhook(*conn, id)
                              : service::SetWebhookActive(*conn, id, verb == "enable");
  if (!s.ok()) return Fail(s.message());
  std::printf("webhook %lld %s\n", static_cast<long long>(id),
              verb == "remove" ? "removed" : verb == "enable" ? "enabled" : "disabled");
  return 0;
}

}  // namespace pb::cli
