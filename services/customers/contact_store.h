// SQL for contacts, the people at a company customer ("customers/{c}/contacts/{id}"). A contact
// follows its customer's record rules: every read first reads the customer as the caller
// (CUSTOMER_NOT_FOUND when they may not), every write first locks it for writing
// (PERMISSION_DENIED when they may read but not change it). Locking the customer also
// serialises the contact writes of one customer, which keeps "exactly one primary contact"
// simple: the flag moves within the same transaction (and a unique key on the live primary
// backs it up). Each write also re-indexes the customer for search, records history and
// emits its Contact* event (and a ContactUpdated for a contact that lost or gained the flag).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "absl/status/statusor.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/api/list.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"
#include "libs/records/access.h"

namespace crm::customers {

class ContactStore final {
 public:
  ContactStore(db::Pool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

  // Filters: display_name, title, department, primary, create_time, update_time.
  static const api::ListSpec& ListSpec();

  // Normalises and checks a contact of `parent` (its region decides how phones are read).
  using Prepare = std::function<absl::Status(v1::Contact& contact, const v1::Customer& parent)>;

  // Adds `contact` to customer `customer_id` (a COMPANY the caller may change), after
  // `prepare` accepted it. The first live contact becomes primary.
  absl::StatusOr<v1::Contact> Create(const records::Access& access, int64_t customer_id,
                                     const v1::Contact& contact, const Prepare& prepare,
                                     const db::IdempotencyKey& key);
  // CONTACT_NOT_FOUND when the contact is missing, deleted or under another customer.
  absl::StatusOr<v1::Contact> Get(const records::Access& access, int64_t customer_id,
                                  int64_t contact_id);
  absl::StatusOr<api::Page<v1::Contact>> List(const records::Access& access, int64_t customer_id,
                                              const api::ListQuery& query);
  // `mutate` changes the stored contact (and validates it); PRIMARY_CONTACT_REQUIRED when it
  // clears the primary flag.
  absl::StatusOr<v1::Contact> Update(const records::Access& access, int64_t customer_id,
                                     int64_t contact_id, std::optional<int64_t> expected_version,
                                     const Prepare& mutate, const db::IdempotencyKey& key);
  absl::Status Delete(const records::Access& access, int64_t customer_id, int64_t contact_id,
                      std::optional<int64_t> expected_version, const db::IdempotencyKey& key);

 private:
  db::Pool& pool_;
  const Clock& clock_;
};

}  // namespace crm::customers
