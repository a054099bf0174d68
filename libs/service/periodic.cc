#include "libs/service/periodic.h"

#include "libs/log/log.h"

namespace crm::service {

void PeriodicJob::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void PeriodicJob::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void PeriodicJob::Loop() {
  while (true) {
    if (absl::Status status = pass_(); !status.ok()) {
      log::Warn("background pass failed", {{"job", name_}, {"error", status.ToString()}});
    }
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithTimeout(absl::Condition(&stop_), interval_)) return;
  }
}

}  // namespace crm::service
