// crm.analytics.v1.ReportService: the RPC edge of the reports. Each handler checks the request,
// asks once who the caller may see figures of (record rules: report_store.h) and reads the
// aggregates.
#pragma once

#include "crm/analytics/v1/analytics.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/grpc/status.h"
#include "libs/service/process.h"
#include "services/analytics/campaign_report.h"
#include "services/analytics/funnel_store.h"
#include "services/analytics/performance_reports.h"
#include "services/analytics/report_store.h"
#include "services/analytics/staff_ranking.h"
#include "services/analytics/team_roster.h"

namespace crm::analytics {

class ReportService final : public v1::ReportService::CallbackService {
 public:
  static constexpr char kGetSalesReport[] = "/crm.analytics.v1.ReportService/GetSalesReport";

  // `zone`: the company's time zone (what "today" is for the forecast's projection).
  // `roster`: a rep's team as this service reads it, for the staff ranking (null: a rep is
  // ranked alone).
  ReportService(const service::Kit& kit, ReportStore& store,
                absl::TimeZone zone = absl::UTCTimeZone(), TeamRoster* roster = nullptr)
      : rpc_(kit.rpc),
        access_(kit.access),
        store_(store),
        clock_(kit.clock),
        zone_(zone),
        funnel_(kit.pool),
        users_(kit.users),
        performance_(kit.pool),
        rankings_(kit.pool),
        roster_(roster),
        campaigns_(kit.pool) {}

  grpc::ServerUnaryReactor* GetSalesReport(grpc::CallbackServerContext* ctx,
                                           const v1::GetSalesReportRequest* request,
                                           v1::SalesReport* response) override {
    return rpc_.Serve(ctx, kGetSalesReport, this, &ReportService::DoGetSalesReport, request,
                      response);
  }

  absl::Status DoGetSalesReport(const auth::Caller& caller,
                                const v1::GetSalesReportRequest& request,
                                v1::SalesReport* response);

  // ---- the funnel, forecast and win/loss reports (funnel_service.cc) ----
  static constexpr char kGetFunnelReport[] = "/crm.analytics.v1.ReportService/GetFunnelReport";
  static constexpr char kGetForecastReport[] = "/crm.analytics.v1.ReportService/GetForecastReport";
  static constexpr char kGetWinLossReport[] = "/crm.analytics.v1.ReportService/GetWinLossReport";

