// The part of the read model behind the performance reports, called by ReadModel
// in the transaction that applies each event:
//   customers  CustomerCreated, …Updated   the customer's owner, industry, province, size band
//                                          and creation day: customer_groups and
//                                          customers_new_daily per owner, customer_cube and
//                                          customers_new_cube for everyone
//              CustomerDeleted             it counts no more
//              CustomerMerged, …Unmerged   the customers merged away count no more, and again
//                                          after an unmerge (the survivor's own changes do not
//                                          come with the merge event: its next update brings
//                                          them)
//   opportunities LeadConverted            one lead converted, for its owner, on the day
//   orders     OrderCreated, …Updated,     orders created, completed (the first day it reached
//              …StatusChanged              DELIVERED or COMPLETED) and cancelled per owner and
//                                          day; orders now per status (the gauge)
//   activities ActivityLogged, …Updated,   activities per performer and day of the activity
//              …Deleted
// Days are the company's calendar days (`zone`). Each *_facts row says what its customer adds, so
// applying an event twice changes nothing and a replay from zero (Reset) ends with the same
// figures.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "crm/events/v1/events.pb.h"
#include "libs/db/db.h"

namespace crm::analytics {

class PerformanceModel final {
 public:
  // `zone`: the company's time zone, whose calendar day a creation time falls on.
  explicit PerformanceModel(absl::TimeZone zone) : zone_(zone) {}

  // The customers feed's event types it needs beyond what ReadModel already reads.
  static std::vector<std::string> MoreCustomerTypes();
  static std::vector<std::string> MoreOpportunityTypes();
  // The orders and activities feeds' event types it reads.
  static std::vector<std::string> OrderTypes();
  static std::vector<std::string> ActivityTypes();

  // Events of other types change nothing here.
  absl::Status Apply(db::Transaction& tx, const events::v1::Event& event);
  // Clears what `feed` built here.
  absl::Status Reset(db::Transaction& tx, std::string_view feed);

 private:
  absl::Status ApplyCustomer(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyMerge(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyOrder(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyActivity(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyLeadConverted(db::Transaction& tx, const events::v1::Event& event);
  // The calendar day of `t` ("2026-03-01"), or of the event's time when `t` is unset.
  std::string DayOf(const google::protobuf::Timestamp& t, const events::v1::Event& event) const;

  const absl::TimeZone zone_;
};

}  // namespace crm::analytics
