#include "db/postgres/pg_connection.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "db/postgres/libpq.h"
#include "db/postgres/pg_sql.h"

namespace pb::db {
namespace {

constexpr Oid kBoolOid = 16, kByteaOid = 17, kInt8Oid = 20, kTextOid = 25;

// What BEGIN IMMEDIATE gives on SQLite: one writer at a time, decided up
// front, so "look up the series, then insert" cannot interleave with another
// ingester. READ COMMITTED then lets each statement see every earlier commit.
constexpr const char* kBeginWrite =
    "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(7050726)";
// One snapshot for a whole request, as the SQLite read transaction gives.
constexpr const char* kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

// SQLSTATEs meaning "the server is not there right now": connection
// exceptions (08), admin/crash shutdown and startup (57P01-57P03),
// too many connections (53300).
bool IsUnavailable(const char* state) {
  if (!state) return false;
  return std::strncmp(state, "08", 2) == 0 || std::strncmp(state, "57P0", 4) == 0 ||
         std::strcmp(state, "53300") == 0;
}

DbError::Kind KindOf(PGconn* conn, const PGresult* res) {
  if (Pq().PQstatus(conn) == CONNECTION_BAD) return DbError::Kind::kUnavailable;
  const char* state = res ? Pq().PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  if (!state) return DbError::Kind::kGeneric;
  if (std::strncmp(state, "23", 2) == 0) return DbError::Kind::kConstraint;
  if (std::strcmp(state, "40001") == 0 || std::strcmp(state, "40P01") == 0 ||
      std::strcmp(state, "55P03") == 0) {
    return DbError::Kind::kBusy;
  }
  if (IsUnavailable(state)) return DbError::Kind::kUnavailable;
  return DbError::Kind::kGeneric;
}

std::string Trimmed(const char* message) {
  std::string m = message ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

class PgConnection;

class PgStatement final : public Statement {
 public:
  PgStatement(PgConnection* conn, std::string_view sql)
      : conn_(conn), sql_(TranslatePlaceholders(sql)), params_(sql_.params) {}
  ~PgStatement() override {
    if (res_) Pq().PQclear(res_);
    DropPrefetch();
  }

  void BindNull(int i) override { Param(i) = {Kind::kNull, {}}; }
  void BindInt(int i, int64_t v) override {
    uint64_t u = static_cast<uint64_t>(v);
    std::string bytes(8, '\0');
    for (int b = 7; b >= 0; --b, u >>= 8) bytes[b] = static_cast<char>(u & 0xff);
    Param(i) = {Kind::kInt, std::move(bytes)};
  }
  void BindText(int i, std::string_view v) override { Param(i) = {Kind::kText, std::string(v)}; }
  void BindBlob(int i, std::string_view v) override { Param(i) = {Kind::kBlob, std::string(v)}; }

  bool Step() override;
  void Send() override;
  void Prefetch() override;
  void Reset() override {
    for (auto& p : params_) p = {Kind::kNull, {}};
    if (res_) Pq().PQclear(res_);
    res_ = nullptr;
    DropPrefetch();
    started_ = false;
    in_use_ = false;
    row_ = -1;
  }
  // A list page reads ~1,500 cells, each through several of these: they
  // use the result's shape kept by Step (TakeResult) and the library's
  // table held by pq_, instead of asking libpq for the row count, field
  // count and type on every call behind Pq()'s once-only guard. That, and
  // strtoll, were a fifth of patchbay's instructions per rendered events
  // page (docs/performance.md §9l).
  bool IsNull(int c) override { return !Valid(c) || pq_.PQgetisnull(res_, row_, c); }
  int64_t Int(int c) override {
    if (IsNull(c)) return 0;
    const char* v = pq_.PQgetvalue(res_, row_, c);
    if (ftypes_[c] == kBoolOid) return v[0] == 't' ? 1 : 0;
    return ParseInt(v);
  }
  std::string_view Text(int c) override {
    if (IsNull(c)) return {};
    if (ftypes_[c] == kByteaOid) return Decoded(c);
    return {pq_.PQgetvalue(res_, row_, c), static_cast<size_t>(pq_.PQgetlength(res_, row_, c))};
  }
  std::string_view Blob(int c) override { return Text(c); }
  int64_t Changes() override { return res_ ? std::strtoll(Pq().PQcmdTuples(res_), nullptr, 10) : 0; }

  void Acquire() { in_use_ = true; }
  bool idle() const { return !in_use_; }
  bool IsPreparedFor(const std::string& sig) const {
    for (auto& [s, name] : prepared_) {
      if (s == sig) return true;
    }
    return false;
  }
  // The server forgot its prepared statements (a new session).
  void Unprepare() { prepared_.clear(); }
  // The names this statement is prepared under, to DEALLOCATE on eviction.
  std::vector<std::string> PreparedNames() const {
    std::vector<std::string> out;
    for (auto& [sig, name] : prepared_) out.push_back(name);
    return out;
  }

 private:
  friend class PgConnection;
  enum class Kind : char { kNull = 'n', kInt = 'i', kText = 't', kBlob = 'b' };
  struct Value {
    Kind kind = Kind::kNull;
    std::string bytes;
  };
  Value& Param(int i) {
    if (i < 1) throw DbError(DbError::Kind::kGeneric, "placeholder index out of range");
    if (static_cast<size_t>(i) > params_.size()) params_.resize(i);
    return params_[i - 1];
  }
  bool Valid(int c) const { return res_ && row_ >= 0 && row_ < ntuples_ && c >= 0 && c < nfields_; }
  // res_ = res, and its shape for Valid, Int and Text.
  void TakeResult(PGresult* res) {
    res_ = res;
    ntuples_ = nfields_ = 0;
    if (!res_) return;
    ntuples_ = pq_.PQntuples(res_);
    nfields_ = pq_.PQnfields(res_);
    ftypes_.resize(static_cast<size_t>(nfields_));
    for (int i = 0; i < nfields_; ++i) ftypes_[static_cast<size_t>(i)] = pq_.PQftype(res_, i);
  }
  // PostgreSQL's text form of an integer: [-]digits. Anything else (or more
  // digits than surely fit) goes to strtoll, so the value is strtoll's.
  static int64_t ParseInt(const char* v) {
    const char* p = v + (*v == '-' ? 1 : 0);
    int64_t n = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; ++p, ++digits) n = n * 10 + (*p - '0');
    if (digits == 0 || digits > 18) return std::strtoll(v, nullptr, 10);
    return *v == '-' ? -n : n;
  }
  std::string_view Decoded(int c) {
    if (decoded_.size() < static_cast<size_t>(nfields_)) decoded_.resize(static_cast<size_t>(nfields_));
    auto& out = decoded_[c];
    out.clear();
    const char* v = Pq().PQgetvalue(res_, row_, c);
    size_t n = Pq().PQgetlength(res_, row_, c);
    if (n >= 2 && v[0] == '\\' && v[1] == 'x') {
      out.reserve((n - 2) / 2);
      for (size_t i = 2; i + 1 < n; i += 2) {
        out += static_cast<char>(HexValue(v[i]) << 4 | HexValue(v[i + 1]));
      }
    } else {  // bytea_output = escape
      size_t len = 0;
      unsigned char* raw = Pq().PQunescapeBytea(reinterpret_cast<const unsigned char*>(v), &len);
      if (raw) {
        out.assign(reinterpret_cast<char*>(raw), len);
        Pq().PQfreemem(raw);
      }
    }
    return out;
  }
  // One character per placeholder: the parameter types this execution needs.
  std::string Signature() const {
    std::string sig(sql_.params, 'n');
    for (int i = 0; i < sql_.params && i < static_cast<int>(params_.size()); ++i) {
      sig[i] = static_cast<char>(params_[i].kind);
    }
    return sig;
  }

  // Forgets a prefetch: its answer, or its place in the pipeline.
  void DropPrefetch();

  // Statements exist only on a PgConnection, which exists only once libpq
  // was loaded: the table is there for the statement's lifetime.
  const LibPq& pq_ = Pq();
  PgConnection* conn_;
  PgSql sql_;
  std::vector<Value> params_;
  // Prepared once per parameter-type signature (almost always exactly one).
  std::vector<std::pair<std::string, std::string>> prepared_;
  PGresult* res_ = nullptr;
  int row_ = -1;
  int ntuples_ = 0, nfields_ = 0;  // of res_
  std::vector<Oid> ftypes_;        // of res_'s fields
  bool started_ = false;
  bool in_use_ = false;
  // Prefetch: sent, and its answer not taken by Step yet. The answer is in
  // prefetched_res_ once the pipeline it went in was read (prefetch_read_).
  bool prefetched_ = false;
  bool prefetch_read_ = false;
  PGresult* prefetched_res_ = nullptr;
  std::vector<std::string> decoded_;
};

class PgConnection final : public Connection {
 public:
  explicit PgConnection(const std::string& conninfo) : conninfo_(conninfo) {
    try {
      Connect();
    } catch (...) {
      // A constructor that throws gets no destructor call: free the failed attempt here.
      Pq().PQfinish(conn_);
      throw;
    }
  }
  ~PgConnection() override {
    cache_.clear();
    if (conn_) Pq().PQfinish(conn_);
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Statement& Prepare(std::string_view sql) override {
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
      it->second->Reset();
      it->second->Acquire();
      return *it->second;
    }
    if (cache_.size() >= kMaxCachedStatements) EvictIdle();
    auto owned = std::make_unique<PgStatement>(this, sql);
    auto& ref = *owned;
    ref.Acquire();
    cache_.emplace(std::string(sql), std::move(owned));
    return ref;
  }

