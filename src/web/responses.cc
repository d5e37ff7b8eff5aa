#include "web/responses.h"

#include <memory>
#include <unordered_map>

#include "api/query.h"
#include "core/strings.h"
#include "web/list_filters.h"

namespace pb::web {

using http::Response;

Response HtmlResponse(std::string body, int status) {
  Response r;
  r.status = status;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"}, {"X-Frame-Options", "DENY"},
               {"Vary", "Cookie"}};
  r.body = std::move(body);
  return r;
}

Response RedirectTo(std::string location, int status) {
  Response r;
  r.status = status;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"},
               {"Location", std::move(location)},
               {"X-Frame-Options", "DENY"},
               {"Vary", "Cookie"}};
  return r;
}

Response MethodNotAllowedPage(std::string_view allow) {
  Response r;
  r.status = 405;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"},
               {"Allow", std::string(allow)},
               {"X-Frame-Options", "DENY"}};
  return r;
}

Response JsonBody(std::string body) {
  Response r;
  r.headers = {{"Content-Type", "application/json"}, {"X-Frame-Options", "DENY"}, {"Vary", "Cookie"}};
  r.body = std::move(body);
  return r;
}

// Django's csrf_failure view with DEBUG=False (the same page as the login
// form's, web/account.cc).
Response CsrfFailurePage(std::string_view reason) {
  std::string body =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
      "  <meta http-equiv=\"content-type\" content=\"text/html; charset=utf-8\">\n"
      "  <meta name=\"robots\" content=\"NONE,NOARCHIVE\">\n"
      "  <title>403 Forbidden</title>\n</head>\n<body>\n<div id=\"summary\">\n"
      "  <h1>Forbidden <span>(403)</span></h1>\n"
      "  <p>CSRF verification failed. Request aborted.</p>\n";
  if (reason == "CSRF cookie not set.") {
    body +=
        "  <p>You are seeing this message because this site requires a CSRF cookie when "
        "submitting forms.</p>\n";
  }
  body += "</div>\n</body>\n</html>\n";
  Response r;
  r.status = 403;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"}, {"X-Frame-Options", "DENY"}};
  r.body = std::move(body);
  return r;
}

std::string RenderTemplate(const char* tmpl, const kainjow::mustache::data& d) {
  static thread_local std::unordered_map<const char*, std::unique_ptr<kainjow::mustache::mustache>>
      compiled;
  auto& m = compiled[tmpl];
  if (!m) m = std::make_unique<kainjow::mustache::mustache>(tmpl);
  return m->render(d);
}

PostedForm::PostedForm(const http::Request& req) {
  if (req.method != "POST") return;
  auto parsed = api::ParseRequestBody(req, "POST");
  if (auto* d = std::get_if<api::RequestData>(&parsed); d && d->is_form()) {
    // RequestData keeps the items; read them back through the json object
    // for names, and GetList for repeated values.
    for (const auto& kv : d->json().as_object()) {
      for (auto& v : d->GetList(kv.key())) items_.emplace_back(std::string(kv.key()), v);
    }
  }
}

std::string PostedForm::Get(std::string_view name) const {
  std::string out;
  for (const auto& [k, v] : items_) {
    if (k == name) out = v;
  }
  return out;
}

bool PostedForm::Has(std::string_view name) const {
  for (const auto& [k, v] : items_) {
    if (k == name) return true;
  }
  return false;
}

std::vector<std::string> PostedForm::GetList(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : items_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

std::vector<int64_t> PostedForm::PatchIds() const {
  std::vector<int64_t> out;
  for (const auto& [k, v] : items_) {
    if (!k.starts_with("patch_id:") || v.empty()) continue;
    std::string_view rest = std::string_view(k).substr(9);
    if (rest.find(':') != std::string_view::npos) continue;
    if (auto id = ParseId(rest)) out.push_back(*id);
  }
  return out;
}

Response RedirectToLogin(const http::Request& req) {
  return RedirectTo("/user/login/?next=" + UrlQuote(req.target));
}

}  // namespace pb::web
