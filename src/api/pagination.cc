#include "api/pagination.h"

#include "api/response.h"

namespace pb::api {

constexpr size_t kMaxLinkHeaderBytes = 16 << 10;

int64_t PageSize(const QueryParams& params) {
  const std::string* v = params.Last("per_page");
  if (!v) return kDefaultPageSize;
  auto n = ParsePyInt(*v);
  if (!n || *n <= 0) return kDefaultPageSize;
  return std::min(*n, kMaxPageSize);
}

std::optional<Page> ResolvePage(const QueryParams& params, int64_t count) {
  Page p;
  p.size = PageSize(params);
  p.count = count;
  // Django's Paginator: an empty list still has one (empty) page.
  p.num_pages = count == 0 ? 1 : (count + p.size - 1) / p.size;
  const std::string* v = params.Last("page");
  if (!v) return p;
  if (*v == "last") {
    p.number = p.num_pages;
    return p;
  }
  auto n = ParsePyInt(*v);
  if (!n || *n < 1 || *n > p.num_pages) return std::nullopt;
  p.number = *n;
  return p;
}

std::string LinkHeader(const std::string& base, const QueryParams& params, const Page& page) {
  auto url = [&](std::optional<int64_t> number) {
    std::string n = number ? std::to_string(*number) : std::string();
    std::string q = params.Rebuilt("page", number ? std::optional<std::string_view>(n) : std::nullopt);
    std::string u = base;
    if (!q.empty()) {
      u += '?';
      u += q;
    }
    return u;
  };
  std::string link;
  auto add = [&](const std::string& u, const char* rel) {
    if (!link.empty()) link += ", ";
    link += '<';
    link += u;
    link += ">; rel=\"";
    link += rel;
    link += '"';
  };
  if (page.number < page.num_pages) add(url(page.number + 1), "next");
  // The link back to page 1 drops `page` altogether (DRF remove_query_param).
  if (page.number > 1) add(url(page.number == 2 ? std::nullopt : std::optional(page.number - 1)), "prev");
  add(url(int64_t{1}), "first");
  add(url(page.num_pages), "last");
  return link;
}

http::Response PagedResponse(const Context& ctx, const Page& page, std::string body,
                             std::string_view allow) {
  std::string base = ctx.origin;
  base += ctx.req.path;
  std::string link = LinkHeader(base, ctx.params, page);
  // The header repeats the query four times, re-encoded (an invalid byte
  // grows ninefold): past this, refuse rather than send a header no proxy
  // would pass on.
  if (link.size() > kMaxLinkHeaderBytes) {
    return DetailError(400, "The query string is too long.", allow);
  }
  return JsonResponse(200, std::move(body), allow, std::move(link));
}

}  // namespace pb::api
