// The customer timeline's SQL: the other services' events about a customer kept as
// `timeline_entries` (written by TimelineFeed in the event's transaction, once per event),
// and one keyset-paged read of those entries together with the customer's live activities.
// Who may read a customer's timeline is decided here too, from `customer_owners` (the
// customers' record rules, as for activities).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/activities/v1/activities.pb.h"
#include "libs/api/list.h"
#include "libs/db/db.h"
#include "libs/records/access.h"

namespace crm::activities {

// One event about a customer, as the timeline keeps it.
struct NewTimelineEntry {
  int64_t customer_id = 0;
  v1::TimelineEntry::Kind kind = v1::TimelineEntry::KIND_UNSPECIFIED;
  absl::Time time;
  std::string title;
  std::string detail;
  std::string resource;
  std::string actor;
  std::string currency;  // "" when there is no amount
  int64_t amount_minor = 0;
  std::string source_event;  // the event's id: one entry per event
};

class TimelineStore final {
 public:
  explicit TimelineStore(db::Pool& pool) : pool_(pool) {}

  // What GetCustomerTimeline pages by (newest first); there is no filter.
  static const api::ListSpec& ListSpec();

  // The owner this service knows for `customer_id` (customer_owners), nullopt when it has not
  // heard of the customer yet.
  absl::StatusOr<std::optional<std::string>> KnownOwner(int64_t customer_id);

  // One page of the customer's timeline. The caller has been checked (see
  // TimelineService): this reads every entry of the customer.
  absl::StatusOr<api::Page<v1::TimelineEntry>> Page(int64_t customer_id,
                                                    const api::ListQuery& query);

  // ---- For the feeds, inside the event's transaction.
  // Adds the entry; nothing when its event added one already.
  absl::Status Add(db::Transaction& tx, const NewTimelineEntry& entry);
  // Moves the entries of `merged_id` to `survivor_id` (remembered), or back when undoing.
  absl::Status Repoint(db::Transaction& tx, int64_t survivor_id, int64_t merged_id);
  absl::Status Unrepoint(db::Transaction& tx, int64_t survivor_id, int64_t merged_id);

 private:
  db::Pool& pool_;
};

}  // namespace crm::activities
