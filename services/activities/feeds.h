// What the activities service does with other services' events, read with the event consumer
// (libs/events/consumer.h) as services/activities, each applied exactly once in this
// service's own schema (the consumer's inbox; the task table's unique source event on top, so
// that even a rewound feed makes no second task):
//   customers      CustomerCreated, CustomerUpdated   the customer's owner, which decides who
//                                                     sees its activities
//                  CustomerMerged                     the merged customers' activities move to
//                                                     the survivor (remembered)
//                  CustomerUnmerged                   they move back, where still on it
//   opportunities  FollowUpDue                        one task for the opportunity's owner
//   orders         OrderStatusChanged                 a notification for the order's owner
//                                                     and their manager; for support too when
//                                                     it matters after the sale (delivered,
//                                                     cancelled, on hold)
//                  ReturnRequested, ReturnResolved    one for the order's owner and support
//                  OrderSubmittedForApproval,         one for the approver the approval names,
//                  OrderApprovalEscalated             or the owner when any admin may approve
//                  OrderApproved, OrderRejected       one for the order's owner
// (notifications are unique by event and recipient as well, see notification_store.h).
// The manager and the support desk are asked of the auth service (people.h); when it cannot
// answer, Apply fails, the event's transaction rolls back and the consumer retries the event
// later, so nobody's notification is lost or written twice.
#pragma once

#include <string>
#include <vector>

#include "crm/events/v1/events.pb.h"
#include "libs/events/consumer.h"
#include "services/activities/activity_store.h"
#include "services/activities/notification_store.h"
#include "services/activities/people.h"
#include "services/activities/task_store.h"

namespace crm::activities {

class Feeds final : public events::EventHandler {
 public:
  // The event types it needs from each feed.
  static std::vector<std::string> CustomerTypes();
  static std::vector<std::string> OpportunityTypes();
  static std::vector<std::string> OrderTypes();

  Feeds(ActivityStore& activities, TaskStore& tasks, People& people, std::string actor)
      : activities_(activities), tasks_(tasks), people_(people), actor_(std::move(actor)) {}

  absl::Status Apply(db::Transaction& tx, const events::v1::Event& event) override;

  // A further handler that sees every event after this one, in the same transaction (the
  // customer timeline, timeline_feed.h; the campaigns, campaign_feed.h); its event types are
  // in the lists above.
  Feeds& Also(events::EventHandler& handler) {
    also_.push_back(&handler);
    return *this;
  }

 private:
  absl::Status ApplyOwn(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyFollowUpDue(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyMerge(db::Transaction& tx, const events::v1::Event& event, bool undo);
  absl::Status ApplyStatusChange(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyApproval(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyReturn(db::Transaction& tx, const events::v1::Event& event);
  // Writes `n` for the support desk, one row each.
  absl::Status NotifySupport(db::Transaction& tx, NewNotification n);

  ActivityStore& activities_;
  TaskStore& tasks_;
  People& people_;
  const std::string actor_;
  std::vector<events::EventHandler*> also_;
};

}  // namespace crm::activities
