// Everything a resource handler needs to answer one request: the request,
// its API version, the absolute URL origin, decoded query parameters, the
// authenticated user, and this thread's database connection and caches.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "api/query.h"
#include "api/response_cache.h"
#include "db/connection.h"
#include "db/read/catalog.h"
#include "db/read/detail_batch.h"
#include "db/read/embed_cache.h"
#include "db/read/page_ids.h"
#include "db/read/users_read.h"
#include "http/server.h"

namespace pb::api {

// API versions as 10 * major + minor: 1.0 -> 10 ... 1.4 -> 14.
constexpr int kV10 = 10, kV11 = 11, kV12 = 12, kV13 = 13, kV14 = 14;
// What /api/ without a version serves. Upstream "latest" passes every gate;
// the newest release (v3.2.1) stops at 1.3 and the golden answers were
// taken there, so unversioned requests show the 1.3 field set. Change this
// to kV14 to make /api/ follow upstream main.
constexpr int kUnversioned = kV13;

class EventHub;  // event_stream.h

// Per-thread state that outlives requests.
struct ThreadState {
  std::unique_ptr<db::Connection> conn;
  db::read::Catalog catalog;
  db::read::CountCache counts;
  // Shared by the handler's threads (null: deep pages walk OFFSET).
  std::shared_ptr<db::read::OrderedIdCache> page_ids;
  // Shared too (null: list rows read the records they embed by joins).
  std::shared_ptr<db::read::EmbedCache> embeds;
  std::shared_ptr<ResponseCache> responses;  // shared too; null: off
  std::shared_ptr<EventHub> events;  // the process's event stream; null: none
  // Patch details deferred together (PostgreSQL; db/read/detail_batch.h),
  // and the id the request being answered added to it (0: none), which
  // PatchDetailView takes from the batch instead of reading it alone.
  db::read::DetailBatch details;
  db::Id batched_detail = 0;
};

struct Context {
  Context(const http::Request& r, ThreadState& s) : req(r), state(s) {}

  const http::Request& req;
  ThreadState& state;
  int version = kUnversioned;
  bool versioned = false;       // the URL named a version
  std::string origin;           // "http://127.0.0.1:8000"
  std::string api_root;         // origin + "/api/" [+ "1.1/"]
  QueryParams params;
  std::optional<db::read::AuthUserRec> user;
  bool session_user = false;    // `user` logged in through the web (sessionid cookie)
  int64_t generation = -1;      // read lazily by Catalog()
  // Rendered embedded objects that repeat on a page (e.g. the project of
  // every patch), keyed by kind and id; valid for this request only.
  std::unordered_map<std::string, std::string> memo;
  int64_t assumed_at_ = -1;  // statements_executed() when AtCatalogGeneration began

  bool AtLeast(int v) const { return version >= v; }
  db::Connection& conn() { return *state.conn; }

  // The catalog snapshot (and generation) for this request; one statement.
  const db::read::Catalog& Catalog() {
    if (generation < 0) {
      generation = db::read::ReadGeneration(conn());
      state.catalog.Refresh(conn(), generation);
    }
    return state.catalog;
  }

  // A detail read in one statement before any snapshot (PostgreSQL;
  // Connection::ReadBeforeSnapshot): `read` runs it and returns whether the
  // row was found and the generation it was read at. True when that answer
  // may be served as it is: nothing was found (404 at once, no catalog
  // needed), or the thread's catalog is of the row's generation, which this
  // request then takes. False: read it in a snapshot instead.
  template <class Read>
  bool ReadAlone(Read read) {
    if (generation >= 0) return false;
    std::pair<bool, int64_t> got{false, -1};
    if (!conn().ReadBeforeSnapshot([&] { got = read(); })) return false;
    auto [found, read_at] = got;
    if (!found) return true;
    if (read_at != state.catalog.generation()) return false;
    generation = read_at;
    return true;
  }

  // A list page from one statement outside the snapshot (PostgreSQL),
  // rendered at a generation assumed before it is read: the thread's
  // catalog's, which the request's filter, count and deep-page ids are then
  // taken at, from the catalog and the shared caches, without a statement.
  // `render` returns the response only when its one statement
  // (read::ReadPageAlone) read that same generation: then everything it
  // used is of one generation, the current one when the statement ran, as
  // in a snapshot that read the generation first. Otherwise (nullopt: a
  // cache miss, a write since, a filter that needed a statement) the
  // generation is unset again and the request goes the snapshot path. A
  // rendered page costs the server one message instead of BEGIN and the
  // generation (a wait), the page (a wait) and a ROLLBACK (§9n).
  template <class Render>
  std::optional<http::Response> AtCatalogGeneration(Render render) {
    if (generation >= 0 || state.catalog.generation() < 0 ||
        conn().dialect() != db::Dialect::kPostgres) {
      return std::nullopt;
    }
    generation = state.catalog.generation();
    assumed_at_ = conn().statements_executed();
    std::optional<http::Response> r = render();
    if (!r) generation = -1;
    return r;
  }
  // True while nothing was read since AtCatalogGeneration assumed the
  // generation (a filter's look-up would have begun the snapshot).
  bool NothingReadSinceAssumed() { return conn().statements_executed() == assumed_at_; }

  // "<origin>/api/[v/]<tail>"; tail like "patches/1/".
  std::string ApiUrl(std::string_view tail) const {
    std::string s = api_root;
    s += tail;
    return s;
  }
  // Some upstream links never carry the version (comments, checks).
  std::string UnversionedApiUrl(std::string_view tail) const {
    std::string s = origin;
    s += "/api/";
    s += tail;
    return s;
  }
  std::string SiteUrl(std::string_view path) const {
    std::string s = origin;
    s += path;
    return s;
  }
};

}  // namespace pb::api
