// Rows as they were, to be put back exactly: what UnmergeCustomers restores. A snapshot holds
// every stored column (generated ones are recomputed by the database) of the rows of the
// customer tables that belong to some customers, and writes them back byte for byte: values
// travel as the driver reads them (integers, binary-safe text, NULL), DATETIME(6) text with its
// microseconds.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/db/db.h"

namespace crm::customers {

class RowSnapshot final {
 public:
  // Reads (and locks) the rows of `customer_ids` in: customers, customer_tags,
  // customer_emails, customer_phones, contacts, relationship_dates.
  static absl::StatusOr<RowSnapshot> Take(db::Session& tx, std::span<const int64_t> customer_ids);

  // Deletes every row of those tables that now belongs to `customer_ids` (and the customer
  // rows themselves), then inserts the snapshot's rows as they were.
  absl::Status Restore(db::Session& tx, std::span<const int64_t> customer_ids) const;

  // A compact binary form for a BLOB column, and back (INTERNAL when it is not one).
  std::string Encode() const;
  static absl::StatusOr<RowSnapshot> Decode(std::string_view bytes);

  // The rows of table `index` (the order above), for tests and checks.
  const std::vector<db::Row>& rows(size_t index) const { return tables_.at(index); }

 private:
  std::vector<std::vector<db::Row>> tables_;
};

}  // namespace crm::customers
