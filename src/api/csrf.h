// Django's CSRF protection (CsrfViewMiddleware, Django 4.1+ as upstream
// v3.2.1 runs it): the `csrftoken` cookie holds a 32-character secret; pages
// embed it masked (64 characters, different on every page); an unsafe
// request must echo it in the `csrfmiddlewaretoken` form field or the
// `X-CSRFToken` header, and a browser's Origin must be this site.
// Used by the API (DRF's SessionAuthentication) and the web forms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/server.h"

namespace pb::api::csrf {

inline constexpr std::string_view kCookieName = "csrftoken";
inline constexpr std::string_view kFormField = "csrfmiddlewaretoken";
inline constexpr int64_t kCookieAgeSeconds = 31449600;  // CSRF_COOKIE_AGE, 52 weeks

// GET, HEAD, OPTIONS and TRACE are never checked.
bool IsSafeMethod(std::string_view method);

// process_view() for an unsafe request: nullopt when it passes, else
// Django's reason ("CSRF cookie not set.", "CSRF token missing.", ...).
// `form_token` is the POST form's csrfmiddlewaretoken ("" when none); the
// X-CSRFToken header is read when it is empty. The origin of `base_url`
// (the configured `serve --base-url`, if any) is trusted as Origin besides
// "http://<Host>", as CSRF_TRUSTED_ORIGINS would be.
std::optional<std::string> Check(const http::Request& req, std::string_view form_token,
                                 std::string_view base_url);

struct PageToken {
  std::string token;       // masked, for a form field or window.drf.csrfToken
  std::string set_cookie;  // Set-Cookie value carrying the secret
};
// get_token(): the request's secret (a new one when its cookie is missing
// or malformed), masked. Django sends the cookie again with every page that
// uses a token, which renews its expiry; so does this.
PageToken ForPage(const http::Request& req);
// rotate_token(): a fresh secret, as Django makes at login.
PageToken Rotated();

// "https://host:port" of a URL ("" when it has no scheme): the trusted
// origin for a configured base URL.
std::string OriginOf(std::string_view url);

// The secret behind a 32-character (plain) or 64-character (masked) token;
// nullopt when the token is malformed. Exposed for tests.
std::optional<std::string> SecretOf(std::string_view token);

}  // namespace pb::api::csrf
