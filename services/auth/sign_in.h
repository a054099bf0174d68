// Signing in and the session a sign-in starts: Login, RefreshToken, Logout, ChangePassword,
// GetCurrentUser; the tokens services obtain for themselves (IssueServiceToken); and the
// verification material every verifier fetches (GetPublicKeys, ListRevokedSessions).
// Failed password checks are throttled per username and per client address, failed
// service secrets per client address, counted in the database so that replicas and
// parallel guesses share one count.
//
// Handlers are synchronous (Argon2 and the database block): the RPC edge (service.h) runs
// them on the executor. Each checks its policy row again. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "crm/auth/v1/auth.pb.h"
#include "libs/auth/policy.h"
#include "libs/base/clock.h"
#include "services/auth/keys.h"
#include "services/auth/rpc.h"
#include "services/auth/stores.h"

namespace crm::auth_service {

struct SignInOptions {
  absl::Duration access_token_ttl = absl::Seconds(900);
  absl::Duration refresh_token_ttl = absl::Seconds(604800);
  // Failed logins allowed within the window before Login is refused with
  // RESOURCE_EXHAUSTED: per username (counted since its last success) and per client
  // address.
  int login_max_failures_per_user = 5;
  int login_max_failures_per_peer = 20;
  absl::Duration login_failure_window = absl::Seconds(900);
};

class SignIn final {
 public:
  SignIn(AuthStores& stores, KeyRing& keys, const auth::Policy& policy, const Clock& clock,
         SignInOptions options);

  absl::Status Login(const Caller& caller, const v1::LoginRequest& request,
                     v1::LoginResponse* response);
  absl::Status RefreshToken(const Caller& caller, const v1::RefreshTokenRequest& request,
                            v1::LoginResponse* response);
  absl::Status Logout(const Caller& caller);
  absl::Status ChangePassword(const Caller& caller, const v1::ChangePasswordRequest& request);
  absl::Status GetCurrentUser(const Caller& caller, v1::User* response);
  absl::Status IssueServiceToken(const Caller& caller, const v1::IssueServiceTokenRequest& request,
                                 v1::ServiceToken* response);
  absl::Status GetPublicKeys(const Caller& caller, v1::GetPublicKeysResponse* response);
  absl::Status ListRevokedSessions(const Caller& caller,
                                   const v1::ListRevokedSessionsRequest& request,
                                   v1::ListRevokedSessionsResponse* response);

 private:
  // Records a sign-in attempt and checks the throttle with it counted: the attempt's id,
  // or RESOURCE_EXHAUSTED (LOGIN_THROTTLED) with the attempt forgotten again.
  // `limit_name`: whether `name`'s own count is limited too (users), or only the peer's
  // (services: their secrets cannot be guessed, and one caller must not be able to lock
  // a service out).
  absl::StatusOr<int64_t> BeginAttempt(std::string_view name, std::string_view peer,
                                       bool limit_name = true);
  // RESOURCE_EXHAUSTED LOGIN_THROTTLED (with a retry delay, and an audit row) when too
  // many attempts failed recently for `name` (if `limit_name`) or from `peer`.
  absl::Status CheckThrottle(std::string_view name, std::string_view peer, bool limit_name);
  bool ShouldAuditThrottle(std::string_view username, std::string_view peer, absl::Time now)
      ABSL_LOCKS_EXCLUDED(throttle_audit_mu_);
  // Fills the tokens and user of a new or refreshed session.
  absl::Status IssueTokens(int64_t user_id, const std::string& session_id,
                           const std::string& refresh_token, absl::Time refresh_expire,
                           v1::LoginResponse* response);

  AuthStores& stores_;
  KeyRing& keys_;
  const auth::Policy& policy_;
  const Clock& clock_;
  const SignInOptions options_;

  // When a throttled attempt was last audited, by "username\npeer".
  absl::Mutex throttle_audit_mu_;
  absl::flat_hash_map<std::string, absl::Time> throttle_audited_
      ABSL_GUARDED_BY(throttle_audit_mu_);
};

}  // namespace crm::auth_service
