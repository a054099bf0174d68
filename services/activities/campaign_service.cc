#include "services/activities/campaign_service.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/ascii.h"
#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/activities/campaign_validation.h"
#include "services/activities/event_types.h"

namespace crm::activities {
namespace {

constexpr char kCampaigns[] = "campaigns";

// What UpdateCampaign may change; "*" means all of these. The code is fixed (leads and
// opportunities carry it), the state moves through the step methods.
const std::set<std::string>& UpdatablePaths() {
  static const auto* paths = new std::set<std::string>{"title",
                                                       "type",
                                                       "goal",
                                                       "start_time",
                                                       "end_time",
                                                       "place",
                                                       "participants",
                                                       "budget",
                                                       "target_customers",
                                                       "customer_filter",
                                                       "expected",
                                                       "actual_cost",
                                                       "actual_attendance",
                                                       "notes"};
  return *paths;
}

CampaignCaller For(const auth::Caller& caller) { return CampaignCallerOf(caller); }

absl::Status CheckOpen(const v1::Campaign& c) {
  if (c.state() == v1::Campaign::PLANNED || c.state() == v1::Campaign::RUNNING)
    return absl::OkStatus();
  return Error(absl::StatusCode::kFailedPrecondition, "CAMPAIGN_CLOSED",
               absl::StrCat(c.name(), " is ", v1::Campaign::State_Name(c.state()),
                            " and is not changed any more"));
}

// Whether an update with `mask` sets the customer filter.
bool SetsFilter(const google::protobuf::FieldMask& mask) {
  return std::any_of(mask.paths().begin(), mask.paths().end(),
                     [](const std::string& p) { return p == "customer_filter" || p == "*"; });
}

// Adds the customers a filter matched to the campaign's targets, after those it lists.
absl::Status AddTargets(v1::Campaign& c, const std::vector<std::string>& matched) {
  std::set<std::string> listed(c.target_customers().begin(), c.target_customers().end());
  for (const std::string& name : matched) {
    if (listed.insert(name).second) c.add_target_customers(name);
  }
  if (c.target_customers_size() > kMaxCampaignTargets) {
    return Error(absl::StatusCode::kFailedPrecondition, "TOO_MANY_TARGETS",
                 absl::StrCat("the listed target customers and those the customer filter "
                              "matches are ",
                              c.target_customers_size(), "; a campaign is for at most ",
                              kMaxCampaignTargets));
  }
  return absl::OkStatus();
}

}  // namespace

CampaignCaller CampaignCallerOf(const auth::Caller& caller) {
  const auth::Principal& p = caller.principal;
  return {.actor = p.ActingName(),
          .planner =
              p.Is(auth::v1::ADMIN) || p.Is(auth::v1::SALES_MANAGER) || p.Is(auth::v1::MARKETING)};
}

absl::Status CampaignService::DoCreateCampaign(const auth::Caller& caller,
                                               const v1::CreateCampaignRequest& request,
                                               v1::Campaign* response) {
  const CampaignCaller who = For(caller);
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_campaign()) return InvalidField("campaign", "is required");
  v1::Campaign campaign = request.campaign();
  ClearOutputOnly(campaign);
  CRM_RETURN_IF_ERROR(NormalizeAndValidateCampaign(campaign, "campaign"));
  // The filter is only checked now; the customers it names are fixed when the campaign
  // starts, with the starter's rights.
  if (!campaign.customer_filter().empty()) {
    CRM_RETURN_IF_ERROR(CheckCustomerFilter(customers_, caller, campaign.customer_filter(),
                                            "campaign.customer_filter"));
  }
  campaign.set_state(v1::Campaign::PLANNED);
  CRM_ASSIGN_OR_RETURN(
      *response, store_.Create(who, campaign, db::KeyFor("CreateCampaign", request, who.actor)));
  return absl::OkStatus();
}

absl::Status CampaignService::DoGetCampaign(const auth::Caller& caller,
                                            const v1::GetCampaignRequest& request,
                                            v1::Campaign* response) {
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCampaigns, "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.Get(For(caller), id));
  return absl::OkStatus();
}

