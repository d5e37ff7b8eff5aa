// Parsing a methodCall document with libxml2, defensively: the body comes
// from anyone on the network.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "xmlrpc/value.h"

namespace pb::xmlrpc {

// Larger bodies are refused before parsing; pwclient's largest calls
// (check_create with a description) are a few KiB.
inline constexpr size_t kMaxRequestBytes = 1 << 20;
// Arrays and structs nested deeper than this are refused.
inline constexpr int kMaxValueDepth = 32;
// Counted on the raw bytes before libxml2 sees them: its duplicate-attribute
// check is quadratic (130,000 attributes on one element cost 64 s of CPU in
// 2.9.14), and a call needs no attributes and a few dozen elements.
inline constexpr int kMaxAttributesPerElement = 16;
inline constexpr int kMaxElements = 100000;

struct Call {
  std::string method;
  std::vector<Value> params;
};

// Throws PyError for anything that is not a well-formed, DTD-free methodCall
// within the limits above.
Call ParseCall(std::string_view xml);

}  // namespace pb::xmlrpc
