#include "services/analytics/report_service.h"

#include "libs/api/money.h"
#include "libs/api/periods.h"
#include "libs/api/resource.h"
#include "libs/grpc/status.h"

namespace crm::analytics {
namespace {

// A report spans at most about ten years: a longer one is a mistake, not a question.
constexpr int kMaxDays = 3700;

}  // namespace

absl::StatusOr<SalesQuery> ReadSalesQuery(const v1::GetSalesReportRequest& request) {
  Violations violations;
  SalesQuery query;
  absl::StatusOr<absl::CivilDay> first = api::FromDate(request.start_date(), "start_date");
  absl::StatusOr<absl::CivilDay> last = api::FromDate(request.end_date(), "end_date");
  if (!request.has_start_date()) {
    violations.Add("start_date", "is required");
  } else if (!first.ok()) {
    violations.Add("start_date", "must be a date that exists");
  }
  if (!request.has_end_date()) {
    violations.Add("end_date", "is required");
  } else if (!last.ok()) {
    violations.Add("end_date", "must be a date that exists");
  }
  if (first.ok() && last.ok()) {
    query.first = *first;
    query.last = *last;
    if (*last < *first) {
      violations.Add("end_date", "must not be before start_date");
    } else if (*last - *first >= kMaxDays) {
      violations.Add("end_date", absl::StrCat("a report spans at most ", kMaxDays, " days"));
    }
  }
  query.group_by = request.group_by();
  if (query.group_by == v1::SALES_GROUPING_UNSPECIFIED ||
      !v1::SalesGrouping_IsValid(query.group_by)) {
    violations.Add("group_by",
                   "is required: OWNER, DAY, WEEK, MONTH, QUARTER, YEAR, INDUSTRY "
                   "or PROVINCE");
  }
  if (!request.owner().empty()) {
    if (api::ParseResourceId(request.owner(), "users").ok()) {
      query.owner = request.owner();
    } else {
      violations.Add("owner", "must be \"users/{id}\"");
    }
  }
  if (!request.currency_code().empty()) {
    if (api::WellFormedCurrency(request.currency_code())) {
      query.currency = request.currency_code();
    } else {
      violations.Add("currency_code", "must be an ISO 4217 code such as \"CNY\"");
    }
  }
  CRM_RETURN_IF_ERROR(violations.ToStatus());
  return query;
}

absl::Status ReportService::DoGetSalesReport(const auth::Caller& caller,
                                             const v1::GetSalesReportRequest& request,
                                             v1::SalesReport* response) {
  CRM_ASSIGN_OR_RETURN(const SalesQuery query, ReadSalesQuery(request));
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kGetSalesReport, FigureRules()));
  CRM_ASSIGN_OR_RETURN(*response, store_.Sales(access, query));
  return absl::OkStatus();
}

}  // namespace crm::analytics