  void ExecScript(std::string_view sql) override {
    ++executed_;
    ++writes_;  // a script's changes are not counted: assume some
    Run(std::string(sql), "exec");
  }

  void Begin() override {
    if (read_snapshot_) EndRead();
    ++executed_;
    Run(kBeginWrite, "begin");
    in_write_ = true;
  }
  void Commit() override {
    ++executed_;
    in_write_ = false;
    Sync();
    PGresult* res = Simple("COMMIT", "commit");
    // COMMIT of a failed transaction "succeeds" as a ROLLBACK.
    bool rolled_back = std::strcmp(Pq().PQcmdStatus(res), "ROLLBACK") == 0;
    Pq().PQclear(res);
    if (rolled_back) throw DbError(DbError::Kind::kGeneric, "commit: the transaction was aborted");
  }
  void Rollback() override {
    ReadRollback();
    ++executed_;
    in_write_ = false;
    try { Sync(); } catch (const DbError&) {}  // rolled back with the rest
    // A lost connection took its transaction with it.
    if (Pq().PQstatus(conn_) != CONNECTION_OK) return;
    Run("ROLLBACK", "rollback");
  }
  // The BEGIN of a read snapshot waits for the request's first statement
  // and goes in the same pipeline, so it costs no round trip of its own (a
  // request of six round trips had two for BEGIN and ROLLBACK); a request
  // that reads nothing sends neither.
  void BeginRead() override {
    // A ROLLBACK still on its way (SendRollback) ends the last snapshot
    // before this one's BEGIN, which goes behind it in the same pipeline.
    if (read_snapshot_ ||
        (!rollback_unread_ && Pq().PQstatus(conn_) == CONNECTION_OK && !Idle())) {
      return;
    }
    read_snapshot_ = true;
    begin_pending_ = true;
  }
  bool ReadBeforeSnapshot(const std::function<void()>& reads) override {
    if (!read_snapshot_ || !begin_pending_ || in_write_) return false;
    // As if the snapshot began after `reads`: they run in autocommit (an
    // implicit transaction each), and the pending BEGIN waits for the
    // next statement after them.
    read_snapshot_ = begin_pending_ = false;
    try {
      reads();
    } catch (...) {
      read_snapshot_ = begin_pending_ = true;  // EndRead sends nothing
      throw;
    }
    read_snapshot_ = begin_pending_ = true;
    return true;
  }
  void EndRead() override {
    if (!read_snapshot_) return;
    read_snapshot_ = false;
    if (begin_pending_) {
      begin_pending_ = false;
      return;
    }
    bool unread = !queued_.empty();
    if (unread) {
      // Prefetched reads nobody stepped (the request ended early): their
      // answers come before the ROLLBACK's, and ReadRollback drops them.
      // One of them may have failed, so that the server skipped the
      // ROLLBACK: read it now, while this request can still be told.
      unread_ += queued_.size();
      ClearQueue();
    }
    if (Pq().PQstatus(conn_) == CONNECTION_OK && !Idle()) SendRollback();
    if (unread) ReadRollback();
  }
  void SetDurable(bool durable) override {
    // Off: a commit returns before its WAL is flushed; a crash of the
    // server may lose the last moments, never corrupt anything.
    durable_ = durable;
    ExecScript(durable ? "SET synchronous_commit = on" : "SET synchronous_commit = off");
  }
  int64_t statements_executed() const override { return executed_; }
  void Sync() override {
    if (queued_.empty()) return;
    Pq().PQclear(SyncPipeline(false));
  }
  bool HasUnsyncedWrites() const override { return !queued_.empty(); }
  std::optional<int64_t> WritesCounted() const override { return writes_; }

