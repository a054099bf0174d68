// crm.auth.v1.AuthService: sign-in, sessions, users, teams, keys and the audit trail.
// Request rules and API semantics live here; SQL in AuthStore; signing keys in KeyRing.
// Every handler runs on the executor (Argon2 and the database block) and starts with the
// same Authorizer every other service uses, so this service is as closed as the rest.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "crm/auth/v1/auth.grpc.pb.h"
#include "libs/api/query.h"
#include "libs/auth/principal.h"
#include "libs/auth/verifier.h"
#include "libs/grpc/executor.h"
#include "services/auth/keys.h"
#include "services/auth/store.h"

namespace crm::auth_service {

struct ServiceOptions {
  absl::Duration access_token_ttl = absl::Seconds(900);
  absl::Duration refresh_token_ttl = absl::Seconds(604800);
  // Failed logins (LOGIN_FAILED audit rows) allowed within the window before Login is
  // refused with RESOURCE_EXHAUSTED: per username (counted since its last success) and
  // per client address.
  int login_max_failures_per_user = 5;
  int login_max_failures_per_peer = 20;
  absl::Duration login_failure_window = absl::Seconds(900);
  // Direct peers whose x-forwarded-for is believed (the gateway).
  std::vector<std::string> trusted_proxies = {"127.0.0.1", "::1"};
  int default_page_size = 50;
  int max_page_size = 1000;
  // Keys the fingerprint of passwords in idempotency records, so that a stored request
  // hash cannot be brute-forced faster than Argon2 (the signing key passphrase in main).
  std::string idempotency_secret;
};

// Who is calling and from where. The principal is empty for public methods.
struct Caller {
  auth::Principal principal;
  std::string peer;  // the client's address without port
};

// The client address of a call from gRPC's peer string ("ipv4:10.1.2.3:5000",
// "ipv6:[::1]:5000"): without the port; when the direct peer is a trusted proxy and
// `forwarded_for` (x-forwarded-for) is present, its first address instead.
std::string ClientPeer(std::string_view grpc_peer, std::string_view forwarded_for,
                       const std::vector<std::string>& trusted_proxies);

class AuthService final : public v1::AuthService::CallbackService {
 public:
  AuthService(AuthStore& store, KeyRing& keys, Executor& executor,
              const api::PageTokenCodec& tokens, const auth::Authorizer& authorizer,
              ServiceOptions options);

  struct Bootstrap {
    bool created = false;            // no active ADMIN existed; "admin" was (re)made one
    std::string generated_password;  // set when the password was generated, to print once
  };
  // At start-up, under the start-up lock: when no active ADMIN exists, creates user
  // "admin" with `password`, or with a generated one when empty. When "admin" exists but
  // was disabled or demoted, it is made an active ADMIN again only with `restore` (the
  // operator's explicit --restore_admin): a restart must not undo an admin's disabling.
  // Otherwise FAILED_PRECONDITION (ADMIN_DISABLED). INVALID_ARGUMENT WEAK_PASSWORD when a
  // given password breaks the rules.
  absl::StatusOr<Bootstrap> BootstrapAdmin(std::string password, bool restore = false);

