#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>
#include <string_view>

#include "cli/client_settings.h"
#include "cli/commands.h"
#include "cli/huge_page_heap.h"
#include "cli/open_db.h"
#include "cli/serve_malloc.h"

namespace {

struct Command {
  int (*run)(const pb::cli::Args&);
  const char* help;
  const char* usage;  // the arguments, for `patchbay COMMAND --help`
};

struct NamedCommand {
  std::string_view name;
  Command command;
};

// Alphabetical, as `patchbay help` lists them. A constant array, not a map:
// built before main() it cost every process (`help` too) ~20k instructions.
constexpr NamedCommand kCommands[] = {
    {"cover", {pb::cli::Cover, "delete cover letters (spam)", "[--database URL] delete ID..."}},
    {"cron", {pb::cli::Cron, "send notifications, expire confirmations, retry queued mail",
      "[--database URL] [--quiet] [--mail-config FILE] [--site-url URL] [--smtp-host H] ...\n"
      "exit 1 when a mail could not be delivered (it stays queued); see docs/mail.md"}},
    {"demo", {pb::cli::Demo, "create the demo project and load its mails",
      "[--database URL] [MBOX]   (default: demo/demo.mbox of the source tree)"}},
    {"failed", {pb::cli::Failed, "list, show or retry mails that could not be stored",
      "[--database URL] list | show ID | retry [ID|--all]"}},
    {"git-sync", {pb::cli::GitSync, "mark the patches a git repository merged as Accepted",
      "--project P [--repo PATH] [--branch B] [--since REV] [-q] | --hook | --report\n"
      "                      [--database URL]   (see docs/git-sync.md)"}},
    {"held", {pb::cli::Held, "list replies held until the mail they answer arrives",
      "[--database URL]"}},
    {"import", {pb::cli::Import, "copy an upstream Patchwork database, keeping every id",
      "--from sqlite:///path|postgresql://... [--database URL] [--time-zone ZONE]\n"
      "                      [--server-clock utc|local] [--resume] [--quiet]"}},
    {"mail", {pb::cli::Mail, "list, send or test the outgoing mail queue",
      "[--database URL] list | send [--all] | test ADDRESS   [--mail-config FILE] ..."}},
    {"migrate", {pb::cli::Migrate, "create or upgrade the database schema",
      "[--database URL]"}},
    {"parsearchive", {pb::cli::ParseArchive, "store every mail of an mbox file or Maildir",
      "[--database URL] [--list-id ID] [--nice N] [-q] PATH   (mbox file or Maildir)\n"
      "--nice N: lower its own priority by N, 0-19 (default on SQLite 10: a live server\n"
      "on the same machine gets the CPU first; on PostgreSQL 0, the caller's)"}},
    {"parsemail", {pb::cli::ParseMail, "store one mail read from stdin (MTA pipe)",
      "[--database URL] [--list-id ID] [--ingest-socket PATH [--ingest-timeout S]] [FILE|-]\n"
      "exit 0: stored or dropped; 1: kept in `patchbay failed`; 75: not kept, deliver again"}},
    {"patch", {pb::cli::Patch, "delete patches (spam)", "[--database URL] delete ID..."}},
    {"person", {pb::cli::Person, "list people, link them to users, merge duplicates",
      "[--database URL] list [SEARCH] | link ID USERNAME | unlink ID | merge FROM-ID INTO-ID"}},
    {"project", {pb::cli::Project, "create, list, edit or delete projects, maintainers, rules",
      "create|list|show|edit|delete|maintainer|maintainers|unmaintainer|delegate|rules|undelegate|\n"
      "                      rule-priority ...   (run `patchbay project` for details)"}},
    {"rehash", {pb::cli::Rehash, "recompute the hash of every patch",
      "[--database URL]"}},
    {"retag", {pb::cli::Retag, "recount review tags of every patch",
      "[--database URL]"}},
    {"series", {pb::cli::Series, "delete series with their patches (spam)",
      "[--database URL] delete ID..."}},
    {"serve", {pb::cli::Serve, "run the web server (REST API)",
      "[--database URL] [--listen HOST:PORT] [--threads N] [--base-url URL]\n"
      "                      [--no-response-cache] [--no-webhooks] [--webhook-timeout SECONDS]\n"
      "                      [--ingest-socket PATH]   (parsemail hands mails to it)"}},
    {"state", {pb::cli::State, "list, add, edit or delete patch states",
      "[--database URL] list | add NAME | edit SLUG | delete SLUG [--move-to SLUG]"}},
    {"tag", {pb::cli::Tag, "list, add, edit or delete review tags",
      "[--database URL] list | add NAME | edit NAME | delete NAME"}},
    {"user", {pb::cli::User, "create, list, edit or delete users, passwords, API tokens",
      "create|list|show|edit|password|deactivate|delete|token ...   (run `patchbay user` for details)"}},
    {"webhook", {pb::cli::Webhook, "add, list, enable, disable or remove webhooks, see their deliveries, send due ones",
      "[--database URL] add --project P --url URL [--secret S] [--events CAT,...] | list\n"
      "                      | enable ID | disable ID | remove ID | deliveries ID [--limit N]\n"
      "                      | run [--all] [--site-url URL]"}},
};

// Runs before every constructor (GLib's and GMime's allocate), so that the
// heap they start is already on its huge page. Not for help, which touches
// ~13 heap pages (fewer than clearing 2 MB costs), nor for `serve`: it
// re-executes itself under tcmalloc.
// Nor for a parsemail that hands its mail to a server (--ingest-socket or
// $PATCHBAY_INGEST_SOCKET): it touches about as much heap as help; should
// it fall back to storing the mail itself it runs without the huge page.
bool HandsMailOff(int argc, char** argv) {
  if (std::strcmp(argv[1], "parsemail") != 0) return false;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--ingest-socket") || !std::strncmp(argv[i], "--ingest-socket=", 16)) return true;
  }
  return !pb::cli::IngestSocketOrEnv("").empty();
}

