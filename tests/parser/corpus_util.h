// Helpers for the tests that read ../shared: file access, sha256, JSON.
#pragma once

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace pb::parser::testing {

inline std::string SharedDir() { return PATCHBAY_SHARED_DIR; }

inline std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string Sha256(std::string_view s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

// Decompresses with the zstd command line tool; nullopt when unavailable.
inline std::optional<std::string> ReadZstd(const std::string& path) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  std::string cmd = "zstd -dc '" + path + "' 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  std::string out;
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  if (rc != 0 || out.empty()) return std::nullopt;
  return out;
}

inline std::string Str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : std::string();
}

}  // namespace pb::parser::testing
