#include "api/render.h"

#include "core/html.h"

#include <cctype>

#include "api/mustache.h"

#include "api/csrf.h"
#include "api/response.h"

namespace pb::api {
namespace {

struct Accept {
  std::string main, sub;
  std::vector<std::pair<std::string, std::string>> params;
  int precedence() const {
    if (main == "*") return 0;
    if (sub == "*") return 1;
    for (const auto& p : params) {
      if (p.first != "q") return 3;
    }
    return 2;
  }
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Accept ParseAccept(std::string_view s) {
  Accept a;
  size_t semi = s.find(';');
  std::string_view full = Trim(s.substr(0, semi));
  size_t slash = full.find('/');
  a.main = std::string(Trim(full.substr(0, slash)));
  a.sub = slash == std::string_view::npos ? "" : std::string(Trim(full.substr(slash + 1)));
  while (semi != std::string_view::npos) {
    s.remove_prefix(semi + 1);
    semi = s.find(';');
    std::string_view p = s.substr(0, semi);
    size_t eq = p.find('=');
    std::string key(Trim(p.substr(0, eq)));
    std::string value(eq == std::string_view::npos ? "" : Trim(p.substr(eq + 1)));
    if (!key.empty()) a.params.emplace_back(key, value);
  }
  return a;
}

bool RendererMatches(std::string_view main, std::string_view sub, const Accept& a) {
  if (a.sub != "*" && a.sub != sub) return false;
  if (a.main != "*" && a.main != main) return false;
  return true;
}


const char* ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
  }
  return "";
}

bool LooksLikeEmail(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) return false;
  std::string_view domain = s.substr(at + 1);
  if (domain.find('.') == std::string_view::npos) return false;
  for (unsigned char c : s) {
    if (std::isspace(c) || c == '<' || c == '>' || c == '"') return false;
  }
  return true;
}

// The pretty JSON as HTML: escaped, URLs and e-mail addresses in string
// values turned into links (DRF's urlize_quoted_links, simplified). With
// `format_api`, the API's own hyperlinks ("url" values) keep ?format=api
// as DRF's reverse() does.
std::string LinkifiedJson(std::string_view pretty, const std::string& api_prefix, bool format_api) {
  std::string out;
  size_t i = 0;
  std::string last_key;
  while (i < pretty.size()) {
    char c = pretty[i];
    if (c != '"') {
      out += HtmlEscape(std::string_view(&pretty[i], 1));
      ++i;
      continue;
    }
    // A string token.
    size_t j = i + 1;
    bool escapes = false;
    while (j < pretty.size() && pretty[j] != '"') {
      if (pretty[j] == '\\') {
        escapes = true;
        ++j;
      }
      ++j;
    }
    std::string_view token = pretty.substr(i + 1, j - i - 1);
    size_t after = j + 1;
    bool is_key = after < pretty.size() && pretty[after] == ':';
    out += "&quot;";
    if (is_key) {
      last_key = std::string(token);
      out += HtmlEscape(token);
    } else if (!escapes && (token.substr(0, 7) == "http://" || token.substr(0, 8) == "https://") &&
               token.find(' ') == std::string_view::npos) {
      std::string url(token);
      if (format_api && last_key == "url" && url.compare(0, api_prefix.size(), api_prefix) == 0 &&
          url.find('?') == std::string::npos) {
        url += "?format=api";
      }
      out += "<a href=\"" + HtmlEscape(url) + "\" rel=\"nofollow\">" + HtmlEscape(url) + "</a>";
    } else if (!escapes && LooksLikeEmail(token)) {
      out += "<a href=\"mailto:" + HtmlEscape(token) + "\">" + HtmlEscape(token) + "</a>";
    } else {
      out += HtmlEscape(token);
    }
    out += "&quot;";
    i = after;
  }
  return out;
}

