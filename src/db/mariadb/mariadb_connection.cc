#include "db/mariadb/mariadb_connection.h"

#include <dlfcn.h>
#include <mysql.h>

#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace pb::db {
namespace {

// The client library is loaded when an import from MySQL/MariaDB starts, not
// linked: libmariadb pulls the shared libssl and libcrypto, whose symbol
// resolution every `patchbay parsemail` (one process per mail) would pay at
// start-up for a command an instance runs once (docs/performance.md, "Start-up").
struct ClientLibrary {
  decltype(&mysql_init) init;
  decltype(&mysql_options) options;
  decltype(&mysql_real_connect) real_connect;
  decltype(&mysql_error) error;
  decltype(&mysql_errno) errnum;
  decltype(&mysql_real_query) real_query;
  decltype(&mysql_store_result) store_result;
  decltype(&mysql_num_fields) num_fields;
  decltype(&mysql_fetch_row) fetch_row;
  decltype(&mysql_fetch_lengths) fetch_lengths;
  decltype(&mysql_free_result) free_result;
  decltype(&mysql_affected_rows) affected_rows;
  decltype(&mysql_real_escape_string) escape;
  decltype(&mysql_close) close;
};

const ClientLibrary& Client() {
  static const ClientLibrary lib = [] {
    void* h = nullptr;
    for (const char* name : {"libmariadb.so.3", "libmariadb.so"}) {
      if ((h = dlopen(name, RTLD_NOW | RTLD_LOCAL))) break;
    }
    if (!h) {
      throw DbError(DbError::Kind::kGeneric,
                    "importing from MySQL/MariaDB needs the MariaDB client library "
                    "(Debian: apt-get install libmariadb3)");
    }
    auto sym = [h](const char* name) {
      void* p = dlsym(h, name);
      if (!p) throw DbError(DbError::Kind::kGeneric, std::string("libmariadb lacks ") + name);
      return p;
    };
    ClientLibrary l;
#define PB_LOAD(field, name) l.field = reinterpret_cast<decltype(l.field)>(sym(name))
    PB_LOAD(init, "mysql_init");
    PB_LOAD(options, "mysql_options");
    PB_LOAD(real_connect, "mysql_real_connect");
    PB_LOAD(error, "mysql_error");
    PB_LOAD(errnum, "mysql_errno");
    PB_LOAD(real_query, "mysql_real_query");
    PB_LOAD(store_result, "mysql_store_result");
    PB_LOAD(num_fields, "mysql_num_fields");
    PB_LOAD(fetch_row, "mysql_fetch_row");
    PB_LOAD(fetch_lengths, "mysql_fetch_lengths");
    PB_LOAD(free_result, "mysql_free_result");
    PB_LOAD(affected_rows, "mysql_affected_rows");
    PB_LOAD(escape, "mysql_real_escape_string");
    PB_LOAD(close, "mysql_close");
#undef PB_LOAD
    return l;
  }();
  return lib;
}

// Client errors 2002 (no socket), 2003 (no TCP), 2006 (gone), 2013 (lost),
// and the server's 1040 (too many connections): the server is not there now.
bool IsUnavailable(unsigned code) {
  return code == 2002 || code == 2003 || code == 2006 || code == 2013 || code == 1040;
}

std::string PercentDecoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      char hex[3] = {s[i + 1], s[i + 2], 0};
      char* end = nullptr;
      long v = std::strtol(hex, &end, 16);
      if (end == hex + 2) {
        out += static_cast<char>(v);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// The query text split around its numbered placeholders, which are filled
// in as literals (escaped by the client library for the connection's
// character set): the queries are the importer's own, few and read-only.
struct Template {
  std::vector<std::string> pieces;  // pieces.size() == params.size() + 1
  std::vector<int> params;          // 1-based placeholder numbers
};

Template Split(std::string_view sql) {
  Template t;
  std::string cur;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote) {
      cur += c;
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      quote = c;
      cur += c;
      continue;
    }
    if (c == '?' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      int n = 0;
      while (i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') n = n * 10 + (sql[++i] - '0');
      t.pieces.push_back(std::move(cur));
      cur.clear();
      t.params.push_back(n);
      continue;
    }
    cur += c;
  }
  t.pieces.push_back(std::move(cur));
  return t;
}

class MariadbConnection;

class MariadbStatement final : public Statement {
 public:
  MariadbStatement(MariadbConnection* conn, std::string_view sql) : conn_(conn), t_(Split(sql)) {}
  ~MariadbStatement() override { Clear(); }

