#include "http/gzip_pieces.h"

#include <zlib.h>

#include <cctype>
#include <memory>
#include <stdexcept>

namespace pb::http {

namespace {

// One compressor per thread, reset for each piece: deflateInit2 allocates
// ~270 KB, which a per-client piece should not pay each time.
class Deflater {
 public:
  explicit Deflater(int level) {
    // Raw DEFLATE (negative window bits): the gzip header is sent once per
    // stream, not per piece.
    ok_ = deflateInit2(&z_, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~Deflater() {
    if (ok_) deflateEnd(&z_);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
  z_stream* Fresh() {
    if (!ok_ || deflateReset(&z_) != Z_OK) throw std::runtime_error("zlib: deflate init failed");
    return &z_;
  }

 private:
  z_stream z_{};
  bool ok_ = false;
};

}  // namespace

std::string GzipPiece(std::string_view text, int level) {
  if (level < 1 || level > 9) level = Z_BEST_SPEED;
  // One compressor per level used on this thread (normally one or two).
  thread_local std::unique_ptr<Deflater> deflaters[10];
  if (!deflaters[level]) deflaters[level] = std::make_unique<Deflater>(level);
  z_stream& z = *deflaters[level]->Fresh();
  std::string out;
  out.resize(deflateBound(&z, text.size()) + 16);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  int rc = Z_OK;
  size_t used = 0;
  // The bound covers the input; the sync flush's empty stored block adds 5
  // bytes. Grow rather than trust that arithmetic.
  do {
    if (used == out.size()) out.resize(out.size() * 2);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    z.avail_out = static_cast<uInt>(out.size() - used);
    rc = deflate(&z, Z_SYNC_FLUSH);
    used = out.size() - z.avail_out;
  } while (rc == Z_OK && z.avail_out == 0);
  // Z_BUF_ERROR: a last call found nothing left to flush.
  if ((rc != Z_OK && rc != Z_BUF_ERROR) || z.avail_in != 0) throw std::runtime_error("zlib: deflate failed");
  out.resize(used);
  out.shrink_to_fit();  // the bound was about the input's size
  return out;
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool SameLetters(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// A weight of zero: "q=0", "q=0.", "q=0.000" (RFC 9110 §12.4.2).
bool ZeroWeight(std::string_view params) {
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view p = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (p.size() < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') continue;
    std::string_view v = p.substr(2);
    if (v.empty() || v[0] != '0') return false;
    for (char c : v.substr(1)) {
      if (c != '.' && c != '0') return false;
    }
    return true;
  }
  return false;
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  bool star = false;
  while (!accept_encoding.empty()) {
    size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view coding = Trim(item.substr(0, semi));
    std::string_view params = semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1);
    // An explicit gzip entry decides, whatever "*" says.
    if (SameLetters(coding, "gzip") || SameLetters(coding, "x-gzip")) return !ZeroWeight(params);
    if (coding == "*") star = !ZeroWeight(params);
  }
  return star;
}

}  // namespace pb::http
