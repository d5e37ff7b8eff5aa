#include "web/responses.h"

#include "api/query.h"
#include "core/strings.h"
#include "web/form_kit.h"
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
  Response r = form_kit::Redirect(std::move(location));
  r.status = status;
  return r;
}

Response MethodNotAllowedPage(std::string_view allow) { return form_kit::NotAllowed(allow); }

Response JsonBody(std::string body) {
  Response r;
  r.headers = {{"Content-Type", "application/json"}, {"X-Frame-Options", "DENY"}, {"Vary", "Cookie"}};
  r.body = std::move(body);
  return r;
}

Response CsrfFailurePage(std::string_view reason) { return form_kit::CsrfFailure(reason); }

std::string RenderTemplate(const char* tmpl, const kainjow::mustache::data& d) {
  return form_kit::Render(tmpl, d);
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
