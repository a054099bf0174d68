#include "services/activities/campaign_feed.h"

#include "libs/campaigns/attribution.h"
#include "libs/grpc/status.h"

namespace crm::activities {

std::vector<std::string> CampaignFeed::OpportunityTypes() {
  return campaigns::AttributionEventTypes();
}

absl::Status CampaignFeed::Apply(db::Transaction& tx, const events::v1::Event& event) {
  // What counts is libs/campaigns' definition, shared with the analytics service's report.
  CRM_ASSIGN_OR_RETURN(const std::vector<campaigns::AttributionChange> changes,
                       campaigns::AttributionChanges(event));
  for (const campaigns::AttributionChange& change : changes) {
    if (change.effect == campaigns::Effect::kTakeBackOtherCodes) {
      CRM_RETURN_IF_ERROR(
          store_.UnattributeOtherCodes(tx, change.code, change.kind, change.resource));
      continue;
    }
    CRM_RETURN_IF_ERROR(store_.Attribute(tx, {.code = change.code,
                                              .kind = change.kind,
                                              .resource = change.resource,
                                              .currency = change.currency,
                                              .amount_minor = change.amount_minor,
                                              .source_event = event.id()}));
  }
  return absl::OkStatus();
}

}  // namespace crm::activities
