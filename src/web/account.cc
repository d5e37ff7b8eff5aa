#include "web/account.h"

#include "api/mustache.h"

#include <cctype>
#include <memory>
#include <unordered_map>
#include <variant>
#include <vector>

#include "api/csrf.h"
#include "api/response.h"
#include "api/query.h"
#include "api/request_body.h"
#include "core/html.h"
#include "db/read/web_read.h"
#include "db/users.h"
#include "service/login_throttle.h"
#include "service/passwords.h"
#include "service/sessions.h"
#include "web/account_flows.h"
#include "web/form_kit.h"
#include "web/offload.h"
#include "web/templates.h"

namespace pb::web {
namespace {

using http::Response;
using kainjow::mustache::data;
using kainjow::mustache::mustache;
using namespace form_kit;

constexpr std::string_view kLoginUrl = "/user/login/";
constexpr std::string_view kProfileUrl = "/user/";  // LOGIN_REDIRECT_URL
constexpr std::string_view kInvalidLogin =
    "Please enter a correct username and password. Note that both fields may be case-sensitive.";

constexpr size_t kMaxNextBytes = 4096;

// LoginView.get_redirect_url(): `next` from the POST body, else the query,
// if it is safe.
std::string NextUrl(const http::Request& req, const Form* form) {
  std::string next = form ? form->Get("next") : "";
  if (next.empty()) {
    auto params = api::QueryParams::Parse(req.query);
    if (const std::string* n = params.Last("next")) next = *n;
  }
  // A `next` longer than any page URL is an attack on the Location header.
  if (next.size() > kMaxNextBytes) return "";
  return IsSafeRedirect(next, req.Header("host")) ? next : "";
}

struct LoginForm {
  std::string username, next, error;
  bool username_required = false, password_required = false;
};

Response LoginPage(Visitor& visitor, const LoginForm& f) {
  data d;
  d.set("csrf_token", visitor.CsrfToken());
  d.set("username", f.username);
  d.set("next", f.next);
  if (!f.error.empty()) d.set("error", f.error);
  d.set("username_required", f.username_required);
  d.set("password_required", f.password_required);
  return LayoutPage(visitor, "Sign in to Patchwork", nullptr, Render(templates::kLogin, d));
}

Response Login(db::Connection& c, Visitor& visitor, const http::Request& req,
               std::string_view base_url) {
  if (req.method == "GET" || req.method == "HEAD") {
    LoginForm f;
    f.next = NextUrl(req, nullptr);
    return LoginPage(visitor, f);
  }
  if (req.method != "POST") return NotAllowed("GET, POST, HEAD, OPTIONS");
  Form form(req);
  if (auto reason = api::csrf::Check(req, form.Get(api::csrf::kFormField), base_url)) {
    return CsrfFailure(*reason);
  }
  LoginForm f;
  f.username = Strip(form.Get("username"));  // UsernameField strips; passwords are kept as typed
  std::string password = form.Get("password");
  f.next = NextUrl(req, &form);
  f.username_required = f.username.empty();
  f.password_required = password.empty();
  if (f.username_required || f.password_required) return LoginPage(visitor, f);

  // Throttled before any hashing: a refused guess costs no PBKDF2.
  auto& throttle = service::LoginThrottle::Global();
  if (int64_t wait = throttle.WaitSeconds(f.username, req.remote_address); wait > 0) {
    f.error = "Too many failed login attempts. Please try again in " + std::to_string(wait) +
              (wait == 1 ? " second." : " seconds.");
    Response r = LoginPage(visitor, f);
    r.status = 429;
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  // The password check (~110 ms of PBKDF2) runs on the server's side pool;
  // the rest runs back on this thread with its connection.
  auto user = std::make_shared<std::optional<db::read::AuthUserRec>>(service::FindLoginUser(c, f.username));
  auto ok = std::make_shared<bool>(false);
  auto check = [user, ok, password = std::move(password)] {
    // Unknown users cost the same time, so timing does not tell who exists.
    const auto& u = *user;
    *ok = service::CheckPassword(password, u ? u->password : "pbkdf2_sha256$260000$timing$AAAA") &&
          u && u->is_active;
  };
  std::string remote = req.remote_address;
  return OffloadThen(c, req, std::move(check),
                     [&c, user, ok, remote, f = std::move(f)](Visitor& v, const http::Request&) mutable {
                       auto& throttle = service::LoginThrottle::Global();
                       if (!*ok) {
                         throttle.Failed(f.username, remote);
                         f.error = std::string(kInvalidLogin);
                         return LoginPage(v, f);
                       }
                       throttle.Succeeded(f.username, remote);
                       // Django's login() replaces any earlier session of this browser.
                       if (v.session_key()) service::LogOut(c, *v.session_key());
                       auto session = service::StartSession(c, std::move(**user));
                       v.LoggedIn(session.key, std::move(session.user), service::kSessionAgeSeconds);
                       return Redirect(f.next.empty() ? std::string(kProfileUrl) : f.next);
                     });
}

Response Logout(db::Connection& c, Visitor& visitor, const http::Request& req,
                std::string_view base_url) {
  // Django 5's LogoutView answers POST only: a GET logout could be forced
  // on a user by any page that embeds the URL.
  if (req.method != "POST") return NotAllowed("POST, OPTIONS");
  Form form(req);
  if (auto reason = api::csrf::Check(req, form.Get(api::csrf::kFormField), base_url)) {
    return CsrfFailure(*reason);
  }
  if (visitor.session_key()) service::LogOut(c, *visitor.session_key());
  visitor.LoggedOut();
  std::string next = NextUrl(req, &form);
  return Redirect(next.empty() ? "/" : next);  // next_page='project-list'
}

Response Profile(db::Connection& c, PageState& st, Visitor& visitor, const http::Request& req,
                 std::string_view base_url) {
  if (req.method != "GET" && req.method != "HEAD" && req.method != "POST") {
    return NotAllowed("GET, POST, HEAD, OPTIONS");
  }
  std::string settings_error;
  if (req.method == "POST") {
    // UserProfileForm: items per page and patch ids.
    Form form(req);
    if (auto reason = api::csrf::Check(req, form.Get(api::csrf::kFormField), base_url)) {
      return CsrfFailure(*reason);
    }
    if (!visitor.user()) return RedirectToLogin(req);
    settings_error = SaveProfileSettings(c, visitor, req);
  }
  if (!visitor.user()) return RedirectToLogin(req);
  const auto& u = visitor.user()->user;
  data d;
  d.set("username", u.username);
  std::string name = u.first_name;
  if (!u.last_name.empty()) name += (name.empty() ? "" : " ") + u.last_name;
  if (!name.empty()) d.set("name", name);
  d.set("email", u.email);
  st.catalog.Refresh(c, db::read::ReadGeneration(c));
  std::vector<std::string> maintained;
  for (const auto& p : st.catalog.projects()) {
    for (const auto& m : p.maintainers) {
      if (m.id == u.id) maintained.push_back(p.linkname);
    }
  }
  if (!maintained.empty()) {
    data projects{data::type::list};
    for (size_t i = 0; i < maintained.size(); ++i) {
      data row;
      row.set("linkname", maintained[i]);
      row.set("last", i + 1 == maintained.size());
      projects.push_back(row);
    }
    data m;
    m.set("projects", projects);
    d.set("maintainer_of", m);
  }
  if (auto token = db::TokenOf(c, u.id)) d.set("token", *token);
  d.set("csrf_token", visitor.CsrfToken());
  // Upstream's Todo and Bundles boxes.
  int64_t todo = visitor.TodoCount();
  if (todo > 0) {
    data t;
    t.set("count", std::to_string(todo));
    t.set("plural", todo != 1);
    d.set("todo", t);
  }
  auto bundles = db::read::BundlesOfOwner(c, u.id, std::nullopt);
  if (!bundles.empty()) {
    data list{data::type::list};
    for (const auto& b : bundles) {
      data row;
      row.set("url", "/bundle/" + api::PathQuote(u.username) + "/" + api::PathQuote(b.name) + "/");
      row.set("name", b.name);
      list.push_back(row);
    }
    data box;
    box.set("list", list);
    box.set("plural", bundles.size() != 1);
    d.set("bundles", box);
  }
  return LayoutPage(visitor, u.username, nullptr,
                    Render(templates::kProfile, d) + RenderProfileExtras(c, visitor, settings_error));
}

Response GenerateToken(db::Connection& c, Visitor& visitor, const http::Request& req,
                       std::string_view base_url) {
  // Upstream regenerates on any method; a GET that replaces the token could
  // be triggered by any page the user visits, so only POST does here.
  if (req.method != "POST") return NotAllowed("POST, OPTIONS");
  Form form(req);
  if (auto reason = api::csrf::Check(req, form.Get(api::csrf::kFormField), base_url)) {
    return CsrfFailure(*reason);
  }
  if (!visitor.user()) return RedirectToLogin(req);
  service::RegenerateToken(c, visitor.user()->user.id);
  return Redirect(std::string(kProfileUrl));
}

// urlsplit() just far enough for the checks below: scheme and netloc.
struct UrlParts {
  std::string scheme;
  std::string_view netloc;
};
UrlParts Split(std::string_view url) {
  UrlParts p;
  size_t colon = url.find(':');
  if (colon != std::string_view::npos && colon > 0 && std::isalpha(static_cast<unsigned char>(url[0]))) {
    bool scheme_chars = true;
    for (char c : url.substr(0, colon)) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') scheme_chars = false;
    }
    if (scheme_chars) {
      for (char c : url.substr(0, colon)) p.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      url.remove_prefix(colon + 1);
    }
  }
  if (url.starts_with("//")) {
    url.remove_prefix(2);
    p.netloc = url.substr(0, url.find_first_of("/?#"));
  }
  return p;
}

bool SafeOnce(std::string_view url, std::string_view host) {
  if (url.starts_with("///")) return false;
  unsigned char first = static_cast<unsigned char>(url[0]);
  if (first < 0x20 || first == 0x7f) return false;
  UrlParts p = Split(url);
  if (p.netloc.empty() && !p.scheme.empty()) return false;
  std::string scheme = p.scheme.empty() && !p.netloc.empty() ? "http" : p.scheme;
  return (p.netloc.empty() || p.netloc == host) &&
         (scheme.empty() || scheme == "http" || scheme == "https");
}

}  // namespace

bool IsSafeRedirect(std::string_view url, std::string_view host) {
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.front()))) url.remove_prefix(1);
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back()))) url.remove_suffix(1);
  if (url.empty()) return false;
  // Browsers read '\' as '/' in paths, so the URL must be safe both ways.
  std::string slashed(url);
  for (char& c : slashed) {
    if (c == '\\') c = '/';
  }
  return SafeOnce(url, host) && SafeOnce(slashed, host);
}

std::optional<Response> HandleAccountPage(db::Connection& c, PageState& st, Visitor& visitor,
                                          const http::Request& req, std::string_view base_url) {
  std::string_view path = req.path;
  std::optional<Response> r;
  if (path == "/user/login/") r = Login(c, visitor, req, base_url);
  else if (path == "/user/logout/") r = Logout(c, visitor, req, base_url);
  else if (path == "/user/") r = Profile(c, st, visitor, req, base_url);
  else if (path == "/user/generate-token/") r = GenerateToken(c, visitor, req, base_url);
  if (r && req.method == "OPTIONS") return AnswerOptions(std::move(*r));
  return r;
}

}  // namespace pb::web
