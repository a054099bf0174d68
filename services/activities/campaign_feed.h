// What the campaigns count from the opportunities feed (libs/events/consumer.h), by the
// campaign code leads and opportunities carry, each in the event's transaction and once (the
// consumer's inbox, and a row per code, kind and record on top, campaign_store.h), by the
// rules of libs/campaigns/attribution.h (shared with the analytics service's campaign report):
//   LeadCreated, LeadUpdated           a lead with the code (once, however often it changes)
//   LeadConverted                      the customer a conversion of such a lead created or
//                                      linked (the event does not say which)
//   LeadDeleted                        the lead no longer counts
//   OpportunityCreated, ...Updated     an opportunity with the code (and a won one's amount)
//   OpportunityWon                     its amount, as won revenue
//   OpportunityReopened                the amount taken back (won again, counted again)
//   OpportunityDeleted                 neither counts any more
// A lead or an opportunity counts under its current code only (moved with its code, nowhere
// once the code is cleared), a won amount as the opportunity's latest event has it.
// Feeds (feeds.h) hands it every event it follows.
#pragma once

#include <string>
#include <vector>

#include "crm/events/v1/events.pb.h"
#include "libs/events/consumer.h"
#include "services/activities/campaign_store.h"

namespace crm::activities {

class CampaignFeed final : public events::EventHandler {
 public:
  static std::vector<std::string> OpportunityTypes();

  explicit CampaignFeed(CampaignStore& store) : store_(store) {}

  absl::Status Apply(db::Transaction& tx, const events::v1::Event& event) override;

 private:
  CampaignStore& store_;
};

}  // namespace crm::activities
