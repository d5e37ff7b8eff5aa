// `patchbay-parsemail`: the MTA's pipe, `patchbay parsemail` for a site
// that runs `serve --ingest-socket` (docs/deploy.md, issue #13).
//
// Handing a mail over costs little more than starting a process, and a
// process of the full binary costs ~1.5 ms on this VM before main() (the
// loader, libc, relocating the PIE binary's pages, GObject's constructor:
// docs/performance.md §0b round 5); a static, non-PIE program of libc and
// this file starts in ~0.6 ms. So this program only hands the mail over;
// when no complete answer comes (no socket, refused, timed out, the server
// died) it execs `patchbay parsemail` with the mail on its stdin, which
// stores it exactly as without a server: nothing is lost, and a mail the
// server stored before failing to answer is found a duplicate.
//
// Takes parsemail's arguments: [--database URL] [--list-id ID]
// [--ingest-socket PATH] [--ingest-timeout S] [FILE|-]. The full binary is
// $PATCHBAY_BINARY, else `patchbay` beside this program.
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cli/client_settings.h"
#include "cli/ingest_protocol.h"

namespace {

using pb::cli::kExitTempFail;

// "--name VALUE" or "--name=VALUE" at argv[*i]; advances *i past it.
bool TakeOption(int argc, char** argv, int* i, const char* name, std::string* value) {
  const size_t n = std::strlen(name);
  if (!std::strcmp(argv[*i], name) && *i + 1 < argc) {
    *value = argv[++*i];
    return true;
  }
  if (!std::strncmp(argv[*i], name, n) && argv[*i][n] == '=') {
    *value = argv[*i] + n + 1;
    return true;
  }
  return false;
}

bool WriteAll(int fd, const char* p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// The full binary: $PATCHBAY_BINARY, else `patchbay` in this program's directory.
std::string FullBinary() {
  if (const char* env = std::getenv("PATCHBAY_BINARY"); env && *env) return env;
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "patchbay";
  std::string dir(self, static_cast<size_t>(n));
  return dir.substr(0, dir.rfind('/') + 1) + "patchbay";
}

}  // namespace

int main(int argc, char** argv) {
  std::string database, list_id, socket, timeout_text, file;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "-h") || !std::strcmp(argv[i], "--help")) {
      std::printf("usage: patchbay-parsemail [--database URL] [--list-id ID] [--ingest-socket PATH]\n"
                  "                          [--ingest-timeout S] [FILE|-]\n\n"
                  "patchbay parsemail for an MTA pipe: hands the mail to `patchbay serve --ingest-socket`,\n"
                  "or runs `patchbay parsemail` when no server answers. Exit codes as parsemail's.\n");
      return 0;
    }
    if (TakeOption(argc, argv, &i, "--database", &database) || TakeOption(argc, argv, &i, "--list-id", &list_id) ||
        TakeOption(argc, argv, &i, "--ingest-socket", &socket) ||
        TakeOption(argc, argv, &i, "--ingest-timeout", &timeout_text)) {
      continue;
    }
    if (file.empty()) file = argv[i];  // parsemail reads its first other argument as the file
  }
  socket = pb::cli::IngestSocketOrEnv(socket);
  const int timeout = pb::cli::IngestTimeoutSeconds(timeout_text, pb::cli::ingest::kDefaultTimeoutSeconds);

  std::string raw;
  FILE* f = stdin;
  if (!file.empty() && file != "-") {
    f = std::fopen(file.c_str(), "rb");
    if (!f) {
      std::fprintf(stderr, "patchbay: cannot read %s\n", file.c_str());
      return 1;
    }
  }
  char buf[16384];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) raw.append(buf, n);
  if (f != stdin) std::fclose(f);

  if (!socket.empty()) {
    std::string why;
    // The server checks that the database `patchbay parsemail` would store
    // into is its own.
    const std::string named = pb::cli::DatabaseUrlOrDefault(database);
    if (auto answer = pb::cli::ingest::HandOff(socket, raw, list_id, named, timeout, &why)) {
      WriteAll(STDOUT_FILENO, answer->out.data(), answer->out.size());
      WriteAll(STDERR_FILENO, answer->err.data(), answer->err.size());
      return answer->exit_code;
    }
    std::fprintf(stderr, "patchbay: ingest socket %s: %s; storing the mail directly\n", socket.c_str(),
                 why.c_str());
  }
  // The mail, already read, becomes the full parsemail's stdin.
  int mail = memfd_create("mail", 0);
  if (mail < 0 || !WriteAll(mail, raw.data(), raw.size()) || lseek(mail, 0, SEEK_SET) != 0 ||
      dup2(mail, STDIN_FILENO) < 0) {
    std::fprintf(stderr, "patchbay: cannot pass the mail on (%s); exit %d so it is delivered again\n",
                 std::strerror(errno), kExitTempFail);
    return kExitTempFail;
  }
  if (mail != STDIN_FILENO) close(mail);
  unsetenv("PATCHBAY_INGEST_SOCKET");  // it would only try the same socket again
  std::string binary = FullBinary();
  std::vector<char*> args = {binary.data(), const_cast<char*>("parsemail")};
  std::string database_arg = "--database=" + database, list_id_arg = "--list-id=" + list_id;
  if (!database.empty()) args.push_back(database_arg.data());
  if (!list_id.empty()) args.push_back(list_id_arg.data());
  args.push_back(const_cast<char*>("-"));
  args.push_back(nullptr);
  std::fflush(stderr);
  execv(binary.c_str(), args.data());
  std::fprintf(stderr, "patchbay: cannot run %s (%s); exit %d so the mail is delivered again\n", binary.c_str(),
               std::strerror(errno), kExitTempFail);
  return kExitTempFail;
}
