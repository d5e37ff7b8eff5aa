#include "api/embed.h"

#include "api/headers_dict.h"
#include "api/response.h"
#include "core/time.h"
#include "service/patch_updates.h"

namespace pb::api {

using db::read::PatchRef;
using db::read::PersonRec;
using db::read::ProjectRec;
using db::read::SeriesRef;
using db::read::UserRec;

std::string UrlMsgid(std::string_view msgid) {
  while (!msgid.empty() && (msgid.front() == '<' || msgid.front() == '>')) msgid.remove_prefix(1);
  while (!msgid.empty() && (msgid.back() == '<' || msgid.back() == '>')) msgid.remove_suffix(1);
  return std::string(msgid);
}

std::string EncodedMsgid(std::string_view msgid) {
  std::string id = UrlMsgid(msgid);
  if (id.find('/') == std::string::npos) return id;
  std::string out;
  for (char c : id) {
    if (c == '/') out += "%2F"; else out += c;
  }
  return out;
}

std::optional<std::string> ListArchiveUrl(const ProjectRec* project, std::string_view msgid) {
  if (!project || project->list_archive_url_format.empty() || msgid.empty()) return std::nullopt;
  // str.format with one positional field: "{}" is the msgid, "{{"/"}}" are braces.
  const std::string& f = project->list_archive_url_format;
  std::string id = UrlMsgid(msgid);
  std::string out;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '{' && i + 1 < f.size() && f[i + 1] == '}') {
      out += id;
      ++i;
    } else if ((f[i] == '{' || f[i] == '}') && i + 1 < f.size() && f[i + 1] == f[i]) {
      out += f[i];
      ++i;
    } else {
      out += f[i];
    }
  }
  return out;
}

std::string PatchWebPath(std::string_view linkname, std::string_view msgid) {
  // reverse() quotes the arguments, so the '%' of an encoded '/' becomes %25.
  std::string p = "/project/";
  p += PathQuote(linkname);
  p += "/patch/";
  p += PathQuote(EncodedMsgid(msgid));
  p += '/';
  return p;
}

void WriteUserEmbed(JsonWriter& w, const Context& ctx, const UserRec& u) {
  w.BeginObject();
  w.Key("id");
  w.Int(u.id);
  w.Key("url");
  w.String(ctx.ApiUrl("users/" + std::to_string(u.id) + "/"));
  w.Key("username");
  w.String(u.username);
  w.Key("first_name");
  w.String(u.first_name);
  w.Key("last_name");
  w.String(u.last_name);
  w.Key("email");
  w.String(u.email);
  w.EndObject();
}

void WritePersonEmbed(JsonWriter& w, const Context& ctx, const PersonRec& p) {
  w.BeginObject();
  w.Key("id");
  w.Int(p.id);
  w.Key("url");
  w.String(ctx.ApiUrl("people/" + std::to_string(p.id) + "/"));
  w.Key("name");
  w.OptString(p.name);
  w.Key("email");
  w.String(p.email);
  w.EndObject();
}

void WriteProjectLeadingFields(JsonWriter& w, const Context& ctx, const ProjectRec& p) {
  w.Key("id");
  w.Int(p.id);
  w.Key("url");
  w.String(ctx.ApiUrl("projects/" + std::to_string(p.id) + "/"));
  w.Key("name");
  w.String(p.name);
  w.Key("link_name");
  w.String(p.linkname);
  w.Key("list_id");
  w.String(p.listid);
  w.Key("list_email");
  w.String(p.listemail);
  w.Key("web_url");
  w.String(p.web_url);
  w.Key("scm_url");
  w.String(p.scm_url);
  w.Key("webscm_url");
  w.String(p.webscm_url);
}

void WriteProjectEmbed(JsonWriter& w, const Context& ctx, const ProjectRec& p) {
  w.BeginObject();
  WriteProjectLeadingFields(w, ctx, p);
  if (ctx.AtLeast(kV12)) {
    w.Key("list_archive_url");
    w.String(p.list_archive_url);
    w.Key("list_archive_url_format");
    w.String(p.list_archive_url_format);
    w.Key("commit_url_format");
    w.String(p.commit_url_format);
  }
  w.EndObject();
}

void WriteSeriesEmbed(JsonWriter& w, const Context& ctx, const SeriesRef& s,
                      const ProjectRec* project) {
  w.BeginObject();
  w.Key("id");
  w.Int(s.id);
  w.Key("url");
  w.String(ctx.ApiUrl("series/" + std::to_string(s.id) + "/"));
  if (ctx.AtLeast(kV11)) {
    w.Key("web_url");
    std::string path = "/project/";
    if (project) path += PathQuote(project->linkname);
    path += "/list/?series=" + std::to_string(s.id);
    w.String(ctx.SiteUrl(path));
  }
  w.Key("date");
  w.String(FormatIsoDate(s.date));
  w.Key("name");
  w.OptString(s.name);
  w.Key("version");
  w.Int(s.version);
  w.Key("mbox");
  w.String(ctx.SiteUrl("/series/" + std::to_string(s.id) + "/mbox/"));
  w.EndObject();
}

