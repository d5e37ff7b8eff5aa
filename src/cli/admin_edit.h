// The admin subcommands beyond create/list (cli/admin_edit.cc).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "db/connection.h"

namespace pb::cli {

// What a verb returns for "not one of mine": the command prints its usage.
inline constexpr int kShowUsage = -1;

// `patchbay NOUN VERB ...` (project, user, state, tag, person): takes the
// database URL and the verb off `in`, opens and migrates the database and
// runs the verb; no verb, or kShowUsage from it, prints `usage` (exit 2).
// Database errors go on to main() (one line; exit 75 when unreachable).
using VerbCommand = std::function<int(db::Connection& c, const std::string& verb, Args& args)>;
int RunVerbCommand(const Args& in, std::string_view usage, const VerbCommand& verb_command);

// A linkname or state slug: letters, digits, '-', '_' (and non-ASCII).
bool IsSlug(const std::string& s);

// `project VERB LINKNAME ...` and `user VERB USERNAME ...` for the verbs
// admin.cc does not know: the exit code, or kShowUsage.
int ProjectAdmin(db::Connection& c, const std::string& verb, Args& args);
int UserAdmin(db::Connection& c, const std::string& verb, Args& args);
extern const char* const kProjectAdminUsage;
extern const char* const kUserAdminUsage;

}  // namespace pb::cli
