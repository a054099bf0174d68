// Client-side call credentials: "authorization: Bearer <token>" on every call made with
// them, e.g. a consumer following a service's event feed.
//
// The suite's channels are plaintext inside the cluster today, so these credentials are
// allowed on insecure channels (gRPC refuses ordinary call credentials there). Use them
// only on channels to the suite's own services.
#pragma once

#include <grpcpp/security/credentials.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace crm {

// Asks `token` for the current access token before each call, so a source that refreshes
// tokens (a service identity) keeps calls working; its error fails the call with
// UNAUTHENTICATED. `token` may be called on any thread and must be thread-safe.
std::shared_ptr<grpc::CallCredentials> BearerTokenCredentials(
    std::function<absl::StatusOr<std::string>()> token);

// A fixed token (e.g. an ADMIN user's, until service identities are in place).
std::shared_ptr<grpc::CallCredentials> BearerTokenCredentials(std::string token);

}  // namespace crm