  bool CanCopyIn() const override { return true; }
  void CopyIn(std::string_view copy_sql, std::string_view rows) override {
    ReadRollback();
    FlushPendingBegin();
    ++executed_;
    ++writes_;
    std::string sql(copy_sql);
    PGresult* res = Pq().PQexec(conn_, sql.c_str());
    if (Pq().PQresultStatus(res) != PGRES_COPY_IN) Throw(res, "copy: " + sql.substr(0, 200));
    Pq().PQclear(res);
    // libpq takes an int length: send big batches in pieces.
    constexpr size_t kPiece = 1 << 20;
    bool sent = true;
    for (size_t at = 0; sent && at < rows.size(); at += kPiece) {
      size_t n = std::min(kPiece, rows.size() - at);
      sent = Pq().PQputCopyData(conn_, rows.data() + at, static_cast<int>(n)) == 1;
    }
    // A failed send still ends the COPY, so the connection leaves COPY mode;
    // the server's error then comes back as the result.
    if (Pq().PQputCopyEnd(conn_, sent ? nullptr : "patchbay: sending rows failed") != 1) {
      throw DbError(DbError::Kind::kUnavailable,
                    "copy: " + Trimmed(Pq().PQerrorMessage(conn_)));
    }
    PGresult* failed = nullptr;
    while (PGresult* r = Pq().PQgetResult(conn_)) {
      if (Pq().PQresultStatus(r) != PGRES_COMMAND_OK && !failed) {
        failed = r;
      } else {
        Pq().PQclear(r);
      }
    }
    if (failed) Throw(failed, "copy: " + sql.substr(0, 200));
    last_idle_ = Idle();
  }

