// `patchbay serve`: migrate, then serve the site (REST API, XML-RPC,
// downloads) until SIGINT/SIGTERM.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <type_traits>

#include "api/app.h"
#include "api/cookies.h"
#include "api/event_stream.h"
#include "cli/commands.h"
#include "cli/ingest_socket.h"
#include "cli/open_db.h"
#include "cli/mail_options.h"
#include "db/read/detail_batch.h"
#include "http/server.h"
#include "notify/sender.h"
#include "web/site.h"
#include "webhooks/dispatcher_thread.h"

namespace pb::cli {
int Serve(const Args& in) {
  Args args = in;
  std::string url = TakeDatabaseUrl(args);
  std::string listen = TakeOption(args, "--listen");
  std::string threads = TakeOption(args, "--threads");
  std::string base_url = TakeOption(args, "--base-url");
  bool no_response_cache = TakeFlag(args, "--no-response-cache");
  bool no_coalesce_details = TakeFlag(args, "--no-coalesce-details");
  bool no_webhooks = TakeFlag(args, "--no-webhooks");
  std::string webhook_timeout = TakeOption(args, "--webhook-timeout");
  std::string max_connections = TakeOption(args, "--max-connections");
  std::string max_body_in_flight = TakeOption(args, "--max-body-in-flight");
  std::string max_streams = TakeOption(args, "--max-streams");
  std::string keepalive_ms = TakeOption(args, "--stream-keepalive-ms");
  std::string poll_ms = TakeOption(args, "--stream-poll-ms");
  const std::string ingest_socket = IngestSocketOrEnv(TakeOption(args, "--ingest-socket"));
  auto mail = TakeMailConfig(args, base_url);
  if (!mail.ok()) {
    std::fprintf(stderr, "patchbay: %s\n", mail.status().message().c_str());
    return 2;
  }
  if (!args.empty()) {
    std::fprintf(stderr,
                 "usage: patchbay serve [--database URL] [--listen HOST:PORT] [--threads N] "
                 "[--base-url URL] [--no-response-cache] [--no-coalesce-details]\n"
                 "                      [--no-webhooks] [--webhook-timeout SECONDS]\n"
                 "                      [--max-connections N] [--max-body-in-flight BYTES]\n"
                 "                      [--max-streams N] [--stream-keepalive-ms MS] [--stream-poll-ms MS]\n"
                 "                      [--ingest-socket PATH]\n%s",
                 kMailFlagsUsage);
    return 2;
  }

  http::ServerOptions options;
  if (!listen.empty()) {
    // HOST:PORT, [v6]:PORT or :PORT
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "patchbay: --listen wants HOST:PORT, got '%s'\n", listen.c_str());
      return 2;
    }
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (!host.empty()) options.address = host;
    try {
      int port = std::stoi(listen.substr(colon + 1));
      if (port < 0 || port > 65535) throw std::out_of_range("port");
      options.port = static_cast<uint16_t>(port);
    } catch (const std::exception&) {
      std::fprintf(stderr, "patchbay: bad port in --listen '%s'\n", listen.c_str());
      return 2;
    }
  }
  auto count = [](const std::string& text, const char* flag, auto& out) {
    if (text.empty()) return true;
    try {
      size_t used = 0;
      long long n = std::stoll(text, &used);
      if (used != text.size() || n < 0) throw std::invalid_argument(flag);
      out = static_cast<std::remove_reference_t<decltype(out)>>(n);
      return true;
    } catch (const std::exception&) {
      std::fprintf(stderr, "patchbay: bad %s '%s'\n", flag, text.c_str());
      return false;
    }
  };
  if (!count(threads, "--threads", options.threads) ||
      !count(max_connections, "--max-connections", options.max_connections) ||
      !count(max_body_in_flight, "--max-body-in-flight", options.max_body_bytes_in_flight) ||
      !count(max_streams, "--max-streams", options.max_streams)) {
    return 2;
  }
  api::EventHubOptions hub_options;
  hub_options.database_url = url;
  int64_t keepalive = 15000, poll = 10;
  if (!count(keepalive_ms, "--stream-keepalive-ms", keepalive) ||
      !count(poll_ms, "--stream-poll-ms", poll)) {
    return 2;
  }
  hub_options.keepalive = std::chrono::milliseconds(std::max<int64_t>(1, keepalive));
  hub_options.poll_interval = std::chrono::milliseconds(std::max<int64_t>(1, poll));
  webhooks::DispatchOptions hooks;
  long hook_seconds = 0;
  if (!count(webhook_timeout, "--webhook-timeout", hook_seconds)) return 2;
  if (hook_seconds > 0) {
    hooks.limits.total_timeout_ms = hook_seconds * 1000;
    hooks.limits.connect_timeout_ms = std::min(hooks.limits.connect_timeout_ms, hook_seconds * 1000);
  }

  // Migrate once, up front; the worker threads then open their own connections.
  if (!OpenMigrated(url)) return 1;

  // Before any other thread starts: the socket is bound under a umask of our
  // own (docs/deploy.md: the MTA's pipe hands mails to it).
  std::unique_ptr<IngestSocketServer> ingest;
  if (!ingest_socket.empty()) {
    auto started = IngestSocketServer::Start(ingest_socket, url);
    if (!started.ok()) {
      std::fprintf(stderr, "patchbay: %s\n", started.status().message().c_str());
      return 1;
    }
    ingest = std::move(started.value());
  }

  api::ApiConfig config;
  config.database_url = url;
  config.base_url = base_url;
  config.response_cache = !no_response_cache;
  config.coalesce_details = !no_coalesce_details;
  // One hub feeds every /api/events/stream client of this process.
  config.event_hub = api::EventHub::Start(hub_options);
  web::Site site = web::MakeSite(config);
  http::Handler handler = std::move(site.handler);
  options.on_thread_start = site.warm_up;
  // Behind a TLS-terminating proxy the cookies must not leak over plain http.
  if (base_url.rfind("https://", 0) == 0) {
    handler = [site = std::move(handler)](const http::Request& req) {
      http::Response r = site(req);
      // Also on the answer of an offloaded job (a login's password check).
      http::FinishResponse(r, api::MarkCookiesSecure);
      return r;
    };
  }
  std::string shown_host = options.address.find(':') != std::string::npos
                               ? "[" + options.address + "]"
                               : options.address;
  // Pages queue mail; this thread delivers it, so no request waits on SMTP.
  notify::StartSender(url, *mail);
  Status st = http::Serve(options, handler, [&](uint16_t port) {
    std::printf("patchbay: serving on http://%s:%u/\n", shown_host.c_str(), port);
    std::fflush(stdout);
    // Webhooks go out from a thread of their own, never from a request.
    if (!no_webhooks) {
      hooks.origin = !base_url.empty() ? base_url
                                       : "http://" + shown_host + ":" + std::to_string(port);
      webhooks::StartDispatcher(url, hooks);
    }
  });
  // The mail in hand is finished and answered; clients still queued find
  // the socket gone and store their mails themselves.
  // How many patch details each statement read (PostgreSQL): what
  // coalescing found to share under this server's load.
  if (std::string batches = db::read::DetailBatchSummary(); !batches.empty()) {
    std::fprintf(stderr, "patchbay: %s\n", batches.c_str());
  }
  if (ingest) ingest->Stop();
  config.event_hub->Stop();
  webhooks::StopDispatcher();
  notify::StopSender();
  if (!st.ok()) {
    std::fprintf(stderr, "patchbay: %s\n", st.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace pb::cli
