#include "services/customers/store.h"

#include <google/protobuf/empty.pb.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/api/resource.h"
#include "libs/auth/visibility.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "services/customers/store_sql.h"

namespace crm::customers {
namespace {

absl::Status NotFound(int64_t id) {
  return Error(absl::StatusCode::kNotFound, "CUSTOMER_NOT_FOUND",
               absl::StrCat("customers/", id, " does not exist"));
}

// The rows `caller` may read or write, on the `c` alias every statement uses.
api::SqlFragment Visible(const auth::Principal& caller, auth::Operation op) {
  static const auth::OwnerColumns kColumns{.owner = "c.owner"};
  return auth::VisibleRows(caller, op, auth::OwnedRecordRules(), kColumns);
}

// `prefix` (a statement ending in a WHERE condition) AND the caller's visibility for `op`;
// `params` gets the visibility's values appended.
std::string WithVisibility(std::string_view prefix, const auth::Principal& caller,
                           auth::Operation op, std::vector<db::Value>& params) {
  api::SqlFragment visible = Visible(caller, op);
  params.insert(params.end(), visible.params.begin(), visible.params.end());
  return absl::StrCat(std::string(prefix), " AND (", visible.sql, ")");
}

google::protobuf::Timestamp ToTimestamp(const std::string& datetime) {
  google::protobuf::Timestamp ts;
  if (auto t = db::ParseDateTime(datetime); t.ok()) {
    absl::Duration since_epoch = *t - absl::UnixEpoch();
    int64_t seconds = absl::IDivDuration(since_epoch, absl::Seconds(1), &since_epoch);
    ts.set_seconds(seconds);
    ts.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(since_epoch)));
  }
  return ts;
}

// Repeated fields are newline-joined in the customers row (validation keeps newlines out).
std::string JoinList(const google::protobuf::RepeatedPtrField<std::string>& items) {
  return absl::StrJoin(items, "\n");
}
void SplitList(const std::string& text, google::protobuf::RepeatedPtrField<std::string>* out) {
  if (text.empty()) return;
  for (absl::string_view part : absl::StrSplit(text, '\n')) out->Add(std::string(part));
}

v1::Customer FromRow(const db::Row& row) {
  v1::Customer c;
  c.set_name(api::ResourceName("customers", row.Int(0)));
  c.set_etag(api::EtagFromVersion(row.Int(1)));
  c.set_display_name(row.Str(2));
  c.set_kind(static_cast<v1::CustomerKind>(row.Int(3)));
  c.set_industry(row.Str(4));
  c.set_size_band(static_cast<v1::SizeBand>(row.Int(5)));
  c.mutable_region()->set_country(row.Str(6));
  c.mutable_region()->set_province(row.Str(7));
  c.mutable_region()->set_city(row.Str(8));
  c.set_address(row.Str(9));
  SplitList(row.Str(10), c.mutable_tags());
  SplitList(row.Str(11), c.mutable_emails());
  SplitList(row.Str(12), c.mutable_phones());
  c.set_source(row.Str(13));
  c.set_owner(row.Str(14));
  c.set_creator(row.Str(15));
  c.set_notes(row.Str(16));
  *c.mutable_create_time() = ToTimestamp(row.Str(17));
  *c.mutable_update_time() = ToTimestamp(row.Str(18));
  return c;
}

// Replaces the rows of one child table with `values`, in one multi-row insert. A new
// customer has no rows to delete (`delete_sql` null).
absl::Status ReplaceChildren(db::Transaction& tx, const char* delete_sql, const char* table,
                             const char* column, int64_t id,
                             const google::protobuf::RepeatedPtrField<std::string>& values) {
  if (delete_sql != nullptr) CRM_RETURN_IF_ERROR(tx.Execute(delete_sql, {id}).status());
  if (values.empty()) return absl::OkStatus();
  std::string sql = absl::StrCat("INSERT INTO ", table, " (customer_id, ", column, ") VALUES ");
  std::vector<db::Value> params;
  for (int i = 0; i < values.size(); ++i) {
    absl::StrAppend(&sql, i == 0 ? "" : ", ", "(?, ?)");
    params.push_back(id);
    params.push_back(values[i]);
  }
  return tx.Execute(sql, params).status();
}

absl::Status WriteChildren(db::Transaction& tx, int64_t id, const v1::Customer& c, bool is_new) {
  CRM_RETURN_IF_ERROR(ReplaceChildren(tx, is_new ? nullptr : sql::kDeleteTags, "customer_tags",
                                      "tag", id, c.tags()));
  CRM_RETURN_IF_ERROR(ReplaceChildren(tx, is_new ? nullptr : sql::kDeleteEmails, "customer_emails",
                                      "email", id, c.emails()));
  return ReplaceChildren(tx, is_new ? nullptr : sql::kDeletePhones, "customer_phones", "phone", id,
                         c.phones());
}

