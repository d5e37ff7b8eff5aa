#include "xmlrpc/xmlrpc.h"

#include "core/html.h"

#include <exception>

#include "xmlrpc/marshal.h"
#include "xmlrpc/methods.h"
#include "xmlrpc/py_error.h"
#include "xmlrpc/request.h"

namespace pb::xmlrpc {
namespace {

// Upstream answers every failure with fault code 1.
constexpr int kFaultCode = 1;

std::string Fault(const PyError& e) {
  try {
    return DumpFault(kFaultCode, e.FaultString());
  } catch (...) {
    return {};
  }
}


}  // namespace

std::string HandleCall(db::Connection& conn, std::string_view request_xml,
                       std::string_view authorization) {
  try {
    Call call = ParseCall(request_xml);
    Value result = Dispatch(conn, call.method, call.params, authorization);
    return DumpResponse(result);
  } catch (const PyError& e) {
    return Fault(e);
  } catch (const db::DbError& e) {
    const char* type = e.kind() == db::DbError::Kind::kConstraint ? "django.db.utils.IntegrityError"
                                                                  : "django.db.utils.OperationalError";
    return Fault({type, e.what()});
  } catch (const std::exception& e) {
    return Fault({"Exception", e.what()});
  } catch (...) {
    return Fault({"Exception", "internal error"});
  }
}

std::string DocumentationPage() {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>Patchwork XML-RPC API v1 Documentation</title>\n</head>\n<body>\n"
      "<h1>Patchwork XML-RPC API</h1>\n"
      "<p>POST an XML-RPC <code>methodCall</code> to this URL. Methods marked "
      "<em>login</em> need HTTP Basic authentication "
      "(<code>http://user:password@host/xmlrpc/</code> in Python's "
      "<code>xmlrpc.client.ServerProxy</code>). Every error is a fault with code 1.</p>\n"
      "<dl>\n";
  for (const auto& m : MethodDocs()) {
    html += "<dt><a name=\"-" + HtmlEscape(m.name) + "\"><strong>" + HtmlEscape(m.name) +
            "</strong></a>" + HtmlEscape(m.signature) + (m.auth ? " <em>login</em>" : "") +
            "</dt>\n<dd>" + HtmlEscape(m.summary) + "</dd>\n";
  }
  html += "</dl>\n</body>\n</html>\n";
  return html;
}

}  // namespace pb::xmlrpc
