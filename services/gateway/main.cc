// crm-gateway: the single address clients use. Wiring only; the proxy lives in proxy.cc.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "libs/config/config.h"
#include "libs/grpc/flags.h"
#include "libs/grpc/server.h"
#include "libs/log/log.h"
#include "services/gateway/proxy.h"

int main(int argc, char** argv) {
  crm::log::SetService("gateway");
  crm::config::Flags flags(argc, argv, "gateway");
  const crm::ServerOptions options = crm::ReadServerFlags(flags, "gateway", 50051, 9451);
  const std::string routes_spec =
      flags.Required("routes",
                     "proto package to backend, e.g. "
                     "\"crm.customers.v1=127.0.0.1:50061,crm.auth.v1=127.0.0.1:50062\"");
  flags.Finish();

  absl::StatusOr<std::vector<crm::gateway::Route>> routes = crm::gateway::ParseRoutes(routes_spec);
  if (!routes.ok()) {
    std::cerr << "gateway: --routes: " << routes.status().message() << "\n";
    return 2;
  }

  crm::ServerRunner::InstallSignalHandlers();
  crm::ServerRunner runner(options);

  crm::gateway::ProxyOptions proxy_options;
  proxy_options.max_message_bytes = options.max_message_bytes;
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
