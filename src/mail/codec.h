// Python's codec registry, as far as mail needs it: which charset names
// Python knows (codecs.lookup) and strict decoding/encoding with them.
// Single-byte codecs use tables taken from CPython, so they agree byte for
// byte; multi-byte ones go through GMime's iconv cache.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pb::mail {

// codecs.lookup(name).name, or nullopt when Python would raise LookupError
// (or ValueError, e.g. for a NUL in the name).
std::optional<std::string> LookupCodec(std::string_view name);

// bytes.decode(codec) with errors='strict', as UTF-8; nullopt on failure or
// for a codec that is not a text encoding. `codec` is a LookupCodec result.
std::optional<std::string> DecodeBytes(std::string_view bytes, std::string_view codec);

// DecodeBytes, giving `bytes` back as the text where it is the text
// already (UTF-8 or ASCII that decodes to itself): a mail's body is then
// not copied once more.
std::optional<std::string> DecodeOwnBytes(std::string&& bytes, std::string_view codec);

// str.encode(codec) of UTF-8 text; nullopt when a character is unmappable.
std::optional<std::string> EncodeText(std::string_view utf8, std::string_view codec);

// Strict UTF-8 validity as Python's utf-8 codec checks it.
bool IsValidUtf8(std::string_view s);

// bytes.decode('latin-1').
std::string Latin1ToUtf8(std::string_view bytes);

}  // namespace pb::mail
