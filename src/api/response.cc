#include "api/response.h"

#include <cstdio>

#include "core/html.h"

#include "api/json_writer.h"
#include "api/query.h"

namespace pb::api {
namespace {

// The page upstream v3.1.3 renders (templates/404.html inside base.html),
// captured in shared/golden/http/patch-55-comment-4-v1.2-404.html.
constexpr std::string_view k404Head = R"HTML(
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en">
  <head>
    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/>
    <title>404: File not found - Patchwork</title>
    <link rel="stylesheet" type="text/css" href="/static/css/bootstrap.min.1999ae14de69.css"/>
    <link rel="stylesheet" type="text/css" href="/static/css/selectize.bootstrap3.604d8cc2f81a.css"/>
    <link rel="stylesheet" type="text/css" href="/static/css/style.15cf98d7fb55.css"/>
    <script src="/static/js/jquery-3.6.0.min.8fb8fee4fcc3.js"></script>
    <script src="/static/js/jquery.stickytableheaders.min.c02ed5dfea63.js"></script>
    <script src="/static/js/jquery.checkboxes-1.2.2.min.8b93dcd0879a.js"></script>
    <!-- IE8 support of HTML5 elements and media queries -->
    <!-- WARNING: Respond.js doesn't work if you view the page via file:// -->
    <!--[if lt IE 9]>
      <script src="https://oss.maxcdn.com/html5shiv/3.7.2/html5shiv.min.js">
      </script>
      <script src="https://oss.maxcdn.com/respond/1.4.2/respond.min.js"></script>
      <script src="http://cdnjs.cloudflare.com/ajax/libs/es5-shim/2.0.8/es5-shim.min.js"></script>
    <![endif]-->
    <script src="/static/js/bootstrap.min.abda843684d0.js"></script>
    <script src="/static/js/selectize.min.d7d3bc8b8d8e.js"></script>
    <script src="/static/js/clipboard.min.3e5e0fa949e0.js"></script>
    <script src="/static/js/js.cookie.min.0c08bc1c340c.js"></script>
    <script>
      $(document).ready(function() {
          new Clipboard(document.querySelectorAll('button.btn-copy'));
      });
    </script>

  </head>
  <body>
    <nav class="navbar navbar-inverse navbar-static-top">
      <div class="container-fluid">
        <div class="navbar-header">
          <button type="button" class="navbar-toggle collapsed" data-toggle="collapse" data-target="#navbar-collapse">
            <span class="sr-only">Toggle navigation</span>
            <span class="icon-bar"></span>
            <span class="icon-bar"></span>
            <span class="icon-bar"></span>
          </button>
          <a class="navbar-brand" href="/">Patchwork</a>
          <span class="navbar-subbrand">
            404: File not found
          </span>
        </div>
        <div class="collapse navbar-collapse" id="navbar-collapse">



          <ul class="nav navbar-nav navbar-right">

            <li><a href="/user/login/">Login</a></li>
            <li><a href="/register/">Register</a></li>
            <li><a href="/mail/">Mail settings</a></li>

          </ul>
        </div>
      </div>
    </nav>
<ul class="messages"></ul><div id="errors"></div>
    <div id="main-content" class="container-fluid">

<p>The page URL requested (<code>)HTML";

constexpr std::string_view k404Tail = R"HTML(</code>) does not exist.</p>

    </div>
    <div id="footer">
      <a href="http://jk.ozlabs.org/projects/patchwork/">patchwork</a> patch tracking system |
      version 3.1.3. |
      <a href="/about/">about patchwork</a>
    </div>
  </body>
</html>
)HTML";

bool PathSafe(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  // unreserved "_.-~" + sub-delims "!$&'()*+,;=" + "/:@"
  return std::string_view("_.-~!$&'()*+,;=/:@").find(static_cast<char>(c)) != std::string_view::npos;
}


}  // namespace

std::string PathQuote(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() + 8);
  size_t run = 0;  // safe bytes are appended in runs, not one by one
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (PathSafe(c)) continue;
    out.append(s.data() + run, i - run);
    char esc[3] = {'%', kHex[c >> 4], kHex[c & 15]};
    out.append(esc, 3);
    run = i + 1;
  }
  out.append(s.data() + run, s.size() - run);
  return out;
}

http::Response JsonResponse(int status, std::string body, std::string_view allow,
                            std::string_view link) {
  http::Response r;
  r.status = status;
  r.headers.reserve(5);
  r.headers.emplace_back("Content-Type", "application/json");
  if (!link.empty()) r.headers.emplace_back("Link", std::string(link));
  r.headers.emplace_back("Vary", "Accept, Cookie");
  r.headers.emplace_back("Allow", std::string(allow));
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.body = std::move(body);
  return r;
}

http::Response DetailError(int status, std::string_view message, std::string_view allow) {
  std::string body = "{\"detail\":";
  AppendJsonString(body, message);
  body += '}';
  return JsonResponse(status, std::move(body), allow);
}

http::Response NotFoundJson(std::string_view allow) { return DetailError(404, "Not found.", allow); }

http::Response MethodNotAllowed(std::string_view method, std::string_view allow) {
  std::string msg = "Method \"";
  msg += method;
  msg += "\" not allowed.";
  return DetailError(405, msg, allow);
}

http::Response HtmlNotFound(std::string_view path) {
  // Django shows quote(request.path): the decoded path, re-quoted with "/" safe.
  std::string decoded = PercentDecode(path, /*plus_is_space=*/false);
  std::string quoted;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : decoded) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        std::string_view("_.-~/").find(static_cast<char>(c)) != std::string_view::npos) {
      quoted += static_cast<char>(c);
    } else {
      quoted += '%';
      quoted += kHex[c >> 4];
      quoted += kHex[c & 15];
    }
  }
  http::Response r;
  r.status = 404;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"},
               {"X-Frame-Options", "DENY"},
               {"Vary", "Cookie"}};
  r.body.reserve(k404Head.size() + k404Tail.size() + quoted.size());
  r.body += k404Head;
  r.body += HtmlEscape(quoted);
  r.body += k404Tail;
  return r;
}

http::Response AppendSlashRedirect(std::string_view location) {
  http::Response r;
  r.status = 301;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"},
               {"Location", std::string(location)},
               {"X-Frame-Options", "DENY"}};
  return r;
}

http::Response ServerError() {
  http::Response r;
  r.status = 500;
  r.headers = {{"Content-Type", "text/html"}, {"X-Frame-Options", "DENY"}, {"Vary", "Cookie"}};
  r.body = "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n";
  return r;
}

http::Response ServerErrorFor(const http::Request& req, std::string_view reason) {
  std::fprintf(stderr, "patchbay: 500 for %s %s: %.*s\n", req.method.c_str(), req.path.c_str(),
               static_cast<int>(reason.size()), reason.data());
  return ServerError();
}

http::Response DatabaseUnavailable(bool json) {
  http::Response r;
  r.status = 503;
  if (json) {
    r.headers = {{"Content-Type", "application/json"}, {"Retry-After", "5"}, {"Vary", "Accept, Cookie"}};
    r.body = "{\"detail\":\"The database is unavailable. Please try again shortly.\"}";
  } else {
    r.headers = {{"Content-Type", "text/html; charset=utf-8"}, {"Retry-After", "5"}};
    r.body = "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Service Unavailable (503)</title>\n"
             "</head>\n<body>\n  <h1>Service Unavailable (503)</h1><p>The database is unavailable. "
             "Please try again shortly.</p>\n</body>\n</html>\n";
  }
  return r;
}

}  // namespace pb::api
