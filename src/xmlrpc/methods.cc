#include "xmlrpc/methods.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

#include "db/mail_store.h"
#include "db/rpc_store.h"
#include "mbox/mbox.h"
#include "xmlrpc/auth.h"
#include "xmlrpc/filters.h"
#include "xmlrpc/py.h"
#include "xmlrpc/py_error.h"
#include "xmlrpc/serialize.h"

namespace pb::xmlrpc {
namespace {

struct Args {
  db::Connection& conn;
  const User* user;  // set for methods that need a login
  const std::vector<Value>& v;
};

using Fn = Value (*)(Args&);

struct Method {
  std::string_view name;
  bool auth;
  std::vector<std::string_view> params;  // positional, after the user for auth methods
  std::vector<Value> defaults;           // for the trailing params
  Fn fn;
  std::string_view summary;
};

PyError DoesNotExist(std::string_view model) {
  return {"patchwork.models." + std::string(model) + ".DoesNotExist",
          std::string(model) + " matching query does not exist."};
}

// Django's get(): no rows is DoesNotExist, several is MultipleObjectsReturned
// (callers fetch up to 21 rows, Django's MAX_GET_RESULTS).
template <typename Row>
const Row& GetOne(const std::vector<Row>& rows, std::string_view model) {
  if (rows.empty()) throw DoesNotExist(model);
  if (rows.size() > 1) {
    std::string n = rows.size() >= 21 ? "more than 20" : std::to_string(rows.size());
    throw PyError{"patchwork.models." + std::string(model) + ".MultipleObjectsReturned",
                  "get() returned more than one " + std::string(model) + " -- it returned " + n +
                      "!"};
  }
  return rows[0];
}

// `if search_str:` upstream; the filter text is str(search_str).
std::optional<std::string> Search(const Value& v) {
  if (!PyTruthy(v)) return std::nullopt;
  return PyStr(v);
}

template <typename Row>
Value ListResult(const db::RpcList<Row>& rows, Value (*dict)(const Row&)) {
  if (!rows) throw PyError{"ValueError", "Negative indexing is not supported."};
  return ListOf(*rows, dict);
}

// An id argument of a getter. Django matches id=None against nothing, so a
// nil id finds no row rather than failing.
std::optional<db::Id> IdArg(const Value& v) {
  if (v.is(Value::Kind::kNil)) return std::nullopt;
  return DjangoInt(v, "id");
}

template <typename Row>
Value DictOrEmpty(db::Connection& conn, const Value& id,
                  std::optional<Row> (*get)(db::Connection&, db::Id), Value (*dict)(const Row&)) {
  auto n = IdArg(id);
  if (!n) return Value::Struct();
  auto row = get(conn, *n);
  return row ? dict(*row) : Value::Struct();
}

// ---- read methods ----

Value PwRpcVersion(Args&) {
  return Value::Array({Value::Int(1), Value::Int(3), Value::Int(0)});
}

Value ProjectList(Args& a) {
  auto search = Search(a.v[0]);
  int64_t max = PyCountArg(a.v[1]);
  return ListResult(db::RpcProjects(a.conn, search, max), ProjectDict);
}

Value ProjectGet(Args& a) {
  return DictOrEmpty(a.conn, a.v[0], db::RpcProjectById, ProjectDict);
}

Value PersonList(Args& a) {
  auto search = Search(a.v[0]);
  int64_t max = PyCountArg(a.v[1]);
  return ListResult(db::RpcPeople(a.conn, search, max), PersonDict);
}

Value PersonGet(Args& a) {
  return DictOrEmpty(a.conn, a.v[0], db::RpcPersonById, PersonDict);
}

Value PatchList(Args& a) {
  Filter f = PatchFilter(a.conn, a.v[0]);
  if (f.nothing) return Value::Array();
  int64_t max = PyCountArg(f.max_count);
  return ListResult(db::RpcPatches(a.conn, f.where, max), PatchDict);
}

Value PatchGet(Args& a) {
  return DictOrEmpty(a.conn, a.v[0], db::RpcPatchById, PatchDict);
}

Value PatchGetByHash(Args& a) {
  if (a.v[0].is(Value::Kind::kNil)) return Value::Struct();
  auto rows = db::RpcPatchesByHash(a.conn, PyStr(a.v[0]), 21);
  if (rows.empty()) return Value::Struct();
  return PatchDict(GetOne(rows, "Patch"));
}

Value PatchGetByProjectHash(Args& a) {
  if (a.v[0].is(Value::Kind::kNil) || a.v[1].is(Value::Kind::kNil)) return Value::Struct();
  auto rows = db::RpcPatchesByProjectHash(a.conn, PyStr(a.v[0]), PyStr(a.v[1]), 21);
  if (rows.empty()) return Value::Struct();
  return PatchDict(GetOne(rows, "Patch"));
}

Value PatchGetMbox(Args& a) {
  auto id = IdArg(a.v[0]);
  auto mbox = id ? mbox::PatchMbox(a.conn, *id) : std::nullopt;
  return Value::String(mbox ? std::move(*mbox) : std::string());
}

Value PatchGetDiff(Args& a) {
  auto id = IdArg(a.v[0]);
  auto diff = id ? db::RpcPatchDiff(a.conn, *id) : std::nullopt;
  if (!diff) return Value::String("");
  // A patch without a diff (a pull request) returns None, which upstream
  // then fails to marshal.
  return *diff ? Value::String(std::move(**diff)) : Value::Nil();
}

Value StateList(Args& a) {
  auto search = Search(a.v[0]);
  int64_t max = PyCountArg(a.v[1]);
  return ListResult(db::RpcStates(a.conn, search, max), StateDict);
}

Value StateGet(Args& a) {
  return DictOrEmpty(a.conn, a.v[0], db::RpcStateById, StateDict);
}

Value CheckList(Args& a) {
  Filter f = CheckFilter(a.conn, a.v[0]);
  if (f.nothing) return Value::Array();
  int64_t max = PyCountArg(f.max_count);
  return ListResult(db::RpcChecks(a.conn, f.where, max), CheckDict);
}

Value CheckGet(Args& a) {
  return DictOrEmpty(a.conn, a.v[0], db::RpcCheckById, CheckDict);
}

Value PatchCheckGet(Args& a) {
  auto id = IdArg(a.v[0]);
  if (!id || !db::RpcPatchExists(a.conn, *id)) return Value::Struct();
  return PatchCheckDict(db::RpcChecksOfPatch(a.conn, *id));
}

// ---- writers ----

// The patch, checked editable by the caller, inside the caller's transaction.
db::RpcPatchForEdit EditablePatch(Args& a, db::Id patch_id) {
  auto patch = db::RpcPatchForEditBy(a.conn, patch_id, a.user->id);
  if (!patch) throw DoesNotExist("Patch");
  if (!patch->editable) throw Error("No permissions to edit this patch");
  return *patch;
}

// Upstream's XML-RPC saves models without validating them, so what it
// stores depends on the database (SQLite keeps a 10,000-character
// commit_ref; PostgreSQL refuses it). Here the REST API's limits hold on
// both doors: 255 characters, a slug for a check's context.
constexpr size_t kMaxCharField = 255;

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool IsSlug(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!(std::isalnum(c) || c == '-' || c == '_')) return false;
  }
  return true;
}