void PrepareHeap(int argc, char** argv, char**) {
  if (argc < 2) return;
  for (const char* skip : {"serve", "help", "-h", "--help"}) {
    if (!std::strcmp(argv[1], skip)) return;
  }
  if (HandsMailOff(argc, argv)) return;
  pb::cli::PutHeapOnHugePage();
}
[[gnu::section(".preinit_array"), gnu::used]] void (*const kPrepareHeap)(int, char**, char**) = PrepareHeap;

constexpr bool Alphabetical() {
  for (size_t i = 1; i < std::size(kCommands); ++i) {
    if (!(kCommands[i - 1].name < kCommands[i].name)) return false;
  }
  return true;
}
static_assert(Alphabetical(), "kCommands must stay in alphabetical order (help lists it as it is)");

const NamedCommand* FindCommand(std::string_view name) {
  for (const NamedCommand& c : kCommands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// `patchbay help`'s text, built at compile time: in .rodata, it costs no
// allocation and no instruction at run time (built at run time it took five
// reallocations of a growing string, docs/performance.md, start-up round 7).
constexpr std::string_view kUsageHead =
    "usage: patchbay COMMAND [--database URL] [options]\n\n"
    "Database URL: sqlite:///path/to/file.db (default: $PATCHBAY_DATABASE or "
    "sqlite://patchbay.db)\n\ncommands:\n";

constexpr std::string UsageText() {
  std::string text(kUsageHead);
  for (const NamedCommand& c : kCommands) {
    text += "  ";
    text += c.name;
    text.append(c.name.size() < 13 ? 13 - c.name.size() : 0, ' ');
    text += ' ';
    text += c.command.help;
    text += '\n';
  }
  return text;
}

constexpr auto kUsage = [] {
  std::array<char, UsageText().size()> chars{};
  const std::string text = UsageText();
  std::copy(text.begin(), text.end(), chars.begin());
  return chars;
}();

// One write: fprintf per line was a tenth of `help`'s instructions.
void Usage() { std::fwrite(kUsage.data(), 1, kUsage.size(), stderr); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "--help") ||
      (!std::strcmp(argv[1], "help") && argc == 2)) {
    Usage();
    return argc < 2 ? 2 : 0;
  }
  // `patchbay help CMD` is `patchbay CMD --help`, as git and Django's manage.py spell it.
  const bool help_for = !std::strcmp(argv[1], "help");
  if (help_for) ++argv, --argc;
  const NamedCommand* it = FindCommand(argv[1]);
  if (!it) {
    std::fprintf(stderr, "patchbay: unknown command '%s'\n\n", argv[1]);
    Usage();
    return 2;
  }
  // Help touches nothing: answered here, before a command opens (and would
  // create and migrate) a database.
  bool wants_help = help_for;
  for (int i = 2; i < argc; ++i) {
    wants_help = wants_help || !std::strcmp(argv[i], "-h") || !std::strcmp(argv[i], "--help");
  }
  if (wants_help) {
    std::printf("usage: patchbay %s %s\n\n%s\n", argv[1], it->command.usage, it->command.help);
    return 0;
  }
  if (it->name == "serve") pb::cli::ReexecServeWithTcmalloc(argv);
  // Commands handle the errors they expect; anything else (the database
  // going away mid-command among them) ends here as one line and an exit
  // code, never as std::terminate.
  try {
    return it->command.run(pb::cli::Args(argv + 2, argv + argc));
  } catch (const std::exception& e) {
    return pb::cli::ReportUncaught(std::string(it->name), e);
  }
}
