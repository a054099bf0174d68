// Password hashing with Argon2id (libargon2) at the OWASP-recommended cost: t=2 passes,
// m=19 MiB, p=1, a 16-byte random salt and a 32-byte hash, stored as the PHC-style encoded
// string ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"), which carries its own parameters
// so they can be raised later without invalidating stored hashes.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace crm::auth_service {

// INTERNAL only when libargon2 or the random source fails.
absl::StatusOr<std::string> HashPassword(std::string_view password);

// Constant-time comparison inside libargon2; false for a mismatch and for an unreadable
// encoding.
bool VerifyPassword(std::string_view encoded, std::string_view password);

// True when `encoded` was made with other parameters than HashPassword uses now, so a
// successful login should store a fresh hash.
bool NeedsRehash(std::string_view encoded);

// An encoding of a random password, made once per process: logins of unknown users verify
// against it so that they take as long as a wrong password (no user-enumeration by timing).
const std::string& DummyPasswordHash();

}  // namespace crm::auth_service
