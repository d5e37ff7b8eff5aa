// Header values the way upstream Patchwork sees them: Python's
// email.header.decode_header + make_header ("sanitise_header"), str() of the
// result, and Header.encode() for the stored header text. These differ from
// RFC-correct decoding in many small ways (spacing between encoded words,
// U+FFFD for raw 8-bit bytes, re-folding at 78 columns); upstream's stored
// data depends on every one of them, so they are reproduced here exactly.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pb::mail {

// email.charset.Charset: how a chunk is re-encoded.
struct PyCharset {
  std::string input_charset;  // lower-cased, after email's alias table
  int header_encoding = 0;    // 0 none, 1 QP, 2 BASE64, 3 SHORTEST
  std::string output_charset;
  std::string input_codec;    // "" for us-ascii (no conversion)
  std::string output_codec;

  static PyCharset Make(std::string_view name);
  bool IsAsciiLike() const { return input_charset == "us-ascii"; }
  bool IsUnknown8bit() const { return input_charset == "unknown-8bit"; }
};

// One run of text in a charset. For unknown-8bit, `text` holds the raw bytes
// (Python's surrogate escapes); otherwise it is UTF-8.
struct HeaderChunk {
  std::string text;
  PyCharset charset;
};

// email.header.Header after make_header().
class PyHeader {
 public:
  PyHeader(std::vector<HeaderChunk> chunks, size_t header_name_len)
      : chunks_(std::move(chunks)), headerlen_(header_name_len) {}

  // str(header)
  std::string ToString() const;
  // header.encode(); nullopt where Python raises HeaderParseError.
  std::optional<std::string> Encode() const;

 private:
  std::vector<HeaderChunk> chunks_;  // normalised: adjacent same-charset runs merged
  size_t headerlen_;                 // len(name) + 2, or 0
};

// parser.sanitise_header(value, name): `raw_value` is the header value as the
// compat32 parser stores it (after the colon, leading blanks and the final
// line break removed, inner folds kept). nullopt when upstream gets None.
// `header_name` empty means "no name" (first line not shortened).
std::optional<PyHeader> SanitiseHeader(std::string_view raw_value,
                                       std::string_view header_name = {});

// parser.clean_header(value): decoded, whitespace-collapsed, stripped text;
// nullopt when upstream gets None.
std::optional<std::string> CleanHeader(std::string_view raw_value);

// "Name: <encoded value>" as parser.find_headers writes it, or nullopt when
// upstream omits the header.
std::optional<std::string> EncodeHeaderLine(std::string_view name, std::string_view raw_value);
// The same line appended to `out`; false (and `out` as it was) when upstream
// omits the header. Saves a string per header of every mail.
bool AppendHeaderLine(std::string& out, std::string_view name, std::string_view raw_value);

// Header(value, header_name=name).encode(): how Python's generator (compat32
// policy) writes a header value it was handed as a string, e.g. when
// upstream replays stored headers into an mbox download. The text after
// "Name: ", folded at 78 columns; an unencodable value comes back as is.
std::string EncodeHeaderValue(std::string_view name, std::string_view value);

}  // namespace pb::mail