Value PatchSet(Args& a) {
  auto id = IdArg(a.v[0]);
  if (!id) throw DoesNotExist("Patch");
  db::Id patch_id = *id;
  const Value& params = a.v[1];
  db::Transaction tx(a.conn);
  db::RpcPatchForEdit patch = EditablePatch(a, patch_id);
  if (!params.is(Value::Kind::kStruct)) {
    throw PyError{"AttributeError",
                  "'" + std::string(PyTypeName(params)) + "' object has no attribute 'items'"};
  }
  db::Id state = patch.state_id;
  std::optional<std::string> commit_ref = patch.commit_ref;
  const Value* archived = nullptr;
  // Only these three keys; upstream skips the rest silently.
  for (const auto& [key, value] : params.members) {
    if (key == "state") {
      auto id = IdArg(value);
      if (!id || !db::RpcStateById(a.conn, *id)) throw DoesNotExist("State");
      state = *id;
    } else if (key == "commit_ref") {
      commit_ref = value.is(Value::Kind::kNil) ? std::nullopt : std::optional(PyStr(value));
      if (commit_ref && CodePoints(*commit_ref) > kMaxCharField) {
        throw PyError{"django.db.utils.DataError", "value too long for type character varying(255)"};
      }
    } else if (key == "archived") {
      archived = &value;
    }
  }
  // Coerced when upstream saves, so after the loop.
  bool new_archived = archived ? DjangoBool(*archived) : patch.archived;

  db::RpcUpdatePatch(a.conn, patch_id, state, commit_ref, new_archived);
  if (state != patch.state_id) {
    db::Event e;
    e.project_id = patch.project_id;
    e.category = "patch-state-changed";
    e.patch_id = patch_id;
    e.actor_id = a.user->id;
    e.previous_state_id = patch.state_id;
    e.current_state_id = state;
    db::InsertEvent(a.conn, e);
    if (patch.send_notifications) db::RpcNoteStateChange(a.conn, patch_id, patch.state_id, state);
  }
  db::BumpGeneration(a.conn);
  tx.Commit();
  return Value::Bool(true);
}

