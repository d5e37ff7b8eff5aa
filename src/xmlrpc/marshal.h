// Response documents, byte-identical to what CPython's
// xmlrpc.client.dumps(..., methodresponse=True, allow_none=False) writes,
// which is what upstream Patchwork sends and what pwclient has always parsed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "xmlrpc/value.h"

namespace pb::xmlrpc {

// A one-value methodResponse. Throws PyError where Python's marshaller would
// raise: a nil anywhere ("cannot marshal None...") or an int outside 32 bits.
std::string DumpResponse(const Value& result);

// A methodCall document as xmlrpc.client.dumps(params, methodname,
// allow_none=True) writes it (what pwclient sends); used by tests and tools.
std::string DumpCall(std::string_view method, const std::vector<Value>& params);

// A methodResponse holding <fault> {faultCode, faultString}.
std::string DumpFault(int code, std::string_view message);

// base64.encodebytes: lines of at most 76 characters, each ending in "\n";
// "" for no input.
std::string EncodeBase64Lines(std::string_view raw);

// base64.b64decode without validation: characters outside the alphabet are
// skipped; false on bad padding.
bool DecodeBase64(std::string_view text, std::string* out);

}  // namespace pb::xmlrpc
