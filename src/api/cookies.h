// Cookies as Django reads and writes them: parse_cookie for the request's
// Cookie header, HttpResponse.set_cookie/delete_cookie for Set-Cookie.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "http/server.h"

namespace pb::api {

// The value of the last cookie called `name` in a Cookie header (Django
// keeps the last of duplicates), unquoted as http.cookies does; nullopt when
// there is none.
std::optional<std::string> FindCookie(std::string_view cookie_header, std::string_view name);

// "name=value; expires=<now + max_age>; [HttpOnly; ]Max-Age=N; Path=/; SameSite=Lax"
std::string SetCookieValue(std::string_view name, std::string_view value, int64_t max_age_seconds,
                           bool http_only, Micros now = NowMicros());
// delete_cookie(): name=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax
std::string DeleteCookieValue(std::string_view name);

// Adds "; Secure" to every Set-Cookie of `r` (Django's SESSION_COOKIE_SECURE
// and CSRF_COOKIE_SECURE), for a site served over https behind a proxy.
void MarkCookiesSecure(http::Response& r);

// RFC 7231 date: "Mon, 22 Nov 2027 18:47:44 GMT".
std::string HttpDate(Micros t);

}  // namespace pb::api
