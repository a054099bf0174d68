// The auth client settings every token-verifying process reads (flags.h).
#include "libs/auth/flags.h"

#include "libs/log/log.h"

namespace crm::auth {

AuthClientOptions ReadAuthFlags(config::Flags& flags) {
  AuthClientOptions options;
  options.target = flags.String("auth_target", "127.0.0.1:50062",
                                "auth service address (signing keys and revoked sessions)");
  const int poll_ms =
      flags.Int("revocation_poll_ms", 1000,
                "how often revoked sessions are fetched from the auth service", 50, 60000);
  options.verifier.revocation_poll = absl::Milliseconds(poll_ms);
  options.service_secret =
      flags.String("service_secret", "",
                   "this service's secret for IssueServiceToken, to call other services as "
                   "itself (empty: it does not)");
  return options;
}

std::unique_ptr<TokenVerifier> StartVerifier(const AuthClientOptions& options,
                                             std::shared_ptr<grpc::Channel> channel) {
  auto verifier =
      std::make_unique<TokenVerifier>(AuthServiceSource(std::move(channel)), options.verifier);
  if (absl::Status st = verifier->Start(); !st.ok()) {
    log::Warn("auth service not reachable yet; keys are fetched on the first token",
              {{"target", options.target}, {"error", st.ToString()}});
  }
  return verifier;
}

std::function<absl::Status(std::string_view authorization)> FeedAuthorization(
    const Authorizer& authorizer) {
  return [&authorizer](std::string_view authorization) {
    return authorizer.Authorize(authorization, "/crm.events.v1.EventFeed/Subscribe").status();
  };
}

}  // namespace crm::auth
