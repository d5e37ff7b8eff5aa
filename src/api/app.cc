// Request dispatch for /api/: version prefix, route table, Host handling,
// authentication, method checks, and error containment. Resources only see
// a Context and their path parameters.
#include "api/app.h"

#include <atomic>
#include <cctype>
#include <memory>
#include <unordered_map>

#include "api/auth.h"
#include "api/json_writer.h"
#include "api/response.h"
#include "api/views.h"

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

http::Response Options(const Route& r) {
  std::string body = "{\"name\":";
  AppendJsonString(body, r.name);
  body += ",\"description\":";
  AppendJsonString(body, r.description);
  body += ",\"renders\":[\"application/json\",\"text/html\"],\"parses\":[\"application/json\","
          "\"application/x-www-form-urlencoded\",\"multipart/form-data\"]}";
  return JsonResponse(200, std::move(body), r.allow);
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
  int version = kUnversioned;
  bool versioned = false;
  if (tail.size() >= 4 && tail[0] == '1' && tail[1] == '.' && tail[2] >= '0' && tail[2] <= '4' &&
      tail[3] == '/') {
    version = 10 + (tail[2] - '0');
    versioned = true;
    tail.remove_prefix(4);
  }

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

  // DRF authenticates before anything else: bad credentials fail every view.
  AuthResult auth = Authenticate(req, ctx.conn(), ThreadAuthCache());
  if (auth.error) return DetailError(403, *auth.error, route->allow);
  ctx.user = std::move(auth.user);
  if (route->auth_required && !ctx.user) {
    return DetailError(403, "Authentication credentials were not provided.", route->allow);
  }

  if (req.method == "GET" || req.method == "HEAD") return route->get(ctx, args);
  if (req.method == "OPTIONS") return Options(*route);
  // Writes (PUT/PATCH/POST/DELETE) are not implemented yet: 405 like a
  // read-only view.
  std::string method = req.method;
  for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return MethodNotAllowed(method, route->allow);
}

std::atomic<uint64_t> next_handler_id{1};

}  // namespace

http::Response HandleApiRequest(ThreadState& state, const ApiConfig& config,
                                const http::Request& req) {
  try {
    if (!state.conn) state.conn = db::Open(config.database_url);
    return Dispatch(state, config, req);
  } catch (const std::exception&) {
    // A broken connection is reopened by the next request.
    state.conn.reset();
    state.catalog = db::read::Catalog();
    return ServerError();
  }
}

http::Handler MakeApiHandler(const ApiConfig& config) {
  uint64_t id = next_handler_id++;
  return [config, id](const http::Request& req) {
    // Each server thread owns one connection per handler (SQLite connections
    // must not be shared between threads without locking).
    thread_local std::unordered_map<uint64_t, std::unique_ptr<ThreadState>> states;
    auto& state = states[id];
    if (!state) state = std::make_unique<ThreadState>();
    return HandleApiRequest(*state, config, req);
  };
}

}  // namespace pb::api
