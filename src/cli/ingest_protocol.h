// The wire format of parsemail's hand-off to `serve --ingest-socket`
// (cli/ingest_socket.h has the why), and its client. One request and one
// answer per connection, each with explicit lengths, so either side tells a
// complete message from one cut short by a crash:
//   request: "PBINGEST 1\n" "list-id <n>\n" <n bytes> "database <n>\n" <n bytes>
//            "mail <n>\n" <n bytes>
//   answer:  "PBANSWER 1 <exit code> <stdout n> <stderr n>\n" <stdout> <stderr>
//            or "PBOTHERDB\n": the server stores into another database than
//            the client's, so the client stores the mail itself.
// Nothing here but libc and std::string, so that the MTA's pipe binary
// (src/pipe/patchbay_parsemail.cc), linked statically, stays small.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

struct sockaddr_un;

namespace pb::cli::ingest {

inline constexpr std::string_view kRequestMagic = "PBINGEST 1\n";
inline constexpr std::string_view kAnswerMagic = "PBANSWER 1 ";
inline constexpr std::string_view kOtherDatabase = "PBOTHERDB\n";
// A request bigger than this is not read: the server closes without an
// answer and the client stores the mail itself, as it would without a server.
inline constexpr size_t kMaxRequest = size_t{512} << 20;
// A client that stops sending mid-request must not hold the one writer long.
inline constexpr int kServerReadTimeoutSeconds = 10;
// How long a client waits for its answer by default (--ingest-timeout).
inline constexpr int kDefaultTimeoutSeconds = 60;

// What `patchbay parsemail` prints and exits with for one mail.
struct Answer {
  int exit_code = 0;
  std::string out;  // its stdout
  std::string err;  // its stderr
};

// The database a URL names, in one spelling, so that a client and the
// server can tell whether they mean the same one: an SQLite file by its
// absolute path without symbolic links (the form db::Open reads: "sqlite://"
// and a path, or a bare path); any other URL as written. Two spellings of
// one PostgreSQL database differ here: the client then stores the mail
// itself, which is slower, never wrong.
std::string CanonicalDatabase(const std::string& url);

// Sends the mail, naming the client's database (its --database, else
// $PATCHBAY_DATABASE, else parsemail's default), and waits up to
// `timeout_seconds` for the answer. nullopt (with *why set) when there is no
// complete answer: no socket, refused, timed out, closed early, or a server
// of another database; the caller then stores the mail itself.
std::optional<Answer> HandOff(const std::string& socket_path, std::string_view raw,
                              const std::string& list_id, const std::string& database,
                              int timeout_seconds, std::string* why);

// The pieces the server shares.
void SetTimeouts(int fd, int seconds);
bool SendAll(int fd, std::string_view data);
bool ReadToEnd(int fd, std::string& out, size_t limit);  // to the peer's end of stream
bool FillAddress(const std::string& path, sockaddr_un& addr);
bool TakeField(std::string_view s, size_t* pos, std::string_view name, std::string_view* value);

}  // namespace pb::cli::ingest
