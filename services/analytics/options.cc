#include "services/analytics/options.h"

#include "libs/log/log.h"

namespace crm::analytics {

Options ReadOptions(config::Flags& flags) {
  Options options;
  options.time_zone_name =
      flags.String("time_zone", options.time_zone_name,
                   "the company's time zone (IANA name): the month of the revenue gauges");
  options.gauge_interval = flags.Duration("gauge_interval", options.gauge_interval,
                                          "time between two readings of the business gauges",
                                          absl::Milliseconds(50), absl::Hours(1));
  if (!absl::LoadTimeZone(options.time_zone_name, &options.time_zone)) {
    log::Fatal("--time_zone", {{"error", "unknown time zone"}, {"value", options.time_zone_name}});
  }
  return options;
}

}  // namespace crm::analytics
