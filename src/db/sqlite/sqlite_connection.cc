#include "db/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <unordered_map>

namespace pb::db {
namespace {

[[noreturn]] void Fail(sqlite3* db, int rc, std::string_view what) {
  int base = rc & 0xff;
  auto kind = base == SQLITE_CONSTRAINT ? DbError::Kind::kConstraint
              : (base == SQLITE_BUSY || base == SQLITE_LOCKED) ? DbError::Kind::kBusy
                                                               : DbError::Kind::kGeneric;
  throw DbError(kind, std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* st, int64_t* counter)
      : db_(db), st_(st), counter_(counter) {}
  ~SqliteStatement() override { sqlite3_finalize(st_); }

  void BindNull(int i) override { Check(sqlite3_bind_null(st_, i)); }
  void BindInt(int i, int64_t v) override { Check(sqlite3_bind_int64(st_, i, v)); }
  // SQLite binds NULL for a null data pointer, which an empty default
  // std::string_view has: text and blobs are never NULL by accident.
  void BindText(int i, std::string_view v) override {
    Check(sqlite3_bind_text64(st_, i, v.data() ? v.data() : "", v.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8));
  }
  void BindBlob(int i, std::string_view v) override {
    Check(sqlite3_bind_blob64(st_, i, v.data() ? v.data() : "", v.size(), SQLITE_TRANSIENT));
  }
  std::string_view Blob(int c) override {
    auto p = static_cast<const char*>(sqlite3_column_blob(st_, c));
    if (!p) return {};
    return {p, static_cast<size_t>(sqlite3_column_bytes(st_, c))};
  }
  bool Step() override {
    if (!started_) {
      started_ = true;
      ++*counter_;
    }
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    int err = rc;
    sqlite3_reset(st_);
    Fail(db_, err, "step");
  }
  void Reset() override {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
    started_ = false;
    in_use_ = false;
  }
  // Handed out by Prepare; free again after Reset (a Query's destructor).
  void Acquire() { in_use_ = true; }
  bool IsNull(int c) override { return sqlite3_column_type(st_, c) == SQLITE_NULL; }
  int64_t Int(int c) override { return sqlite3_column_int64(st_, c); }
  std::string_view Text(int c) override {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(st_, c));
    if (!p) return {};
    return {p, static_cast<size_t>(sqlite3_column_bytes(st_, c))};
  }
  int64_t Changes() override { return sqlite3_changes64(db_); }
  bool idle() const { return !in_use_; }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK) Fail(db_, rc, "bind");
  }
  sqlite3* db_;
  sqlite3_stmt* st_;
  int64_t* counter_;
  bool started_ = false;
  bool in_use_ = false;
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const std::string& path, bool read_only) {
    int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = "cannot open " + path + ": " +
                        (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
      sqlite3_close(db_);
      db_ = nullptr;
      throw DbError(DbError::Kind::kGeneric, msg);
    }
    // Writers queue on SQLite's one write lock; an archive batch may hold it
    // for seconds on a loaded machine, and failing a mail is worse than waiting.
    sqlite3_busy_timeout(db_, 60000);
    // Someone else's database (an import source) is read as it is: switching
    // it to WAL would change the file.
    if (read_only) {
      ExecScript("PRAGMA query_only=ON; PRAGMA cache_size=-16384;");
      return;
    }
    ExecScript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        // 16 MB of page cache per connection and no mmap: mapped pages of a
        // large database count as the server's RSS; the OS page cache
        // serves re-reads just as well.
        "PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY;");
  }
  ~SqliteConnection() override {
    cache_.clear();
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Statement& Prepare(std::string_view sql) override {
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
      it->second->Reset();
      it->second->Acquire();
      return *it->second;
    }
    if (cache_.size() >= kMaxCachedStatements) EvictIdle();
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &st, nullptr);
    if (rc != SQLITE_OK) Fail(db_, rc, "prepare " + std::string(sql.substr(0, 200)));
    auto owned = std::make_unique<SqliteStatement>(db_, st, &executed_);
    auto& ref = *owned;
    ref.Acquire();
    cache_.emplace(std::string(sql), std::move(owned));
    return ref;
  }

  // Filters build SQL from what a client asks for, so the set of texts is
  // open-ended; dropping idle statements keeps memory bounded. A statement
  // handed out and not yet reset (bound or being iterated) is never dropped.
  void EvictIdle() {
    for (auto it = cache_.begin(); it != cache_.end();) {
      if (it->second->idle()) it = cache_.erase(it);
      else ++it;
    }
  }

  void ExecScript(std::string_view sql) override {
    std::string s(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
    ++executed_;
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      Fail(nullptr, rc, "exec: " + msg);
    }
  }

  void Begin() override {
    // A write inside a read snapshot ends the snapshot: the writer must see
    // the latest data, and SQLite cannot upgrade a read transaction that
    // is behind the WAL head.
    if (read_snapshot_) EndRead();
    Prepare("BEGIN IMMEDIATE").Step();
  }
  void Commit() override { Prepare("COMMIT").Step(); }
  void Rollback() override { Prepare("ROLLBACK").Step(); }
  // A deferred BEGIN takes the read lock at the first SELECT and keeps it to
  // the end. Ending with ROLLBACK rather than COMMIT also works after a
  // failed statement inside.
  void BeginRead() override {
    if (read_snapshot_ || !sqlite3_get_autocommit(db_)) return;
    Prepare("BEGIN").Step();
    --executed_;  // bracketing, not a query: statement-count tests ignore it
    read_snapshot_ = true;
  }
  void EndRead() override {
    if (!read_snapshot_) return;
    read_snapshot_ = false;
    if (!sqlite3_get_autocommit(db_)) {
      Prepare("ROLLBACK").Step();
      --executed_;
    }
  }
  void SetDurable(bool durable) override {
    ExecScript(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  }
  int64_t statements_executed() const override { return executed_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static constexpr size_t kMaxCachedStatements = 512;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>, Hash, std::equal_to<>> cache_;
  int64_t executed_ = 0;
  bool read_snapshot_ = false;
};

}  // namespace

std::unique_ptr<Connection> OpenSqlite(const std::string& path, bool read_only) {
  // Memory statistics make every sqlite3_malloc take one process-wide
  // mutex, which server threads then contend on; nothing here reads them.
  // Configuration is only allowed before the library initialises.
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return sqlite3_initialize() == SQLITE_OK;
  }();
  (void)configured;
  return std::make_unique<SqliteConnection>(path, read_only);
}

}  // namespace pb::db
