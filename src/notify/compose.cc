#include "notify/compose.h"

#include <gmime/gmime.h>

#include "mail/gmime_init.h"

namespace pb::notify {
namespace {

// GObject references released at scope end.
template <typename T>
struct Ref {
  T* p = nullptr;
  explicit Ref(T* ptr) : p(ptr) {}
  ~Ref() {
    if (p) g_object_unref(p);
  }
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;
};

// Parses `text` into `list`; every entry must be a mailbox with an address.
// Returns the bare addresses.
Result<std::vector<std::string>> AddAddresses(InternetAddressList* list, const std::string& text) {
  InternetAddressList* parsed = internet_address_list_parse(nullptr, text.c_str());
  if (!parsed) return Status::Invalid("bad mail address '" + text + "'");
  Ref<InternetAddressList> hold(parsed);
  std::vector<std::string> bare;
  int n = internet_address_list_length(parsed);
  for (int i = 0; i < n; ++i) {
    InternetAddress* ia = internet_address_list_get_address(parsed, i);
    if (!INTERNET_ADDRESS_IS_MAILBOX(ia)) return Status::Invalid("not a mailbox: '" + text + "'");
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
    if (!addr || !*addr || std::string_view(addr).find('@') == std::string_view::npos) {
      return Status::Invalid("bad mail address '" + text + "'");
    }
    bare.emplace_back(addr);
  }
  if (bare.empty()) return Status::Invalid("no mail address in '" + text + "'");
  internet_address_list_append(list, parsed);
  return bare;
}

}  // namespace

Result<ComposedMail> Compose(const OutgoingMail& mail, Micros date) {
  mail::EnsureGMimeInit();
  Ref<GMimeMessage> msg(g_mime_message_new(TRUE));
  ComposedMail out;

  auto from = AddAddresses(g_mime_message_get_from(msg.p), mail.from);
  if (!from.ok()) return from.status();
  out.sender = from->front();
  for (const auto& to : mail.to) {
    auto r = AddAddresses(g_mime_message_get_addresses(msg.p, GMIME_ADDRESS_TYPE_TO), to);
    if (!r.ok()) return r.status();
    out.recipients.insert(out.recipients.end(), r->begin(), r->end());
  }
  if (out.recipients.empty()) return Status::Invalid("a mail needs a recipient");
  if (!mail.reply_to.empty()) {
    auto r = AddAddresses(g_mime_message_get_reply_to(msg.p), mail.reply_to);
    if (!r.ok()) return r.status();
  }
  g_mime_message_set_subject(msg.p, mail.subject.c_str(), "utf-8");

  GDateTime* when = g_date_time_new_from_unix_utc(date / 1000000);
  g_mime_message_set_date(msg.p, when);
  g_date_time_unref(when);
  std::string domain = out.sender.substr(out.sender.find('@') + 1);
  char* msgid = g_mime_utils_generate_message_id(domain.c_str());
  g_mime_message_set_message_id(msg.p, msgid);
  g_free(msgid);
  for (const auto& [name, value] : mail.headers) {
    g_mime_object_set_header(GMIME_OBJECT(msg.p), name.c_str(), value.c_str(), "utf-8");
  }

  // UTF-8 as written, charset="utf-8" as Django labels it (GMime's
  // set_text would recode to the narrowest charset).
  Ref<GMimeTextPart> part(g_mime_text_part_new_with_subtype("plain"));
  Ref<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(mail.body.data(), mail.body.size()));
  Ref<GMimeDataWrapper> content(
      g_mime_data_wrapper_new_with_stream(stream.p, GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(GMIME_PART(part.p), content.p);
  g_mime_object_set_content_type_parameter(GMIME_OBJECT(part.p), "charset", "utf-8");
  g_mime_part_set_content_encoding(
      GMIME_PART(part.p),
      g_mime_part_get_best_content_encoding(GMIME_PART(part.p), GMIME_ENCODING_CONSTRAINT_7BIT));
  g_mime_message_set_mime_part(msg.p, GMIME_OBJECT(part.p));

  char* text = g_mime_object_to_string(GMIME_OBJECT(msg.p), nullptr);
  out.message = text ? text : "";
  g_free(text);
  return out;
}

}  // namespace pb::notify
