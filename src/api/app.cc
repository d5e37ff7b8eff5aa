// Request dispatch for /api/: version prefix, route table, Host handling,
// authentication, method checks, and error containment. Resources only see
// a Context and their path parameters.
#include "api/app.h"

#include <atomic>
#include <cctype>
#include <memory>
#include <unordered_map>

#include "api/auth.h"
#include "api/cookies.h"
#include "api/filters.h"
#include "api/json_writer.h"
#include "api/render.h"
#include "api/response.h"
#include "api/views.h"
#include "api/webhook_views.h"
#include "api/writes.h"

namespace pb::api {
namespace {

enum class Seg { kLiteral, kInt, kStr };

struct Route {
  std::vector<std::pair<Seg, std::string_view>> segments;  // path "a/{int}/" as segments
  std::string_view allow;
  View get;
  std::string_view name;         // DRF view name (OPTIONS)
  std::string_view description;  // DRF view docstring (OPTIONS)
  bool auth_required = false;    // IsAuthenticated
  int min_version = kV10;        // the URL only exists from this version on
};

std::vector<std::pair<Seg, std::string_view>> Parse(std::string_view pattern) {
  std::vector<std::pair<Seg, std::string_view>> out;
  size_t pos = 0;
  while (pos < pattern.size()) {
    size_t slash = pattern.find('/', pos);
    std::string_view s = pattern.substr(pos, slash - pos);
    out.emplace_back(s == "{int}" ? Seg::kInt : s == "{str}" ? Seg::kStr : Seg::kLiteral, s);
    pos = slash + 1;
  }
  return out;
}

const std::vector<Route>& Routes() {
  static const std::vector<Route> routes = {
      {Parse(""), kAllowRead, IndexView, "Index", ""},
      {Parse("projects/"), kAllowRead, ProjectListView, "Project List", "List projects."},
      {Parse("projects/{str}/"), kAllowReadUpdate, ProjectDetailView, "Project Detail",
       "get:\nShow a project.\n\npatch:\nUpdate a project.\n\nput:\nUpdate a project."},
      {Parse("people/"), kAllowRead, PersonListView, "Person List", "List users.", true},
      {Parse("people/{int}/"), kAllowRead, PersonDetailView, "Person Detail", "Show a user.", true},
      {Parse("patches/"), kAllowRead, PatchListView, "Patch List", "List patches."},
      {Parse("patches/{int}/"), kAllowReadUpdate, PatchDetailView, "Patch Detail",
       "get:\nShow a patch.\n\npatch:\nUpdate a patch.\n\nput:\nUpdate a patch."},
      {Parse("users/"), kAllowRead, UserListView, "User List", "List users.", true},
      {Parse("users/{int}/"), kAllowReadUpdate, UserDetailView, "User Detail",
       "get:\nShow a user.\n\npatch:\nUpdate a user.\n\nput:\nUpdate a user.", true},
      {Parse("covers/"), kAllowRead, CoverListView, "Cover List", "List cover letters."},
      {Parse("covers/{int}/"), kAllowRead, CoverDetailView, "Cover Detail", "Show a cover letter."},
      {Parse("series/"), kAllowRead, SeriesListView, "Series List", "List series."},
      {Parse("series/{int}/"), kAllowRead, SeriesDetailView, "Series Detail", "Show a series."},
      {Parse("patches/{int}/comments/"), kAllowRead, PatchCommentListView, "Patch Comment List",
       "List patch comments", false, kV11},
      {Parse("patches/{int}/comments/{int}/"), kAllowReadUpdate, PatchCommentDetailView,
       "Patch Comment Detail",
       "get:\nShow a patch comment.\n\npatch:\nUpdate a patch comment.\n\nput:\nUpdate a "
       "patch comment.",
       false, kV13},
      {Parse("covers/{int}/comments/"), kAllowRead, CoverCommentListView, "Cover Comment List",
       "List cover comments", false, kV11},
      {Parse("covers/{int}/comments/{int}/"), kAllowReadUpdate, CoverCommentDetailView,
       "Cover Comment Detail",
       "get:\nShow a cover comment.\n\npatch:\nUpdate a cover comment.\n\nput:\nUpdate a "
       "cover comment.",
       false, kV13},
      {Parse("patches/{int}/checks/"), kAllowReadCreate, CheckListView, "Check List Create",
       "get:\nList checks.\n\npost:\nCreate a check."},
      {Parse("patches/{int}/checks/{int}/"), kAllowRead, CheckDetailView, "Check Detail",
       "Show a check."},
      {Parse("bundles/"), kAllowReadCreate, BundleListView, "Bundle List",
       "List or create bundles."},
      {Parse("bundles/{int}/"), kAllowAll, BundleDetailView, "Bundle Detail",
       "get:\nShow a bundle.\n\npatch:\nUpdate a bundle.\n\nput:\nUpdate a bundle."
       "\n\ndelete:\nDelete a bundle."},
      {Parse("events/"), kAllowRead, EventListView, "Event List", "List events."},
      // Extension: the same events, pushed as Server-Sent Events.
      {Parse("events/stream/"), kAllowRead, EventStreamView, "Event Stream",
       "Stream events (Server-Sent Events)."},
      // patchbay extension (docs/webhooks.md): superusers only.
      {Parse("webhooks/"), kAllowReadCreate, WebhookListView, "Webhook List",
       "get:\nList webhooks.\n\npost:\nAdd a webhook.", true},
      {Parse("webhooks/{int}/"), kAllowAll, WebhookDetailView, "Webhook Detail",
       "get:\nShow a webhook.\n\nput:\nEnable or disable a webhook.\n\npatch:\nEnable or disable a webhook.\n\ndelete:\nRemove a webhook.", true},
      {Parse("webhooks/{int}/deliveries/"), kAllowRead, WebhookDeliveryListView,
       "Webhook Delivery List", "List a webhook's deliveries and their attempts.", true},
  };
  return routes;
}

// Matches `tail` ("patches/12/") against the table.
const Route* Match(std::string_view tail, RouteArgs* args) {
  for (const auto& r : Routes()) {
    std::string_view rest = tail;
    RouteArgs a;
    bool ok = true;
    int ints = 0;
    for (const auto& [kind, text] : r.segments) {
      size_t slash = rest.find('/');
      if (slash == std::string_view::npos) {
        ok = false;
        break;
      }
      std::string_view seg = rest.substr(0, slash);
      rest.remove_prefix(slash + 1);
      if (kind == Seg::kLiteral) {
        if (seg != text) ok = false;
      } else if (kind == Seg::kInt) {
        // Django's <int:...> converter: [0-9]+ (any length: ids beyond
        // int64 simply match nothing).
        if (seg.empty() || seg.find_first_not_of("0123456789") != std::string_view::npos) {
          ok = false;
        } else {
          (ints++ == 0 ? a.id : a.id2) = seg.size() > 18 ? -1 : std::stoll(std::string(seg));
        }
      } else {
        if (seg.empty()) ok = false;
        a.key = PercentDecode(seg, /*plus_is_space=*/false);
      }
      if (!ok) break;
    }
    if (ok && rest.empty()) {
      *args = std::move(a);
      return &r;
    }
  }
  return nullptr;
}

// Django's host_validation_re on the Host header.
bool ValidHost(std::string_view host) {
  if (host.empty()) return false;
  std::string_view name = host;
  if (host[0] == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    for (char c : host.substr(1, close - 1)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
    }
    name = {};
    host.remove_prefix(close + 1);
  } else {
    size_t colon = host.find(':');
    name = host.substr(0, colon);
    host = colon == std::string_view::npos ? std::string_view() : host.substr(colon);
    if (name.empty()) return false;
    for (char c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') return false;
    }
  }
  if (host.empty()) return true;
  if (host[0] != ':' || host.size() < 2) return false;
  return host.substr(1).find_first_not_of("0123456789") == std::string_view::npos;
}

http::Response BadRequestPage() {
  http::Response r;
  r.status = 400;
  r.headers = {{"Content-Type", "text/html"}, {"X-Frame-Options", "DENY"}};
  r.body = "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Bad Request (400)</title>\n"
           "</head>\n<body>\n  <h1>Bad Request (400)</h1><p></p>\n</body>\n</html>\n";
  return r;
}

http::Response Options(const Route& r, Context& ctx, const RouteArgs& args) {
  std::string body = "{\"name\":";
  AppendJsonString(body, r.name);
  body += ",\"description\":";
  AppendJsonString(body, r.description);
  body += ",\"renders\":[\"application/json\",\"text/html\"],\"parses\":[\"application/json\","
          "\"application/x-www-form-urlencoded\",\"multipart/form-data\"]";
  // DRF adds "actions" (PUT/POST field info) for requesters allowed to write.
  std::string actions = WriteActionsJson(ctx, r.name, args);
  if (!actions.empty()) body += ",\"actions\":" + actions;
  body += '}';
  return JsonResponse(200, std::move(body), r.allow);
}

// The browsable page's breadcrumbs: every prefix of the path that is a route.
std::vector<std::pair<std::string, std::string>> Breadcrumbs(std::string_view path, size_t api_prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t end = api_prefix; end <= path.size(); end = path.find('/', end) + 1) {
    RouteArgs a;
    if (const Route* r = Match(path.substr(api_prefix, end - api_prefix), &a)) {
      out.emplace_back(std::string(r->name), std::string(path.substr(0, end)));
    }
    if (end == path.size() || path.find('/', end) == std::string_view::npos) break;
  }
  return out;
}

// Whether an API path's tail starts with a version ("1.2/patches/": takes
// "1.2/" off); *version is the one it names, else kUnversioned (which is
// also 1.3's number, hence the separate answer).
bool TakeVersionPrefix(std::string_view* tail, int* version) {
  std::string_view t = *tail;
  *version = kUnversioned;
  if (t.size() < 4 || t[0] != '1' || t[1] != '.' || t[2] < '0' || t[2] > '4' || t[3] != '/') {
    return false;
  }
  *version = 10 + (t[2] - '0');
  tail->remove_prefix(4);
  return true;
}

AuthCache& ThreadAuthCache() {
  thread_local AuthCache cache;
  return cache;
}

http::Response Dispatch(ThreadState& state, const ApiConfig& config, const http::Request& req) {
  std::string_view path = req.path;
  if (path == "/api") return AppendSlashRedirect("/api/" + (req.query.empty() ? "" : "?" + req.query));
  if (path.substr(0, 5) != "/api/") return HtmlNotFound(path);
  std::string_view tail = path.substr(5);
  int version;
  const bool versioned = TakeVersionPrefix(&tail, &version);

  RouteArgs args;
  const Route* route = Match(tail, &args);
  if (!route || route->min_version > version) {
    // CommonMiddleware.APPEND_SLASH: redirect when the slashed URL exists.
    if (!path.empty() && path.back() != '/' &&
        Match(std::string(tail) + "/", &args)) {
      std::string loc = std::string(path) + "/";
      if (!req.query.empty()) loc += "?" + req.query;
      return AppendSlashRedirect(loc);
    }
    return HtmlNotFound(path);
  }

  Context ctx{req, state};
  ctx.version = version;
  ctx.versioned = versioned;
  std::string_view host = req.Header("host");
  if (!config.base_url.empty()) {
    ctx.origin = config.base_url;
    while (!ctx.origin.empty() && ctx.origin.back() == '/') ctx.origin.pop_back();
  } else if (!host.empty()) {
    if (!ValidHost(host)) return BadRequestPage();
    ctx.origin = "http://" + std::string(host);
  } else {
    ctx.origin = "http://" + req.local_address;
  }
  ctx.api_root = ctx.origin + "/api/";
  if (versioned) ctx.api_root += std::string(path.substr(5, 4));
  ctx.params = QueryParams::Parse(req.query);

  // DRF negotiates the renderer first (JSON, pretty JSON or the browsable
  // HTML page), then authenticates: bad credentials fail every view. The
  // event stream has one form, whatever the client accepts.
  const bool stream = route->get == EventStreamView;
  auto negotiated = stream ? std::variant<Negotiation, http::Response>(Negotiation{})
                           : Negotiate(req, ctx.params, route->allow);
  if (auto* err = std::get_if<http::Response>(&negotiated)) return std::move(*err);
  const Negotiation& neg = std::get<Negotiation>(negotiated);
  bool stale_session = false;
  auto respond = [&]() -> http::Response {
    AuthResult auth = Authenticate(req, ctx.conn(), ThreadAuthCache(), config.base_url);
    stale_session = auth.stale_session;
    if (auth.error) return DetailError(403, *auth.error, route->allow);
    ctx.user = std::move(auth.user);
    ctx.session_user = auth.via_session;
    if (route->auth_required && !ctx.user) {
      return DetailError(403, "Authentication credentials were not provided.", route->allow);
    }
    if (req.method == "GET" || req.method == "HEAD") {
      if (auto e = SearchLimitError(ctx.params)) return DetailError(400, *e, route->allow);
      return route->get(ctx, args);
    }
    if (req.method == "OPTIONS") return Options(*route, ctx, args);
    // Writes (api/writes.h) by view name; anything else is 405.
    if (View write = FindWriteView(route->name, req.method)) return write(ctx, args);
    std::string method = req.method;
    for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return MethodNotAllowed(method, route->allow);
  };
  // Only what every anonymous client gets alike: plain JSON, no
  // credentials (a cookie may carry a session), the same origin. Only
  // lists: they are what clients poll; single objects render in tens of
  // microseconds, and at 1M patches caching random ones (an LRU walked in
  // a cycle) cost the detail endpoint 40 % of its rate and 40 MB.
  const bool cacheable = state.responses && req.method == "GET" && !neg.html && neg.indent == 0 &&
                         route->name.ends_with(" List") && req.Header("authorization").empty() &&
                         req.Header("cookie").empty();
  std::string cache_key;
  if (cacheable) {
    cache_key = ctx.origin + '\n' + req.target;
    // A hit needs nothing but the current generation. On PostgreSQL that is
    // one statement before the snapshot begins (no BEGIN, no ROLLBACK); a
    // miss reads it again in the snapshot it renders in. Either is read
    // after the request arrived, so a hit is as current as a rendering.
    int64_t now = -1;
    if (ctx.conn().ReadBeforeSnapshot([&] { now = db::read::ReadGeneration(ctx.conn()); })) {
      if (auto hit = state.responses->Get(cache_key, now)) return *hit;
    }
    ctx.Catalog();  // the generation an entry must have been rendered in
    if (auto hit = state.responses->Get(cache_key, ctx.generation)) return *hit;
  }
  http::Response r = respond();
  if (cacheable && r.status == 200 && ctx.generation >= 0) {
    state.responses->Put(cache_key, ctx.generation, r);
  }
  // Django's SessionMiddleware deletes a cookie that names no session.
  if (stale_session) r.headers.emplace_back("Set-Cookie", DeleteCookieValue("sessionid"));
  if (!neg.html && neg.indent == 0) return r;
  PageInfo page;
  if (neg.html) {
    page.name = route->name;
    page.description = route->description;
    page.breadcrumbs = Breadcrumbs(path, versioned ? 9 : 5);
    if (r.status < 400 || r.status == 400) {
      page.can_put = CanWriteForm(ctx, route->name, args, "PUT");
      page.can_post = CanWriteForm(ctx, route->name, args, "POST");
      page.can_delete = page.can_put && FindWriteView(route->name, "DELETE") != nullptr;
    }
  }
  return Render(neg, ctx, page, std::move(r));
}

std::atomic<uint64_t> next_handler_id{1};

// The patch id of a GET or HEAD that the route table sends to
// PatchDetailView (/api/[1.x/]patches/<id>/), else 0. Match() gives ids of
// over 18 digits -1; those are read alone.
db::Id DetailRequestId(const http::Request& req) {
  if (req.method != "GET" && req.method != "HEAD") return 0;
  std::string_view tail = req.path;
  if (!tail.starts_with("/api/")) return 0;
  tail.remove_prefix(5);
  int version;
  TakeVersionPrefix(&tail, &version);
  RouteArgs args;
  const Route* route = Match(tail, &args);
  if (!route || route->get != PatchDetailView || route->min_version > version) return 0;
  return args.id > 0 ? args.id : 0;
}

}  // namespace