Value CheckCreate(Args& a) {
  auto id = IdArg(a.v[0]);
  if (!id) throw DoesNotExist("Patch");
  db::Id patch_id = *id;
  const Value& context = a.v[1];
  const Value& state = a.v[2];
  auto text_or_null = [](const Value& v) {
    return v.is(Value::Kind::kNil) ? std::nullopt : std::optional(PyStr(v));
  };
  db::Transaction tx(a.conn);
  db::RpcPatchForEdit patch = EditablePatch(a, patch_id);
  int state_value = state.is(Value::Kind::kString) ? CheckStateValue(state.s) : -1;
  if (state_value < 0) throw Error("Invalid check state: " + PyStr(state));
  if (context.is(Value::Kind::kNil)) {
    throw PyError{"django.db.utils.IntegrityError", "NOT NULL constraint failed: patchwork_check.context"};
  }
  std::string context_text = PyStr(context);
  if (!IsSlug(context_text) || context_text.size() > kMaxCharField) {
    throw Error("Invalid check context: enter a valid \"slug\" consisting of letters, numbers, "
                "underscores or hyphens (at most 255)");
  }
  db::Id check_id = db::RpcInsertCheck(a.conn, patch_id, a.user->id, state_value,
                                       text_or_null(a.v[3]), text_or_null(a.v[4]), context_text);
  db::Event e;
  e.project_id = patch.project_id;
  e.category = "check-created";
  e.patch_id = patch_id;
  e.actor_id = a.user->id;
  e.created_check_id = check_id;
  db::InsertEvent(a.conn, e);
  db::BumpGeneration(a.conn);
  tx.Commit();
  return Value::Bool(true);
}

const std::vector<Method>& Methods() {
  static const std::vector<Method> methods = {
      {"pw_rpc_version", false, {}, {}, PwRpcVersion,
       "The XML-RPC interface version, [1, 3, 0]."},
      {"project_list", false, {"search_str", "max_count"}, {Value::Nil(), Value::Int(0)},
       ProjectList, "Projects whose linkname contains search_str (case-insensitive)."},
      {"project_get", false, {"project_id"}, {}, ProjectGet, "One project by id, or {}."},
      {"person_list", false, {"search_str", "max_count"}, {Value::Nil(), Value::Int(0)},
       PersonList, "People whose name or email contains search_str (case-insensitive)."},
      {"person_get", false, {"person_id"}, {}, PersonGet, "One person by id, or {}."},
      {"patch_list", false, {"filt"}, {Value::Nil()}, PatchList,
       "Patches matching every key of the filter struct: id, name, project_id, submitter_id, "
       "delegate_id, archived, state_id, date, commit_ref, hash, msgid, optionally with a "
       "__lookup suffix (iexact, contains, icontains, gt, gte, lt, in, startswith, istartswith, "
       "endswith, iendswith, range, year, month, day, isnull), and max_count."},
      {"patch_get", false, {"patch_id"}, {}, PatchGet, "One patch by id, or {}."},
      {"patch_get_by_hash", false, {"hash"}, {}, PatchGetByHash,
       "The patch with this diff hash, or {}."},
      {"patch_get_by_project_hash", false, {"project", "hash"}, {}, PatchGetByProjectHash,
       "The patch with this diff hash in the project with this linkname, or {}."},
      {"patch_get_mbox", false, {"patch_id"}, {}, PatchGetMbox,
       "The patch as an mbox message, or \"\"."},
      {"patch_get_diff", false, {"patch_id"}, {}, PatchGetDiff, "The patch's diff, or \"\"."},
      {"patch_set", true, {"patch_id", "params"}, {}, PatchSet,
       "Sets state (a state id), commit_ref and archived of a patch you may edit. Needs HTTP "
       "Basic authentication."},
      {"state_list", false, {"search_str", "max_count"}, {Value::Nil(), Value::Int(0)},
       StateList, "States whose name contains search_str (case-insensitive)."},
      {"state_get", false, {"state_id"}, {}, StateGet, "One state by id, or {}."},
      {"check_list", false, {"filt"}, {Value::Nil()}, CheckList,
       "Checks matching every key of the filter struct: id, user, project_id, patch_id, "
       "max_count."},
      {"check_get", false, {"check_id"}, {}, CheckGet, "One check by id, or {}."},
      {"check_create", true, {"patch_id", "context", "state", "target_url", "description"},
       {Value::String(""), Value::String("")}, CheckCreate,
       "Adds a check (state: pending, success, warning or fail) to a patch you may edit. Needs "
       "HTTP Basic authentication."},
      {"patch_check_get", false, {"patch_id"}, {}, PatchCheckGet,
       "The combined state and the latest check per context of a patch, or {}."},
  };
  return methods;
}

