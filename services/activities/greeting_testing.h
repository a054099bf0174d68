// Test doubles of the greetings' outside world, for the tests beside the code: the customers'
// upcoming dates held in memory, and a mailer that only counts.
#pragma once

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "libs/mail/mail.h"
#include "services/activities/greeting_job.h"

namespace crm::activities::testing {

class FakeDates final : public UpcomingDates {
 public:
  void Add(UpcomingDate d) {
    absl::MutexLock lock(&mu_);
    dates_.push_back(std::move(d));
  }
  absl::StatusOr<std::vector<UpcomingDate>> List(int within_days,
                                                 const std::string& time_zone) override {
    absl::MutexLock lock(&mu_);
    last_within_days_ = within_days;
    last_time_zone_ = time_zone;
    return dates_;
  }
  int last_within_days() {
    absl::MutexLock lock(&mu_);
    return last_within_days_;
  }
  std::string last_time_zone() {
    absl::MutexLock lock(&mu_);
    return last_time_zone_;
  }

 private:
  absl::Mutex mu_;
  std::vector<UpcomingDate> dates_ ABSL_GUARDED_BY(mu_);
  int last_within_days_ ABSL_GUARDED_BY(mu_) = -1;
  std::string last_time_zone_ ABSL_GUARDED_BY(mu_);
};

// Accepts every message (running the commit hook as a server would) and counts them.
class CountingMailer final : public mail::Mailer {
 public:
  absl::Status Send(const mail::Message& message,
                    const std::function<absl::Status()>& before_commit) override {
    if (before_commit) {
      if (absl::Status s = before_commit(); !s.ok()) return s;
    }
    absl::MutexLock lock(&mu_);
    sent_.push_back(message);
    return absl::OkStatus();
  }
  std::vector<mail::Message> sent() {
    absl::MutexLock lock(&mu_);
    return sent_;
  }

 private:
  absl::Mutex mu_;
  std::vector<mail::Message> sent_ ABSL_GUARDED_BY(mu_);
};

}  // namespace crm::activities::testing
