// DRF's serializer field validation, for the writable fields of the API:
// how a value is read from JSON or form input, required/null/blank rules,
// type coercion and the exact error messages (spec §3.4). Errors are
// collected per field in serializer field order and rendered as
// {"field":["msg", ...], ...}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

#include "api/request_body.h"
#include "http/server.h"

namespace pb::api {

class FieldErrors {
 public:
  void Add(std::string_view field, std::string message);
  // A nested serializer's errors (pre-rendered JSON object) under `field`.
  void AddNested(std::string_view field, std::string json);
  bool empty() const { return errors_.empty() && nested_.empty(); }
  bool Has(std::string_view field) const;
  // {"field":["msg"],...}
  std::string ToJson() const;
  const std::vector<std::pair<std::string, std::vector<std::string>>>& items() const {
    return errors_;
  }

 private:
  std::vector<std::pair<std::string, std::vector<std::string>>> errors_;
  std::vector<std::pair<std::string, std::string>> nested_;  // field -> JSON, in errors_ order
};

// 400 with the errors as the body.
http::Response ValidationErrorResponse(const FieldErrors& errors, std::string_view allow);

// The outcome of reading one field: not given (skipped), null, or a value.
template <typename T>
struct FieldValue {
  bool set = false;         // the field takes part in the update
  std::optional<T> value;   // nullopt: null
};

struct FieldSpec {
  std::string_view name;
  bool required = false;    // DRF "required" (partial updates never require)
  bool allow_null = false;
  bool allow_blank = false;
  std::optional<size_t> max_length = std::nullopt;
};

// Common context of one deserialisation.
struct Input {
  const RequestData& data;
  bool partial = false;     // PATCH
  FieldErrors& errors;
};

// CharField (trim_whitespace=True). kind "url" adds URLValidator, "slug"
// the slug validator.
enum class CharKind { kPlain, kUrl, kSlug };
FieldValue<std::string> ReadChar(Input& in, const FieldSpec& spec, CharKind kind = CharKind::kPlain);
// BooleanField (form input: missing means false unless partial, like DRF).
FieldValue<bool> ReadBool(Input& in, const FieldSpec& spec);
// IntegerField with bounds.
FieldValue<int64_t> ReadInt(Input& in, const FieldSpec& spec, std::optional<int64_t> min_value,
                            std::optional<int64_t> max_value);

// PrimaryKeyRelatedField: the raw id (existence is checked by `exists`).
// '' in a form is null.
template <typename Exists>
FieldValue<int64_t> ReadPk(Input& in, const FieldSpec& spec, Exists exists);
// ManyRelatedField of primary keys.
template <typename Exists>
FieldValue<std::vector<int64_t>> ReadPkList(Input& in, const FieldSpec& spec, Exists exists);

// Low level pieces, used by the templates and custom fields.
enum class Raw { kAbsent, kNull, kValue };
// Field.get_value + validate_empty_values: returns kAbsent when the field is
// skipped (errors recorded when required), kNull for null (error recorded
// when not allowed: then kAbsent), else kValue with *out set.
Raw ReadRaw(Input& in, const FieldSpec& spec, boost::json::value* out,
            const boost::json::value* form_missing_default = nullptr);
// PrimaryKeyRelatedField.to_internal_value of one item; error text or id.
std::variant<int64_t, std::string> PkValue(const boost::json::value& v);
// Python str() of a JSON scalar (ints, floats, strings).
std::string PyStr(const boost::json::value& v);
size_t Utf8Length(std::string_view s);

// ---- templates ----

template <typename Exists>
FieldValue<int64_t> ReadPk(Input& in, const FieldSpec& spec, Exists exists) {
  FieldValue<int64_t> out;
  boost::json::value v;
  // RelatedField.run_validation: '' becomes None.
  if (const auto* raw = in.data.Get(spec.name); raw && raw->is_string() && raw->as_string().empty()) {
    if (!spec.allow_null) {
      in.errors.Add(spec.name, "This field may not be null.");
      return out;
    }
    out.set = true;
    return out;
  }
  Raw r = ReadRaw(in, spec, &v);
  if (r == Raw::kAbsent) return out;
  if (r == Raw::kNull) {
    out.set = true;
    return out;
  }
  auto pk = PkValue(v);
  if (auto* err = std::get_if<std::string>(&pk)) {
    in.errors.Add(spec.name, *err);
    return out;
  }
  int64_t id = std::get<int64_t>(pk);
  if (!exists(id)) {
    in.errors.Add(spec.name, "Invalid pk \"" + PyStr(v) + "\" - object does not exist.");
    return out;
  }
  out.set = true;
  out.value = id;
  return out;
}

template <typename Exists>
FieldValue<std::vector<int64_t>> ReadPkList(Input& in, const FieldSpec& spec, Exists exists) {
  FieldValue<std::vector<int64_t>> out;
  boost::json::value v;
  if (in.data.is_form()) {
    // ManyRelatedField.get_value: getlist, [] when missing (unless partial).
    if (!in.data.Has(spec.name) && in.partial) return out;
    boost::json::array a;
    for (const auto& s : in.data.GetList(spec.name)) a.emplace_back(s);
    v = std::move(a);  // a missing name is [] here, not "required" (DRF)
  } else {
    Raw r = ReadRaw(in, spec, &v);
    if (r == Raw::kAbsent) return out;
    if (r == Raw::kNull) {
      in.errors.Add(spec.name, "This field may not be null.");
      return out;
    }
  }
  if (v.is_string() || !(v.is_array() || v.is_object())) {
    in.errors.Add(spec.name, std::string("Expected a list of items but got type \"") +
                                 RequestData::PyTypeName(v) + "\".");
    return out;
  }
  std::vector<int64_t> ids;
  auto one = [&](const boost::json::value& item) -> bool {
    if (item.is_string() && item.as_string().empty()) {
      in.errors.Add(spec.name, "This field may not be null.");
      return false;
    }
    if (item.is_null()) {
      in.errors.Add(spec.name, "This field may not be null.");
      return false;
    }
    auto pk = PkValue(item);
    if (auto* err = std::get_if<std::string>(&pk)) {
      in.errors.Add(spec.name, *err);
      return false;
    }
    int64_t id = std::get<int64_t>(pk);
    if (!exists(id)) {
      in.errors.Add(spec.name, "Invalid pk \"" + PyStr(item) + "\" - object does not exist.");
      return false;
    }
    ids.push_back(id);
    return true;
  };
  if (v.is_array()) {
    for (const auto& item : v.as_array()) {
      if (!one(item)) return out;
    }
  } else {
    // Iterating a dict yields its keys.
    for (const auto& kv : v.as_object()) {
      if (!one(boost::json::value(kv.key()))) return out;
    }
  }
  out.set = true;
  out.value = std::move(ids);
  return out;
}

}  // namespace pb::api
