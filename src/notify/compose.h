// Composing a plain-text mail with GMime: headers encoded as RFC 2047
// needs, the body in the narrowest transfer encoding that carries it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace pb::notify {

struct OutgoingMail {
  std::string from;  // "Name <addr>" or "addr"
  std::vector<std::string> to;
  std::string reply_to;  // optional
  std::string subject;
  std::string body;  // UTF-8 text
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. Precedence
};

struct ComposedMail {
  std::string sender;                   // envelope sender: the bare From address
  std::vector<std::string> recipients;  // envelope recipients: bare addresses
  std::string message;                  // RFC 5322, LF line ends
};

// Fails when an address does not parse.
Result<ComposedMail> Compose(const OutgoingMail& mail, Micros date = NowMicros());

}  // namespace pb::notify
