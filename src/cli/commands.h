// One function per `patchbay` subcommand. Each takes the arguments after the
// subcommand name and returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace pb::cli {

using Args = std::vector<std::string>;

int Migrate(const Args& args);
int ParseMail(const Args& args);
int ParseArchive(const Args& args);
int Serve(const Args& args);
int Project(const Args& args);  // project create|list
int User(const Args& args);     // user create|list|token
int Retag(const Args& args);
int Rehash(const Args& args);
int Failed(const Args& args);   // failed list|show|retry
int Held(const Args& args);     // held list: replies waiting for their parent
int Demo(const Args& args);     // demo: create the demo project and load its mbox
int Import(const Args& args);   // import: copy an upstream Patchwork database
int Cron(const Args& args);     // notifications, expiry, outbox delivery
int Mail(const Args& args);     // mail list|send|test: the outbox
int State(const Args& args);    // state list|add|edit|delete
int Tag(const Args& args);      // tag list|add|edit|delete
int Person(const Args& args);   // person list|link|unlink|merge
int Patch(const Args& args);    // patch delete ID...
int Cover(const Args& args);    // cover delete ID...
int Series(const Args& args);   // series delete ID...
int Webhook(const Args& args);  // webhook add|list|enable|disable|remove|deliveries|run
int GitSync(const Args& args);  // git-sync: patches merged in a repository become Accepted

// The database URL from --database, else $PATCHBAY_DATABASE, else
// sqlite://patchbay.db in the current directory. Removes the flag from args.
std::string TakeDatabaseUrl(Args& args);

// Removes "--name VALUE" or "--name=VALUE" from args; returns VALUE or "".
std::string TakeOption(Args& args, const std::string& name);
bool TakeFlag(Args& args, const std::string& name);

}  // namespace pb::cli