  bool Listen(std::string_view channel) override {
    FlushPendingBegin();
    Sync();
    std::string sql = "LISTEN \"" + std::string(channel) + "\"";
    Run(sql, "listen");
    listening_.push_back(std::move(sql));
    return true;
  }

  bool WaitForNotification(int timeout_ms) override {
    ReadRollback();
    Sync();
    ReconnectIfIdleAndLost();
    if (TakeNotifications()) return true;
    pollfd pfd{Pq().PQsocket(conn_), POLLIN, 0};
    int ready = ::poll(&pfd, 1, timeout_ms);
    if (ready < 0) return false;  // EINTR: the caller loops anyway
    if (ready > 0 && Pq().PQconsumeInput(conn_) == 0) {
      throw DbError(DbError::Kind::kUnavailable,
                    "waiting for notifications: " + Trimmed(Pq().PQerrorMessage(conn_)));
    }
    return TakeNotifications();
  }

  // Runs a prepared statement and counts the rows it changed.
  PGresult* Execute(PgStatement& st) {
    PGresult* res = ExecuteUncounted(st);
    const char* verb = Pq().PQcmdStatus(res);
    for (const char* write : {"INSERT", "UPDATE", "DELETE", "MERGE"}) {
      if (std::strncmp(verb, write, std::strlen(write)) == 0) {
        writes_ += std::strtoll(Pq().PQcmdTuples(res), nullptr, 10);
        break;
      }
    }
    return res;
  }

  // Reconnects first when the connection was lost outside a transaction
  // (nothing of the caller's is lost by that).
  PGresult* ExecuteUncounted(PgStatement& st) {
    ++executed_;
    std::string sig = st.Signature();
    if (begin_pending_) return BeginAndExecute(st, sig);
    if (!queued_.empty() || rollback_unread_) {
      // Behind queued writes: one more in the pipeline, and one round trip
      // for all of them.
      QueueInPipeline(st, sig);
      return SyncPipeline(true);
    }
    for (int attempt = 0;; ++attempt) {
      ReconnectIfIdleAndLost();
      bool was_idle = Idle();
      const std::string& name = EnsurePrepared(st, sig);
      Params p(st);
      PGresult* res = Pq().PQexecPrepared(conn_, name.c_str(), p.n, p.values.data(),
                                          p.lengths.data(), p.formats.data(), 0);
      auto status = Pq().PQresultStatus(res);
      if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        last_idle_ = Idle();
        return res;
      }
      if (attempt == 0 && was_idle && !read_snapshot_ && Pq().PQstatus(conn_) == CONNECTION_BAD) {
        Pq().PQclear(res);
        continue;
      }
      Throw(res, "step " + st.sql_.text.substr(0, 200));
    }
  }

  // The pending BEGIN of a read snapshot and `st` in one pipeline: one
  // round trip. A lost connection is made again first, as a synchronous
  // BEGIN would (nothing of the request's is lost yet).
  // libpq only learns that the server restarted when it next uses the
  // socket, so a connection idle through a restart still says
  // CONNECTION_OK: when the first use fails that way, connect and try once
  // more, as Simple does for a BEGIN of its own.
  PGresult* BeginAndExecute(PgStatement& st, const std::string& sig) {
    begin_pending_ = false;
    for (int attempt = 0;; ++attempt) {
      if (Pq().PQstatus(conn_) != CONNECTION_OK) Connect();
      try {
        // Preparing is synchronous: before the BEGIN is queued (and, the
        // first time only, after the last snapshot's ROLLBACK was read).
        if (!st.IsPreparedFor(sig)) ReadRollback();
        EnsurePrepared(st, sig);
        auto& begin = static_cast<PgStatement&>(Prepare(kBeginRead));
        if (!begin.IsPreparedFor(begin.Signature())) ReadRollback();
        EnsurePrepared(begin, begin.Signature());
        QueueInPipeline(begin, begin.Signature());
        begin.Reset();
        QueueInPipeline(st, sig);
        return SyncPipeline(true);
      } catch (const DbError&) {
        if (attempt > 0 || Pq().PQstatus(conn_) != CONNECTION_BAD) throw;
      }
    }
  }

  // A statement that is not a pipelined query (a script, COPY, LISTEN) in
  // a read snapshot whose BEGIN is still pending: BEGIN first, on its own.
  void FlushPendingBegin() {
    if (!begin_pending_) return;
    begin_pending_ = false;
    Run(kBeginRead, "begin read");
  }