absl::Status CampaignService::DoListCampaigns(const auth::Caller& caller,
                                              const v1::ListCampaignsRequest& request,
                                              v1::ListCampaignsResponse* response) {
  const CampaignCaller who = For(caller);
  CRM_ASSIGN_OR_RETURN(
      const api::ListQuery query,
      api::PrepareList(request, CampaignStore::ListSpec(), page_tokens_, who.actor));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Campaign> page, store_.List(who, query));
  for (v1::Campaign& c : page.items) *response->add_campaigns() = std::move(c);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status CampaignService::DoUpdateCampaign(const auth::Caller& caller,
                                               const v1::UpdateCampaignRequest& request,
                                               v1::Campaign* response) {
  const CampaignCaller who = For(caller);
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(
      const api::UpdateTarget target,
      api::ParseUpdateTarget(request.has_campaign(), request.campaign(), request.has_update_mask(),
                             request.update_mask(), kCampaigns, "campaign", UpdatablePaths()));
  // A new filter is asked of the customers service before the transaction (no row locks held
  // across a call to another service). Its matches join the targets at once when the
  // campaign is running; a planned one resolves its filter when it starts.
  const std::string filter(absl::StripAsciiWhitespace(request.campaign().customer_filter()));
  std::vector<std::string> matched;
  if (SetsFilter(request.update_mask()) && !filter.empty()) {
    CRM_ASSIGN_OR_RETURN(matched, ResolveCustomerFilter(customers_, caller, filter,
                                                        kMaxCampaignTargets,
                                                        "campaign.customer_filter"));
  }
  auto mutate = [&](v1::Campaign& updated) -> absl::StatusOr<std::string> {
    CRM_RETURN_IF_ERROR(CheckOpen(updated));
    CRM_RETURN_IF_ERROR(
        api::ApplyFieldMask(request.update_mask(), request.campaign(), &updated, UpdatablePaths()));
    CRM_RETURN_IF_ERROR(NormalizeAndValidateCampaign(updated, "campaign"));
    if (updated.state() == v1::Campaign::RUNNING) CRM_RETURN_IF_ERROR(AddTargets(updated, matched));
    return std::string(kCampaignUpdatedEvent);
  };
  CRM_ASSIGN_OR_RETURN(*response, store_.Change(who, target.id, target.version, mutate,
                                                db::KeyFor("UpdateCampaign", request, who.actor)));
  return absl::OkStatus();
}

absl::Status CampaignService::Step(const auth::Caller& caller, std::string_view method,
                                   const std::string& name, const std::string& etag,
                                   std::vector<v1::Campaign::State> from, v1::Campaign::State to,
                                   const char* event_type,
                                   const std::function<absl::Status(v1::Campaign&)>& also,
                                   const google::protobuf::Message& request,
                                   v1::Campaign* response) {
  const CampaignCaller who = For(caller);
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(name, kCampaigns, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, api::OptionalVersion(etag));
  auto mutate = [&](v1::Campaign& updated) -> absl::StatusOr<std::string> {
    if (std::find(from.begin(), from.end(), updated.state()) == from.end()) {
      std::vector<std::string> names;
      for (v1::Campaign::State s : from) names.push_back(v1::Campaign::State_Name(s));
      return Error(absl::StatusCode::kFailedPrecondition, "WRONG_CAMPAIGN_STATE",
                   absl::StrCat(updated.name(), " is ", v1::Campaign::State_Name(updated.state()),
                                "; this step needs ", absl::StrJoin(names, " or ")));
    }
    updated.set_state(to);
    if (to == v1::Campaign::CLOSED || to == v1::Campaign::CANCELLED) {
      *updated.mutable_close_time() = ToTimestamp(clock_.Now());
    }
    if (also) CRM_RETURN_IF_ERROR(also(updated));
    return std::string(event_type);
  };
  CRM_ASSIGN_OR_RETURN(
      *response, store_.Change(who, id, version, mutate, db::KeyFor(method, request, who.actor)));
  return absl::OkStatus();
}

absl::Status CampaignService::DoStartCampaign(const auth::Caller& caller,
                                              const v1::CampaignStepRequest& request,
                                              v1::Campaign* response) {
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCampaigns, "name"));
  // The customer filter becomes target customers now, with the starter's rights, asked
  // before the transaction; should the filter change meanwhile, the start is refused rather
  // than fixing the wrong customers.
  CRM_ASSIGN_OR_RETURN(const v1::Campaign before, store_.Get(For(caller), id));
  std::vector<std::string> matched;
  if (before.state() == v1::Campaign::PLANNED && !before.customer_filter().empty()) {
    CRM_ASSIGN_OR_RETURN(matched, ResolveCustomerFilter(customers_, caller,
                                                        before.customer_filter(),
                                                        kMaxCampaignTargets, "customer_filter"));
  }
  auto fix_targets = [&](v1::Campaign& c) -> absl::Status {
    if (c.customer_filter() != before.customer_filter()) {
      return Error(absl::StatusCode::kAborted, "CONCURRENT_UPDATE",
                   "the campaign's customer filter changed while it was starting; start it again");
    }
    return AddTargets(c, matched);
  };
  return Step(caller, "StartCampaign", request.name(), request.etag(), {v1::Campaign::PLANNED},
              v1::Campaign::RUNNING, kCampaignStartedEvent, fix_targets, request, response);
}