void WritePatchEmbed(JsonWriter& w, const Context& ctx, const PatchRef& p,
                     const ProjectRec* project) {
  std::string web = PatchWebPath(project ? project->linkname : "", p.msgid);
  w.BeginObject();
  w.Key("id");
  w.Int(p.id);
  w.Key("url");
  w.String(ctx.ApiUrl("patches/" + std::to_string(p.id) + "/"));
  if (ctx.AtLeast(kV11)) {
    w.Key("web_url");
    w.String(ctx.SiteUrl(web));
  }
  w.Key("msgid");
  w.String(p.msgid);
  if (ctx.AtLeast(kV12)) {
    w.Key("list_archive_url");
    w.OptString(ListArchiveUrl(project, p.msgid));
  }
  w.Key("date");
  w.String(FormatIsoDate(p.date));
  w.Key("name");
  w.String(p.name);
  w.Key("mbox");
  w.String(ctx.SiteUrl(web + "mbox/"));
  w.EndObject();
}

std::string CoverWebPath(std::string_view linkname, std::string_view msgid) {
  std::string p = "/project/";
  p += PathQuote(linkname);
  p += "/cover/";
  p += PathQuote(EncodedMsgid(msgid));
  p += '/';
  return p;
}

void WriteProjectEmbedMemo(JsonWriter& w, Context& ctx, const ProjectRec& p) {
  std::string& json = ctx.memo["project:" + std::to_string(p.id)];
  if (json.empty()) {
    JsonWriter pw(json);
    WriteProjectEmbed(pw, ctx, p);
  }
  w.Raw(json);
}

void WriteCoverEmbed(JsonWriter& w, const Context& ctx, const db::read::CoverRef& c,
                     const ProjectRec* project) {
  std::string web = CoverWebPath(project ? project->linkname : "", c.msgid);
  w.BeginObject();
  w.Key("id");
  w.Int(c.id);
  w.Key("url");
  w.String(ctx.ApiUrl("covers/" + std::to_string(c.id) + "/"));
  if (ctx.AtLeast(kV11)) {
    w.Key("web_url");
    w.String(ctx.SiteUrl(web));
  }
  w.Key("msgid");
  w.String(c.msgid);
  if (ctx.AtLeast(kV12)) {
    w.Key("list_archive_url");
    w.OptString(ListArchiveUrl(project, c.msgid));
  }
  w.Key("date");
  w.String(FormatIsoDate(c.date));
  w.Key("name");
  w.String(c.name);
  if (ctx.AtLeast(kV11)) {
    w.Key("mbox");
    w.String(ctx.SiteUrl(web + "mbox/"));
  }
  w.EndObject();
}

void WriteCommentEmbed(JsonWriter& w, const Context& ctx, std::string_view parent,
                       const db::read::CommentRef& c, const ProjectRec* project) {
  std::string id = std::to_string(c.id);
  w.BeginObject();
  w.Key("id");
  w.Int(c.id);
  if (ctx.AtLeast(kV13)) {
    w.Key("url");
    w.String(ctx.ApiUrl(std::string(parent) + "/" + std::to_string(c.parent_id) + "/comments/" +
                        id + "/"));
  }
  if (ctx.AtLeast(kV11)) {
    w.Key("web_url");
    w.String(ctx.SiteUrl("/comment/" + id + "/"));
  }
  w.Key("msgid");
  w.String(c.msgid);
  if (ctx.AtLeast(kV12)) {
    w.Key("list_archive_url");
    w.OptString(ListArchiveUrl(project, c.msgid));
  }
  w.Key("date");
  w.String(FormatIsoDate(c.date));
  w.EndObject();
}

void WriteCheckEmbed(JsonWriter& w, const Context& ctx, const db::read::CheckRec& c) {
  w.BeginObject();
  w.Key("id");
  w.Int(c.id);
  w.Key("url");
  w.String(ctx.ApiUrl("patches/" + std::to_string(c.patch_id) + "/checks/" +
                      std::to_string(c.id) + "/"));
  w.Key("date");
  w.String(FormatIsoDate(c.date));
  w.Key("state");
  w.String(service::CheckStateName(c.state));
  w.Key("target_url");
  w.OptString(c.target_url);
  w.Key("context");
  w.String(c.context);
  w.EndObject();
}

void WriteHeadersObject(JsonWriter& w, std::string_view stored_headers) {
  w.BeginObject();
  ForEachHeaderEntry(stored_headers, [&](std::string_view name, const std::vector<std::string_view>& values) {
    w.Key(name);
    if (values.size() == 1) {
      w.String(values[0]);
    } else {
      w.BeginArray();
      for (auto v : values) w.String(v);
      w.EndArray();
    }
  });
  w.EndObject();
}

}  // namespace pb::api