  void BindNull(int i) override { Param(i) = "NULL"; }
  void BindInt(int i, int64_t v) override { Param(i) = std::to_string(v); }
  void BindText(int i, std::string_view v) override;
  void BindBlob(int i, std::string_view v) override {
    static const char* kHex = "0123456789ABCDEF";
    std::string lit = "X'";
    for (unsigned char c : v) {
      lit += kHex[c >> 4];
      lit += kHex[c & 15];
    }
    Param(i) = lit + "'";
  }
  bool Step() override;
  void Reset() override {
    Clear();
    params_.clear();
  }
  bool IsNull(int c) override { return !row_ || c >= static_cast<int>(fields_) || !row_[c]; }
  int64_t Int(int c) override { return IsNull(c) ? 0 : std::strtoll(row_[c], nullptr, 10); }
  std::string_view Text(int c) override {
    if (IsNull(c)) return {};
    return {row_[c], static_cast<size_t>(lengths_[c])};
  }
  std::string_view Blob(int c) override { return Text(c); }
  int64_t Changes() override { return changes_; }

 private:
  std::string& Param(int i) {
    if (i < 1) throw DbError(DbError::Kind::kGeneric, "placeholder index out of range");
    if (static_cast<size_t>(i) > params_.size()) params_.resize(i, "NULL");
    return params_[i - 1];
  }
  std::string Sql() const {
    std::string sql = t_.pieces[0];
    for (size_t k = 0; k < t_.params.size(); ++k) {
      int n = t_.params[k];
      sql += n <= static_cast<int>(params_.size()) ? params_[n - 1] : "NULL";
      sql += t_.pieces[k + 1];
    }
    return sql;
  }
  void Clear() {
    if (res_) Client().free_result(res_);
    res_ = nullptr;
    row_ = nullptr;
    lengths_ = nullptr;
    fields_ = 0;
    started_ = false;
  }

