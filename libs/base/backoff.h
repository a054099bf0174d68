// How long to wait before trying a failed delivery again: exponential with jitter, so that
// deliveries that failed together (a receiver down for a minute) do not all come back at the
// same instant. Shared by every retrying sender (orders' relay, activities' notifications).
#pragma once

#include "absl/time/time.h"

namespace crm {

// The delay before attempt `attempts + 1` after `attempts` failures: initial ×
// 2^(attempts − 1), at most `max`, drawn from [d/2, d]. Thread-safe.
absl::Duration Backoff(int attempts, absl::Duration initial, absl::Duration max);

}  // namespace crm
