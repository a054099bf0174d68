// Who besides an order's owner hears of it: the owner's manager and the support desk. A feed
// handler has no caller whose token it could forward, so these are asked of the auth service
// as the activities service itself (its service identity; the policy table lets "activities"
// read users and teams), and kept for a short while so that a burst of events about one
// team's orders is not a burst of calls.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/base/ttl_cache.h"

namespace crm::activities {

class People {
 public:
  virtual ~People() = default;
  // "users/{id}" of the manager of `user`'s team; "" when the user has no team, the team no
  // manager, or the user does not exist (any more). UNAVAILABLE (AUTH_UNAVAILABLE) when the
  // auth service cannot be asked: the event is then retried, never passed over.
  virtual absl::StatusOr<std::string> ManagerOf(std::string_view user) = 0;
  // "users/{id}" of every active SUPPORT user (the after-sales desk).
  virtual absl::StatusOr<std::vector<std::string>> SupportDesk() = 0;
  // ---- Delivery by e-mail: `user`'s e-mail address; "" when the user does not exist (any
  // more), is inactive or has none. UNAVAILABLE (AUTH_UNAVAILABLE) when auth cannot answer.
  virtual absl::StatusOr<std::string> EmailOf(std::string_view user) = 0;
};

// The auth service over `channel`, as the service `credentials` name, each call at most
// `timeout`.
std::unique_ptr<People> AuthServicePeople(std::shared_ptr<grpc::Channel> channel,
                                          std::shared_ptr<grpc::CallCredentials> credentials,
                                          absl::Duration timeout);

// `source`'s answers kept for `ttl` (a failure is not kept: the next event asks again). A
// rep moved to another team is told to their new manager within `ttl`. Thread-safe.
class CachedPeople final : public People {
 public:
  CachedPeople(People& source, absl::Duration ttl, const Clock& clock)
      : source_(source), managers_(ttl, clock), emails_(ttl, clock), support_(ttl, clock) {}

  absl::StatusOr<std::string> ManagerOf(std::string_view user) override;
  absl::StatusOr<std::vector<std::string>> SupportDesk() override;
  absl::StatusOr<std::string> EmailOf(std::string_view user) override;

 private:
  People& source_;
  TtlCache<std::string> managers_;
  TtlCache<std::string> emails_;
  TtlCache<std::vector<std::string>> support_;  // one key, ""
};

}  // namespace crm::activities
