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
  absl::Time expires = absl::InfinitePast();

  bool Manages(std::string_view team_name) const;
  bool Is(Role r) const { return role == r; }
};

// "ADMIN", "SALES_REP", ... (the proto enum names).
std::string RoleName(Role role);

}  // namespace crm::auth
