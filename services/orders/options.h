// The orders service's own flags (every one with a CRM_<FLAG> environment fallback), read
// before the kit starts, and what they make: the peers it calls (at the kit's addresses,
// libs/service/peers.h) and the relay's sinks.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "libs/service/process.h"
#include "services/orders/escalator.h"
#include "services/orders/order_service.h"
#include "services/orders/peers.h"
#include "services/orders/relay.h"

namespace crm::orders {

struct Options {
  OrderServiceOptions service;    // --approval_escalate_after
  EscalatorOptions escalator;     // --escalation_interval
  // --inventory_endpoint, --finance_endpoint: a gRPC target (crm.integration.v1) or an
  // http(s) URL (signed webhooks, --webhook_secret); empty: effects wait undelivered.
  std::string inventory_endpoint;
  std::string finance_endpoint;
  std::string webhook_secret;
  RelayOptions relay;  // --relay_*
};

Options ReadOptions(service::Process& process);

// The relay's sinks for the configured endpoints. Fatal at start-up on a bad configuration.
std::map<v1::ExternalSystem, std::unique_ptr<Sink>> MakeSinks(const Options& options,
                                                              const service::Kit& kit);

// The peers, over gRPC: the catalog as the service itself, the others for the caller.
struct PeerClients {
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<Customers> customers;
  std::unique_ptr<Opportunities> opportunities;
};
PeerClients MakePeers(const service::Kit& kit);

}  // namespace crm::orders
