#include "services/customers/contact_store.h"

#include <google/protobuf/empty.pb.h>

#include "absl/strings/str_cat.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/db/lists.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "libs/records/page.h"
#include "services/customers/customer_rows.h"
#include "services/customers/dates.h"
#include "services/customers/event_types.h"
#include "services/customers/history.h"

namespace crm::customers {
namespace {

#define CRM_CONTACT_COLUMNS                                                                   \
  "ct.id, ct.customer_id, ct.version, ct.display_name, ct.title, ct.department, ct.phones, " \
  "ct.emails, ct.dates, ct.notes, ct.is_primary, ct.creator, ct.create_time, ct.update_time"
constexpr char kSelectColumns[] = "SELECT " CRM_CONTACT_COLUMNS;
constexpr size_t kColumnCount = 14;
constexpr char kFromLive[] = " FROM contacts ct WHERE ct.delete_time IS NULL";
constexpr char kSelectForUpdate[] =
    "SELECT " CRM_CONTACT_COLUMNS " FROM contacts ct WHERE ct.id = ? AND ct.customer_id = ? AND "
    "ct.delete_time IS NULL FOR UPDATE";
constexpr char kSelectOne[] =
    "SELECT " CRM_CONTACT_COLUMNS " FROM contacts ct WHERE ct.id = ? AND ct.customer_id = ? AND "
    "ct.delete_time IS NULL";
// The live primary contact other than one (the one taking the flag), and the oldest live one
// (the heir of a deleted primary).
constexpr char kSelectPrimary[] =
    "SELECT " CRM_CONTACT_COLUMNS " FROM contacts ct WHERE ct.customer_id = ? AND ct.id <> ? AND "
    "ct.is_primary = 1 AND ct.delete_time IS NULL FOR UPDATE";
constexpr char kSelectOldest[] =
    "SELECT " CRM_CONTACT_COLUMNS " FROM contacts ct WHERE ct.customer_id = ? AND "
    "ct.delete_time IS NULL ORDER BY ct.create_time, ct.id LIMIT 1 FOR UPDATE";
#undef CRM_CONTACT_COLUMNS
constexpr char kCountLive[] =
    "SELECT COUNT(*) FROM contacts WHERE customer_id = ? AND delete_time IS NULL";
constexpr char kInsert[] =
    "INSERT INTO contacts (customer_id, display_name, title, department, phones, emails, dates, "
    "notes, is_primary, creator, create_time, update_time) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr char kUpdate[] =
    "UPDATE contacts SET display_name = ?, title = ?, department = ?, phones = ?, emails = ?, "
    "dates = ?, notes = ?, is_primary = ?, update_time = ?, version = version + 1 WHERE id = ?";
constexpr char kSoftDelete[] =
    "UPDATE contacts SET delete_time = ?, update_time = ?, version = version + 1 WHERE id = ?";

v1::Contact FromRow(const db::Row& row) {
  v1::Contact c;
  c.set_name(absl::StrCat(CustomerName(row.Int(1)), "/contacts/", row.Int(0)));
  c.set_etag(api::EtagFromVersion(row.Int(2)));
  c.set_display_name(row.Str(3));
  c.set_title(row.Str(4));
  c.set_department(row.Str(5));
  db::SplitLines(row.Str(6), c.mutable_phones());
  db::SplitLines(row.Str(7), c.mutable_emails());
  (void)ParseDates(row.Str(8), c.mutable_dates());
  c.set_notes(row.Str(9));
  c.set_primary(row.Int(10) != 0);
  c.set_creator(row.Str(11));
  *c.mutable_create_time() = TimestampFromDateTime(row.Str(12));
  *c.mutable_update_time() = TimestampFromDateTime(row.Str(13));
  return c;
}

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "display_name", .column = "ct.display_name", .orderable = true},
          {.name = "title", .column = "ct.title"},
          {.name = "department", .column = "ct.department"},
          {.name = "primary", .type = api::FieldType::kBool, .column = "ct.is_primary"},
          {.name = "create_time",
           .type = api::FieldType::kTimestamp,
           .column = "ct.create_time",
           .orderable = true},
          {.name = "update_time",
           .type = api::FieldType::kTimestamp,
           .column = "ct.update_time",
           .orderable = true},
      },
      "ct.id");
  return *fields;
}

absl::Status ContactNotFound(int64_t customer_id, int64_t contact_id) {
  return Error(absl::StatusCode::kNotFound, "CONTACT_NOT_FOUND",
               absl::StrCat(CustomerName(customer_id), "/contacts/", contact_id,
                            " does not exist"));
}

