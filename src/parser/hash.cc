// Spec §2.20 (hasher.hash_diff) and §2.14 (find_filenames).
// SHA1_Init and friends, not EVP: OpenSSL 3 builds its provider and name
// tables on the first EVP_DigestInit_ex, 5.2M instructions (40 % of a whole
// `patchbay parsemail` of a patch, docs/performance.md §0). The low-level
// functions are deprecated but hash directly.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>

#include "mail/text.h"
#include "parser/parsed_mail.h"
#include "core/strings.h"

#ifdef PATCHBAY_LAZY_OPENSSL_CPUID
// libcrypto's CPU probe, which the build took out of the program's _init
// (cmake/lazy_openssl_cpuid.sh): until it runs, SHA-1 takes its plain
// integer code instead of SHA-NI or AVX2.
extern "C" void OPENSSL_cpuid_setup(void);
#endif

namespace pb::parser {
namespace {

void EnsureCpuProbed() {
#ifdef PATCHBAY_LAZY_OPENSSL_CPUID
  static const bool probed = (OPENSSL_cpuid_setup(), true);
  (void)probed;
#endif
}

// diff.replace('\r', '').strip() + '\n'
std::string Normalise(std::string_view diff) {
  std::string out;
  if (diff.find('\r') == std::string_view::npos) {
    out.reserve(diff.size() + 1);
    out.assign(mail::PyStrip(diff));
  } else {
    std::string d;
    d.reserve(diff.size());
    for (char c : diff) {
      if (c != '\r') d += c;
    }
    out.assign(mail::PyStrip(d));
  }
  out += '\n';
  return out;
}

// ^(---|\+\+\+) (\S+): returns the \S+ group, empty when no match.
std::string_view FilenameMatch(std::string_view line, bool& minus) {
  if (line.size() < 5) return {};
  if (line.compare(0, 4, "--- ") == 0) {
    minus = true;
  } else if (line.compare(0, 4, "+++ ") == 0) {
    minus = false;
  } else {
    return {};
  }
  size_t i = 4;
  while (i < line.size()) {
    size_t j = i;
    if (mail::IsPySpace(mail::NextCodePoint(line, j))) break;
    i = j;
  }
  return line.substr(4, i - 4);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The hunk regex; counts as decimal text ("" when absent -> 1).
bool HunkCounts(std::string_view l, std::string& a, std::string& b) {
  if (l.compare(0, 4, "@@ -") != 0) return false;
  size_t i = 4, s;
  s = i;
  while (i < l.size() && IsDigit(l[i])) ++i;
  if (i == s) return false;
  a.clear();
  if (i < l.size() && l[i] == ',') {
    s = ++i;
    while (i < l.size() && IsDigit(l[i])) ++i;
    if (i == s) return false;
    a.assign(l.substr(s, i - s));
  }
  if (l.compare(i, 2, " +") != 0) return false;
  i += 2;
  s = i;
  while (i < l.size() && IsDigit(l[i])) ++i;
  if (i == s) return false;
  b.clear();
  if (i < l.size() && l[i] == ',') {
    s = ++i;
    while (i < l.size() && IsDigit(l[i])) ++i;
    if (i == s) return false;
    b.assign(l.substr(s, i - s));
  }
  return l.compare(i, 3, " @@") == 0;
}

// int(x) or 1 when x is empty/"0"... careful: only "" means absent; "0" is 0
// but Python's `if not x` sees the *string*, so "0" stays 0.
std::string CountText(const std::string& x) {
  if (x.empty()) return "1";
  size_t k = 0;
  while (k + 1 < x.size() && x[k] == '0') ++k;  // int() drops leading zeros
  return x.substr(k);
}

}  // namespace

std::string HashDiff(std::string_view diff) {
  std::string d = Normalise(diff);
  // What is hashed, gathered first: one SHA1_Update instead of one per line.
  std::string hashed;
  hashed.reserve(d.size());
  std::string a, b;
  size_t pos = 0;
  while (pos < d.size()) {
    size_t nl = d.find('\n', pos);
    if (nl == std::string::npos) nl = d.size();
    std::string_view line(d.data() + pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) continue;
    bool minus;
    std::string_view fname = FilenameMatch(line, minus);
    if (!fname.empty()) {
      hashed += minus ? "--- a/" : "+++ b/";
      size_t slash = fname.find('/');
      if (slash != std::string_view::npos) hashed.append(fname.substr(slash + 1));
    } else if (HunkCounts(line, a, b)) {
      hashed += "@@ -";
      hashed += CountText(a);
      hashed += " +";
      hashed += CountText(b);
      hashed += " @@";
    } else if (line[0] == '-' || line[0] == '+' || line[0] == ' ') {
      hashed.append(line);
    } else {
      continue;
    }
    hashed += '\n';
  }
  EnsureCpuProbed();
  SHA_CTX ctx;
  SHA1_Init(&ctx);
  SHA1_Update(&ctx, hashed.data(), hashed.size());
  unsigned char md[SHA_DIGEST_LENGTH];
  const unsigned int len = SHA_DIGEST_LENGTH;
  SHA1_Final(md, &ctx);
  return HexLower(md, len);
}

std::vector<std::string> DiffFileNames(std::string_view diff) {
  std::string d = Normalise(diff);
  std::set<std::string> names;
  size_t pos = 0;
  while (pos < d.size()) {
    size_t nl = d.find('\n', pos);
    if (nl == std::string::npos) nl = d.size();
    std::string_view line(d.data() + pos, nl - pos);
    pos = nl + 1;
    bool minus;
    std::string_view fname = FilenameMatch(line, minus);
    if (fname.empty() || fname.substr(0, 9) == "/dev/null") continue;
    size_t slash = fname.find('/');
    names.emplace(slash == std::string_view::npos ? std::string_view() : fname.substr(slash + 1));
  }
  return {names.begin(), names.end()};
}

}  // namespace pb::parser
