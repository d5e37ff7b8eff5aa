// The admin subcommands beyond create/list (cli/admin_edit.cc).
#pragma once

#include <string>

#include "cli/commands.h"
#include "db/connection.h"

namespace pb::cli {

// `project VERB LINKNAME ...` and `user VERB USERNAME ...` for the verbs
// admin.cc does not know: the exit code, or -1 for "not one of mine" (the
// caller prints its usage).
int ProjectAdmin(db::Connection& c, const std::string& verb, Args& args);
int UserAdmin(db::Connection& c, const std::string& verb, Args& args);
extern const char* const kProjectAdminUsage;
extern const char* const kUserAdminUsage;

}  // namespace pb::cli