absl::Status CheckVersion(const v1::Customer& current, std::optional<int64_t> expected) {
  if (!expected) return absl::OkStatus();
  if (current.etag() != api::EtagFromVersion(*expected)) {
    return Error(absl::StatusCode::kAborted, "ETAG_MISMATCH",
                 absl::StrCat(current.name(),
                              " was changed by someone else: read it again "
                              "and retry with its new etag"));
  }
  return absl::OkStatus();
}

// Runs a write whose WHERE ends with the caller's write visibility. The row was locked
// and checked with CanAccess first, so no match means the SQL and in-memory rules
// disagree: refused rather than written.
absl::Status ExecuteWrite(db::Transaction& tx, const char* statement, const auth::Principal& caller,
                          std::vector<db::Value> params) {
  std::string text = WithVisibility(statement, caller, auth::Operation::kWrite, params);
  CRM_ASSIGN_OR_RETURN(uint64_t affected, tx.Execute(text, params));
  if (affected != 1) {
    return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                 "you may not change this customer");
  }
  return absl::OkStatus();
}

}  // namespace

const api::ResourceFields& CustomerStore::Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "display_name", .column = "c.display_name", .orderable = true},
          {.name = "kind",
           .type = api::FieldType::kEnum,
           .column = "c.kind",
           .enum_values = api::EnumValues(*v1::CustomerKind_descriptor())},
          {.name = "industry", .column = "c.industry", .orderable = true},
          {.name = "size_band",
           .type = api::FieldType::kEnum,
           .column = "c.size_band",
           .enum_values = api::EnumValues(*v1::SizeBand_descriptor(), /*with_zero=*/true)},
          {.name = "region.country", .column = "c.country", .orderable = true},
          {.name = "region.province", .column = "c.province", .orderable = true},
          {.name = "region.city", .column = "c.city", .orderable = true},
          {.name = "address", .column = "c.address"},
          {.name = "source", .column = "c.source"},
          {.name = "owner", .column = "c.owner"},
          {.name = "creator", .column = "c.creator"},
          {.name = "tags",
           .has_sql = "EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id AND "
                      "t.tag = ?)"},
          {.name = "emails",
           .has_sql = "EXISTS (SELECT 1 FROM customer_emails e WHERE e.customer_id = c.id AND "
                      "e.email = ?)"},
          {.name = "phones",
           .has_sql = "EXISTS (SELECT 1 FROM customer_phones p WHERE p.customer_id = c.id AND "
                      "p.phone = ?)"},
          {.name = "create_time",
           .type = api::FieldType::kTimestamp,
           .column = "c.create_time",
           .orderable = true},
          {.name = "update_time",
           .type = api::FieldType::kTimestamp,
           .column = "c.update_time",
           .orderable = true},
      },
      "c.id");
  return *fields;
}

absl::StatusOr<v1::Customer> CustomerStore::Create(const v1::Customer& input,
                                                   const db::IdempotencyKey& key) {
  v1::Customer result;
  CRM_RETURN_IF_ERROR(db::InIdempotentTransaction(pool_, [&](db::Transaction& tx) -> absl::Status {
    CRM_ASSIGN_OR_RETURN(bool replayed, db::Replay(tx, key, &result));
    if (replayed) return absl::OkStatus();
    std::string now = db::FormatDateTime(absl::Now());
    const auto& r = input.region();
    CRM_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query(sql::kInsert, {input.display_name(), int64_t{input.kind()}, input.industry(),
                                int64_t{input.size_band()}, r.country(), r.province(), r.city(),
                                input.address(), JoinList(input.tags()), JoinList(input.emails()),
                                JoinList(input.phones()), input.source(), input.owner(),
                                input.creator(), input.notes(), now, now}));
    if (rows.empty()) return absl::InternalError("insert returned no id");
    int64_t id = rows[0].Int(0);
    CRM_RETURN_IF_ERROR(WriteChildren(tx, id, input, /*is_new=*/true));

    result = input;
    result.set_name(api::ResourceName("customers", id));
    result.set_etag(api::EtagFromVersion(1));
    *result.mutable_create_time() = ToTimestamp(now);
    *result.mutable_update_time() = result.create_time();
    CRM_RETURN_IF_ERROR(events::Append(tx,
                                       {.type = "crm.customers.v1.CustomerCreated",
                                        .resource = result.name(),
                                        .actor = result.creator()},
                                       result));
    return db::RecordResult(tx, key, result.SerializeAsString());
  }));
  return result;
}

absl::StatusOr<v1::Customer> CustomerStore::Get(const auth::Principal& caller, int64_t id) {
  std::vector<db::Value> params = {id};
  std::string query = WithVisibility(sql::kSelectById, caller, auth::Operation::kRead, params);
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(query, params));
  if (rows.empty()) return NotFound(id);
  return FromRow(rows[0]);
}

