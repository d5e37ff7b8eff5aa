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

// A list page in one statement at the catalog's generation
// (Context::AtCatalogGeneration), when its filter needs no look-up and its
// count (and a deep page's ids) are cached: `parse(ctx, &filter)`,
// `cached_count(filter, counts, generation)`, `read_alone(conn, filter,
// size, offset, page_ids, generation)` (a read::PageAlone) and
// `render(ctx, page, rows)`. nullopt: the caller takes the snapshot path.
template <class Filter, class Parse, class CachedCount, class ReadAlone, class Render>
std::optional<http::Response> ListPageAtCatalogGeneration(Context& ctx, Parse parse,
                                                          CachedCount cached_count,
                                                          ReadAlone read_alone, Render render) {
  return ctx.AtCatalogGeneration([&]() -> std::optional<http::Response> {
    Filter f;
    if (!parse(ctx, &f) || !ctx.NothingReadSinceAssumed()) return std::nullopt;
    auto count = cached_count(f, ctx.state.counts, ctx.generation);
    auto page = count && *count > 0 ? ResolvePage(ctx.params, *count) : std::nullopt;
    if (!page) return std::nullopt;
    auto alone = read_alone(ctx.conn(), f, page->size, page->offset(), ctx.state.page_ids.get(),
                            ctx.generation);
    if (!alone || alone->generation != ctx.generation) return std::nullopt;
    return render(ctx, *page, alone->rows);
  });
}

}  // namespace pb::api
