#include "services/customers/store.h"

#include <google/protobuf/empty.pb.h>

#include "absl/strings/str_cat.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/db/lists.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "services/customers/event_types.h"
#include "services/customers/store_sql.h"

namespace crm::customers {
namespace {

constexpr char kOwnerField[] = "customer.owner";

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
  db::SplitLines(row.Str(10), c.mutable_tags());
  db::SplitLines(row.Str(11), c.mutable_emails());
  db::SplitLines(row.Str(12), c.mutable_phones());
  c.set_source(row.Str(13));
  c.set_owner(row.Str(sql::kOwnerIndex));
  c.set_creator(row.Str(15));
  c.set_notes(row.Str(16));
  *c.mutable_create_time() = TimestampFromDateTime(row.Str(17));
  *c.mutable_update_time() = TimestampFromDateTime(row.Str(18));
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
  params.reserve(2 * values.size());
  for (int i = 0; i < values.size(); ++i) {
    absl::StrAppend(&sql, i == 0 ? "" : ", ", "(?, ?)");
    params.emplace_back(std::in_place_type<int64_t>, id);
    params.emplace_back(std::in_place_type<std::string>, values[i]);
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

const api::ResourceFields& Fields() {
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

}  // namespace

CustomerStore::CustomerStore(db::Pool& pool, const Clock& clock)
    : pool_(pool),
      clock_(clock),
      customers_({.collection = "customers",
                  .not_found_reason = "CUSTOMER_NOT_FOUND",
                  .owner_column = "c.owner",
                  .select_by_id = sql::kSelectById,
                  .owner_index = sql::kOwnerIndex,
                  .select_columns = sql::kSelectColumns,
                  .column_count = sql::kColumnCount,
                  .from_live = sql::kFromLive}) {}

const api::ListSpec& CustomerStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "create_time desc"};
  return spec;
}

absl::StatusOr<v1::Customer> CustomerStore::Create(const records::Access& access,
                                                   const v1::Customer& input,
                                                   const db::IdempotencyKey& key) {
  // Creating a customer for someone else is the same as moving it to them. Checked before
  // the transaction: an admin's choice is looked up in the auth service.
  if (input.owner() != access.actor()) {
    CRM_RETURN_IF_ERROR(access.CheckOwnerChange(input.owner(), input.owner(), kOwnerField));
  }
  return db::IdempotentWrite<v1::Customer>(
      pool_, key, [&](db::Transaction& tx, v1::Customer& created) -> absl::Status {
        const absl::Time now = clock_.Now();
        const std::string now_text = db::FormatDateTime(now);
        const auto& r = input.region();
        CRM_ASSIGN_OR_RETURN(
            db::Rows rows,
            tx.Query(sql::kInsert,
                     {input.display_name(), int64_t{input.kind()}, input.industry(),
                      int64_t{input.size_band()}, r.country(), r.province(), r.city(),
                      input.address(), db::JoinLines(input.tags()), db::JoinLines(input.emails()),
                      db::JoinLines(input.phones()), input.source(), input.owner(), access.actor(),
                      input.notes(), now_text, now_text}));
        if (rows.empty()) return absl::InternalError("insert returned no id");
        const int64_t id = rows[0].Int(0);
        CRM_RETURN_IF_ERROR(WriteChildren(tx, id, input, /*is_new=*/true));

        created = input;
        created.set_name(api::ResourceName("customers", id));
        created.set_etag(api::EtagFromVersion(1));
        created.set_creator(access.actor());
        // What the database stored: DATETIME(6) keeps microseconds.
        *created.mutable_create_time() = TimestampFromDateTime(now_text);
        *created.mutable_update_time() = created.create_time();
        return events::Append(
            tx,
            {.type = kCustomerCreatedEvent, .resource = created.name(), .actor = access.actor()},
            created);
      });
}

absl::StatusOr<v1::Customer> CustomerStore::Get(const records::Access& access, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Row row, customers_.Get(*session, access, id));
  return FromRow(row);
}

absl::StatusOr<api::Page<v1::Customer>> CustomerStore::List(const records::Access& access,
                                                            const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return customers_.List<v1::Customer>(*session, access, query, FromRow);
}

absl::StatusOr<v1::Customer> CustomerStore::Update(const records::Access& access, int64_t id,
                                                   std::optional<int64_t> expected_version,
                                                   const Mutation& mutate,
                                                   const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Customer>(
      pool_, key, [&](db::Transaction& tx, v1::Customer& updated) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, customers_.Lock(tx, access, id));
        const v1::Customer current = FromRow(row);
        const int64_t version = row.Int(1);
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), version, expected_version));

        updated = current;
        CRM_RETURN_IF_ERROR(mutate(updated));
        // What the caller changed (compared before the etag and update_time every update moves).
        std::vector<std::string> changed = api::ChangedPaths(current, updated);
        if (updated.owner() != current.owner()) {
          CRM_RETURN_IF_ERROR(
              access.CheckOwnerChange(current.owner(), updated.owner(), kOwnerField));
        }
        const std::string now_text = db::FormatDateTime(clock_.Now());
        const auto& r = updated.region();
        CRM_RETURN_IF_ERROR(
            customers_.Write(tx, access, sql::kUpdate,
                             {updated.display_name(), int64_t{updated.kind()}, updated.industry(),
                              int64_t{updated.size_band()}, r.country(), r.province(), r.city(),
                              updated.address(), db::JoinLines(updated.tags()),
                              db::JoinLines(updated.emails()), db::JoinLines(updated.phones()),
                              updated.source(), updated.owner(), updated.notes(), now_text, id}));
        CRM_RETURN_IF_ERROR(WriteChildren(tx, id, updated, /*is_new=*/false));
        updated.set_etag(api::EtagFromVersion(version + 1));
        *updated.mutable_update_time() = TimestampFromDateTime(now_text);
        return events::Append(tx,
                              {.type = kCustomerUpdatedEvent,
                               .resource = updated.name(),
                               .actor = access.actor(),
                               .changed_paths = std::move(changed)},
                              updated);
      });
}

absl::Status CustomerStore::Delete(const records::Access& access, int64_t id,
                                   std::optional<int64_t> expected_version,
                                   const db::IdempotencyKey& key) {
  return db::IdempotentWrite<google::protobuf::Empty>(
             pool_, key,
             [&](db::Transaction& tx, google::protobuf::Empty&) -> absl::Status {
               CRM_ASSIGN_OR_RETURN(db::Row row, customers_.Lock(tx, access, id));
               const v1::Customer current = FromRow(row);
               CRM_RETURN_IF_ERROR(
                   api::CheckVersion(current.name(), row.Int(1), expected_version));
               const std::string now_text = db::FormatDateTime(clock_.Now());
               CRM_RETURN_IF_ERROR(
                   customers_.Write(tx, access, sql::kSoftDelete, {now_text, now_text, id}));
               return events::Append(tx,
                                     {.type = kCustomerDeletedEvent,
                                      .resource = current.name(),
                                      .actor = access.actor()},
                                     current);
             })
      .status();
}

}  // namespace crm::customers
