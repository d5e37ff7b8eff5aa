#include "db/sqlite/sqlite_connection.h"

#include "db/sqlite/coalescing_vfs.h"

#include <fcntl.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
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
  // SQLite then refers to the caller's bytes until the statement is reset
  // (Reset clears the bindings): a patch's headers, message and diff are
  // not copied once more before SQLite builds its record from them.
  void BindTextStatic(int i, std::string_view v) override {
    Check(sqlite3_bind_text64(st_, i, v.data() ? v.data() : "", v.size(), SQLITE_STATIC,
                              SQLITE_UTF8));
  }
  void BindBlob(int i, std::string_view v) override {
    Check(sqlite3_bind_blob64(st_, i, v.data() ? v.data() : "", v.size(), SQLITE_TRANSIENT));
  }
  // As BindTextStatic: a held or failed mail's raw bytes are not copied
  // once more before SQLite builds its record from them.
  void BindBlobStatic(int i, std::string_view v) override {
    Check(sqlite3_bind_blob64(st_, i, v.data() ? v.data() : "", v.size(), SQLITE_STATIC));
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
  static constexpr int kBusyTimeoutMs = 60000;

  SqliteConnection(const std::string& path, bool read_only) {
    int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    // Writers open through the coalescing VFS, which passes every call
    // straight through until GatherWrites(true).
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX,
                             read_only ? nullptr : CoalescingVfsName());
    if (rc != SQLITE_OK) {
      std::string msg = "cannot open " + path + ": " +
                        (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
      sqlite3_close(db_);
      db_ = nullptr;
      throw DbError(DbError::Kind::kGeneric, msg);
    }
    // Writers queue on SQLite's one write lock; an archive batch may hold it
    // for seconds on a loaded machine, and failing a mail is worse than waiting.
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    // Someone else's database (an import source) is read as it is: switching
    // it to WAL would change the file.
    if (read_only) {
      ExecScript("PRAGMA query_only=ON; PRAGMA cache_size=-" + std::to_string(kSqliteCacheKiB));
      return;
    }
    AskForWal();
    ExecScript(
        "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        // 16 MB of page cache per connection and no mmap: mapped pages of a
        // large database count as the server's RSS; the OS page cache
        // serves re-reads just as well.
        "PRAGMA cache_size=-" + std::to_string(kSqliteCacheKiB) + "; PRAGMA temp_store=MEMORY;");
  }
  // Every read-write connection asks for WAL. An archive import that had the
  // database to itself runs it with a rollback journal (db::SetBulkLoad);
  // switching back then needs the write lock, and while the import holds it
  // SQLite answers SQLITE_BUSY at once rather than calling the busy handler
  // (this connection holds a read lock by then, and waiting with it could
  // deadlock). So the switch is retried for as long as the busy timeout
  // would have waited; the import follows into WAL mode at its next batch.
  void AskForWal() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
    for (int delay_ms = 1;; delay_ms = std::min(delay_ms * 2, 50)) {
      int rc = sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
      if (rc == SQLITE_OK) return;
      if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) {
        Fail(db_, rc, "exec: PRAGMA journal_mode=WAL");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    }
  }

  ~SqliteConnection() override {
    if (inotify_ >= 0) ::close(inotify_);
    cache_.clear();
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Statement& Prepare(std::string_view sql) override {
    // Most texts are literals, passed from the same address each time: a
    // slot per address remembers their statement, and comparing the text
    // costs less than hashing it for the map (an archive import prepares
    // ~9 statements per mail). Other texts just miss.
    Recent& slot = recent_[(reinterpret_cast<uintptr_t>(sql.data()) >> 3) % kRecent];
    SqliteStatement* found = nullptr;
    if (slot.data == sql.data() && *slot.key == sql) {
      found = slot.statement;
    } else if (auto it = cache_.find(sql); it != cache_.end()) {
      found = it->second.get();
      slot = {sql.data(), &it->first, found};
    }
    if (found) {
      // A Query's end resets its statement; one handed out directly and
      // not reset yet is reset here.
      if (!found->idle()) found->Reset();
      found->Acquire();
      return *found;
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
    recent_ = {};
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
  void Commit() override {
    Prepare("COMMIT").Step();
    // Committed and visible: tell listeners (see Listen). One syscall per
    // write transaction; no WAL file means no listener can be waiting, and
    // there is nothing to do about a failure (listeners also poll).
    if (wal_path_.empty()) wal_path_ = WalPath();
    if (!wal_path_.empty()) ::utimensat(AT_FDCWD, wal_path_.c_str(), nullptr, 0);
  }
  void Rollback() override { Prepare("ROLLBACK").Step(); }

  // SQLite has no NOTIFY. Every write transaction, once committed, touches
  // the WAL file's times (Commit above), and a listener (the event hub)
  // watches the database's directory with inotify for that attribute
  // change: a commit wakes it at once instead of at its next poll. The
  // directory, not the file, so that a WAL removed and created again is
  // still seen; the attributes, not the writes, because the WAL is written
  // before the commit becomes visible. A wake-up may find no new event
  // (any write rings); the caller then just looks and waits again.
  bool Listen(std::string_view) override {
    if (inotify_ >= 0) return true;
    std::string wal = WalPath();
    if (wal.empty() || sqlite3_db_readonly(db_, "main") == 1) return false;
    // Only in WAL mode is there a WAL file for writers to touch.
    sqlite3_stmt* mode = nullptr;
    bool wal_mode = sqlite3_prepare_v2(db_, "PRAGMA journal_mode", -1, &mode, nullptr) == SQLITE_OK &&
                    sqlite3_step(mode) == SQLITE_ROW &&
                    sqlite3_column_text(mode, 0) &&
                    std::strcmp(reinterpret_cast<const char*>(sqlite3_column_text(mode, 0)), "wal") == 0;
    sqlite3_finalize(mode);
    if (!wal_mode) return false;
    size_t slash = wal.rfind('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : wal.substr(0, slash);
    wal_name_ = slash == std::string::npos ? wal : wal.substr(slash + 1);
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) return false;
    if (inotify_add_watch(fd, dir.c_str(), IN_ATTRIB) < 0) {
      ::close(fd);
      return false;
    }
    inotify_ = fd;
    return true;
  }
  bool WaitForNotification(int timeout_ms) override {
    if (inotify_ < 0) return false;
    pollfd p{inotify_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    bool rang = false;
    alignas(inotify_event) char buf[4096];
    for (;;) {
      ssize_t n = ::read(inotify_, buf, sizeof buf);
      if (n <= 0) break;
      for (ssize_t at = 0; at < n;) {
        const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
        // A lost event (queue overflow) may have been ours: look anyway.
        if ((e->mask & IN_Q_OVERFLOW) || (e->len && wal_name_ == e->name)) rang = true;
        at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
      }
    }
    return rang;
  }
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
  void GatherWrites(bool on) override {
    int arg = on ? 1 : 0;
    int rc = sqlite3_file_control(db_, "main", kFcntlCoalesceWrites, &arg);
    // NOTFOUND: opened without the coalescing VFS (read-only), nothing gathered.
    if (rc != SQLITE_OK && rc != SQLITE_NOTFOUND) Fail(db_, rc, "gather writes");
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
  struct Recent {
    const char* data = nullptr;       // where the text was passed from
    const std::string* key = nullptr;  // the text, as the cache holds it
    SqliteStatement* statement = nullptr;
  };
  static constexpr size_t kRecent = 128;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>, Hash, std::equal_to<>> cache_;
  std::array<Recent, kRecent> recent_{};
  int64_t executed_ = 0;
  bool read_snapshot_ = false;
  std::string wal_path_;  // WalPath(), once known
  int inotify_ = -1;      // Listen's watch, or none
  std::string wal_name_;  // the WAL file's name in its directory

  // "" for an in-memory or temporary database.
  std::string WalPath() const {
    const char* file = sqlite3_db_filename(db_, "main");
    return file && *file ? std::string(file) + "-wal" : std::string();
  }
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
