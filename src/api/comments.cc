// Patch and cover comments (spec §3.8.8): /api/{patches,covers}/{id}/comments/
// (API >= 1.1) and /api/{patches,covers}/{id}/comments/{comment_id}/
// (API >= 1.3; the router enforces both).
#include "api/embed.h"
#include "api/filters.h"
#include "api/headers_dict.h"
#include "api/pagination.h"
#include "api/response.h"
#include "api/views.h"
#include "db/read/catalog.h"
#include "db/read/comments_read.h"

namespace pb::api {
namespace {

using db::read::CommentKind;
using db::read::CommentOrder;
using db::read::CommentRec;

const char* Parent(CommentKind k) { return k == CommentKind::kPatch ? "patches" : "covers"; }

// Python's Message.get('Subject', ''): the first Subject header, raw.
std::string Subject(std::string_view headers) {
  for (auto& [name, value] : ParseHeaderLines(headers)) {
    if (EqualsNoCase(name, "subject")) return std::move(value);
  }
  return "";
}

void WriteComment(JsonWriter& w, Context& ctx, CommentKind kind, const CommentRec& c,
                  const db::read::ProjectRec* project) {
  std::string id = std::to_string(c.id);
  w.BeginObject();
  w.Key("id");
  w.Int(c.id);
  // v3.2.1 adds the comment's own URL in 1.3 (v3.1.3, the golden capture,
  // did not have it).
  if (ctx.AtLeast(kV13)) {
    w.Key("url");
    w.String(ctx.ApiUrl(std::string(Parent(kind)) + "/" + std::to_string(c.parent_id) +
                        "/comments/" + id + "/"));
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
  w.Key("subject");
  w.String(Subject(c.headers));
  w.Key("submitter");
  WritePersonEmbed(w, ctx, c.submitter);
  w.Key("content");
  w.OptString(c.content);
  w.Key("headers");
  WriteHeadersObject(w, c.headers);
  if (ctx.AtLeast(kV13)) {
    w.Key("addressed");
    if (c.addressed) w.Bool(*c.addressed); else w.Null();
  }
  w.EndObject();
}

http::Response List(Context& ctx, CommentKind kind, db::Id parent) {
  auto project_id = db::read::CommentParentProject(ctx.conn(), kind, parent);
  if (!project_id) return NotFoundJson(kAllowRead);
  const auto* project = ctx.Catalog().Project(*project_id);
  // `q` and order=subject crash upstream (no such column); both are ignored.
  std::vector<std::pair<CommentOrder, bool>> order;
  for (const auto& [name, desc] : OrderTerms(ctx.params, {"id", "date", "submitter"})) {
    order.emplace_back(name == "id"     ? CommentOrder::kId
                       : name == "date" ? CommentOrder::kDate
                                        : CommentOrder::kSubmitter,
                       desc);
  }
  int64_t count =
      db::read::CountComments(ctx.conn(), kind, parent, &ctx.state.counts, ctx.generation);
  auto page = ResolvePage(ctx.params, count);
  if (!page) return DetailError(404, "Invalid page.", kAllowRead);
  std::vector<CommentRec> rows;
  if (count > 0) {
    rows = db::read::ListComments(ctx.conn(), kind, parent, order, page->size, page->offset());
  }
  std::string body;
  JsonWriter w(body);
  w.BeginArray();
  for (const auto& c : rows) WriteComment(w, ctx, kind, c, project);
  w.EndArray();
  return PagedResponse(ctx, *page, std::move(body), kAllowRead);
}

http::Response Detail(Context& ctx, CommentKind kind, db::Id parent, db::Id id) {
  auto project_id = db::read::CommentParentProject(ctx.conn(), kind, parent);
  if (!project_id) return NotFoundJson(kAllowReadUpdate);
  auto c = db::read::GetComment(ctx.conn(), kind, parent, id);
  if (!c) return NotFoundJson(kAllowReadUpdate);
  std::string body;
  JsonWriter w(body);
  WriteComment(w, ctx, kind, *c, ctx.Catalog().Project(*project_id));
  return JsonResponse(200, std::move(body), kAllowReadUpdate);
}

}  // namespace

http::Response PatchCommentListView(Context& ctx, const RouteArgs& args) {
  return List(ctx, CommentKind::kPatch, args.id);
}
http::Response CoverCommentListView(Context& ctx, const RouteArgs& args) {
  return List(ctx, CommentKind::kCover, args.id);
}
http::Response PatchCommentDetailView(Context& ctx, const RouteArgs& args) {
  return Detail(ctx, CommentKind::kPatch, args.id, args.id2);
}
http::Response CoverCommentDetailView(Context& ctx, const RouteArgs& args) {
  return Detail(ctx, CommentKind::kCover, args.id, args.id2);
}

}  // namespace pb::api
