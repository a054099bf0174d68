// crm-analytics' own settings, besides the flags every service takes (libs/service/process.h).
#pragma once

#include <string>

#include "absl/time/time.h"
#include "libs/config/config.h"

namespace crm::analytics {

struct Options {
  // The company's time zone: what "this month" is for the revenue gauges.
  std::string time_zone_name = "Asia/Shanghai";
  absl::TimeZone time_zone;
  // How often the business gauges on /metrics are read from the aggregates.
  absl::Duration gauge_interval = absl::Seconds(30);
};

// Reads the flags (env CRM_<FLAG>); an unknown time zone stops the process.
Options ReadOptions(config::Flags& flags);

}  // namespace crm::analytics
