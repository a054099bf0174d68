// crm.analytics.v1.ReportOutputService: the reports as CSV files and SVG charts. A request
// carries a report's own request; ReportService's handler answers it for the caller (so the
// report's permission and record rules apply unchanged), and the answer is laid out once as a
// ReportView, from which both the CSV and the chart are made.
#pragma once

#include <string>
#include <vector>

#include "crm/analytics/v1/analytics.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/chart/chart.h"
#include "libs/service/process.h"
#include "libs/service/stream.h"
#include "services/analytics/report_service.h"

namespace crm::analytics {

enum class Language { kZh, kEn };

// A report laid out for output.
struct ReportView {
  std::vector<std::string> columns;            // the CSV header
  std::vector<std::vector<std::string>> rows;  // the CSV records, as text
  chart::Chart chart;                          // categories, series and a made-up title
  std::vector<v1::ChartKind> kinds;            // the kinds that fit; the first is the default
};

ReportView SalesView(const v1::GetSalesReportRequest& request, const v1::SalesReport& report,
                     Language language);

ReportView FunnelView(const v1::GetFunnelReportRequest& request, const v1::FunnelReport& report,
                      Language language);
ReportView TrendView(const v1::GetTrendReportRequest& request, const v1::TrendReport& report,
                     Language language);
// The CSV has every part; the chart shows `part`.
ReportView DistributionView(const v1::GetCustomerDistributionRequest& request,
                            const v1::CustomerDistribution& report, v1::DistributionPart part,
                            Language language);

// The forecast (its totals per currency drawn against the quota) and win/loss (the
// CSV has every part; the chart shows `part`).
ReportView ForecastView(const v1::GetForecastReportRequest& request,
                        const v1::ForecastReport& report, Language language);
ReportView WinLossView(const v1::GetWinLossReportRequest& request, const v1::WinLossReport& report,
                       v1::WinLossPart part, Language language);
// The CSV has every figure; the chart a bar per owner of the ranked one.
ReportView RankingView(const v1::GetStaffRankingRequest& request, const v1::StaffRanking& report,
                       Language language);
// The campaign report: every row and total in the CSV; the chart is each campaign's ROI in percent (those
// with one, in the report's order, at most chart::kMaxCategories).
ReportView CampaignView(const v1::GetCampaignReportRequest& request,
                        const v1::CampaignReport& report, Language language);

// The view drawn as `request` asks (kind, title, size), or INVALID_ARGUMENT naming the field.
absl::StatusOr<v1::Chart> DrawChart(ReportView view, const v1::RenderChartRequest& request);

class ReportOutputService final : public v1::ReportOutputService::CallbackService {
 public:
  static constexpr char kExportReport[] = "/crm.analytics.v1.ReportOutputService/ExportReport";
  static constexpr char kRenderChart[] = "/crm.analytics.v1.ReportOutputService/RenderChart";

  ReportOutputService(const service::Kit& kit, ReportService& reports)
      : rpc_(kit.rpc), reports_(reports) {}

  grpc::ServerWriteReactor<v1::ExportReportResponse>* ExportReport(
      grpc::CallbackServerContext* ctx, const v1::ExportReportRequest* request) override {
    return service::ServeServerStream(rpc_, ctx, kExportReport, this, &ReportOutputService::Export,
                                      request);
  }
  grpc::ServerUnaryReactor* RenderChart(grpc::CallbackServerContext* ctx,
                                        const v1::RenderChartRequest* request,
                                        v1::Chart* response) override {
    return rpc_.Serve(ctx, kRenderChart, this, &ReportOutputService::Render, request, response);
  }

  absl::Status Export(const auth::Caller& caller, const v1::ExportReportRequest& request,
                      service::StreamWriter<v1::ExportReportResponse>& out);
  absl::Status Render(const auth::Caller& caller, const v1::RenderChartRequest& request,
                      v1::Chart* response);

 private:
  // The report `query` names, answered for `caller` and laid out.
  absl::StatusOr<ReportView> View(const auth::Caller& caller, const v1::ReportQuery& query,
                                  Language language);

  service::Rpc& rpc_;
  ReportService& reports_;
};

}  // namespace crm::analytics
