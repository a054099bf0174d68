// crm.opportunities.v1.FollowUpService: follow-up rules (admins and managers configure them,
// the policy table says) and the follow-ups due, read under the caller's opportunity rule.
// The scheduler (scheduler.h) fires the rules.
#pragma once

#include <google/protobuf/empty.pb.h>

#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/opportunities/follow_up_store.h"

namespace crm::opportunities {

class FollowUpService final : public v1::FollowUpService::CallbackService {
 public:
#define CRM_FOLLOW_UP_METHOD(name) "/crm.opportunities.v1.FollowUpService/" #name
  static constexpr char kCreateFollowUpRule[] = CRM_FOLLOW_UP_METHOD(CreateFollowUpRule);
  static constexpr char kGetFollowUpRule[] = CRM_FOLLOW_UP_METHOD(GetFollowUpRule);
  static constexpr char kListFollowUpRules[] = CRM_FOLLOW_UP_METHOD(ListFollowUpRules);
  static constexpr char kUpdateFollowUpRule[] = CRM_FOLLOW_UP_METHOD(UpdateFollowUpRule);
  static constexpr char kDeleteFollowUpRule[] = CRM_FOLLOW_UP_METHOD(DeleteFollowUpRule);
  static constexpr char kListFollowUpsDue[] = CRM_FOLLOW_UP_METHOD(ListFollowUpsDue);
#undef CRM_FOLLOW_UP_METHOD

  FollowUpService(const service::Kit& kit, FollowUpStore& store)
      : rpc_(kit.rpc),
        policy_(kit.authorizer.policy()),
        access_(kit.access),
        page_tokens_(kit.page_tokens),
        store_(store) {}

#define CRM_SERVE(Method, Request, Response)                                                 \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Request* request, \
                                   Response* response) override {                            \
    return rpc_.Serve(ctx, k##Method, this, &FollowUpService::Do##Method, request, response); \
  }
  CRM_SERVE(CreateFollowUpRule, CreateFollowUpRuleRequest, v1::FollowUpRule)
  CRM_SERVE(GetFollowUpRule, GetFollowUpRuleRequest, v1::FollowUpRule)
  CRM_SERVE(ListFollowUpRules, ListFollowUpRulesRequest, v1::ListFollowUpRulesResponse)
  CRM_SERVE(UpdateFollowUpRule, UpdateFollowUpRuleRequest, v1::FollowUpRule)
  CRM_SERVE(DeleteFollowUpRule, DeleteFollowUpRuleRequest, google::protobuf::Empty)
  CRM_SERVE(ListFollowUpsDue, ListFollowUpsDueRequest, v1::ListFollowUpsDueResponse)
#undef CRM_SERVE

  absl::Status DoCreateFollowUpRule(const auth::Caller& caller,
                                    const v1::CreateFollowUpRuleRequest& request,
                                    v1::FollowUpRule* response);
  absl::Status DoGetFollowUpRule(const auth::Caller& caller,
                                 const v1::GetFollowUpRuleRequest& request,
                                 v1::FollowUpRule* response);
  absl::Status DoListFollowUpRules(const auth::Caller& caller,
                                   const v1::ListFollowUpRulesRequest& request,
                                   v1::ListFollowUpRulesResponse* response);
  absl::Status DoUpdateFollowUpRule(const auth::Caller& caller,
                                    const v1::UpdateFollowUpRuleRequest& request,
                                    v1::FollowUpRule* response);
  absl::Status DoDeleteFollowUpRule(const auth::Caller& caller,
                                    const v1::DeleteFollowUpRuleRequest& request,
                                    google::protobuf::Empty* response);
  absl::Status DoListFollowUpsDue(const auth::Caller& caller,
                                  const v1::ListFollowUpsDueRequest& request,
                                  v1::ListFollowUpsDueResponse* response);

 private:
  service::Rpc& rpc_;
  const auth::Policy& policy_;
  const records::AccessResolver& access_;
  const api::PageTokenCodec& page_tokens_;
  FollowUpStore& store_;
};

}  // namespace crm::opportunities
