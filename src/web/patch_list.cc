#include "web/patch_list.h"

#include <algorithm>
#include <cstdio>

#include "api/csrf.h"
#include "api/embed.h"
#include "api/query.h"
#include "api/response.h"
#include "core/html.h"
#include "core/strings.h"
#include "db/pages_store.h"
#include "db/read/patches_read.h"
#include "service/bundle_contents.h"
#include "service/bundle_names.h"
#include "service/patch_bulk.h"
#include "web/list_filters.h"
#include "web/ui_templates.h"

namespace pb::web {
namespace {

using http::Response;
using kainjow::mustache::data;

constexpr int64_t kDefaultPageSize = 100;  // DEFAULT_ITEMS_PER_PAGE

// Upstream's Order: a column, reversed or not; date (newest first) by default.
struct Order {
  std::string name = "date";
  bool reversed = true;
  bool editable = false;

  static Order Parse(std::string_view s, bool editable) {
    Order o;
    o.editable = editable;
    if (editable || s.empty()) return o;
    bool rev = false;
    if (s.front() == '-') {
      s.remove_prefix(1);
      rev = true;
    }
    if (s != "date" && s != "name" && s != "state" && s != "submitter" && s != "delegate") return o;
    o.name = std::string(s);
    o.reversed = rev;
    return o;
  }
  bool is_default() const { return name == "date" && reversed; }
  std::string str() const { return (reversed ? "-" : "") + name; }
  std::string reversed_name() const { return reversed ? name : "-" + name; }

  void Apply(db::read::PatchFilter& f) const {
    using db::read::PatchOrder;
    if (editable) {
      f.order = {{PatchOrder::kBundlePosition, false}};
      return;
    }
    PatchOrder key = PatchOrder::kDate;
    if (name == "name") key = PatchOrder::kName;
    else if (name == "state") key = PatchOrder::kState;
    else if (name == "submitter") key = PatchOrder::kSubmitterName;
    else if (name == "delegate") key = PatchOrder::kDelegateName;
    f.order = {{key, reversed}};
    // A non-default column gets the date as second key, reversed when the
    // primary is not (upstream's Order.apply).
    if (name != "date") f.order.push_back({PatchOrder::kDate, !reversed});
  }
};

std::string DateOnly(Micros t) {
  Civil c = CivilFromMicros(t);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
  return buf;
}

// truncatechars:100: at most 100 characters, the last one an ellipsis.
std::string Truncate(std::string_view s, size_t n = 100) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == n - 1) {
        // Count what remains: only cut if more than one character is left.
        size_t rest = 0;
        for (size_t j = i; j < s.size(); ++j) {
          if ((static_cast<unsigned char>(s[j]) & 0xC0) != 0x80) ++rest;
        }
        if (rest > 1) return std::string(s.substr(0, i)) + "\xE2\x80\xA6";
        return std::string(s);
      }
      ++chars;
    }
  }
  return std::string(s);
}

