// Small pieces every maintainer page shares: HTML responses, redirects,
// Django's 405 and CSRF failure pages, mustache rendering, and the posted
// form (a Django QueryDict).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/mustache.h"

#include "api/request_body.h"
#include "http/server.h"

namespace pb::web {

http::Response HtmlResponse(std::string body, int status = 200);
http::Response RedirectTo(std::string location, int status = 302);
http::Response MethodNotAllowedPage(std::string_view allow);
http::Response CsrfFailurePage(std::string_view reason);
http::Response JsonBody(std::string body);

// Renders a compiled-in template (compiled once per thread).
std::string RenderTemplate(const char* tmpl, const kainjow::mustache::data& d);

// A POSTed form; empty for other bodies.
class PostedForm {
 public:
  explicit PostedForm(const http::Request& req);
  // QueryDict.get(): the last value, "" when absent.
  std::string Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  std::vector<std::string> GetList(std::string_view name) const;
  // Upstream's get_patch_ids(): names "patch_id:<id>" with a non-empty value.
  std::vector<int64_t> PatchIds() const;

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// quote(path, safe="/") for the `next` parameter of a login redirect.
http::Response RedirectToLogin(const http::Request& req);

}  // namespace pb::web
