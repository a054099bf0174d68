// Who is calling: the verified claims of an access token, in the shape services use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "crm/auth/v1/auth.pb.h"

namespace crm::auth {

using Role = v1::Role;

struct Principal {
  int64_t user_id = 0;
  std::string user;      // "users/{id}"
  std::string username;  // the sign-in name, for logs and audit
  Role role = v1::ROLE_UNSPECIFIED;
  std::string team;                        // "teams/{id}" or ""
  std::vector<std::string> managed_teams;  // "teams/{id}" of each team the user manages
  std::string session_id;                  // the token's "sid"
  // "users/{id}" of the active members of managed_teams, as the auth service has them now.
  // Not a token claim: filled per request by TeamMembers (directory.h) where record rules
  // need it, so a team change takes effect without new tokens.
  std::vector<std::string> team_members;
  absl::Time expires = absl::InfinitePast();

  bool Manages(std::string_view team_name) const;
  bool HasTeamMember(std::string_view user_name) const;
  bool Is(Role r) const { return role == r; }
};

// "ADMIN", "SALES_REP", ... (the proto enum names).
std::string RoleName(Role role);

}  // namespace crm::auth
