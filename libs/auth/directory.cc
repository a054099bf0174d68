// UserDirectory over gRPC: AuthService/GetUser with the caller's own token, so the auth
// service's visibility rules apply to the lookup as they would to the caller.
#include "libs/auth/directory.h"

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <chrono>
#include <string>
#include <utility>

#include "crm/auth/v1/auth.grpc.pb.h"
#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"
#include "libs/grpc/trace.h"

namespace crm::auth {
namespace {

constexpr auto kAuthCallTimeout = std::chrono::seconds(2);

class AuthServiceDirectoryImpl final : public UserDirectory {
 public:
  explicit AuthServiceDirectoryImpl(std::shared_ptr<grpc::Channel> channel)
      : stub_(v1::AuthService::NewStub(std::move(channel))) {}

  absl::StatusOr<v1::User> GetUser(std::string_view name, std::string_view authorization) override {
    grpc::ClientContext ctx;
    PropagateTrace(ctx);
    ctx.set_deadline(std::chrono::system_clock::now() + kAuthCallTimeout);
    if (!authorization.empty()) ctx.AddMetadata("authorization", std::string(authorization));
    v1::GetUserRequest request;
    request.set_name(std::string(name));
    v1::User user;
    grpc::Status status = stub_->GetUser(&ctx, request, &user);
    if (!status.ok()) return FromGrpcStatus(status);
    return user;
  }

  absl::StatusOr<std::vector<std::string>> ActiveMembers(std::string_view team,
                                                         std::string_view authorization) override {
    v1::ListUsersRequest request;
    request.set_filter(absl::StrCat("team = \"", std::string(team), "\" AND active = true"));
    request.set_page_size(1000);
    std::vector<std::string> members;
    // A team rarely fills a page; the bound stops a misbehaving server from looping us.
    for (int page = 0; page < 100; ++page) {
      grpc::ClientContext ctx;
      PropagateTrace(ctx);
      ctx.set_deadline(std::chrono::system_clock::now() + kAuthCallTimeout);
      if (!authorization.empty()) ctx.AddMetadata("authorization", std::string(authorization));
      v1::ListUsersResponse response;
      grpc::Status status = stub_->ListUsers(&ctx, request, &response);
      if (!status.ok()) return FromGrpcStatus(status);
      for (const v1::User& user : response.users()) members.push_back(user.name());
      if (response.next_page_token().empty()) return members;
      request.set_page_token(response.next_page_token());
    }
    return Error(absl::StatusCode::kInternal, "TEAM_TOO_LARGE", "team member list did not end");
  }

  absl::StatusOr<std::string> TeamManager(std::string_view team,
                                          std::string_view authorization) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kAuthCallTimeout);
    if (!authorization.empty()) ctx.AddMetadata("authorization", std::string(authorization));
    v1::GetTeamRequest request;
    request.set_name(std::string(team));
    v1::Team found;
    grpc::Status status = stub_->GetTeam(&ctx, request, &found);
    if (!status.ok()) return FromGrpcStatus(status);
    return found.manager();
  }

 private:
  std::unique_ptr<v1::AuthService::Stub> stub_;
};

}  // namespace

std::unique_ptr<UserDirectory> AuthServiceDirectory(std::shared_ptr<grpc::Channel> channel) {
  return std::make_unique<AuthServiceDirectoryImpl>(std::move(channel));
}

absl::Status TeamMembers::Resolve(Principal& principal, std::string_view authorization) {
  principal.team_members.clear();
  // Only a manager's record rules use them (an admin's reach all, anyway).
  if (!principal.Is(v1::SALES_MANAGER)) return absl::OkStatus();
  for (const std::string& team : principal.managed_teams) {
    CRM_ASSIGN_OR_RETURN(std::vector<std::string> members, teams_.Get(team, [&] {
      return directory_.ActiveMembers(team, authorization);
    }));
    principal.team_members.insert(principal.team_members.end(), members.begin(), members.end());
  }
  return absl::OkStatus();
}

}  // namespace crm::auth
