#include "services/opportunities/follow_up_service.h"

#include <set>

#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/opportunities/rules.h"
#include "services/opportunities/validation.h"

namespace crm::opportunities {
namespace {

constexpr char kRules[] = "followUpRules";

const std::set<std::string>& UpdatablePaths() {
  static const auto* paths = new std::set<std::string>{"display_name", "days", "stage", "active"};
  return *paths;
}

}  // namespace

absl::Status FollowUpService::DoCreateFollowUpRule(const auth::Caller& caller,
                                                   const v1::CreateFollowUpRuleRequest& request,
                                                   v1::FollowUpRule* response) {
  CRM_RETURN_IF_ERROR(policy_.Check(caller.principal, kCreateFollowUpRule));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_rule()) return InvalidField("rule", "is required");
  v1::FollowUpRule rule = request.rule();
  rule.clear_name();
  rule.clear_etag();
  rule.clear_creator();
  rule.clear_create_time();
  rule.clear_update_time();
  CRM_RETURN_IF_ERROR(NormalizeAndValidateFollowUpRule(rule, "rule"));
  const std::string& actor = caller.principal.ActingName();
  CRM_ASSIGN_OR_RETURN(*response, store_.CreateRule(rule, actor,
                                                    db::KeyFor("CreateFollowUpRule", request, actor)));
  return absl::OkStatus();
}

absl::Status FollowUpService::DoGetFollowUpRule(const auth::Caller& caller,
                                                const v1::GetFollowUpRuleRequest& request,
                                                v1::FollowUpRule* response) {
  CRM_RETURN_IF_ERROR(policy_.Check(caller.principal, kGetFollowUpRule));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kRules, "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.GetRule(id));
  return absl::OkStatus();
}

absl::Status FollowUpService::DoListFollowUpRules(const auth::Caller& caller,
                                                  const v1::ListFollowUpRulesRequest& request,
                                                  v1::ListFollowUpRulesResponse* response) {
  CRM_RETURN_IF_ERROR(policy_.Check(caller.principal, kListFollowUpRules));
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request.page_size(), "", "", request.page_token(),
                                        FollowUpStore::RuleListSpec(), page_tokens_, ""));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::FollowUpRule> page, store_.ListRules(query));
  for (v1::FollowUpRule& r : page.items) *response->add_rules() = std::move(r);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status FollowUpService::DoUpdateFollowUpRule(const auth::Caller& caller,
                                                   const v1::UpdateFollowUpRuleRequest& request,
                                                   v1::FollowUpRule* response) {
  CRM_RETURN_IF_ERROR(policy_.Check(caller.principal, kUpdateFollowUpRule));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(const api::UpdateTarget target,
                       api::ParseUpdateTarget(request.has_rule(), request.rule(),
                                              request.has_update_mask(), request.update_mask(),
                                              kRules, "rule", UpdatablePaths()));
  auto mutate = [&](v1::FollowUpRule& updated) -> absl::Status {
    CRM_RETURN_IF_ERROR(
        api::ApplyFieldMask(request.update_mask(), request.rule(), &updated, UpdatablePaths()));
    return NormalizeAndValidateFollowUpRule(updated, "rule");
  };
  const std::string& actor = caller.principal.ActingName();
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.UpdateRule(target.id, target.version, mutate, actor,
                                         db::KeyFor("UpdateFollowUpRule", request, actor)));
  return absl::OkStatus();
}

absl::Status FollowUpService::DoDeleteFollowUpRule(const auth::Caller& caller,
                                                   const v1::DeleteFollowUpRuleRequest& request,
                                                   google::protobuf::Empty*) {
  CRM_RETURN_IF_ERROR(policy_.Check(caller.principal, kDeleteFollowUpRule));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kRules, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, api::OptionalVersion(request.etag()));
  const std::string& actor = caller.principal.ActingName();
  return store_.DeleteRule(id, version, actor, db::KeyFor("DeleteFollowUpRule", request, actor));
}

absl::Status FollowUpService::DoListFollowUpsDue(const auth::Caller& caller,
                                                 const v1::ListFollowUpsDueRequest& request,
                                                 v1::ListFollowUpsDueResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kListFollowUpsDue, OpportunityRules()));
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request.page_size(), request.filter(), "",
                                        request.page_token(), FollowUpStore::DueListSpec(),
                                        page_tokens_, access.actor()));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::FollowUp> page, store_.ListDue(access, query));
  for (v1::FollowUp& f : page.items) *response->add_follow_ups() = std::move(f);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

}  // namespace crm::opportunities