// Upstream's paginator: the first pages, a window around the current one
// and the last pages, with ellipses between.
std::string Pagination(int64_t page, int64_t pages, const ListFilters& filters,
                       const Order& order) {
  if (pages == 1) return "";
  auto url = [&](int64_t p) {
    std::vector<std::pair<std::string, std::string>> extra;
    if (!order.is_default() && !order.editable) extra.emplace_back("order", order.str());
    extra.emplace_back("page", std::to_string(p));
    return HtmlEscape(filters.Query(extra));
  };
  std::vector<int64_t> trailing, leading;
  int64_t start, end;
  if (pages <= 4) {
    start = 1;
    end = pages + 1;
  } else if (page < 4) {
    start = 1;
    end = 5;
    leading = {pages - 1, pages};
  } else if (page >= pages - 2) {
    start = pages - 3;
    end = pages + 1;
    trailing = {1, 2};
  } else {
    start = page - 1;
    end = page + 2;
    leading = {pages - 1, pages};
    trailing = {1, 2};
  }
  std::string h = "<div class=\"paginator\">";
  if (page > 1) {
    h += "<span class=\"prev\"><a href=\"" + url(page - 1) + "\" title=\"Previous Page\">&laquo;</a></span>";
  } else {
    h += "<span class=\"prev-na\">&laquo;</span>";
  }
  for (int64_t p : trailing) {
    h += "<span class=\"page\"><a href=\"" + url(p) + "\">" + std::to_string(p) + "</a></span>";
  }
  if (!trailing.empty()) h += "&hellip;";
  for (int64_t p = start; p < end; ++p) {
    if (p < 1 || p > pages) continue;
    if (p == page) {
      h += "<span class=\"curr\" title=\"Current Page\">" + std::to_string(p) + "</span>";
    } else {
      h += "<span class=\"page\"><a href=\"" + url(p) + "\" title=\"Page " + std::to_string(p) +
           "\">" + std::to_string(p) + "</a></span>";
    }
  }
  if (!leading.empty()) h += "&hellip;";
  for (int64_t p : leading) {
    h += "<span class=\"page\"><a href=\"" + url(p) + "\">" + std::to_string(p) + "</a></span>";
  }
  if (page < pages) {
    h += "<span class=\"next\"><a href=\"" + url(page + 1) + "\" title=\"Next Page\">&raquo;</a></span>";
  } else {
    h += "<span class=\"next-na\">&raquo;</span>";
  }
  h += "</div>";
  return h;
}

std::string PatchNames(const std::string& name) { return "'" + name + "'"; }

// upstream's set_bundle(): create / add / remove for the selected patches.
void BundleAction(db::Connection& c, Visitor& visitor, const PostedForm& form,
                  const std::string& action, const std::vector<db::read::PatchOwnerRec>& patches,
                  ListView& view) {
  db::Id user = visitor.user()->user.id;
  std::optional<db::read::WebBundleRec> bundle;
  if (action == "create") {
    std::string name = form.Get("bundle_name");
    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
    size_t lead = 0;
    while (lead < name.size() && std::isspace(static_cast<unsigned char>(name[lead]))) ++lead;
    name.erase(0, lead);
    if (auto error = service::BundleNameError(name)) {
      view.errors.push_back(*error);
      return;
    }
    if (name.empty()) {
      view.errors.push_back("No bundle name was specified");
      return;
    }
    if (name.size() > 50) {
      view.errors.push_back("Bundle names can have at most 50 characters");
      return;
    }
    auto id = service::CreateEmptyBundle(c, user, view.project->id, name, false);
    if (!id.ok()) {
      view.errors.push_back(id.status().code() == Code::kDuplicate
                                ? "You already have a bundle called \"" + name + "\""
                                : "The bundle could not be created");
      return;
    }
    view.messages.push_back({"Bundle " + name + " created", false});
    bundle = db::read::BundleById(c, *id);
  } else {
    auto id = ParseId(form.Get(action == "add" ? "bundle_id" : "removed_bundle_id"));
    if (id) bundle = db::read::BundleById(c, *id);
    // Upstream does not check the owner here (a 3.2.1 quirk); a bundle is
    // only changed by its owner.
    if (bundle && bundle->owner_id != user) bundle.reset();
  }
  if (!bundle) {
    view.errors.push_back("no such bundle");
    return;
  }
  std::vector<db::Id> ids;
  for (const auto& p : patches) ids.push_back(p.id);
  if (action == "remove") {
    auto removed = service::RemoveFromBundle(c, bundle->id, ids);
    if (!removed.ok()) {
      view.errors.push_back("The bundle could not be changed");
      return;
    }
    for (size_t i = 0; i < patches.size(); ++i) {
      if ((*removed)[i]) {
        view.messages.push_back({"Patch " + PatchNames(patches[i].name) + " removed from bundle " +
                                     bundle->name, false});
      }
    }
    return;
  }
  auto added = service::AddToBundle(c, bundle->id, ids);
  if (!added.ok()) {
    view.errors.push_back("The bundle could not be changed");
    return;
  }
  for (size_t i = 0; i < patches.size(); ++i) {
    if ((*added)[i]) {
      view.messages.push_back({"Patch " + PatchNames(patches[i].name) + " added to bundle " + bundle->name, false});
    } else {
      view.messages.push_back({"Patch " + PatchNames(patches[i].name) + " already in bundle " + bundle->name, true});
    }
  }
}