// The parent, locked for a contact write: readable (else CUSTOMER_NOT_FOUND) and writable
// (else PERMISSION_DENIED).
absl::StatusOr<v1::Customer> LockParent(db::Transaction& tx, const records::Access& access,
                                        int64_t customer_id) {
  CRM_ASSIGN_OR_RETURN(db::Row row, CustomerRecords().Lock(tx, access, customer_id));
  return CustomerFromRow(row);
}

// Writes a contact's row (its version moves on), date rows, history and event.
absl::Status WriteContact(db::Transaction& tx, int64_t customer_id, int64_t contact_id,
                          const v1::Contact& before, v1::Contact& after,
                          const ChangeContext& context) {
  const std::string now = db::FormatDateTime(context.time);
  CRM_RETURN_IF_ERROR(tx.Execute(kUpdate, {after.display_name(), after.title(),
                                           after.department(), db::JoinLines(after.phones()),
                                           db::JoinLines(after.emails()),
                                           FormatDates(after.dates()), after.notes(),
                                           int64_t{after.primary()}, now, contact_id})
                          .status());
  CRM_RETURN_IF_ERROR(WriteContactDateRows(tx, customer_id, contact_id, after.dates()));
  const std::vector<HistoryRow> history = ContactChanges(customer_id, contact_id, before, after);
  CRM_RETURN_IF_ERROR(WriteHistory(tx, context, history));
  CRM_ASSIGN_OR_RETURN(int64_t version, api::VersionFromEtag(before.etag()));
  after.set_etag(api::EtagFromVersion(version + 1));
  *after.mutable_update_time() = TimestampFromDateTime(now);
  return events::Append(tx,
                        {.type = kContactUpdatedEvent,
                         .resource = after.name(),
                         .actor = context.actor,
                         .changed_paths = api::ChangedPaths(
                             before, after,
                             {"display_name", "title", "department", "phones", "emails", "dates",
                              "notes", "primary"})},
                        after);
}

// Moves the primary flag off the customer's current primary contact (other than
// `taking_over`), if there is one.
absl::Status ClearPrimary(db::Transaction& tx, int64_t customer_id, int64_t taking_over,
                          const ChangeContext& context) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kSelectPrimary, {customer_id, taking_over}));
  for (const db::Row& row : rows) {
    const v1::Contact before = FromRow(row);
    v1::Contact after = before;
    after.set_primary(false);
    CRM_RETURN_IF_ERROR(WriteContact(tx, customer_id, row.Int(0), before, after, context));
  }
  return absl::OkStatus();
}

}  // namespace

const api::ListSpec& ContactStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "create_time"};
  return spec;
}

absl::StatusOr<v1::Contact> ContactStore::Create(const records::Access& access,
                                                 int64_t customer_id, const v1::Contact& input,
                                                 const Prepare& prepare,
                                                 const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Contact>(
      pool_, key, [&](db::Transaction& tx, v1::Contact& created) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(const v1::Customer parent, LockParent(tx, access, customer_id));
        if (parent.kind() != v1::COMPANY) {
          return Error(absl::StatusCode::kFailedPrecondition, "CONTACTS_NEED_COMPANY",
                       absl::StrCat(parent.name(), " is a person: contacts belong to companies"));
        }
        created = input;
        CRM_RETURN_IF_ERROR(prepare(created, parent));
        const ChangeContext context{.actor = access.actor(), .time = clock_.Now()};
        const std::string now = db::FormatDateTime(context.time);
        CRM_ASSIGN_OR_RETURN(db::Rows count, tx.Query(kCountLive, {customer_id}));
        if (count[0].Int(0) == 0) {
          created.set_primary(true);  // the first contact is the primary one
        } else if (created.primary()) {
          CRM_RETURN_IF_ERROR(ClearPrimary(tx, customer_id, 0, context));
        }
        CRM_ASSIGN_OR_RETURN(
            db::Rows rows,
            tx.Query(kInsert, {customer_id, created.display_name(), created.title(),
                               created.department(), db::JoinLines(created.phones()),
                               db::JoinLines(created.emails()), FormatDates(created.dates()),
                               created.notes(), int64_t{created.primary()}, access.actor(), now,
                               now}));
        if (rows.empty()) return absl::InternalError("insert returned no id");
        const int64_t id = rows[0].Int(0);
        CRM_RETURN_IF_ERROR(WriteContactDateRows(tx, customer_id, id, created.dates()));
        const int64_t ids[] = {customer_id};
        CRM_RETURN_IF_ERROR(IndexCustomers(tx, ids));
        const HistoryRow history[] = {{.customer_id = customer_id,
                                       .contact_id = id,
                                       .action = v1::CREATED,
                                       .new_value = created.display_name()}};
        CRM_RETURN_IF_ERROR(WriteHistory(tx, context, history));
        created.set_name(absl::StrCat(parent.name(), "/contacts/", id));
        created.set_etag(api::EtagFromVersion(1));
        created.set_creator(access.actor());
        *created.mutable_create_time() = TimestampFromDateTime(now);
        *created.mutable_update_time() = created.create_time();
        return events::Append(
            tx,
            {.type = kContactCreatedEvent, .resource = created.name(), .actor = access.actor()},
            created);
      });
}

