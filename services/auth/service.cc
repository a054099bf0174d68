#include "services/auth/service.h"

#include "libs/grpc/status.h"

namespace crm::auth_service {

grpc::ServerUnaryReactor* AuthService::Login(grpc::CallbackServerContext* ctx,
                                             const v1::LoginRequest* request,
                                             v1::LoginResponse* response) {
  return rpc_.Run(ctx, methods::kLogin,
               [=, this](const Caller& c) { return sign_in_.Login(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::RefreshToken(grpc::CallbackServerContext* ctx,
                                                    const v1::RefreshTokenRequest* request,
                                                    v1::LoginResponse* response) {
  return rpc_.Run(ctx, methods::kRefreshToken,
               [=, this](const Caller& c) { return sign_in_.RefreshToken(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::Logout(grpc::CallbackServerContext* ctx,
                                              const v1::LogoutRequest*, google::protobuf::Empty*) {
  return rpc_.Run(ctx, methods::kLogout, [this](const Caller& c) { return sign_in_.Logout(c); });
}

grpc::ServerUnaryReactor* AuthService::ChangePassword(grpc::CallbackServerContext* ctx,
                                                      const v1::ChangePasswordRequest* request,
                                                      google::protobuf::Empty*) {
  return rpc_.Run(ctx, methods::kChangePassword,
               [=, this](const Caller& c) { return sign_in_.ChangePassword(c, *request); });
}

grpc::ServerUnaryReactor* AuthService::GetCurrentUser(grpc::CallbackServerContext* ctx,
                                                      const v1::GetCurrentUserRequest*,
                                                      v1::User* response) {
  return rpc_.Run(ctx, methods::kGetCurrentUser,
               [=, this](const Caller& c) { return sign_in_.GetCurrentUser(c, response); });
}

grpc::ServerUnaryReactor* AuthService::GetPublicKeys(grpc::CallbackServerContext* ctx,
                                                     const v1::GetPublicKeysRequest*,
                                                     v1::GetPublicKeysResponse* response) {
  return rpc_.Run(ctx, methods::kGetPublicKeys,
               [=, this](const Caller& c) { return sign_in_.GetPublicKeys(c, response); });
}

grpc::ServerUnaryReactor* AuthService::ListRevokedSessions(
    grpc::CallbackServerContext* ctx, const v1::ListRevokedSessionsRequest* request,
    v1::ListRevokedSessionsResponse* response) {
  return rpc_.Run(ctx, methods::kListRevokedSessions, [=, this](const Caller& c) {
    return sign_in_.ListRevokedSessions(c, *request, response);
  });
}

grpc::ServerUnaryReactor* AuthService::RotateSigningKey(grpc::CallbackServerContext* ctx,
                                                        const v1::RotateSigningKeyRequest* request,
                                                        v1::PublicKey* response) {
  return rpc_.Run(ctx, methods::kRotateSigningKey, [=, this](const Caller& c) {
    return admin_.RotateSigningKey(c, *request, response);
  });
}

grpc::ServerUnaryReactor* AuthService::CreateUser(grpc::CallbackServerContext* ctx,
                                                  const v1::CreateUserRequest* request,
                                                  v1::User* response) {
  return rpc_.Run(ctx, methods::kCreateUser,
               [=, this](const Caller& c) { return admin_.CreateUser(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::GetUser(grpc::CallbackServerContext* ctx,
                                               const v1::GetUserRequest* request,
                                               v1::User* response) {
  return rpc_.Run(ctx, methods::kGetUser,
               [=, this](const Caller& c) { return admin_.GetUser(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::ListUsers(grpc::CallbackServerContext* ctx,
                                                 const v1::ListUsersRequest* request,
                                                 v1::ListUsersResponse* response) {
  return rpc_.Run(ctx, methods::kListUsers,
               [=, this](const Caller& c) { return admin_.ListUsers(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::UpdateUser(grpc::CallbackServerContext* ctx,
                                                  const v1::UpdateUserRequest* request,
                                                  v1::User* response) {
  return rpc_.Run(ctx, methods::kUpdateUser,
               [=, this](const Caller& c) { return admin_.UpdateUser(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::DisableUser(grpc::CallbackServerContext* ctx,
                                                   const v1::DisableUserRequest* request,
                                                   v1::User* response) {
  return rpc_.Run(ctx, methods::kDisableUser,
               [=, this](const Caller& c) { return admin_.DisableUser(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::SetUserPassword(grpc::CallbackServerContext* ctx,
                                                       const v1::SetUserPasswordRequest* request,
                                                       google::protobuf::Empty*) {
  return rpc_.Run(ctx, methods::kSetUserPassword,
               [=, this](const Caller& c) { return admin_.SetUserPassword(c, *request); });
}

grpc::ServerUnaryReactor* AuthService::CreateTeam(grpc::CallbackServerContext* ctx,
                                                  const v1::CreateTeamRequest* request,
                                                  v1::Team* response) {
  return rpc_.Run(ctx, methods::kCreateTeam,
               [=, this](const Caller& c) { return admin_.CreateTeam(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::GetTeam(grpc::CallbackServerContext* ctx,
                                               const v1::GetTeamRequest* request,
                                               v1::Team* response) {
  return rpc_.Run(ctx, methods::kGetTeam,
               [=, this](const Caller& c) { return admin_.GetTeam(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::ListTeams(grpc::CallbackServerContext* ctx,
                                                 const v1::ListTeamsRequest* request,
                                                 v1::ListTeamsResponse* response) {
  return rpc_.Run(ctx, methods::kListTeams,
               [=, this](const Caller& c) { return admin_.ListTeams(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::UpdateTeam(grpc::CallbackServerContext* ctx,
                                                  const v1::UpdateTeamRequest* request,
                                                  v1::Team* response) {
  return rpc_.Run(ctx, methods::kUpdateTeam,
               [=, this](const Caller& c) { return admin_.UpdateTeam(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::ListAuditEvents(grpc::CallbackServerContext* ctx,
                                                       const v1::ListAuditEventsRequest* request,
                                                       v1::ListAuditEventsResponse* response) {
  return rpc_.Run(ctx, methods::kListAuditEvents, [=, this](const Caller& c) {
    return admin_.ListAuditEvents(c, *request, response);
  });
}

grpc::ServerUnaryReactor* AuthService::IssueServiceToken(
    grpc::CallbackServerContext* ctx, const v1::IssueServiceTokenRequest* request,
    v1::ServiceToken* response) {
  return rpc_.Run(ctx, methods::kIssueServiceToken, [=, this](const Caller& c) {
    return sign_in_.IssueServiceToken(c, *request, response);
  });
}

grpc::ServerUnaryReactor* AuthService::ListServiceAccounts(
    grpc::CallbackServerContext* ctx, const v1::ListServiceAccountsRequest* request,
    v1::ListServiceAccountsResponse* response) {
  return rpc_.Run(ctx, methods::kListServiceAccounts, [=, this](const Caller& c) {
    return admin_.ListServiceAccounts(c, *request, response);
  });
}

}  // namespace crm::auth_service
