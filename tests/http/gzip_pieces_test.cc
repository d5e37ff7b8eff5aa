#include "http/gzip_pieces.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

namespace pb::http {
namespace {

// Inflates a gzip stream fed in the given chunks, returning the text
// available after each chunk: what a client has read at that moment.
std::vector<std::string> InflateProgressively(const std::vector<std::string>& chunks) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
  std::vector<std::string> seen;
  std::string text;
  for (const auto& chunk : chunks) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
    z.avail_in = static_cast<uInt>(chunk.size());
    char buf[4096];
    do {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      int rc = inflate(&z, Z_SYNC_FLUSH);
      EXPECT_TRUE(rc == Z_OK || rc == Z_BUF_ERROR) << rc;
      text.append(buf, sizeof buf - z.avail_out);
      if (rc != Z_OK) break;
    } while (z.avail_in > 0 || z.avail_out == 0);
    seen.push_back(text);
  }
  inflateEnd(&z);
  return seen;
}

TEST(GzipPieces, PiecesMadeOnceDecodeOnEveryStreamAsTheyArrive) {
  std::string big;
  for (int i = 0; i < 5000; ++i) big += "id: " + std::to_string(i) + "\ndata: {\"project\":{\"id\":1}}\n\n";
  const std::string a = GzipPiece("retry: 2000\n\n");
  const std::string b = GzipPiece(big);
  const std::string c = GzipPiece(": keep-alive\n\n");
  const std::string empty = GzipPiece("");
  EXPECT_LT(b.size(), big.size() / 8);  // what the shared piece is for
  // Two streams that got the same shared pieces in different company.
  auto one = InflateProgressively({std::string(kGzipHeader), a, b, c});
  EXPECT_EQ(one, (std::vector<std::string>{"", "retry: 2000\n\n", "retry: 2000\n\n" + big,
                                           "retry: 2000\n\n" + big + ": keep-alive\n\n"}));
  auto two = InflateProgressively({std::string(kGzipHeader) + c, empty, b, b});
  EXPECT_EQ(two.back(), ": keep-alive\n\n" + big + big);
}

// The hub compresses a piece many clients share at a better level than the
// rest: pieces of different levels still follow one another on one stream.
TEST(GzipPieces, LevelsMixOnOneStream) {
  std::string big;
  for (int i = 0; i < 5000; ++i) big += "id: " + std::to_string(i) + "\ndata: {\"project\":{\"id\":1}}\n\n";
  const std::string fast = GzipPiece(big);
  const std::string dense = GzipPiece(big, 6);
  EXPECT_LT(dense.size(), fast.size());
  auto seen = InflateProgressively({std::string(kGzipHeader), fast, dense, GzipPiece("x", 9), fast});
  EXPECT_EQ(seen.back(), big + big + "x" + big);
  // Out of range: the fastest.
  EXPECT_EQ(GzipPiece(big, 0), fast);
  EXPECT_EQ(GzipPiece(big, 10), fast);
}

TEST(GzipPieces, IncompressibleTextStillFits) {
  std::string noise;
  uint32_t x = 1;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1664525 + 1013904223;
    noise += static_cast<char>(x >> 24);
  }
  auto seen = InflateProgressively({std::string(kGzipHeader), GzipPiece(noise)});
  EXPECT_EQ(seen.back(), noise);
}

TEST(GzipPieces, AcceptEncoding) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZip;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip("identity, *;q=0.1"));
  EXPECT_TRUE(AcceptsGzip("gzip;q=0.001"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("deflate, br"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000, identity"));
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0, *"));  // the explicit entry decides
  EXPECT_FALSE(AcceptsGzip("gzipped"));
}

}  // namespace
}  // namespace pb::http
