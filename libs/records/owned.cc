#include "libs/records/owned.h"

#include "absl/strings/str_cat.h"
#include "libs/api/resource.h"
#include "libs/grpc/status.h"

namespace crm::records {

absl::Status OwnedRecords::NotFound(int64_t id) const {
  return Error(absl::StatusCode::kNotFound, table_.not_found_reason,
               absl::StrCat(api::ResourceName(table_.collection, id), " does not exist"));
}

std::string OwnedRecords::WithRule(std::string_view prefix, const Access& access,
                                   auth::Operation op, std::vector<db::Value>& params) const {
  api::SqlFragment rule = access.Rows(op, columns());
  params.insert(params.end(), rule.params.begin(), rule.params.end());
  return absl::StrCat(std::string(prefix), " AND (", rule.sql, ")");
}

absl::StatusOr<db::Row> OwnedRecords::Get(db::Session& session, const Access& access,
                                          int64_t id) const {
  std::vector<db::Value> params = {id};
  std::string query = WithRule(table_.select_by_id, access, auth::Operation::kRead, params);
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(query, params));
  if (rows.empty()) return NotFound(id);
  return std::move(rows[0]);
}

absl::StatusOr<db::Row> OwnedRecords::LockReadable(db::Transaction& tx, const Access& access,
                                                   int64_t id) const {
  std::vector<db::Value> params = {id};
  std::string query =
      absl::StrCat(WithRule(table_.select_by_id, access, auth::Operation::kRead, params),
                   " FOR UPDATE");
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(query, params));
  if (rows.empty()) return NotFound(id);
  return std::move(rows[0]);
}

absl::StatusOr<db::Row> OwnedRecords::Lock(db::Transaction& tx, const Access& access,
                                           int64_t id) const {
  CRM_ASSIGN_OR_RETURN(db::Row row, LockReadable(tx, access, id));
  const bool marked = !table_.marked.empty() && row.Int(table_.marked_index) != 0;
  if (!access.Can(auth::Operation::kWrite, row.Str(table_.owner_index), marked)) {
    return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                 absl::StrCat("you may read ", api::ResourceName(table_.collection, id),
                              " but not change it"));
  }
  return row;
}

absl::Status OwnedRecords::Write(db::Transaction& tx, const Access& access,
                                 std::string_view statement,
                                 std::vector<db::Value> params) const {
  std::string text = WithRule(statement, access, auth::Operation::kWrite, params);
  CRM_ASSIGN_OR_RETURN(uint64_t affected, tx.Execute(text, params));
  if (affected != 1) {
    return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                 absl::StrCat("you may not change this record of ", std::string(table_.collection)));
  }
  return absl::OkStatus();
}

}  // namespace crm::records