http::Response HandleApiRequest(ThreadState& state, const ApiConfig& config,
                                const http::Request& req) {
  const bool read = req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS";
  bool reconnected = false;
  for (int attempt = 1;; ++attempt) {
    const bool had_conn = state.conn != nullptr;
    try {
      if (!state.conn) state.conn = db::Open(config.database_url);
      if (read) {
        db::ReadSnapshot snapshot(*state.conn);
        return Dispatch(state, config, req);
      }
      return Dispatch(state, config, req);
    } catch (const std::exception& e) {
      auto* d = dynamic_cast<const db::DbError*>(&e);
      if (read && db::RetryableRead(d, attempt)) continue;
      // A broken connection is reopened by the next request.
      state.conn.reset();
      state.catalog = db::read::Catalog();
      // A connection that died while idle (the database server restarted)
      // shows only when used; a request whose first statements were sent
      // ahead together (Statement::Prefetch) cannot reconnect half-way, so
      // the read runs once more from the start on a new connection.
      if (read && had_conn && !reconnected && d && d->kind() == db::DbError::Kind::kUnavailable) {
        reconnected = true;
        continue;
      }
      if (d && d->kind() == db::DbError::Kind::kUnavailable) return DatabaseUnavailable(true);
      return ServerErrorFor(req, e.what());
    }
  }
}

