// ListUpcomingDates: the relationship dates of readable customers and their live contacts whose
// next occurrence falls in a window of days, in date order. The window is read a week at a
// time: the days' Gregorian and lunar (month, day) pairs find the candidate rows by index
// (relationship_dates_by_day), dates.h works out each candidate's exact occurrence, and a page
// stops as soon as it is full, so memory is bounded by one week of dates whatever the window.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/api/list.h"
#include "libs/db/db.h"

namespace crm::customers {

class UpcomingDatesStore final {
 public:
  explicit UpcomingDatesStore(db::Pool& pool) : pool_(pool) {}

  // Where a page ends: the occurrence (days since 1970-01-01) and the date row's customer,
  // contact and row ids.
  struct Key {
    int64_t day = 0;
    int64_t customer_id = 0;
    int64_t contact_id = 0;
    int64_t row_id = 0;
    friend auto operator<=>(const Key&, const Key&) = default;
  };
  struct Query {
    absl::CivilDay first;  // the window, both days included
    absl::CivilDay last;
    api::SqlFragment rule;  // the caller's read rule on c.owner ("TRUE": every customer)
    int page_size = 100;
    std::optional<Key> after;
  };
  struct Page {
    std::vector<v1::UpcomingDate> dates;
    std::optional<Key> last;  // set when another page follows
  };

  absl::StatusOr<Page> List(const Query& query);

 private:
  db::Pool& pool_;
};

}  // namespace crm::customers
