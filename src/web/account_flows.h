// The pages of upstream's account flows beyond login (spec §6.6, §6.7):
// /register/, /confirm/KEY/, /user/password-change/, /user/password-reset/,
// /user/link/, /user/unlink/ID/, /mail/, /mail/optout/, /mail/optin/, the
// profile's settings and linked addresses, and the superuser's project
// pages (/admin/projects/, /admin/project/LINKNAME/). Mails go through the outbox
// (notify/outbox.h) in the transaction that makes their confirmation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/mustache.h"

#include "db/connection.h"
#include "http/server.h"
#include "web/visitor.h"

namespace pb::web {

// nullopt when the path is none of these pages.
std::optional<http::Response> HandleAccountFlowPage(db::Connection& c, Visitor& visitor,
                                                    const http::Request& req,
                                                    std::string_view base_url);

// The profile page's extra sections (linked addresses, settings form).
std::string RenderProfileExtras(db::Connection& c, Visitor& visitor, std::string_view settings_error);
// POST /user/: UserProfileForm (items_per_page, show_ids). Returns the
// form's error, or "" when saved.
std::string SaveProfileSettings(db::Connection& c, Visitor& visitor, const http::Request& req);

namespace flows {

struct Field {
  std::string name, label, type = "text", value, error, help, autocomplete;
  int max_length = 0;
  bool required = true;
};
struct FormSpec {
  std::string heading;
  std::vector<std::string> intro_html, outro_html;  // HTML blocks (<p>...</p>), escaped
  std::string error;
  std::vector<Field> fields;
  std::string submit;
  std::string action;  // "" = this URL
  std::string form_class;
};
http::Response FormPage(Visitor& visitor, const FormSpec& f, int status = 200);
http::Response MessagePage(Visitor& visitor, const std::string& heading,
                           const std::vector<std::string>& paragraphs_html, int status = 200);
// The scheme and host links in mails start with: the mail settings'
// site_url, else --base-url, else http:// and the request's Host.
std::string SiteUrl(const http::Request& req, std::string_view base_url);
// The CSRF check of a POST form; a 403 page when it fails.
std::optional<http::Response> CheckCsrf(const http::Request& req, std::string_view form_token,
                                        std::string_view base_url);

// The pages, one function each (address_links.cc, mail_settings.cc,
// password_pages.cc, register.cc).
http::Response Register(db::Connection& c, Visitor& v, const http::Request& req, std::string_view base_url);
http::Response Confirm(db::Connection& c, Visitor& v, const http::Request& req, std::string_view key);
http::Response Link(db::Connection& c, Visitor& v, const http::Request& req, std::string_view base_url);
http::Response Unlink(db::Connection& c, Visitor& v, const http::Request& req, std::string_view base_url,
                      std::string_view person_id);
http::Response MailSettings(db::Connection& c, Visitor& v, const http::Request& req, std::string_view base_url);
http::Response OptRequest(db::Connection& c, Visitor& v, const http::Request& req, std::string_view base_url,
                          std::string_view action);
http::Response PasswordChange(db::Connection& c, Visitor& v, const http::Request& req, std::string_view base_url);
http::Response PasswordChangeDone(Visitor& v, const http::Request& req);
http::Response PasswordReset(db::Connection& c, Visitor& v, const http::Request& req, std::string_view base_url);
http::Response PasswordResetSent(Visitor& v, const http::Request& req);
http::Response PasswordResetConfirm(db::Connection& c, Visitor& v, const http::Request& req,
                                    std::string_view base_url, std::string_view uid,
                                    std::string_view token);

// project_admin.cc: the superuser's project settings and maintainers.
http::Response AdminProjects(db::Connection& c, Visitor& v, const http::Request& req);
http::Response AdminProject(db::Connection& c, Visitor& v, const http::Request& req,
                            std::string_view base_url, std::string_view linkname, bool maintainers);

}  // namespace flows
}  // namespace pb::web
