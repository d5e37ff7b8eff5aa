#include "service/bundle_names.h"

namespace pb::service {

std::optional<std::string> BundleNameError(std::string_view name) {
  // Upstream's BundleForm refuses slashes (the name is a path segment).
  if (name.find('/') != std::string_view::npos) return "Bundle names can't contain slashes";
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return "Bundle names can't contain control characters";
  }
  return std::nullopt;
}

}  // namespace pb::service
