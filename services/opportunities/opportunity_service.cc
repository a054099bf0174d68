#include "services/opportunities/opportunity_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "libs/api/fields.h"
#include "libs/api/list.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/opportunities/rules.h"
#include "services/opportunities/validation.h"

namespace crm::opportunities {
namespace {

constexpr char kOpportunities[] = "opportunities";
constexpr int kLostToLimit = 100;

// What UpdateOpportunity may change; "*" means all of these.
const std::set<std::string>& UpdatablePaths() {
  static const auto* paths = new std::set<std::string>{
      "title",    "customer",    "amount",      "probability", "forecast_category",
      "expected_close_date",     "source",      "campaign",    "owner",
      "next_step", "description", "competitors", "products",    "last_activity_time"};
  return *paths;
}

absl::StatusOr<std::optional<int64_t>> Etag(std::string_view etag) {
  return api::OptionalVersion(etag);
}

}  // namespace

absl::Status OpportunityService::DoCreateOpportunity(const auth::Caller& caller,
                                                     const v1::CreateOpportunityRequest& request,
                                                     v1::Opportunity* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kCreateOpportunity, OpportunityRules()));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_opportunity()) return InvalidField("opportunity", "is required");
  NewOpportunity input;
  v1::Opportunity& o = input.opportunity;
  o = request.opportunity();
  ClearOutputOnly(o);
  CRM_RETURN_IF_ERROR(NormalizeAndValidateOpportunity(o, "opportunity"));
  if (o.owner().empty()) o.set_owner(access.actor());
  CRM_ASSIGN_OR_RETURN(input.customer,
                       CheckCustomer(customers_, caller, o.customer(), "opportunity.customer"));
  CRM_RETURN_IF_ERROR(CheckProducts(products_, caller, o.products(), "opportunity"));
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Create(access, input,
                                     db::KeyFor("CreateOpportunity", request, access.actor())));
  return absl::OkStatus();
}

absl::Status OpportunityService::DoGetOpportunity(const auth::Caller& caller,
                                                  const v1::GetOpportunityRequest& request,
                                                  v1::Opportunity* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kGetOpportunity, OpportunityRules()));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kOpportunities, "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.Get(access, id));
  return absl::OkStatus();
}

absl::Status OpportunityService::DoListOpportunities(const auth::Caller& caller,
                                                     const v1::ListOpportunitiesRequest& request,
                                                     v1::ListOpportunitiesResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kListOpportunities, OpportunityRules()));
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request, OpportunityStore::ListSpec(), page_tokens_,
                                        access.actor()));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Opportunity> page, store_.List(access, query));
  for (v1::Opportunity& o : page.items) *response->add_opportunities() = std::move(o);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status OpportunityService::DoUpdateOpportunity(const auth::Caller& caller,
                                                     const v1::UpdateOpportunityRequest& request,
                                                     v1::Opportunity* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kUpdateOpportunity, OpportunityRules()));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(const api::UpdateTarget target,
                       api::ParseUpdateTarget(request.has_opportunity(), request.opportunity(),
                                              request.has_update_mask(), request.update_mask(),
                                              kOpportunities, "opportunity", UpdatablePaths()));
  const v1::Opportunity& given = request.opportunity();
  // What the update names elsewhere is checked before the record is locked.
  std::optional<CustomerFacts> customer;
  if (api::MaskNames(request.update_mask(), "customer")) {
    if (!api::ParseResourceId(given.customer(), "customers").ok()) {
      return InvalidField("opportunity.customer", "must be a customer name like \"customers/42\"");
    }
    CRM_ASSIGN_OR_RETURN(customer, CheckCustomer(customers_, caller, given.customer(),
                                                 "opportunity.customer"));
  }
  if (api::MaskNames(request.update_mask(), "products")) {
    google::protobuf::RepeatedPtrField<std::string> products = given.products();
    CRM_RETURN_IF_ERROR(NormalizeAndValidateProducts(products, "opportunity"));
    CRM_RETURN_IF_ERROR(CheckProducts(products_, caller, products, "opportunity"));
  }
  auto mutate = [&](v1::Opportunity& updated) -> absl::Status {
    CRM_RETURN_IF_ERROR(
        api::ApplyFieldMask(request.update_mask(), given, &updated, UpdatablePaths()));
    return NormalizeAndValidateOpportunity(updated, "opportunity");
  };
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Update(access, target.id, target.version, mutate, customer,
                                     db::KeyFor("UpdateOpportunity", request, access.actor())));
  return absl::OkStatus();
}

