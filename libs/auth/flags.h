// The flags every token-verifying process takes: where the auth service is, and the
// process's own service secret.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "libs/auth/verifier.h"
#include "libs/config/config.h"

namespace crm::auth {

struct AuthClientOptions {
  std::string target;        // --auth_target / CRM_AUTH_TARGET, default "127.0.0.1:50062"
  VerifierOptions verifier;  // --revocation_poll_ms
  // --service_secret / CRM_SERVICE_SECRET: this service's own credential, exchanged for
  // tokens naming it (service_token.h). Empty: the process calls no service as itself.
  std::string service_secret;
};

AuthClientOptions ReadAuthFlags(config::Flags& flags);

// A verifier fed by the auth service at `options.target`, started. An auth service that is
// not up yet is only logged: keys are fetched again on the first token, so the process may
// start before auth does (Kubernetes starts pods in no particular order).
std::unique_ptr<TokenVerifier> StartVerifier(const AuthClientOptions& options,
                                             std::shared_ptr<grpc::Channel> channel);

// The authorize hook of a service's crm.events.v1 feed (libs/events/feed.h): the policy
// row of EventFeed/Subscribe, since a feed carries every record of its service.
std::function<absl::Status(std::string_view authorization)> FeedAuthorization(
    const Authorizer& authorizer);

}  // namespace crm::auth
