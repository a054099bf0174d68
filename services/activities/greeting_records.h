// The rep's side of the greetings (GreetingService): each greeting read, listed and changed
// under the record rules of its customer's owner, as activities are (the owner customer_owners
// keeps from the customers feed; the owner the greeting was planned with until the feed has
// one), in SQL through the owned-record kit. The scheduler's side, the dispatch ledger, is
// greeting_store.h; both guard state changes on the same row lock, so an edit or a skip and a
// claim never both win.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "crm/activities/v1/activities.pb.h"
#include "libs/api/list.h"
#include "libs/auth/visibility.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"
#include "libs/records/access.h"
#include "libs/records/owned.h"

namespace crm::activities {

// Greetings' record rules: the customers' (read: a rep their own, a manager their teams',
// admin all; write: the same, marketing its own), except that MARKETING reads every greeting
// (the company's voice to its customers) and SUPPORT none (after-sales has no part in them).
const auth::RecordRules& GreetingRules();

// The greeting `id` as the API shows it, whoever asks (for the scheduler's events).
// INTERNAL when it does not exist.
absl::StatusOr<v1::Greeting> ReadGreetingMessage(db::Session& session, int64_t id);

class GreetingRecords final {
 public:
  GreetingRecords(db::Pool& pool, const Clock& clock);

  // ListUpcomingGreetings' filter fields (state, send_date) and order (send_date, id).
  static const api::ListSpec& ListSpec();

  // GREETING_NOT_FOUND when the caller may not read it.
  absl::StatusOr<v1::Greeting> Get(const records::Access& access, int64_t id);
  absl::StatusOr<api::Page<v1::Greeting>> List(const records::Access& access,
                                               const api::ListQuery& query);
  // New wording (already checked) of a PENDING greeting at `expected_version` (when given).
  // GREETING_NOT_PENDING (FAILED_PRECONDITION) in any other state, ETAG_MISMATCH at another
  // version, PERMISSION_DENIED when the caller may read but not change it.
  absl::StatusOr<v1::Greeting> Edit(const records::Access& access, int64_t id,
                                    std::optional<int64_t> expected_version,
                                    const std::optional<std::string>& subject,
                                    const std::optional<std::string>& body,
                                    const db::IdempotencyKey& key);
  // PENDING → SKIPPED with `reason` and GreetingSkipped, in one transaction; a SKIPPED one is
  // answered as it is. Otherwise as Edit.
  absl::StatusOr<v1::Greeting> Skip(const records::Access& access, int64_t id,
                                    std::optional<int64_t> expected_version,
                                    const std::string& reason, const db::IdempotencyKey& key);

 private:
  db::Pool& pool_;
  const Clock& clock_;
  const records::OwnedRecords greetings_;
};

}  // namespace crm::activities
