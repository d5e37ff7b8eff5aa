// Patchwork's XML-RPC API (shared spec §5), the protocol pwclient speaks.
// Transport-free: the HTTP layer routes POST /xmlrpc/ here.
#pragma once

#include <string>
#include <string_view>

#include "db/connection.h"

namespace pb::xmlrpc {

// Runs one methodCall document and returns the methodResponse document
// (a <fault> for any error: malformed or hostile XML, unknown method, bad
// arguments, failed authentication). Never throws.
// `authorization` is the request's Authorization header ("" when absent).
std::string HandleCall(db::Connection& conn, std::string_view request_xml,
                       std::string_view authorization);

// The HTML page upstream serves for GET /xmlrpc/.
std::string DocumentationPage();

}  // namespace pb::xmlrpc
