// /api/webhooks/ (patchbay extension, docs/webhooks.md): superusers list,
// add, enable, disable and remove a project's webhooks and read their
// delivery log. A database server that goes away during a write is thrown
// on to api/app.cc, which answers 503 as for every other request. Others
// get DRF's 403. Not in the index or upstream's schema: clients that only
// know Patchwork never see it.
#include <algorithm>
#include <variant>

#include "api/drf_fields.h"
#include "api/json_writer.h"
#include "api/pagination.h"
#include "api/request_body.h"
#include "api/response.h"
#include "api/views.h"
#include "api/webhook_views.h"
#include "api/writes.h"
#include "core/time.h"
#include "db/read/webhooks_read.h"
#include "db/webhooks.h"
#include "service/webhooks.h"

namespace pb::api {
namespace {

constexpr std::string_view kAllowDetail = kAllowAll;

bool Superuser(const Context& ctx) { return ctx.user && ctx.user->is_superuser; }

void WriteWebhook(JsonWriter& w, Context& ctx, const db::WebhookRow& h,
                  const std::string* secret = nullptr) {
  std::string self = "webhooks/" + std::to_string(h.id) + "/";
  w.BeginObject();
  w.Key("id");
  w.Int(h.id);
  w.Key("url");
  w.String(ctx.UnversionedApiUrl(self));
  w.Key("project");
  w.String(h.project);
  w.Key("target_url");
  w.String(h.url);
  w.Key("events");
  w.BeginArray();
  for (const auto& c : service::SplitCategories(h.categories)) w.String(c);
  w.EndArray();
  w.Key("active");
  w.Bool(h.active);
  w.Key("created");
  w.String(FormatIsoDate(h.created));
  w.Key("last_event_id");
  w.Int(h.last_event_id);
  w.Key("deliveries");
  w.String(ctx.UnversionedApiUrl(self + "deliveries/"));
  if (secret) {  // shown once, when it is made
    w.Key("secret");
    w.String(*secret);
  }
  w.EndObject();
}

std::string Text(const boost::json::value* v) {
  if (v && v->is_string()) return std::string(v->as_string());
  if (v && v->is_int64()) return std::to_string(v->as_int64());
  return "";
}

void WriteDelivery(JsonWriter& w, const db::read::WebhookDeliveryRec& d) {
  w.BeginObject();
  w.Key("id");
  w.Int(d.id);
  w.Key("delivery");
  w.String(d.uuid);
  w.Key("event_id");
  w.Int(d.event_id);
  w.Key("category");
  w.String(d.category);
  w.Key("status");
  w.String(d.status);
  w.Key("created");
  w.String(FormatIsoDate(d.created));
  w.Key("attempts");
  w.Int(d.attempts);
  w.Key("next_attempt");
  if (d.status == "pending") w.String(FormatIsoDate(d.next_attempt)); else w.Null();
  w.Key("finished");
  if (d.finished) w.String(FormatIsoDate(*d.finished)); else w.Null();
  w.Key("last_error");
  w.String(d.last_error);
  w.Key("attempt_log");
  w.BeginArray();
  for (const auto& a : d.attempt_log) {
    w.BeginObject();
    w.Key("date");
    w.String(FormatIsoDate(a.date));
    w.Key("response_code");
    if (a.response_code) w.Int(a.response_code); else w.Null();
    w.Key("error");
    w.String(a.error);
    w.Key("duration_ms");
    w.Int(a.duration_us / 1000);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

http::Response WebhookListView(Context& ctx, const RouteArgs&) {
  if (!Superuser(ctx)) return PermissionDenied(ctx, kAllowReadCreate);
  std::string body;
  JsonWriter w(body);
  w.BeginArray();
  for (const auto& h : db::ListWebhooks(ctx.conn())) WriteWebhook(w, ctx, h);
  w.EndArray();
  return JsonResponse(200, std::move(body), kAllowReadCreate);
}

http::Response WebhookDetailView(Context& ctx, const RouteArgs& args) {
  if (!Superuser(ctx)) return PermissionDenied(ctx, kAllowDetail);
  auto h = db::FindWebhook(ctx.conn(), args.id);
  if (!h) return NotFoundJson(kAllowDetail);
  std::string body;
  JsonWriter w(body);
  WriteWebhook(w, ctx, *h);
  return JsonResponse(200, std::move(body), kAllowDetail);
}


// Newest first, paged like every other list (`page`, `per_page`, Link).
http::Response WebhookDeliveryListView(Context& ctx, const RouteArgs& args) {
  if (!Superuser(ctx)) return PermissionDenied(ctx, kAllowRead);
  if (!db::FindWebhook(ctx.conn(), args.id)) return NotFoundJson(kAllowRead);
  auto page = ResolvePage(ctx.params, db::read::CountWebhookDeliveries(ctx.conn(), args.id));
  if (!page) return DetailError(404, "Invalid page.", kAllowRead);
  std::string body;
  JsonWriter w(body);
  w.BeginArray();
  if (page->count > 0) {
    for (const auto& d :
         db::read::ListWebhookDeliveries(ctx.conn(), args.id, page->size, page->offset())) {
      WriteDelivery(w, d);
    }
  }
  w.EndArray();
  return PagedResponse(ctx, *page, std::move(body), kAllowRead);
}

http::Response WebhookCreateView(Context& ctx, const RouteArgs&) {
  if (!Superuser(ctx)) return PermissionDenied(ctx, kAllowReadCreate);
  auto parsed = ParseRequestBody(ctx.req, kAllowReadCreate);
  if (auto* err = std::get_if<http::Response>(&parsed)) return std::move(*err);
  const RequestData& data = std::get<RequestData>(parsed);
  if (!data.is_object()) return DetailError(400, "Expected a JSON object.", kAllowReadCreate);
  service::NewWebhook n;
  n.project = Text(data.Get("project"));
  n.url = Text(data.Get("target_url"));
  n.secret = Text(data.Get("secret"));
  if (const auto* ev = data.Get("events")) {
    if (ev->is_array()) {
      for (const auto& e : ev->as_array()) {
        if (!e.is_string()) return DetailError(400, "events must be a list of categories.", kAllowReadCreate);
        n.categories.emplace_back(e.as_string());
      }
    } else if (ev->is_string()) {
      n.categories = service::SplitCategories(std::string(ev->as_string()));
    } else {
      return DetailError(400, "events must be a list of categories.", kAllowReadCreate);
    }
  }
  if (n.project.empty() || n.url.empty()) {
    return DetailError(400, "project and target_url are required.", kAllowReadCreate);
  }
  auto added = service::AddWebhook(ctx.conn(), n);
  if (!added.ok()) {
    if (added.status().code() == Code::kDatabase) return ServerError();
    return DetailError(400, added.status().message(), kAllowReadCreate);
  }
  AfterWrite(ctx);
  auto h = db::FindWebhook(ctx.conn(), added->id);
  if (!h) return ServerError();
  std::string body;
  JsonWriter w(body);
  WriteWebhook(w, ctx, *h, &added->secret);
  return JsonResponse(201, std::move(body), kAllowReadCreate);
}

http::Response WebhookDeleteView(Context& ctx, const RouteArgs& args) {
  if (!Superuser(ctx)) return PermissionDenied(ctx, kAllowDetail);
  Status s = service::RemoveWebhook(ctx.conn(), args.id);
  if (s.code() == Code::kNotFound) return NotFoundJson(kAllowDetail);
  if (!s.ok()) return ServerError();
  AfterWrite(ctx);
  http::Response r;
  r.status = 204;
  r.headers = {{"Allow", std::string(kAllowDetail)}};
  return r;
}

// PUT/PATCH webhooks/{id}/: `active` is the one writable field.
http::Response WebhookUpdateView(Context& ctx, const RouteArgs& args) {
  if (!Superuser(ctx)) return PermissionDenied(ctx, kAllowDetail);
  if (!db::FindWebhook(ctx.conn(), args.id)) return NotFoundJson(kAllowDetail);
  auto parsed = ParseRequestBody(ctx.req, kAllowDetail);
  if (auto* err = std::get_if<http::Response>(&parsed)) return std::move(*err);
  const RequestData& data = std::get<RequestData>(parsed);
  FieldErrors errs;
  if (!data.is_object()) {
    errs.Add("detail", std::string("Invalid data. Expected a dictionary, but got ") +
                           RequestData::PyTypeName(data.json()) + ".");
    return ValidationErrorResponse(errs, kAllowDetail);
  }
  Input in{data, ctx.req.method == "PATCH", errs};
  auto active = ReadBool(in, {.name = "active"});
  if (!errs.empty()) return ValidationErrorResponse(errs, kAllowDetail);
  if (active.set && active.value) {
    Status s = service::SetWebhookActive(ctx.conn(), args.id, *active.value);
    if (s.code() == Code::kNotFound) return NotFoundJson(kAllowDetail);
    if (!s.ok()) return ServerError();
    AfterWrite(ctx);
  }
  return WebhookDetailView(ctx, args);
}

}  // namespace pb::api
