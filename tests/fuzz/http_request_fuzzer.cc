// libFuzzer target: any bytes as what a client sends on one connection, to
// the real HTTP server (Beast's request parser, the header, target, body and
// trailer limits, pipelining, the absolute-form target) and the whole site
// behind it (REST, XML-RPC, downloads, pages) on a small SQLite database.
// The server's sessions own their sockets, so the bytes go through a
// loopback connection to a server started once in this process. A crash,
// a 500 (every bad request must get a clear 4xx) or a connection the server
// leaves hanging after the client finished sending is a finding.
// Built by scripts/fuzz.sh with clang, ASan and UBSan; replayed in the
// normal build by tests/fuzz/replay_main.cc.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>

#include "api/app.h"
#include "db/connection.h"
#include "db/migrations.h"
#include "http/server.h"
#include "web/site.h"

namespace {

uint16_t ServerPort() {
  static uint16_t port = [] {
    char tmpl[] = "/tmp/patchbay-fuzz-http-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    std::string url = "sqlite://" + dir + "/fuzz.db";
    {
      auto conn = pb::db::Open(url);
      if (!pb::db::Migrate(*conn).ok()) std::abort();
      conn->ExecScript(
          "INSERT INTO users (id, username, email, date_joined) VALUES (1, 'u', 'u@example.com', 0);"
          "INSERT INTO projects (id, linkname, name, listid, listemail) VALUES "
          "(1, 'proj', 'Project', 'proj.example.com', 'proj@example.com');"
          "INSERT INTO people (id, email, name) VALUES (1, 'u@example.com', 'U');"
          "INSERT INTO series (id, project_id, name, date, submitter_id, version, total) VALUES "
          "(1, 1, 'S', 0, 1, 1, 1);"
          "UPDATE data_generation SET generation = generation + 1;");
    }
    // The server lives as long as the process: never destroyed (its thread is
    // still running at exit), and held by statics so LeakSanitizer sees them
    // reachable.
    static auto& config = *new pb::api::ApiConfig;
    config.database_url = url;
    config.response_cache = false;
    static auto& handler = *new pb::http::Handler(pb::web::MakeSiteHandler(config));
    static auto& options = *new pb::http::ServerOptions;
    options.address = "127.0.0.1";
    options.port = 0;
    options.threads = 1;
    options.max_body_bytes = 1 << 20;
    static auto& ready = *new std::promise<uint16_t>;
    std::thread([] {
      auto st = pb::http::Serve(options, handler, [](uint16_t p) { ready.set_value(p); });
      std::fprintf(stderr, "http_request_fuzzer: server stopped: %s\n", st.message().c_str());
      std::abort();
    }).detach();
    return ready.get_future().get();
  }();
  return port;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint16_t port = ServerPort();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  timeval tv{20, 0};  // far beyond any answer: a server that stays silent this long is stuck
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Thousands of connections a second to one port can run out of local
  // ports (each closed one waits in TIME_WAIT): wait for one, that is not a
  // finding; a refused connection (the server is gone) is.
  for (int tries = 0; connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0; ++tries) {
    if (errno != EADDRNOTAVAIL || tries == 600) {
      std::perror("http_request_fuzzer: connect");
      std::abort();
    }
    usleep(100 * 1000);
  }
  // Closing with a reset ends the server's side too, instead of leaving it
  // in TIME_WAIT holding this port.
  linger reset{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  // The server may answer and close before reading everything (413, 431):
  // a failed send is not a finding.
  for (size_t sent = 0; sent < size;) {
    ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  std::string reply;
  char buf[16384];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      reply.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      std::fprintf(stderr, "http_request_fuzzer: no end of reply after 20 s\n");
      std::abort();
    }
    break;  // EOF, or reset after an error reply
  }
  close(fd);
  static const bool verbose = std::getenv("PATCHBAY_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "%.*s\n", static_cast<int>(reply.find('\r')), reply.c_str());
  if (reply.compare(0, 12, "HTTP/1.1 500") == 0 || reply.compare(0, 12, "HTTP/1.0 500") == 0) {
    std::fprintf(stderr, "http_request_fuzzer: 500 for %zu bytes:\n%.2000s\n", size, reply.c_str());
    std::abort();
  }
  return 0;
}
