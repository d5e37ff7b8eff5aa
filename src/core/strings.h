// Small string helpers used across modules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pb {

std::string ReplaceAll(std::string s, std::string_view from, std::string_view to);

// A whole decimal number that fits in int64 (no sign, no spaces); nullopt otherwise.
std::optional<int64_t> ParseId(std::string_view s);

// str(Person) upstream: "Name <email>", or the bare email without a name.
std::string PersonDisplay(const std::optional<std::string>& name, std::string_view email);

// "/a/b/c/" -> {"a", "b", "c"}; empty unless the path starts and ends with '/'.
std::vector<std::string_view> PathSegments(std::string_view path);

}  // namespace pb
