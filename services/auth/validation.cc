#include "services/auth/validation.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/api/resource.h"
#include "libs/api/text.h"
#include "libs/grpc/status.h"

namespace crm::auth_service {
namespace {

using api::CodePoints;
using api::HasControlChars;
using api::Trim;
using api::ValidEmail;

std::string Path(std::string_view prefix, std::string_view field) {
  return prefix.empty() ? std::string(field)
                        : absl::StrCat(std::string(prefix), ".", std::string(field));
}

void CheckDisplayName(std::string* value, const std::string& path, Violations& violations) {
  *value = Trim(*value);
  if (value->empty()) {
    violations.Add(path, "is required");
  } else if (CodePoints(*value) > Limits::kDisplayName) {
    violations.Add(path, absl::StrCat("must be at most ", Limits::kDisplayName, " characters"));
  } else if (HasControlChars(*value)) {
    violations.Add(path, "must not contain control characters");
  }
}

}  // namespace

bool IsValidUsername(std::string_view username) {
  if (username.size() < static_cast<size_t>(Limits::kUsernameMin) ||
      username.size() > static_cast<size_t>(Limits::kUsernameMax)) {
    return false;
  }
  return std::all_of(username.begin(), username.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

std::string AuditUsername(std::string_view typed) {
  std::string lower = absl::AsciiStrToLower(std::string(typed));
  if (IsValidUsername(lower)) return lower;
  std::string escaped = absl::CHexEscape(lower.substr(0, Limits::kUsernameMax));
  if (escaped.size() > static_cast<size_t>(Limits::kUsernameMax)) {
    escaped.resize(Limits::kUsernameMax);
  }
  return escaped;
}

absl::Status NormalizeAndValidateUser(v1::User& user, std::string_view prefix) {
  Violations violations;
  user.set_username(absl::AsciiStrToLower(Trim(user.username())));
  if (!IsValidUsername(user.username())) {
    violations.Add(Path(prefix, "username"),
                   "must be 3-64 characters of a-z, 0-9, '.', '_' and '-'");
  }
  CheckDisplayName(user.mutable_display_name(), Path(prefix, "display_name"), violations);
  user.set_email(Trim(user.email()));
  if (!user.email().empty() && !ValidEmail(user.email())) {
    violations.Add(Path(prefix, "email"),
                   "must be an e-mail address (name@domain.tld) of at most 254 characters");
  }
  if (user.role() == v1::ROLE_UNSPECIFIED) {
    violations.Add(Path(prefix, "role"),
                   "is required (ADMIN, SALES_MANAGER, SALES_REP, MARKETING or SUPPORT)");
  } else if (!v1::Role_IsValid(user.role())) {
    violations.Add(Path(prefix, "role"), "is not a known role");
  }
  if (!user.team().empty() && !api::ParseResourceId(user.team(), "teams").ok()) {
    violations.Add(Path(prefix, "team"), "must be a team name like \"teams/7\" or empty");
  }
  return violations.ToStatus("invalid user");
}

absl::Status NormalizeAndValidateTeam(v1::Team& team, std::string_view prefix) {
  Violations violations;
  CheckDisplayName(team.mutable_display_name(), Path(prefix, "display_name"), violations);
  if (!team.manager().empty() && !api::ParseResourceId(team.manager(), "users").ok()) {
    violations.Add(Path(prefix, "manager"), "must be a user name like \"users/42\" or empty");
  }
  return violations.ToStatus("invalid team");
}

absl::Status CheckPasswordRules(std::string_view password, std::string_view username,
                                std::string_view field) {
  std::string problem;
  if (password.size() < static_cast<size_t>(Limits::kPasswordMin)) {
    problem = absl::StrCat("must be at least ", Limits::kPasswordMin, " bytes");
  } else if (password.size() > static_cast<size_t>(Limits::kPasswordMax)) {
    problem = absl::StrCat("must be at most ", Limits::kPasswordMax, " bytes");
  } else if (!username.empty() &&
             absl::EqualsIgnoreCase(std::string(password), std::string(username))) {
    problem = "must not be the username";
  }
  if (problem.empty()) return absl::OkStatus();
  return WeakPassword(field, problem);
}

absl::Status WeakPassword(std::string_view field, std::string_view problem) {
  // The field violation of InvalidField, under the reason clients branch on.
  absl::Status weak = InvalidField(field, problem);
  absl::Status reason = Error(absl::StatusCode::kInvalidArgument, "WEAK_PASSWORD", "");
  reason.ForEachPayload(
      [&weak](absl::string_view url, const absl::Cord& payload) { weak.SetPayload(url, payload); });
  return weak;
}

}  // namespace crm::auth_service
