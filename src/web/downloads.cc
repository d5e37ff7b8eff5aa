#include "web/downloads.h"

#include <charconv>
#include <vector>

#include "api/embed.h"
#include "core/strings.h"
#include "api/query.h"
#include "api/response.h"
#include "db/read/bundles_read.h"
#include "db/read/downloads_read.h"
#include "mbox/mbox.h"

namespace pb::web {
namespace {

using http::Response;



Response Redirect(std::string location) {
  Response r;
  r.status = 302;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"},
               {"Location", std::move(location)},
               {"X-Frame-Options", "DENY"}};
  return r;
}

Response Attachment(std::string content_type, std::string filename, std::string body,
                    bool vary_cookie = false) {
  // Names stored before control characters were refused must still not
  // split the header.
  for (char& c : filename) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '_';
  }
  Response r;
  r.headers = {{"Content-Type", std::move(content_type)},
               {"Content-Disposition", "attachment; filename=" + filename},
               {"X-Frame-Options", "DENY"}};
  if (vary_cookie) r.headers.emplace_back("Vary", "Cookie");
  r.body = std::move(body);
  return r;
}


using Located = db::read::DownloadTarget;

// /project/<l>/patch/<msgid>/mbox/[?series=...]
Response PatchMboxResponse(db::Connection& c, const Located& p, const http::Request& req) {
  auto params = api::QueryParams::Parse(req.query);
  const std::string* series = params.Last("series");
  std::optional<std::string> body;
  if (series) {
    if (*series == "*") {
      if (!p.series_id) return api::HtmlNotFound(req.path);
    } else {
      auto id = ParseId(*series);
      if (!id || !p.series_id || *id != *p.series_id) return api::HtmlNotFound(req.path);
    }
    body = mbox::PatchWithDependenciesMbox(c, p.id);
  } else {
    body = mbox::PatchMbox(c, p.id);
  }
  if (!body) return api::HtmlNotFound(req.path);
  return Attachment("text/plain; charset=utf-8", DownloadName(p.name) + ".patch", std::move(*body));
}

}  // namespace

std::string DownloadName(std::string_view name) {
  std::string out;
  bool in_run = false;
  for (unsigned char ch : name) {
    bool keep = std::isalnum(ch) ? ch < 0x80 : (ch == '-' || ch == '_' || ch == '.');
    if (keep) {
      out += static_cast<char>(ch);
      in_run = false;
    } else if (!in_run) {
      out += '-';
      in_run = true;
    }
  }
  size_t b = out.find_first_not_of('-');
  if (b == std::string::npos) return "";
  size_t e = out.find_last_not_of('-');
  return out.substr(b, e - b + 1);
}

