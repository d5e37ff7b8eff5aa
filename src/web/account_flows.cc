#include "web/account_flows.h"

#include "api/csrf.h"
#include "api/query.h"
#include "notify/sender.h"
#include "web/account_templates.h"
#include "web/form_kit.h"
#include "web/pages.h"

namespace pb::web {
namespace flows {

using kainjow::mustache::data;

http::Response FormPage(Visitor& visitor, const FormSpec& f, int status) {
  data d;
  d.set("heading", f.heading);
  data intro{data::type::list};
  for (const auto& p : f.intro_html) {
    data row;
    row.set("html", p);
    intro.push_back(row);
  }
  d.set("intro", intro);
  data outro{data::type::list};
  for (const auto& p : f.outro_html) {
    data row;
    row.set("html", p);
    outro.push_back(row);
  }
  d.set("outro", outro);
  if (!f.error.empty()) d.set("error", f.error);
  if (!f.action.empty()) d.set("action", f.action);
  d.set("form_class", f.form_class);
  d.set("submit", f.submit);
  d.set("csrf_token", visitor.CsrfToken());
  data fields{data::type::list};
  for (const auto& fl : f.fields) {
    data row;
    row.set("f_name", fl.name);
    row.set("f_label", fl.label);
    row.set("f_type", fl.type);
    if (!fl.value.empty()) row.set("f_value", fl.value);
    if (!fl.error.empty()) row.set("f_error", fl.error);
    if (!fl.help.empty()) row.set("f_help", fl.help);
    if (!fl.autocomplete.empty()) row.set("f_auto", fl.autocomplete);
    if (fl.max_length > 0) row.set("f_max", std::to_string(fl.max_length));
    row.set("f_required", fl.required);
    fields.push_back(row);
  }
  d.set("fields", fields);
  return LayoutPage(visitor, f.heading, nullptr, form_kit::Render(templates::kFormPage, d), status);
}

http::Response MessagePage(Visitor& visitor, const std::string& heading,
                           const std::vector<std::string>& paragraphs_html, int status) {
  data d;
  d.set("heading", heading);
  data list{data::type::list};
  for (const auto& p : paragraphs_html) {
    data row;
    row.set("html", p);
    list.push_back(row);
  }
  d.set("paragraphs", list);
  return LayoutPage(visitor, heading, nullptr, form_kit::Render(templates::kMessagePage, d), status);
}

std::string SiteUrl(const http::Request& req, std::string_view base_url) {
  const auto& configured = notify::MailSettings().site_url;
  if (!configured.empty()) return configured;
  std::string url(base_url);
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (!url.empty()) return url;
  std::string_view host = req.Header("host");
  return "http://" + std::string(host.empty() ? std::string_view(req.local_address) : host);
}

std::optional<http::Response> CheckCsrf(const http::Request& req, std::string_view form_token,
                                        std::string_view base_url) {
  if (auto reason = api::csrf::Check(req, form_token, base_url)) return form_kit::CsrfFailure(*reason);
  return std::nullopt;
}

}  // namespace flows

namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

bool IsHex(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  }
  return true;
}


std::optional<http::Response> Route(db::Connection& c, Visitor& v, const http::Request& req,
                                    std::string_view base_url) {
  std::string_view path = req.path;
  if (path.empty() || path.back() != '/') return std::nullopt;
  auto seg = Segments(path);
  if (path == "/register/") return flows::Register(c, v, req, base_url);
  if (seg.size() == 2 && seg[0] == "confirm" && IsHex(seg[1])) return flows::Confirm(c, v, req, seg[1]);
  if (path == "/mail/") return flows::MailSettings(c, v, req, base_url);
  if (path == "/mail/optout/") return flows::OptRequest(c, v, req, base_url, "optout");
  if (path == "/mail/optin/") return flows::OptRequest(c, v, req, base_url, "optin");
  if (path == "/admin/projects/") return flows::AdminProjects(c, v, req);
  if (seg.size() >= 3 && seg.size() <= 4 && seg[0] == "admin" && seg[1] == "project" &&
      (seg.size() == 3 || seg[3] == "maintainers")) {
    return flows::AdminProject(c, v, req, base_url, seg[2], seg.size() == 4);
  }
  if (seg.size() < 2 || seg[0] != "user") return std::nullopt;
  if (path == "/user/link/") return flows::Link(c, v, req, base_url);
  if (seg.size() == 3 && seg[1] == "unlink") return flows::Unlink(c, v, req, base_url, seg[2]);
  if (path == "/user/password-change/") return flows::PasswordChange(c, v, req, base_url);
  if (path == "/user/password-change/done/") return flows::PasswordChangeDone(v, req);
  if (path == "/user/password-reset/") return flows::PasswordReset(c, v, req, base_url);
  if (path == "/user/password-reset/mail-sent/") return flows::PasswordResetSent(v, req);
  if (seg.size() == 4 && seg[1] == "password-reset") {
    return flows::PasswordResetConfirm(c, v, req, base_url, seg[2], seg[3]);
  }
  return std::nullopt;
}

}  // namespace

std::optional<http::Response> HandleAccountFlowPage(db::Connection& c, Visitor& v,
                                                    const http::Request& req,
                                                    std::string_view base_url) {
  auto r = Route(c, v, req, base_url);
  if (r && req.method == "OPTIONS") return form_kit::AnswerOptions(std::move(*r));
  return r;
}

}  // namespace pb::web
