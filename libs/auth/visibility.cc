// Record-level rules (visibility.h): a principal's role picks a scope, and the scope becomes
// either a parameterised SQL condition or an in-memory check, so both paths agree.
#include "libs/auth/visibility.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"

namespace crm::auth {
namespace {

// Indexed by Role: ROLE_UNSPECIFIED, ADMIN, SALES_MANAGER, SALES_REP, MARKETING, SUPPORT.
constexpr RecordRules kOwnedRecordRules = {
    .read = {Scope::kNone, Scope::kAll, Scope::kTeam, Scope::kOwn, Scope::kAll, Scope::kAll},
    .write = {Scope::kNone, Scope::kAll, Scope::kTeam, Scope::kOwn, Scope::kOwn, Scope::kNone},
};

// The teams a kTeam scope covers (empty names are never a match for anything).
std::vector<std::string_view> ManagedTeams(const Principal& principal) {
  std::vector<std::string_view> teams;
  for (const std::string& team : principal.managed_teams) {
    if (!team.empty()) teams.push_back(team);
  }
  return teams;
}

}  // namespace

Scope RecordRules::ScopeFor(const Principal& principal, Operation op) const {
  const int role = static_cast<int>(principal.role);
  if (role <= 0 || role >= 6) return Scope::kNone;
  return op == Operation::kRead ? read[role] : write[role];
}

const RecordRules& OwnedRecordRules() { return kOwnedRecordRules; }

api::SqlFragment VisibleRows(const Principal& principal, Operation op, const RecordRules& rules,
                             const OwnerColumns& columns) {
  Scope scope = rules.ScopeFor(principal, op);
  if (scope == Scope::kAll) return {"TRUE", {}};
  // Without a user name nothing is "own"; fail closed.
  if (scope == Scope::kNone || principal.user.empty()) return {"FALSE", {}};
  const std::string owner_is = absl::StrCat(std::string(columns.owner), " = ?");
  const std::vector<std::string_view> teams =
      scope == Scope::kTeam ? ManagedTeams(principal) : std::vector<std::string_view>{};
  if (teams.empty()) return {owner_is, {principal.user}};

  api::SqlFragment fragment;
  fragment.params.push_back(principal.user);
  std::string placeholders;
  for (std::string_view team : teams) {
    absl::StrAppend(&placeholders, placeholders.empty() ? "?" : ", ?");
    fragment.params.push_back(std::string(team));
  }
  fragment.sql = absl::StrCat("(", owner_is, " OR ", std::string(columns.owner_team), " IN (",
                              placeholders, "))");
  return fragment;
}

bool CanAccess(const Principal& principal, Operation op, std::string_view owner,
               std::string_view owner_team, const RecordRules& rules) {
  switch (rules.ScopeFor(principal, op)) {
    case Scope::kAll:
      return true;
    case Scope::kTeam:
      if (principal.Manages(owner_team)) return true;
      [[fallthrough]];
    case Scope::kOwn:
      return !principal.user.empty() && owner == principal.user;
    case Scope::kNone:
      return false;
  }
  return false;
}

absl::Status CheckOwnerChange(const Principal& principal, std::string_view from_team,
                              std::string_view to_team) {
  if (principal.Is(v1::ADMIN)) return absl::OkStatus();
  if (principal.Is(v1::SALES_MANAGER) && principal.Manages(from_team) &&
      principal.Manages(to_team)) {
    return absl::OkStatus();
  }
  return Error(absl::StatusCode::kPermissionDenied, "OWNER_CHANGE_DENIED",
               "you may not move this record to that owner");
}

}  // namespace crm::auth
