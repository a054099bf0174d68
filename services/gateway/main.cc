// crm-gateway: the single address clients use. Wiring only; the proxy lives in proxy.cc.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

#include "libs/auth/flags.h"
#include "libs/config/config.h"
#include "libs/grpc/channel.h"
#include "libs/grpc/flags.h"
#include "libs/grpc/server.h"
#include "libs/log/log.h"
#include "services/gateway/admission.h"
#include "services/gateway/proxy.h"

int main(int argc, char** argv) {
  crm::log::SetService("gateway");
  crm::config::Flags flags(argc, argv, "gateway");
  const crm::ServerOptions options = crm::ReadServerFlags(flags, "gateway", 50051, 9451);
  const std::string routes_spec =
      flags.Required("routes",
                     "proto package to backend, e.g. "
                     "\"crm.customers.v1=127.0.0.1:50061,crm.auth.v1=127.0.0.1:50062\"");
  const crm::auth::AuthClientOptions auth = crm::auth::ReadAuthFlags(flags);
  const int rate_per_second = flags.Int(
      "rate_limit_per_user", 100, "calls per second each user may make on average (0: no limit)",
      0, 1000000);
  const int rate_burst =
      flags.Int("rate_limit_burst", 200, "calls a user may make at once above the average", 1,
                1000000);
  flags.Finish();

  absl::StatusOr<std::vector<crm::gateway::Route>> routes = crm::gateway::ParseRoutes(routes_spec);
  if (!routes.ok()) {
    std::cerr << "gateway: --routes: " << routes.status().message() << "\n";
    return 2;
  }

  crm::ServerRunner::InstallSignalHandlers();
  crm::ServerRunner runner(options);

  // Tokens are verified here against the auth service's public keys, fetched once and again
  // when a token names a key not seen yet; an auth service that is not up yet only delays
  // the first authenticated call.
  std::unique_ptr<crm::auth::TokenVerifier> verifier = crm::auth::StartVerifier(
      auth, crm::ServiceChannel(auth.target));
  std::unique_ptr<crm::gateway::RateLimiter> limiter;
  if (rate_per_second > 0) {
    limiter = std::make_unique<crm::gateway::RateLimiter>(rate_per_second, rate_burst);
  }
  crm::gateway::Admission admission(*verifier, crm::auth::Policy::Default(), limiter.get(),
                                    runner.metrics());

  crm::gateway::ProxyOptions proxy_options;
  proxy_options.max_message_bytes = options.max_message_bytes;
  proxy_options.admit = [&admission](const grpc::GenericCallbackServerContext& ctx) {
    return admission.Check(ctx);
  };
  // Declared after the runner, so destroyed before it; WaitForShutdown has drained every call
  // by then and the server sends nothing more to the proxy.
  crm::gateway::Proxy proxy(*routes, runner.metrics(), proxy_options);
  runner.builder().RegisterCallbackGenericService(&proxy);

  if (absl::Status started = runner.Start(); !started.ok()) {
    crm::log::Fatal("cannot start", {{"error", std::string(started.message())}});
  }
  runner.WaitForShutdown();
  return EXIT_SUCCESS;
}
