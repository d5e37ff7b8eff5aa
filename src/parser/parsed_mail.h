// What the parser extracts from one mail, before any database lookup.
// The service layer (service/ingest) turns it into rows: project lookup,
// classification, author, series, comments. Everything here follows
// shared spec §2 (upstream parser.py); deviations are in docs/compatibility.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace pb::parser {

struct ParsedMail {
  std::string msgid;                 // with <>, at most 255 chars (§2.6)
  std::vector<std::string> refs;     // In-Reply-To then References newest-first (§2.6), untruncated
  std::string subject;               // clean_header(Subject) with prefixes still present (§2.3)
  std::string name;                  // cleaned subject, "[v2,1/3] foo" (§2.7.1), at most 255 chars
  std::vector<std::string> prefixes;
  std::optional<int> series_x;       // marker "x/n" (§2.7.3)
  std::optional<int> series_n;
  int version = 1;
  bool is_comment = false;           // subject starts with "Re:" (§2.7.4)
  std::optional<Micros> date;        // UTC; nullopt when missing/unparseable (caller uses now)
  std::string headers;               // stored header text (§2.9)
  std::optional<std::string> diff;   // §2.10; nullopt when none
  std::optional<std::string> content;  // the comment/message text; nullopt when empty
  std::optional<std::string> pull_url; // §2.11

  std::string from;                  // clean_header(From)
  std::vector<std::string> list_ids; // candidate list ids in lookup order (§2.5)
  std::string hint;                  // clean X-Patchwork-Hint, "" when absent
  std::string delegate_email;        // clean X-Patchwork-Delegate, "" when absent
  std::string state_name;            // clean X-Patchwork-State, "" when absent
  bool action_required = false;      // X-Patchwork-Action-Required present
  std::string original_from;         // clean X-Original-From, "" when absent
  std::vector<std::string> reply_to; // clean values of every Reply-To header, in order
  std::vector<std::string> cc;       // clean values of every Cc header, in order
  std::string raw_subject;           // the Subject header as it appears in the mail
};

// Parses one RFC 822 message (raw bytes, any line endings). The subject-derived
// fields (name, prefixes, series_x/n, version) are computed dropping only the
// "PATCH" prefix; call ApplyProjectSubject once the project is known.
// Errors are the
// "error" outcomes of §2.4: missing From/Subject/Message-Id, undecodable
// Message-Id/Subject. Never throws, never crashes on hostile input.
Result<ParsedMail> ParseMail(std::string_view raw);

// Upstream reads mails two ways: parsearchive (mailbox.mbox / Maildir) keeps
// line endings as they are, while parsemail reads the file in text mode,
// which turns "\r\n" and lone "\r" into "\n" before parsing. The plain
// ParseMail above is the archive behaviour.
struct ParseOptions {
  bool universal_newlines = false;  // true: parsemail (single file / stdin)
  // The linkname of the project the mail is expected to go to, when known
  // before it is stored (parsearchive --list-id): the subject-derived
  // fields are computed dropping it too, as ApplyProjectSubject would, so
  // that work is done by the parse thread. "": only "PATCH" is dropped.
  std::string project_linkname;
};
Result<ParsedMail> ParseMail(std::string_view raw, const ParseOptions& options);

// The references (§2.6) of a stored mail's header block (ParsedMail::headers).
std::vector<std::string> ReferencesInHeaders(std::string_view headers);

// Recomputes name, prefixes, series_x/n and version from `subject`, also
// dropping the project's linkname from the prefixes (§2.7.1 step 2).
void ApplyProjectSubject(ParsedMail& mail, std::string_view linkname);

struct Author {
  std::string name;   // may be empty
  std::string email;
};

// §2.13 steps 1-5: split From into name/email, validate the address, apply
// DMARC un-munging when the address is the project's list address.
Result<Author> ParseAuthor(const ParsedMail& mail, std::string_view list_email);

// §2.20: Patchwork's patch hash (40 lowercase hex chars).
std::string HashDiff(std::string_view diff);

// §2.14: sorted unique file names touched by a diff, first path component removed.
std::vector<std::string> DiffFileNames(std::string_view diff);

// §2.7: clean_subject; exposed for tests and for recomputing `prefixes` from a name.
struct CleanedSubject {
  std::string name;
  std::vector<std::string> prefixes;
};
CleanedSubject CleanSubject(std::string_view subject, const std::vector<std::string>& drop_prefixes);

}  // namespace pb::parser
