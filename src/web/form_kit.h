// What every form page shares: templates compiled once per thread, Django's
// redirect, 405 and CSRF-failure answers, login_required's redirect, and
// the POST body as request.POST.
#pragma once

#include "api/mustache.h"

#include <optional>
#include <string>
#include <string_view>

#include "api/request_body.h"
#include "http/server.h"

namespace pb::web::form_kit {

std::string Render(const char* tmpl, const kainjow::mustache::data& d);
http::Response Redirect(std::string location);
// Django's HttpResponseNotAllowed.
http::Response NotAllowed(std::string_view allow);
// OPTIONS on a page: Django's View.options(), 200 with the page's Allow and
// no body. `page` is the page's answer to the OPTIONS request, a 405 that
// names its methods; any other answer is returned as it is.
http::Response AnswerOptions(http::Response page);
// Django's csrf_failure view with DEBUG=False.
http::Response CsrfFailure(std::string_view reason);
// quote(path, safe="/") as redirect_to_login() writes the `next` parameter.
std::string QuoteKeepSlash(std::string_view s);
// 302 to /user/login/?next=<the request's target>.
http::Response RedirectToLogin(const http::Request& req);
std::string Strip(std::string_view s);

// The POST body as request.POST: form fields (urlencoded or multipart);
// any other body has none.
class Form {
 public:
  explicit Form(const http::Request& req);
  // QueryDict.get(): the last value, "" when absent.
  std::string Get(std::string_view name) const;
  bool Has(std::string_view name) const;

 private:
  std::optional<api::RequestData> data_;
};

}  // namespace pb::web::form_kit
