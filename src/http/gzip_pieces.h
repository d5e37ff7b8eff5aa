// gzip for long-lived streams whose bytes are shared by many clients.
//
// A gzip stream is its 10-byte header, then DEFLATE blocks. A piece made by
// GzipPiece() starts from an empty window (it refers to nothing sent before
// it) and ends with a sync flush (on a byte boundary, every byte of input
// emitted), so pieces can follow one another in any order on any stream
// begun with kGzipHeader: each client's decoder yields exactly the text of
// the pieces it was sent, as soon as each piece arrives. That lets a server
// compress a message once and send the same bytes to a thousand clients.
// The member is never finished (no last block, no CRC trailer): a stream
// ends when its connection does.
#pragma once

#include <string>
#include <string_view>

namespace pb::http {

// The gzip member header (RFC 1952): no name, no time, unknown OS.
inline constexpr std::string_view kGzipHeader{"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10};

// `text` as a self-contained run of DEFLATE blocks (see above), at zlib
// `level` 1-9. The fastest by default: it runs on the producer's thread, for
// every piece; a piece that many clients share may pay for a better ratio.
std::string GzipPiece(std::string_view text, int level = 1);

// Whether an Accept-Encoding value accepts gzip (RFC 9110 §12.5.3: "gzip",
// "x-gzip" or "*", unless its weight is 0).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace pb::http