// MultiplePatchForm: state (id or '*'), delegate (a maintainer's id, '' for
// nobody, or '*'), archived ('True', 'False' or '*').
std::optional<service::PatchChanges> ParseBulkForm(const PostedForm& form, const PageState& st,
                                                   const db::read::ProjectRec& project) {
  service::PatchChanges ch;
  std::string state = form.Get("state");
  if (state != "*") {
    auto id = ParseId(state);
    if (!id || !st.catalog.State(*id)) return std::nullopt;
    ch.state_id = *id;
  }
  std::string delegate = form.Get("delegate");
  if (delegate.empty()) {
    ch.delegate_id = std::optional<db::Id>();
  } else if (delegate != "*") {
    auto id = ParseId(delegate);
    bool maintainer = false;
    for (const auto& m : project.maintainers) maintainer |= id && m.id == *id;
    if (!maintainer) return std::nullopt;
    ch.delegate_id = std::optional<db::Id>(*id);
  }
  std::string archived = form.Get("archived");
  if (archived == "True") ch.archived = true;
  else if (archived == "False") ch.archived = false;
  else if (archived != "*") return std::nullopt;
  return ch;
}

void BulkUpdate(db::Connection& c, PageState& st, Visitor& visitor, const PostedForm& form,
                const std::vector<db::read::PatchOwnerRec>& patches, ListView& view) {
  auto changes = ParseBulkForm(form, st, *view.project);
  if (!changes) {
    view.errors.push_back("The submitted form data was invalid");
    return;
  }
  if (patches.empty()) {
    view.messages.push_back({"No patches selected; nothing updated", true});
    return;
  }
  std::optional<db::Id> user = visitor.user()->user.id;
  std::vector<db::Id> editable;
  for (const auto& p : patches) {
    if (service::PatchEditable(p, user, st.catalog.Project(p.project_id))) {
      editable.push_back(p.id);
    } else {
      view.errors.push_back("You don't have permissions to edit patch '" + p.name + "'");
    }
  }
  if (!editable.empty() && !service::UpdatePatches(c, editable, *changes, user).ok()) {
    view.errors.push_back("The patches could not be updated");
    return;
  }
  if (editable.size() == 1) view.messages.push_back({"1 patch updated", false});
  else if (editable.size() > 1) view.messages.push_back({std::to_string(editable.size()) + " patches updated", false});
  else view.messages.push_back({"No patches updated", true});
}

// The bundle owner's up/down buttons: upstream's reorder form with the two
// rows swapped (order_start = the upper one).
void MoveInBundle(db::Connection& c, const PostedForm& form, ListView& view) {
  std::string move = form.Get("move");
  bool up = move.starts_with("up:");
  auto id = ParseId(std::string_view(move).substr(move.find(':') + 1));
  if (!id || (!up && !move.starts_with("down:"))) return;
  auto order = db::read::BundlePatchIds(c, view.bundle->id);
  auto it = std::find(order.begin(), order.end(), *id);
  if (it == order.end()) return;
  size_t i = static_cast<size_t>(it - order.begin());
  if (up && i == 0) return;
  if (!up && i + 1 >= order.size()) return;
  size_t upper = up ? i - 1 : i;
  if (service::ReorderBundle(c, view.bundle->id, order[upper], {order[upper + 1], order[upper]}).ok()) {
    view.messages.push_back({"Bundle order changed", false});
  }
}

