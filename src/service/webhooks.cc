#include "service/webhooks.h"

#include <algorithm>

#include "core/time.h"
#include "db/projects.h"
#include "db/webhooks.h"
#include "service/db_failure.h"
#include "service/passwords.h"

namespace pb::service {

std::vector<std::string> SplitCategories(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string item(text.substr(start, comma - start));
    item.erase(std::remove(item.begin(), item.end(), ' '), item.end());
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

bool WebhookWants(std::string_view categories, std::string_view category) {
  if (categories.empty()) return true;
  for (const auto& c : SplitCategories(categories)) {
    if (c == category) return true;
  }
  return false;
}

Result<AddedWebhook> AddWebhook(db::Connection& c, const NewWebhook& w) {
  if (!(w.url.starts_with("http://") || w.url.starts_with("https://")) || w.url.size() < 10 ||
      w.url.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::Invalid("the URL must be an http:// or https:// URL");
  }
  std::string categories;
  for (const auto& cat : w.categories) {
    if (std::find(kEventCategories.begin(), kEventCategories.end(), cat) == kEventCategories.end()) {
      return Status::Invalid("unknown event category '" + cat + "'");
    }
    if (!WebhookWants(categories, cat) || categories.empty()) {
      categories += (categories.empty() ? "" : ",") + cat;
    }
  }
  AddedWebhook added;
  added.secret = w.secret.empty() ? NewToken() : w.secret;
  try {
    db::Transaction tx(c);
    auto project = db::FindProject(c, w.project);
    if (!project) return Status::NotFound("no project '" + w.project + "'");
    added.id = db::InsertWebhook(c, project->id, w.url, added.secret, categories, NowMicros());
    tx.Commit();
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
  return added;
}

Status RemoveWebhook(db::Connection& c, db::Id id) {
  try {
    db::Transaction tx(c);
    if (!db::DeleteWebhook(c, id)) return Status::NotFound("no webhook " + std::to_string(id));
    tx.Commit();
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
  return Status::Ok();
}

Status SetWebhookActive(db::Connection& c, db::Id id, bool active) {
  try {
    db::Transaction tx(c);
    if (!db::SetWebhookActive(c, id, active)) return Status::NotFound("no webhook " + std::to_string(id));
    tx.Commit();
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
  return Status::Ok();
}

}  // namespace pb::service
