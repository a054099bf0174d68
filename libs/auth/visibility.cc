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
  api::SqlFragment fragment;
  fragment.params.push_back(principal.user);
  if (scope == Scope::kMarked) {
    fragment.sql = columns.marked.empty()
                       ? absl::StrCat(std::string(columns.owner), " = ?")
                       : absl::StrCat("(", std::string(columns.owner), " = ? OR (",
                                      std::string(columns.marked), "))");
    return fragment;
  }
  std::string placeholders = "?";
  if (scope == Scope::kTeam) {
    for (const std::string& member : principal.team_members) {
      if (member.empty() || member == principal.user) continue;
      absl::StrAppend(&placeholders, ", ?");
      fragment.params.push_back(member);
    }
  }
  fragment.sql = fragment.params.size() == 1
                     ? absl::StrCat(std::string(columns.owner), " = ?")
                     : absl::StrCat(std::string(columns.owner), " IN (", placeholders, ")");
  return fragment;
}

bool CanAccess(const Principal& principal, Operation op, std::string_view owner,
               const RecordRules& rules, bool marked) {
  const Scope scope = rules.ScopeFor(principal, op);
  if (scope == Scope::kMarked && marked && !principal.user.empty()) return true;
  if (owner.empty()) return scope == Scope::kAll;
  switch (scope) {
    case Scope::kAll:
      return true;
    case Scope::kMarked:
      return !principal.user.empty() && owner == principal.user;
    case Scope::kTeam:
      if (principal.HasTeamMember(owner)) return true;
      [[fallthrough]];
    case Scope::kOwn:
      return !principal.user.empty() && owner == principal.user;
    case Scope::kNone:
      return false;
  }
  return false;
}

absl::Status CheckOwnerChange(const Principal& principal, std::string_view from_owner,
                              std::string_view to_owner, const RecordRules& rules) {
  if (principal.Is(v1::ADMIN)) return absl::OkStatus();
  // A manager gives away what they may write (under the default rules: their own and their
  // team's records) and gives it only within reach, whose members they know.
  const bool to_in_reach =
      !to_owner.empty() && (to_owner == principal.user || principal.HasTeamMember(to_owner));
  if (principal.Is(v1::SALES_MANAGER) && to_in_reach &&
      CanAccess(principal, Operation::kWrite, from_owner, rules)) {
    return absl::OkStatus();
  }
  return Error(absl::StatusCode::kPermissionDenied, "OWNER_CHANGE_DENIED",
               "you may not move this record to that owner");
}

}  // namespace crm::auth
