#include "cli/ingest_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

namespace pb::cli {

using ingest::kAnswerMagic;
using ingest::kMaxRequest;
using ingest::kRequestMagic;
using ingest::kServerReadTimeoutSeconds;
using ingest::FillAddress;
using ingest::ReadToEnd;
using ingest::SendAll;
using ingest::SetTimeouts;
using ingest::TakeField;

struct IngestSocketServer::State {
  std::string path;
  std::string database_url;
  std::string canonical_database;  // CanonicalDatabase(database_url), what clients name
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
      if (fd < 0) {
        // Out of descriptors: the connection stays queued; wait instead of
        // spinning on it. Anything else: the client gave up already.
        if (errno == EMFILE || errno == ENFILE) poll(nullptr, 0, 100);
        continue;
      }
      HandleOne(fd);
      close(fd);
    }
  }

  void HandleOne(int fd) {
    SetTimeouts(fd, kServerReadTimeoutSeconds);
    std::string request;
    if (!ReadToEnd(fd, request, kMaxRequest)) return;  // no answer: the client stores it
    std::string_view s = request, list_id, database, raw;
    size_t pos = kRequestMagic.size();
    if (s.substr(0, pos) != kRequestMagic || !TakeField(s, &pos, "list-id", &list_id) ||
        !TakeField(s, &pos, "database", &database) || !TakeField(s, &pos, "mail", &raw) ||
        pos != s.size()) {
      return;  // cut short or not ours: never store a partial mail
    }
    // A pipe configured for another database must not have its mail land
    // here; it stores the mail where it was told to (and the answer does not
    // name this server's database, which may carry a password).
    if (database != canonical_database) {
      SendAll(fd, ingest::kOtherDatabase);
      return;
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
  s.canonical_database = ingest::CanonicalDatabase(database_url);
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
    close(s.listen_fd);
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
