#include "services/auth/password.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/auth/token.h"

namespace crm::auth_service {
namespace {

constexpr uint32_t kTimeCost = 2;
constexpr uint32_t kMemoryKiB = 19456;
constexpr uint32_t kParallelism = 1;
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

std::string ParameterPrefix() {
  return absl::StrCat("$argon2id$v=", ARGON2_VERSION_NUMBER, "$m=", kMemoryKiB, ",t=", kTimeCost,
                      ",p=", kParallelism, "$");
}

}  // namespace

absl::StatusOr<std::string> HashPassword(std::string_view password) {
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) return absl::InternalError("random source failed");
  std::vector<char> encoded(
      argon2_encodedlen(kTimeCost, kMemoryKiB, kParallelism, kSaltBytes, kHashBytes, Argon2_id));
  int rc =
      argon2id_hash_encoded(kTimeCost, kMemoryKiB, kParallelism, password.data(), password.size(),
                            salt, sizeof salt, kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return absl::InternalError(absl::StrCat("password hashing failed: ", argon2_error_message(rc)));
  }
  return std::string(encoded.data());
}

bool VerifyPassword(std::string_view encoded, std::string_view password) {
  const std::string text(encoded);  // libargon2 wants a NUL-terminated encoding
  return argon2id_verify(text.c_str(), password.data(), password.size()) == ARGON2_OK;
}

bool NeedsRehash(std::string_view encoded) { return !encoded.starts_with(ParameterPrefix()); }

const std::string& DummyPasswordHash() {
  static const std::string* hash = [] {
    auto made = HashPassword(auth::RandomToken(24));
    return new std::string(made.ok() ? *made : "");
  }();
  return *hash;
}

}  // namespace crm::auth_service
