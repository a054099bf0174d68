// crm.opportunities.v1.OpportunityService: request rules and API semantics for opportunities
// and their stage changes. Who may see and change which opportunity is decided by the
// owned-record kit under OpportunityRules (rules.h), once per call; the customer and the
// products an opportunity names are checked with the caller's rights in the customers service
// and the catalog before anything is written.
#pragma once

#include <google/protobuf/empty.pb.h>

#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/opportunities/clients.h"
#include "services/opportunities/opportunity_store.h"

namespace crm::opportunities {

class OpportunityService final : public v1::OpportunityService::CallbackService {
 public:
#define CRM_OPPORTUNITY_METHOD(name) "/crm.opportunities.v1.OpportunityService/" #name
  static constexpr char kCreateOpportunity[] = CRM_OPPORTUNITY_METHOD(CreateOpportunity);
  static constexpr char kGetOpportunity[] = CRM_OPPORTUNITY_METHOD(GetOpportunity);
  static constexpr char kListOpportunities[] = CRM_OPPORTUNITY_METHOD(ListOpportunities);
  static constexpr char kUpdateOpportunity[] = CRM_OPPORTUNITY_METHOD(UpdateOpportunity);
  static constexpr char kDeleteOpportunity[] = CRM_OPPORTUNITY_METHOD(DeleteOpportunity);
  static constexpr char kAdvanceStage[] = CRM_OPPORTUNITY_METHOD(AdvanceStage);
  static constexpr char kCloseWon[] = CRM_OPPORTUNITY_METHOD(CloseWon);
  static constexpr char kCloseLost[] = CRM_OPPORTUNITY_METHOD(CloseLost);
  static constexpr char kReopen[] = CRM_OPPORTUNITY_METHOD(Reopen);
  static constexpr char kListStageHistory[] = CRM_OPPORTUNITY_METHOD(ListStageHistory);
#undef CRM_OPPORTUNITY_METHOD

  OpportunityService(const service::Kit& kit, OpportunityStore& store,
                     CustomerDirectory& customers, ProductCatalog& products)
      : rpc_(kit.rpc),
        access_(kit.access),
        page_tokens_(kit.page_tokens),
        store_(store),
        customers_(customers),
        products_(products) {}

#define CRM_SERVE(Method, Request, Response)                                                    \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Request* request, \
                                   Response* response) override {                               \
    return rpc_.Serve(ctx, k##Method, this, &OpportunityService::Do##Method, request, response); \
  }
  CRM_SERVE(CreateOpportunity, CreateOpportunityRequest, v1::Opportunity)
  CRM_SERVE(GetOpportunity, GetOpportunityRequest, v1::Opportunity)
  CRM_SERVE(ListOpportunities, ListOpportunitiesRequest, v1::ListOpportunitiesResponse)
  CRM_SERVE(UpdateOpportunity, UpdateOpportunityRequest, v1::Opportunity)
  CRM_SERVE(DeleteOpportunity, DeleteOpportunityRequest, google::protobuf::Empty)
  CRM_SERVE(AdvanceStage, AdvanceStageRequest, v1::Opportunity)
  CRM_SERVE(CloseWon, CloseWonRequest, v1::Opportunity)
  CRM_SERVE(CloseLost, CloseLostRequest, v1::Opportunity)
  CRM_SERVE(Reopen, ReopenRequest, v1::Opportunity)
  CRM_SERVE(ListStageHistory, ListStageHistoryRequest, v1::ListStageHistoryResponse)
#undef CRM_SERVE

  absl::Status DoCreateOpportunity(const auth::Caller& caller,
                                   const v1::CreateOpportunityRequest& request,
                                   v1::Opportunity* response);
  absl::Status DoGetOpportunity(const auth::Caller& caller,
                                const v1::GetOpportunityRequest& request,
                                v1::Opportunity* response);
  absl::Status DoListOpportunities(const auth::Caller& caller,
                                   const v1::ListOpportunitiesRequest& request,
                                   v1::ListOpportunitiesResponse* response);
  absl::Status DoUpdateOpportunity(const auth::Caller& caller,
                                   const v1::UpdateOpportunityRequest& request,
                                   v1::Opportunity* response);
  absl::Status DoDeleteOpportunity(const auth::Caller& caller,
                                   const v1::DeleteOpportunityRequest& request,
                                   google::protobuf::Empty* response);
  absl::Status DoAdvanceStage(const auth::Caller& caller, const v1::AdvanceStageRequest& request,
                              v1::Opportunity* response);
  absl::Status DoCloseWon(const auth::Caller& caller, const v1::CloseWonRequest& request,
                          v1::Opportunity* response);
  absl::Status DoCloseLost(const auth::Caller& caller, const v1::CloseLostRequest& request,
                           v1::Opportunity* response);
  absl::Status DoReopen(const auth::Caller& caller, const v1::ReopenRequest& request,
                        v1::Opportunity* response);
  absl::Status DoListStageHistory(const auth::Caller& caller,
                                  const v1::ListStageHistoryRequest& request,
                                  v1::ListStageHistoryResponse* response);

 private:
  // The stage change every one of the four methods makes, after its own checks.
  absl::Status Move(const auth::Caller& caller, std::string_view method, std::string_view name,
                    std::string_view etag, const StageMove& move,
                    const google::protobuf::Message& request, v1::Opportunity* response);

  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  const api::PageTokenCodec& page_tokens_;
  OpportunityStore& store_;
  CustomerDirectory& customers_;
  ProductCatalog& products_;
};

}  // namespace crm::opportunities