  // Statement::Prefetch: queued in the pipeline without a sync, inside a
  // read snapshot. A pending BEGIN goes first in the same pipeline, so a
  // request whose statements are all known up front (a patch, its checks,
  // the generation) waits once in all. A connection that died while idle
  // (a server restart) shows only when that pipeline is read: the request
  // fails as unavailable and HandleApiRequest runs it once more on a new
  // connection, as BeginAndExecute reconnects for a statement stepped
  // first. False: not sent; the statement runs when stepped.
  bool Prefetch(PgStatement& st) {
    if (in_write_ || !read_snapshot_ || Pq().PQstatus(conn_) != CONNECTION_OK) return false;
    std::string sig = st.Signature();
    if (begin_pending_) {
      // Preparing is synchronous: before anything is queued (and, the
      // first time only, after the last snapshot's ROLLBACK was read).
      if (!st.IsPreparedFor(sig)) ReadRollback();
      EnsurePrepared(st, sig);
      auto& begin = static_cast<PgStatement&>(Prepare(kBeginRead));
      if (!begin.IsPreparedFor(begin.Signature())) ReadRollback();
      EnsurePrepared(begin, begin.Signature());
      begin_pending_ = false;
      QueueInPipeline(begin, begin.Signature());
      begin.Reset();
    }
    ++executed_;
    QueueInPipeline(st, sig);
    queued_.back().reader = &st;
    return true;
  }

  // The answer of a prefetched statement, reading its pipeline first if
  // nothing stepped since it was sent. The caller clears it.
  PGresult* TakePrefetched(PgStatement& st) {
    if (!st.prefetch_read_) Pq().PQclear(SyncPipeline(false));
    PGresult* res = st.prefetched_res_;
    st.prefetched_res_ = nullptr;
    st.prefetched_ = st.prefetch_read_ = false;
    if (!res) throw DbError(DbError::Kind::kGeneric, "pipeline: no answer for " + st.sql_.text.substr(0, 200));
    return res;
  }

  // A prefetched statement reset or destroyed before it was read: its
  // answer, when it comes, is dropped.
  void Forget(const PgStatement& st) {
    for (auto& q : queued_) {
      if (q.reader == &st) q.reader = nullptr;
    }
  }

  // Statement::Send: inside a write transaction, queued in the pipeline
  // without waiting; outside one (autocommit, where a failure must be seen
  // at once), run as usual.
  void Send(PgStatement& st) {
    if (!in_write_ || Pq().PQstatus(conn_) != CONNECTION_OK) {
      Pq().PQclear(Execute(st));
      return;
    }
    ++executed_;
    ++writes_;  // its count comes back unread
    QueueInPipeline(st, st.Signature());
  }

 private:
  // The parameter arrays libpq wants, pointing into the statement's values.
  struct Params {
    explicit Params(const PgStatement& st) : n(st.sql_.params), values(n), lengths(n), formats(n) {
      for (int i = 0; i < n && i < static_cast<int>(st.params_.size()); ++i) {
        auto& p = st.params_[i];
        if (p.kind == PgStatement::Kind::kNull) continue;
        values[i] = p.bytes.c_str();
        lengths[i] = static_cast<int>(p.bytes.size());
        formats[i] = p.kind == PgStatement::Kind::kText ? 0 : 1;
      }
    }
    int n;
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
  };

  // Sends one execution in pipeline mode (entered on the first). libpq
  // copies the parameters, so the statement can be reset and reused at once.
  void QueueInPipeline(PgStatement& st, const std::string& sig) {
    if (!st.IsPreparedFor(sig)) {
      // Preparing is synchronous: once per statement text and connection.
      // What is queued so far is read first; it may sit behind the last
      // snapshot's unread ROLLBACK (a BEGIN and a Prefetch), and SyncPipeline
      // reads that first too (ReadRollback alone would stop at the
      // ROLLBACK's sync and could not leave pipeline mode).
      Sync();
      ReadRollback();
      EnsurePrepared(st, sig);
    }
    // (After SendRollback the connection is still in pipeline mode.)
    if (queued_.empty() && Pq().PQenterPipelineMode(conn_) != 1) {
      throw DbError(KindOf(conn_, nullptr), "pipeline: " + Trimmed(Pq().PQerrorMessage(conn_)));
    }
    const std::string& name = EnsurePrepared(st, sig);
    Params p(st);
    queued_.push_back({&st.sql_.text, nullptr});
    if (Pq().PQsendQueryPrepared(conn_, name.c_str(), p.n, p.values.data(), p.lengths.data(),
                                 p.formats.data(), 0) != 1) {
      std::string msg = Trimmed(Pq().PQerrorMessage(conn_));
      AbandonPipeline();
      throw DbError(KindOf(conn_, nullptr), "pipeline send: " + msg);
    }
  }

