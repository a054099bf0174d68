// crm.activities.v1.CampaignService: campaigns and visit plans, their execution (feedback,
// actual cost and attendance) and effectiveness. Planners (ADMIN, SALES_MANAGER, MARKETING)
// read and change every campaign; anyone else reads the campaigns they take part in and
// records feedback on them (campaign_store.h).
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "crm/activities/v1/activities.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/activities/campaign_store.h"
#include "services/activities/clients.h"

namespace crm::activities {

// The caller as the campaigns' rules see them: planners (ADMIN, SALES_MANAGER, MARKETING) or
// not. Also what an activity's link to a campaign is checked with (activity_service.h).
CampaignCaller CampaignCallerOf(const auth::Caller& caller);

class CampaignService final : public v1::CampaignService::CallbackService {
 public:
#define CRM_CAMPAIGN_METHOD(name) "/crm.activities.v1.CampaignService/" #name
  static constexpr char kCreateCampaign[] = CRM_CAMPAIGN_METHOD(CreateCampaign);
  static constexpr char kGetCampaign[] = CRM_CAMPAIGN_METHOD(GetCampaign);
  static constexpr char kListCampaigns[] = CRM_CAMPAIGN_METHOD(ListCampaigns);
  static constexpr char kUpdateCampaign[] = CRM_CAMPAIGN_METHOD(UpdateCampaign);
  static constexpr char kStartCampaign[] = CRM_CAMPAIGN_METHOD(StartCampaign);
  static constexpr char kCloseCampaign[] = CRM_CAMPAIGN_METHOD(CloseCampaign);
  static constexpr char kCancelCampaign[] = CRM_CAMPAIGN_METHOD(CancelCampaign);
  static constexpr char kRecordCampaignFeedback[] = CRM_CAMPAIGN_METHOD(RecordCampaignFeedback);
  static constexpr char kListCampaignFeedback[] = CRM_CAMPAIGN_METHOD(ListCampaignFeedback);
  static constexpr char kGetCampaignEffectiveness[] = CRM_CAMPAIGN_METHOD(GetCampaignEffectiveness);
#undef CRM_CAMPAIGN_METHOD

  CampaignService(const service::Kit& kit, CampaignStore& store, CustomerDirectory& customers)
      : rpc_(kit.rpc),
        page_tokens_(kit.page_tokens),
        clock_(kit.clock),
        store_(store),
        customers_(customers) {}

#define CRM_SERVE(Method, Request, Response)                                                     \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Request* request, \
                                   Response* response) override {                                \
    return rpc_.Serve(ctx, k##Method, this, &CampaignService::Do##Method, request, response);    \
  }
  CRM_SERVE(CreateCampaign, CreateCampaignRequest, v1::Campaign)
  CRM_SERVE(GetCampaign, GetCampaignRequest, v1::Campaign)
  CRM_SERVE(ListCampaigns, ListCampaignsRequest, v1::ListCampaignsResponse)
  CRM_SERVE(UpdateCampaign, UpdateCampaignRequest, v1::Campaign)
  CRM_SERVE(StartCampaign, CampaignStepRequest, v1::Campaign)
  CRM_SERVE(CloseCampaign, CloseCampaignRequest, v1::Campaign)
  CRM_SERVE(CancelCampaign, CampaignStepRequest, v1::Campaign)
  CRM_SERVE(RecordCampaignFeedback, RecordCampaignFeedbackRequest, v1::CampaignFeedback)
  CRM_SERVE(ListCampaignFeedback, ListCampaignFeedbackRequest, v1::ListCampaignFeedbackResponse)
  CRM_SERVE(GetCampaignEffectiveness, GetCampaignEffectivenessRequest, v1::CampaignEffectiveness)
#undef CRM_SERVE

  absl::Status DoCreateCampaign(const auth::Caller& caller,
                                const v1::CreateCampaignRequest& request, v1::Campaign* response);
  absl::Status DoGetCampaign(const auth::Caller& caller, const v1::GetCampaignRequest& request,
                             v1::Campaign* response);
  absl::Status DoListCampaigns(const auth::Caller& caller, const v1::ListCampaignsRequest& request,
                               v1::ListCampaignsResponse* response);
  absl::Status DoUpdateCampaign(const auth::Caller& caller,
                                const v1::UpdateCampaignRequest& request, v1::Campaign* response);
  absl::Status DoStartCampaign(const auth::Caller& caller, const v1::CampaignStepRequest& request,
                               v1::Campaign* response);
  absl::Status DoCloseCampaign(const auth::Caller& caller, const v1::CloseCampaignRequest& request,
                               v1::Campaign* response);
  absl::Status DoCancelCampaign(const auth::Caller& caller, const v1::CampaignStepRequest& request,
                                v1::Campaign* response);
  absl::Status DoRecordCampaignFeedback(const auth::Caller& caller,
                                        const v1::RecordCampaignFeedbackRequest& request,
                                        v1::CampaignFeedback* response);
  absl::Status DoListCampaignFeedback(const auth::Caller& caller,
                                      const v1::ListCampaignFeedbackRequest& request,
                                      v1::ListCampaignFeedbackResponse* response);
  absl::Status DoGetCampaignEffectiveness(const auth::Caller& caller,
                                          const v1::GetCampaignEffectivenessRequest& request,
                                          v1::CampaignEffectiveness* response);

 private:
  // A state change of the campaign `name` from one of `from` to `to` (event `event_type`),
  // after `also` changed the rest.
  absl::Status Step(const auth::Caller& caller, std::string_view method, const std::string& name,
                    const std::string& etag, std::vector<v1::Campaign::State> from,
                    v1::Campaign::State to, const char* event_type,
                    const std::function<absl::Status(v1::Campaign&)>& also,
                    const google::protobuf::Message& request, v1::Campaign* response);

  service::Rpc& rpc_;
  const api::PageTokenCodec& page_tokens_;
  const Clock& clock_;
  CampaignStore& store_;
  CustomerDirectory& customers_;
};

}  // namespace crm::activities
