#include "core/status.h"

namespace pb {

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case Code::kOk: return "OK";
    case Code::kInvalid: name = "invalid"; break;
    case Code::kNotFound: name = "not found"; break;
    case Code::kDuplicate: name = "duplicate"; break;
    case Code::kDropped: name = "dropped"; break;
    case Code::kConflict: name = "conflict"; break;
    case Code::kIo: name = "I/O error"; break;
    case Code::kDatabase: name = "database error"; break;
    case Code::kInternal: name = "internal error"; break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace pb
