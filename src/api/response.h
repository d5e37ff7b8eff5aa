// Response shapes shared by every API view: the JSON envelope headers in
// upstream's order, error bodies (spec §3.4) and Django's HTML pages for
// unrouted URLs.
#pragma once

#include <string>
#include <string_view>

#include "http/server.h"

namespace pb::api {

// Allow header values of upstream's views.
inline constexpr std::string_view kAllowRead = "GET, HEAD, OPTIONS";
inline constexpr std::string_view kAllowReadUpdate = "GET, PUT, PATCH, HEAD, OPTIONS";
inline constexpr std::string_view kAllowReadCreate = "GET, POST, HEAD, OPTIONS";
inline constexpr std::string_view kAllowAll = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS";

// Content-Type, [Link], Vary, Allow, X-Frame-Options (Content-Length is
// added by the server), as DRF + Django middleware emit them.
http::Response JsonResponse(int status, std::string body, std::string_view allow,
                            std::string_view link = {});

// {"detail":"<message>"}
http::Response DetailError(int status, std::string_view message, std::string_view allow);
http::Response NotFoundJson(std::string_view allow);       // "Not found."
http::Response MethodNotAllowed(std::string_view method, std::string_view allow);

// Django's HTML 404 page (DEBUG=False) for `path` (raw request path).
http::Response HtmlNotFound(std::string_view path);
// CommonMiddleware's APPEND_SLASH redirect.
http::Response AppendSlashRedirect(std::string_view location);
http::Response ServerError();
// ServerError for a request that threw: the reason goes to stderr for the
// admin (the visitor sees only Django's page).
http::Response ServerErrorFor(const http::Request& req, std::string_view reason);
// 503 while the database cannot be reached (restart, outage): JSON for the
// API, a small HTML page otherwise; Retry-After tells clients to come back.
http::Response DatabaseUnavailable(bool json);

// Django's reverse() quoting of URL path parts: RFC 3986 pchar stays.
std::string PathQuote(std::string_view s);

}  // namespace pb::api
