// The account pages at upstream's URLs (spec §6.1): /user/login/,
// /user/logout/, /user/ (profile) and /user/generate-token/. Unsafe methods
// pass Django's CSRF check first; pages that need a login redirect to
// /user/login/?next=<path> as Django's login_required does.
#pragma once

#include <optional>
#include <string_view>

#include "db/connection.h"
#include "http/server.h"
#include "web/pages.h"
#include "web/visitor.h"

namespace pb::web {

// nullopt when the path is not an account page. `base_url` is the
// configured origin trusted by the CSRF check (csrf::Check).
std::optional<http::Response> HandleAccountPage(db::Connection& conn, PageState& state,
                                                Visitor& visitor, const http::Request& req,
                                                std::string_view base_url);

// url_has_allowed_host_and_scheme(): whether a `next` URL stays on this
// site (a path, or an http(s) URL on `host`), so a login link cannot send
// the user elsewhere.
bool IsSafeRedirect(std::string_view url, std::string_view host);

}  // namespace pb::web
