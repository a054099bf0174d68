// The staff ranking (analytics.proto): per owner, a period's revenue, won deals,
// new customers, leads converted, activities, order completion and quota attainment, each
// read from an aggregate the feeds keep per owner and day (won_cube, customers_new_daily,
// owner_daily, quotas), ranked by one figure beside the ranks of the previous period. Its cost
// follows the owners and days in the period, never the number of deals or orders.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "crm/analytics/v1/analytics.pb.h"
#include "libs/db/db.h"
#include "libs/records/access.h"

namespace crm::analytics {

struct RankingQuery {
  absl::CivilDay first;
  absl::CivilDay last;
  std::string currency;  // revenue's and quota's, required
  v1::RankingMetric rank_by = v1::RANK_BY_REVENUE;
};

// Who is ranked and which rows come back.
struct RankedPeople {
  // The people ranked, with or without figures; nullopt: every owner with a figure (quota
  // included) in either period that the caller's rule lets through.
  std::optional<std::vector<std::string>> people;
  // Whether the caller's record rule narrows the figures read. Off only for a rep's team,
  // read as the service itself; `only` then says which row the caller gets.
  bool apply_rule = true;
  // "users/{id}": the only row returned (a rep's own); "" for every row.
  std::string only;
};

// One owner's figures over one period.
struct StaffFigures {
  int64_t revenue = 0;  // minor units of the query's currency
  int64_t won_deals = 0;
  int64_t new_customers = 0;
  int64_t leads_converted = 0;
  int64_t activities = 0;
  int64_t orders_completed = 0;
  int64_t orders_cancelled = 0;
  std::optional<int64_t> quota;  // minor units; nullopt when none is set
};

// The period the previous ranks are over: the calendar month, quarter or year before when
// [first, last] is exactly one of those, else the same number of days just before `first`.
std::pair<absl::CivilDay, absl::CivilDay> PreviousPeriod(absl::CivilDay first, absl::CivilDay last);
// The quota period [first, last] is ("2026-03", "2026-Q1", "2026"); "" when it is none.
std::string QuotaPeriodKey(absl::CivilDay first, absl::CivilDay last);
// part / whole in basis points, rounded half away from zero (clamped to int32); nullopt when
// `whole` is 0.
std::optional<int32_t> ShareBasisPoints(int64_t part, int64_t whole);
// The figure `metric` ranks by; nullopt when the owner has none (a rate without a base).
std::optional<int64_t> RankedFigure(const StaffFigures& figures, v1::RankingMetric metric);
// Competition ranks ("1224") of `figures` (owner, figure): 1 + the number of strictly greater
// figures; those without a figure share the rank after everyone with one.
std::map<std::string, int32_t> CompetitionRanks(
    const std::vector<std::pair<std::string, std::optional<int64_t>>>& figures);

class StaffRankings final {
 public:
  explicit StaffRankings(db::Pool& pool) : pool_(pool) {}

  absl::StatusOr<v1::StaffRanking> Rank(const records::Access& access, const RankedPeople& people,
                                        const RankingQuery& query);

 private:
  // Every owner's figures over [first, last] under `people`'s condition.
  absl::StatusOr<std::map<std::string, StaffFigures>> Figures(
      db::Session& session, const records::Access& access, const RankedPeople& people,
      absl::CivilDay first, absl::CivilDay last, const std::string& currency);

  db::Pool& pool_;
};

}  // namespace crm::analytics
