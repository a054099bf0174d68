#include "libs/records/access.h"

#include "libs/grpc/status.h"

namespace crm::records {
namespace {

constexpr std::string_view kAuthService = "the auth service";

}  // namespace

absl::StatusOr<Access> AccessResolver::For(const auth::Caller& caller,
                                           std::string_view method) const {
  return For(caller, method, rules_);
}

absl::StatusOr<Access> AccessResolver::For(const auth::Caller& caller, std::string_view method,
                                           const auth::RecordRules& rules) const {
  CRM_RETURN_IF_ERROR(policy_.Check(caller.principal, method));
  auth::Principal principal = caller.principal;
  // The caller's team comes from the auth service; its refusals are the caller's own.
  CRM_RETURN_IF_ERROR(FromPeer(teams_.Resolve(principal, caller.authorization), kAuthService,
                               "AUTH_UNAVAILABLE", PeerErrors::kAll));
  return Access(*this, rules, caller, std::move(principal));
}

api::SqlFragment Access::Rows(auth::Operation op, const auth::OwnerColumns& columns) const {
  return auth::VisibleRows(principal_, op, *rules_, columns);
}

bool Access::Can(auth::Operation op, std::string_view owner, bool marked) const {
  return auth::CanAccess(principal_, op, owner, *rules_, marked);
}

absl::Status Access::CheckOwnerChange(std::string_view from, std::string_view to,
                                      std::string_view field) const {
  CRM_RETURN_IF_ERROR(CheckOwnerRule(from, to, field));
  return CheckNewOwner(to, field);
}

absl::Status Access::CheckOwnerRule(std::string_view from, std::string_view to,
                                    std::string_view field) const {
  if (to.empty()) return InvalidField(field, "is required: every record has an owner");
  return auth::CheckOwnerChange(principal_, from, to, *rules_);
}

absl::Status Access::CheckNewOwner(std::string_view to, std::string_view field) const {
  if (to.empty()) return InvalidField(field, "is required: every record has an owner");
  // A manager's choices are their current team members, known active; an admin may name
  // anyone, so the name must be an active user.
  if (!principal_.Is(auth::v1::ADMIN) || to == principal_.user) return absl::OkStatus();
  absl::StatusOr<auth::v1::User> user = resolver_->users().GetUser(to, caller_->authorization);
  if (!user.ok()) {
    if (user.status().code() == absl::StatusCode::kNotFound) {
      return InvalidField(field, "is not an existing user");
    }
    return FromPeer(user.status(), kAuthService, "AUTH_UNAVAILABLE", PeerErrors::kAll);
  }
  if (!user->active()) return InvalidField(field, "is a disabled user");
  return absl::OkStatus();
}

}  // namespace crm::records
