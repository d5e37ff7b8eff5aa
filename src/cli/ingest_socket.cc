#include "cli/ingest_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

namespace pb::cli {
namespace {

constexpr std::string_view kRequestMagic = "PBINGEST 1\n";
constexpr std::string_view kAnswerMagic = "PBANSWER 1 ";
// A request bigger than this is not read: the server closes without an
// answer and the client stores the mail itself, as it would without a server.
constexpr size_t kMaxRequest = size_t{512} << 20;
// A client that stops sending mid-request must not hold the one writer long.
constexpr int kServerReadTimeoutSeconds = 10;

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

// Parses a decimal number ending at `end` from s at *pos; advances past `end`.
bool TakeNumber(std::string_view s, size_t* pos, char end, size_t* value) {
  size_t v = 0, i = *pos, digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 12; ++i, ++digits) v = v * 10 + (s[i] - '0');
  if (!digits || i >= s.size() || s[i] != end) return false;
  *pos = i + 1;
  *value = v;
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

void AppendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(" ").append(std::to_string(value.size())).append("\n").append(value);
}

}  // namespace

std::optional<MailAnswer> HandOffMail(const std::string& socket_path, std::string_view raw,
                                      const std::string& list_id, int timeout_seconds, std::string* why) {
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
  size_t pos = kAnswerMagic.size(), code = 0, out_n = 0, err_n = 0;
  if (a.substr(0, pos) != kAnswerMagic || !TakeNumber(a, &pos, ' ', &code) || code > 255 ||
      !TakeNumber(a, &pos, ' ', &out_n) || !TakeNumber(a, &pos, '\n', &err_n) ||
      a.size() - pos != out_n + err_n) {
    *why = answer.empty() ? "the server closed without answering" : "incomplete answer";
    return std::nullopt;
  }
  MailAnswer r;
  r.exit_code = static_cast<int>(code);
  r.out.assign(a.substr(pos, out_n));
  r.err.assign(a.substr(pos + out_n, err_n));
  return r;
}

struct IngestSocketServer::State {
  std::string path;
  std::string database_url;
  int listen_fd = -1;
  int wake[2] = {-1, -1};  // a byte on wake[1] stops the thread
  ino_t inode = 0;         // ours, so Stop removes only our socket file
  std::thread thread;
  std::unique_ptr<db::Connection> conn;  // the ingest's own, opened on first mail

  void Serve() {
    for (;;) {
      pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        std::fprintf(stderr, "patchbay: ingest socket: poll: %s\n", std::strerror(errno));
        return;
      }
      if (fds[1].revents) return;
      if (!(fds[0].revents & POLLIN)) continue;
      int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;  // the client gave up already, or out of descriptors for now
      HandleOne(fd);
      close(fd);
    }
  }

  void HandleOne(int fd) {
    SetTimeouts(fd, kServerReadTimeoutSeconds);
    std::string request;
    if (!ReadToEnd(fd, request, kMaxRequest)) return;  // no answer: the client stores it
    std::string_view s = request, list_id, raw;
    size_t pos = kRequestMagic.size();
    if (s.substr(0, pos) != kRequestMagic || !TakeField(s, &pos, "list-id", &list_id) ||
        !TakeField(s, &pos, "mail", &raw) || pos != s.size()) {
      return;  // cut short or not ours: never store a partial mail
    }
    MailAnswer r = StoreOneMail(database_url, conn, raw, std::string(list_id));
    std::string answer(kAnswerMagic);
    answer.append(std::to_string(r.exit_code)).append(" ").append(std::to_string(r.out.size()));
    answer.append(" ").append(std::to_string(r.err.size())).append("\n").append(r.out).append(r.err);
    // A client that left meanwhile is fine: the mail is stored, and if it
    // runs parsemail again that is a duplicate.
    SendAll(fd, answer);
  }
};

Result<std::unique_ptr<IngestSocketServer>> IngestSocketServer::Start(const std::string& path,
                                                                      const std::string& database_url) {
  sockaddr_un addr;
  if (!FillAddress(path, addr)) return Status::Invalid("--ingest-socket: path empty or too long: " + path);
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return Status::Invalid("--ingest-socket: " + path + " exists and is not a socket");
    // A socket someone still listens on is another server's: not ours to take.
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool live = probe >= 0 && connect(probe, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    if (probe >= 0) close(probe);
    if (live) return Status::Invalid("--ingest-socket: another process is listening on " + path);
    unlink(path.c_str());  // stale: left by a server that died
  }
  std::unique_ptr<IngestSocketServer> server(new IngestSocketServer);
  server->state_ = std::make_unique<State>();
  State& s = *server->state_;
  s.path = path;
  s.database_url = database_url;
  s.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s.listen_fd < 0) return Status::Io(std::string("ingest socket: ") + std::strerror(errno));
  // Created 0660 at once (the MTA's user connects through the group), not
  // wider for a moment: umask is process-wide, but no other thread runs yet.
  mode_t old_mask = umask(0117);
  int bound = bind(s.listen_fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  int bind_errno = errno;
  umask(old_mask);
  if (bound != 0) {
    close(s.listen_fd);
    s.listen_fd = -1;
    return Status::Io("--ingest-socket: cannot bind " + path + ": " + std::strerror(bind_errno));
  }
  chmod(path.c_str(), 0660);
  if (lstat(path.c_str(), &st) == 0) s.inode = st.st_ino;
  if (listen(s.listen_fd, SOMAXCONN) != 0 || pipe2(s.wake, O_CLOEXEC) != 0) {
    std::string e = std::strerror(errno);
    unlink(path.c_str());
    return Status::Io("--ingest-socket: " + e);
  }
  s.thread = std::thread([&s] { s.Serve(); });
  return server;
}

void IngestSocketServer::Stop() {
  if (!state_ || !state_->thread.joinable()) return;
  State& s = *state_;
  char b = 1;
  if (write(s.wake[1], &b, 1) < 0) { /* the thread sees the pipe anyway at close */ }
  s.thread.join();
  // Remove the file only while it is still ours (a newer server may have replaced it).
  struct stat st;
  if (lstat(s.path.c_str(), &st) == 0 && st.st_ino == s.inode) unlink(s.path.c_str());
  close(s.listen_fd);
  close(s.wake[0]);
  close(s.wake[1]);
  s.conn.reset();
}

IngestSocketServer::~IngestSocketServer() { Stop(); }

}  // namespace pb::cli