http::Handler MakeApiHandler(const ApiConfig& config_in) {
  auto shared_config = std::make_shared<const ApiConfig>(config_in);
  const ApiConfig& config = *shared_config;
  uint64_t id = next_handler_id++;
  auto page_ids = std::make_shared<db::read::OrderedIdCache>();
  auto embeds = std::make_shared<db::read::EmbedCache>();
  db::read::CountCache counts;  // one store for all threads
  auto responses = config.response_cache ? std::make_shared<ResponseCache>() : nullptr;
  return [shared_config, id, page_ids, embeds, responses, counts](const http::Request& req) {
    const ApiConfig& config = *shared_config;
    // Each server thread owns one connection per handler (SQLite connections
    // must not be shared between threads without locking).
    thread_local std::unordered_map<uint64_t, std::unique_ptr<ThreadState>> states;
    auto& state = states[id];
    if (!state) {
      state = std::make_unique<ThreadState>();
      state->page_ids = page_ids;
      state->embeds = embeds;
      state->counts = counts;
      state->responses = responses;
      state->events = config.event_hub;
    }
    // PostgreSQL: a patch detail waits until this thread's other ready
    // connections have been handled, so that the details among them are read
    // by one statement (db/read/detail_batch.h); the request itself is then
    // answered exactly as below, only its row comes from that statement.
    if (config.coalesce_details && state->conn &&
        state->conn->dialect() == db::Dialect::kPostgres) {
      if (db::Id patch = DetailRequestId(req)) {
        state->details.Add(patch);
        http::Response deferred;
        deferred.defer = [shared_config, s = state.get(), patch](const http::Request& r) {
          struct Claim {
            ThreadState& s;
            db::Id patch;
            // Not taken: an error answered before the read, or the snapshot path.
            ~Claim() {
              if (s.batched_detail == patch) s.details.Drop(patch);
              s.batched_detail = 0;
            }
          } claim{*s, patch};
          s->batched_detail = patch;
          return HandleApiRequest(*s, *shared_config, r);
        };
        return deferred;
      }
    }
    return HandleApiRequest(*state, config, req);
  };
}

}  // namespace pb::api