  // Ends the pipeline with a sync and reads every queued statement's answer;
  // returns the last one's result when `keep_last` (the caller clears it),
  // else nullptr. Throws the first failure; the statements after it were
  // skipped by the server (the transaction is aborted anyway).
  PGresult* SyncPipeline(bool keep_last) {
    size_t expected = queued_.size();
    if (Pq().PQpipelineSync(conn_) != 1) {
      std::string msg = Trimmed(Pq().PQerrorMessage(conn_));
      AbandonPipeline();
      throw DbError(KindOf(conn_, nullptr), "pipeline sync: " + msg);
    }
    if (rollback_unread_ && !DrainRollback()) {
      AbandonPipeline();
      throw DbError(DbError::Kind::kUnavailable,
                    "pipeline: " + Trimmed(Pq().PQerrorMessage(conn_)));
    }
    PGresult* last = nullptr;
    PGresult* failure = nullptr;
    std::string failed_sql;
    size_t done = 0;  // statements whose results ended (a NULL after each)
    bool synced = false;
    while (!synced) {
      PGresult* res = Pq().PQgetResult(conn_);
      if (!res) {
        if (++done > expected || Pq().PQstatus(conn_) == CONNECTION_BAD) break;
        continue;
      }
      switch (Pq().PQresultStatus(res)) {
        case PGRES_PIPELINE_SYNC:
          synced = true;
          Pq().PQclear(res);
          break;
        case PGRES_FATAL_ERROR:
          if (!failure && done < expected) {
            failure = res;
            failed_sql = queued_[done].sql->substr(0, 200);
          } else {
            Pq().PQclear(res);
          }
          break;
        case PGRES_TUPLES_OK:
        case PGRES_COMMAND_OK:
          if (done < expected && queued_[done].reader) {
            PgStatement* reader = queued_[done].reader;
            if (reader->prefetched_res_) Pq().PQclear(reader->prefetched_res_);
            reader->prefetched_res_ = res;
          } else if (keep_last && done + 1 == expected) {
            if (last) Pq().PQclear(last);
            last = res;
          } else {
            Pq().PQclear(res);
          }
          break;
        default:  // PGRES_PIPELINE_ABORTED: skipped after a failure
          Pq().PQclear(res);
          break;
      }
    }
    ClearQueue();
    if (!synced || Pq().PQexitPipelineMode(conn_) != 1) {
      last_idle_ = false;
      if (last) Pq().PQclear(last);
      if (failure) Throw(failure, "step " + failed_sql);
      throw DbError(DbError::Kind::kUnavailable,
                    "pipeline: " + Trimmed(Pq().PQerrorMessage(conn_)));
    }
    last_idle_ = Idle();
    if (failure) {
      if (last) Pq().PQclear(last);
      Throw(failure, "step " + failed_sql);
    }
    if (keep_last && !last) {
      throw DbError(DbError::Kind::kGeneric, "pipeline: no result for the last statement");
    }
    return last;
  }

  // Empties the pipeline's list; a prefetched read whose answer did not
  // come (the pipeline failed) finds none when stepped.
  void ClearQueue() {
    for (auto& q : queued_) {
      if (q.reader) q.reader->prefetch_read_ = true;
    }
    queued_.clear();
  }

