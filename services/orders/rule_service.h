// crm.orders.v1.ApprovalRuleService: the discount approval rules, kept by admins and read by
// everyone who sells.
#pragma once

#include <google/protobuf/empty.pb.h>

#include "crm/orders/v1/orders.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/orders/rule_store.h"

namespace crm::orders {

class ApprovalRuleService final : public v1::ApprovalRuleService::CallbackService {
 public:
  static constexpr char kCreateMethod[] = "/crm.orders.v1.ApprovalRuleService/CreateApprovalRule";
  static constexpr char kListMethod[] = "/crm.orders.v1.ApprovalRuleService/ListApprovalRules";
  static constexpr char kDeleteMethod[] = "/crm.orders.v1.ApprovalRuleService/DeleteApprovalRule";

  ApprovalRuleService(const service::Kit& kit, RuleStore& store)
      : rpc_(kit.rpc), access_(kit.access), page_tokens_(kit.page_tokens), store_(store) {}

  grpc::ServerUnaryReactor* CreateApprovalRule(grpc::CallbackServerContext* ctx,
                                               const v1::CreateApprovalRuleRequest* request,
                                               v1::ApprovalRule* response) override {
    return rpc_.Serve(ctx, kCreateMethod, this, &ApprovalRuleService::Create, request, response);
  }
  grpc::ServerUnaryReactor* ListApprovalRules(grpc::CallbackServerContext* ctx,
                                              const v1::ListApprovalRulesRequest* request,
                                              v1::ListApprovalRulesResponse* response) override {
    return rpc_.Serve(ctx, kListMethod, this, &ApprovalRuleService::List, request, response);
  }
  grpc::ServerUnaryReactor* DeleteApprovalRule(grpc::CallbackServerContext* ctx,
                                               const v1::DeleteApprovalRuleRequest* request,
                                               google::protobuf::Empty* response) override {
    return rpc_.Serve(ctx, kDeleteMethod, this, &ApprovalRuleService::Delete, request, response);
  }

  absl::Status Create(const auth::Caller& caller, const v1::CreateApprovalRuleRequest& request,
                      v1::ApprovalRule* response);
  absl::Status List(const auth::Caller& caller, const v1::ListApprovalRulesRequest& request,
                    v1::ListApprovalRulesResponse* response);
  absl::Status Delete(const auth::Caller& caller, const v1::DeleteApprovalRuleRequest& request,
                      google::protobuf::Empty* response);

 private:
  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  const api::PageTokenCodec& page_tokens_;
  RuleStore& store_;
};

}  // namespace crm::orders
