// What the opportunities service does with the customers service's events, read from its feed
// with the event consumer (libs/events/consumer.h) as services/opportunities, each applied
// exactly once in this service's own schema:
//   CustomerMerged    leads and opportunities of the merged customers move to the survivor
//                     (remembered, so that an unmerge can move exactly those back)
//   CustomerUnmerged  they move back, where they are still on the survivor
//   CustomerDeleted   open opportunities of the customer are flagged (customer_deleted)
//   CustomerUpdated   the industry and size band the win model uses are refreshed
// Each change appears on this service's feed as an update by services/opportunities.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crm/events/v1/events.pb.h"
#include "libs/events/consumer.h"
#include "services/opportunities/lead_store.h"
#include "services/opportunities/opportunity_store.h"

namespace crm::opportunities {

class CustomerFeed final : public events::EventHandler {
 public:
  // The event types it needs from the customers feed.
  static std::vector<std::string> Types();

  CustomerFeed(LeadStore& leads, OpportunityStore& opportunities, std::string actor)
      : leads_(leads), opportunities_(opportunities), actor_(std::move(actor)) {}

  absl::Status Apply(db::Transaction& tx, const events::v1::Event& event) override;

  // A merge of `merged` into `survivor` (or its undoing), as the merge events carry it.
  absl::Status ApplyMerge(db::Transaction& tx, int64_t survivor,
                          const std::vector<int64_t>& merged, bool undo);

 private:
  LeadStore& leads_;
  OpportunityStore& opportunities_;
  const std::string actor_;
};

}  // namespace crm::opportunities
