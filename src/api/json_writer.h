// A streaming JSON writer whose bytes equal what Django REST Framework sends:
// compact separators, non-ASCII as raw UTF-8 (json.dumps ensure_ascii=False),
// control characters as \n \r \t \b \f or lower-case \u00XX, and U+2028 /
// U+2029 escaped (DRF's JSONRenderer adds that). Boost.JSON's serializer
// differs on the last point and would need a DOM per response; responses
// here are written straight into the body string in serializer field order.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pb::api {

// Appends `s` as a JSON string literal. Invalid UTF-8 becomes U+FFFD, so the
// output is always valid JSON even for odd bytes in stored mail text.
void AppendJsonString(std::string& out, std::string_view s);

// Replaces invalid UTF-8 sequences by U+FFFD.
std::string SanitizeUtf8(std::string_view s);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void BeginObject() { Sep(); out_ += '{'; comma_ = false; }
  void EndObject() { out_ += '}'; comma_ = true; }
  void BeginArray() { Sep(); out_ += '['; comma_ = false; }
  void EndArray() { out_ += ']'; comma_ = true; }

  // Keys are field names: plain ASCII without characters to escape, except
  // header names, which go through Key().
  void Key(std::string_view k) {
    Sep();
    AppendJsonString(out_, k);
    out_ += ':';
    comma_ = false;
  }
  // A field name written in the source ("id", "web_url"): nothing to escape,
  // so it is copied with its quotes and colon in one append. A list page
  // writes ~1,800 keys; scanning each was 18 % of the page's instructions.
  template <size_t N>
  void Key(const char (&k)[N]) {
    Sep();
    char quoted[N + 2];
    quoted[0] = '"';
    for (size_t i = 0; i + 1 < N; ++i) {
      assert(k[i] >= 0x20 && k[i] != '"' && k[i] != '\\');  // literals only
      quoted[i + 1] = k[i];
    }
    quoted[N] = '"';
    quoted[N + 1] = ':';
    out_.append(quoted, N + 2);
    comma_ = false;
  }
  void String(std::string_view s) { Sep(); AppendJsonString(out_, s); comma_ = true; }
  void OptString(const std::optional<std::string>& s) {
    if (s) String(*s); else Null();
  }
  // Pre-rendered JSON (e.g. a memoised embedded object).
  void Raw(std::string_view json) { Sep(); out_ += json; comma_ = true; }
  void Int(int64_t v) { Sep(); out_ += std::to_string(v); comma_ = true; }
  void Bool(bool v) { Sep(); out_ += v ? "true" : "false"; comma_ = true; }
  void Null() { Sep(); out_ += "null"; comma_ = true; }

  std::string& out() { return out_; }

 private:
  void Sep() {
    if (comma_) out_ += ',';
  }
  std::string& out_;
  bool comma_ = false;
};

}  // namespace pb::api
