// The performance reports (analytics.proto): trends of won revenue by
// calendar bucket with their comparisons, the customer distribution. Each reads only aggregates
// kept by the feeds (won_cube, or won_daily for a trend filtered on both industry and province
// by a caller who sees some owners only; the distribution: customer_cube for a caller who sees
// every customer, customer_groups for the others, and customers_new_cube, or
// customers_new_daily for a filter on both industry and province by a caller who sees some
// owners only), with the caller's record rules ANDed into its WHERE, so its cost follows the
// period and the buckets asked for, not how many deals there are.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "crm/analytics/v1/analytics.pb.h"
#include "libs/db/db.h"
#include "libs/records/access.h"

namespace crm::analytics {

// One calendar bucket: "2026-03" from 2026-03-01 to 2026-03-31.
struct Bucket {
  std::string key;
  absl::CivilDay first;
  absl::CivilDay last;
};

// The bucket of `grouping` (DAY, WEEK, MONTH or QUARTER) that `day` falls in; keys as in
// SalesGrouping (ISO weeks "2026-W09").
Bucket BucketOf(absl::CivilDay day, v1::SalesGrouping grouping);
// The bucket just before `bucket`.
Bucket PreviousBucket(const Bucket& bucket, v1::SalesGrouping grouping);
// The same bucket a year earlier: the same date (29 February: 28 February), the week 52 weeks
// earlier, the same month or quarter of the year before.
Bucket YearAgoBucket(const Bucket& bucket, v1::SalesGrouping grouping);
// The change from `base` to `now` in basis points, rounded half away from zero; nullopt when
// the base is zero.
std::optional<int64_t> ChangeBasisPoints(int64_t now, int64_t base);

// Which groups a report adds up, besides the caller's rule. Empty strings do not filter.
struct FigureFilter {
  std::string owner;
  // Set when the request named a team: its current members (maybe none).
  std::optional<std::vector<std::string>> members;
  std::string industry;
  std::string province;
  std::string currency;
};

struct TrendQuery {
  absl::CivilDay first;
  absl::CivilDay last;
  v1::SalesGrouping bucket = v1::SALES_GROUPING_UNSPECIFIED;
  FigureFilter filter;
};

struct DistributionQuery {
  absl::CivilDay first;  // the period of the new-customer buckets
  absl::CivilDay last;
  v1::SalesGrouping bucket = v1::SALES_GROUPING_UNSPECIFIED;
  FigureFilter filter;  // currency unused
};

class PerformanceReports final {
 public:
  explicit PerformanceReports(db::Pool& pool) : pool_(pool) {}

  absl::StatusOr<v1::TrendReport> Trends(const records::Access& access, const TrendQuery& query);
  absl::StatusOr<v1::CustomerDistribution> Distribution(const records::Access& access,
                                                        const DistributionQuery& query);

 private:
  db::Pool& pool_;
};

}  // namespace crm::analytics
