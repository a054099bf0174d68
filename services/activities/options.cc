#include "services/activities/options.h"

namespace crm::activities {

Options ReadOptions(config::Flags& flags) {
  Options options;
  options.call_timeout = flags.Duration("call_timeout", options.call_timeout,
                                        "longest call to the customers service",
                                        absl::Milliseconds(100), absl::Minutes(1));
  options.follow_feeds = flags.Bool(
      "follow_feeds", options.follow_feeds,
      "follow the customers feed (owners, merges) and the opportunities feed (follow-ups due)");
  return options;
}

}  // namespace crm::activities