void HandlePost(db::Connection& c, PageState& st, Visitor& visitor, const PostedForm& form,
                ListView& view) {
  if (form.Get("form") != "patchlistform") return;
  if (view.bundle && view.bundle_owner && form.Has("move")) {
    MoveInBundle(c, form, view);
    return;
  }
  std::string action = LowerAscii(form.Get("action"));
  if (!form.Get("bundle_name").empty()) action = "create";
  auto patches = db::read::PatchOwners(c, form.PatchIds());
  if (action == "create" || action == "add" || action == "remove") {
    BundleAction(c, visitor, form, action, patches, view);
  } else if (action == "update") {
    BulkUpdate(c, st, visitor, form, patches, view);
  }
}

std::string PartOf(Hole hole, db::Connection& c, Visitor& visitor, const ListView& view) {
  switch (hole) {
    case Hole::kAccountNav: return AccountNav(visitor);
    case Hole::kCsrfToken: return visitor.CsrfToken();
    case Hole::kBundleChoice:
      return BundleChoice(c, visitor.user()->user.id, view.project->id, ui_templates::kBundleChoice,
                          view.bundle ? std::optional<db::Id>(view.bundle->id) : std::nullopt);
  }
  return "";
}

// The page, with the visitor's parts (or their markers) as given.
Response RenderList(db::Connection& c, PageState& st, const Visitor& visitor, const http::Request& req,
                    const ListView& view, int64_t generation,
                    const std::optional<db::read::ListPrefsRec>& prefs, const VisitorParts& parts) {
  st.RefreshTags(c, generation);
  auto params = api::QueryParams::Parse(req.query);
  const std::string* order_param = params.Last("order");
  Order order = Order::Parse(order_param ? *order_param : "", view.bundle_owner);
  ListFilters filters(c, st.catalog, params, view.todo_of, view.bundle.has_value());

  db::read::PatchFilter f;
  if (view.bundle) {
    f.bundle = view.bundle->id;
  } else {
    f.projects = std::vector<db::Id>{view.project->id};
  }
  filters.Apply(f);
  if (view.todo_of) {
    // The to-do list's own queryset: delegated to the user, needing action,
    // not archived, whatever the filters add.
    f.archived = false;
    std::vector<db::Id> states;
    for (const auto& s : st.catalog.states()) {
      bool chosen = !f.states || std::find(f.states->begin(), f.states->end(), s.id) != f.states->end();
      if (s.action_required && chosen) states.push_back(s.id);
    }
    if (states.empty()) states.push_back(-1);
    f.states = states;
  }
  order.Apply(f);

  const auto& user = visitor.user();
  int64_t page_size = kDefaultPageSize;
  bool show_ids = false;
  if (prefs) {
    page_size = std::max<int64_t>(1, prefs->items_per_page);
    show_ids = prefs->show_ids;
  }
  int64_t total = db::read::CountPatches(c, f, &st.counts, generation);
  int64_t pages = std::max<int64_t>(1, (total + page_size - 1) / page_size);
  int64_t page = 1;
  if (const std::string* p = params.Last("page")) {
    if (auto n = api::ParsePyInt(*p)) page = std::clamp<int64_t>(*n, 1, pages);
  }
  // Date and name orders walk an index. Submitter and delegate orders walk
  // the names for the first 1,000 rows (db/read/patches_read.cc); deeper,
  // they and the others read their ordered ids once per generation and slice.
  bool indexed = order.editable || order.name == "date" || order.name == "name";
  auto* ids_cache = indexed || !st.sorted_ids ? st.page_ids.get() : st.sorted_ids.get();
  auto rows = db::read::ListPatches(c, f, page_size, (page - 1) * page_size, ids_cache, generation);
  std::vector<db::Id> ids;
  for (const auto& r : rows) ids.push_back(r.id);
  bool tags_on = st.TagsShown(view.project->id);
  std::map<db::Id, std::map<db::Id, int>> tag_counts;
  if (tags_on && !ids.empty()) tag_counts = db::TagCounts(c, ids);
  auto check_counts = ids.empty() ? std::map<db::Id, std::array<int, 4>>{} : db::CheckCounts(c, ids);

  data d;
  d.set("messages", FlashData(view.messages));
  d.set("errors", ErrorData(view.errors));
  // Filters: the summary and the form.
  data applied{data::type::list};
  auto applied_filters = filters.Applied();
  for (size_t i = 0; i < applied_filters.size(); ++i) {
    const auto& a = applied_filters[i];
    data row;
    row.set("name", a.name);
    row.set("condition", a.condition);
    row.set("remove_url", a.remove_url);
    row.set("forced", a.forced);
    row.set("last", i + 1 == applied_filters.size());
    applied.push_back(row);
  }
  if (!applied_filters.empty()) d.set("applied", applied);
  d.set("total", std::to_string(total));
  d.set("one", total == 1);
  d.set("has_order", !order.is_default() && !order.editable);
  d.set("order", order.str());
  if (filters.series_id()) d.set("series_id", std::to_string(*filters.series_id()));
  d.set("submitter", filters.submitter_key());
  d.set("state_any", filters.state_any());
  d.set("state_default", !filters.state_any() && !filters.state_id());
  data states{data::type::list};
  for (const auto& s : st.catalog.states()) {
    data o;
    o.set("id", std::to_string(s.id));
    o.set("name", s.name);
    o.set("selected", filters.state_id() == s.id);
    states.push_back(o);
  }
  d.set("states", states);
  d.set("q", filters.search());
  d.set("archive_no", filters.archive() == 0);
  d.set("archive_yes", filters.archive() == 1);
  d.set("archive_both", filters.archive() == 2);
  d.set("delegate_forced", filters.delegate_forced());
  d.set("delegate", filters.delegate_key());
  // The maintainers are the delegate field's suggestions without JavaScript.
  data delegates{data::type::list};
  for (const auto& m : view.project->maintainers) {
    data o;
    o.set("id", std::to_string(m.id));
    o.set("name", m.username);
    delegates.push_back(o);
  }
  d.set("delegates", delegates);

  // Column headers: a link sorts by the column; the active one reverses.
  struct Col {
    const char* key;
    const char* label;
    const char* order;  // nullptr: not sortable
    std::string title;
  };
  std::vector<db::read::TagRec> shown_tags;
  if (tags_on) {
    for (const auto& t : st.tags) {
      if (t.show_column) shown_tags.push_back(t);
    }
  }
  std::string tag_label, tag_header_title;
  for (size_t i = 0; i < shown_tags.size(); ++i) {
    tag_label += (i ? "/" : "") + shown_tags[i].abbrev;
    tag_header_title += (i ? " / " : "") + shown_tags[i].name;
  }
  std::vector<Col> cols = {{"name", "Patch", "name", ""},
                           {"series", "Series", nullptr, ""},
                           {"tags", "", nullptr, tag_header_title},
                           {"checks", "S/W/F", nullptr, "Success / Warning / Fail"},
                           {"date", "Date", "date", ""},
                           {"submitter", "Submitter", "submitter", ""},
                           {"delegate", "Delegate", "delegate", ""},
                           {"state", "State", "state", ""}};
  data columns{data::type::list};
  for (const auto& col : cols) {
    data h;
    h.set("key", col.key);
    h.set("label", std::string(col.key) == "tags" ? tag_label : std::string(col.label));
    if (!col.title.empty()) h.set("title", col.title);
    bool sortable = col.order && !order.editable;
    h.set("sortable", sortable);
    if (sortable) {
      bool active = order.name == col.order;
      h.set("active", active);
      // Arrows as upstream's glyphicons: chevron-up when reversed.
      h.set("arrow", order.reversed ? "\xE2\x96\xB2" : "\xE2\x96\xBC");
      std::string target = active ? order.reversed_name() : std::string(col.order);
      h.set("url", filters.Query({{"order", target}}));
    }
    columns.push_back(h);
  }
  d.set("columns", columns);
  d.set("reorder", order.editable);

  // The rows are written directly (HTML-escaped): building a mustache
  // data tree per cell cost more than everything else on the page.
  std::string html;
  html.reserve(rows.size() * 900);
  auto esc = [&html](std::string_view text) {
    // Runs without special characters are appended whole.
    while (!text.empty()) {
      size_t n = text.find_first_of("&<>\"'");
      html.append(text.substr(0, n));
      if (n == std::string_view::npos) break;
      switch (text[n]) {
        case '&': html += "&amp;"; break;
        case '<': html += "&lt;"; break;
        case '>': html += "&gt;"; break;
        case '"': html += "&quot;"; break;
        default: html += "&#x27;"; break;
      }
      text.remove_prefix(n + 1);
    }
  };
  const char* check_names[] = {"", "success", "warning", "fail"};
  for (const auto& r : rows) {
    std::string id = std::to_string(r.id);
    const auto* project = st.catalog.Project(r.project_id);
    const std::string& linkname = project ? project->linkname : view.project->linkname;
    html += "<tr id=\"patch_row:" + id + "\">\n";
    if (user) {
      html += "<td class=\"select\"><input type=\"checkbox\" name=\"patch_id:" + id +
              "\" aria-label=\"Select patch " + id + "\"></td>\n";
    }
    if (show_ids) html += "<td class=\"id\">" + id + "</td>\n";
    html += "<td class=\"col-name\"><a href=\"";
    esc(api::PatchWebPath(linkname, r.msgid));
    html += "\">";
    esc(r.name.empty() ? std::string("[no subject]") : Truncate(r.name));
    html += "</a></td>\n<td class=\"col-series\">";
    if (r.series) {
      html += "<a href=\"?series=" + std::to_string(r.series->id) + "\">";
      esc(Truncate(r.series->name.value_or("")));
      html += "</a>";
    }
    html += "</td>\n";
    auto t = tag_counts.find(r.id);
    std::string counts, titles;
    for (size_t i = 0; i < shown_tags.size(); ++i) {
      int n = 0;
      if (t != tag_counts.end()) {
        auto it = t->second.find(shown_tags[i].id);
        if (it != t->second.end()) n = it->second;
      }
      counts += (i ? " " : "") + (n ? std::to_string(n) : std::string("-"));
      titles += (i ? " / " : "") + std::to_string(n) + " " + shown_tags[i].name;
    }
    html += "<td class=\"col-tags\"><span title=\"";
    esc(titles);
    html += "\">" + counts + "</span></td>\n";
    // S/W/F: the most severe non-zero count is coloured (patch_checks).
    auto k = check_counts.find(r.id);
    std::array<int, 4> cc = k == check_counts.end() ? std::array<int, 4>{} : k->second;
    int coloured = cc[3] ? 3 : cc[2] ? 2 : cc[1] ? 1 : 0;
    html += "<td class=\"col-checks\"><span title=\"Success / Warning / Fail\">";
    for (int s = 1; s <= 3; ++s) {
      int n = cc[static_cast<size_t>(s)];
      html += "<span class=\"patchlistchecks ";
      if (s == coloured) html += check_names[s];
      html += "\">" + (n ? std::to_string(n) : std::string("-")) + "</span>";
    }
    html += "</span></td>\n<td class=\"col-date\">" + DateOnly(r.date) + "</td>\n";
    html += "<td class=\"col-submitter\"><a href=\"/project/";
    esc(api::PathQuote(linkname));
    html += "/list/?submitter=" + std::to_string(r.submitter.id) + "\">";
    esc(PersonShown(r.submitter.name, r.submitter.email));
    html += "</a></td>\n<td class=\"col-delegate\">";
    if (r.delegate) esc(r.delegate->username);
    html += "</td>\n<td class=\"col-state\">";
    if (const auto* s = st.catalog.State(r.state_id)) esc(s->name);
    html += "</td>\n";
    if (order.editable) {
      html += "<td class=\"col-reorder\"><button type=\"submit\" name=\"move\" value=\"up:" + id +
              "\" title=\"Move up\" aria-label=\"Move up\">&#9650;</button><button type=\"submit\" "
              "name=\"move\" value=\"down:" + id +
              "\" title=\"Move down\" aria-label=\"Move down\">&#9660;</button></td>\n";
    }
    html += "</tr>\n";
  }
  d.set("rows", std::move(html));
  d.set("has_patches", !rows.empty());
  d.set("colspan", std::to_string(8 + (user ? 1 : 0) + (show_ids ? 1 : 0) + (order.editable ? 1 : 0)));
  d.set("pagination", total ? Pagination(page, pages, filters, order) : std::string());
  d.set("project_id", std::to_string(view.project->id));
  d.set("show_ids", show_ids);
  if (user) {
    d.set("logged_in", true);
    d.set("csrf_token", parts.csrf_token);
    d.set("patchform", true);
    data maintainers{data::type::list};
    for (const auto& m : view.project->maintainers) {
      data o;
      o.set("id", std::to_string(m.id));
      o.set("name", m.username);
      maintainers.push_back(o);
    }
    d.set("maintainers", maintainers);
    d.set("bundle_choice", parts.bundle_choice);
    if (view.bundle && view.bundle_owner) d.set("remove_bundle", std::to_string(view.bundle->id));
  }
  std::string body = view.head_html + RenderTemplate(ui_templates::kPatchList, d);
  return LayoutPageWithNav(parts.account_nav, view.title, view.project, std::move(body));
}

}  // namespace

