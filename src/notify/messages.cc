#include "notify/messages.h"

#include <set>

#include "api/embed.h"

namespace pb::notify {
namespace {

OutgoingMail Base(const MailConfig& c, std::string_view to, std::string subject, std::string body) {
  OutgoingMail m;
  m.from = c.from;
  m.to = {std::string(to)};
  m.reply_to = c.reply_to;
  m.subject = std::move(subject);
  m.body = std::move(body);
  return m;
}

std::string ConfirmUrl(std::string_view site_url, std::string_view key) {
  return std::string(site_url) + "/confirm/" + std::string(key) + "/";
}

}  // namespace

std::string SiteDomain(std::string_view site_url) {
  if (size_t p = site_url.find("://"); p != std::string_view::npos) site_url.remove_prefix(p + 3);
  return std::string(site_url.substr(0, site_url.find('/')));
}

OutgoingMail ActivationMail(const MailConfig& c, std::string_view site_url, std::string_view email,
                            std::string_view key) {
  return Base(c, email, "Patchwork account confirmation",
              "Hi,\n\n"
              "This email is to confirm your account on the patchwork patch-tracking\n"
              "system. You can activate your account by visiting the url:\n\n"
              " " + ConfirmUrl(site_url, key) + "\n\n"
              "If you didn't request a user account on patchwork, then you can ignore\n"
              "this mail.\n\n"
              "Happy patchworking.\n");
}

OutgoingMail UserLinkMail(const MailConfig& c, std::string_view site_url, std::string_view email,
                          std::string_view key) {
  return Base(c, email, "Patchwork email address confirmation",
              "Hi,\n\n"
              "This email is to confirm that you own the email address:\n\n"
              "  " + std::string(email) + "\n\n"
              "So that you can add it to your Patchwork profile. You can confirm this\n"
              "email address by visiting the url:\n\n"
              " " + ConfirmUrl(site_url, key) + "\n\n"
              "Happy patchworking.\n");
}

OutgoingMail OptRequestMail(const MailConfig& c, std::string_view site_url, std::string_view action,
                            std::string_view email, std::string_view key) {
  std::string domain = SiteDomain(site_url);
  bool out = action == "optout";
  std::string body =
      out ? "Hi,\n\n"
            "This email is to confirm that you would like to opt-out from all email\n"
            "from the Patchwork system at " + domain + ".\n\n"
            "To complete the opt-out process, visit:\n\n"
          : "Hi,\n\n"
            "This email is to confirm that you would like to opt-in to automated\n"
            "email from the Patchwork system at " + domain + ".\n\n"
            "To complete the opt-in process, visit:\n\n";
  body += " " + ConfirmUrl(site_url, key) + "\n\n";
  body += out ? "If you didn't request this opt-out, you don't need to do anything.\n\n"
              : "If you didn't request this opt-in, you don't need to do anything.\n\n";
  body += "Happy patchworking.\n";
  return Base(c, email, out ? "Patchwork opt-out request" : "Patchwork opt-in request",
              std::move(body));
}

OutgoingMail PasswordResetMail(const MailConfig& c, std::string_view site_url,
                               std::string_view email, std::string_view reset_path) {
  return Base(c, email, "Password reset on " + SiteDomain(site_url),
              "Hi,\n\n"
              "You are receiving this email because you requested a password reset for\n"
              "your user account on the Patchwork patch-tracking system.\n\n"
              "Please visit the following url and choose a new password:\n\n" +
                  std::string(site_url) + std::string(reset_path) + "\n\n"
              "Happy patchworking.\n");
}

OutgoingMail NotificationMail(const MailConfig& c, std::string_view site_url,
                              std::string_view email,
                              const std::vector<db::PendingNotification>& changes) {
  // Upstream joins a set of linknames: unordered there; sorted here.
  std::set<std::string> projects;
  for (const auto& n : changes) projects.insert(n.project_linkname);
  std::string joined;
  for (const auto& p : projects) joined += (joined.empty() ? "" : ",") + p;
  bool many = changes.size() != 1;
  std::string subject = "[" + joined + "] Patch notification: " + std::to_string(changes.size()) +
                        " patch" + (many ? "es" : "") + " updated";
  std::string body = "Hello,\n\nThe following patch";
  body += many ? "es (submitted by you) have" : " (submitted by you) has";
  body += " been updated in Patchwork:\n\n";
  for (const auto& n : changes) {
    body += " * " + n.project_linkname + ": " + n.patch_name + "\n";
    body += "     - " + std::string(site_url) + api::PatchWebPath(n.project_linkname, n.msgid) + "\n";
    body += "     - for: " + n.project_name + "\n";
    body += "    was: " + n.orig_state + "\n";
    body += "    now: " + n.state + "\n\n";
  }
  body +=
      "This email is a notification only - you do not need to respond.\n\n"
      "Happy patchworking.\n\n"
      "--\n\n"
      "This is an automated mail sent by the Patchwork system at\n" +
      SiteDomain(site_url) +
      ". To stop receiving these notifications, edit\n"
      "your mail settings at:\n"
      "  " + std::string(site_url) + "/mail/\n";
  OutgoingMail m = Base(c, email, std::move(subject), std::move(body));
  m.from = c.notification_sender();
  m.headers.emplace_back("Precedence", "bulk");
  return m;
}

}  // namespace pb::notify
