#include "services/analytics/campaign_model.h"

#include <cstdint>
#include <optional>

#include "crm/activities/v1/activities.pb.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/campaigns/attribution.h"
#include "libs/events/payload.h"
#include "libs/grpc/status.h"
#include "services/analytics/campaign_sql.h"
#include "services/analytics/event_types.h"

namespace crm::analytics {
namespace {

namespace act = activities::v1;

bool IsCampaignEvent(std::string_view type) {
  return type == kCampaignCreatedEvent || type == kCampaignUpdatedEvent ||
         type == kCampaignStartedEvent || type == kCampaignClosedEvent ||
         type == kCampaignCancelledEvent;
}

// Adds one counted row to its code's figures (`sign` 1) or takes it out (-1).
absl::Status AddFigure(db::Transaction& tx, const std::string& code, int64_t kind,
                       const std::string& currency, int64_t amount_minor, int sign) {
  CRM_RETURN_IF_ERROR(
      tx.Execute(sql::kAddFigure, {code, kind, currency, int64_t{sign}, sign * amount_minor})
          .status());
  if (sign > 0) return absl::OkStatus();
  return tx.Execute(sql::kDropEmptyFigure, {code, kind, currency}).status();
}

}  // namespace

std::vector<std::string> CampaignModel::ActivityTypes() {
  return {kCampaignCreatedEvent, kCampaignUpdatedEvent, kCampaignStartedEvent, kCampaignClosedEvent,
          kCampaignCancelledEvent};
}

std::vector<std::string> CampaignModel::OpportunityTypes() {
  return campaigns::AttributionEventTypes();
}

absl::Status CampaignModel::Apply(db::Transaction& tx, const events::v1::Event& event) {
  if (IsCampaignEvent(event.type())) return ApplyCampaign(tx, event);
  return ApplyAttributions(tx, event);
}

absl::Status CampaignModel::ApplyCampaign(db::Transaction& tx, const events::v1::Event& event) {
  act::Campaign c;
  if (!event.payload().UnpackTo(&c)) return events::CorruptEvent(event, "campaign");
  absl::StatusOr<int64_t> id = api::ParseResourceId(c.name(), "campaigns");
  if (!id.ok()) return events::CorruptEvent(event, "campaign's name");
  CRM_ASSIGN_OR_RETURN(db::Rows old, tx.Query(sql::kLockCampaign, {c.name()}));
  if (!old.empty() && event.sequence() <= old[0].Int(0)) return absl::OkStatus();  // not newer
  const std::optional<int64_t> budget = events::CheckedMinorUnits(c.budget());
  if (!budget || c.budget().currency_code().empty()) return events::CorruptEvent(event, "budget");
  // The actual cost is in the budget's currency (activities.proto); unset until recorded.
  const bool has_cost = !c.actual_cost().currency_code().empty();
  const std::optional<int64_t> cost =
      has_cost ? events::CheckedMinorUnits(c.actual_cost()) : std::optional<int64_t>(0);
  if (!cost) return events::CorruptEvent(event, "actual cost");
  CRM_RETURN_IF_ERROR(
      tx.Execute(sql::kUpsertCampaign,
                 {c.name(), *id, event.sequence(), c.code(), c.title(), int64_t{c.type()},
                  int64_t{c.state()}, db::FormatDateTime(FromTimestamp(c.start_time())),
                  db::FormatDateTime(FromTimestamp(c.end_time())), c.budget().currency_code(),
                  *budget, has_cost ? 1 : 0, *cost})
          .status());
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kClearParticipantsOf, {c.name()}).status());
  for (const std::string& participant : c.participants()) {
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kAddParticipant, {participant, c.name()}).status());
  }
  return absl::OkStatus();
}

absl::Status CampaignModel::ApplyAttributions(db::Transaction& tx, const events::v1::Event& event) {
  CRM_ASSIGN_OR_RETURN(const std::vector<campaigns::AttributionChange> changes,
                       campaigns::AttributionChanges(event));
  for (const campaigns::AttributionChange& change : changes) {
    const int64_t kind = static_cast<int64_t>(change.kind);
    if (change.effect == campaigns::Effect::kTakeBackOtherCodes) {
      CRM_ASSIGN_OR_RETURN(db::Rows elsewhere,
                           tx.Query(sql::kLockOtherCodes, {change.resource, kind, change.code}));
      for (const db::Row& row : elsewhere) {
        const std::string code = row.Str(0);
        CRM_RETURN_IF_ERROR(
            tx.Execute(sql::kDeleteAttribution, {code, kind, change.resource}).status());
        CRM_RETURN_IF_ERROR(AddFigure(tx, code, kind, row.Str(1), row.Int(2), -1));
      }
      continue;
    }
    CRM_ASSIGN_OR_RETURN(db::Rows row,
                         tx.Query(sql::kLockAttribution, {change.code, kind, change.resource}));
    if (!row.empty()) continue;  // counted once already
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kInsertAttribution, {change.code, kind, change.resource,
                                                             change.currency, change.amount_minor})
                            .status());
    CRM_RETURN_IF_ERROR(AddFigure(tx, change.code, kind, change.currency, change.amount_minor, 1));
  }
  return absl::OkStatus();
}

absl::Status CampaignModel::Reset(db::Transaction& tx, std::string_view feed) {
  if (feed == "activities") {
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kClearParticipants, {}).status());
    return tx.Execute(sql::kClearCampaigns, {}).status();
  }
  if (feed == "opportunities") {
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kClearFigures, {}).status());
    return tx.Execute(sql::kClearAttributions, {}).status();
  }
  return absl::OkStatus();
}

}  // namespace crm::analytics
