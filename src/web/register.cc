// /register/ and /confirm/KEY/ (upstream's views/user.py register,
// register_confirm and views/notification.py confirm).
#include <memory>

#include "core/html.h"
#include "db/accounts.h"
#include "notify/messages.h"
#include "notify/outbox.h"
#include "notify/sender.h"
#include "service/accounts.h"
#include "service/passwords.h"
#include "web/account_flows.h"
#include "web/form_kit.h"
#include "web/offload.h"

namespace pb::web::flows {
namespace {

const char* const kRegisterIntro =
    "<p>By creating a Patchwork account, you can:</p><ul><li>create \"bundles\" of patches</li>"
    "<li>update the state of your own patches</li></ul>";

http::Response RegisterForm(Visitor& v, const service::RegistrationForm& f,
                            const service::FormErrors& errors, const std::string& error) {
  auto err = [&](const char* name) {
    auto it = errors.find(name);
    return it == errors.end() ? std::string() : it->second;
  };
  FormSpec s;
  s.heading = "Registration";
  s.intro_html = {kRegisterIntro};
  s.error = error;
  s.submit = "Register";
  s.form_class = "registerform";
  s.fields = {
      {"first_name", "First name", "text", f.first_name, err("first_name"), "", "given-name", 30, false},
      {"last_name", "Last name", "text", f.last_name, err("last_name"),
       "Your name is used to identify you on the site", "family-name", 30, false},
      {"email", "Email address", "email", f.email, err("email"),
       "Patchwork will send a confirmation email to this address", "email", 100, true},
      {"username", "Username", "text", f.username, err("username"), "", "username", 30, true},
      {"password", "Password", "password", "", err("password"), "", "new-password", 0, true},
  };
  return FormPage(v, s);
}

}  // namespace

http::Response Register(db::Connection& c, Visitor& v, const http::Request& req,
                        std::string_view base_url) {
  if (req.method == "GET" || req.method == "HEAD") return RegisterForm(v, {}, {}, "");
  if (req.method != "POST") return form_kit::NotAllowed("GET, POST, HEAD, OPTIONS");
  form_kit::Form form(req);
  if (auto r = CheckCsrf(req, form.Get("csrfmiddlewaretoken"), base_url)) return std::move(*r);
  service::RegistrationForm f{form_kit::Strip(form.Get("first_name")),
                              form_kit::Strip(form.Get("last_name")),
                              form_kit::Strip(form.Get("username")),
                              form_kit::Strip(form.Get("email")), form.Get("password")};
  {
    // Checked before hashing, so a refused form costs no PBKDF2.
    auto errors = service::ValidateRegistration(c, f);
    if (!errors.empty()) return RegisterForm(v, f, errors, "");
  }
  auto hash = std::make_shared<std::string>();
  auto slow = [hash, pw = f.password] { *hash = service::HashPassword(pw); };
  return OffloadThen(c, req, std::move(slow),
                     [&c, hash, f, base = std::string(base_url)](Visitor& v, const http::Request& req) {
    {
      db::Transaction tx(c);
      // Again in the transaction: the name or address may have been taken
      // while the hash was made.
      auto errors = service::ValidateRegistration(c, f);
      if (!errors.empty()) return RegisterForm(v, f, errors, "");
      std::string key = service::RegisterHashed(c, f, *hash);
      Status s = notify::QueueMail(
          c, notify::ActivationMail(notify::MailSettings(), SiteUrl(req, base), f.email, key));
      if (!s.ok()) {
        return RegisterForm(v, f, {}, "An error occurred during registration. Please try again later");
      }
      tx.Commit();
    }
    notify::WakeSender();
    return MessagePage(v, "Registration",
                       {"Registration successful!",
                        "A confirmation email has been sent to " + HtmlEscape(f.email) +
                            ". You'll need to visit the link provided in that email to confirm "
                            "your registration."});
  });
}

http::Response Confirm(db::Connection& c, Visitor& v, const http::Request& req,
                       std::string_view key) {
  if (req.method != "GET" && req.method != "HEAD" && req.method != "POST") {
    return form_kit::NotAllowed("GET, POST, HEAD, OPTIONS");
  }
  int validity = notify::MailSettings().confirmation_validity_days;
  auto checked = service::CheckConfirmation(c, key, validity);
  using service::ConfirmOutcome;
  if (checked.outcome == ConfirmOutcome::kUnknown) return MessagePage(v, "Not Found", {}, 404);
  const auto& conf = checked.conf;
  if (checked.outcome == ConfirmOutcome::kInactive) {
    return MessagePage(v, "Confirmation",
                       {"This confirmation has already been processed; you've probably visited "
                        "this page before."});
  }
  if (checked.outcome == ConfirmOutcome::kExpired) {
    std::string what = conf.type == "registration" ? "registration"
                       : conf.type == "userperson" ? "user-person association"
                       : conf.type == "optout"     ? "opt-out"
                                                   : "opt-in";
    return MessagePage(v, "Confirmation",
                       {"The confirmation has expired. If you'd still like to perform the " + what +
                        " process, you'll need to resubmit the request."});
  }
  // link_confirm is login_required upstream: the address joins the
  // account of whoever asked, and only they may complete it.
  if (conf.type == "userperson" && (!v.user() || !conf.user_id || v.user()->user.id != *conf.user_id)) {
    if (!v.user()) return form_kit::RedirectToLogin(req);
    return MessagePage(v, "Confirmation",
                       {"This confirmation belongs to another account. Log in as the user who "
                        "asked to link this address."},
                       403);
  }
  {
    db::Transaction tx(c);
    service::ApplyConfirmation(c, conf);
    tx.Commit();
  }
  std::string email = HtmlEscape(conf.email);
  if (conf.type == "registration") {
    return MessagePage(v, "Registration",
                       {"Registration confirmed!",
                        "Your Patchwork registration is complete. Head over to your <a "
                        "href=\"/user/\">profile</a> to start using Patchwork's extra features."});
  }
  if (conf.type == "userperson") {
    return MessagePage(v, "Link accounts",
                       {"You have successfully linked the email address " + email +
                        " to your Patchwork account.",
                        "Back to <a href=\"/user/\">your profile</a>."});
  }
  if (conf.type == "optout") {
    return MessagePage(v, "Opt-out",
                       {"<strong>Opt-out confirmed</strong>",
                        "You have successfully opted out of automated notifications from this "
                        "patchwork system, sent to " + email + ".",
                        "If you later decide that you would like to receive automated email "
                        "from patchwork, you can <a href=\"/mail/\">opt back in</a>."});
  }
  return MessagePage(v, "Opt-in",
                     {"<strong>Opt-in confirmed</strong>",
                      "You have successfully opted back in to automated email from this "
                      "patchwork system, sent to " + email + "."});
}

}  // namespace pb::web::flows
