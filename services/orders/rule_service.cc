#include "services/orders/rule_service.h"

#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/orders/validation.h"

namespace crm::orders {

absl::Status ApprovalRuleService::Create(const auth::Caller& caller,
                                         const v1::CreateApprovalRuleRequest& request,
                                         v1::ApprovalRule* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kCreateMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_rule()) return InvalidField("rule", "is required");
  v1::ApprovalRule rule = request.rule();
  rule.clear_name();
  rule.clear_creator();
  rule.clear_create_time();
  CRM_RETURN_IF_ERROR(NormalizeAndValidateRule(rule, "rule"));
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Create(rule, access.actor(),
                                     db::KeyFor("CreateApprovalRule", request, access.actor())));
  return absl::OkStatus();
}

absl::Status ApprovalRuleService::List(const auth::Caller& caller,
                                       const v1::ListApprovalRulesRequest& request,
                                       v1::ListApprovalRulesResponse* response) {
  CRM_RETURN_IF_ERROR(access_.For(caller, kListMethod).status());
  // Everyone sees the same rules, so tokens are not bound to a user.
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request.page_size(), "", "", request.page_token(),
                                        RuleStore::ListSpec(), page_tokens_, ""));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::ApprovalRule> page, store_.List(query));
  for (v1::ApprovalRule& rule : page.items) *response->add_rules() = std::move(rule);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status ApprovalRuleService::Delete(const auth::Caller& caller,
                                         const v1::DeleteApprovalRuleRequest& request,
                                         google::protobuf::Empty*) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kDeleteMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), "approvalRules", "name"));
  return store_.Delete(id, access.actor(), db::KeyFor("DeleteApprovalRule", request, access.actor()));
}

}  // namespace crm::orders