  grpc::ServerUnaryReactor* Login(grpc::CallbackServerContext* ctx, const v1::LoginRequest* request,
                                  v1::LoginResponse* response) override;
  grpc::ServerUnaryReactor* RefreshToken(grpc::CallbackServerContext* ctx,
                                         const v1::RefreshTokenRequest* request,
                                         v1::LoginResponse* response) override;
  grpc::ServerUnaryReactor* Logout(grpc::CallbackServerContext* ctx,
                                   const v1::LogoutRequest* request,
                                   google::protobuf::Empty* response) override;
  grpc::ServerUnaryReactor* ChangePassword(grpc::CallbackServerContext* ctx,
                                           const v1::ChangePasswordRequest* request,
                                           google::protobuf::Empty* response) override;
  grpc::ServerUnaryReactor* GetCurrentUser(grpc::CallbackServerContext* ctx,
                                           const v1::GetCurrentUserRequest* request,
                                           v1::User* response) override;
  grpc::ServerUnaryReactor* GetPublicKeys(grpc::CallbackServerContext* ctx,
                                          const v1::GetPublicKeysRequest* request,
                                          v1::GetPublicKeysResponse* response) override;
  grpc::ServerUnaryReactor* ListRevokedSessions(grpc::CallbackServerContext* ctx,
                                                const v1::ListRevokedSessionsRequest* request,
                                                v1::ListRevokedSessionsResponse* response) override;
  grpc::ServerUnaryReactor* RotateSigningKey(grpc::CallbackServerContext* ctx,
                                             const v1::RotateSigningKeyRequest* request,
                                             v1::PublicKey* response) override;
  grpc::ServerUnaryReactor* CreateUser(grpc::CallbackServerContext* ctx,
                                       const v1::CreateUserRequest* request,
                                       v1::User* response) override;
  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* ctx,
                                    const v1::GetUserRequest* request, v1::User* response) override;
  grpc::ServerUnaryReactor* ListUsers(grpc::CallbackServerContext* ctx,
                                      const v1::ListUsersRequest* request,
                                      v1::ListUsersResponse* response) override;
  grpc::ServerUnaryReactor* UpdateUser(grpc::CallbackServerContext* ctx,
                                       const v1::UpdateUserRequest* request,
                                       v1::User* response) override;
  grpc::ServerUnaryReactor* DisableUser(grpc::CallbackServerContext* ctx,
                                        const v1::DisableUserRequest* request,
                                        v1::User* response) override;
  grpc::ServerUnaryReactor* SetUserPassword(grpc::CallbackServerContext* ctx,
                                            const v1::SetUserPasswordRequest* request,
                                            google::protobuf::Empty* response) override;
  grpc::ServerUnaryReactor* CreateTeam(grpc::CallbackServerContext* ctx,
                                       const v1::CreateTeamRequest* request,
                                       v1::Team* response) override;
  grpc::ServerUnaryReactor* GetTeam(grpc::CallbackServerContext* ctx,
                                    const v1::GetTeamRequest* request, v1::Team* response) override;
  grpc::ServerUnaryReactor* ListTeams(grpc::CallbackServerContext* ctx,
                                      const v1::ListTeamsRequest* request,
                                      v1::ListTeamsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateTeam(grpc::CallbackServerContext* ctx,
                                       const v1::UpdateTeamRequest* request,
                                       v1::Team* response) override;
  grpc::ServerUnaryReactor* ListAuditEvents(grpc::CallbackServerContext* ctx,
                                            const v1::ListAuditEventsRequest* request,
                                            v1::ListAuditEventsResponse* response) override;

  // The handlers proper, synchronous, for the executor (and for tests). Each checks the
  // policy row of its method against caller.principal (the callbacks verified the token).
  absl::Status DoLogin(const Caller& caller, const v1::LoginRequest& request,
                       v1::LoginResponse* response);
  absl::Status DoRefreshToken(const Caller& caller, const v1::RefreshTokenRequest& request,
                              v1::LoginResponse* response);
  absl::Status DoLogout(const Caller& caller);
  absl::Status DoChangePassword(const Caller& caller, const v1::ChangePasswordRequest& request);
  absl::Status DoGetCurrentUser(const Caller& caller, v1::User* response);
  absl::Status DoGetPublicKeys(const Caller& caller, v1::GetPublicKeysResponse* response);
  absl::Status DoListRevokedSessions(const Caller& caller,
                                     const v1::ListRevokedSessionsRequest& request,
                                     v1::ListRevokedSessionsResponse* response);
  absl::Status DoRotateSigningKey(const Caller& caller, const v1::RotateSigningKeyRequest& request,
                                  v1::PublicKey* response);
  absl::Status DoCreateUser(const Caller& caller, const v1::CreateUserRequest& request,
                            v1::User* response);
  absl::Status DoGetUser(const Caller& caller, const v1::GetUserRequest& request,
                         v1::User* response);
  absl::Status DoListUsers(const Caller& caller, const v1::ListUsersRequest& request,
                           v1::ListUsersResponse* response);
  absl::Status DoUpdateUser(const Caller& caller, const v1::UpdateUserRequest& request,
                            v1::User* response);
  absl::Status DoDisableUser(const Caller& caller, const v1::DisableUserRequest& request,
                             v1::User* response);
  absl::Status DoSetUserPassword(const Caller& caller, const v1::SetUserPasswordRequest& request);
  absl::Status DoCreateTeam(const Caller& caller, const v1::CreateTeamRequest& request,
                            v1::Team* response);
  absl::Status DoGetTeam(const Caller& caller, const v1::GetTeamRequest& request,
                         v1::Team* response);
  absl::Status DoListTeams(const Caller& caller, const v1::ListTeamsRequest& request,
                           v1::ListTeamsResponse* response);
  absl::Status DoUpdateTeam(const Caller& caller, const v1::UpdateTeamRequest& request,
                            v1::Team* response);
  absl::Status DoListAuditEvents(const Caller& caller, const v1::ListAuditEventsRequest& request,
                                 v1::ListAuditEventsResponse* response);

 private:
  // Verifies the call's token and policy on the gRPC thread (a refused call never queues),
  // then runs `handler(caller)` on the executor.
  template <typename Handler>
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* ctx, std::string_view method,
                                  Handler handler);
  // The authorized caller and the client address it is counted under.
  absl::StatusOr<Caller> CallerOf(const grpc::CallbackServerContext& ctx,
                                  std::string_view method) const;
  absl::Status Allow(const Caller& caller, std::string_view method) const;
  // RESOURCE_EXHAUSTED LOGIN_THROTTLED (with a retry delay, and an audit row) when too
  // many logins failed recently for `username` or from `peer`.
  absl::Status CheckThrottle(std::string_view username, std::string_view peer);
  // Records a sign-in attempt and checks the throttle with it counted: the attempt's id,
  // or RESOURCE_EXHAUSTED (LOGIN_THROTTLED) with the attempt forgotten again.
  absl::StatusOr<int64_t> BeginAttempt(std::string_view username, std::string_view peer);
  bool ShouldAuditThrottle(std::string_view username, std::string_view peer, absl::Time now)
      ABSL_LOCKS_EXCLUDED(throttle_audit_mu_);
  // Fills the tokens and user of a new or refreshed session.
  absl::Status IssueTokens(int64_t user_id, const std::string& session_id,
                           const std::string& refresh_token, absl::Time refresh_expire,
                           v1::LoginResponse* response);
  UserScope ScopeOf(const auth::Principal& principal) const;
  std::string PasswordFingerprint(std::string_view password) const;

  AuthStore& store_;
  KeyRing& keys_;
  Executor& executor_;
  const api::PageTokenCodec& tokens_;
  const auth::Authorizer& authorizer_;
  const ServiceOptions options_;

  // When a throttled attempt was last audited, by "username\npeer".
  absl::Mutex throttle_audit_mu_;
  absl::flat_hash_map<std::string, absl::Time> throttle_audited_
      ABSL_GUARDED_BY(throttle_audit_mu_);
};

}  // namespace crm::auth_service
