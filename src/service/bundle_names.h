// What a bundle may be called. The name goes into URLs and into the
// Content-Disposition of its mbox download, so it is checked once, here,
// for every way of naming a bundle (REST, web forms).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pb::service {

// The error message for a name that is not allowed, or nullopt. Length and
// emptiness are the caller's (the serializer's or form's own messages).
std::optional<std::string> BundleNameError(std::string_view name);

}  // namespace pb::service
