// SQL for customers: every statement is a named constant (store_sql.h, customer_rows.cc),
// every value bound. Writes run in one transaction with their child rows, relationship-date
// rows, search document, history rows, outbox event and idempotency record.
//
// Record-level access is the owned-record kit's (libs/records): every read and write ANDs in
// the caller's rules, so a customer the caller may not read is never returned, listed,
// matched by a filter or counted (it is CUSTOMER_NOT_FOUND, as if it did not exist), one they
// may read but not write is PERMISSION_DENIED, and an owner change is checked with the same
// Access before it is written.
//
// The duplicate rules (duplicates.h) are checked inside the write's transaction: a create, or
// an update that adds an e-mail, a phone or a company name, that matches other live customers
// is DUPLICATE_CUSTOMER unless allowed, and an allowed one is recorded in the history.
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
#include "libs/records/owned.h"
#include "libs/records/owner_checks.h"

namespace crm::customers {

class CustomerStore final {
 public:
  CustomerStore(db::Pool& pool, const Clock& clock);

  // What ListCustomers accepts: the filter/order whitelist, the default order and page sizes.
  // Search, export and FindDuplicates take the same filters.
  static const api::ListSpec& ListSpec();

  // Inserts a validated customer owned by customer.owner(), created by the caller; an owner
  // other than the caller must be one the caller may give records to. A retry with the same
  // key returns the first result.
  absl::StatusOr<v1::Customer> Create(const records::Access& access, const v1::Customer& customer,
                                      bool allow_duplicate, const db::IdempotencyKey& key);

  // CUSTOMER_NOT_FOUND when missing, deleted, merged away or not readable by the caller.
  absl::StatusOr<v1::Customer> Get(const records::Access& access, int64_t id);

  // One page of the live customers the caller may read that match the query.
  absl::StatusOr<api::Page<v1::Customer>> List(const records::Access& access,
                                               const api::ListQuery& query);

  // Locks the customer (CUSTOMER_NOT_FOUND unless readable, PERMISSION_DENIED unless
  // writable), checks `expected_version` (ABORTED, ETAG_MISMATCH when stale), lets `mutate`
  // change it (its error aborts the update), checks the duplicate rules and an owner change,
  // and writes it back. A new owner must be in `owners`, looked up before this call: no call
  // to another service is made while the row is locked.
  using Mutation = std::function<absl::Status(v1::Customer& updated)>;
  absl::StatusOr<v1::Customer> Update(const records::Access& access, int64_t id,
                                      std::optional<int64_t> expected_version,
                                      const Mutation& mutate, bool allow_duplicate,
                                      const records::OwnerChecks& owners,
                                      const db::IdempotencyKey& key);

  // Soft-deletes, with the same checks as Update: the row stays for history but is
  // invisible to every read, and leaves the search index.
  absl::Status Delete(const records::Access& access, int64_t id,
                      std::optional<int64_t> expected_version, const db::IdempotencyKey& key);

  // Brings rows written before the service's current sql::kDerivedVersion up to date (company
  // match keys, search documents), 200 per transaction; one replica at a time (a named lock:
  // a replica that finds it taken leaves the work to the holder). How many rows it updated.
  absl::StatusOr<int64_t> RefreshDerivedData();

 private:
  db::Pool& pool_;
  const Clock& clock_;
};

}  // namespace crm::customers
