// Looking up users and teams in the auth service on behalf of a caller, e.g. to check a
// customer's new owner or to know who is in a manager's team now. The caller's own token is forwarded, so the auth service's
// rules decide what the caller may see (a manager sees only the members of their teams).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "crm/auth/v1/auth.pb.h"
#include "libs/base/clock.h"
#include "libs/base/ttl_cache.h"
#include "libs/auth/principal.h"

namespace grpc {
class Channel;
}  // namespace grpc

namespace crm::auth {

class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  // `authorization` is the caller's "Bearer ..." metadata value. NOT_FOUND when the user
  // does not exist or the caller may not see them.
  virtual absl::StatusOr<v1::User> GetUser(std::string_view name,
                                           std::string_view authorization) = 0;
  // "users/{id}" of the active members of `team` ("teams/{id}"). The caller must be the
  // team's manager or an admin.
  virtual absl::StatusOr<std::vector<std::string>> ActiveMembers(
      std::string_view team, std::string_view authorization) = 0;
  // "users/{id}" of the manager of `team` ("teams/{id}"), or "" when it has none. Every
  // signed-in user may read their own team. NOT_FOUND when the team does not exist.
  virtual absl::StatusOr<std::string> TeamManager(std::string_view team,
                                                  std::string_view authorization) = 0;
};

std::unique_ptr<UserDirectory> AuthServiceDirectory(std::shared_ptr<grpc::Channel> channel);

// The current members of the teams a manager manages, for record rules (visibility.h),
// cached per team for `ttl`: a rep who changes teams is seen by the new manager, and no
// longer by the old one, within that time. Thread-safe.
class TeamMembers final {
 public:
  explicit TeamMembers(UserDirectory& directory, absl::Duration ttl = absl::Seconds(30),
                       const Clock& clock = Clock::Real())
      : directory_(directory), teams_(ttl, clock) {}

  // Sets principal.team_members from the teams in principal.managed_teams, for a
  // SALES_MANAGER (leaves it empty for anyone else). Blocking: asks the auth service, with the caller's
  // `authorization`, for each team not cached within `ttl`. Its errors are returned
  // (UNAVAILABLE when auth cannot be reached): record rules never guess.
  absl::Status Resolve(Principal& principal, std::string_view authorization);

 private:
  UserDirectory& directory_;
  TtlCache<std::vector<std::string>> teams_;
};

}  // namespace crm::auth
