// Upstream reports every failure as fault code 1 with the string
// "<class 'ExceptionType'>:message" (Python's str() of the exception class and
// value). Inside this module a failure is thrown as a PyError naming the
// Python exception upstream would raise; HandleCall turns it into a fault, so
// nothing escapes the module boundary.
#pragma once

#include <string>
#include <utility>

namespace pb::xmlrpc {

struct PyError {
  std::string type;     // e.g. "Exception", "TypeError", "patchwork.models.Patch.DoesNotExist"
  std::string message;  // str(exception)

  std::string FaultString() const { return "<class '" + type + "'>:" + message; }
};

inline PyError Error(std::string message) { return {"Exception", std::move(message)}; }

}  // namespace pb::xmlrpc
