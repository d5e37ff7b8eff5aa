// DRF's renderers and content negotiation (spec §3.2): JSON (compact, or
// pretty-printed with `Accept: application/json; indent=N`) and the
// browsable API HTML page (`?format=api`, or `Accept: text/html`).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "api/context.h"
#include "api/query.h"
#include "api/views.h"
#include "http/server.h"

namespace pb::api {

struct Negotiation {
  bool html = false;
  int indent = 0;  // JSON indent (0: compact)
};

// DRF DefaultContentNegotiation.select_renderer: `?format=` first (unknown
// -> 404 "Not found."), then the Accept header by precedence (none
// acceptable -> 406).
std::variant<Negotiation, http::Response> Negotiate(const http::Request& req, const QueryParams& params,
                                                    std::string_view allow);

// json.dumps(indent=N, separators=(',', ': ')) of compact JSON text.
std::string Reindent(std::string_view compact, int indent);

// What the browsable page shows besides the response itself.
struct PageInfo {
  std::string_view name;         // view name, e.g. "Patch Detail"
  std::string_view description;  // view docstring
  std::vector<std::pair<std::string, std::string>> breadcrumbs;  // (name, path)
  bool can_put = false;          // show the PUT/PATCH raw data form
  bool can_post = false;         // show the POST raw data form
  bool can_delete = false;       // show a DELETE button
};

// Applies the negotiated renderer to a JSON response built by a view.
http::Response Render(const Negotiation& n, Context& ctx, const PageInfo& page, http::Response r);

}  // namespace pb::api
