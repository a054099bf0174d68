// Customers as CSV records: the columns ExportCustomers writes (customers.proto, ExportFormat
// CSV) and `crmctl customers import` reads back. Lists hold one item per line inside their
// field; relationship dates are written as dates.h formats them; enums by name; times RFC 3339
// in UTC.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crm/customers/v1/customers.pb.h"

namespace crm::customers {

// name, external_id, display_name, kind, industry, size_band, country, province, city,
// address, tags, emails, phones, source, owner, notes, dates, creator, create_time,
// update_time.
const std::vector<std::string>& CsvColumns();

// One record's fields, in CsvColumns() order.
std::vector<std::string> CsvFields(const v1::Customer& customer);

// Reads records whose first line named their columns (any subset of CsvColumns(), in any
// order; output-only ones are ignored). INVALID_ARGUMENT for a header naming an unknown
// column.
class CsvCustomerReader final {
 public:
  static absl::StatusOr<CsvCustomerReader> ForHeader(const std::vector<std::string>& header);
  // The customer a record describes; INVALID_ARGUMENT naming the column for a kind, size band
  // or date that does not parse.
  absl::StatusOr<v1::Customer> Read(const std::vector<std::string>& record) const;

 private:
  std::vector<int> columns_;  // CsvColumns() index of each header field, -1 for none
};

}  // namespace crm::customers
