// Who is in a team, asked of the auth service as the analytics service itself.
// A rep is ranked among their team, whose members a rep may not list: the ranking reads them
// with this service's own identity (the policy table lets "analytics" call ListUsers) and
// shows the rep only their own row.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace crm::analytics {

class TeamRoster {
 public:
  virtual ~TeamRoster() = default;
  // "users/{id}" of the active members of `team` ("teams/{id}"); none for a team nobody is
  // in. UNAVAILABLE (AUTH_UNAVAILABLE) when the auth service cannot answer.
  virtual absl::StatusOr<std::vector<std::string>> ActiveMembers(std::string_view team) = 0;
};

// The auth service over `channel`, as the service `credentials` name, each call at most
// `timeout`. A team's members are kept for `ttl` (a rep moved to another team is ranked
// there within that time), so a rep's ranking is not a call to auth every time.
std::unique_ptr<TeamRoster> AuthServiceRoster(std::shared_ptr<grpc::Channel> channel,
                                              std::shared_ptr<grpc::CallCredentials> credentials,
                                              absl::Duration timeout,
                                              absl::Duration ttl = absl::Seconds(30));

}  // namespace crm::analytics
