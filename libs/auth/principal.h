// Who is calling: the verified claims of an access token, in the shape services use. A
// caller is a user ("users/{id}", with a role) or one of the suite's services acting as
// itself ("services/{name}", with no role and so no record access: visibility.h).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "crm/auth/v1/auth.pb.h"

namespace crm::auth {

using Role = v1::Role;

struct Principal {
  int64_t user_id = 0;
  std::string user;      // "users/{id}"; empty for a service
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
  // "services/{name}" for a service acting as itself (a token from IssueServiceToken);
  // empty for users. A service has no user, role, team or session.
  std::string service;

  bool IsService() const { return !service.empty(); }
  // Who acts, for audit rows, event actors and rate limits: "users/{id}" or
  // "services/{name}"; empty for an anonymous caller of a public method.
  const std::string& ActingName() const { return IsService() ? service : user; }
  bool Manages(std::string_view team_name) const;
  bool HasTeamMember(std::string_view user_name) const;
  bool Is(Role r) const { return role == r; }
};

// "ADMIN", "SALES_REP", ... (the proto enum names).
std::string RoleName(Role role);

// The names a service account (and a policy row) may have: the suite's services, and the
// company's inventory and finance systems, which report shipments and payments to the orders
// service as themselves (proto/crm/orders/v1, IntegrationService).
inline constexpr std::array<std::string_view, 9> kServiceNames = {
    "auth",      "customers", "opportunities", "orders",   "activities",
    "analytics", "knowledge", "inventory",     "finance"};
inline constexpr std::string_view kServicePrefix = "services/";

bool IsKnownService(std::string_view name);
// "analytics" → "services/analytics".
std::string ServicePrincipal(std::string_view name);
// "services/analytics" → "analytics"; "" unless `principal_name` is "services/" followed by
// a well-formed name (a-z, then a-z, 0-9 or '-', at most 63 characters).
std::string_view ServiceName(std::string_view principal_name);

}  // namespace crm::auth