  MariadbConnection* conn_;
  Template t_;
  std::vector<std::string> params_;
  MYSQL_RES* res_ = nullptr;
  MYSQL_ROW row_ = nullptr;
  unsigned long* lengths_ = nullptr;
  unsigned fields_ = 0;
  int64_t changes_ = 0;
  bool started_ = false;
};

class MariadbConnection final : public Connection {
 public:
  explicit MariadbConnection(const MariadbTarget& target) {
    const ClientLibrary& c = Client();
    mysql_ = c.init(nullptr);
    if (!mysql_) throw DbError(DbError::Kind::kGeneric, "mysql_init: out of memory");
    unsigned timeout = 5;
    c.options(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    // Upstream's MySQL tables are utf8mb4; read them as such.
    c.options(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    auto opt = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
    if (!c.real_connect(mysql_, opt(target.host), opt(target.user), opt(target.password),
                        opt(target.database), target.port, opt(target.socket), 0)) {
      unsigned code = c.errnum(mysql_);
      std::string msg = c.error(mysql_);
      c.close(mysql_);
      mysql_ = nullptr;
      throw DbError(IsUnavailable(code) ? DbError::Kind::kUnavailable : DbError::Kind::kGeneric,
                    "cannot connect to MySQL/MariaDB: " + msg);
    }
    // Portable SQL quotes identifiers with "..." (b."order"); MySQL reads
    // that as a string unless ANSI_QUOTES is on. A consistent snapshot of
    // each batch is all the importer needs: upstream's ingest is stopped.
    Exec("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')");
  }
  ~MariadbConnection() override {
    cache_.clear();
    if (mysql_) Client().close(mysql_);
  }

  // The importer's SQL has two variants: PostgreSQL's (timestamptz read in
  // TIME_ZONE) and SQLite's (naive datetimes as text, booleans as 0/1).
  // MySQL's DATETIME and TINYINT(1) columns read as SQLite's do.
  Dialect dialect() const override { return Dialect::kSqlite; }
  Statement& Prepare(std::string_view sql) override {
    auto it = cache_.find(std::string(sql));
    if (it == cache_.end()) {
      it = cache_.emplace(std::string(sql), std::make_unique<MariadbStatement>(this, sql)).first;
    }
    it->second->Reset();
    return *it->second;
  }
  void ExecScript(std::string_view) override { ReadOnly(); }
  void Begin() override { ReadOnly(); }
  void Commit() override { ReadOnly(); }
  void Rollback() override {}
  void SetDurable(bool) override {}
  int64_t statements_executed() const override { return executed_; }

  // Runs `sql`; returns its result set (nullptr for none), which the caller frees.
  MYSQL_RES* Run(const std::string& sql, int64_t* changes) {
    ++executed_;
    const ClientLibrary& c = Client();
    if (c.real_query(mysql_, sql.data(), sql.size()) != 0) Throw(sql);
    MYSQL_RES* res = c.store_result(mysql_);
    if (!res && c.errnum(mysql_) != 0) Throw(sql);
    *changes = res ? 0 : static_cast<int64_t>(c.affected_rows(mysql_));
    return res;
  }
  std::string Escaped(std::string_view v) {
    std::string out(v.size() * 2 + 1, '\0');
    unsigned long n = Client().escape(mysql_, out.data(), v.data(), v.size());
    out.resize(n);
    return out;
  }

 private:
  [[noreturn]] void ReadOnly() {
    throw DbError(DbError::Kind::kGeneric, "a MySQL/MariaDB database is only read (import source)");
  }
  void Exec(const std::string& sql) {
    int64_t changes = 0;
    if (MYSQL_RES* res = Run(sql, &changes)) Client().free_result(res);
  }
  [[noreturn]] void Throw(const std::string& sql) {
    unsigned code = Client().errnum(mysql_);
    throw DbError(IsUnavailable(code) ? DbError::Kind::kUnavailable : DbError::Kind::kGeneric,
                  "MySQL/MariaDB: " + std::string(Client().error(mysql_)) + " in " +
                      sql.substr(0, 200));
  }

  MYSQL* mysql_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<MariadbStatement>> cache_;
  int64_t executed_ = 0;
};

void MariadbStatement::BindText(int i, std::string_view v) {
  Param(i) = "'" + conn_->Escaped(v) + "'";
}

bool MariadbStatement::Step() {
  if (!started_) {
    started_ = true;
    res_ = conn_->Run(Sql(), &changes_);
    fields_ = res_ ? Client().num_fields(res_) : 0;
  }
  if (!res_) return false;
  row_ = Client().fetch_row(res_);
  lengths_ = row_ ? Client().fetch_lengths(res_) : nullptr;
  return row_ != nullptr;
}

}  // namespace

MariadbTarget ParseMariadbUrl(const std::string& url) {
  std::string_view u = url;
  size_t scheme = u.find("://");
  if (scheme == std::string_view::npos) {
    throw DbError(DbError::Kind::kGeneric, "not a mysql:// or mariadb:// URL: " + url);
  }
  u.remove_prefix(scheme + 3);
  MariadbTarget t;
  std::string_view query;
  if (size_t q = u.find('?'); q != std::string_view::npos) {
    query = u.substr(q + 1);
    u = u.substr(0, q);
  }
  std::string_view authority = u.substr(0, u.find('/'));
  if (size_t slash = u.find('/'); slash != std::string_view::npos) {
    t.database = PercentDecoded(u.substr(slash + 1));
  }
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t colon = userinfo.find(':');
    t.user = PercentDecoded(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) t.password = PercentDecoded(userinfo.substr(colon + 1));
  }
  std::string_view host = authority;
  if (!host.starts_with('[')) {  // [::1]:3306 keeps its colons
    if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
      t.port = static_cast<unsigned>(std::strtoul(std::string(host.substr(colon + 1)).c_str(), nullptr, 10));
      host = host.substr(0, colon);
    }
  } else if (size_t close = host.find(']'); close != std::string_view::npos) {
    if (close + 1 < host.size() && host[close + 1] == ':') {
      t.port = static_cast<unsigned>(std::strtoul(std::string(host.substr(close + 2)).c_str(), nullptr, 10));
    }
    host = host.substr(1, close - 1);
  }
  t.host = PercentDecoded(host);
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string value = eq == std::string_view::npos ? "" : PercentDecoded(pair.substr(eq + 1));
    if (key == "socket" || key == "unix_socket") {
      t.socket = value;
    } else {
      throw DbError(DbError::Kind::kGeneric,
                    "unknown option '" + std::string(key) + "' in " + url + " (only socket=)");
    }
  }
  // libmariadb connects through the socket when the host is "localhost" or none.
  if (!t.socket.empty() && t.host.empty()) t.host = "localhost";
  return t;
}

std::unique_ptr<Connection> OpenMariadb(const std::string& url) {
  return std::make_unique<MariadbConnection>(ParseMariadbUrl(url));
}

}  // namespace pb::db
