#include "git/trailers.h"

#include <algorithm>
#include <cctype>

namespace pb::git {
namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// "<id@host>" from "id@host" or "<id@host>"; empty when it is not one.
std::string Bracketed(std::string_view id) {
  id = Trim(id);
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
  if (id.empty() || id.find('@') == std::string_view::npos) return {};
  for (char c : id) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '<' || c == '>') return {};
  }
  return "<" + std::string(id) + ">";
}

// The last path segment of a URL holding an '@': lore's thread URLs end in
// "/T/#u" or "/t.mbox.gz" after the msgid, patch.msgid.link's in the msgid.
std::string MsgidFromUrl(std::string_view url) {
  url = Trim(url);
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  url.remove_prefix(scheme + 3);
  size_t hash = url.find('#');
  if (hash != std::string_view::npos) url = url.substr(0, hash);
  std::string best;
  size_t slash = url.find('/');
  while (slash != std::string_view::npos) {
    size_t next = url.find('/', slash + 1);
    std::string seg = PercentDecode(url.substr(slash + 1, next == std::string_view::npos ? next : next - slash - 1));
    if (seg.find('@') != std::string::npos) best = seg;
    slash = next;
  }
  return Bracketed(best);
}

}  // namespace

std::vector<std::string> TrailerMsgids(std::string_view message) {
  std::vector<std::string> ids;
  while (!message.empty()) {
    size_t nl = message.find('\n');
    std::string_view line = message.substr(0, nl);
    message.remove_prefix(nl == std::string_view::npos ? message.size() : nl + 1);
    std::string id;
    if (StartsWithNoCase(line, "Link:")) {
      id = MsgidFromUrl(line.substr(5));
    } else if (StartsWithNoCase(line, "Message-Id:")) {
      id = Bracketed(line.substr(11));
    }
    if (!id.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  return ids;
}

}  // namespace pb::git
