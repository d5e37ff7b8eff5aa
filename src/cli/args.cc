#include <cstdlib>

#include "cli/commands.h"

namespace pb::cli {

std::string TakeOption(Args& args, const std::string& name) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == name && i + 1 < args.size()) {
      std::string v = args[i + 1];
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      return v;
    }
    if (args[i].rfind(name + "=", 0) == 0) {
      std::string v = args[i].substr(name.size() + 1);
      args.erase(args.begin() + static_cast<long>(i));
      return v;
    }
  }
  return "";
}

bool TakeFlag(Args& args, const std::string& name) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == name) {
      args.erase(args.begin() + static_cast<long>(i));
      return true;
    }
  }
  return false;
}

std::string TakeDatabaseUrl(Args& args) {
  std::string url = TakeOption(args, "--database");
  if (!url.empty()) return url;
  if (const char* env = std::getenv("PATCHBAY_DATABASE"); env && *env) return env;
  return "sqlite://patchbay.db";
}

}  // namespace pb::cli
