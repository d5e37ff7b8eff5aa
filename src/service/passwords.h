// Django-compatible password hashes ("pbkdf2_sha256$<iterations>$<salt>$<base64>"),
// so users imported from an upstream Patchwork database keep their passwords,
// and API tokens (40 random hex characters, as Django REST Framework makes them).
#pragma once

#include <string>
#include <string_view>

namespace pb::service {

std::string HashPassword(std::string_view password);
bool CheckPassword(std::string_view password, std::string_view encoded);
std::string NewToken();

}  // namespace pb::service
