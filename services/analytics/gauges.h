// Business gauges on /metrics, for the BI tools that scrape Prometheus: what the pipeline and
// this month's sales stand at, read from the read model's aggregates (never from the raw
// rows) by a periodic job. Labels are bounded: pipelines and stages (a pipeline has at most 30)
// and currencies.
//   crm_business_pipeline_amount{pipeline, stage, currency}   open deals' amount, major units
//   crm_business_pipeline_deals{pipeline, stage}              open deals
//   crm_business_won_amount_month{currency}                   won this month, major units
//   crm_business_won_deals_month                              deals won this month
//   crm_business_orders{status}                               orders now per status (at most
//                                                             the 11 OrderStatus names)
// Every replica exports the same figures: aggregate them with max, not sum (README).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"

namespace prometheus {
class Gauge;
template <typename T>
class Family;
class Registry;
}  // namespace prometheus

namespace crm::analytics {

class BusinessGauges final {
 public:
  BusinessGauges(db::Pool& pool, const Clock& clock, absl::TimeZone zone,
                 prometheus::Registry& registry);

  // Reads the aggregates and sets every gauge; a series whose figure is gone (a stage left
  // empty) is set to 0 rather than left at its last value. Thread-compatible: one job calls it.
  absl::Status Refresh();

 private:
  // Sets `family`'s series for each labels → value, and 0 for series set before but not now.
  void Publish(prometheus::Family<prometheus::Gauge>& family,
               const std::map<std::map<std::string, std::string>, double>& values,
               std::vector<std::map<std::string, std::string>>& seen);

  db::Pool& pool_;
  const Clock& clock_;
  const absl::TimeZone zone_;
  prometheus::Family<prometheus::Gauge>& pipeline_amount_;
  prometheus::Family<prometheus::Gauge>& pipeline_deals_;
  prometheus::Family<prometheus::Gauge>& won_amount_;
  prometheus::Family<prometheus::Gauge>& won_deals_;
  std::vector<std::map<std::string, std::string>> seen_amount_, seen_deals_, seen_won_;
  // Orders by status (the orders feed).
  prometheus::Family<prometheus::Gauge>& orders_;
  std::vector<std::map<std::string, std::string>> seen_orders_;
};

}  // namespace crm::analytics
