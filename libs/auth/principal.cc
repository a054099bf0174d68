// Small helpers on the verified caller.
#include "libs/auth/principal.h"

#include <algorithm>

namespace crm::auth {

bool Principal::Manages(std::string_view team_name) const {
  if (team_name.empty()) return false;
  return std::find(managed_teams.begin(), managed_teams.end(), team_name) != managed_teams.end();
}

bool Principal::HasTeamMember(std::string_view user_name) const {
  if (user_name.empty()) return false;
  return std::find(team_members.begin(), team_members.end(), user_name) != team_members.end();
}

std::string RoleName(Role role) {
  if (!v1::Role_IsValid(role)) return "";
  return v1::Role_Name(role);
}

bool IsKnownService(std::string_view name) {
  return std::find(kServiceNames.begin(), kServiceNames.end(), name) != kServiceNames.end();
}

std::string ServicePrincipal(std::string_view name) {
  return std::string(kServicePrefix) + std::string(name);
}

std::string_view ServiceName(std::string_view principal_name) {
  if (!principal_name.starts_with(kServicePrefix)) return {};
  const std::string_view name = principal_name.substr(kServicePrefix.size());
  if (name.empty() || name.size() > 63 || name[0] < 'a' || name[0] > 'z') return {};
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return {};
  }
  return name;
}

}  // namespace crm::auth
