// crm-opportunities: its stores, its clients of customers and the catalog, its handlers, and
// its two background jobs (the scheduler and the customers feed); the rest is the service kit's.
#include "libs/auth/principal.h"
#include "libs/log/log.h"
#include "libs/service/process.h"
#include "services/opportunities/customer_feed.h"
#include "services/opportunities/follow_up_service.h"
#include "services/opportunities/forecast_service.h"
#include "services/opportunities/lead_service.h"
#include "services/opportunities/opportunity_service.h"
#include "services/opportunities/pipeline_service.h"
#include "services/opportunities/scheduler.h"

namespace opp = crm::opportunities;

int main(int argc, char** argv) {
  crm::service::Process process(argc, argv, CRM_SERVICE_SPEC);
  const opp::Options options = opp::ReadOptions(process.flags());
  crm::service::Kit& kit = process.Start();
  const std::string actor = crm::auth::ServicePrincipal(kit.name);

  opp::PipelineStore pipelines(kit.pool, kit.clock);
  // The feed learns of the pipeline the schema seeds before anything is served.
  if (absl::StatusOr<int> announced = pipelines.AnnounceSeeded(actor); !announced.ok()) {
    crm::log::Fatal("announcing the seeded pipeline failed",
                    {{"error", announced.status().ToString()}});
  }
  opp::OpportunityStore opportunities(kit.pool, kit.clock, options.time_zone,
                                      options.min_learning_sample);
  opp::LeadStore leads(kit.pool, kit.clock, opportunities);
  opp::FollowUpStore follow_ups(kit.pool, kit.clock, options.time_zone, opportunities);
  opp::ForecastStore forecasts(kit.pool, kit.clock, options.time_zone, opportunities);
  auto customers =
      opp::CustomersServiceDirectory(kit.peers.Channel("customers"), options.call_timeout);
  auto catalog = opp::KnowledgeCatalog(kit.peers.Channel("knowledge"),
                                       options.call_timeout);

  opp::LeadService lead_service(kit, leads, *customers, *catalog, options);
  opp::PipelineService pipeline_service(kit, pipelines);
  opp::OpportunityService opportunity_service(kit, opportunities, *customers, *catalog);
  opp::FollowUpService follow_up_service(kit, follow_ups);
  opp::ForecastService forecast_service(kit, forecasts);

  opp::Scheduler scheduler(kit.pool, follow_ups, forecasts,
                           {.interval = options.scheduler_interval, .actor = actor,
                            .metrics = &kit.metrics});
  process.Run("scheduler", scheduler);
  opp::CustomerFeed customer_feed(leads, opportunities, actor);
  if (options.follow_customers && kit.service_credentials == nullptr) {
    crm::log::Warn("no --service_secret: the customers feed is not followed");
  } else if (options.follow_customers) {
    process.Follow(customer_feed, {{.service = "customers", .types = opp::CustomerFeed::Types()}});
  }
  return process.Serve({&lead_service, &pipeline_service, &opportunity_service, &follow_up_service,
                        &forecast_service});
}
