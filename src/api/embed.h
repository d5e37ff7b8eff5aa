// The embedded ("nested") object shapes of spec §3.7 and the URL helpers
// they share. Each writer emits exactly the fields of the request's API
// version, in upstream's order.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/context.h"
#include "api/json_writer.h"
#include "db/read/rows.h"

namespace pb::api {

// msgid without surrounding <>, and with '/' as %2F (spec §1.3).
std::string UrlMsgid(std::string_view msgid);
std::string EncodedMsgid(std::string_view msgid);
// project.list_archive_url_format with {} replaced; nullopt when not set.
std::optional<std::string> ListArchiveUrl(const db::read::ProjectRec* project,
                                          std::string_view msgid);

// Site URLs of a patch: "/project/<linkname>/patch/<encoded msgid>/" (+ "mbox/").
std::string PatchWebPath(std::string_view linkname, std::string_view msgid);

void WriteUserEmbed(JsonWriter& w, const Context& ctx, const db::read::UserRec& u);
void WritePersonEmbed(JsonWriter& w, const Context& ctx, const db::read::PersonRec& p);
void WriteProjectEmbed(JsonWriter& w, const Context& ctx, const db::read::ProjectRec& p);
// id, url, name, link_name, list_id, list_email, web_url, scm_url, webscm_url:
// the fields the embedded and the full project share, in that order.
void WriteProjectLeadingFields(JsonWriter& w, const Context& ctx, const db::read::ProjectRec& p);
// `project` is the series' project (for its web_url); may be null.
void WriteSeriesEmbed(JsonWriter& w, const Context& ctx, const db::read::SeriesRef& s,
                      const db::read::ProjectRec* project);
void WritePatchEmbed(JsonWriter& w, const Context& ctx, const db::read::PatchRef& p,
                     const db::read::ProjectRec* project);

// Site URL path of a cover: "/project/<linkname>/cover/<encoded msgid>/" (+ "mbox/").
std::string CoverWebPath(std::string_view linkname, std::string_view msgid);

// The project embed, rendered once per request and project (ctx.memo).
void WriteProjectEmbedMemo(JsonWriter& w, Context& ctx, const db::read::ProjectRec& p);
// `project` is the cover's project; may be null.
void WriteCoverEmbed(JsonWriter& w, const Context& ctx, const db::read::CoverRef& c,
                     const db::read::ProjectRec* project);
// `parent` is "patches" or "covers"; `project` is the parent's project.
void WriteCommentEmbed(JsonWriter& w, const Context& ctx, std::string_view parent,
                       const db::read::CommentRef& c, const db::read::ProjectRec* project);
void WriteCheckEmbed(JsonWriter& w, const Context& ctx, const db::read::CheckRec& c);

// Writes `"headers":{...}` content (the object) for stored header text.
void WriteHeadersObject(JsonWriter& w, std::string_view stored_headers);

}  // namespace pb::api
