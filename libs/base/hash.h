// Digests used across the suite (request fingerprints, migration checksums, token hashes).
#pragma once

#include <string>
#include <string_view>

namespace crm {

// SHA-256 of `data` as 64 lower-case hex digits.
std::string Sha256Hex(std::string_view data);
// SHA-256 of `data`, the 32 raw bytes.
std::string Sha256(std::string_view data);
// HMAC-SHA256 of `data` under `key`, the 32 raw bytes / 64 lower-case hex digits.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string HmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace crm
