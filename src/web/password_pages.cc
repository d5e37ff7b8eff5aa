// /user/password-change/ (+ done/) and /user/password-reset/ (+ mail-sent/,
// <uidb64>/<token>/): Django's auth views as upstream mounts them.
#include "core/html.h"
#include "db/accounts.h"
#include "db/read/users_read.h"
#include "notify/messages.h"
#include "notify/outbox.h"
#include "notify/sender.h"
#include "service/accounts.h"
#include "service/login_throttle.h"
#include "service/password_reset.h"
#include "service/passwords.h"
#include "service/sessions.h"
#include "web/account_flows.h"
#include "web/form_kit.h"
#include "web/offload.h"

namespace pb::web::flows {
namespace {

constexpr const char* kMismatch = "The two password fields didn\xE2\x80\x99t match.";
constexpr const char* kRequired = "This field is required.";

http::Response ChangeForm(Visitor& v, const std::string& old_error, const std::string& new1_error,
                          const std::string& new2_error) {
  FormSpec s;
  s.heading = "Password Change";
  s.intro_html = {
      "<p>Please enter your old password, for security's sake, and then enter your new "
      "password twice so we can verify you typed it in correctly.</p>"};
  if (!old_error.empty() || !new1_error.empty() || !new2_error.empty()) {
    s.error = "Please correct the errors below.";
  }
  s.fields = {{"old_password", "Old password", "password", "", old_error, "", "current-password", 0, true},
              {"new_password1", "New password", "password", "", new1_error, "", "new-password", 0, true},
              {"new_password2", "New password confirmation", "password", "", new2_error, "",
               "new-password", 0, true}};
  s.submit = "Change my password";
  s.form_class = "passwordform";
  return FormPage(v, s);
}

// SetPasswordForm's checks of the two new-password fields.
std::pair<std::string, std::string> NewPasswordErrors(const std::string& p1, const std::string& p2) {
  std::string e1 = p1.empty() ? kRequired : "";
  std::string e2 = p2.empty() ? kRequired : "";
  if (e1.empty() && e2.empty() && p1 != p2) e2 = kMismatch;
  return {e1, e2};
}

http::Response SetForm(Visitor& v, const std::string& username, const std::string& e1,
                       const std::string& e2) {
  FormSpec s;
  s.heading = "Password reset confirmation";
  s.intro_html = {"<p>Your username, in case you've forgotten: " + HtmlEscape(username) + "</p>",
                  "<p>Please enter your new password twice so we can verify you typed it in "
                  "correctly.</p>"};
  if (!e1.empty() || !e2.empty()) s.error = "Please correct the errors below.";
  s.fields = {{"new_password1", "New password", "password", "", e1, "", "new-password", 0, true},
              {"new_password2", "New password confirmation", "password", "", e2, "", "new-password", 0, true}};
  s.submit = "Set my password";
  s.form_class = "passwordform";
  return FormPage(v, s);
}

http::Response ResetForm(Visitor& v, const std::string& email, const std::string& error) {
  FormSpec s;
  s.heading = "Password reset";
  s.intro_html = {
      "<p>Forgotten your password? Enter your email address below, and we will email "
      "instructions for setting a new one.</p>"};
  if (!error.empty()) s.error = "Please correct the errors below.";
  s.fields = {{"email", "Email", "email", email, error, "", "email", 254, true}};
  s.submit = "Reset my password";
  s.form_class = "passwordform";
  return FormPage(v, s);
}

}  // namespace

http::Response PasswordChange(db::Connection& c, Visitor& v, const http::Request& req,
                              std::string_view base_url) {
  if (req.method != "GET" && req.method != "HEAD" && req.method != "POST") {
    return form_kit::NotAllowed("GET, POST, HEAD, OPTIONS");
  }
  form_kit::Form form(req);
  if (req.method == "POST") {
    if (auto r = CheckCsrf(req, form.Get("csrfmiddlewaretoken"), base_url)) return std::move(*r);
  }
  if (!v.user()) return form_kit::RedirectToLogin(req);
  if (req.method != "POST") return ChangeForm(v, "", "", "");
  std::string old_pw = form.Get("old_password");
  std::string new_pw = form.Get("new_password1");
  auto [e1, e2] = NewPasswordErrors(new_pw, form.Get("new_password2"));
  std::string old_error = old_pw.empty() ? kRequired : "";
  // The old-password check is a guessing target for a stolen session:
  // throttled as logins are, before any hashing.
  auto& throttle = service::LoginThrottle::Global();
  const std::string& username = v.user()->user.username;
  if (old_error.empty()) {
    if (int64_t wait = throttle.WaitSeconds(username, req.remote_address); wait > 0) {
      old_error = "Too many failed attempts. Please try again in " + std::to_string(wait) + " seconds.";
    }
  }
  if (!old_error.empty()) return ChangeForm(v, old_error, e1, e2);
  // Checking the old password and hashing the new one (PBKDF2 each) run on
  // the side pool; the rest back on this thread.
  struct Work {
    std::string old_pw, new_pw, stored;
    bool fields_ok = false, old_ok = false;
    std::string hash = {};
  };
  auto w = std::make_shared<Work>(Work{std::move(old_pw), std::move(new_pw), v.user()->password,
                                       e1.empty() && e2.empty()});
  auto slow = [w] {
    w->old_ok = service::CheckPassword(w->old_pw, w->stored);
    if (w->old_ok && w->fields_ok) w->hash = service::HashPassword(w->new_pw);
  };
  db::Id id = v.user()->user.id;
  std::string remote = req.remote_address;
  return OffloadThen(c, req, std::move(slow),
                     [&c, w, id, username, remote, e1 = e1, e2 = e2](Visitor& v, const http::Request& again) -> http::Response {
    if (!w->old_ok) {
      service::LoginThrottle::Global().Failed(username, remote);
      return ChangeForm(v, "Your old password was entered incorrectly. Please enter it again.", e1, e2);
    }
    if (!w->fields_ok) return ChangeForm(v, "", e1, e2);
    // The session may have ended while the hash was made.
    if (!v.user() || v.user()->user.id != id) return form_kit::RedirectToLogin(again);
    {
      db::Transaction tx(c);
      db::SetPasswordHash(c, id, w->hash);
      tx.Commit();
    }
    // The new hash ends every session of the user; this browser keeps one
    // (Django's update_session_auth_hash).
    if (v.session_key()) service::LogOut(c, *v.session_key());
    if (auto user = db::read::UserById(c, id)) {
      auto session = service::StartSession(c, std::move(*user));
      v.LoggedIn(session.key, std::move(session.user), service::kSessionAgeSeconds);
    }
    return form_kit::Redirect("/user/password-change/done/");
  });
}

http::Response PasswordChangeDone(Visitor& v, const http::Request& req) {
  if (req.method != "GET" && req.method != "HEAD") return form_kit::NotAllowed("GET, HEAD, OPTIONS");
  if (!v.user()) return form_kit::RedirectToLogin(req);
  return MessagePage(v, "Password Change Complete", {"Your password has been changed successfully."});
}

http::Response PasswordReset(db::Connection& c, Visitor& v, const http::Request& req,
                             std::string_view base_url) {
  if (req.method == "GET" || req.method == "HEAD") return ResetForm(v, "", "");
  if (req.method != "POST") return form_kit::NotAllowed("GET, POST, HEAD, OPTIONS");
  form_kit::Form form(req);
  if (auto r = CheckCsrf(req, form.Get("csrfmiddlewaretoken"), base_url)) return std::move(*r);
  std::string email = form_kit::Strip(form.Get("email"));
  if (std::string err = service::EmailError(email, 254); !err.empty()) return ResetForm(v, email, err);
  bool queued = false;
  {
    db::Transaction tx(c);
    std::string secret = service::ResetSecret(c);
    // PasswordResetForm.get_users(): active users with a usable password
    // and this address; the page never says whether there were any.
    for (const auto& a : db::AccountsWithEmail(c, email)) {
      if (!a.user.is_active || a.password.empty() || a.password.front() == '!') continue;
      std::string path = "/user/password-reset/" + service::ResetUid(a.user.id) + "/" +
                         service::MakeResetToken(a, secret) + "/";
      Status s = notify::QueueMail(
          c, notify::PasswordResetMail(notify::MailSettings(), SiteUrl(req, base_url), a.user.email, path));
      queued = queued || s.ok();
    }
    tx.Commit();
  }
  if (queued) notify::WakeSender();
  return form_kit::Redirect("/user/password-reset/mail-sent/");
}

http::Response PasswordResetSent(Visitor& v, const http::Request& req) {
  if (req.method != "GET" && req.method != "HEAD") return form_kit::NotAllowed("GET, HEAD, OPTIONS");
  return MessagePage(v, "Password reset",
                     {"We have emailed you instructions for setting your password. You should be "
                      "receiving them shortly.",
                      "If you don't receive an email, please make sure you've entered the address "
                      "you registered with, and check your spam folder."});
}

http::Response PasswordResetConfirm(db::Connection& c, Visitor& v, const http::Request& req,
                                    std::string_view base_url, std::string_view uid,
                                    std::string_view token) {
  if (req.method != "GET" && req.method != "HEAD" && req.method != "POST") {
    return form_kit::NotAllowed("GET, POST, HEAD, OPTIONS");
  }
  form_kit::Form form(req);
  if (req.method == "POST") {
    if (auto r = CheckCsrf(req, form.Get("csrfmiddlewaretoken"), base_url)) return std::move(*r);
  }
  std::optional<db::AccountRow> account;
  if (auto id = service::ParseResetUid(uid)) account = db::FindAccount(c, *id);
  bool valid = account && service::CheckResetToken(*account, service::ResetSecret(c), token);
  http::Response r;
  if (!valid) {
    r = MessagePage(v, "Password reset unsuccessful",
                    {"The password reset link was invalid, possibly because it has already been "
                     "used. Please request a new password reset."});
  } else if (req.method != "POST") {
    r = SetForm(v, account->user.username, "", "");
  } else {
    auto [e1, e2] = NewPasswordErrors(form.Get("new_password1"), form.Get("new_password2"));
    if (!e1.empty() || !e2.empty()) {
      r = SetForm(v, account->user.username, e1, e2);
    } else {
      // PBKDF2 on the side pool; the token is checked again afterwards, in
      // the transaction that stores the hash (which also voids the link and
      // every session of the user), so the link stays single-use.
      auto hash = std::make_shared<std::string>();
      auto slow = [hash, pw = form.Get("new_password1")] { *hash = service::HashPassword(pw); };
      db::Id id = account->user.id;
      return OffloadThen(c, req, std::move(slow),
                         [&c, hash, id, token = std::string(token)](Visitor& v, const http::Request&) -> http::Response {
        http::Response done;
        {
          db::Transaction tx(c);
          auto again = db::FindAccount(c, id);
          if (again && service::CheckResetToken(*again, service::ResetSecret(c), token)) {
            db::SetPasswordHash(c, id, *hash);
            tx.Commit();
            done = form_kit::Redirect("/user/login/");
          } else {
            done = MessagePage(v, "Password reset unsuccessful",
                               {"The password reset link was invalid, possibly because it has "
                                "already been used. Please request a new password reset."});
          }
        }
        done.headers.emplace_back("Referrer-Policy", "same-origin");
        return done;
      });
    }
  }
  // The token is in the URL: never hand it to another site as a Referer
  // (same-origin, not no-referrer: a form POST must still carry its Origin).
  r.headers.emplace_back("Referrer-Policy", "same-origin");
  return r;
}

}  // namespace pb::web::flows
