// Administration: users and teams (reads narrowed to what each caller may see), the audit
// trail, signing-key rotation and the list of service accounts. Writes are idempotent by
// request_id; passwords reach the idempotency record only as a keyed fingerprint.
//
// Handlers are synchronous (Argon2 and the database block): the RPC edge (service.h) runs
// them on the executor. Each checks its policy row again. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "crm/auth/v1/auth.pb.h"
#include "libs/api/list.h"
#include "libs/api/query.h"
#include "libs/auth/policy.h"
#include "services/auth/keys.h"
#include "services/auth/rpc.h"
#include "services/auth/stores.h"

namespace crm::auth_service {

struct AdminOptions {
  int default_page_size = 50;
  int max_page_size = 1000;
  // Keys the fingerprint of passwords in idempotency records, so that a stored request
  // hash cannot be brute-forced faster than Argon2 (main uses the signing key passphrase).
  std::string idempotency_secret;
};

class Administration final {
 public:
  Administration(AuthStores& stores, KeyRing& keys, const api::PageTokenCodec& page_tokens,
                 const auth::Policy& policy, AdminOptions options);

  absl::Status CreateUser(const Caller& caller, const v1::CreateUserRequest& request,
                          v1::User* response);
  absl::Status GetUser(const Caller& caller, const v1::GetUserRequest& request, v1::User* response);
  absl::Status ListUsers(const Caller& caller, const v1::ListUsersRequest& request,
                         v1::ListUsersResponse* response);
  absl::Status UpdateUser(const Caller& caller, const v1::UpdateUserRequest& request,
                          v1::User* response);
  absl::Status DisableUser(const Caller& caller, const v1::DisableUserRequest& request,
                           v1::User* response);
  absl::Status SetUserPassword(const Caller& caller, const v1::SetUserPasswordRequest& request);

  absl::Status CreateTeam(const Caller& caller, const v1::CreateTeamRequest& request,
                          v1::Team* response);
  absl::Status GetTeam(const Caller& caller, const v1::GetTeamRequest& request, v1::Team* response);
  absl::Status ListTeams(const Caller& caller, const v1::ListTeamsRequest& request,
                         v1::ListTeamsResponse* response);
  absl::Status UpdateTeam(const Caller& caller, const v1::UpdateTeamRequest& request,
                          v1::Team* response);

  absl::Status ListAuditEvents(const Caller& caller, const v1::ListAuditEventsRequest& request,
                               v1::ListAuditEventsResponse* response);
  absl::Status RotateSigningKey(const Caller& caller, const v1::RotateSigningKeyRequest& request,
                                v1::PublicKey* response);
  absl::Status ListServiceAccounts(const Caller& caller,
                                   const v1::ListServiceAccountsRequest& request,
                                   v1::ListServiceAccountsResponse* response);

 private:
  UserScope ScopeOf(const auth::Principal& principal) const;
  std::string PasswordFingerprint(std::string_view password) const;
  absl::StatusOr<int> PageSize(int requested) const;

  AuthStores& stores_;
  KeyRing& keys_;
  const api::PageTokenCodec& page_tokens_;
  const auth::Policy& policy_;
  const AdminOptions options_;
  // What ListUsers and ListAuditEvents accept: their filter fields and page sizes.
  const api::ListSpec user_list_;
  const api::ListSpec audit_list_;
};

}  // namespace crm::auth_service
