// libFuzzer target: any bytes as an XML-RPC methodCall body through the
// libxml2 request parser (size, shape and depth limits, DTD refusal), then
// the parsed values back through the CPython-exact marshaller.
// Built by scripts/fuzz.sh with clang, ASan and UBSan.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "xmlrpc/marshal.h"
#include "xmlrpc/py_error.h"
#include "xmlrpc/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    pb::xmlrpc::Call call = pb::xmlrpc::ParseCall(body);
    for (const auto& v : call.params) {
      try {
        (void)pb::xmlrpc::DumpResponse(v);
      } catch (const pb::xmlrpc::PyError&) {
        // None or an int past 32 bits: CPython raises the same.
      }
    }
    (void)pb::xmlrpc::DumpCall(call.method, call.params);
  } catch (const pb::xmlrpc::PyError&) {
    // Malformed or over a limit: a fault, as intended.
  }
  return 0;
}
