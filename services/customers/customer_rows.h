// The customer row and everything written with it, for every store that writes customers
// (CustomerStore, ImportStore, MergeStore): the row mapping, the owned-record rules of the
// table, the child tables (tags, e-mails, phones), the relationship-date rows, the search
// document and the history rows. Each function runs inside the caller's transaction, so a
// customer and all that goes with it commit together or not at all.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/db/db.h"
#include "libs/records/owned.h"
#include "libs/search/search.h"
#include "services/customers/history.h"

namespace crm::customers {

inline constexpr char kCustomers[] = "customers";
// The owner field, as write requests name it in violations.
inline constexpr char kOwnerField[] = "customer.owner";

// The columns of sql::kSelectColumns as a Customer.
v1::Customer CustomerFromRow(const db::Row& row);

// The owned-record rules of the customers table (libs/records).
const records::OwnedRecords& CustomerRecords();

// The search index of customers.
const search::IndexTable& CustomerIndex();

// Inserts a validated customer created by `creator` at `now` with its child and date rows;
// the new id. The search document, history and event are the caller's.
absl::StatusOr<int64_t> InsertCustomer(db::Session& tx, const v1::Customer& customer,
                                       std::string_view creator, const std::string& now);

// Writes `customer` over row `id` (which the caller locked with CustomerRecords().Lock), with
// the caller's write rule checked once more in the statement, and replaces its child and date
// rows.
absl::Status WriteCustomer(db::Transaction& tx, const records::Access& access, int64_t id,
                           const v1::Customer& customer, const std::string& now);

// The parameters of sql::kUpdate for writing `customer` over row `id` at `now`.
std::vector<db::Value> UpdateParams(const v1::Customer& customer, const std::string& now,
                                    int64_t id);

// A customer and its row id, for the writes that take many.
struct CustomerRef {
  int64_t id = 0;
  const v1::Customer* customer = nullptr;
};

// Replaces (or, for new customers, inserts) the tags, e-mails and phones child rows.
absl::Status WriteChildren(db::Session& tx, std::span<const CustomerRef> customers, bool is_new);
// Replaces the relationship-date rows of customers (their own, contact_id 0).
absl::Status WriteCustomerDateRows(db::Session& tx, std::span<const CustomerRef> customers,
                                   bool is_new);
// Replaces the relationship-date rows of one contact.
absl::Status WriteContactDateRows(
    db::Session& tx, int64_t customer_id, int64_t contact_id,
    const google::protobuf::RepeatedPtrField<v1::RelationshipDate>& dates);

// Re-indexes customers for search from what is stored now (the customer rows and their live
// contacts). `fresh`: none of them was indexed before.
absl::Status IndexCustomers(db::Session& tx, std::span<const int64_t> ids, bool fresh = false);
// Indexes a customer inserted in this transaction from `customer` itself, as IndexCustomers
// would from its row: a new customer has no contacts, so nothing needs reading back.
absl::Status IndexNewCustomer(db::Session& tx, int64_t id, const v1::Customer& customer);
// The search document of a customer with its contacts' names, phones and e-mails (one line
// each in the three strings).
search::SourceDocument CustomerDocument(int64_t id, const v1::Customer& customer,
                                        const std::string& contact_names,
                                        const std::string& contact_phones,
                                        const std::string& contact_emails);

// Writes history rows with `context`'s actor, source, operation and time: one statement per
// 1000 rows.
absl::Status WriteHistory(db::Session& tx, const ChangeContext& context,
                          std::span<const HistoryRow> rows);

// "customers/{id}" from a row id.
std::string CustomerName(int64_t id);

}  // namespace crm::customers