  // The ROLLBACK that ends a read snapshot, sent without waiting for its
  // answer: the request is done with the connection, and its next use reads
  // the answer first (by then it has arrived), so a read request waits for
  // one round trip less. It is sent at once, not held back for the next
  // request: a transaction left open while the connection idles would hold
  // back VACUUM and a migration's locks.
  void SendRollback() {
    if (Pq().PQenterPipelineMode(conn_) == 1 &&
        Pq().PQsendQueryParams(conn_, "ROLLBACK", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
        Pq().PQpipelineSync(conn_) == 1) {
      rollback_unread_ = true;
      return;
    }
    // The connection broke: the transaction went with it.
    rollback_unread_ = true;
    ReadRollback();
  }

  // Reads the answers up to SendRollback's sync, staying in pipeline mode,
  // so that a pipeline queued behind them reads them first and waits once
  // for all. False: the connection broke.
  bool DrainRollback() {
    rollback_unread_ = false;
    size_t ends = unread_ + 1;  // a NULL ends each statement's answers
    unread_ = 0;
    for (size_t empty = 0; empty <= ends;) {
      PGresult* res = Pq().PQgetResult(conn_);
      if (!res) {
        if (Pq().PQstatus(conn_) == CONNECTION_BAD) return false;
        ++empty;  // the end of ROLLBACK's results; PIPELINE_SYNC comes next
        continue;
      }
      bool synced = Pq().PQresultStatus(res) == PGRES_PIPELINE_SYNC;
      Pq().PQclear(res);
      if (synced) return true;
    }
    return false;
  }

  // Reads the answer of SendRollback's ROLLBACK, if one is due. A failure
  // here means the connection is gone, and the snapshot with it: nothing of
  // anyone's is lost, so the next statement just connects again.
  void ReadRollback() {
    if (!rollback_unread_) return;
    bool synced = DrainRollback();
    if (!synced || Pq().PQexitPipelineMode(conn_) != 1) {
      // Not recoverable on this connection: make the next use connect anew.
      if (Pq().PQstatus(conn_) == CONNECTION_OK) {
        Connect();
        return;
      }
    }
    last_idle_ = true;
    // A prefetched read that failed made the server skip the ROLLBACK too.
    if (Pq().PQstatus(conn_) == CONNECTION_OK && !Idle()) Run("ROLLBACK", "end read");
  }

  // After a failed send or sync (the connection broke): the transaction is
  // gone with it, and the next statement says so (ReconnectIfIdleAndLost).
  void AbandonPipeline() {
    ClearQueue();
    last_idle_ = false;
  }

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static constexpr size_t kMaxCachedStatements = 512;

  bool TakeNotifications() {
    bool any = false;
    while (PGnotify* n = Pq().PQnotifies(conn_)) {
      any = true;
      Pq().PQfreemem(n);
    }
    return any;
  }

  bool Idle() const {
    if (Pq().PQstatus(conn_) != CONNECTION_OK) return last_idle_;
    return Pq().PQtransactionStatus(conn_) == PQTRANS_IDLE;
  }

  // Connects, waiting while the server refuses for lack of free connection
  // slots (requests queue rather than fail) or is starting up.
  void Connect() {
    const char* keys[] = {"connect_timeout", "fallback_application_name", "client_encoding",
                          "dbname", nullptr};
    const char* values[] = {"5", "patchbay", "UTF8", conninfo_.c_str(), nullptr};
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (int delay_ms = 20;; delay_ms = std::min(delay_ms * 2, 1000)) {
      if (conn_) Pq().PQfinish(conn_);
      conn_ = Pq().PQconnectdbParams(keys, values, 1);
      if (conn_ && Pq().PQstatus(conn_) == CONNECTION_OK) break;
      std::string msg = conn_ ? Trimmed(Pq().PQerrorMessage(conn_)) : "out of memory";
      bool waitable = msg.find("too many") != std::string::npos ||
                      msg.find("remaining connection slots") != std::string::npos ||
                      msg.find("starting up") != std::string::npos;
      if (waitable && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        continue;
      }
      // A wrong password or database name will not fix itself; anything
      // else (refused, timed out, shutting down) is an outage.
      bool permanent = msg.find("authentication") != std::string::npos ||
                       msg.find("does not exist") != std::string::npos ||
                       msg.find("invalid") != std::string::npos;
      throw DbError(permanent ? DbError::Kind::kGeneric : DbError::Kind::kUnavailable,
                    "cannot connect to PostgreSQL: " + msg);
    }
    Pq().PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    rollback_unread_ = false;
    unread_ = 0;
    for (auto& [sql, st] : cache_) st->Unprepare();
    last_idle_ = true;
    // A new session listens to nothing: subscribe again. A notification
    // sent while we were away is lost; listeners re-read after Listen.
    for (const auto& sql : listening_) Pq().PQclear(Pq().PQexec(conn_, sql.c_str()));
    if (durable_) {  // a new session after a reconnect: settings again
      Pq().PQclear(Pq().PQexec(conn_, *durable_ ? "SET synchronous_commit = on" : "SET synchronous_commit = off"));
    }
  }

  void ReconnectIfIdleAndLost() {
    if (Pq().PQstatus(conn_) == CONNECTION_OK) return;
    if (!last_idle_ && !read_snapshot_) {
      throw DbError(DbError::Kind::kUnavailable, "the connection to PostgreSQL was lost");
    }
    Connect();
  }

  const std::string& EnsurePrepared(PgStatement& st, const std::string& sig) {
    for (auto& [s, name] : st.prepared_) {
      if (s == sig) return name;
    }
    int n = st.sql_.params;
    std::vector<Oid> types(n, 0);
    for (int i = 0; i < n; ++i) {
      types[i] = sig[i] == 'i' ? kInt8Oid : sig[i] == 'b' ? kByteaOid : 0;
    }
    std::string name = "s" + std::to_string(++names_);
    PGresult* res = Pq().PQprepare(conn_, name.c_str(), st.sql_.text.c_str(), n, types.data());
    if (Pq().PQresultStatus(res) != PGRES_COMMAND_OK) {
      // "could not determine data type of parameter": a NULL or text value
      // in a spot that says nothing of its type (`?1 IS NULL`); call it text.
      const char* state = Pq().PQresultErrorField(res, PG_DIAG_SQLSTATE);
      if (state && std::strcmp(state, "42P18") == 0) {
        Pq().PQclear(res);
        for (auto& t : types) {
          if (t == 0) t = kTextOid;
        }
        res = Pq().PQprepare(conn_, name.c_str(), st.sql_.text.c_str(), n, types.data());
      }
    }
    if (Pq().PQresultStatus(res) != PGRES_COMMAND_OK) Throw(res, "prepare " + st.sql_.text.substr(0, 200));
    Pq().PQclear(res);
    st.prepared_.emplace_back(sig, std::move(name));
    return st.prepared_.back().second;
  }

  // Simple-protocol command(s); returns the last result, which the caller
  // clears. A BEGIN starts afresh: if the server went away since the last
  // request (a restart), it reconnects and tries once more.
  PGresult* Simple(const std::string& sql, std::string_view what) {
    ReadRollback();
    FlushPendingBegin();
    Sync();
    bool begins = sql.starts_with("BEGIN");
    for (int attempt = 0;; ++attempt) {
      if (begins && Pq().PQstatus(conn_) != CONNECTION_OK) Connect();
      else ReconnectIfIdleAndLost();
      PGresult* res = Pq().PQexec(conn_, sql.c_str());
      auto status = Pq().PQresultStatus(res);
      if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
        last_idle_ = Idle();
        return res;
      }
      if (begins && attempt == 0 && Pq().PQstatus(conn_) == CONNECTION_BAD) {
        Pq().PQclear(res);
        continue;
      }
      Throw(res, std::string(what) + ": " + sql.substr(0, 200));
    }
  }
  void Run(const std::string& sql, std::string_view what) { Pq().PQclear(Simple(sql, what)); }