absl::StatusOr<CustomerStore::Page> CustomerStore::List(const auth::Principal& caller,
                                                        const api::SqlFragment& filter,
                                                        const std::vector<api::OrderTerm>& order,
                                                        const std::vector<db::Value>* after,
                                                        int page_size) {
  // Visibility first and on its own: no filter, however written, can widen it.
  api::SqlFragment visible = Visible(caller, auth::Operation::kRead);
  std::string query = sql::kSelectColumns;
  for (const auto& term : order) absl::StrAppend(&query, ", ", term.column);
  absl::StrAppend(&query, " FROM customers c WHERE c.delete_time IS NULL AND (", visible.sql,
                  ") AND (", filter.sql, ")");
  std::vector<db::Value> params = visible.params;
  params.insert(params.end(), filter.params.begin(), filter.params.end());
  api::AppendPageClauses(query, params, order, after, page_size);

  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(query, params));
  Page page;
  page.has_more = api::TakePage(rows, page_size, order, sql::kColumnCount, &page.last_key);
  for (const auto& row : rows) page.customers.push_back(FromRow(row));
  return page;
}

absl::StatusOr<db::Row> CustomerStore::LockWritable(db::Transaction& tx,
                                                    const auth::Principal& caller, int64_t id) {
  std::vector<db::Value> params = {id};
  std::string query = absl::StrCat(
      WithVisibility(sql::kSelectById, caller, auth::Operation::kRead, params), sql::kForUpdate);
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(query, params));
  // Invisible is indistinguishable from missing, so ids cannot be probed.
  if (rows.empty()) return NotFound(id);
  const db::Row& row = rows[0];
  if (!auth::CanAccess(caller, auth::Operation::kWrite, row.Str(14))) {
    return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                 absl::StrCat("you may read customers/", id, " but not change it"));
  }
  return row;
}

absl::StatusOr<v1::Customer> CustomerStore::Update(const auth::Principal& caller, int64_t id,
                                                   std::optional<int64_t> expected_version,
                                                   const Mutation& mutate,
                                                   const db::IdempotencyKey& key) {
  v1::Customer result;
  CRM_RETURN_IF_ERROR(db::InIdempotentTransaction(pool_, [&](db::Transaction& tx) -> absl::Status {
    CRM_ASSIGN_OR_RETURN(bool replayed, db::Replay(tx, key, &result));
    if (replayed) return absl::OkStatus();
    CRM_ASSIGN_OR_RETURN(db::Row row, LockWritable(tx, caller, id));
    v1::Customer current = FromRow(row);
    CRM_RETURN_IF_ERROR(CheckVersion(current, expected_version));
    int64_t version = row.Int(1);

    v1::Customer updated = current;
    CRM_RETURN_IF_ERROR(mutate(current, updated));
    // What the caller changed (compared before the etag and update_time every update moves).
    std::vector<std::string> changed = api::ChangedPaths(current, updated);
    std::string now = db::FormatDateTime(absl::Now());
    const auto& r = updated.region();
    CRM_RETURN_IF_ERROR(ExecuteWrite(
        tx, sql::kUpdate, caller,
        {updated.display_name(), int64_t{updated.kind()}, updated.industry(),
         int64_t{updated.size_band()}, r.country(), r.province(), r.city(), updated.address(),
         JoinList(updated.tags()), JoinList(updated.emails()), JoinList(updated.phones()),
         updated.source(), updated.owner(), updated.notes(), now, id}));
    CRM_RETURN_IF_ERROR(WriteChildren(tx, id, updated, /*is_new=*/false));
    updated.set_etag(api::EtagFromVersion(version + 1));
    *updated.mutable_update_time() = ToTimestamp(now);
    CRM_RETURN_IF_ERROR(events::Append(tx,
                                       {.type = "crm.customers.v1.CustomerUpdated",
                                        .resource = updated.name(),
                                        .actor = caller.user,
                                        .changed_paths = std::move(changed)},
                                       updated));
    CRM_RETURN_IF_ERROR(db::RecordResult(tx, key, updated.SerializeAsString()));
    result = std::move(updated);
    return absl::OkStatus();
  }));
  return result;
}

absl::Status CustomerStore::Delete(const auth::Principal& caller, int64_t id,
                                   std::optional<int64_t> expected_version,
                                   const db::IdempotencyKey& key) {
  return db::InIdempotentTransaction(pool_, [&](db::Transaction& tx) -> absl::Status {
    google::protobuf::Empty empty;
    CRM_ASSIGN_OR_RETURN(bool replayed, db::Replay(tx, key, &empty));
    if (replayed) return absl::OkStatus();
    CRM_ASSIGN_OR_RETURN(db::Row row, LockWritable(tx, caller, id));
    v1::Customer current = FromRow(row);
    CRM_RETURN_IF_ERROR(CheckVersion(current, expected_version));
    std::string now = db::FormatDateTime(absl::Now());
    CRM_RETURN_IF_ERROR(ExecuteWrite(tx, sql::kSoftDelete, caller, {now, now, id}));
    CRM_RETURN_IF_ERROR(events::Append(tx,
                                       {.type = "crm.customers.v1.CustomerDeleted",
                                        .resource = current.name(),
                                        .actor = caller.user},
                                       current));
    return db::RecordResult(tx, key, empty.SerializeAsString());
  });
}

}  // namespace crm::customers
