// Request bodies as DRF's parsers see them (spec §3.2): JSON,
// application/x-www-form-urlencoded and multipart/form-data. An empty body
// is empty data whatever its type; a non-empty body of another type is 415.
// Form input is kept as a multi-valued dict (Django's QueryDict) because DRF
// fields read it differently from JSON (getlist for lists, '' handling).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

#include "http/server.h"

namespace pb::api {

class RequestData {
 public:
  // JSON body (any value: object, list, scalar).
  static RequestData Json(boost::json::value v);
  // Form body (QueryDict): items in order, names may repeat.
  static RequestData Form(std::vector<std::pair<std::string, std::string>> items);
  // Empty body: {} (a dict without keys).
  static RequestData Empty();

  bool is_form() const { return form_; }
  // JSON value (for form input: an object of the last values, as strings).
  const boost::json::value& json() const { return json_; }
  bool is_object() const { return json_.is_object(); }

  // dict.get(name): nullptr when absent (or when the data is not an object).
  const boost::json::value* Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name) != nullptr; }
  // QueryDict.getlist(name) (form input only).
  std::vector<std::string> GetList(std::string_view name) const;
  // Names starting with "<prefix>." in a form (DRF's parse_html_dict).
  RequestData Nested(std::string_view prefix) const;

  // Python's type(x).__name__ of a JSON value: "str", "int", "float",
  // "bool", "list", "dict", "NoneType".
  static const char* PyTypeName(const boost::json::value& v);

 private:
  bool form_ = false;
  boost::json::value json_;
  std::vector<std::pair<std::string, std::string>> items_;
};

// Parses req.body by its Content-Type; an error response (400 parse error,
// 415) is returned instead when DRF would raise. `allow` is the view's Allow.
std::variant<RequestData, http::Response> ParseRequestBody(const http::Request& req,
                                                           std::string_view allow);

}  // namespace pb::api
