#include "git/run.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

extern char** environ;

namespace pb::git {
namespace {

// A temporary file that is already unlinked: stdin and stderr of the child
// go through files, so only stdout is a pipe and nothing can deadlock.
struct TempFile {
  FILE* f = std::tmpfile();
  ~TempFile() { if (f) std::fclose(f); }
  int fd() const { return f ? fileno(f) : -1; }
};

std::string ReadAll(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) { out.append(buf, static_cast<size_t>(n)); continue; }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  return out;
}

}  // namespace

Result<std::string> RunGit(const std::string& repo, const std::vector<std::string>& args,
                           const std::string& input) {
  std::vector<std::string> argv = {"git", "-C", repo,
                                   "-c", "color.ui=false", "-c", "diff.noprefix=false",
                                   "-c", "diff.mnemonicPrefix=false", "-c", "diff.external=",
                                   "-c", "log.showSignature=false", "-c", "core.quotePath=true"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  TempFile in, err;
  if (!in.f || !err.f) return Status::Internal("git: cannot create a temporary file");
  if (!input.empty() && std::fwrite(input.data(), 1, input.size(), in.f) != input.size()) {
    return Status::Internal("git: cannot write its input");
  }
  std::fflush(in.f);
  lseek(in.fd(), 0, SEEK_SET);
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return Status::Internal(std::string("git: pipe: ") + std::strerror(errno));

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in.fd(), 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err.fd(), 2);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "git", &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    return Status::Internal(std::string("cannot run git: ") + std::strerror(rc));
  }
  std::string stdout_text = ReadAll(out[0]);
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    lseek(err.fd(), 0, SEEK_SET);
    std::string message = ReadAll(err.fd());
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    return Status::Invalid("git " + (args.empty() ? std::string() : args[0]) + " failed" +
                           (message.empty() ? std::string() : ": " + message));
  }
  return stdout_text;
}

}  // namespace pb::git
