#include "services/activities/people.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "crm/auth/v1/auth.grpc.pb.h"
#include "libs/grpc/channel.h"
#include "libs/grpc/status.h"

namespace crm::activities {
namespace {

constexpr char kAuthService[] = "the auth service";
constexpr char kAuthUnavailable[] = "AUTH_UNAVAILABLE";
// A support desk is tens of people; the bound stops a misbehaving server from looping us.
constexpr int kMaxPages = 100;

class AuthPeople final : public People {
 public:
  AuthPeople(std::shared_ptr<grpc::Channel> channel,
             std::shared_ptr<grpc::CallCredentials> credentials, absl::Duration timeout)
      : stub_(auth::v1::AuthService::NewStub(std::move(channel))),
        credentials_(std::move(credentials)),
        timeout_(timeout) {}

  absl::StatusOr<std::string> ManagerOf(std::string_view user) override {
    // A user who is gone has nobody to tell besides; the owner's own row still goes out.
    CRM_ASSIGN_OR_RETURN(std::optional<auth::v1::User> found, GetUser(user));
    if (!found.has_value() || found->team().empty()) return std::string();
    auth::v1::GetTeamRequest get_team;
    get_team.set_name(found->team());
    auth::v1::Team team;
    absl::Status status =
        FromPeer(stub_->GetTeam(Call().get(), get_team, &team), kAuthService, kAuthUnavailable);
    if (absl::IsNotFound(status)) return std::string();
    CRM_RETURN_IF_ERROR(status);
    return team.manager();
  }

  absl::StatusOr<std::string> EmailOf(std::string_view user) override {
    CRM_ASSIGN_OR_RETURN(std::optional<auth::v1::User> found, GetUser(user));
    // A deactivated user is not mailed: they no longer work here.
    return found.has_value() && found->active() ? found->email() : std::string();
  }

  absl::StatusOr<std::vector<std::string>> SupportDesk() override {
    auth::v1::ListUsersRequest request;
    request.set_filter("role = SUPPORT AND active = true");
    request.set_page_size(1000);
    std::vector<std::string> desk;
    for (int page = 0; page < kMaxPages; ++page) {
      auth::v1::ListUsersResponse response;
      CRM_RETURN_IF_ERROR(FromPeer(stub_->ListUsers(Call().get(), request, &response), kAuthService,
                                   kAuthUnavailable));
      for (const auth::v1::User& user : response.users()) desk.push_back(user.name());
      if (response.next_page_token().empty()) return desk;
      request.set_page_token(response.next_page_token());
    }
    return Error(absl::StatusCode::kInternal, "SUPPORT_LIST_TOO_LONG",
                 "the list of support users did not end");
  }

 private:
  // `user`, or nullopt when there is no such user (any more).
  absl::StatusOr<std::optional<auth::v1::User>> GetUser(std::string_view user) {
    auth::v1::GetUserRequest get_user;
    get_user.set_name(std::string(user));
    auth::v1::User found;
    absl::Status status =
        FromPeer(stub_->GetUser(Call().get(), get_user, &found), kAuthService, kAuthUnavailable);
    if (absl::IsNotFound(status)) return std::nullopt;
    CRM_RETURN_IF_ERROR(status);
    return found;
  }

  std::unique_ptr<grpc::ClientContext> Call() const {
    return ClientCall(timeout_, absl::InfiniteFuture(), credentials_);
  }

  std::unique_ptr<auth::v1::AuthService::Stub> stub_;
  const std::shared_ptr<grpc::CallCredentials> credentials_;
  const absl::Duration timeout_;
};

}  // namespace

std::unique_ptr<People> AuthServicePeople(std::shared_ptr<grpc::Channel> channel,
                                          std::shared_ptr<grpc::CallCredentials> credentials,
                                          absl::Duration timeout) {
  return std::make_unique<AuthPeople>(std::move(channel), std::move(credentials), timeout);
}

absl::StatusOr<std::string> CachedPeople::Kept(
    KeptAnswers CachedPeople::*answers, std::string_view user,
    const std::function<absl::StatusOr<std::string>()>& fetch) {
  const absl::Time now = clock_.Now();
  const std::string key(user);
  {
    absl::MutexLock lock(&mu_);
    auto it = (this->*answers).find(key);
    if (it != (this->*answers).end() && now - it->second.fetched < ttl_) return it->second.name;
  }
  // Asked without the lock: a slow auth service must not stall the other feeds' lookups.
  CRM_ASSIGN_OR_RETURN(std::string answer, fetch());
  absl::MutexLock lock(&mu_);
  (this->*answers)[key] = Answer{.name = answer, .fetched = now};
  return answer;
}

absl::StatusOr<std::string> CachedPeople::ManagerOf(std::string_view user) {
  return Kept(&CachedPeople::managers_, user, [&] { return source_.ManagerOf(user); });
}

absl::StatusOr<std::string> CachedPeople::EmailOf(std::string_view user) {
  return Kept(&CachedPeople::emails_, user, [&] { return source_.EmailOf(user); });
}

absl::StatusOr<std::vector<std::string>> CachedPeople::SupportDesk() {
  const absl::Time now = clock_.Now();
  {
    absl::MutexLock lock(&mu_);
    if (now - support_fetched_ < ttl_) return support_;
  }
  CRM_ASSIGN_OR_RETURN(std::vector<std::string> desk, source_.SupportDesk());
  absl::MutexLock lock(&mu_);
  support_ = desk;
  support_fetched_ = now;
  return desk;
}

}  // namespace crm::activities
