// The auth service asked as this service itself (its service identity, service_token.h),
// for work that has no caller whose token it could forward (a feed handler telling an
// order's owner's manager) or that must see past the caller's rights (ranking a rep among a
// team they may not list). The policy table says what each service may ask. UNAVAILABLE
// (AUTH_UNAVAILABLE) whenever the auth service cannot answer: callers retry, never guess.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/auth/v1/auth.grpc.pb.h"

namespace crm::auth {

class AuthAsService final {
 public:
  // Over `channel`, as the service `credentials` name, each call at most `timeout`.
  AuthAsService(std::shared_ptr<grpc::Channel> channel,
                std::shared_ptr<grpc::CallCredentials> credentials, absl::Duration timeout);

  // The user `name` ("users/{id}"), or nullopt when there is no such user (any more).
  absl::StatusOr<std::optional<v1::User>> FindUser(std::string_view name);
  // The team `name` ("teams/{id}"), or nullopt when there is no such team.
  absl::StatusOr<std::optional<v1::Team>> FindTeam(std::string_view name);
  // The names ("users/{id}") of every user a ListUsers `filter` matches, page after page (at
  // most 100 pages of 1000: a list that does not end is INTERNAL, not a loop).
  absl::StatusOr<std::vector<std::string>> UserNames(std::string_view filter);

 private:
  std::unique_ptr<grpc::ClientContext> Call() const;

  std::unique_ptr<v1::AuthService::Stub> stub_;
  const std::shared_ptr<grpc::CallCredentials> credentials_;
  const absl::Duration timeout_;
};

}  // namespace crm::auth
