// GET /api/events/stream (an extension): the events of /api/events/ pushed
// as Server-Sent Events while they are committed, by any process.
//
// One EventHub per server process does the work for every client: one
// thread, one database connection. It learns of commits from PostgreSQL's
// NOTIFY (a trigger on `events`, migration "Notify event listeners"), or
// on SQLite from inotify: a writer that committed events touches the WAL
// file (db::Connection::NotifyOnCommit). Where neither works it polls the
// newest event id every few milliseconds (one indexed probe). It then
// reads the new events once, renders each
// once per API version and origin, and queues it to every client whose
// filter it passes. Clients that resume (Last-Event-ID) are first caught
// up from the database with their filter, a page at a time and only while
// their connection keeps up.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "api/context.h"
#include "db/read/events_read.h"
#include "http/server.h"

namespace pb::api {

struct EventHubOptions {
  std::string database_url;
  // How often to look for new events when the database cannot signal
  // commits (normally both backends do: then once a second, as a safety).
  std::chrono::milliseconds poll_interval{10};
  // A comment line this often keeps proxies from timing the stream out
  // and finds clients that left.
  std::chrono::milliseconds keepalive{15000};
};

// One client: what it wants and how its events are rendered.
struct EventSubscription {
  std::shared_ptr<http::StreamSink> sink;
  db::read::EventFilter filter;
  db::Id cursor = 0;  // the newest event id this client has had (or skipped)
  int version = kUnversioned;
  bool versioned = false;
  std::string origin;
  std::string api_root;
  bool gzip = false;  // Content-Encoding: gzip (the client's Accept-Encoding)
};

class EventHub {
 public:
  // Starts the hub's thread. Its database connection is opened there.
  static std::shared_ptr<EventHub> Start(EventHubOptions options);
  virtual ~EventHub() = default;
  // Thread-safe; the hub takes the client on its next round.
  virtual void Subscribe(EventSubscription sub) = 0;
  // Stops the thread and forgets every client (the server ends streams).
  virtual void Stop() = 0;
};

}  // namespace pb::api
