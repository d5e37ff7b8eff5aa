// The storage interface every backend implements: a connection that runs
// portable SQL. Queries are written once, in the repositories under db/
// (projects.h, patches.h, ...), with numbered placeholders ?1, ?2, ... and
// only SQL that SQLite 3.40 and PostgreSQL 15 both accept (RETURNING,
// ON CONFLICT, standard joins). A backend translates placeholders if it must.
//
// A Connection is used by one thread at a time. Statements are prepared once
// per connection and cached by their SQL text.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace pb::db {

// Thrown by backends; converted to a Status at the service boundary.
// kUnavailable: the database server cannot be reached (down, restarting,
// connection lost). It is temporary: servers answer 503 and reconnect on a
// later request; parsemail exits 75 (EX_TEMPFAIL) so the MTA retries.
class DbError : public std::runtime_error {
 public:
  enum class Kind { kGeneric, kConstraint, kBusy, kUnavailable };
  DbError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// A read that PostgreSQL cancelled to break a deadlock or a serialization
// conflict (typically with a migration's DDL) changed nothing: the request
// may run again from the start, up to three times in all.
inline bool RetryableRead(const DbError* e, int attempt) {
  return e && e->kind() == DbError::Kind::kBusy && attempt < 3;
}

class Statement {
 public:
  virtual ~Statement() = default;
  // Placeholders are 1-based.
  virtual void BindNull(int index) = 0;
  virtual void BindInt(int index, int64_t value) = 0;
  virtual void BindText(int index, std::string_view value) = 0;
  // The same, for text that stays valid and unchanged until the statement
  // is reset: a backend may refer to it instead of copying it.
  virtual void BindTextStatic(int index, std::string_view value) { BindText(index, value); }
  // Arbitrary bytes (raw mails may hold NULs and invalid UTF-8).
  virtual void BindBlob(int index, std::string_view value) = 0;
  // The same, for bytes that stay valid and unchanged until the statement
  // is reset.
  virtual void BindBlobStatic(int index, std::string_view value) { BindBlob(index, value); }
  // Advances to the next row; false when done. Executes on first call.
  virtual bool Step() = 0;
  // Makes the statement reusable; clears bindings.
  virtual void Reset() = 0;
  virtual bool IsNull(int column) = 0;
  virtual int64_t Int(int column) = 0;
  // Valid until the next Step/Reset.
  virtual std::string_view Text(int column) = 0;
  virtual std::string_view Blob(int column) = 0;
  // Number of rows changed by the last executed write.
  virtual int64_t Changes() = 0;
  // Runs a write whose outcome the caller does not read (no rows, no change
  // count). A backend may send it without waiting for the answer: inside a
  // write transaction PostgreSQL queues it in a pipeline, so a mail's
  // writes cost one round trip, not one each. Its error, if any, is thrown
  // by the next statement that returns rows, by Connection::Sync or Commit.
  virtual void Send() { while (Step()) {} }
  // Announces that this bound statement will be stepped later in the same
  // read snapshot, after statements that are stepped before it. A backend
  // with round trips may send it now, so that its answer comes back with
  // the next statement's (PostgreSQL: one pipeline, one round trip for
  // both); elsewhere it runs when first stepped, as always. Its error, if
  // any, is thrown by the statement it rode with.
  virtual void Prefetch() {}
};

enum class Dialect { kSqlite, kPostgres };

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // Returns a cached statement, reset, with bindings cleared. The reference
  // stays valid while the statement is in use (bound or being iterated, as
  // inside a Query's lifetime); idle statements may be dropped once many
  // distinct texts were prepared. Don't run the same SQL text again while
  // iterating it.
  virtual Statement& Prepare(std::string_view sql) = 0;
  // Runs one or more statements without results (DDL, pragmas).
  virtual void ExecScript(std::string_view sql) = 0;
  // Writers serialise up front: BEGIN IMMEDIATE on SQLite, a transaction-
  // scoped advisory lock on PostgreSQL.
  virtual void Begin() = 0;
  virtual void Commit() = 0;
  virtual void Rollback() = 0;
  // Brackets a run of reads that should see one snapshot (one HTTP request).
  // Besides consistency, this is a cost: SQLite takes and drops its WAL read
  // lock (fcntl + fstat, a process-wide mutex) around every statement run
  // outside a transaction, which was 9 of a patch detail request's 15
  // syscalls. Backends without that cost may keep the defaults.
  virtual void BeginRead() {}
  virtual void EndRead() {}
  // Runs `reads` outside the read snapshot, each statement on its own, when
  // the snapshot has read nothing yet and that costs less than reading in
  // it (PostgreSQL: no BEGIN and no ROLLBACK, for a request that may need
  // nothing but the current generation); the snapshot then starts with the
  // next statement, as before. False (`reads` not run) elsewhere.
  virtual bool ReadBeforeSnapshot(const std::function<void()>& /*reads*/) { return false; }
  // Durable = every commit is on disk before it returns (parsemail: the MTA
  // may delete the mail once we exit 0). Otherwise commits survive a process
  // crash but maybe not a power loss (bulk archive imports).
  virtual void SetDurable(bool durable) = 0;
  // On during a bulk load (db::SetBulkLoad): the backend may gather
  // consecutive file writes into fewer system calls, as long as each is in
  // the kernel before anything depends on it (SQLite: coalescing_vfs.h).
  virtual void GatherWrites(bool /*on*/) {}
  // Bulk append inside the caller's transaction: `copy_sql` is
  // "COPY table (columns) FROM STDIN", `rows` that many columns per row in
  // COPY text format (db/copy_text.h). Only where CanCopyIn() (PostgreSQL);
  // elsewhere callers insert row by row, which costs SQLite no round trips.
  virtual bool CanCopyIn() const { return false; }
  virtual void CopyIn(std::string_view /*copy_sql*/, std::string_view /*rows*/) {
    throw DbError(DbError::Kind::kGeneric, "COPY is not available on this backend");
  }
  // Number of statements executed so far (not counting BeginRead/EndRead);
  // tests use it to assert a constant query count per request.
  virtual int64_t statements_executed() const = 0;
  // Waits for every statement queued by Statement::Send and throws the first
  // one's error: the end of a mail's savepoint, so a failure is that mail's.
  virtual void Sync() {}
  // Whether statements sent with Statement::Send still wait for their answer.
  virtual bool HasUnsyncedWrites() const { return false; }
  // A count that grows whenever a statement on this connection may have
  // inserted, updated or deleted a row, kept by the client (no round trip):
  // rows a synchronous write reports changed, plus one for every write sent
  // with Statement::Send (its count is not read). nullopt where the backend
  // keeps no such count (SQLite has total_changes(), see db/bulk_load.h).
  virtual std::optional<int64_t> WritesCounted() const { return std::nullopt; }

