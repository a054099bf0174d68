// SearchCustomers: the customer search index (customer_rows.h writes it with every customer
// and contact change) joined to the customers the caller may read, ranked.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/api/list.h"
#include "libs/db/db.h"
#include "libs/records/access.h"

namespace crm::customers {

class CustomerSearchStore final {
 public:
  explicit CustomerSearchStore(db::Pool& pool) : pool_(pool) {}

  struct Query {
    std::string text;
    std::string phone_region = "CN";  // for phone numbers in national format
    api::SqlFragment filter;          // ListCustomers' filter on alias c, "TRUE" for none
    int page_size = 20;
    std::optional<std::vector<db::Value>> after;  // keyset position (Order()) of the last hit
  };
  // Best score first, then the most recently updated, then the newest.
  static const std::vector<api::OrderTerm>& Order();

  // INVALID_ARGUMENT on "query" for a query with nothing to search or too many terms.
  absl::StatusOr<api::Page<v1::CustomerSearchResult>> Search(const records::Access& access,
                                                             const Query& query);

 private:
  db::Pool& pool_;
};

}  // namespace crm::customers