constexpr std::string_view kPage = R"HTML(<!DOCTYPE html>
<html>
  <head>
    <meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>
    <meta name="robots" content="NONE,NOARCHIVE" />
    <title>{{name}} – Patchwork REST API</title>
    <style>
      body { margin: 0; font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; font-size: 14px; color: #333; background: #f5f5f5; }
      .navbar { background: #2c2c2c; color: #ddd; padding: 10px 20px; overflow: hidden; }
      .navbar a { color: #fff; text-decoration: none; font-size: 18px; }
      .navbar .user { float: right; color: #bbb; font-size: 14px; }
      .navbar .user a, .navbar .user button { font-size: 14px; color: #fff; }
      .navbar .user form { display: inline; margin-left: 10px; }
      .navbar .user button { background: none; border: none; padding: 0; cursor: pointer; text-decoration: underline; }
      .container { max-width: 1170px; margin: 0 auto; padding: 0 15px; }
      .breadcrumb { list-style: none; padding: 8px 15px; margin: 20px 0; background: #fff; border-radius: 4px; }
      .breadcrumb li { display: inline; }
      .breadcrumb li + li:before { content: "/\00a0"; padding: 0 5px; color: #ccc; }
      .breadcrumb li.active a { color: #777; }
      .request-form { float: right; }
      .btn { display: inline-block; padding: 6px 12px; border: 1px solid #2e6da4; border-radius: 4px; background: #337ab7; color: #fff; text-decoration: none; cursor: pointer; font-size: 14px; }
      .btn-danger { background: #d9534f; border-color: #d43f3a; }
      .content-main { background: #fff; padding: 10px 20px; border-radius: 4px; }
      .page-header h1 { font-size: 30px; font-weight: normal; margin: 10px 0 20px; }
      .description p { white-space: pre-line; }
      pre.prettyprint { background: #f8f8f8; border: 1px solid #ddd; border-radius: 4px; padding: 10px; white-space: pre-wrap; word-break: break-all; }
      .meta { color: #555; }
      .lit { color: #195f91; }
      .well { background: #fff; border-radius: 4px; padding: 15px 20px; margin: 20px 0; }
      .form-group { margin-bottom: 10px; }
      .form-group label { display: inline-block; width: 120px; font-weight: bold; vertical-align: top; }
      textarea { width: 80%; font-family: Menlo, Monaco, Consolas, monospace; font-size: 13px; }
      .form-actions { text-align: right; }
    </style>
  </head>
  <body>
    <div class="navbar" role="navigation" aria-label="navbar">
      <a href="{{api_root}}">Patchwork REST API</a>
      <span class="user">{{#username}}<span class="username">{{username}}</span>{{#session}}<form class="logout-form" method="post" action="/user/logout/?next={{path}}"><input type="hidden" name="csrfmiddlewaretoken" value="{{csrf_token}}"><button type="submit">Log out</button></form>{{/session}}{{/username}}{{^username}}<a href="/user/login/?next={{path}}">Log in</a>{{/username}}</span>
    </div>
    <div class="container">
      <ul class="breadcrumb">
        {{#breadcrumbs}}<li{{#active}} class="active"{{/active}}><a href="{{href}}">{{name}}</a></li>
        {{/breadcrumbs}}
      </ul>
      <div id="content" role="main" aria-label="content">
        <div class="region request-form" aria-label="request form">
          <a class="btn" href="{{path}}?format=api" rel="nofollow" title="Make a GET request on the {{name}} resource">GET</a>
          <a class="btn" href="{{path}}?format=json" rel="nofollow" title="Make a GET request on the {{name}} resource with the format set to `json`">json</a>
          <form class="button-form" action="{{path}}" data-method="OPTIONS" style="display:inline">
            <button class="btn" title="Make an OPTIONS request on the {{name}} resource">OPTIONS</button>
          </form>
          {{#can_delete}}<form class="button-form" action="{{path}}" data-method="DELETE" style="display:inline">
            <button class="btn btn-danger" title="Make a DELETE request on the {{name}} resource">DELETE</button>
          </form>{{/can_delete}}
        </div>
        <div class="content-main" role="main" aria-label="main content">
          <div class="page-header">
            <h1>{{name}}</h1>
          </div>
          <div class="description">
            {{#description}}<p>{{text}}</p>
            {{/description}}
          </div>
          <div class="request-info" style="clear: both" aria-label="request info">
            <pre class="prettyprint"><b>{{method}}</b> {{request_line}}</pre>
          </div>
          <div class="response-info" aria-label="response info">
            <pre class="prettyprint"><span class="meta nocode"><b>HTTP {{status}} {{reason}}</b>
{{#headers}}<b>{{key}}:</b> <span class="lit">{{value}}</span>
{{/headers}}
</span>{{{content}}}</pre>
          </div>
        </div>
        {{#forms}}
        <div class="well">
          <form action="{{path}}" data-method="{{method}}" class="raw-form">
            <div class="form-group">
              <label for="id__content_type">Media type:</label>
              <select name="_content_type" id="id__content_type">
                <option value="application/json" selected>application/json</option>
                <option value="application/x-www-form-urlencoded">application/x-www-form-urlencoded</option>
                <option value="multipart/form-data">multipart/form-data</option>
              </select>
            </div>
            <div class="form-group">
              <label for="id__content">Content:</label>
              <textarea name="_content" cols="40" rows="10" id="id__content">{{raw}}</textarea>
            </div>
            <div class="form-actions">
              {{#buttons}}<button class="btn" data-method="{{.}}" title="Make a {{.}} request on the {{name}} resource">{{.}}</button>
              {{/buttons}}
            </div>
          </form>
        </div>
        {{/forms}}
      </div>
    </div>
    <script>
      window.drf = {
        csrfHeaderName: "X-CSRFTOKEN",
        csrfToken: "{{csrf_token}}"
      };
      // Sends the forms' PUT/PATCH/POST/DELETE/OPTIONS requests and shows the
      // answer (plain script, no build step). Unsafe methods carry the CSRF
      // token, which a request authenticated by the session cookie needs.
      document.addEventListener('click', function (ev) {
        var button = ev.target.closest('button');
        if (!button) return;
        var form = button.closest('form');
        if (!form || !form.dataset.method) return;
        ev.preventDefault();
        var method = button.dataset.method || form.dataset.method;
        var init = {method: method, headers: {'Accept': 'text/html'}, credentials: 'same-origin'};
        if (['GET', 'HEAD', 'OPTIONS', 'TRACE'].indexOf(method) < 0) {
          init.headers[window.drf.csrfHeaderName] = window.drf.csrfToken;
        }
        var type = form.querySelector('[name=_content_type]');
        var content = form.querySelector('[name=_content]');
        if (type && content && method !== 'DELETE' && method !== 'OPTIONS') {
          init.headers['Content-Type'] = type.value;
          init.body = content.value;
        }
        fetch(form.getAttribute('action'), init).then(function (r) { return r.text(); }).then(function (html) {
          document.open(); document.write(html); document.close();
        });
      });
    </script>
  </body>
</html>
)HTML";

}  // namespace

std::variant<Negotiation, http::Response> Negotiate(const http::Request& req, const QueryParams& params,
                                                    std::string_view allow) {
  Negotiation n;
  if (const std::string* f = params.Last("format")) {
    if (*f == "json") return n;
    if (*f == "api") {
      n.html = true;
      return n;
    }
    return NotFoundJson(allow);
  }
  std::string_view header = req.Header("accept");
  if (Trim(header).empty()) header = "*/*";
  std::vector<Accept> groups[4];
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t comma = header.find(',', pos);
    std::string_view token = header.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    Accept a = ParseAccept(token);
    groups[3 - a.precedence()].push_back(std::move(a));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  for (const auto& group : groups) {
    if (group.empty()) continue;
    for (const auto& a : group) {
      if (RendererMatches("application", "json", a)) {
        for (const auto& [k, v] : a.params) {
          if (k == "indent") {
            try {
              int i = std::stoi(v);
              n.indent = i < 0 ? 0 : i > 8 ? 8 : i;
            } catch (...) {
            }
          }
        }
        return n;
      }
    }
    for (const auto& a : group) {
      if (RendererMatches("text", "html", a)) {
        n.html = true;
        return n;
      }
    }
  }
  return DetailError(406, "Could not satisfy the request Accept header.", allow);
}

std::string Reindent(std::string_view s, int indent) {
  std::string out;
  out.reserve(s.size() * 2);
  int depth = 0;
  auto newline = [&](int d) {
    out += '\n';
    out.append(static_cast<size_t>(d * indent), ' ');
  };
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      size_t j = i + 1;
      while (j < s.size() && s[j] != '"') {
        if (s[j] == '\\') ++j;
        ++j;
      }
      out.append(s.substr(i, j - i + 1));
      i = j;
    } else if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      if (i + 1 < s.size() && s[i + 1] == close) {
        out += c;
        out += close;
        ++i;
      } else {
        out += c;
        newline(++depth);
      }
    } else if (c == '}' || c == ']') {
      newline(--depth);
      out += c;
    } else if (c == ',') {
      out += ',';
      newline(depth);
    } else if (c == ':') {
      out += ": ";
    } else {
      out += c;
    }
  }
  return out;
}

http::Response Render(const Negotiation& n, Context& ctx, const PageInfo& page, http::Response r) {
  auto header = [&](std::string_view name) -> std::string* {
    for (auto& h : r.headers) {
      if (h.first == name) return &h.second;
    }
    return nullptr;
  };
  std::string* type = header("Content-Type");
  bool json = type && *type == "application/json";
  if (!n.html) {
    if (n.indent > 0 && json && !r.body.empty()) r.body = Reindent(r.body, n.indent);
    return r;
  }
  if (type && !json) return r;  // not a DRF answer (Django's HTML pages)

  namespace m = kainjow::mustache;
  m::data d;
  d.set("name", std::string(page.name));
  d.set("api_root", ctx.api_root);
  if (ctx.user) d.set("username", ctx.user->user.username);
  d.set("session", ctx.session_user);
  // {{ csrf_token }} in DRF's template: every page carries one (and so
  // renews the cookie), whoever asks.
  csrf::PageToken csrf_token = csrf::ForPage(ctx.req);
  d.set("csrf_token", csrf_token.token);
  std::string path = ctx.req.path;
  d.set("path", path);
  d.set("method", ctx.req.method);
  d.set("request_line", ctx.req.target);
  d.set("status", std::to_string(r.status));
  d.set("reason", ReasonPhrase(r.status));
  m::data crumbs{m::data::type::list};
  for (size_t i = 0; i < page.breadcrumbs.size(); ++i) {
    m::data c;
    c.set("name", page.breadcrumbs[i].first);
    c.set("href", page.breadcrumbs[i].second + "?format=api");
    c.set("active", i + 1 == page.breadcrumbs.size());
    crumbs.push_back(c);
  }
  d.set("breadcrumbs", crumbs);
  m::data desc{m::data::type::list};
  std::string_view text = page.description;
  while (!text.empty()) {
    size_t para = text.find("\n\n");
    m::data p;
    p.set("text", std::string(text.substr(0, para)));
    desc.push_back(p);
    if (para == std::string_view::npos) break;
    text.remove_prefix(para + 2);
  }
  d.set("description", desc);
  m::data headers{m::data::type::list};
  auto add_header = [&](std::string_view k, std::string_view v) {
    m::data h;
    h.set("key", std::string(k));
    h.set("value", std::string(v));
    headers.push_back(h);
  };
  if (auto* link = header("Link")) add_header("Link", *link);
  if (auto* allow = header("Allow")) add_header("Allow", *allow);
  if (auto* loc = header("Location")) add_header("Location", *loc);
  if (json) add_header("Content-Type", "application/json");
  add_header("Vary", "Accept");
  d.set("headers", headers);
  bool format_api = ctx.params.Last("format") != nullptr;
  std::string pretty = r.body.empty() ? "" : Reindent(r.body, 4);
  d.set("content", LinkifiedJson(pretty, ctx.origin + "/api/", format_api));
  d.set("can_delete", page.can_delete);
  m::data forms{m::data::type::list};
  if (page.can_put) {
    m::data f;
    f.set("method", "PUT");
    f.set("raw", r.status < 300 ? pretty : std::string());
    m::data buttons{m::data::type::list};
    buttons.push_back(m::data("PUT"));
    buttons.push_back(m::data("PATCH"));
    f.set("buttons", buttons);
    forms.push_back(f);
  }
  if (page.can_post) {
    m::data f;
    f.set("method", "POST");
    f.set("raw", "{}");
    m::data buttons{m::data::type::list};
    buttons.push_back(m::data("POST"));
    f.set("buttons", buttons);
    forms.push_back(f);
  }
  d.set("forms", forms);

  static const m::mustache tmpl{std::string(kPage)};
  m::mustache t = tmpl;  // render() is not const
  http::Response out;
  out.status = r.status;
  out.body = t.render(d);
  out.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  if (auto* link = header("Link")) out.headers.emplace_back("Link", *link);
  if (auto* loc = header("Location")) out.headers.emplace_back("Location", *loc);
  out.headers.emplace_back("Vary", "Accept, Cookie");
  if (auto* allow = header("Allow")) out.headers.emplace_back("Allow", *allow);
  out.headers.emplace_back("X-Frame-Options", "DENY");
  // Cookies go last, the CSRF one before the session's, as Django's
  // middleware order writes them.
  out.headers.emplace_back("Set-Cookie", std::move(csrf_token.set_cookie));
  for (auto& h : r.headers) {
    if (h.first == "Set-Cookie") out.headers.push_back(std::move(h));
  }
  return out;
}

}  // namespace pb::api
