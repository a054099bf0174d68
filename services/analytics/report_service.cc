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

void ReadDays(bool has_start, const google::type::Date& start, bool has_end,
              const google::type::Date& end, Violations& violations, absl::CivilDay& first,
              absl::CivilDay& last) {
  absl::StatusOr<absl::CivilDay> from = api::FromDate(start, "start_date");
  absl::StatusOr<absl::CivilDay> to = api::FromDate(end, "end_date");
  if (!has_start) {
    violations.Add("start_date", "is required");
  } else if (!from.ok()) {
    violations.Add("start_date", "must be a date that exists");
  }
  if (!has_end) {
    violations.Add("end_date", "is required");
  } else if (!to.ok()) {
    violations.Add("end_date", "must be a date that exists");
  }
  if (from.ok() && to.ok()) {
    first = *from;
    last = *to;
    if (*to < *from) {
      violations.Add("end_date", "must not be before start_date");
    } else if (*to - *from >= kMaxDays) {
      violations.Add("end_date", absl::StrCat("a report spans at most ", kMaxDays, " days"));
    }
  }
}

void ReadOwner(const std::string& owner, Violations& violations, std::string& out) {
  if (owner.empty()) return;
  if (api::ParseResourceId(owner, "users").ok()) {
    out = owner;
  } else {
    violations.Add("owner", "must be \"users/{id}\"");
  }
}

absl::StatusOr<SalesQuery> ReadSalesQuery(const v1::GetSalesReportRequest& request) {
  Violations violations;
  SalesQuery query;
  ReadDays(request.has_start_date(), request.start_date(), request.has_end_date(),
           request.end_date(), violations, query.first, query.last);
  query.group_by = request.group_by();
  if (query.group_by == v1::SALES_GROUPING_UNSPECIFIED ||
      !v1::SalesGrouping_IsValid(query.group_by)) {
    violations.Add("group_by",
                   "is required: OWNER, DAY, WEEK, MONTH, QUARTER, YEAR, INDUSTRY "
                   "or PROVINCE");
  }
  ReadOwner(request.owner(), violations, query.owner);
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
