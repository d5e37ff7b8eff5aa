// libFuzzer target: any bytes through the mail parser and the patch hash.
// Built by scripts/fuzz.sh with clang, ASan and UBSan.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parser/parsed_mail.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  auto parsed = pb::parser::ParseMail(raw);
  if (parsed.ok()) {
    pb::parser::ApplyProjectSubject(*parsed, "fuzz");
    (void)pb::parser::ParseAuthor(*parsed, "list@example.com");
    if (parsed->diff) {
      (void)pb::parser::HashDiff(*parsed->diff);
      (void)pb::parser::DiffFileNames(*parsed->diff);
    }
  }
  (void)pb::parser::HashDiff(raw);
  return 0;
}
