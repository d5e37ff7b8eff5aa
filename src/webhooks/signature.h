// What a receiver checks: HMAC-SHA256 of the exact request body under the
// webhook's secret, as "sha256=<64 lower-case hex digits>" (the
// X-Patchbay-Signature header; the shape GitHub's X-Hub-Signature-256 has).
#pragma once

#include <string>
#include <string_view>

namespace pb::webhooks {

std::string Signature(std::string_view secret, std::string_view body);

// A random version-4 UUID ("3f2b...-4...-..."): each delivery's id.
std::string NewDeliveryId();

}  // namespace pb::webhooks
