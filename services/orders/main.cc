// crm-orders: its options, stores, handlers and the two background jobs (the escalation
// scheduler and the relay, started with the server and stopped when it drains); the rest is
// the service kit's.
#include "libs/service/process.h"
#include "services/orders/integration_service.h"
#include "services/orders/options.h"
#include "services/orders/return_service.h"
#include "services/orders/rule_service.h"

int main(int argc, char** argv) {
  crm::service::Process process(argc, argv, CRM_SERVICE_SPEC);
  const crm::orders::Options options = crm::orders::ReadOptions(process);
  crm::service::Kit& kit = process.Start();
  const std::string events = kit.rpc.domain();  // effect keys are ids on the orders feed
  crm::orders::PeerClients peers = crm::orders::MakePeers(kit);

  crm::orders::OrderStore orders(kit.pool, kit.clock, events);
  crm::orders::RuleStore rules(kit.pool, kit.clock);
  crm::orders::ReturnStore returns(kit.pool, kit.clock, events);
  crm::orders::DeliveryStore deliveries(kit.pool, kit.clock);
  crm::orders::ReconciliationStore reconciliation(kit.pool);

  crm::orders::OrderService order_service(kit, orders, *peers.catalog, *peers.customers,
                                          *peers.opportunities, options.service);
  crm::orders::ApprovalRuleService rule_service(kit, rules);
  crm::orders::ReturnService return_service(kit, returns);
  crm::orders::IntegrationService integration_service(kit, orders, deliveries, reconciliation);

  crm::orders::Escalator escalator(kit.pool, orders, kit.clock, options.escalator, &kit.metrics);
  process.Run("escalator", escalator);
  crm::orders::Relay relay(deliveries, crm::orders::MakeSinks(options, kit), options.relay,
                           kit.clock, &kit.metrics);
  process.Run("relay", relay);
  return process.Serve({&order_service, &rule_service, &return_service, &integration_service});
}