absl::StatusOr<v1::Contact> ContactStore::Get(const records::Access& access, int64_t customer_id,
                                              int64_t contact_id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_RETURN_IF_ERROR(CustomerRecords().Get(*session, access, customer_id).status());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(kSelectOne, {contact_id, customer_id}));
  if (rows.empty()) return ContactNotFound(customer_id, contact_id);
  return FromRow(rows[0]);
}

absl::StatusOr<api::Page<v1::Contact>> ContactStore::List(const records::Access& access,
                                                          int64_t customer_id,
                                                          const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_RETURN_IF_ERROR(CustomerRecords().Get(*session, access, customer_id).status());
  return records::ListPage<v1::Contact>(*session, kSelectColumns, kColumnCount, kFromLive,
                                        {.sql = "ct.customer_id = ?", .params = {customer_id}},
                                        query, FromRow);
}

absl::StatusOr<v1::Contact> ContactStore::Update(const records::Access& access,
                                                 int64_t customer_id, int64_t contact_id,
                                                 std::optional<int64_t> expected_version,
                                                 const Prepare& mutate,
                                                 const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Contact>(
      pool_, key, [&](db::Transaction& tx, v1::Contact& updated) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(const v1::Customer parent, LockParent(tx, access, customer_id));
        CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kSelectForUpdate, {contact_id, customer_id}));
        if (rows.empty()) return ContactNotFound(customer_id, contact_id);
        const v1::Contact current = FromRow(rows[0]);
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), rows[0].Int(2), expected_version));
        updated = current;
        CRM_RETURN_IF_ERROR(mutate(updated, parent));
        if (current.primary() && !updated.primary()) {
          return Error(absl::StatusCode::kFailedPrecondition, "PRIMARY_CONTACT_REQUIRED",
                       "a customer keeps one primary contact: make another contact primary "
                       "instead");
        }
        const ChangeContext context{.actor = access.actor(), .time = clock_.Now()};
        if (!current.primary() && updated.primary()) {
          CRM_RETURN_IF_ERROR(ClearPrimary(tx, customer_id, contact_id, context));
        }
        CRM_RETURN_IF_ERROR(WriteContact(tx, customer_id, contact_id, current, updated, context));
        const int64_t ids[] = {customer_id};
        return IndexCustomers(tx, ids);
      });
}

absl::Status ContactStore::Delete(const records::Access& access, int64_t customer_id,
                                  int64_t contact_id, std::optional<int64_t> expected_version,
                                  const db::IdempotencyKey& key) {
  return db::IdempotentWrite<google::protobuf::Empty>(
             pool_, key,
             [&](db::Transaction& tx, google::protobuf::Empty&) -> absl::Status {
               CRM_RETURN_IF_ERROR(LockParent(tx, access, customer_id).status());
               CRM_ASSIGN_OR_RETURN(db::Rows rows,
                                    tx.Query(kSelectForUpdate, {contact_id, customer_id}));
               if (rows.empty()) return ContactNotFound(customer_id, contact_id);
               const v1::Contact current = FromRow(rows[0]);
               CRM_RETURN_IF_ERROR(
                   api::CheckVersion(current.name(), rows[0].Int(2), expected_version));
               const ChangeContext context{.actor = access.actor(), .time = clock_.Now()};
               const std::string now = db::FormatDateTime(context.time);
               CRM_RETURN_IF_ERROR(tx.Execute(kSoftDelete, {now, now, contact_id}).status());
               if (current.primary()) {
                 // The oldest remaining contact inherits the flag.
                 CRM_ASSIGN_OR_RETURN(db::Rows heirs, tx.Query(kSelectOldest, {customer_id}));
                 if (!heirs.empty()) {
                   const v1::Contact before = FromRow(heirs[0]);
                   v1::Contact after = before;
                   after.set_primary(true);
                   CRM_RETURN_IF_ERROR(
                       WriteContact(tx, customer_id, heirs[0].Int(0), before, after, context));
                 }
               }
               const int64_t ids[] = {customer_id};
               CRM_RETURN_IF_ERROR(IndexCustomers(tx, ids));
               const HistoryRow history[] = {{.customer_id = customer_id,
                                              .contact_id = contact_id,
                                              .action = v1::DELETED,
                                              .old_value = current.display_name()}};
               CRM_RETURN_IF_ERROR(WriteHistory(tx, context, history));
               return events::Append(tx,
                                     {.type = kContactDeletedEvent,
                                      .resource = current.name(),
                                      .actor = access.actor()},
                                     current);
             })
      .status();
}

}  // namespace crm::customers
