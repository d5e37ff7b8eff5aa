// The hand-off's wire format and its client (cli/ingest_socket.h). Only
// libc and std::string: `patchbay-parsemail`, the MTA's static pipe binary,
// is built from this file alone (src/pipe/).
#include "cli/ingest_protocol.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pb::cli::ingest {
namespace {

// Parses a decimal number ending at `end` from s at *pos; advances past `end`.
bool TakeNumber(std::string_view s, size_t* pos, char end, size_t* value) {
  size_t v = 0, i = *pos, digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 12; ++i, ++digits) v = v * 10 + (s[i] - '0');
  if (!digits || i >= s.size() || s[i] != end) return false;
  *pos = i + 1;
  *value = v;
  return true;
}

void AppendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(" ").append(std::to_string(value.size())).append("\n").append(value);
}

}  // namespace

void SetTimeouts(int fd, int seconds) {
  timeval tv{seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    // MSG_NOSIGNAL: a peer that went away is an error here, not a SIGPIPE.
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads until the peer's end of stream. False on an error or timeout, or
// past `limit` bytes.
bool ReadToEnd(int fd, std::string& out, size_t limit) {
  char buf[65536];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    if (out.size() + static_cast<size_t>(n) > limit) return false;
    out.append(buf, static_cast<size_t>(n));
  }
}

bool FillAddress(const std::string& path, sockaddr_un& addr) {
  if (path.empty() || path.size() >= sizeof addr.sun_path) return false;
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  return true;
}

// "NAME <n>\n" and n bytes, at *pos.
bool TakeField(std::string_view s, size_t* pos, std::string_view name, std::string_view* value) {
  if (s.substr(*pos, name.size()) != name || s.substr(*pos + name.size(), 1) != " ") return false;
  size_t at = *pos + name.size() + 1, n = 0;
  if (!TakeNumber(s, &at, '\n', &n) || s.size() - at < n) return false;
  *value = s.substr(at, n);
  *pos = at + n;
  return true;
}

std::string CanonicalDatabase(const std::string& url) {
  std::string_view path = url;
  if (path.starts_with("sqlite://")) {
    path.remove_prefix(9);
  } else if (path.find("://") != std::string_view::npos) {
    return url;
  }
  std::string file(path);
  char resolved[PATH_MAX];
  if (realpath(file.c_str(), resolved)) return std::string("sqlite://") + resolved;
  // Not there (yet): absolute by the working directory, as SQLite opens it.
  if (!file.starts_with('/')) {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd)) file = std::string(cwd) + "/" + file;
  }
  return "sqlite://" + file;
}

std::optional<Answer> HandOff(const std::string& socket_path, std::string_view raw,
                              const std::string& list_id, const std::string& database,
                              int timeout_seconds, std::string* why) {
  sockaddr_un addr;
  if (!FillAddress(socket_path, addr)) {
    *why = "socket path empty or too long";
    return std::nullopt;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *why = std::strerror(errno);
    return std::nullopt;
  }
  auto fail = [&](const char* what) {
    *why = std::string(what) + (errno ? std::string(": ") + std::strerror(errno) : "");
    close(fd);
    return std::nullopt;
  };
  SetTimeouts(fd, timeout_seconds);
  errno = 0;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) return fail("cannot connect");
  std::string head(kRequestMagic);
  AppendField(head, "list-id", list_id);
  AppendField(head, "database", CanonicalDatabase(database));
  head.append("mail ").append(std::to_string(raw.size())).append("\n");
  // The mail is sent from where it is, not copied behind the header.
  if (!SendAll(fd, head) || !SendAll(fd, raw)) return fail("sending the mail failed");
  shutdown(fd, SHUT_WR);
  std::string answer;
  errno = 0;
  if (!ReadToEnd(fd, answer, kMaxRequest)) return fail("no answer");
  close(fd);
  errno = 0;
  // "PBANSWER 1 <code> <out n> <err n>\n" and exactly that many bytes.
  std::string_view a = answer;
  if (a == kOtherDatabase) {
    *why = "the server stores into another database than " + database;
    return std::nullopt;
  }
  size_t pos = kAnswerMagic.size(), code = 0, out_n = 0, err_n = 0;
  if (a.substr(0, pos) != kAnswerMagic || !TakeNumber(a, &pos, ' ', &code) || code > 255 ||
      !TakeNumber(a, &pos, ' ', &out_n) || !TakeNumber(a, &pos, '\n', &err_n) ||
      a.size() - pos != out_n + err_n) {
    *why = answer.empty() ? "the server closed without answering" : "incomplete answer";
    return std::nullopt;
  }
  Answer r;
  r.exit_code = static_cast<int>(code);
  r.out.assign(a.substr(pos, out_n));
  r.err.assign(a.substr(pos + out_n, err_n));
  return r;
}

}  // namespace pb::cli::ingest
