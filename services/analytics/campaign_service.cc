// ReportService's campaign report (report_service.h): checks the request, asks once which
// campaigns the caller may see (CampaignReportRules) and reads the campaign read model through
// CampaignReports.
#include "absl/time/civil_time.h"
#include "libs/grpc/status.h"
#include "services/analytics/report_service.h"

namespace crm::analytics {

namespace act = activities::v1;

absl::Status ReportService::DoGetCampaignReport(const auth::Caller& caller,
                                                const v1::GetCampaignReportRequest& request,
                                                v1::CampaignReport* response) {
  Violations violations;
  absl::CivilDay first, last;
  ReadDays(request.has_start_date(), request.start_date(), request.has_end_date(),
           request.end_date(), violations, first, last);
  CampaignQuery query;
  if (!act::Campaign::Type_IsValid(request.type())) {
    violations.Add("type", "must be MARKET_PROMOTION, EXHIBITION or CUSTOMER_VISIT_PLAN");
  } else {
    query.type = request.type();
  }
  if (!act::Campaign::State_IsValid(request.state())) {
    violations.Add("state", "must be PLANNED, RUNNING, CLOSED or CANCELLED");
  } else {
    query.state = request.state();
  }
  ReadCampaignOrder(request.order_by(), violations, query);
  CRM_RETURN_IF_ERROR(violations.ToStatus());
  // The period's days on the company's calendar, as instants.
  query.from = absl::FromCivil(absl::CivilSecond(first), zone_);
  query.to = absl::FromCivil(absl::CivilSecond(last + 1), zone_);
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kGetCampaignReport, CampaignReportRules()));
  CRM_ASSIGN_OR_RETURN(*response, campaigns_.Report(access, query));
  return absl::OkStatus();
}

}  // namespace crm::analytics
