// The SQL side of owned records: every read and write of an owned table ANDs in the caller's
// record rules (Access), so a record the caller may not read is never returned, listed,
// matched by a filter or counted — it is NOT_FOUND exactly like a missing one, and ids cannot
// be probed — and one they may read but not change is PERMISSION_DENIED.
//
//   const records::OwnedRecords customers_({
//       .collection = "customers", .not_found_reason = "CUSTOMER_NOT_FOUND",
//       .owner_column = "c.owner", .select_by_id = sql::kSelectById, .owner_index = 14,
//       .select_columns = sql::kSelectColumns, .column_count = sql::kColumnCount,
//       .from_live = sql::kFromLive});
//   CRM_ASSIGN_OR_RETURN(db::Row row, customers_.Lock(tx, access, id));
//   CRM_RETURN_IF_ERROR(customers_.Write(tx, access, sql::kUpdate, {..., id}));
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/api/list.h"
#include "libs/db/db.h"
#include "libs/records/access.h"
#include "libs/records/page.h"

namespace crm::records {

// One owned table, described by the statement texts its store already has (named constants
// in the service's store_sql.h, shared with the load generator's raw SQL ceiling).
struct OwnedTable {
  std::string_view collection;        // "customers": resource names in messages
  std::string_view not_found_reason;  // "CUSTOMER_NOT_FOUND"
  std::string_view owner_column;      // "c.owner", on the alias every statement uses
  // "SELECT <columns> FROM customers c WHERE c.id = ? AND c.delete_time IS NULL": a live
  // record by id; the caller's condition is appended as " AND (...)".
  std::string_view select_by_id;
  size_t owner_index = 0;             // position of the owner in its SELECT list
  // "SELECT <columns>" and " FROM customers c WHERE c.delete_time IS NULL": what List pages
  // through (the order keys are selected after the columns).
  std::string_view select_columns;
  size_t column_count = 0;
  std::string_view from_live;
  // For tables whose rules use Scope::kMarked: the condition that marks a row ("o.campaign <>
  // ''", on the same alias) and the position in select_by_id of a column that is 1 when it
  // holds. Empty: the table marks nothing.
  std::string_view marked;
  size_t marked_index = 0;
};

class OwnedRecords final {
 public:
  explicit OwnedRecords(OwnedTable table) : table_(table) {}

  // The live record `id` if the caller may read it; NOT_FOUND (not_found_reason) otherwise.
  absl::StatusOr<db::Row> Get(db::Session& session, const Access& access, int64_t id) const;

  // For a read-modify-write: locks the live record (SELECT … FOR UPDATE) if the caller may
  // read it (else NOT_FOUND), then checks that they may write it (else PERMISSION_DENIED).
  absl::StatusOr<db::Row> Lock(db::Transaction& tx, const Access& access, int64_t id) const;

  // For steps open to whoever may read the record, whatever its write rule (approving an
  // order, asking for a return of it): locks the live record if the caller may read it,
  // NOT_FOUND otherwise. The step's own rule (e.g. "the approver named on it") is the
  // caller's to check.
  absl::StatusOr<db::Row> LockReadable(db::Transaction& tx, const Access& access,
                                       int64_t id) const;

  // Runs `statement` (an UPDATE/DELETE whose WHERE ends in a condition, e.g. "… WHERE c.id =
  // ?") with the caller's write rule ANDed in. The record was locked and checked by Lock, so
  // anything but one affected row means the SQL and in-memory rules disagree: refused
  // (PERMISSION_DENIED) rather than written.
  absl::Status Write(db::Transaction& tx, const Access& access, std::string_view statement,
                     std::vector<db::Value> params) const;

  // One page of the live records the caller may read that match the query, mapped by `map`
  // (a db::Row → T function).
  template <typename T, typename Map>
  absl::StatusOr<api::Page<T>> List(db::Session& session, const Access& access,
                                    const api::ListQuery& query, Map&& map) const {
    // The caller's rule first and on its own: no filter, however written, can widen it.
    return ListPage<T>(session, table_.select_columns, table_.column_count, table_.from_live,
                       access.Rows(auth::Operation::kRead, columns()), query,
                       std::forward<Map>(map));
  }

  // The caller's rule for `op` on this table, as a condition (for aggregates over it).
  api::SqlFragment Rule(const Access& access, auth::Operation op) const {
    return access.Rows(op, columns());
  }

  const OwnedTable& table() const { return table_; }

 private:
  auth::OwnerColumns columns() const {
    return {.owner = table_.owner_column, .marked = table_.marked};
  }
  absl::Status NotFound(int64_t id) const;
  // `prefix` AND the caller's rule for `op`; its values are appended to `params`.
  std::string WithRule(std::string_view prefix, const Access& access, auth::Operation op,
                       std::vector<db::Value>& params) const;

  const OwnedTable table_;
};

}  // namespace crm::records