  grpc::ServerUnaryReactor* GetFunnelReport(grpc::CallbackServerContext* ctx,
                                            const v1::GetFunnelReportRequest* request,
                                            v1::FunnelReport* response) override {
    return rpc_.Serve(ctx, kGetFunnelReport, this, &ReportService::DoGetFunnelReport, request,
                      response);
  }
  grpc::ServerUnaryReactor* GetForecastReport(grpc::CallbackServerContext* ctx,
                                              const v1::GetForecastReportRequest* request,
                                              v1::ForecastReport* response) override {
    return rpc_.Serve(ctx, kGetForecastReport, this, &ReportService::DoGetForecastReport, request,
                      response);
  }
  grpc::ServerUnaryReactor* GetWinLossReport(grpc::CallbackServerContext* ctx,
                                             const v1::GetWinLossReportRequest* request,
                                             v1::WinLossReport* response) override {
    return rpc_.Serve(ctx, kGetWinLossReport, this, &ReportService::DoGetWinLossReport, request,
                      response);
  }
  absl::Status DoGetFunnelReport(const auth::Caller& caller,
                                 const v1::GetFunnelReportRequest& request,
                                 v1::FunnelReport* response);
  absl::Status DoGetForecastReport(const auth::Caller& caller,
                                   const v1::GetForecastReportRequest& request,
                                   v1::ForecastReport* response);
  absl::Status DoGetWinLossReport(const auth::Caller& caller,
                                  const v1::GetWinLossReportRequest& request,
                                  v1::WinLossReport* response);
  // ---- trends, customer distribution, staff ranking (performance_service.cc) ----
  static constexpr char kGetTrendReport[] = "/crm.analytics.v1.ReportService/GetTrendReport";
  grpc::ServerUnaryReactor* GetTrendReport(grpc::CallbackServerContext* ctx,
                                           const v1::GetTrendReportRequest* request,
                                           v1::TrendReport* response) override {
    return rpc_.Serve(ctx, kGetTrendReport, this, &ReportService::DoGetTrendReport, request,
                      response);
  }
  absl::Status DoGetTrendReport(const auth::Caller& caller,
                                const v1::GetTrendReportRequest& request,
                                v1::TrendReport* response);
  static constexpr char kGetCustomerDistribution[] =
      "/crm.analytics.v1.ReportService/GetCustomerDistribution";
  grpc::ServerUnaryReactor* GetCustomerDistribution(
      grpc::CallbackServerContext* ctx, const v1::GetCustomerDistributionRequest* request,
      v1::CustomerDistribution* response) override {
    return rpc_.Serve(ctx, kGetCustomerDistribution, this,
                      &ReportService::DoGetCustomerDistribution, request, response);
  }
  absl::Status DoGetCustomerDistribution(const auth::Caller& caller,
                                         const v1::GetCustomerDistributionRequest& request,
                                         v1::CustomerDistribution* response);
  // ---- the staff ranking (ranking_service.cc) ----
  static constexpr char kGetStaffRanking[] = "/crm.analytics.v1.ReportService/GetStaffRanking";
  grpc::ServerUnaryReactor* GetStaffRanking(grpc::CallbackServerContext* ctx,
                                            const v1::GetStaffRankingRequest* request,
                                            v1::StaffRanking* response) override {
    return rpc_.Serve(ctx, kGetStaffRanking, this, &ReportService::DoGetStaffRanking, request,
                      response);
  }
  absl::Status DoGetStaffRanking(const auth::Caller& caller,
                                 const v1::GetStaffRankingRequest& request,
                                 v1::StaffRanking* response);
  // ---- campaign effectiveness and ROI across campaigns (campaign_service.cc) ----
  static constexpr char kGetCampaignReport[] = "/crm.analytics.v1.ReportService/GetCampaignReport";
  grpc::ServerUnaryReactor* GetCampaignReport(grpc::CallbackServerContext* ctx,
                                              const v1::GetCampaignReportRequest* request,
                                              v1::CampaignReport* response) override {
    return rpc_.Serve(ctx, kGetCampaignReport, this, &ReportService::DoGetCampaignReport, request,
                      response);
  }
  absl::Status DoGetCampaignReport(const auth::Caller& caller,
                                   const v1::GetCampaignReportRequest& request,
                                   v1::CampaignReport* response);

 private:
  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  ReportStore& store_;
  const Clock& clock_;
  const absl::TimeZone zone_;
  FunnelStore funnel_;
  // A team filter's members, and the performance reports' queries.
  absl::StatusOr<records::Access> FigureAccess(const auth::Caller& caller, std::string_view method,
                                               const std::string& team, FigureFilter& filter);
  auth::UserDirectory& users_;
  PerformanceReports performance_;
  // The staff ranking, and a rep's team read as this service.
  StaffRankings rankings_;
  TeamRoster* const roster_;
  CampaignReports campaigns_;
};

// The request's query, or INVALID_ARGUMENT naming every bad field.
absl::StatusOr<SalesQuery> ReadSalesQuery(const v1::GetSalesReportRequest& request);

// A report's period (start_date, end_date: required, inclusive, at most 3,700 days) into
// `first` and `last`; each problem added to `violations`.
void ReadDays(bool has_start, const google::type::Date& start, bool has_end,
              const google::type::Date& end, Violations& violations, absl::CivilDay& first,
              absl::CivilDay& last);
// An `owner` filter: "" or "users/{id}" (into `out`).
void ReadOwner(const std::string& owner, Violations& violations, std::string& out);

}  // namespace crm::analytics