std::optional<Response> HandleDownload(db::Connection& c, api::AuthCache& auth,
                                       const http::Request& req, std::string_view base_url) {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  std::string decoded = api::PercentDecode(req.path, /*plus_is_space=*/false);
  auto seg = PathSegments(decoded);
  if (seg.empty()) return std::nullopt;

  // /patch/<id>/, /patch/<id>/mbox/, /patch/<id>/raw/ and the cover
  // equivalents: redirects to the msgid URLs (the query string is dropped,
  // as upstream's redirect drops it).
  if ((seg[0] == "patch" || seg[0] == "cover") && (seg.size() == 2 || seg.size() == 3)) {
    auto id = ParseId(seg[1]);
    if (!id) return std::nullopt;
    std::string_view suffix = seg.size() == 3 ? seg[2] : "";
    bool is_patch = seg[0] == "patch";
    if (!(suffix.empty() || suffix == "mbox" || (is_patch && suffix == "raw"))) return std::nullopt;
    auto l = is_patch ? db::read::FindPatchDownload(c, *id) : db::read::FindCoverDownload(c, *id);
    if (!l) return api::HtmlNotFound(req.path);
    std::string path = is_patch ? api::PatchWebPath(l->linkname, l->msgid)
                                : api::CoverWebPath(l->linkname, l->msgid);
    if (!suffix.empty()) path += std::string(suffix) + "/";
    return Redirect(std::move(path));
  }

  // /project/<l>/pwclientrc/: a ready ~/.pwclientrc section (REST backend,
  // as v3.2.1 defaults to), with the username when the caller authenticated.
  if (seg[0] == "project" && seg.size() == 3 && seg[2] == "pwclientrc") {
    auto found = db::read::FindProjectLinkname(c, seg[1]);
    if (!found) return api::HtmlNotFound(req.path);
    std::string linkname = std::move(*found);
    // The configured origin (upstream: the Site's domain and
    // FORCE_HTTPS_LINKS), else the request's Host over http.
    std::string origin(base_url);
    while (origin.ends_with('/')) origin.pop_back();
    std::string host(req.Header("host"));
    if (host.empty()) host = req.local_address;
    if (origin.empty()) origin = "http://" + host;
    else host = origin.substr(origin.find("://") == std::string::npos ? 0 : origin.find("://") + 3);
    std::string body = "# Sample .pwclientrc file for the " + linkname + " project,\n# running on " + host +
                       ".\n#\n# Just append this file to your existing ~/.pwclientrc\n"
                       "# If you do not already have a ~/.pwclientrc, then copy this file to\n"
                       "# ~/.pwclientrc, and uncomment the following two lines:\n"
                       "# [options]\n# default=" + linkname + "\n\n[" + linkname + "]\n"
                       "backend = rest\nurl = " + origin + "/api/\n";
    auto who = api::Authenticate(req, c, auth);
    if (who.user) {
      body += "username = " + who.user->user.username + "\npassword = <add your patchwork password here>\n";
    } else {
      body += "\n";
    }
    return Attachment("text/plain", ".pwclientrc", std::move(body));
  }

  // /project/<l>/patch/<msgid>/{mbox,raw}/ and /project/<l>/cover/<msgid>/mbox/
  if (seg[0] == "project" && seg.size() == 5 && (seg[2] == "patch" || seg[2] == "cover")) {
    std::string_view linkname = seg[1];
    if (seg[2] == "patch") {
      // Patch views decode %2F back to '/' (spec §1.3).
      std::string msgid = "<" + ReplaceAll(std::string(seg[3]), "%2F", "/") + ">";
      if (seg[4] != "mbox" && seg[4] != "raw") return std::nullopt;
      auto p = db::read::FindPatchDownloadByMsgid(c, linkname, msgid);
      if (!p) return api::HtmlNotFound(req.path);
      if (seg[4] == "raw") {
        if (!p->diff) return api::HtmlNotFound(req.path);
        return Attachment("text/x-patch", DownloadName(p->name) + ".diff", *p->diff);
      }
      return PatchMboxResponse(c, *p, req);
    }
    if (seg[4] != "mbox") return std::nullopt;
    // Cover views do not decode %2F.
    auto v = db::read::FindCoverDownloadByMsgid(c, linkname, "<" + std::string(seg[3]) + ">");
    if (!v) return api::HtmlNotFound(req.path);
    auto body = mbox::CoverMbox(c, v->id);
    if (!body) return api::HtmlNotFound(req.path);
    return Attachment("text/plain", DownloadName(v->name) + ".mbox", std::move(*body));
  }

  // /series/<id>/mbox/
  if (seg[0] == "series" && seg.size() == 3 && seg[2] == "mbox") {
    auto id = ParseId(seg[1]);
    if (!id) return std::nullopt;
    auto series_name = db::read::FindSeriesName(c, *id);
    if (!series_name) return api::HtmlNotFound(req.path);
    std::string name = series_name->value_or("Untitled series #" + std::to_string(*id));
    auto body = mbox::SeriesMbox(c, *id);
    if (!body) return api::HtmlNotFound(req.path);
    return Attachment("text/plain", DownloadName(name) + ".patch", std::move(*body));
  }

  // /bundle/<owner>/<name>/mbox/: the owner or anyone for a public bundle;
  // Basic and Token credentials count, so scripts can fetch private ones.
  if (seg[0] == "bundle" && seg.size() == 4 && seg[3] == "mbox") {
    auto bundle = db::read::FindBundleByOwnerAndName(c, seg[1], seg[2]);
    if (!bundle) return api::HtmlNotFound(req.path);
    db::Id bundle_id = bundle->id;
    const std::string& name = bundle->name;
    if (!bundle->is_public) {
      auto who = api::Authenticate(req, c, auth);
      if (!who.user || who.user->user.id != bundle->owner_id) {
        Response r;
        r.status = 404;
        r.headers = {{"Content-Type", "text/html; charset=utf-8"}, {"X-Frame-Options", "DENY"},
                     {"Vary", "Cookie"}};
        return r;
      }
    }
    auto body = mbox::BundleMbox(c, bundle_id);
    if (!body) return api::HtmlNotFound(req.path);
    return Attachment("text/plain", "bundle-" + std::to_string(bundle_id) + "-" + name + ".mbox",
                      std::move(*body), /*vary_cookie=*/true);
  }
  return std::nullopt;
}

}  // namespace pb::web
