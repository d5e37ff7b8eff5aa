#include "api/request_body.h"

#include <cctype>

#include <boost/json/parse.hpp>
#include <boost/json/stream_parser.hpp>

#include "api/json_writer.h"
#include "api/query.h"
#include "api/response.h"
#include "core/strings.h"

namespace pb::api {
namespace {


std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "type/sub; k=v; ..." -> (type, sub, params).
struct MediaType {
  std::string main, sub;
  std::vector<std::pair<std::string, std::string>> params;
  const std::string* Param(std::string_view k) const {
    for (const auto& [n, v] : params) {
      if (n == k) return &v;
    }
    return nullptr;
  }
};

MediaType ParseMediaType(std::string_view s) {
  MediaType m;
  size_t semi = s.find(';');
  std::string_view full = Trim(s.substr(0, semi));
  size_t slash = full.find('/');
  m.main = LowerAscii(Trim(full.substr(0, slash)));
  m.sub = slash == std::string_view::npos ? "" : LowerAscii(Trim(full.substr(slash + 1)));
  while (semi != std::string_view::npos) {
    s.remove_prefix(semi + 1);
    semi = s.find(';');
    std::string_view p = s.substr(0, semi);
    size_t eq = p.find('=');
    std::string key = LowerAscii(Trim(p.substr(0, eq)));
    std::string_view value = eq == std::string_view::npos ? "" : Trim(p.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!key.empty()) m.params.emplace_back(key, std::string(value));
  }
  return m;
}

// DRF's media_type_matches(parser_type, request_type).
bool Matches(std::string_view parser_main, std::string_view parser_sub, const MediaType& req) {
  if (req.sub != "*" && req.sub != parser_sub) return false;
  if (req.main != "*" && req.main != parser_main) return false;
  return true;
}

http::Response ParseError(std::string_view message, std::string_view allow) {
  return DetailError(400, message, allow);
}

// Python's json error text for the common failures (best effort).
std::string JsonErrorText(std::string_view body, size_t pos) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos && i < body.size(); ++i) {
    if (body[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  auto where = [&](size_t p) {
    return ": line " + std::to_string(line) + " column " + std::to_string(col) + " (char " +
           std::to_string(p) + ")";
  };
  // The kind of token Python's decoder expected there (best effort).
  size_t prev = pos;
  while (prev > 0 && std::isspace(static_cast<unsigned char>(body[prev - 1]))) --prev;
  char before = prev > 0 ? body[prev - 1] : '\0';
  if (before == '{') return "Expecting property name enclosed in double quotes" + where(pos);
  if (before == '\0' || before == ',' || before == '[' || before == ':') return "Expecting value" + where(pos);
  return "Expecting ',' delimiter" + where(pos);
}

std::variant<RequestData, http::Response> ParseJson(const std::string& body, std::string_view allow) {
  boost::json::stream_parser p;
  boost::system::error_code ec;
  size_t n = p.write_some(body.data(), body.size(), ec);
  if (!ec) p.finish(ec);
  if (ec) {
    size_t pos = n;
    return ParseError("JSON parse error - " + JsonErrorText(body, pos), allow);
  }
  // Trailing data after a complete value.
  size_t rest = n;
  while (rest < body.size() && std::isspace(static_cast<unsigned char>(body[rest]))) ++rest;
  if (rest < body.size()) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < rest; ++i) {
      if (body[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return ParseError("JSON parse error - Extra data: line " + std::to_string(line) + " column " +
                          std::to_string(col) + " (char " + std::to_string(rest) + ")",
                      allow);
  }
  return RequestData::Json(p.release());
}

std::vector<std::pair<std::string, std::string>> ParseUrlencoded(std::string_view body) {
  QueryParams q = QueryParams::Parse(body);
  return q.items();
}

std::variant<RequestData, http::Response> ParseMultipart(const std::string& body, const MediaType& mt,
                                                         std::string_view allow) {
  const std::string* boundary = mt.Param("boundary");
  if (!boundary || boundary->empty()) {
    return ParseError("Multipart form parse error - Invalid boundary in multipart: None", allow);
  }
  std::string delim = "--" + *boundary;
  std::vector<std::pair<std::string, std::string>> items;
  size_t pos = body.find(delim);
  if (pos == std::string::npos) return RequestData::Form({});
  while (true) {
    pos += delim.size();
    if (body.compare(pos, 2, "--") == 0) break;  // closing delimiter
    if (body.compare(pos, 2, "\r\n") == 0) pos += 2;
    else if (pos < body.size() && body[pos] == '\n') pos += 1;
    size_t hdr_end = body.find("\r\n\r\n", pos);
    size_t skip = 4;
    if (hdr_end == std::string::npos) {
      hdr_end = body.find("\n\n", pos);
      skip = 2;
    }
    if (hdr_end == std::string::npos) break;
    std::string_view headers(body.data() + pos, hdr_end - pos);
    size_t data_start = hdr_end + skip;
    size_t next = body.find(delim, data_start);
    if (next == std::string::npos) break;
    size_t data_end = next;
    if (data_end >= 2 && body.compare(data_end - 2, 2, "\r\n") == 0) data_end -= 2;
    else if (data_end >= 1 && body[data_end - 1] == '\n') data_end -= 1;
    // Content-Disposition: form-data; name="x"[; filename="y"]
    std::string name;
    bool is_file = false;
    size_t lp = 0;
    while (lp < headers.size()) {
      size_t le = headers.find('\n', lp);
      std::string_view line = headers.substr(lp, le == std::string_view::npos ? le : le - lp);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      size_t colon = line.find(':');
      if (colon != std::string_view::npos && LowerAscii(Trim(line.substr(0, colon))) == "content-disposition") {
        MediaType cd = ParseMediaType(line.substr(colon + 1));
        if (const auto* n = cd.Param("name")) name = *n;
        if (cd.Param("filename")) is_file = true;
      }
      if (le == std::string_view::npos) break;
      lp = le + 1;
    }
    if (!name.empty() && !is_file) {
      items.emplace_back(name, SanitizeUtf8(std::string_view(body).substr(data_start, data_end - data_start)));
    }
    pos = next;
  }
  return RequestData::Form(std::move(items));
}

}  // namespace

RequestData RequestData::Json(boost::json::value v) {
  RequestData d;
  d.json_ = std::move(v);
  return d;
}

RequestData RequestData::Form(std::vector<std::pair<std::string, std::string>> items) {
  RequestData d;
  d.form_ = true;
  boost::json::object o;
  for (const auto& [k, v] : items) o[k] = v;
  d.json_ = std::move(o);
  d.items_ = std::move(items);
  return d;
}

RequestData RequestData::Empty() {
  RequestData d;
  d.json_ = boost::json::object();
  return d;
}

const boost::json::value* RequestData::Get(std::string_view name) const {
  if (!json_.is_object()) return nullptr;
  return json_.as_object().if_contains(name);
}

std::vector<std::string> RequestData::GetList(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : items_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

RequestData RequestData::Nested(std::string_view prefix) const {
  std::vector<std::pair<std::string, std::string>> items;
  std::string p = std::string(prefix) + ".";
  for (const auto& [k, v] : items_) {
    if (k.size() > p.size() && k.compare(0, p.size(), p) == 0) items.emplace_back(k.substr(p.size()), v);
  }
  return Form(std::move(items));
}

const char* RequestData::PyTypeName(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::string: return "str";
    case boost::json::kind::int64:
    case boost::json::kind::uint64: return "int";
    case boost::json::kind::double_: return "float";
    case boost::json::kind::bool_: return "bool";
    case boost::json::kind::array: return "list";
    case boost::json::kind::object: return "dict";
    case boost::json::kind::null: return "NoneType";
  }
  return "object";
}

std::variant<RequestData, http::Response> ParseRequestBody(const http::Request& req,
                                                           std::string_view allow) {
  std::string_view content_type = req.Header("content-type");
  // Django: no stream when CONTENT_LENGTH is 0 -> empty data, whatever the type.
  if (req.body.empty()) {
    MediaType mt = ParseMediaType(content_type);
    if (mt.main == "application" && mt.sub == "x-www-form-urlencoded") return RequestData::Form({});
    if (mt.main == "multipart" && mt.sub == "form-data") return RequestData::Form({});
    return RequestData::Empty();
  }
  MediaType mt = ParseMediaType(content_type);
  if (!content_type.empty() && Matches("application", "json", mt)) return ParseJson(req.body, allow);
  if (!content_type.empty() && Matches("application", "x-www-form-urlencoded", mt)) {
    return RequestData::Form(ParseUrlencoded(req.body));
  }
  if (!content_type.empty() && Matches("multipart", "form-data", mt)) return ParseMultipart(req.body, mt, allow);
  std::string msg = "Unsupported media type \"";
  msg += content_type;
  msg += "\" in request.";
  return DetailError(415, msg, allow);
}

}  // namespace pb::api
