#include "xmlrpc/filters.h"

#include <array>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/time.h"
#include "xmlrpc/py.h"
#include "xmlrpc/py_error.h"

namespace pb::xmlrpc {
namespace {

using db::Lookup;
using db::Operand;
using db::RpcColumn;
using db::RpcCondition;

struct LookupName {
  std::string_view name;
  Lookup lookup;
};
// Upstream's LOOKUP_TYPES; there is deliberately no "exact" or "lte".
constexpr std::array<LookupName, 16> kLookups = {{
    {"iexact", Lookup::kIExact}, {"contains", Lookup::kContains},
    {"icontains", Lookup::kIContains}, {"gt", Lookup::kGt}, {"gte", Lookup::kGte},
    {"lt", Lookup::kLt}, {"in", Lookup::kIn}, {"startswith", Lookup::kStartsWith},
    {"istartswith", Lookup::kIStartsWith}, {"endswith", Lookup::kEndsWith},
    {"iendswith", Lookup::kIEndsWith}, {"range", Lookup::kRange}, {"year", Lookup::kYear},
    {"month", Lookup::kMonth}, {"day", Lookup::kDay}, {"isnull", Lookup::kIsNull},
}};

std::optional<Lookup> FindLookup(std::string_view name) {
  for (const auto& l : kLookups) {
    if (l.name == name) return l.lookup;
  }
  return std::nullopt;
}

// How a column coerces values: Django's field class decides.
enum class Kind { kInt, kText, kBool, kDate, kForeignKey };

struct Field {
  std::string_view name;
  RpcColumn column;
  Kind kind;
  std::string_view django_class;  // for FieldError messages
};

// Splits "name__lookup" like upstream: only the first two parts are checked.
struct Key {
  std::string_view field;
  std::optional<std::string_view> lookup;
  bool extra_parts = false;
};

Key SplitKey(std::string_view key) {
  Key k;
  size_t sep = key.find("__");
  if (sep == std::string_view::npos) {
    k.field = key;
    return k;
  }
  k.field = key.substr(0, sep);
  std::string_view rest = key.substr(sep + 2);
  size_t sep2 = rest.find("__");
  k.lookup = rest.substr(0, sep2);
  k.extra_parts = sep2 != std::string_view::npos;
  return k;
}

PyError ValidationError(const std::string& message) {
  return {"django.core.exceptions.ValidationError", "['" + message + "']"};
}

// "20240101T09:00:00", the XML-RPC dateTime.iso8601 form.
std::optional<Micros> ParseXmlRpcDate(std::string_view s) {
  int y, mo, d, h, mi, sec;
  char tail;
  if (std::sscanf(std::string(s).c_str(), "%4d%2d%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec,
                  &tail) != 6) {
    return std::nullopt;
  }
  return MicrosFromCivil(y, mo, d, h, mi, sec);
}

Micros DjangoDate(const Value& v) {
  std::optional<Micros> t;
  if (v.is(Value::Kind::kString)) t = ParseIsoDate(v.s);
  else if (v.is(Value::Kind::kDateTime)) t = ParseXmlRpcDate(v.s);
  if (!t) {
    throw ValidationError("\u201c" + PyStr(v) +
                          "\u201d value has an invalid format. It must be in YYYY-MM-DD "
                          "HH:MM[:ss[.uuuuuu]][TZ] format.");
  }
  return *t;
}

// One value coerced for a comparison (not a text match) on `f`.
Operand Coerce(const Field& f, const Value& v) {
  switch (f.kind) {
    case Kind::kInt:
    case Kind::kForeignKey: return DjangoInt(v, "id");
    case Kind::kBool: return int64_t{DjangoBool(v)};
    case Kind::kDate: return DjangoDate(v);
    case Kind::kText: return PyStr(v);
  }
  return PyStr(v);
}

// A list argument (in, range). Python iterates a string by characters.
std::vector<Value> Sequence(const Value& v) {
  if (v.is(Value::Kind::kArray)) return v.items;
  if (v.is(Value::Kind::kString)) {
    std::vector<Value> chars;
    for (size_t i = 0; i < v.s.size();) {
      size_t n = 1;
      unsigned char c = static_cast<unsigned char>(v.s[i]);
      if (c >= 0xf0) n = 4;
      else if (c >= 0xe0) n = 3;
      else if (c >= 0xc0) n = 2;
      chars.push_back(Value::String(v.s.substr(i, n)));
      i += n;
    }
    return chars;
  }
  throw PyError{"TypeError", "'" + std::string(PyTypeName(v)) + "' object is not iterable"};
}

// Django turns field=value into a condition on `f`.
RpcCondition Term(const Field& f, Lookup lookup, const Value& v, std::string_view lookup_name) {
  if (v.is(Value::Kind::kNil)) {
    if (lookup == Lookup::kExact) return {f.column, Lookup::kIsNull, {int64_t{1}}};
    throw PyError{"ValueError", "Cannot use None as a query value"};
  }
  auto unsupported = [&] {
    return PyError{"django.core.exceptions.FieldError",
                   f.kind == Kind::kForeignKey
                       ? "Related Field got invalid lookup: " + std::string(lookup_name)
                       : "Unsupported lookup '" + std::string(lookup_name) + "' for " +
                             std::string(f.django_class) +
                             " or join on the field not permitted."};
  };
  if (db::IsTextLookup(lookup)) {
    if (f.kind == Kind::kForeignKey) throw unsupported();
    return {f.column, lookup, {PyStr(v)}};
  }
  switch (lookup) {
    case Lookup::kExact: case Lookup::kGt: case Lookup::kGte: case Lookup::kLt:
      return {f.column, lookup, {Coerce(f, v)}};
    case Lookup::kIn: {
      RpcCondition c{f.column, lookup, {}};
      for (const auto& item : Sequence(v)) c.operands.push_back(Coerce(f, item));
      return c;
    }
    case Lookup::kRange: {
      auto items = Sequence(v);
      if (items.size() != 2) {
        throw PyError{"ValueError", "not enough values to unpack (expected 2, got " +
                                        std::to_string(items.size()) + ")"};
      }
      return {f.column, lookup, {Coerce(f, items[0]), Coerce(f, items[1])}};
    }
    case Lookup::kIsNull:
      if (!v.is(Value::Kind::kBool)) {
        throw PyError{"ValueError", "The QuerySet value for an isnull lookup must be True or False."};
      }
      return {f.column, lookup, {v.i}};
    case Lookup::kYear: case Lookup::kMonth: case Lookup::kDay:
      if (f.kind != Kind::kDate) throw unsupported();
      return {f.column, lookup, {DjangoInt(v, "None")}};
    default:
      throw unsupported();
  }
}

std::vector<std::pair<std::string, Value>> Items(const Value& filt, bool* nothing) {
  switch (filt.kind) {
    case Value::Kind::kNil: return {};
    case Value::Kind::kStruct: return filt.members;
    // Iterating a str yields one-character keys, none of them a field.
    case Value::Kind::kString:
      *nothing = !filt.s.empty();
      return {};
    case Value::Kind::kArray:
      if (filt.items.empty()) return {};
      throw PyError{"TypeError", "list indices must be integers or slices, not str"};
    default:
      throw PyError{"TypeError", "'" + std::string(PyTypeName(filt)) + "' object is not iterable"};
  }
}

constexpr Field kPatchFields[] = {
    {"id", RpcColumn::kPatchId, Kind::kInt, "AutoField"},
    {"name", RpcColumn::kPatchName, Kind::kText, "CharField"},
    {"archived", RpcColumn::kPatchArchived, Kind::kBool, "BooleanField"},
    {"date", RpcColumn::kPatchDate, Kind::kDate, "DateTimeField"},
    {"commit_ref", RpcColumn::kPatchCommitRef, Kind::kText, "CharField"},
    {"hash", RpcColumn::kPatchHash, Kind::kText, "HashField"},
    {"msgid", RpcColumn::kPatchMsgid, Kind::kText, "CharField"},
};

const Field* FindField(std::string_view name) {
  for (const auto& f : kPatchFields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

Filter PatchFilter(db::Connection& conn, const Value& filt) {
  Filter out;
  auto items = Items(filt, &out.nothing);
  if (out.nothing) return out;

  // First pass, as upstream's loop: validate keys and resolve the objects
  // referred to by id, stopping at the first key that makes the answer [].
  struct Pending {
    const Field* field;
    Lookup lookup;
    std::string_view lookup_name;
    const Value* value;
  };
  std::vector<Pending> pending;
  for (const auto& [key, value] : items) {
    Key k = SplitKey(key);
    static constexpr std::string_view kById[] = {"project_id", "submitter_id", "delegate_id",
                                                 "state_id", "max_count"};
    bool by_id = false;
    for (auto n : kById) by_id |= (k.field == n);
    const Field* f = FindField(k.field);
    if (!by_id && !f) {
      out.nothing = true;
      return out;
    }
    std::optional<Lookup> lookup = Lookup::kExact;
    if (k.lookup) lookup = FindLookup(*k.lookup);
    if (!lookup) {
      out.nothing = true;
      return out;
    }
    // The lookup is ignored for these, as upstream does.
    if (k.field == "max_count") {
      out.max_count = value;
    } else if (value.is(Value::Kind::kNil) && k.field != "max_count" && !f) {
      // get(id=None) finds nothing.
      out.nothing = true;
      return out;
    } else if (k.field == "project_id") {
      db::Id id = DjangoInt(value, "id");
      if (!db::RpcProjectById(conn, id)) { out.nothing = true; return out; }
      out.where.push_back({RpcColumn::kPatchProject, Lookup::kExact, {id}});
    } else if (k.field == "submitter_id" || k.field == "delegate_id") {
      db::Id id = DjangoInt(value, "id");
      if (!db::RpcPersonById(conn, id)) { out.nothing = true; return out; }
      out.where.push_back({k.field == "submitter_id" ? RpcColumn::kPatchSubmitter
                                                     : RpcColumn::kPatchDelegatePerson,
                           Lookup::kExact, {id}});
    } else if (k.field == "state_id") {
      db::Id id = DjangoInt(value, "id");
      if (!db::RpcStateById(conn, id)) { out.nothing = true; return out; }
      out.where.push_back({RpcColumn::kPatchState, Lookup::kExact, {id}});
    } else {
      if (k.extra_parts) {
        throw PyError{"django.core.exceptions.FieldError",
                      "Unsupported lookup '" + std::string(key.substr(key.find("__") + 2)) +
                          "' for " + std::string(f->django_class) +
                          " or join on the field not permitted."};
      }
      pending.push_back({f, *lookup, k.lookup.value_or("exact"), &value});
    }
  }
  // Second pass: Patch.objects.filter(**dfilter) coerces the values.
  for (const auto& p : pending) out.where.push_back(Term(*p.field, p.lookup, *p.value, p.lookup_name));
  return out;
}

Filter CheckFilter(db::Connection& conn, const Value& filt) {
  static constexpr Field kId{"id", RpcColumn::kCheckId, Kind::kInt, "AutoField"};
  static constexpr Field kUser{"user", RpcColumn::kCheckUser, Kind::kForeignKey, "ForeignKey"};
  Filter out;
  auto items = Items(filt, &out.nothing);
  if (out.nothing) return out;
  struct Pending {
    const Field* field;
    Lookup lookup;
    std::string_view lookup_name;
    const Value* value;
  };
  std::vector<Pending> pending;
  for (const auto& [key, value] : items) {
    Key k = SplitKey(key);
    if (k.field != "id" && k.field != "user" && k.field != "project_id" && k.field != "patch_id" &&
        k.field != "max_count") {
      out.nothing = true;
      return out;
    }
    std::optional<Lookup> lookup = Lookup::kExact;
    if (k.lookup) lookup = FindLookup(*k.lookup);
    if (!lookup) {
      out.nothing = true;
      return out;
    }
    if (k.field == "max_count") {
      out.max_count = value;
    } else if (k.field == "project_id" || k.field == "patch_id") {
      // Upstream indexes [0] into the lookup, so an unknown id is an error
      // here, not an empty list.
      if (value.is(Value::Kind::kNil)) throw PyError{"IndexError", "list index out of range"};
      db::Id id = DjangoInt(value, "id");
      bool exists = k.field == "project_id" ? db::RpcProjectById(conn, id).has_value()
                                            : db::RpcPatchExists(conn, id);
      if (!exists) throw PyError{"IndexError", "list index out of range"};
      out.where.push_back({k.field == "project_id" ? RpcColumn::kCheckProject : RpcColumn::kCheckPatch,
                           Lookup::kExact, {id}});
    } else {
      if (k.extra_parts) {
        throw PyError{"django.core.exceptions.FieldError",
                      "Unsupported lookup '" + std::string(key.substr(key.find("__") + 2)) +
                          "' for AutoField or join on the field not permitted."};
      }
      pending.push_back({k.field == "id" ? &kId : &kUser, *lookup, k.lookup.value_or("exact"), &value});
    }
  }
  for (const auto& p : pending) out.where.push_back(Term(*p.field, p.lookup, *p.value, p.lookup_name));
  return out;
}

}  // namespace pb::xmlrpc
