#include "services/analytics/team_roster.h"

#include "absl/strings/str_cat.h"
#include "libs/auth/service_directory.h"
#include "libs/base/clock.h"
#include "libs/base/ttl_cache.h"

namespace crm::analytics {
namespace {

class AuthRoster final : public TeamRoster {
 public:
  AuthRoster(std::shared_ptr<grpc::Channel> channel,
             std::shared_ptr<grpc::CallCredentials> credentials, absl::Duration timeout,
             absl::Duration ttl)
      : auth_(std::move(channel), std::move(credentials), timeout), teams_(ttl, Clock::Real()) {}

  absl::StatusOr<std::vector<std::string>> ActiveMembers(std::string_view team) override {
    const std::string key(team);
    return teams_.Get(key, [&] {
      return auth_.UserNames(absl::StrCat("team = \"", key, "\" AND active = true"));
    });
  }

 private:
  auth::AuthAsService auth_;
  TtlCache<std::vector<std::string>> teams_;
};

}  // namespace

std::unique_ptr<TeamRoster> AuthServiceRoster(std::shared_ptr<grpc::Channel> channel,
                                              std::shared_ptr<grpc::CallCredentials> credentials,
                                              absl::Duration timeout, absl::Duration ttl) {
  return std::make_unique<AuthRoster>(std::move(channel), std::move(credentials), timeout, ttl);
}

}  // namespace crm::analytics
