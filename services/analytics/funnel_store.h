// The funnel, forecast and win/loss reports' queries over the aggregates of funnel_model.h,
// each with the caller's record rules (FigureRules) ANDed into its WHERE, as ReportStore does.
// The funnel reads lead_cube and stage_cube as the sales report reads won_cube: whole months
// from monthly rows, cut days from daily rows, everyone's rows for a caller who sees every
// figure and names no owner.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "crm/analytics/v1/analytics.pb.h"
#include "libs/api/periods.h"
#include "libs/db/db.h"
#include "libs/records/access.h"

namespace crm::analytics {

// The bottleneck's default minimum of entries (FunnelReport.bottleneck).
inline constexpr int kDefaultMinEntries = 5;

struct FunnelQuery {
  absl::CivilDay first;
  absl::CivilDay last;
  std::string pipeline;  // "" for the default pipeline
  std::string owner;     // "" for all the caller may see
  int min_entries = kDefaultMinEntries;
  // Read lead_daily and stage_daily row by row over the period instead of the cubes' months
  // and cut days (schema/008): the same figures, for checking the cubes against (tests,
  // crm-reportbench). The service never sets it.
  bool daily_rows = false;
};

struct ForecastQuery {
  api::Period period;
  absl::CivilDay today;  // the projection's day, in the company's time zone
  std::string owner;
};

struct WinLossQuery {
  absl::CivilDay first;
  absl::CivilDay last;
  std::string owner;
};

// p90 read from a time-in-stage histogram (funnel_model.h's buckets): the upper bound of the
// bucket holding the ceil(0.9 n)-th shortest stay; `open_ended` when that is the last bucket
// (then its lower bound). 0 for an empty histogram.
int64_t P90Seconds(const int64_t (&buckets)[10], bool* open_ended);

// part / whole in basis points, rounded half away from zero; 0 when whole is 0.
int32_t BasisPoints(int64_t part, int64_t whole);

// The linear trend of `closed` to the end of `period` as seen on `today` (analytics.proto,
// ForecastFigures.projection).
int64_t Projection(int64_t closed, const api::Period& period, absl::CivilDay today);

class FunnelStore final {
 public:
  explicit FunnelStore(db::Pool& pool) : pool_(pool) {}

  // NOT_FOUND when the named pipeline is not known.
  absl::StatusOr<v1::FunnelReport> Funnel(const records::Access& access, const FunnelQuery& query);
  absl::StatusOr<v1::ForecastReport> Forecast(const records::Access& access,
                                              const ForecastQuery& query);
  absl::StatusOr<v1::WinLossReport> WinLoss(const records::Access& access,
                                            const WinLossQuery& query);

 private:
  db::Pool& pool_;
};

}  // namespace crm::analytics
