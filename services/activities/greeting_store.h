// Greetings and their dispatch ledger (schema/003_greetings.sql). A greeting is one row per
// person (customer, or contact), occasion and year. It is planned PENDING with its first draft
// when the date comes within the lead time, and moves only through guarded single-row UPDATEs:
//
//   PENDING --Claim--> SENDING --BeginCommit--> (committing) --Finish--> SENT | FAILED
//      |                  | lease lapses before committing: claimable again (PENDING's way)
//      |                  | lease lapses while committing:  UNCERTAIN, never sent again
//      +--Skip--> SKIPPED (never sent that year)        a transient failure: PENDING again
//         (the rep's SkipGreeting and rewording are greeting_records.h's)
//
// Two replicas can race for the same row; the UPDATE's WHERE decides which one wins (InnoDB
// locks the row), so at most one holds a live claim, and only the holder's token can move it
// on. The claim is recorded in its own committed transaction BEFORE anything is sent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "services/activities/templates.h"

namespace crm::activities {

enum class GreetingState : int {
  kPending = 1,
  kSkipped = 2,
  kSending = 3,
  kSent = 4,
  kFailed = 5,
  kUncertain = 6,
};

// A greeting to be, from one upcoming yearly date.
struct PlannedGreeting {
  int64_t customer_id = 0;
  int64_t contact_id = 0;  // 0: the customer's own date
  Occasion occasion = Occasion::kBirthday;
  std::string occasion_label;  // custom dates: their label
  absl::CivilDay send_date;    // the date's next occurrence (its year is the ledger's year)
  int years = 0;
  std::string owner;  // "users/{id}": the rep who sees and may edit it
  std::string recipient_name;
  std::string recipient_email;  // empty: nobody to send to (FAILED when due)
  std::string language;         // "zh" or "en"
  std::string subject;
  std::string body;
};

struct Greeting {
  int64_t id = 0;
  PlannedGreeting planned;
  GreetingState state = GreetingState::kPending;
  int attempts = 0;
  bool edited = false;
  std::string last_error;
  absl::Time sent_time = absl::InfinitePast();
  int64_t version = 0;
};

// A live claim: who holds it (a random token per attempt) and until when.
struct GreetingClaim {
  int64_t id = 0;
  std::string token;
};

class GreetingStore final {
 public:
  GreetingStore(db::Pool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

  // Writes `g` unless its person, occasion and year have a greeting already (whatever its
  // state: a skipped or sent one stays as it is). True when written.
  absl::StatusOr<bool> Plan(const PlannedGreeting& g);

  absl::StatusOr<Greeting> Get(int64_t id);
  // `owner`'s greetings (every owner's when empty) to be sent from `from` on, by send date.
  absl::StatusOr<std::vector<Greeting>> Upcoming(const std::string& owner, absl::CivilDay from,
                                                 int limit);

  // The greetings due from `from` through `today` that may be claimed now: PENDING, or
  // SENDING whose claim lapsed before it committed. At most `limit`, oldest first.
  absl::StatusOr<std::vector<int64_t>> Due(absl::CivilDay from, absl::CivilDay today, int limit);
  // Claims `id` for `lease`: true when this caller won it (and holds `claim`), false when it
  // is not claimable (someone else holds it, or it is no longer due).
  absl::StatusOr<bool> Claim(int64_t id, absl::Duration lease, GreetingClaim* claim);
  // The last step before the SMTP server may accept the message: records that the claim is
  // committing. ABORTED (GREETING_CLAIM_LOST) when the claim is no longer this holder's or
  // its lease has run out (another replica may take it over): then nothing may be sent.
  absl::Status BeginCommit(const GreetingClaim& claim);
  // The send's outcome: SENT, with the GreetingSent event in the same transaction; or, for
  // `error`: UNCERTAIN when the mailer cannot tell whether
  // the server accepted it (mail::kOutcomeUnknownReason), FAILED when it is permanent or
  // attempts reached `max_attempts`, else PENDING again (retried on a later round). Also
  // from UNCERTAIN (the lease lapsed while the answer was on its way).
  absl::Status Finish(const GreetingClaim& claim, const absl::Status& error, int max_attempts);
  // Claims that lapsed while committing become UNCERTAIN (their message may have been
  // accepted: sending it again could greet someone twice). The number changed.
  absl::StatusOr<int64_t> MarkLapsedCommitsUncertain();

 private:
  db::Pool& pool_;
  const Clock& clock_;
};

}  // namespace crm::activities
