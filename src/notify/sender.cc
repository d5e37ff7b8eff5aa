#include "notify/sender.h"

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "db/connection.h"
#include "notify/outbox.h"

namespace pb::notify {
namespace {

struct Sender {
  std::mutex mu;
  std::condition_variable cv;
  bool woken = false;
  bool stopping = false;
  std::thread thread;
  MailConfig config;
};

Sender& State() {
  static Sender s;
  return s;
}

void Loop(std::string url, MailConfig config) {
  Sender& s = State();
  std::unique_ptr<db::Connection> conn;
  for (;;) {
    {
      std::unique_lock lock(s.mu);
      s.cv.wait_for(lock, std::chrono::seconds(60), [&] { return s.woken || s.stopping; });
      if (s.stopping) return;
      s.woken = false;
    }
    try {
      if (!conn) conn = db::Open(url);
      FlushResult r = FlushOutbox(*conn, config, /*retry_all=*/false);
      for (const auto& e : r.errors) std::fprintf(stderr, "patchbay: mail not sent, kept queued: %s\n", e.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "patchbay: mail sender: %s\n", e.what());
      conn.reset();
    }
  }
}

}  // namespace

void StartSender(const std::string& database_url, const MailConfig& config) {
  Sender& s = State();
  std::lock_guard lock(s.mu);
  if (s.thread.joinable()) return;
  s.config = config;
  if (config.transport == Transport::kNone) return;
  s.woken = true;  // deliver what earlier runs left queued
  s.thread = std::thread(Loop, database_url, config);
}

const MailConfig& MailSettings() { return State().config; }

void WakeSender() {
  Sender& s = State();
  {
    std::lock_guard lock(s.mu);
    s.woken = true;
  }
  s.cv.notify_one();
}

void StopSender() {
  Sender& s = State();
  {
    std::lock_guard lock(s.mu);
    if (!s.thread.joinable()) return;
    s.stopping = true;
  }
  s.cv.notify_one();
  s.thread.join();
}

}  // namespace pb::notify