absl::Status OpportunityService::DoDeleteOpportunity(const auth::Caller& caller,
                                                     const v1::DeleteOpportunityRequest& request,
                                                     google::protobuf::Empty*) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kDeleteOpportunity, OpportunityRules()));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kOpportunities, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, Etag(request.etag()));
  return store_.Delete(access, id, version,
                       db::KeyFor("DeleteOpportunity", request, access.actor()));
}

absl::Status OpportunityService::Move(const auth::Caller& caller, std::string_view method,
                                      std::string_view name, std::string_view etag,
                                      const StageMove& move,
                                      const google::protobuf::Message& request,
                                      v1::Opportunity* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, method, OpportunityRules()));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(name, kOpportunities, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, Etag(etag));
  const std::string_view short_name = method.substr(method.rfind('/') + 1);
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Move(access, id, version, move, "stage",
                                   db::KeyFor(short_name, request, access.actor())));
  return absl::OkStatus();
}

absl::Status OpportunityService::DoAdvanceStage(const auth::Caller& caller,
                                                const v1::AdvanceStageRequest& request,
                                                v1::Opportunity* response) {
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  StageMove move{.kind = StageMove::kAdvance};
  if (request.stage().empty()) return InvalidField("stage", "is required");
  CRM_ASSIGN_OR_RETURN(auto stage, ParseStageName(request.stage(), "stage"));
  move.stage_pipeline_id = stage.first;
  move.stage_id = stage.second;
  if (request.has_probability()) {
    if (request.probability() < 0 || request.probability() > 100) {
      return InvalidField("probability", "must be 0-100");
    }
    move.probability = request.probability();
  }
  return Move(caller, kAdvanceStage, request.name(), request.etag(), move, request, response);
}

absl::Status OpportunityService::DoCloseWon(const auth::Caller& caller,
                                            const v1::CloseWonRequest& request,
                                            v1::Opportunity* response) {
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  StageMove move{.kind = StageMove::kWon};
  if (request.has_amount()) {
    Violations violations;
    api::FieldChecker check(violations, "");
    std::optional<int64_t> minor = api::ToMinorUnits(request.amount(), check, "amount");
    CRM_RETURN_IF_ERROR(violations.ToStatus("invalid amount"));
    move.amount = api::FromMinorUnits(request.amount().currency_code(), *minor);
  }
  return Move(caller, kCloseWon, request.name(), request.etag(), move, request, response);
}

absl::Status OpportunityService::DoCloseLost(const auth::Caller& caller,
                                             const v1::CloseLostRequest& request,
                                             v1::Opportunity* response) {
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  StageMove move{.kind = StageMove::kLost};
  CRM_ASSIGN_OR_RETURN(move.reason, ValidReason(request.reason(), "reason"));
  Violations violations;
  api::FieldChecker check(violations, "");
  move.lost_to = request.lost_to();
  check.Text(&move.lost_to, "lost_to", kLostToLimit, /*required=*/false);
  CRM_RETURN_IF_ERROR(violations.ToStatus("invalid loss"));
  return Move(caller, kCloseLost, request.name(), request.etag(), move, request, response);
}

absl::Status OpportunityService::DoReopen(const auth::Caller& caller,
                                          const v1::ReopenRequest& request,
                                          v1::Opportunity* response) {
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  StageMove move{.kind = StageMove::kReopen};
  if (!request.stage().empty()) {
    CRM_ASSIGN_OR_RETURN(auto stage, ParseStageName(request.stage(), "stage"));
    move.stage_pipeline_id = stage.first;
    move.stage_id = stage.second;
  }
  return Move(caller, kReopen, request.name(), request.etag(), move, request, response);
}

absl::Status OpportunityService::DoListStageHistory(const auth::Caller& caller,
                                                    const v1::ListStageHistoryRequest& request,
                                                    v1::ListStageHistoryResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kListStageHistory, OpportunityRules()));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.parent(), kOpportunities, "parent"));
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request.page_size(), "", "", request.page_token(),
                                        OpportunityStore::HistoryListSpec(), page_tokens_,
                                        absl::StrCat(access.actor(), "|", request.parent())));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::StageChange> page, store_.ListHistory(access, id, query));
  for (v1::StageChange& c : page.items) *response->add_stage_changes() = std::move(c);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

}  // namespace crm::opportunities
