#include "services/orders/options.h"

#include "libs/log/log.h"

namespace crm::orders {

Options ReadOptions(service::Process& process) {
  config::Flags& flags = process.flags();
  Options o;
  o.service.approval_escalate_after = flags.Duration(
      "approval_escalate_after", absl::Hours(24),
      "how long a manager has to answer a discount approval before it goes to the admins",
      absl::Seconds(1), absl::Hours(24 * 90));
  o.escalator.interval = flags.Duration("escalation_interval", absl::Minutes(1),
                                        "time between two passes of the escalation scheduler",
                                        absl::Milliseconds(10), absl::Hours(1));
  o.inventory_endpoint = flags.String(
      "inventory_endpoint", "",
      "where stock effects go: a gRPC target serving crm.integration.v1.InventoryService, or an "
      "http(s) URL for signed webhooks; empty: they wait");
  o.finance_endpoint = flags.String(
      "finance_endpoint", "",
      "where invoices and credit notes go: a gRPC target serving "
      "crm.integration.v1.FinanceService, or an http(s) URL for signed webhooks; empty: they wait");
  o.webhook_secret = flags.String("webhook_secret", "",
                                  "the shared secret that signs webhooks (HMAC-SHA256)");
  o.relay.max_attempts = flags.Int("relay_max_attempts", 10,
                                   "attempts before a delivery is dead-lettered", 1, 1000);
  o.relay.initial_backoff =
      flags.Duration("relay_initial_backoff", absl::Seconds(1),
                     "delay after a delivery's first failure (doubling after each further one)",
                     absl::Milliseconds(1), absl::Hours(1));
  o.relay.max_backoff = flags.Duration("relay_max_backoff", absl::Minutes(10),
                                       "the longest delay between two attempts",
                                       absl::Milliseconds(1), absl::Hours(24));
  o.relay.idle_interval = flags.Duration("relay_interval", absl::Seconds(1),
                                         "how often the relay looks for due deliveries when idle",
                                         absl::Milliseconds(10), absl::Minutes(10));
  o.relay.batch = flags.Int("relay_batch", 10, "deliveries claimed per pass", 1, 1000);
  o.relay.call_timeout = flags.Duration("relay_call_timeout", absl::Seconds(10),
                                        "timeout of one delivery call",
                                        absl::Milliseconds(100), absl::Minutes(5));
  return o;
}

std::map<v1::ExternalSystem, std::unique_ptr<Sink>> MakeSinks(const Options& options,
                                                              const service::Kit& kit) {
  std::map<v1::ExternalSystem, std::unique_ptr<Sink>> sinks;
  for (const auto& [system, endpoint] :
       {std::pair{v1::INVENTORY, options.inventory_endpoint},
        std::pair{v1::FINANCE, options.finance_endpoint}}) {
    if (endpoint.empty()) continue;
    absl::StatusOr<std::unique_ptr<Sink>> sink =
        SinkFor(endpoint, options.webhook_secret, kit.service_credentials, kit.clock,
                options.relay.call_timeout);
    if (!sink.ok()) {
      log::Fatal(system == v1::INVENTORY ? "--inventory_endpoint" : "--finance_endpoint",
                 {{"error", std::string(sink.status().message())}});
    }
    sinks[system] = *std::move(sink);
  }
  return sinks;
}

PeerClients MakePeers(const service::Kit& kit) {
  if (!kit.service_credentials) {
    log::Fatal("--service_secret is required: orders prices lines from the catalog as itself");
  }
  // Where the peers are is the kit's (--knowledge_target, --customers_target,
  // --opportunities_target).
  return {.catalog = CatalogClient(kit.peers.Channel("knowledge"), kit.service_credentials),
          .customers = CustomersClient(kit.peers.Channel("customers")),
          .opportunities = OpportunitiesClient(kit.peers.Channel("opportunities"))};
}

}  // namespace crm::orders
