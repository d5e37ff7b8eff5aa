// DRF PageNumberPagination as upstream configures it (spec §3.5): `per_page`
// (default 30, max 250), `page` (1-based or "last"), and the Link header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/context.h"

namespace pb::api {

constexpr int64_t kDefaultPageSize = 30;
constexpr int64_t kMaxPageSize = 250;

struct Page {
  int64_t number = 1;
  int64_t size = kDefaultPageSize;
  int64_t count = 0;
  int64_t num_pages = 1;
  int64_t offset() const { return (number - 1) * size; }
};

// The page size requested by `per_page` (invalid or <= 0: the default).
int64_t PageSize(const QueryParams& params);

// Validates `page` against `count` rows; nullopt means 404 "Invalid page.".
std::optional<Page> ResolvePage(const QueryParams& params, int64_t count);

// `<url>; rel="next", <url>; rel="prev", <url>; rel="first", <url>; rel="last"`
// where `base` is the absolute URL of the request without its query.
std::string LinkHeader(const std::string& base, const QueryParams& params, const Page& page);

// The list response: body, pagination Link header, and the given Allow.
http::Response PagedResponse(const Context& ctx, const Page& page, std::string body,
                             std::string_view allow);

}  // namespace pb::api
