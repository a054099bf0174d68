// The greeting scheduler: each round it asks the customers service for the yearly dates of
// the next lead days (ListUpcomingDates, as the activities service itself, in the company's
// time zone), plans a PENDING greeting for each from the templates (GreetingStore::Plan: once
// per person, occasion and year), and sends the ones due today through the mailer, each
// under a claim of the dispatch ledger (greeting_store.h).
//
// Replicas: every replica runs it. Planning is idempotent (the ledger's unique key) and each
// greeting is claimed alone before it is sent, so two replicas share the due greetings and
// never send one twice; no job-wide lease is needed, and a replica killed mid-send leaves
// one claim that another takes over once its lease lapses — unless the message had already
// gone to the SMTP server (the claim was committing), which becomes UNCERTAIN instead.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/mail/mail.h"
#include "libs/service/job.h"
#include "services/activities/greeting_store.h"

namespace grpc {
class Channel;
class CallCredentials;
}  // namespace grpc

namespace crm::activities {

// One upcoming yearly date, as the scheduler needs it.
struct UpcomingDate {
  int64_t customer_id = 0;
  int64_t contact_id = 0;  // 0: the customer's own
  Occasion occasion = Occasion::kBirthday;
  std::string label;
  absl::CivilDay next_date;
  int years = 0;
  std::string owner;  // "users/{id}"
  std::string customer_name;
  std::string contact_name;
  std::vector<std::string> emails;
  std::string language;  // empty: not known (the customers API has none yet)
};

class UpcomingDates {
 public:
  virtual ~UpcomingDates() = default;
  // Every date from today through today + `within_days` in `time_zone`.
  virtual absl::StatusOr<std::vector<UpcomingDate>> List(int within_days,
                                                         const std::string& time_zone) = 0;
};

// ListUpcomingDates on the customers service over `channel` with the service's own
// `credentials`, every page.
std::unique_ptr<UpcomingDates> CustomersUpcomingDates(
    std::shared_ptr<grpc::Channel> channel, std::shared_ptr<grpc::CallCredentials> credentials,
    absl::Duration call_timeout);

struct GreetingSettings {
  absl::Duration interval = absl::Minutes(10);
  int lead_days = 3;
  std::string time_zone = "Asia/Shanghai";
  std::string default_language = "zh";
  // How long a claim keeps others off a greeting being sent; longer than the mailer's
  // timeout, so a live sender always finishes within its lease.
  absl::Duration claim_lease = absl::Minutes(2);
  int max_attempts = 5;
  // Due greetings this late are still sent (a restart over midnight); older ones are not.
  int grace_days = 1;
  // Off when no mail server is configured: greetings are still planned (the reps see and
  // edit the drafts) but none is claimed, so none burns its attempts on a missing server.
  bool send = true;
};

class GreetingScheduler final {
 public:
  // INVALID_ARGUMENT when the time zone is unknown.
  static absl::StatusOr<std::unique_ptr<GreetingScheduler>> Create(GreetingStore& store,
                                                                   UpcomingDates& dates,
                                                                   mail::Mailer& mailer,
                                                                   const Clock& clock,
                                                                   GreetingSettings settings);

  // The company's date now.
  absl::CivilDay Today() const;
  // Plans a greeting for every upcoming date; the number newly planned.
  absl::StatusOr<int> Plan();
  // Sends what is due today; the number sent.
  absl::StatusOr<int> SendDue();
  // Both (SendDue only when settings.send), logging what failed (a round never throws the
  // job off).
  void RunRound();

 private:
  GreetingScheduler(GreetingStore& store, UpcomingDates& dates, mail::Mailer& mailer,
                    const Clock& clock, GreetingSettings settings, absl::TimeZone zone)
      : store_(store),
        dates_(dates),
        mailer_(mailer),
        clock_(clock),
        settings_(std::move(settings)),
        zone_(zone) {}
  // Sends one claimed greeting and records the outcome.
  absl::Status SendClaimed(const GreetingClaim& claim);

  GreetingStore& store_;
  UpcomingDates& dates_;
  mail::Mailer& mailer_;
  const Clock& clock_;
  const GreetingSettings settings_;
  const absl::TimeZone zone_;
};

// Runs the scheduler's rounds every `interval` on a thread of its own (Process::Run).
class GreetingJob final : public service::BackgroundJob {
 public:
  GreetingJob(GreetingScheduler& scheduler, absl::Duration interval)
      : scheduler_(scheduler), interval_(interval) {}
  ~GreetingJob() override { Stop(); }
  void Start() override;
  void Stop() override;

 private:
  GreetingScheduler& scheduler_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace crm::activities
