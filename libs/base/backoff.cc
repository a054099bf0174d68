#include "libs/base/backoff.h"

#include <algorithm>
#include <random>

namespace crm {

absl::Duration Backoff(int attempts, absl::Duration initial, absl::Duration max) {
  absl::Duration delay = initial;
  for (int i = 1; i < attempts && delay < max; ++i) delay *= 2;
  delay = std::min(delay, max);
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_real_distribution<double> share(0.5, 1.0);
  return delay * share(random);
}

}  // namespace crm
