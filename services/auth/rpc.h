// What every handler of crm.auth.v1.AuthService shares: the full method names (the keys of
// the policy table, libs/auth/policy.cc), the caller a handler is given, and the policy
// check each handler repeats so that no path into it skips the table.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "libs/auth/caller.h"
#include "libs/auth/policy.h"
#include "libs/auth/principal.h"

namespace crm::auth_service {

// Errors of this service carry this ErrorInfo domain.
inline constexpr char kDomain[] = "auth.crm";

namespace methods {
#define CRM_AUTH_METHOD(name) inline constexpr char k##name[] = "/crm.auth.v1.AuthService/" #name
CRM_AUTH_METHOD(Login);
CRM_AUTH_METHOD(RefreshToken);
CRM_AUTH_METHOD(Logout);
CRM_AUTH_METHOD(ChangePassword);
CRM_AUTH_METHOD(GetCurrentUser);
CRM_AUTH_METHOD(IssueServiceToken);
CRM_AUTH_METHOD(GetPublicKeys);
CRM_AUTH_METHOD(ListRevokedSessions);
CRM_AUTH_METHOD(RotateSigningKey);
CRM_AUTH_METHOD(CreateUser);
CRM_AUTH_METHOD(GetUser);
CRM_AUTH_METHOD(ListUsers);
CRM_AUTH_METHOD(UpdateUser);
CRM_AUTH_METHOD(DisableUser);
CRM_AUTH_METHOD(SetUserPassword);
CRM_AUTH_METHOD(CreateTeam);
CRM_AUTH_METHOD(GetTeam);
CRM_AUTH_METHOD(ListTeams);
CRM_AUTH_METHOD(UpdateTeam);
CRM_AUTH_METHOD(ListAuditEvents);
CRM_AUTH_METHOD(ListServiceAccounts);
#undef CRM_AUTH_METHOD
}  // namespace methods

// Who is calling and from where (the RPC edge's caller, libs/auth/caller.h). The principal is
// empty for public methods; peer is the client's address, through the gateway's
// x-forwarded-for.
using Caller = auth::Caller;

// OK when `method`'s row lets `caller` in: public at this service, or the caller's role
// listed; otherwise PERMISSION_DENIED.
absl::Status Allow(const auth::Policy& policy, const Caller& caller, std::string_view method);

}  // namespace crm::auth_service
