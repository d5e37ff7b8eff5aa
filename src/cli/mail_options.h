// The mail settings of `serve` and `cron`: --mail-config FILE (or
// $PATCHBAY_MAIL_CONFIG), then flags that override single keys.
#pragma once

#include <string>

#include "cli/commands.h"
#include "core/status.h"
#include "notify/config.h"

namespace pb::cli {

// Removes the mail flags from args. `base_url` (serve --base-url) is the
// site URL when the settings name none.
Result<notify::MailConfig> TakeMailConfig(Args& args, const std::string& base_url = "");

// The usage lines of those flags.
extern const char* const kMailFlagsUsage;

}  // namespace pb::cli
