#include "cli/mail_options.h"

#include <cstdlib>
#include <utility>

namespace pb::cli {

const char* const kMailFlagsUsage =
    "  mail: [--mail-config FILE] [--smtp-host H] [--smtp-port N]\n"
    "        [--smtp-security none|starttls|tls] [--smtp-user U] [--smtp-password-file F]\n"
    "        [--sendmail PATH] [--mail-from ADDR] [--site-url URL]\n";

Result<notify::MailConfig> TakeMailConfig(Args& args, const std::string& base_url) {
  notify::MailConfig c;
  std::string file = TakeOption(args, "--mail-config");
  if (file.empty()) {
    if (const char* env = std::getenv("PATCHBAY_MAIL_CONFIG"); env && *env) file = env;
  }
  if (!file.empty()) {
    Status s = notify::LoadMailConfigFile(c, file);
    if (!s.ok()) return s;
  }
  const std::pair<const char*, const char*> flags[] = {
      {"--smtp-host", "smtp_host"},         {"--smtp-port", "smtp_port"},
      {"--smtp-security", "smtp_security"}, {"--smtp-user", "smtp_user"},
      {"--smtp-password-file", "smtp_password_file"},
      {"--sendmail", "sendmail"},           {"--mail-from", "from"},
      {"--site-url", "site_url"},           {"--mail-transport", "transport"},
  };
  for (const auto& [flag, key] : flags) {
    std::string v = TakeOption(args, flag);
    if (v.empty()) continue;
    Status s = notify::SetMailOption(c, key, v);
    if (!s.ok()) return s;
  }
  if (c.site_url.empty() && !base_url.empty()) {
    Status s = notify::SetMailOption(c, "site_url", base_url);
    if (!s.ok()) return s;
  }
  return c;
}

}  // namespace pb::cli
