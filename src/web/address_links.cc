// /user/link/, /user/unlink/ID/ and the profile's linked addresses and
// settings (upstream's views/user.py link, unlink, profile).
#include <charconv>

#include "core/html.h"
#include "db/accounts.h"
#include "db/mail_store.h"
#include "notify/messages.h"
#include "notify/outbox.h"
#include "notify/sender.h"
#include "service/accounts.h"
#include "web/account_flows.h"
#include "web/account_templates.h"
#include "web/form_kit.h"

namespace pb::web {
namespace flows {
namespace {

http::Response LinkForm(Visitor& v, const std::string& email, const std::string& field_error,
                        const std::string& error) {
  FormSpec s;
  s.heading = "Link accounts";
  s.intro_html = {
      "<p>Your Patchwork account can be linked to more than one email address: patches and "
      "comments sent from any of them then count as yours. A confirmation mail is sent to the "
      "address you add.</p>"};
  s.error = error;
  s.fields = {{"email", "Email", "email", email, field_error, "", "email", 200, true}};
  s.submit = "Add this email";
  s.action = "/user/link/";
  s.form_class = "linkform";
  return FormPage(v, s);
}

}  // namespace

http::Response Link(db::Connection& c, Visitor& v, const http::Request& req,
                    std::string_view base_url) {
  if (req.method != "GET" && req.method != "HEAD" && req.method != "POST") {
    return form_kit::NotAllowed("GET, POST, HEAD, OPTIONS");
  }
  if (req.method == "POST") {
    form_kit::Form form(req);
    if (auto r = CheckCsrf(req, form.Get("csrfmiddlewaretoken"), base_url)) return std::move(*r);
    if (!v.user()) return form_kit::RedirectToLogin(req);
    std::string email = form_kit::Strip(form.Get("email"));
    if (std::string err = service::EmailError(email); !err.empty()) return LinkForm(v, email, err, "");
    {
      db::Transaction tx(c);
      std::string key = service::NewConfirmation(c, "userperson", email, v.user()->user.id);
      Status s = notify::QueueMail(
          c, notify::UserLinkMail(notify::MailSettings(), SiteUrl(req, base_url), email, key));
      if (!s.ok()) return LinkForm(v, email, "", "An error occurred during confirmation. Please try again later");
      tx.Commit();
    }
    notify::WakeSender();
    return MessagePage(v, "Link accounts",
                       {"A confirmation email has been sent to " + HtmlEscape(email) +
                            ". Click on the link provided in the email to confirm that this "
                            "address belongs to you.",
                        "Back to <a href=\"/user/\">your profile</a>."});
  }
  if (!v.user()) return form_kit::RedirectToLogin(req);
  return LinkForm(v, "", "", "");
}

http::Response Unlink(db::Connection& c, Visitor& v, const http::Request& req,
                      std::string_view base_url, std::string_view person_id) {
  if (req.method == "POST") {
    form_kit::Form form(req);
    if (auto r = CheckCsrf(req, form.Get("csrfmiddlewaretoken"), base_url)) return std::move(*r);
  }
  if (!v.user()) return form_kit::RedirectToLogin(req);
  db::Id id = 0;
  auto [p, ec] = std::from_chars(person_id.data(), person_id.data() + person_id.size(), id);
  if (ec != std::errc() || p != person_id.data() + person_id.size()) {
    return MessagePage(v, "Not Found", {}, 404);
  }
  auto person = db::FindPerson(c, id);
  if (!person) return MessagePage(v, "Not Found", {}, 404);
  // Upstream unlinks any person but the user's primary address, even one
  // linked to another account (spec §6.6); here only one's own addresses.
  if (req.method == "POST" && person->email != v.user()->user.email) {
    db::Transaction tx(c);
    bool mine = false;
    for (const auto& lp : db::PeopleOfUser(c, v.user()->user.id)) mine = mine || lp.id == id;
    if (mine) {
      db::UnlinkPerson(c, id);
      db::BumpGeneration(c);
    }
    tx.Commit();
  }
  return form_kit::Redirect("/user/");
}

}  // namespace flows

std::string RenderProfileExtras(db::Connection& c, Visitor& v, std::string_view settings_error) {
  const auto& u = v.user()->user;
  kainjow::mustache::data d;
  d.set("csrf_token", v.CsrfToken());
  kainjow::mustache::data people{kainjow::mustache::data::type::list};
  for (const auto& p : db::PeopleOfUser(c, u.id)) {
    kainjow::mustache::data row;
    row.set("id", std::to_string(p.id));
    row.set("email", p.email);
    row.set("optout", p.optout);
    row.set("primary", p.email == u.email);
    people.push_back(row);
  }
  d.set("people", people);
  if (auto a = db::FindAccount(c, u.id)) {
    d.set("items_per_page", std::to_string(a->items_per_page));
    d.set("show_ids", a->show_ids);
  }
  if (!settings_error.empty()) d.set("settings_error", std::string(settings_error));
  return form_kit::Render(templates::kProfileExtras, d);
}

std::string SaveProfileSettings(db::Connection& c, Visitor& v, const http::Request& req) {
  form_kit::Form form(req);
  std::string items = form_kit::Strip(form.Get("items_per_page"));
  int64_t n = 0;
  auto [p, ec] = std::from_chars(items.data(), items.data() + items.size(), n);
  if (items.empty()) return "Items per page: This field is required.";
  if (ec != std::errc() || p != items.data() + items.size()) return "Items per page: Enter a whole number.";
  // PositiveIntegerField: 0 .. 2147483647.
  if (n < 0) return "Items per page: Ensure this value is greater than or equal to 0.";
  if (n > 2147483647) return "Items per page: Ensure this value is less than or equal to 2147483647.";
  std::string show = form.Get("show_ids");
  bool show_ids = form.Has("show_ids") && show != "false" && show != "0" && show != "off";
  db::Transaction tx(c);
  db::SetProfileSettings(c, v.user()->user.id, n, show_ids);
  db::BumpGeneration(c);
  tx.Commit();
  return "";
}

}  // namespace pb::web
