// crm-opportunities' own settings (besides the flags every service takes,
// libs/service/process.h, and where its peers are, libs/service/peers.h): how long a call to
// customers or knowledge may take, the company's calendar, the scheduler's pace and the win
// model's minimum sample.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "libs/config/config.h"

namespace crm::opportunities {

struct Options {
  // How long a call to customers (customer checks, conversions) or the knowledge catalog
  // (products of interest) may take at most (less when the caller's deadline is sooner).
  absl::Duration call_timeout = absl::Seconds(5);
  // The company's time zone: what "today", close dates and periods mean.
  absl::TimeZone time_zone;
  std::string time_zone_name = "Asia/Shanghai";
  // For phone numbers of leads without a country.
  std::string default_phone_region = "CN";
  // Time between scheduler runs (follow-up rules, forecast snapshots) on each replica.
  absl::Duration scheduler_interval = absl::Minutes(1);
  // Closed deals a pipeline needs before the learned probability is shown.
  int min_learning_sample = 10;
  // Whether to follow the customers feed (merges, deletions) in this process.
  bool follow_customers = true;
};

// Reads the flags (env CRM_<FLAG>); an unknown time zone stops the process at start-up.
Options ReadOptions(config::Flags& flags);

}  // namespace crm::opportunities
