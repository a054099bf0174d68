// SQL for customers: every statement is a named constant in store_sql.h, every value bound.
// Writes run in one transaction with their outbox event and idempotency record.
//
// Record-level access is enforced here, in SQL: every read and write ANDs in
// auth::VisibleRows for the caller, so a customer the caller may not read is never
// returned, listed, matched by a filter or counted (it is CUSTOMER_NOT_FOUND, as if it
// did not exist), and one they may read but not write is PERMISSION_DENIED.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/api/query.h"
#include "libs/auth/principal.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"

namespace crm::customers {

class CustomerStore final {
 public:
  explicit CustomerStore(db::Pool& pool) : pool_(pool) {}

  // The filter/order whitelist for ListCustomers.
  static const api::ResourceFields& Fields();

  // Inserts a validated customer, with the owner and creator it carries (the service
  // decides those). A retry with the same key returns the first result.
  absl::StatusOr<v1::Customer> Create(const v1::Customer& customer, const db::IdempotencyKey& key);

  // NOT_FOUND (CUSTOMER_NOT_FOUND) when missing, deleted or not readable by `caller`.
  absl::StatusOr<v1::Customer> Get(const auth::Principal& caller, int64_t id);

  struct Page {
    std::vector<v1::Customer> customers;
    std::vector<db::Value> last_key;  // keyset position of the last customer, when more follow
    bool has_more = false;
  };
  // One page of the live customers `caller` may read that match `filter`, in `order`,
  // after `after` (if given).
  absl::StatusOr<Page> List(const auth::Principal& caller, const api::SqlFragment& filter,
                            const std::vector<api::OrderTerm>& order,
                            const std::vector<db::Value>* after, int page_size);

  // Locks the customer if `caller` may read it (else CUSTOMER_NOT_FOUND), checks that they
  // may write it (else PERMISSION_DENIED), checks `expected_version` (ABORTED,
  // ETAG_MISMATCH when stale), lets `mutate` change it (its error aborts the update; it
  // sees the stored customer, so it can judge an owner change), and writes it back.
  // `caller` must have its team_members resolved when it is a manager (TeamMembers).
  using Mutation = std::function<absl::Status(const v1::Customer& current, v1::Customer& updated)>;
  absl::StatusOr<v1::Customer> Update(const auth::Principal& caller, int64_t id,
                                      std::optional<int64_t> expected_version,
                                      const Mutation& mutate, const db::IdempotencyKey& key);

  // Soft-deletes, with the same checks as Update: the row stays for history but is
  // invisible to every read.
  absl::Status Delete(const auth::Principal& caller, int64_t id,
                      std::optional<int64_t> expected_version, const db::IdempotencyKey& key);

 private:
  // Locks a live customer `caller` may read and write (see Update).
  absl::StatusOr<db::Row> LockWritable(db::Transaction& tx, const auth::Principal& caller,
                                       int64_t id);

  db::Pool& pool_;
};

}  // namespace crm::customers
