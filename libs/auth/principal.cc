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

}  // namespace crm::auth