absl::Status CampaignService::DoCloseCampaign(const auth::Caller& caller,
                                              const v1::CloseCampaignRequest& request,
                                              v1::Campaign* response) {
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  auto record = [&](v1::Campaign& c) -> absl::Status {
    if (request.has_actual_cost()) *c.mutable_actual_cost() = request.actual_cost();
    if (request.has_actual_attendance()) c.set_actual_attendance(request.actual_attendance());
    return NormalizeAndValidateCampaign(c, "campaign");
  };
  return Step(caller, "CloseCampaign", request.name(), request.etag(), {v1::Campaign::RUNNING},
              v1::Campaign::CLOSED, kCampaignClosedEvent, record, request, response);
}

absl::Status CampaignService::DoCancelCampaign(const auth::Caller& caller,
                                               const v1::CampaignStepRequest& request,
                                               v1::Campaign* response) {
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  return Step(caller, "CancelCampaign", request.name(), request.etag(),
              {v1::Campaign::PLANNED, v1::Campaign::RUNNING}, v1::Campaign::CANCELLED,
              kCampaignCancelledEvent, nullptr, request, response);
}

absl::Status CampaignService::DoRecordCampaignFeedback(
    const auth::Caller& caller, const v1::RecordCampaignFeedbackRequest& request,
    v1::CampaignFeedback* response) {
  const CampaignCaller who = For(caller);
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id,
                       api::ParseResourceId(request.campaign(), kCampaigns, "campaign"));
  v1::CampaignFeedback feedback = request.feedback();
  feedback.clear_name();
  feedback.clear_participant();
  feedback.clear_update_time();
  CRM_RETURN_IF_ERROR(NormalizeAndValidateFeedback(feedback, "feedback"));
  // The campaign first (NOT_FOUND to who does not take part), then the customer with the
  // caller's own rights.
  CRM_RETURN_IF_ERROR(store_.Get(who, id).status());
  CRM_RETURN_IF_ERROR(
      CheckCustomer(customers_, caller, feedback.customer(), "feedback.customer").status());
  CRM_ASSIGN_OR_RETURN(
      *response, store_.RecordFeedback(who, id, feedback,
                                       db::KeyFor("RecordCampaignFeedback", request, who.actor)));
  return absl::OkStatus();
}

absl::Status CampaignService::DoListCampaignFeedback(const auth::Caller& caller,
                                                     const v1::ListCampaignFeedbackRequest& request,
                                                     v1::ListCampaignFeedbackResponse* response) {
  const CampaignCaller who = For(caller);
  CRM_ASSIGN_OR_RETURN(int64_t id,
                       api::ParseResourceId(request.campaign(), kCampaigns, "campaign"));
  static const api::ResourceFields* fields =
      new api::ResourceFields({{.name = "update_time",
                                .type = api::FieldType::kTimestamp,
                                .column = "f.update_time",
                                .orderable = true}},
                              "f.id");
  static const api::ListSpec spec{.fields = fields, .default_order = "update_time desc"};
  CRM_ASSIGN_OR_RETURN(
      const api::ListQuery query,
      api::PrepareList(request.page_size(), "", "", request.page_token(), spec, page_tokens_,
                       absl::StrCat(who.actor, " ", request.campaign())));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::CampaignFeedback> page, store_.ListFeedback(who, id, query));
  for (v1::CampaignFeedback& f : page.items) *response->add_feedback() = std::move(f);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status CampaignService::DoGetCampaignEffectiveness(
    const auth::Caller& caller, const v1::GetCampaignEffectivenessRequest& request,
    v1::CampaignEffectiveness* response) {
  CRM_ASSIGN_OR_RETURN(int64_t id,
                       api::ParseResourceId(request.campaign(), kCampaigns, "campaign"));
  CRM_ASSIGN_OR_RETURN(*response, store_.Effectiveness(For(caller), id));
  return absl::OkStatus();
}

}  // namespace crm::activities