  [[noreturn]] void Throw(PGresult* res, const std::string& what) {
    auto kind = KindOf(conn_, res);
    std::string msg = Trimmed(res ? Pq().PQresultErrorMessage(res) : nullptr);
    if (msg.empty()) msg = Trimmed(Pq().PQerrorMessage(conn_));
    if (res) Pq().PQclear(res);
    throw DbError(kind, what + ": " + msg);
  }

  void EvictIdle() {
    ReadRollback();
    Sync();
    for (auto it = cache_.begin(); it != cache_.end();) {
      if (it->second->idle()) {
        if (Pq().PQstatus(conn_) == CONNECTION_OK) {
          for (auto& name : it->second->PreparedNames()) {
            Pq().PQclear(Pq().PQexec(conn_, ("DEALLOCATE " + name).c_str()));
          }
        }
        it = cache_.erase(it);
      } else {
        ++it;
      }
    }
  }

  std::string conninfo_;
  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<PgStatement>, Hash, std::equal_to<>> cache_;
  int64_t executed_ = 0;
  int64_t writes_ = 0;  // WritesCounted
  int64_t names_ = 0;
  bool read_snapshot_ = false;
  bool begin_pending_ = false;  // read_snapshot_'s BEGIN not sent yet (BeginRead)
  bool in_write_ = false;  // between Begin and Commit/Rollback: Send may queue
  // Each statement sent into the open pipeline, in order: its text, and for
  // a prefetched read the statement that takes its answer.
  struct Queued {
    const std::string* sql;
    PgStatement* reader;
  };
  std::vector<Queued> queued_;
  bool last_idle_ = true;
  bool rollback_unread_ = false;  // SendRollback's answer not read yet
  size_t unread_ = 0;  // answers of unread prefetches ahead of that ROLLBACK's
  std::optional<bool> durable_;
  std::vector<std::string> listening_;  // LISTEN commands to repeat after a reconnect
};

bool PgStatement::Step() {
  if (!started_) {
    started_ = true;
    if (res_) Pq().PQclear(res_);
    res_ = nullptr;
    TakeResult(prefetched_ ? conn_->TakePrefetched(*this) : conn_->Execute(*this));
    row_ = -1;
  }
  if (!res_) return false;
  ++row_;
  return row_ < ntuples_;
}

void PgStatement::Prefetch() {
  if (started_ || prefetched_) return;
  prefetched_ = conn_->Prefetch(*this);
  prefetch_read_ = false;
}

void PgStatement::DropPrefetch() {
  if (prefetched_ && !prefetch_read_) conn_->Forget(*this);
  if (prefetched_res_) Pq().PQclear(prefetched_res_);
  prefetched_res_ = nullptr;
  prefetched_ = prefetch_read_ = false;
}

void PgStatement::Send() {
  if (res_) Pq().PQclear(res_);
  res_ = nullptr;
  started_ = true;  // nothing to step through
  row_ = -1;
  conn_->Send(*this);
}

}  // namespace

std::unique_ptr<Connection> OpenPostgres(const std::string& conninfo) {
  std::string error;
  if (!LoadLibPq(&error)) throw DbError(DbError::Kind::kGeneric, "PostgreSQL: " + error);
  return std::make_unique<PgConnection>(conninfo);
}

}  // namespace pb::db
