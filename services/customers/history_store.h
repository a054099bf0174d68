// ListCustomerHistory: the history rows of a customer the caller may read, and of the customers
// merged into it, newest first (history.h and customer_rows.h write them).
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/api/list.h"
#include "libs/db/db.h"
#include "libs/records/access.h"

namespace crm::customers {

class HistoryStore final {
 public:
  explicit HistoryStore(db::Pool& pool) : pool_(pool) {}

  // Filters: resource, field, action, source, actor, operation, change_time; newest first.
  static const api::ListSpec& ListSpec();

  // CUSTOMER_NOT_FOUND unless the caller may read customer `id`.
  absl::StatusOr<api::Page<v1::HistoryEntry>> List(const records::Access& access, int64_t id,
                                                   const api::ListQuery& query);

 private:
  db::Pool& pool_;
};

}  // namespace crm::customers
