// ReportService's funnel, forecast and win/loss reports (report_service.h): each checks the
// request, asks once whose figures the caller may see (FigureRules) and reads the aggregates
// through FunnelStore.
#include "absl/strings/str_cat.h"
#include "libs/api/periods.h"
#include "libs/api/resource.h"
#include "libs/grpc/status.h"
#include "services/analytics/report_service.h"

namespace crm::analytics {
namespace {

// More than this many entries before a step may be the bottleneck would be a typo.
constexpr int kMaxMinEntries = 1'000'000;

}  // namespace

absl::Status ReportService::DoGetFunnelReport(const auth::Caller& caller,
                                              const v1::GetFunnelReportRequest& request,
                                              v1::FunnelReport* response) {
  Violations violations;
  FunnelQuery query;
  ReadDays(request.has_start_date(), request.start_date(), request.has_end_date(),
           request.end_date(), violations, query.first, query.last);
  ReadOwner(request.owner(), violations, query.owner);
  if (!request.pipeline().empty()) {
    if (api::ParseResourceId(request.pipeline(), "pipelines").ok()) {
      query.pipeline = request.pipeline();
    } else {
      violations.Add("pipeline", "must be \"pipelines/{id}\"");
    }
  }
  if (request.min_entries() < 0 || request.min_entries() > kMaxMinEntries) {
    violations.Add("min_entries", absl::StrCat("must be 0 (default 5) to ", kMaxMinEntries));
  } else if (request.min_entries() > 0) {
    query.min_entries = request.min_entries();
  }
  CRM_RETURN_IF_ERROR(violations.ToStatus());
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kGetFunnelReport, FigureRules()));
  CRM_ASSIGN_OR_RETURN(*response, funnel_.Funnel(access, query));
  return absl::OkStatus();
}

absl::Status ReportService::DoGetForecastReport(const auth::Caller& caller,
                                                const v1::GetForecastReportRequest& request,
                                                v1::ForecastReport* response) {
  Violations violations;
  ForecastQuery query{.today = api::DayIn(clock_.Now(), zone_)};
  if (request.period().empty()) {
    violations.Add("period", "is required: \"2026\", \"2026-Q3\" or \"2026-09\"");
  } else if (absl::StatusOr<api::Period> period = api::ParsePeriod(request.period(), "period");
             period.ok()) {
    query.period = *period;
  } else {
    violations.Add("period",
                   "must be a year \"2026\", a quarter \"2026-Q3\" or a month "
                   "\"2026-09\"");
  }
  ReadOwner(request.owner(), violations, query.owner);
  CRM_RETURN_IF_ERROR(violations.ToStatus());
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kGetForecastReport, FigureRules()));
  CRM_ASSIGN_OR_RETURN(*response, funnel_.Forecast(access, query));
  return absl::OkStatus();
}

absl::Status ReportService::DoGetWinLossReport(const auth::Caller& caller,
                                               const v1::GetWinLossReportRequest& request,
                                               v1::WinLossReport* response) {
  Violations violations;
  WinLossQuery query;
  ReadDays(request.has_start_date(), request.start_date(), request.has_end_date(),
           request.end_date(), violations, query.first, query.last);
  ReadOwner(request.owner(), violations, query.owner);
  CRM_RETURN_IF_ERROR(violations.ToStatus());
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kGetWinLossReport, FigureRules()));
  CRM_ASSIGN_OR_RETURN(*response, funnel_.WinLoss(access, query));
  return absl::OkStatus();
}

}  // namespace crm::analytics
