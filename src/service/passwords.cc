#include "service/passwords.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>
#include <vector>

namespace pb::service {
namespace {

// Django 3.2's default for PBKDF2PasswordHasher.
constexpr int kIterations = 260000;

std::string Base64(const unsigned char* data, size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(static_cast<size_t>(len));
  return out;
}

std::string RandomChars(size_t n, std::string_view alphabet) {
  std::vector<unsigned char> bytes(n);
  if (RAND_bytes(bytes.data(), static_cast<int>(n)) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string out;
  for (auto b : bytes) out += alphabet[b % alphabet.size()];
  return out;
}

std::string Pbkdf2(std::string_view password, std::string_view salt, int iterations) {
  unsigned char key[32];
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                    iterations, EVP_sha256(), sizeof key, key);
  return Base64(key, sizeof key);
}

}  // namespace

std::string HashPassword(std::string_view password) {
  std::string salt = RandomChars(22, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
  return "pbkdf2_sha256$" + std::to_string(kIterations) + "$" + salt + "$" +
         Pbkdf2(password, salt, kIterations);
}

bool CheckPassword(std::string_view password, std::string_view encoded) {
  // algorithm$iterations$salt$hash
  size_t a = encoded.find('$');
  if (a == std::string_view::npos || encoded.substr(0, a) != "pbkdf2_sha256") return false;
  size_t b = encoded.find('$', a + 1);
  if (b == std::string_view::npos) return false;
  size_t c = encoded.find('$', b + 1);
  if (c == std::string_view::npos) return false;
  int iterations = 0;
  auto it = encoded.substr(a + 1, b - a - 1);
  auto [p, ec] = std::from_chars(it.data(), it.data() + it.size(), iterations);
  if (ec != std::errc() || iterations <= 0) return false;
  std::string expected = Pbkdf2(password, encoded.substr(b + 1, c - b - 1), iterations);
  std::string_view stored = encoded.substr(c + 1);
  return stored.size() == expected.size() &&
         CRYPTO_memcmp(stored.data(), expected.data(), expected.size()) == 0;
}

std::string NewToken() { return RandomChars(40, "0123456789abcdef"); }

}  // namespace pb::service
