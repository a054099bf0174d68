#include "libs/auth/service_directory.h"

#include "libs/grpc/channel.h"
#include "libs/grpc/status.h"

namespace crm::auth {
namespace {

constexpr char kAuthService[] = "the auth service";
constexpr char kAuthUnavailable[] = "AUTH_UNAVAILABLE";
// Lists here are a team or a desk, rarely a page; the bound stops a misbehaving server from
// looping us.
constexpr int kMaxPages = 100;

}  // namespace

AuthAsService::AuthAsService(std::shared_ptr<grpc::Channel> channel,
                             std::shared_ptr<grpc::CallCredentials> credentials,
                             absl::Duration timeout)
    : stub_(v1::AuthService::NewStub(std::move(channel))),
      credentials_(std::move(credentials)),
      timeout_(timeout) {}

std::unique_ptr<grpc::ClientContext> AuthAsService::Call() const {
  return ClientCall(timeout_, absl::InfiniteFuture(), credentials_);
}

absl::StatusOr<std::optional<v1::User>> AuthAsService::FindUser(std::string_view name) {
  v1::GetUserRequest request;
  request.set_name(std::string(name));
  v1::User user;
  absl::Status status =
      FromPeer(stub_->GetUser(Call().get(), request, &user), kAuthService, kAuthUnavailable);
  if (absl::IsNotFound(status)) return std::nullopt;
  CRM_RETURN_IF_ERROR(status);
  return user;
}

absl::StatusOr<std::optional<v1::Team>> AuthAsService::FindTeam(std::string_view name) {
  v1::GetTeamRequest request;
  request.set_name(std::string(name));
  v1::Team team;
  absl::Status status =
      FromPeer(stub_->GetTeam(Call().get(), request, &team), kAuthService, kAuthUnavailable);
  if (absl::IsNotFound(status)) return std::nullopt;
  CRM_RETURN_IF_ERROR(status);
  return team;
}

absl::StatusOr<std::vector<std::string>> AuthAsService::UserNames(std::string_view filter) {
  v1::ListUsersRequest request;
  request.set_filter(std::string(filter));
  request.set_page_size(1000);
  std::vector<std::string> names;
  for (int page = 0; page < kMaxPages; ++page) {
    v1::ListUsersResponse response;
    CRM_RETURN_IF_ERROR(FromPeer(stub_->ListUsers(Call().get(), request, &response),
                                 kAuthService, kAuthUnavailable));
    for (const v1::User& user : response.users()) names.push_back(user.name());
    if (response.next_page_token().empty()) return names;
    request.set_page_token(response.next_page_token());
  }
  return Error(absl::StatusCode::kInternal, "USER_LIST_TOO_LONG",
               "the auth service's list of users did not end");
}

}  // namespace crm::auth
