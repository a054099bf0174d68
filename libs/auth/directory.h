// Looking up users in the auth service on behalf of a caller, e.g. to learn the team of
// a customer's new owner. The caller's own token is forwarded, so the auth service's
// rules decide what the caller may see (a manager sees only the members of their teams).
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "crm/auth/v1/auth.pb.h"

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
};

std::unique_ptr<UserDirectory> AuthServiceDirectory(std::shared_ptr<grpc::Channel> channel);

}  // namespace crm::auth
