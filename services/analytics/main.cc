// crm-analytics: the read model it builds from the customers, opportunities, orders and
// activities feeds, the reports over it and the business gauges on /metrics; the rest is the
// service kit's.
#include "libs/grpc/status.h"
#include "libs/log/log.h"
#include "libs/service/periodic.h"
#include "libs/service/process.h"
#include "services/analytics/funnel_gauge.h"
#include "services/analytics/gauges.h"
#include "services/analytics/options.h"
#include "services/analytics/read_model.h"
#include "services/analytics/report_output.h"
#include "services/analytics/report_service.h"

namespace an = crm::analytics;

int main(int argc, char** argv) {
  crm::service::Process process(argc, argv, CRM_SERVICE_SPEC);
  const an::Options options = an::ReadOptions(process.flags());
  crm::service::Kit& kit = process.Start();

  an::ReportStore reports(kit.pool);
  // A rep's team for the staff ranking, read as this service (a rep may not list it).
  auto roster =
      an::AuthServiceRoster(kit.peers.Channel("auth"), kit.service_credentials, absl::Seconds(2));
  an::ReportService report_service(kit, reports, options.time_zone,
                                   kit.service_credentials == nullptr ? nullptr : roster.get());
  an::ReportOutputService report_output(kit, report_service);

  an::ReadModel read_model(options.time_zone);
  if (kit.service_credentials == nullptr) {
    crm::log::Warn("no --service_secret: no feed is followed, so every report stays empty");
  } else {
    process.Follow(read_model,
                   {{.service = "customers", .types = an::ReadModel::CustomerTypes()},
                    {.service = "opportunities", .types = an::ReadModel::OpportunityTypes()},
                    {.service = "orders", .types = an::ReadModel::OrderTypes()},
                    {.service = "activities", .types = an::ReadModel::ActivityTypes()}});
  }
  an::BusinessGauges gauges(kit.pool, kit.clock, options.time_zone, kit.metrics);
  an::LeadGauge lead_gauge(kit.pool, kit.metrics);
  crm::service::PeriodicJob gauge_job("business gauges", options.gauge_interval, [&] {
    CRM_RETURN_IF_ERROR(gauges.Refresh());
    return lead_gauge.Refresh();
  });
  process.Run("business gauges", gauge_job);
  return process.Serve({&report_service, &report_output});
}
