// parsemail's hand-off to a running `serve` (issue #13): the per-mail
// process sends the mail over a Unix socket and prints the answer, so the
// schema parse, the WAL/-shm set-up, the page faults and GMime's start-up are
// paid once by the server instead of once per mail.
//
// The protocol is one request and one answer per connection, each with
// explicit lengths, so either side tells a complete message from one cut
// short by a crash:
//   request: "PBINGEST 1\n" "list-id <n>\n" <n bytes> "mail <n>\n" <n bytes>
//   answer:  "PBANSWER 1 <exit code> <stdout n> <stderr n>\n" <stdout> <stderr>
// The server answers only after the mail's transaction committed (durably,
// as parsemail commits); a client that gets no complete answer stores the
// mail itself, which is safe because storing is idempotent by Message-Id.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "db/connection.h"

namespace pb::cli {

// What `patchbay parsemail` prints and exits with for one mail.
struct MailAnswer {
  int exit_code = 0;
  std::string out;  // its stdout
  std::string err;  // its stderr
};

// parsemail's store of one mail (cli/ingest.cc), shared by the command and
// the server's socket so both give the same rows, codes and messages.
// `conn` is opened (and migrated) from `url` when null, and reset after a
// failure that may have left it unusable, so the next mail reconnects.
MailAnswer StoreOneMail(const std::string& url, std::unique_ptr<db::Connection>& conn,
                        std::string_view raw, const std::string& list_id);

// The client side: sends the mail and waits up to `timeout_seconds` for the
// answer. nullopt (with *why set) when there is no complete answer: no
// socket, refused, timed out, closed early; the caller then stores the mail.
std::optional<MailAnswer> HandOffMail(const std::string& socket_path, std::string_view raw,
                                      const std::string& list_id, int timeout_seconds, std::string* why);

// The server side: a thread accepting on a Unix stream socket and storing
// each mail through StoreOneMail on its own connection, one mail at a time
// (one writer, as parsemail processes are serialised by the database's
// write lock anyway), never on an HTTP thread.
class IngestSocketServer {
 public:
  // Binds `path` (mode 0660; a stale socket file is replaced, a live one or
  // a file that is not a socket is an error) and starts the thread.
  static Result<std::unique_ptr<IngestSocketServer>> Start(const std::string& path,
                                                           const std::string& database_url);
  ~IngestSocketServer();  // Stop()
  // Finishes the mail in hand, stops accepting and removes the socket file.
  void Stop();

 private:
  IngestSocketServer() = default;
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pb::cli
