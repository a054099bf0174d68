// What the customer timeline keeps of other services' events (libs/events/consumer.h), each
// applied in the event's transaction once (the consumer's inbox, and the entry's unique
// source event on top):
//   opportunities  OpportunityCreated, OpportunityStageChanged, OpportunityWon,
//                  OpportunityLost, OpportunityReopened      an entry on the opportunity's
//                                                            customer
//   orders         OrderCreated, OrderStatusChanged          an entry on the order's customer
//   customers      CustomerMerged, CustomerUnmerged          the merged customers' entries move
//                                                            to the survivor (and back), and an
//                                                            entry on the survivor says so
// Feeds (feeds.h) hands it every event it follows.
#pragma once

#include <string>
#include <vector>

#include "crm/events/v1/events.pb.h"
#include "libs/events/consumer.h"
#include "services/activities/timeline_store.h"

namespace crm::activities {

class TimelineFeed final : public events::EventHandler {
 public:
  // The event types it needs from each feed, besides what Feeds needs.
  static std::vector<std::string> CustomerTypes();
  static std::vector<std::string> OpportunityTypes();
  static std::vector<std::string> OrderTypes();

  explicit TimelineFeed(TimelineStore& store) : store_(store) {}

  absl::Status Apply(db::Transaction& tx, const events::v1::Event& event) override;

 private:
  absl::Status ApplyOpportunity(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyOrder(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyMerge(db::Transaction& tx, const events::v1::Event& event, bool undo);

  TimelineStore& store_;
};

}  // namespace crm::activities
