#include "services/activities/people.h"

#include <optional>

#include "libs/auth/service_directory.h"
#include "libs/grpc/status.h"

namespace crm::activities {
namespace {

class AuthPeople final : public People {
 public:
  AuthPeople(std::shared_ptr<grpc::Channel> channel,
             std::shared_ptr<grpc::CallCredentials> credentials, absl::Duration timeout)
      : auth_(std::move(channel), std::move(credentials), timeout) {}

  absl::StatusOr<std::string> ManagerOf(std::string_view user) override {
    // A user who is gone has nobody to tell besides; the owner's own row still goes out.
    CRM_ASSIGN_OR_RETURN(std::optional<auth::v1::User> found, auth_.FindUser(user));
    if (!found.has_value() || found->team().empty()) return std::string();
    CRM_ASSIGN_OR_RETURN(std::optional<auth::v1::Team> team, auth_.FindTeam(found->team()));
    return team.has_value() ? team->manager() : std::string();
  }

  absl::StatusOr<std::string> EmailOf(std::string_view user) override {
    CRM_ASSIGN_OR_RETURN(std::optional<auth::v1::User> found, auth_.FindUser(user));
    // A deactivated user is not mailed: they no longer work here.
    return found.has_value() && found->active() ? found->email() : std::string();
  }

  absl::StatusOr<std::vector<std::string>> SupportDesk() override {
    return auth_.UserNames("role = SUPPORT AND active = true");
  }

 private:
  auth::AuthAsService auth_;
};

}  // namespace

std::unique_ptr<People> AuthServicePeople(std::shared_ptr<grpc::Channel> channel,
                                          std::shared_ptr<grpc::CallCredentials> credentials,
                                          absl::Duration timeout) {
  return std::make_unique<AuthPeople>(std::move(channel), std::move(credentials), timeout);
}

absl::StatusOr<std::string> CachedPeople::ManagerOf(std::string_view user) {
  return managers_.Get(std::string(user), [&] { return source_.ManagerOf(user); });
}

absl::StatusOr<std::string> CachedPeople::EmailOf(std::string_view user) {
  return emails_.Get(std::string(user), [&] { return source_.EmailOf(user); });
}

absl::StatusOr<std::vector<std::string>> CachedPeople::SupportDesk() {
  return support_.Get("", [&] { return source_.SupportDesk(); });
}

}  // namespace crm::activities
