// crm.auth.v1.AuthService at the RPC edge: one registered service whose methods keep their
// wire paths, forwarding each call to the sign-in handlers (sign_in.h) or to administration
// (admin.h). Every call goes through the service kit's edge (libs/service/rpc.h): authorized
// on the gRPC thread with the same Authorizer every other service uses (a refused call never
// queues), then run on the executor (Argon2 and the database block).
#pragma once

#include "crm/auth/v1/auth.grpc.pb.h"
#include "libs/service/rpc.h"
#include "services/auth/admin.h"
#include "services/auth/rpc.h"
#include "services/auth/sign_in.h"

namespace crm::auth_service {

class AuthService final : public v1::AuthService::CallbackService {
 public:
  // `rpc` is the kit's edge (its trusted proxies decide the client address that throttling
  // and audit count).
  AuthService(SignIn& sign_in, Administration& admin, service::Rpc& rpc)
      : sign_in_(sign_in), admin_(admin), rpc_(rpc) {}

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
  grpc::ServerUnaryReactor* IssueServiceToken(grpc::CallbackServerContext* ctx,
                                              const v1::IssueServiceTokenRequest* request,
                                              v1::ServiceToken* response) override;
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
  grpc::ServerUnaryReactor* ListServiceAccounts(grpc::CallbackServerContext* ctx,
                                                const v1::ListServiceAccountsRequest* request,
                                                v1::ListServiceAccountsResponse* response) override;

 private:
  SignIn& sign_in_;
  Administration& admin_;
  service::Rpc& rpc_;
};

}  // namespace crm::auth_service
