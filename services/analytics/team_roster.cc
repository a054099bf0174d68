#include "services/analytics/team_roster.h"

#include "absl/strings/str_cat.h"
#include "crm/auth/v1/auth.grpc.pb.h"
#include "libs/grpc/channel.h"
#include "libs/grpc/status.h"

namespace crm::analytics {
namespace {

constexpr char kAuthService[] = "the auth service";
constexpr char kAuthUnavailable[] = "AUTH_UNAVAILABLE";
// A team rarely fills a page; the bound stops a misbehaving server from looping us.
constexpr int kMaxPages = 100;

class AuthRoster final : public TeamRoster {
 public:
  AuthRoster(std::shared_ptr<grpc::Channel> channel,
             std::shared_ptr<grpc::CallCredentials> credentials, absl::Duration timeout)
      : stub_(auth::v1::AuthService::NewStub(std::move(channel))),
        credentials_(std::move(credentials)),
        timeout_(timeout) {}

  absl::StatusOr<std::vector<std::string>> ActiveMembers(std::string_view team) override {
    auth::v1::ListUsersRequest request;
    request.set_filter(absl::StrCat("team = \"", std::string(team), "\" AND active = true"));
    request.set_page_size(1000);
    std::vector<std::string> members;
    for (int page = 0; page < kMaxPages; ++page) {
      auth::v1::ListUsersResponse response;
      auto ctx = ClientCall(timeout_, absl::InfiniteFuture(), credentials_);
      CRM_RETURN_IF_ERROR(FromPeer(stub_->ListUsers(ctx.get(), request, &response), kAuthService,
                                   kAuthUnavailable));
      for (const auth::v1::User& user : response.users()) members.push_back(user.name());
      if (response.next_page_token().empty()) return members;
      request.set_page_token(response.next_page_token());
    }
    return Error(absl::StatusCode::kInternal, "TEAM_TOO_LARGE",
                 "the team's member list did not end");
  }

 private:
  std::unique_ptr<auth::v1::AuthService::Stub> stub_;
  const std::shared_ptr<grpc::CallCredentials> credentials_;
  const absl::Duration timeout_;
};

}  // namespace

std::unique_ptr<TeamRoster> AuthServiceRoster(std::shared_ptr<grpc::Channel> channel,
                                              std::shared_ptr<grpc::CallCredentials> credentials,
                                              absl::Duration timeout) {
  return std::make_unique<AuthRoster>(std::move(channel), std::move(credentials), timeout);
}

}  // namespace crm::analytics
