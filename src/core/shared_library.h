// Libraries loaded with dlopen() on first use instead of being linked.
//
// `patchbay parsemail` runs once per mail, and the dynamic loader used to
// map and relocate libpq, libcurl and libxml2 (with Kerberos, LDAP, GnuTLS
// and ICU behind them: 28 of the binary's 53 libraries) in every process,
// although a mail stored into SQLite never calls them. The few files that do
// (db/postgres, notify/transport, xmlrpc/request) reach them through a table
// of function pointers filled here the first time they are needed
// (docs/performance.md, "Start-up").
#pragma once

#include <string>
#include <utility>

namespace pb {

// dlopen(soname); nullptr and *error when it cannot be loaded. The library
// stays loaded for the life of the process.
void* OpenSharedLibrary(const char* soname, std::string* error);
// dlsym; nullptr, and *error set if still empty, when it is missing.
void* FindSymbol(void* library, const char* name, std::string* error);

}  // namespace pb

// A member `name` of the function-pointer table with the C function's type.
#define PB_SHARED_FUNCTION(name) decltype(&::name) name = nullptr;

// The body of a `const Table* Load...(std::string* error)` function: opens
// `soname` once per process (thread-safe), binds every function of `LIST`
// (an X-macro), and returns the table, or nullptr and the reason.
#define PB_LOAD_SHARED_LIBRARY(Table, soname, LIST, error)                               \
  static const std::pair<Table, std::string> loaded = [] {                              \
    std::pair<Table, std::string> r;                                                    \
    if (void* lib = ::pb::OpenSharedLibrary(soname, &r.second)) {                       \
      LIST(PB_BIND_SHARED_FUNCTION_)                                                    \
    }                                                                                   \
    return r;                                                                           \
  }();                                                                                  \
  if (!loaded.second.empty()) {                                                         \
    if (error) *error = loaded.second;                                                  \
    return nullptr;                                                                     \
  }                                                                                     \
  return &loaded.first;
#define PB_BIND_SHARED_FUNCTION_(name) \
  r.first.name = reinterpret_cast<decltype(r.first.name)>(::pb::FindSymbol(lib, #name, &r.second));
