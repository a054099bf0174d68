// SQL for quotas, forecasts, the pipeline summary and forecast snapshots (forecast_sql.h).
// Forecasts and summaries count only the opportunities the caller may read (the table's read
// rule is ANDed into every aggregate); whose opportunities count (an owner, a team) the
// service decides first.
//
// Snapshots are the scheduler's: once a day per period (the current month and quarter), the
// first replica to record the run in snapshot_runs takes it, in the same transaction, for
// every owner — so replicas never take one twice, and a crash takes none.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"
#include "libs/records/access.h"
#include "services/opportunities/opportunity_store.h"
#include "libs/api/periods.h"

namespace crm::opportunities {

class ForecastStore final {
 public:
  ForecastStore(db::Pool& pool, const Clock& clock, absl::TimeZone zone,
                const OpportunityStore& opportunities)
      : pool_(pool), clock_(clock), zone_(zone), opportunities_(opportunities) {}

  // Sets `owner`'s quota for `period` in `currency` to `amount_minor` (replacing it).
  absl::StatusOr<v1::Quota> SetQuota(const std::string& owner, const api::Period& period,
                                     const std::string& currency, int64_t amount_minor,
                                     std::string_view actor, const db::IdempotencyKey& key);
  // The quotas of `owners`, of `period` only unless it is "".
  absl::StatusOr<std::vector<v1::Quota>> ListQuotas(const std::vector<std::string>& owners,
                                                    std::string_view period);

  // The totals of `owners`' opportunities that the caller may read, in `period`.
  absl::StatusOr<v1::Forecast> Forecast(const records::Access& access,
                                        const std::vector<std::string>& owners,
                                        const api::Period& period);
  // Pipeline `pipeline_id` by stage, over the opportunities the caller may read (of `owners`
  // only, when given).
  absl::StatusOr<v1::PipelineSummary> Summary(const records::Access& access, int64_t pipeline_id,
                                              const std::optional<std::vector<std::string>>& owners);

  // Takes today's snapshots of the current month and quarter that no replica took yet; how
  // many periods it took.
  absl::StatusOr<int> TakeSnapshots(absl::Time now);
  // The snapshots of `period`, summed over `owners`, oldest first.
  absl::StatusOr<std::vector<v1::ForecastSnapshot>> Snapshots(
      const std::vector<std::string>& owners, const api::Period& period);

 private:
  db::Pool& pool_;
  const Clock& clock_;
  const absl::TimeZone zone_;
  const OpportunityStore& opportunities_;
};

}  // namespace crm::opportunities