std::string PersonShown(const std::optional<std::string>& name, std::string_view email) {
  if (name && !name->empty()) return *name;
  return std::string(email.substr(0, email.find('@')));
}

data FlashData(const std::vector<Flash>& messages) {
  if (messages.empty()) return data(false);
  data items{data::type::list};
  for (const auto& m : messages) {
    data row;
    row.set("text", m.text);
    row.set("level", m.warning ? "warning" : "success");
    items.push_back(row);
  }
  data d;
  d.set("items", items);
  return d;
}

data ErrorData(const std::vector<std::string>& errors) {
  if (errors.empty()) return data(false);
  data items{data::type::list};
  for (const auto& e : errors) items.push_back(data(e));
  data d;
  d.set("items", items);
  d.set("one", errors.size() == 1);
  return d;
}

Response PatchListPage(db::Connection& c, PageState& st, Visitor& visitor, const http::Request& req,
                       ListView view) {
  if (req.method == "POST") {
    PostedForm form(req);
    if (auto reason = api::csrf::Check(req, form.Get(api::csrf::kFormField), st.base_url)) {
      return CsrfFailurePage(*reason);
    }
    if (!visitor.user()) return RedirectToLogin(req);
    HandlePost(c, st, visitor, form, view);
  }
  int64_t generation = db::read::ReadGeneration(c);
  st.catalog.Refresh(c, generation);
  std::optional<db::read::ListPrefsRec> prefs;
  if (visitor.user()) prefs = db::read::ListPrefs(c, visitor.user()->user.id);

  // A project's list is the same page for every visitor with the same list
  // settings, but for the holes: kept per generation, it costs a request
  // the visitor's parts and one copy (POSTs carry their messages: never).
  bool keep = st.list_pages && req.method != "POST" && !view.bundle && !view.todo_of;
  std::string key;
  if (keep) {
    key = "list " + std::to_string(view.project->id) + " ";
    key += prefs ? std::to_string(prefs->items_per_page) + (prefs->show_ids ? " ids " : " - ") : "anonymous ";
    key += req.target;
  }
  return KeptOrRendered(
      keep ? st.list_pages.get() : nullptr, key, generation,
      [&](Hole hole) { return PartOf(hole, c, visitor, view); }, visitor.user().has_value(),
      [&](const VisitorParts& parts) { return RenderList(c, st, visitor, req, view, generation, prefs, parts); });
}

}  // namespace pb::web
