#include "services/activities/campaign_feed.h"

#include "absl/strings/str_cat.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "libs/grpc/status.h"
#include "services/activities/event_types.h"
#include "libs/events/payload.h"

namespace crm::activities {
namespace {

bool IsLeadEvent(std::string_view type) {
  return type == kLeadCreatedEvent || type == kLeadUpdatedEvent || type == kLeadConvertedEvent ||
         type == kLeadDeletedEvent;
}

bool IsOpportunityEvent(std::string_view type) {
  return type == kOpportunityCreatedEvent || type == kOpportunityUpdatedEvent ||
         type == kOpportunityWonEvent || type == kOpportunityReopenedEvent ||
         type == kOpportunityDeletedEvent;
}

}  // namespace

std::vector<std::string> CampaignFeed::OpportunityTypes() {
  return {kLeadCreatedEvent,    kLeadUpdatedEvent,         kLeadConvertedEvent,
          kLeadDeletedEvent,    kOpportunityCreatedEvent,  kOpportunityUpdatedEvent,
          kOpportunityWonEvent, kOpportunityReopenedEvent, kOpportunityDeletedEvent};
}

absl::Status CampaignFeed::Apply(db::Transaction& tx, const events::v1::Event& event) {
  if (IsLeadEvent(event.type())) return ApplyLead(tx, event);
  if (IsOpportunityEvent(event.type())) return ApplyOpportunity(tx, event);
  return absl::OkStatus();
}

absl::Status CampaignFeed::ApplyLead(db::Transaction& tx, const events::v1::Event& event) {
  opportunities::v1::Lead lead;
  if (!event.payload().UnpackTo(&lead)) return events::CorruptEvent(event, "lead");
  if (lead.campaign().empty()) return absl::OkStatus();
  const std::string name = lead.name().empty() ? event.resource() : lead.name();
  if (event.type() == kLeadDeletedEvent) {
    return store_.Unattribute(tx, lead.campaign(), AttributionKind::kLead, name);
  }
  CRM_RETURN_IF_ERROR(store_.Attribute(tx, {.code = lead.campaign(),
                                            .kind = AttributionKind::kLead,
                                            .resource = name,
                                            .source_event = event.id()}));
  if (event.type() != kLeadConvertedEvent || lead.customer().empty()) return absl::OkStatus();
  return store_.Attribute(tx, {.code = lead.campaign(),
                               .kind = AttributionKind::kCustomer,
                               .resource = lead.customer(),
                               .source_event = event.id()});
}

absl::Status CampaignFeed::ApplyOpportunity(db::Transaction& tx, const events::v1::Event& event) {
  opportunities::v1::Opportunity o;
  if (!event.payload().UnpackTo(&o)) return events::CorruptEvent(event, "opportunity");
  if (o.campaign().empty()) return absl::OkStatus();
  const std::string name = o.name().empty() ? event.resource() : o.name();
  if (event.type() == kOpportunityDeletedEvent) {
    CRM_RETURN_IF_ERROR(store_.Unattribute(tx, o.campaign(), AttributionKind::kWon, name));
    return store_.Unattribute(tx, o.campaign(), AttributionKind::kOpportunity, name);
  }
  if (event.type() == kOpportunityReopenedEvent) {
    return store_.Unattribute(tx, o.campaign(), AttributionKind::kWon, name);
  }
  CRM_RETURN_IF_ERROR(store_.Attribute(tx, {.code = o.campaign(),
                                            .kind = AttributionKind::kOpportunity,
                                            .resource = name,
                                            .source_event = event.id()}));
  if (event.type() != kOpportunityWonEvent || o.amount().currency_code().empty()) {
    return absl::OkStatus();
  }
  const std::optional<int64_t> amount = events::CheckedMinorUnits(o.amount());
  if (!amount) return events::CorruptEvent(event, "amount");
  return store_.Attribute(tx, {.code = o.campaign(),
                               .kind = AttributionKind::kWon,
                               .resource = name,
                               .currency = o.amount().currency_code(),
                               .amount_minor = *amount,
                               .source_event = event.id()});
}

}  // namespace crm::activities
