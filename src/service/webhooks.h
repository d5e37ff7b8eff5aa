// Managing webhooks (the CLI and /api/webhooks/): the rules for what may
// be registered. Delivery is src/webhooks/. The database server being
// unreachable is thrown on (service/db_failure.h), not returned.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::service {

// The event categories (spec §1.5), as /api/events/ names them.
inline constexpr std::array<std::string_view, 11> kEventCategories = {
    "cover-created",       "patch-created",          "patch-completed",
    "patch-state-changed", "patch-delegated",        "patch-relation-changed",
    "check-created",       "series-created",         "series-completed",
    "cover-comment-created", "patch-comment-created"};

struct NewWebhook {
  std::string project;  // linkname or id
  std::string url;      // http:// or https://
  std::string secret;   // empty: one is made up (and returned)
  std::vector<std::string> categories;  // empty: every category
};

struct AddedWebhook {
  db::Id id = 0;
  std::string secret;
};

// kInvalid with a message for a bad URL, category or project (kNotFound).
Result<AddedWebhook> AddWebhook(db::Connection& c, const NewWebhook& w);
// kNotFound when there is none.
Status RemoveWebhook(db::Connection& c, db::Id id);
// A disabled webhook queues nothing and sends nothing (its pending
// deliveries wait); enabled again, it gets the events from then on.
// kNotFound when there is none.
Status SetWebhookActive(db::Connection& c, db::Id id, bool active);

// "a,b" -> {"a", "b"} (spaces and empty items dropped).
std::vector<std::string> SplitCategories(std::string_view text);
// Whether a webhook with this categories column wants an event.
bool WebhookWants(std::string_view categories, std::string_view category);

}  // namespace pb::service
