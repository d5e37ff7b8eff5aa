// parsemail's hand-off to a running `serve` (issue #13): the per-mail
// process sends the mail over a Unix socket and prints the answer, so the
// schema parse, the WAL/-shm set-up, the page faults and GMime's start-up are
// paid once by the server instead of once per mail.
//
// The wire format and the client are in cli/ingest_protocol.h; the server
// answers only after the mail's transaction committed (durably, as
// parsemail commits); a client that gets no complete answer stores the mail
// itself, which is safe because storing is idempotent by Message-Id.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli/ingest_protocol.h"
#include "core/status.h"
#include "db/connection.h"

namespace pb::cli {

using MailAnswer = ingest::Answer;

// parsemail's store of one mail (cli/ingest.cc), shared by the command and
// the server's socket so both give the same rows, codes and messages.
// `conn` is opened (and migrated) from `url` when null, and reset after a
// failure that may have left it unusable, so the next mail reconnects.
MailAnswer StoreOneMail(const std::string& url, std::unique_ptr<db::Connection>& conn,
                        std::string_view raw, const std::string& list_id);

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