std::string Plural(size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

std::string QuotedList(const std::vector<std::string_view>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += names.size() == 2 ? " and " : (i + 1 == names.size() ? ", and " : ", ");
    out += "'" + std::string(names[i]) + "'";
  }
  return out;
}

// Python's TypeError for a call with the wrong number of arguments. For
// login methods the user is the first parameter and always given.
std::vector<Value> BindArgs(const Method& m, const std::vector<Value>& given) {
  size_t offset = m.auth ? 1 : 0;
  size_t total = m.params.size() + offset;
  size_t required = total - m.defaults.size();
  size_t n = given.size() + offset;
  std::string fn = std::string(m.name) + "()";
  if (n > total) {
    std::string takes = m.defaults.empty()
                            ? std::to_string(total)
                            : "from " + std::to_string(required) + " to " + std::to_string(total);
    throw PyError{"TypeError", fn + " takes " + takes + " positional argument" +
                                   (total == 1 && m.defaults.empty() ? "" : "s") + " but " +
                                   std::to_string(n) + (n == 1 ? " was" : " were") + " given"};
  }
  if (n < required) {
    std::vector<std::string_view> missing(m.params.begin() + (n - offset),
                                          m.params.begin() + (required - offset));
    throw PyError{"TypeError", fn + " missing " + Plural(missing.size(), "required positional argument") +
                                   ": " + QuotedList(missing)};
  }
  std::vector<Value> args = given;
  for (size_t i = given.size(); i < m.params.size(); ++i) {
    args.push_back(m.defaults[i - (m.params.size() - m.defaults.size())]);
  }
  return args;
}

}  // namespace

Value Dispatch(db::Connection& conn, std::string_view method, const std::vector<Value>& params,
               std::string_view authorization) {
  const auto& methods = Methods();
  auto it = std::find_if(methods.begin(), methods.end(),
                         [&](const Method& m) { return m.name == method; });
  if (it == methods.end()) throw Error("method \"" + std::string(method) + "\" is not supported");
  std::optional<User> user;
  if (it->auth) user = Authenticate(conn, authorization);
  std::vector<Value> args = BindArgs(*it, params);
  Args a{conn, user ? &*user : nullptr, args};
  return it->fn(a);
}

std::vector<MethodDoc> MethodDocs() {
  std::vector<MethodDoc> out;
  for (const auto& m : Methods()) {
    std::string sig = "(";
    if (m.auth) sig += "user";
    for (size_t i = 0; i < m.params.size(); ++i) {
      if (i || m.auth) sig += ", ";
      sig += m.params[i];
      size_t first_default = m.params.size() - m.defaults.size();
      if (i >= first_default) {
        sig += '=';
        sig += PyRepr(m.defaults[i - first_default]);
      }
    }
    out.push_back({m.name, sig + ")", m.auth, m.summary});
  }
  std::sort(out.begin(), out.end(),
            [](const MethodDoc& x, const MethodDoc& y) { return x.name < y.name; });
  return out;
}

}  // namespace pb::xmlrpc
