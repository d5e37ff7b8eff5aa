#include "notify/config.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace pb::notify {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool ParseInt(std::string_view v, int& out) {
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && p == v.data() + v.size();
}

Status ReadSecretFile(const std::string& path, std::string& out) {
  std::ifstream in(path);
  if (!in) return Status::Io("cannot read " + path);
  std::getline(in, out);
  out = std::string(Trim(out));
  return Status::Ok();
}

}  // namespace

int MailConfig::port() const {
  if (smtp_port > 0) return smtp_port;
  return smtp_security == Security::kTls ? 465 : 25;
}

Status SetMailOption(MailConfig& c, std::string_view key, std::string_view value) {
  std::string v(Trim(value));
  auto bad = [&] { return Status::Invalid("bad value for " + std::string(key) + ": '" + v + "'"); };
  if (key == "transport") {
    if (v == "smtp") c.transport = Transport::kSmtp;
    else if (v == "sendmail") c.transport = Transport::kSendmail;
    else if (v == "none") c.transport = Transport::kNone;
    else return bad();
  } else if (key == "smtp_host") {
    c.smtp_host = v;
    if (c.transport == Transport::kNone) c.transport = Transport::kSmtp;
  } else if (key == "smtp_port") {
    int port = 0;
    if (!ParseInt(v, port) || port <= 0 || port > 65535) return bad();
    c.smtp_port = port;
  } else if (key == "smtp_security") {
    if (v == "none") c.smtp_security = Security::kNone;
    else if (v == "starttls") c.smtp_security = Security::kStartTls;
    else if (v == "tls") c.smtp_security = Security::kTls;
    else return bad();
  } else if (key == "smtp_user") {
    c.smtp_user = v;
  } else if (key == "smtp_password") {
    c.smtp_password = v;
  } else if (key == "smtp_password_file") {
    return ReadSecretFile(v, c.smtp_password);
  } else if (key == "smtp_timeout") {
    int n = 0;
    if (!ParseInt(v, n) || n <= 0) return bad();
    c.smtp_timeout_seconds = n;
  } else if (key == "sendmail") {
    c.sendmail = v;
    c.transport = Transport::kSendmail;
  } else if (key == "from") {
    c.from = v;
  } else if (key == "notification_from") {
    c.notification_from = v;
  } else if (key == "reply_to") {
    c.reply_to = v;
  } else if (key == "site_url") {
    while (!v.empty() && v.back() == '/') v.pop_back();
    c.site_url = v;
  } else if (key == "notification_delay_minutes") {
    int n = 0;
    if (!ParseInt(v, n) || n < 0) return bad();
    c.notification_delay_minutes = n;
  } else if (key == "confirmation_validity_days") {
    int n = 0;
    if (!ParseInt(v, n) || n <= 0) return bad();
    c.confirmation_validity_days = n;
  } else {
    return Status::Invalid("unknown mail setting '" + std::string(key) + "'");
  }
  return Status::Ok();
}

Status LoadMailConfigFile(MailConfig& c, const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Io("cannot read mail config " + path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string_view l = Trim(line);
    if (l.empty() || l.front() == '#') continue;
    size_t eq = l.find('=');
    if (eq == std::string_view::npos) {
      return Status::Invalid(path + ":" + std::to_string(n) + ": expected key = value");
    }
    Status s = SetMailOption(c, Trim(l.substr(0, eq)), l.substr(eq + 1));
    if (!s.ok()) return Status::Invalid(path + ":" + std::to_string(n) + ": " + s.message());
  }
  return Status::Ok();
}

std::string DescribeTransport(const MailConfig& c) {
  switch (c.transport) {
    case Transport::kNone: return "none (mail stays queued)";
    case Transport::kSendmail: return "sendmail " + c.sendmail;
    case Transport::kSmtp: {
      std::string s = (c.smtp_security == Security::kTls ? "smtps://" : "smtp://") + c.smtp_host +
                      ":" + std::to_string(c.port());
      if (c.smtp_security == Security::kStartTls) s += " (starttls)";
      if (!c.smtp_user.empty()) s += " as " + c.smtp_user;
      return s;
    }
  }
  return "?";
}

}  // namespace pb::notify
