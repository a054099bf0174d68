// crm-activities' own settings, besides the flags every service takes
// (libs/service/process.h) and where its peers are (libs/service/peers.h).
#pragma once

#include "absl/time/time.h"
#include "libs/config/config.h"

namespace crm::activities {

struct Options {
  // How long a call to the customers service (checking a record's customer) may take at most
  // (less when the caller's deadline is sooner).
  absl::Duration call_timeout = absl::Seconds(5);
  // Whether this process follows the customers and opportunities feeds (customer owners and
  // merges; follow-ups due become tasks).
  bool follow_feeds = true;
};

// Reads the flags (env CRM_<FLAG>).
Options ReadOptions(config::Flags& flags);

}  // namespace crm::activities
