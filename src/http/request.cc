// Request helpers live apart from server.cc so that code using Request (the
// API, its tests) never pulls in Beast.
#include "http/server.h"

namespace pb::http {

std::string_view Request::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

}  // namespace pb::http
