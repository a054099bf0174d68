// SQL for customers: every statement is a named constant in store.cc, every value bound.
// Writes run in one transaction with their outbox event and idempotency record.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/api/query.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"

namespace crm::customers {

class CustomerStore final {
 public:
  explicit CustomerStore(db::Pool& pool) : pool_(pool) {}

  // The filter/order whitelist for ListCustomers.
  static const api::ResourceFields& Fields();

  // Inserts a validated customer. A retry with the same key returns the first result.
  absl::StatusOr<v1::Customer> Create(const v1::Customer& customer, const db::IdempotencyKey& key);

  // NOT_FOUND (CUSTOMER_NOT_FOUND) when missing or deleted.
  absl::StatusOr<v1::Customer> Get(int64_t id);

  struct Page {
    std::vector<v1::Customer> customers;
    std::vector<db::Value> last_key;  // keyset position of the last customer, when more follow
    bool has_more = false;
  };
  // One page of live customers matching `filter`, in `order`, after `after` (if given).
  absl::StatusOr<Page> List(const api::SqlFragment& filter, const std::vector<api::OrderTerm>& order,
                            const std::vector<db::Value>* after, int page_size);

  // Locks the customer, checks `expected_version` (ABORTED, ETAG_MISMATCH when stale),
  // lets `mutate` change it (its error aborts the update), and writes it back.
  using Mutation = std::function<absl::Status(v1::Customer&)>;
  absl::StatusOr<v1::Customer> Update(int64_t id, std::optional<int64_t> expected_version,
                                      const Mutation& mutate, const db::IdempotencyKey& key);

  // Soft-deletes: the row stays for history but is invisible to every read.
  absl::Status Delete(int64_t id, std::optional<int64_t> expected_version,
                      const db::IdempotencyKey& key);

 private:
  // Runs `body` in a transaction, again when a concurrent first call with the same
  // request_id won the race (its replay is then found).
  absl::Status InIdempotentTransaction(const std::function<absl::Status(db::Transaction&)>& body);

  db::Pool& pool_;
};

}  // namespace crm::customers
