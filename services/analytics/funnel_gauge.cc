#include "services/analytics/funnel_gauge.h"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>

#include "crm/opportunities/v1/opportunities.pb.h"
#include "libs/grpc/status.h"
#include "services/analytics/funnel_sql.h"

namespace crm::analytics {

namespace opps = opportunities::v1;

LeadGauge::LeadGauge(db::Pool& pool, prometheus::Registry& registry)
    : pool_(pool),
      leads_(prometheus::BuildGauge()
                 .Name("crm_business_leads")
                 .Help("Leads by status now")
                 .Register(registry)) {}

absl::Status LeadGauge::Refresh() {
  std::map<int64_t, double> counts;
  {
    CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
    CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kGaugeLeads, {}));
    for (const db::Row& row : rows) counts[row.Int(0)] = static_cast<double>(row.Int(1));
  }
  for (opps::LeadStatus status :
       {opps::NEW, opps::CONTACTED, opps::QUALIFIED, opps::CONVERTED, opps::DISQUALIFIED}) {
    leads_.Add({{"status", opps::LeadStatus_Name(status)}}).Set(counts[status]);
  }
  return absl::OkStatus();
}

}  // namespace crm::analytics
