// crm.opportunities.v1.ForecastService: quotas, forecasts, the pipeline summary and forecast
// snapshots. Whose numbers a caller may see is decided here (Owners): a rep their own, a
// manager their own and their teams', an admin anyone's; the store then counts only the
// opportunities the caller may read.
#pragma once

#include <string>
#include <vector>

#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/opportunities/forecast_store.h"
#include "services/opportunities/validation.h"

namespace crm::opportunities {

class ForecastService final : public v1::ForecastService::CallbackService {
 public:
#define CRM_FORECAST_METHOD(name) "/crm.opportunities.v1.ForecastService/" #name
  static constexpr char kSetQuota[] = CRM_FORECAST_METHOD(SetQuota);
  static constexpr char kListQuotas[] = CRM_FORECAST_METHOD(ListQuotas);
  static constexpr char kGetForecast[] = CRM_FORECAST_METHOD(GetForecast);
  static constexpr char kGetPipelineSummary[] = CRM_FORECAST_METHOD(GetPipelineSummary);
  static constexpr char kListForecastSnapshots[] = CRM_FORECAST_METHOD(ListForecastSnapshots);
#undef CRM_FORECAST_METHOD

  ForecastService(const service::Kit& kit, ForecastStore& store)
      : rpc_(kit.rpc), access_(kit.access), users_(kit.users), store_(store) {}

#define CRM_SERVE(Method, Request, Response)                                                 \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Request* request, \
                                   Response* response) override {                            \
    return rpc_.Serve(ctx, k##Method, this, &ForecastService::Do##Method, request, response); \
  }
  CRM_SERVE(SetQuota, SetQuotaRequest, v1::Quota)
  CRM_SERVE(ListQuotas, ListQuotasRequest, v1::ListQuotasResponse)
  CRM_SERVE(GetForecast, GetForecastRequest, v1::Forecast)
  CRM_SERVE(GetPipelineSummary, GetPipelineSummaryRequest, v1::PipelineSummary)
  CRM_SERVE(ListForecastSnapshots, ListForecastSnapshotsRequest, v1::ListForecastSnapshotsResponse)
#undef CRM_SERVE

  absl::Status DoSetQuota(const auth::Caller& caller, const v1::SetQuotaRequest& request,
                          v1::Quota* response);
  absl::Status DoListQuotas(const auth::Caller& caller, const v1::ListQuotasRequest& request,
                            v1::ListQuotasResponse* response);
  absl::Status DoGetForecast(const auth::Caller& caller, const v1::GetForecastRequest& request,
                             v1::Forecast* response);
  absl::Status DoGetPipelineSummary(const auth::Caller& caller,
                                    const v1::GetPipelineSummaryRequest& request,
                                    v1::PipelineSummary* response);
  absl::Status DoListForecastSnapshots(const auth::Caller& caller,
                                       const v1::ListForecastSnapshotsRequest& request,
                                       v1::ListForecastSnapshotsResponse* response);

 private:
  // The owners `subject` stands for, if the caller may see their numbers: themself when it is
  // empty; a user who is the caller, a member of a team they manage, or anyone for an admin; a
  // team they manage (any team for an admin), as its active members. PERMISSION_DENIED
  // otherwise.
  absl::StatusOr<std::vector<std::string>> Owners(const records::Access& access,
                                                  const Subject& subject);

  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  auth::UserDirectory& users_;
  ForecastStore& store_;
};

}  // namespace crm::opportunities
