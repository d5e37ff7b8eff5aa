// /mail/, /mail/optout/ and /mail/optin/ (upstream's views/mail.py).
#include "core/html.h"
#include "db/accounts.h"
#include "notify/messages.h"
#include "notify/outbox.h"
#include "notify/sender.h"
#include "service/accounts.h"
#include "web/account_flows.h"
#include "web/account_templates.h"
#include "web/form_kit.h"
#include "web/pages.h"

namespace pb::web::flows {
namespace {

http::Response EmailForm(Visitor& v, const std::string& email, const std::string& error) {
  FormSpec s;
  s.heading = "Mail settings";
  s.intro_html = {
      "<p>You can configure Patchwork to send you mail on certain events, or block automated "
      "mail altogether. Enter your email address to view or change your email settings.</p>"};
  if (!error.empty()) s.error = "There was an error accessing your mail settings:";
  s.fields = {{"email", "Email", "email", email, error, "", "email", 200, true}};
  s.submit = "Access mail settings";
  s.action = "/mail/";
  s.form_class = "mailform";
  return FormPage(v, s);
}

}  // namespace

http::Response MailSettings(db::Connection& c, Visitor& v, const http::Request& req,
                            std::string_view base_url) {
  if (req.method == "GET" || req.method == "HEAD") return EmailForm(v, "", "");
  if (req.method != "POST") return form_kit::NotAllowed("GET, POST, HEAD, OPTIONS");
  form_kit::Form form(req);
  if (auto r = CheckCsrf(req, form.Get("csrfmiddlewaretoken"), base_url)) return std::move(*r);
  std::string email = form_kit::Strip(form.Get("email"));
  if (std::string err = service::EmailError(email); !err.empty()) return EmailForm(v, email, err);
  kainjow::mustache::data d;
  d.set("email", email);
  d.set("is_optout", db::IsOptedOut(c, service::OptoutKey(email)));
  d.set("csrf_token", v.CsrfToken());
  return LayoutPage(v, "Mail settings", nullptr, form_kit::Render(templates::kMailSettings, d));
}

http::Response OptRequest(db::Connection& c, Visitor& v, const http::Request& req,
                          std::string_view base_url, std::string_view action) {
  if (req.method != "POST") return form_kit::Redirect("/mail/");
  form_kit::Form form(req);
  if (auto r = CheckCsrf(req, form.Get("csrfmiddlewaretoken"), base_url)) return std::move(*r);
  bool out = action == "optout";
  std::string heading = out ? "Opt-out" : "Opt-in";
  std::string email = form_kit::Strip(form.Get("email"));
  auto form_page = [&](const std::string& field_error, const std::string& error) {
    FormSpec s;
    s.heading = heading;
    if (out) {
      s.intro_html = {
          "<p>This form allows you to opt-out of automated email from Patchwork.</p>",
          "<p>If you opt-out of email, Patchwork may still email you if you do certain actions "
          "yourself (such as create a new Patchwork account), but will not send you unsolicited "
          "email.</p>",
          "<p>When you submit it, one email will be sent to your address with a link to click to "
          "finalise the opt-out. Patchwork does this to prevent someone opting you out without "
          "your consent.</p>"};
    } else {
      s.intro_html = {"<p>This form allows you to opt-in to automated email from Patchwork.</p>"};
    }
    s.error = error;
    s.fields = {{"email", "Email", "email", email, field_error, "", "email", 200, true}};
    s.submit = out ? "Send me an opt-out link" : "Send me an opt-in link";
    return FormPage(v, s);
  };
  if (std::string err = service::EmailError(email); !err.empty()) {
    return form_page(err, "There was an error in the form. Please review and re-submit.");
  }
  {
    db::Transaction tx(c);
    if (!out && !db::IsOptedOut(c, service::OptoutKey(email))) {
      return form_page("", "The email address " + email +
                               " is not on the patchwork opt-out list, so you don't need to opt "
                               "back in");
    }
    std::string key = service::NewConfirmation(c, action, email, std::nullopt);
    Status s = notify::QueueMail(c, notify::OptRequestMail(notify::MailSettings(),
                                                           SiteUrl(req, base_url), action, email, key));
    if (!s.ok()) return form_page("", "An error occurred during confirmation. Please try again later.");
    tx.Commit();
  }
  notify::WakeSender();
  std::vector<std::string> body = {
      out ? "<strong>Opt-out confirmation email sent</strong>"
          : "<strong>Opt-in confirmation email sent</strong>",
      std::string(out ? "An opt-out" : "An opt-in") + " confirmation mail has been sent to <strong>" +
          HtmlEscape(email) + "</strong>, containing a link. Please click on that link to confirm your " +
          (out ? "opt-out." : "opt-in.")};
  if (v.user()) body.push_back("Return to your <a href=\"/user/\">user profile</a>.");
  return MessagePage(v, heading, body);
}

}  // namespace pb::web::flows
