// The reports' queries over the read model's aggregates (read_model.h), each with the
// caller's record rules ANDed into its WHERE (libs/records), so a figure the caller may not see
// is never added in.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "crm/analytics/v1/analytics.pb.h"
#include "libs/db/db.h"
#include "libs/records/access.h"

namespace crm::analytics {

// Who sees whose figures: SALES_REP own, SALES_MANAGER own and their teams', ADMIN and
// MARKETING all, SUPPORT none. Figures are only read.
const auth::RecordRules& FigureRules();

struct SalesQuery {
  absl::CivilDay first;
  absl::CivilDay last;
  v1::SalesGrouping group_by = v1::SALES_GROUPING_UNSPECIFIED;
  std::string owner;     // "" for all the caller may see
  std::string currency;  // "" for every currency
};

// Where a sales report over [first, last] reads won_cube: the monthly rows of the whole months
// (periods months_first..months_last, each a month's first day), and the daily rows of the
// days before and after them (head, tail). A range whose first day is after its last is empty.
// With `daily` (groupings by day or week) every day comes from the daily rows.
struct CubeRanges {
  absl::CivilDay months_first, months_last;
  absl::CivilDay head_first, head_last;
  absl::CivilDay tail_first, tail_last;
};
CubeRanges SplitPeriod(absl::CivilDay first, absl::CivilDay last, bool daily);

class ReportStore final {
 public:
  explicit ReportStore(db::Pool& pool) : pool_(pool) {}

  absl::StatusOr<v1::SalesReport> Sales(const records::Access& access, const SalesQuery& query);

 private:
  db::Pool& pool_;
};

}  // namespace crm::analytics
