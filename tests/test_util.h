// Shared helpers for tests: temporary databases and access to ../shared.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "db/connection.h"
#include "db/migrations.h"
#include "db/records.h"

namespace pb::testing {

// The URL of a PostgreSQL maintenance database when the suite runs on
// PostgreSQL (scripts/test.sh sets it), else empty: tests use SQLite.
inline std::string PostgresAdminUrl() {
  const char* env = std::getenv("PATCHBAY_TEST_DATABASE");
  std::string url = env ? env : "";
  return url.starts_with("postgres://") || url.starts_with("postgresql://") ? url : "";
}

// `url` (a libpq URI) with its database name replaced by `name`.
inline std::string WithDbName(const std::string& url, const std::string& name) {
  size_t scheme = url.find("://") + 3;
  size_t slash = url.find('/', scheme), query = url.find('?', scheme);
  std::string head = url.substr(0, std::min(slash, query));
  std::string tail = query == std::string::npos ? "" : url.substr(query);
  return head + "/" + name + tail;
}

// A migrated database of its own for one test, removed after: a SQLite file
// in a fresh temporary directory, or (PATCHBAY_TEST_DATABASE) a fresh
// PostgreSQL database. The temporary directory exists on both backends.
class TempDb {
 public:
  TempDb() {
    char tmpl[] = "/tmp/patchbay-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    admin_ = PostgresAdminUrl();
    if (admin_.empty()) {
      url_ = "sqlite://" + dir_ + "/test.db";
    } else {
      name_ = "pbtest_" + std::to_string(getpid()) + "_" + dir_.substr(dir_.rfind('-') + 1);
      for (auto& ch : name_) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      // scripts/test.sh migrates a template once: copying it is cheaper
      // than running every migration per test.
      const char* tmpl_env = std::getenv("PATCHBAY_TEST_TEMPLATE");
      std::string tmpl = tmpl_env && *tmpl_env ? tmpl_env : "template0";
      db::Open(admin_)->ExecScript("CREATE DATABASE \"" + name_ + "\" TEMPLATE \"" + tmpl + "\"");
      url_ = WithDbName(admin_, name_);
    }
    conn_ = db::Open(url_);
    auto r = db::Migrate(*conn_);
    if (!r.ok()) {
      std::fprintf(stderr, "TempDb: %s\n", r.status().message().c_str());
      std::abort();
    }
  }
  ~TempDb() {
    conn_.reset();
    if (!name_.empty()) {
      try {
        db::Open(admin_)->ExecScript("DROP DATABASE IF EXISTS \"" + name_ + "\" WITH (FORCE)");
      } catch (...) {}
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  db::Connection& conn() { return *conn_; }
  const std::string& url() const { return url_; }
  const std::string& dir() const { return dir_; }
  bool postgres() const { return !name_.empty(); }

 private:
  std::string dir_, url_, admin_, name_;
  std::unique_ptr<db::Connection> conn_;
};

// Two projects, 'p' (list id 'l') and 'q' (list id 'm'), for the tests
// that check a look-up stays inside its project; their ids.
struct TwoProjects {
  db::Id p = 0, q = 0;
};
inline TwoProjects InsertTwoProjects(db::Connection& c) {
  db::Query(c, "INSERT INTO projects (linkname, name, listid, listemail) VALUES ('p', 'P', 'l', 'e')").Run();
  db::Query(c, "INSERT INTO projects (linkname, name, listid, listemail) VALUES ('q', 'Q', 'm', 'f')").Run();
  return {db::QueryInt(c, "SELECT id FROM projects WHERE linkname = 'p'").value(),
          db::QueryInt(c, "SELECT id FROM projects WHERE linkname = 'q'").value()};
}

inline std::string SharedDir() { return PATCHBAY_SHARED_DIR; }
inline bool HaveShared() { return std::filesystem::exists(SharedDir() + "/spec"); }

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace pb::testing
