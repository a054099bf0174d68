// The performance reports' handlers (report_service.h): request checks,
// a named team resolved to its current members, the caller's record rules, the report.
#include "libs/api/money.h"
#include "libs/api/periods.h"
#include "libs/api/resource.h"
#include "libs/grpc/status.h"
#include "services/analytics/report_service.h"

namespace crm::analytics {
namespace {

bool IsTrendBucket(v1::SalesGrouping grouping) {
  return grouping == v1::DAY || grouping == v1::WEEK || grouping == v1::MONTH ||
         grouping == v1::QUARTER;
}

// Owner, team, industry, province and currency as a request names them.
void ReadFilter(const std::string& owner, const std::string& team, const std::string& industry,
                const std::string& province, const std::string& currency, FigureFilter& filter,
                std::string& team_name, Violations& violations) {
  ReadOwner(owner, violations, filter.owner);
  if (!team.empty()) {
    if (api::ParseResourceId(team, "teams").ok()) {
      team_name = team;
    } else {
      violations.Add("team", "must be \"teams/{id}\"");
    }
  }
  filter.industry = industry;
  filter.province = province;
  if (!currency.empty()) {
    if (api::WellFormedCurrency(currency)) {
      filter.currency = currency;
    } else {
      violations.Add("currency_code", "must be an ISO 4217 code such as \"CNY\"");
    }
  }
}

// What every bucketed report reads from its request: the period, the bucket and the filters
// (the team by name, resolved once the caller's access is known).
template <typename Request>
absl::Status ReadBucketed(const Request& request, std::string_view currency, absl::CivilDay* first,
                          absl::CivilDay* last, v1::SalesGrouping* bucket, FigureFilter* filter,
                          std::string* team) {
  Violations violations;
  ReadDays(request.has_start_date(), request.start_date(), request.has_end_date(),
           request.end_date(), violations, *first, *last);
  *bucket = request.bucket();
  if (!IsTrendBucket(*bucket)) {
    violations.Add("bucket", "is required: DAY, WEEK, MONTH or QUARTER");
  }
  ReadFilter(request.owner(), request.team(), request.industry(), request.province(),
             std::string(currency), *filter, *team, violations);
  return violations.ToStatus();
}

}  // namespace

// The caller's access to figures under `method`, with a named team's current members put in
// the filter (as the auth service lists them to the caller).
absl::StatusOr<records::Access> ReportService::FigureAccess(const auth::Caller& caller,
                                                            std::string_view method,
                                                            const std::string& team,
                                                            FigureFilter& filter) {
  CRM_ASSIGN_OR_RETURN(records::Access access, access_.For(caller, method, FigureRules()));
  if (!team.empty()) {
    CRM_ASSIGN_OR_RETURN(filter.members, users_.ActiveMembers(team, caller.authorization));
  }
  return access;
}

absl::Status ReportService::DoGetTrendReport(const auth::Caller& caller,
                                             const v1::GetTrendReportRequest& request,
                                             v1::TrendReport* response) {
  TrendQuery query;
  std::string team;
  CRM_RETURN_IF_ERROR(ReadBucketed(request, request.currency_code(), &query.first, &query.last,
                                   &query.bucket, &query.filter, &team));
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       FigureAccess(caller, kGetTrendReport, team, query.filter));
  CRM_ASSIGN_OR_RETURN(*response, performance_.Trends(access, query));
  return absl::OkStatus();
}

absl::Status ReportService::DoGetCustomerDistribution(
    const auth::Caller& caller, const v1::GetCustomerDistributionRequest& request,
    v1::CustomerDistribution* response) {
  DistributionQuery query;
  std::string team;
  CRM_RETURN_IF_ERROR(
      ReadBucketed(request, "", &query.first, &query.last, &query.bucket, &query.filter, &team));
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       FigureAccess(caller, kGetCustomerDistribution, team, query.filter));
  CRM_ASSIGN_OR_RETURN(*response, performance_.Distribution(access, query));
  return absl::OkStatus();
}

}  // namespace crm::analytics
