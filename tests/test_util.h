// Shared helpers for tests: temporary databases and access to ../shared.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "db/connection.h"
#include "db/migrations.h"

namespace pb::testing {

// A migrated SQLite database in a fresh temporary directory, removed after.
class TempDb {
 public:
  TempDb() {
    char tmpl[] = "/tmp/patchbay-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    url_ = "sqlite://" + dir_ + "/test.db";
    conn_ = db::Open(url_);
    auto r = db::Migrate(*conn_);
    if (!r.ok()) std::abort();
  }
  ~TempDb() {
    conn_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  db::Connection& conn() { return *conn_; }
  const std::string& url() const { return url_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_, url_;
  std::unique_ptr<db::Connection> conn_;
};

inline std::string SharedDir() { return PATCHBAY_SHARED_DIR; }
inline bool HaveShared() { return std::filesystem::exists(SharedDir() + "/spec"); }

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace pb::testing
