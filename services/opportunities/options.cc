#include "services/opportunities/options.h"

#include "libs/log/log.h"

namespace crm::opportunities {

Options ReadOptions(config::Flags& flags) {
  Options options;
  options.call_timeout = flags.Duration("call_timeout", options.call_timeout,
                                        "longest call to the customers or knowledge service",
                                        absl::Milliseconds(100), absl::Minutes(1));
  options.time_zone_name = flags.String(
      "time_zone", options.time_zone_name,
      "the company's time zone (IANA name): today, close dates and forecast periods");
  options.default_phone_region =
      flags.String("default_phone_region", options.default_phone_region,
                   "region for national-format phone numbers of leads without a country");
  options.scheduler_interval =
      flags.Duration("scheduler_interval", options.scheduler_interval,
                     "time between follow-up and snapshot runs of the scheduler",
                     absl::Milliseconds(50), absl::Hours(24));
  options.min_learning_sample =
      flags.Int("min_learning_sample", options.min_learning_sample,
                "closed deals a pipeline needs before its learned win probability is shown", 2,
                1000000);
  options.follow_customers = flags.Bool(
      "follow_customers", options.follow_customers,
      "follow the customers feed (merges re-point leads and opportunities, deletions flag them)");
  if (!absl::LoadTimeZone(options.time_zone_name, &options.time_zone)) {
    log::Fatal("--time_zone", {{"error", "unknown time zone"}, {"value", options.time_zone_name}});
  }
  return options;
}

}  // namespace crm::opportunities