  // Commit notifications between processes (PostgreSQL LISTEN/NOTIFY).
  // Listen subscribes this connection to `channel` (kept across reconnects)
  // and is false on backends without notifications: callers poll instead.
  // WaitForNotification blocks up to `timeout_ms` and is true when at least
  // one notification arrived (all pending ones are consumed).
  virtual bool Listen(std::string_view /*channel*/) { return false; }
  virtual bool WaitForNotification(int /*timeout_ms*/) { return false; }
};

// Opens a backend from a URL: "sqlite:///abs/path.db", "sqlite://relative.db",
// a bare path (SQLite), or "postgresql://user:pass@host:port/dbname" /
// "postgresql:///dbname?host=/run/postgresql" (PostgreSQL, any libpq URI).
std::unique_ptr<Connection> Open(const std::string& url);

// RAII transaction: rolls back unless Commit() was called.
class Transaction {
 public:
  explicit Transaction(Connection& c) : c_(c) { c_.Begin(); }
  ~Transaction() {
    if (!done_) {
      try { c_.Rollback(); } catch (...) {}
    }
  }
  void Commit() { c_.Commit(); done_ = true; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

 private:
  Connection& c_;
  bool done_ = false;
};

// RAII read snapshot (see Connection::BeginRead). Don't start a write
// Transaction inside one.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Connection& c) : c_(c) { c_.BeginRead(); }
  ~ReadSnapshot() {
    try { c_.EndRead(); } catch (...) {}
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Connection& c_;
};

// Convenience wrapper: binds arguments in order and iterates rows.
//   Query q(conn, "SELECT id, name FROM projects WHERE linkname = ?1", linkname);
//   while (q.Next()) use(q.Int(0), q.Text(1));
// Query's tag for arguments that outlive it (a write run in one expression,
// as db/insert_id.h does): their texts and bytes are bound without a copy.
struct TextsOutliveQuery {};
// Query's argument for bytes that may hold NULs or invalid UTF-8 (a raw
// mail): bound as a blob, not as text.
struct Bytes {
  std::string_view data;
};

class Query {
 public:
  template <typename... Args>
  Query(Connection& c, std::string_view sql, const Args&... args) : st_(c.Prepare(sql)) {
    int i = 1;
    (Bind(i++, args), ...);
  }
  template <typename... Args>
  Query(Connection& c, TextsOutliveQuery, std::string_view sql, const Args&... args)
      : st_(c.Prepare(sql)), static_texts_(true) {
    int i = 1;
    (Bind(i++, args), ...);
  }
  ~Query() { st_.Reset(); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  bool Next() { return st_.Step(); }
  // Runs a statement without result rows; returns rows changed.
  int64_t Run() { while (st_.Step()) {} return st_.Changes(); }
  // A write whose outcome is not needed now (see Statement::Send).
  void Send() { st_.Send(); }
  bool IsNull(int c) { return st_.IsNull(c); }
  int64_t Int(int c) { return st_.Int(c); }
  std::string_view Text(int c) { return st_.Text(c); }
  std::string_view Blob(int c) { return st_.Blob(c); }
  std::string Str(int c) { return std::string(st_.Text(c)); }
  std::optional<int64_t> OptInt(int c) {
    if (st_.IsNull(c)) return std::nullopt;
    return st_.Int(c);
  }
  std::optional<std::string> OptStr(int c) {
    if (st_.IsNull(c)) return std::nullopt;
    return std::string(st_.Text(c));
  }

  void Bind(int i, std::nullopt_t) { st_.BindNull(i); }
  template <typename T>
    requires std::is_integral_v<T>
  void Bind(int i, T v) { st_.BindInt(i, static_cast<int64_t>(v)); }
  void Bind(int i, std::string_view v) {
    if (static_texts_) st_.BindTextStatic(i, v);
    else st_.BindText(i, v);
  }
  void Bind(int i, const std::string& v) { Bind(i, std::string_view(v)); }
  void Bind(int i, const char* v) { Bind(i, std::string_view(v)); }
  void Bind(int i, Bytes v) {
    if (static_texts_) st_.BindBlobStatic(i, v.data);
    else st_.BindBlob(i, v.data);
  }
  template <typename T>
  void Bind(int i, const std::optional<T>& v) {
    if (v) Bind(i, *v); else st_.BindNull(i);
  }

 private:
  Statement& st_;
  bool static_texts_ = false;
};

// Portable "IN (...)" for a batch of ids. The placeholder count is rounded up
// to a power of two (BindIdList pads by repeating the last id), so a query
// shape has only a handful of distinct texts in the statement cache, whatever
// the batch sizes. Returns e.g. "?3,?4,?5,?6" for 3 ids starting at ?3.
size_t IdListSize(size_t count);
std::string IdListPlaceholders(size_t count, int first_index);
template <typename Ids>
void BindIdList(Query& q, const Ids& ids, int first_index) {
  size_t n = IdListSize(ids.size());
  int64_t last = 0;
  size_t i = 0;
  for (auto id : ids) {
    last = static_cast<int64_t>(id);
    q.Bind(first_index + static_cast<int>(i++), last);
  }
  for (; i < n; ++i) q.Bind(first_index + static_cast<int>(i), last);
}

// Runs a query expected to yield one integer (e.g. "INSERT ... RETURNING id").
template <typename... Args>
std::optional<int64_t> QueryInt(Connection& c, std::string_view sql, const Args&... args) {
  Query q(c, sql, args...);
  if (!q.Next() || q.IsNull(0)) return std::nullopt;
  return q.Int(0);
}

}  // namespace pb::db
