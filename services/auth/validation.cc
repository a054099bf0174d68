#include "services/auth/validation.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/api/resource.h"
#include "libs/grpc/status.h"

namespace crm::auth_service {
namespace {

// Unicode white space that people paste around names, including the ideographic space.
std::string Trim(std::string_view s) {
  static constexpr std::string_view kSpaces[] = {" ", "\t", "\n", "\r", "\u3000", "\u00a0"};
  for (bool changed = true; changed && !s.empty();) {
    changed = false;
    for (auto sp : kSpaces) {
      if (s.starts_with(sp)) {
        s.remove_prefix(sp.size());
        changed = true;
      }
      if (s.ends_with(sp)) {
        s.remove_suffix(sp.size());
        changed = true;
      }
    }
  }
  return std::string(s);
}

bool HasControlChars(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

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

bool ValidEmail(std::string_view email) {
  if (email.size() > static_cast<size_t>(Limits::kEmail)) return false;
  if (std::count(email.begin(), email.end(), '@') != 1) return false;
  auto at = email.find('@');
  if (at == 0 || at + 1 == email.size()) return false;
  return std::none_of(email.begin(), email.end(), [](unsigned char c) {
    return c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';';
  });
}

}  // namespace

size_t CodePoints(std::string_view utf8) {
  // Counts bytes that are not UTF-8 continuation bytes (10xxxxxx).
  return std::count_if(utf8.begin(), utf8.end(),
                       [](unsigned char c) { return (c & 0xC0) != 0x80; });
}

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
                   "must be an e-mail address of at most 254 characters with one '@'");
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
