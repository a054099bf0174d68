// The leads gauge on /metrics, read from lead_status (funnel_model.h) by the
// business gauges' periodic job:
//   crm_business_leads{status}   leads per status now: NEW, CONTACTED, QUALIFIED, CONVERTED,
//                                DISQUALIFIED (every status always present, 0 when none)
// Every replica exports the same figures: aggregate with max, not sum (README).
#pragma once

#include "absl/status/status.h"
#include "libs/db/db.h"

namespace prometheus {
class Gauge;
template <typename T>
class Family;
class Registry;
}  // namespace prometheus

namespace crm::analytics {

class LeadGauge final {
 public:
  LeadGauge(db::Pool& pool, prometheus::Registry& registry);

  // Sets every status's series. Thread-compatible: one job calls it.
  absl::Status Refresh();

 private:
  db::Pool& pool_;
  prometheus::Family<prometheus::Gauge>& leads_;
};

}  // namespace crm::analytics
