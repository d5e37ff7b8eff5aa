#include "web/form_kit.h"

#include <cctype>
#include <memory>
#include <unordered_map>
#include <variant>

namespace pb::web::form_kit {

using http::Response;
using kainjow::mustache::data;
using kainjow::mustache::mustache;

std::string Render(const char* tmpl, const data& d) {
  static thread_local std::unordered_map<const char*, std::unique_ptr<mustache>> compiled;
  auto& m = compiled[tmpl];
  if (!m) m = std::make_unique<mustache>(tmpl);
  return m->render(d);
}

Response Redirect(std::string location) {
  Response r;
  r.status = 302;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"},
               {"Location", std::move(location)},
               {"X-Frame-Options", "DENY"},
               {"Vary", "Cookie"}};
  return r;
}

// Django's HttpResponseNotAllowed.
Response NotAllowed(std::string_view allow) {
  Response r;
  r.status = 405;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"},
               {"Allow", std::string(allow)},
               {"X-Frame-Options", "DENY"}};
  return r;
}

Response AnswerOptions(Response page) {
  if (page.status != 405) return page;
  page.status = 200;
  page.body.clear();
  return page;
}

// Django's csrf_failure view with DEBUG=False.
Response CsrfFailure(std::string_view reason) {
  std::string body =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
      "  <meta http-equiv=\"content-type\" content=\"text/html; charset=utf-8\">\n"
      "  <meta name=\"robots\" content=\"NONE,NOARCHIVE\">\n"
      "  <title>403 Forbidden</title>\n  <style>\n"
      "    html * { padding:0; margin:0; }\n"
      "    body * { padding:10px 20px; }\n"
      "    body * * { padding:0; }\n"
      "    body { font-family: sans-serif; background:#eee; color:#000; }\n"
      "    body>div { border-bottom:1px solid #ddd; }\n"
      "    h1 { font-weight:normal; margin-bottom:.4em; }\n"
      "    h1 span { font-size:60%; color:#666; font-weight:normal; }\n"
      "    #info { background:#f6f6f6; }\n"
      "    #info ul { margin: 0.5em 4em; }\n"
      "    #info p, #summary p { padding-top:10px; }\n"
      "    #summary { background: #ffc; }\n"
      "    #explanation { background:#eee; border-bottom: 0px none; }\n"
      "  </style>\n</head>\n<body>\n<div id=\"summary\">\n"
      "  <h1>Forbidden <span>(403)</span></h1>\n"
      "  <p>CSRF verification failed. Request aborted.</p>\n\n";
  if (reason == "CSRF cookie not set.") {
    body +=
        "\n  <p>You are seeing this message because this site requires a CSRF cookie when "
        "submitting forms. This cookie is required for security reasons, to ensure that your "
        "browser is not being hijacked by third parties.</p>\n"
        "  <p>If you have configured your browser to disable cookies, please re-enable them, at "
        "least for this site, or for \xE2\x80\x9C" "same-origin\xE2\x80\x9D requests.</p>\n";
  }
  body +=
      "\n</div>\n\n<div id=\"explanation\">\n"
      "  <p><small>More information is available with DEBUG=True.</small></p>\n"
      "</div>\n\n</body>\n</html>\n";
  Response r;
  r.status = 403;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"}, {"X-Frame-Options", "DENY"}};
  r.body = std::move(body);
  return r;
}

// quote(path, safe="/") as redirect_to_login() writes the `next` parameter.
std::string QuoteKeepSlash(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Response RedirectToLogin(const http::Request& req) {
  return Redirect("/user/login/?next=" + QuoteKeepSlash(req.target));
}

std::string Strip(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}


Form::Form(const http::Request& req) {
  auto parsed = api::ParseRequestBody(req, "");
  if (auto* d = std::get_if<api::RequestData>(&parsed); d && d->is_form()) data_ = std::move(*d);
}

std::string Form::Get(std::string_view name) const {
  if (!data_) return "";
  auto values = data_->GetList(name);
  return values.empty() ? "" : values.back();
}

bool Form::Has(std::string_view name) const { return data_ && !data_->GetList(name).empty(); }

}  // namespace pb::web::form_kit
