// crm.analytics.v1.ReportService: the RPC edge of the reports. Each handler checks the request,
// asks once who the caller may see figures of (record rules: report_store.h) and reads the
// aggregates.
#pragma once

#include "crm/analytics/v1/analytics.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/analytics/performance_reports.h"
#include "services/analytics/report_store.h"

namespace crm::analytics {

class ReportService final : public v1::ReportService::CallbackService {
 public:
  static constexpr char kGetSalesReport[] = "/crm.analytics.v1.ReportService/GetSalesReport";

  ReportService(const service::Kit& kit, ReportStore& store)
      : rpc_(kit.rpc),
        access_(kit.access),
        store_(store),
        users_(kit.users),
        performance_(kit.pool) {}

  grpc::ServerUnaryReactor* GetSalesReport(grpc::CallbackServerContext* ctx,
                                           const v1::GetSalesReportRequest* request,
                                           v1::SalesReport* response) override {
    return rpc_.Serve(ctx, kGetSalesReport, this, &ReportService::DoGetSalesReport, request,
                      response);
  }

  absl::Status DoGetSalesReport(const auth::Caller& caller,
                                const v1::GetSalesReportRequest& request,
                                v1::SalesReport* response);

  // ---- p-an-perf: trends, customer distribution, staff ranking (performance_service.cc) ----
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

 private:
  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  ReportStore& store_;
  // p-an-perf: a team filter's members, and the performance reports' queries.
  absl::StatusOr<records::Access> FigureAccess(const auth::Caller& caller, std::string_view method,
                                               const std::string& team, FigureFilter& filter);
  auth::UserDirectory& users_;
  PerformanceReports performance_;
};

// The request's query, or INVALID_ARGUMENT naming every bad field.
absl::StatusOr<SalesQuery> ReadSalesQuery(const v1::GetSalesReportRequest& request);

}  // namespace crm::analytics
