// A mail split into headers and MIME parts the way Python's email package
// (compat32 policy, FeedParser) splits it, because upstream Patchwork's
// results depend on that parser's exact view: which lines are headers, where
// a part's payload ends, which parts exist at all in broken multiparts.
// Everything points into the caller's buffer; nothing is copied.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pb::mail {

// How deeply MIME parts may nest (multipart inside multipart, message/rfc822
// inside message/rfc822). Python's parser reaches its recursion limit near
// 900 levels and raises; real mail stays under 10. Deeper parts are not
// split further, and the mail reports too_deep().
inline constexpr int kMaxMimeDepth = 100;

struct HeaderField {
  std::string_view name;   // as written (no trailing colon)
  std::string_view value;  // after the colon: leading blanks and final line break removed
};

class Message {
 public:
  // Parses `raw` (bytes of one message, any line endings). Never fails: broken
  // input yields whatever Python's parser would have made of it. `raw` must
  // outlive the result.
  static std::unique_ptr<Message> Parse(std::string_view raw);

  const std::vector<HeaderField>& headers() const { return headers_; }
  // First header with that name (ASCII case-insensitive), like Message.get.
  std::optional<std::string_view> Get(std::string_view name) const;
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  // get_content_type(), get_content_maintype(), get_content_subtype().
  std::string ContentType() const;
  std::string ContentMaintype() const;
  std::string ContentSubtype() const;
  // get_param(name) of Content-Type, unquoted; nullopt when absent.
  std::optional<std::string> GetParam(std::string_view name) const;
  // get_content_charset(): lower-cased, nullopt when absent or not ASCII.
  std::optional<std::string> ContentCharset() const;

  bool is_multipart() const { return multipart_; }
  const std::vector<std::unique_ptr<Message>>& parts() const { return parts_; }
  // Undecoded payload of a non-multipart message.
  std::string_view payload() const { return payload_; }
  // get_payload(decode=True) of a non-multipart message: transfer-decoded bytes.
  std::string DecodedPayload() const;

  // True when some part nests deeper than kMaxMimeDepth: the tree is cut
  // there, so the mail must not be stored as if it had been read whole.
  bool too_deep() const { return too_deep_; }

  // Depth-first over this message and all sub-parts (Message.walk()).
  void Walk(const std::function<void(const Message&)>& fn) const;

 private:
  friend class FeedParser;
  std::vector<HeaderField> headers_;
  std::string_view payload_;
  bool multipart_ = false;  // payload is a list of sub-messages
  bool too_deep_ = false;   // set on the root only
  std::string default_type_ = "text/plain";
  std::vector<std::unique_ptr<Message>> parts_;
  std::vector<std::unique_ptr<std::string>> owned_;  // payloads rebuilt from non-adjacent lines
};

// binascii.a2b_base64(s, strict_mode=strict); nullopt where it raises.
std::optional<std::string> A2bBase64(std::string_view s, bool strict);
// binascii.a2b_qp(data) as quopri.decodestring uses it.
std::string DecodeQuotedPrintable(std::string_view data);
// email._encoded_words.decode_b on a body with its line breaks removed.
std::string DecodeBase64Body(std::string_view data);

}  // namespace pb::mail
