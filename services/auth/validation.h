// Input rules for users, teams and passwords: what a valid record is and the normal form it
// is stored in (trimmed text, lower-case usernames). The limits are the ones documented in
// proto/crm/auth/v1/auth.proto.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "crm/auth/v1/auth.pb.h"

namespace crm::auth_service {

namespace v1 = ::crm::auth::v1;

struct Limits {
  static constexpr int kUsernameMin = 3;
  static constexpr int kUsernameMax = 64;
  static constexpr int kDisplayName = 128;
  static constexpr int kEmail = 254;
  static constexpr int kPasswordMin = 12;    // bytes
  static constexpr int kPasswordMax = 1024;  // bytes; bounds the hashing work per call
};

// Normalises the writable fields of `user` in place (trims, lower-cases the username) and
// checks every rule, reporting every violation at once under `prefix` ("user.username").
// Output-only fields are not looked at; the team's existence is the store's to check.
absl::Status NormalizeAndValidateUser(v1::User& user, std::string_view prefix);

// The same for a team's display_name and manager (a "users/{id}" name or "").
absl::Status NormalizeAndValidateTeam(v1::Team& team, std::string_view prefix);

// Password rules: 12-1024 bytes and not the username (case-insensitively). INVALID_ARGUMENT
// with reason WEAK_PASSWORD and a field violation on `field`.
absl::Status CheckPasswordRules(std::string_view password, std::string_view username,
                                std::string_view field);

// INVALID_ARGUMENT, reason WEAK_PASSWORD, with `problem` as the violation of `field`.
absl::Status WeakPassword(std::string_view field, std::string_view problem);


// ^[a-z0-9._-]{3,64}$ (on an already lower-cased name).
bool IsValidUsername(std::string_view username);

// A username as typed at login, safe to store and compare in the audit trail: lower-cased,
// and when it is not a valid username, escaped and cut to 64 bytes.
std::string AuditUsername(std::string_view typed);


}  // namespace crm::auth_service
