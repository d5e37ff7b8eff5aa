#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "cli/commands.h"
#include "cli/serve_malloc.h"

namespace {

struct Command {
  int (*run)(const pb::cli::Args&);
  const char* help;
};

const std::map<std::string, Command> kCommands = {
    {"serve", {pb::cli::Serve, "run the web server (REST API)"}},
    {"parsemail", {pb::cli::ParseMail, "store one mail read from stdin (MTA pipe)"}},
    {"parsearchive", {pb::cli::ParseArchive, "store every mail of an mbox file or Maildir"}},
    {"migrate", {pb::cli::Migrate, "create or upgrade the database schema"}},
    {"project", {pb::cli::Project, "create or list projects"}},
    {"user", {pb::cli::User, "create or list users, make API tokens"}},
    {"retag", {pb::cli::Retag, "recount review tags of every patch"}},
    {"rehash", {pb::cli::Rehash, "recompute the hash of every patch"}},
    {"failed", {pb::cli::Failed, "list, show or retry mails that could not be stored"}},
    {"held", {pb::cli::Held, "list replies held until the mail they answer arrives"}},
    {"demo", {pb::cli::Demo, "create the demo project and load its mails"}},
};

void Usage() {
  std::fprintf(stderr,
               "usage: patchbay COMMAND [--database URL] [options]\n\n"
               "Database URL: sqlite:///path/to/file.db (default: $PATCHBAY_DATABASE or "
               "sqlite://patchbay.db)\n\ncommands:\n");
  for (const auto& [name, cmd] : kCommands) std::fprintf(stderr, "  %-13s %s\n", name.c_str(), cmd.help);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "--help")) {
    Usage();
    return argc < 2 ? 2 : 0;
  }
  auto it = kCommands.find(argv[1]);
  if (it == kCommands.end()) {
    std::fprintf(stderr, "patchbay: unknown command '%s'\n\n", argv[1]);
    Usage();
    return 2;
  }
  if (it->first == "serve") pb::cli::ReexecServeWithTcmalloc(argv);
  return it->second.run(pb::cli::Args(argv + 2, argv + argc));
}
