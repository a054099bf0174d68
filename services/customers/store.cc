#include "services/customers/store.h"

#include <google/protobuf/empty.pb.h>

#include "absl/strings/str_cat.h"
#include "libs/api/match_key.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"
#include "services/customers/customer_rows.h"
#include "services/customers/duplicates.h"
#include "services/customers/event_types.h"
#include "services/customers/store_sql.h"

namespace crm::customers {
namespace {

constexpr char kCountLiveContacts[] =
    "SELECT COUNT(*) FROM contacts WHERE customer_id = ? AND delete_time IS NULL";
constexpr char kSelectStale[] =
    "SELECT c.id, c.kind, c.display_name, c.delete_time IS NULL FROM customers c "
    "WHERE c.derived_version < ? AND c.id > ? ORDER BY c.id LIMIT ? FOR UPDATE";
constexpr char kSetDerived[] =
    "UPDATE customers SET company_match_key = ?, derived_version = ? WHERE id = ?";
constexpr int kRefreshBatch = 200;

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
          {.name = "external_id", .column = "c.external_id"},
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

// The external id is the one unique column a write can collide on.
absl::Status ExternalIdTaken(absl::Status status) {
  if (status.code() == absl::StatusCode::kAlreadyExists && ErrorReason(status) == "DUPLICATE_KEY") {
    return Error(absl::StatusCode::kAlreadyExists, "EXTERNAL_ID_TAKEN",
                 "another customer has this external_id");
  }
  return status;
}

}  // namespace

CustomerStore::CustomerStore(db::Pool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

const api::ListSpec& CustomerStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "create_time desc"};
  return spec;
}

absl::StatusOr<v1::Customer> CustomerStore::Create(const records::Access& access,
                                                   const v1::Customer& input,
                                                   bool allow_duplicate,
                                                   const db::IdempotencyKey& key) {
  // Creating a customer for someone else is the same as moving it to them. Checked before
  // the transaction: an admin's choice is looked up in the auth service.
  if (input.owner() != access.actor()) {
    CRM_RETURN_IF_ERROR(access.CheckOwnerChange(input.owner(), input.owner(), kOwnerField));
  }
  return db::IdempotentWrite<v1::Customer>(
      pool_, key, [&](db::Transaction& tx, v1::Customer& created) -> absl::Status {
        const ChangeContext context{.actor = access.actor(), .time = clock_.Now()};
        const std::string now = db::FormatDateTime(context.time);
        const MatchKeys keys[] = {KeysOf(input)};
        const int64_t self[] = {0};
        CRM_ASSIGN_OR_RETURN(std::vector<Matches> matches, FindMatches(tx, access, keys, self));
        if (!matches[0].empty() && !allow_duplicate) return DuplicateError(matches[0]);

        absl::StatusOr<int64_t> id = InsertCustomer(tx, input, access.actor(), now);
        if (!id.ok()) return ExternalIdTaken(id.status());
        const CustomerRef ref{*id, &input};
        CRM_RETURN_IF_ERROR(WriteChildren(tx, {&ref, 1}, /*is_new=*/true));
        CRM_RETURN_IF_ERROR(WriteCustomerDateRows(tx, {&ref, 1}, /*is_new=*/true));
        CRM_RETURN_IF_ERROR(IndexNewCustomer(tx, *id, input));
        std::vector<HistoryRow> history = {
            {.customer_id = *id, .action = v1::CREATED, .new_value = input.display_name()}};
        if (!matches[0].empty()) history.push_back(DuplicateAllowedRow(*id, matches[0]));
        CRM_RETURN_IF_ERROR(WriteHistory(tx, context, history));

        created = input;
        created.set_name(CustomerName(*id));
        created.set_etag(api::EtagFromVersion(1));
        created.set_creator(access.actor());
        // What the database stored: DATETIME(6) keeps microseconds.
        *created.mutable_create_time() = TimestampFromDateTime(now);
        *created.mutable_update_time() = created.create_time();
        return events::Append(
            tx,
            {.type = kCustomerCreatedEvent, .resource = created.name(), .actor = access.actor()},
            created);
      });
}

absl::StatusOr<v1::Customer> CustomerStore::Get(const records::Access& access, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Row row, CustomerRecords().Get(*session, access, id));
  return CustomerFromRow(row);
}

absl::StatusOr<api::Page<v1::Customer>> CustomerStore::List(const records::Access& access,
                                                            const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return CustomerRecords().List<v1::Customer>(*session, access, query, CustomerFromRow);
}

absl::StatusOr<v1::Customer> CustomerStore::Update(const records::Access& access, int64_t id,
                                                   std::optional<int64_t> expected_version,
                                                   const Mutation& mutate, bool allow_duplicate,
                                                   const records::OwnerChecks& owners,
                                                   const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Customer>(
      pool_, key, [&](db::Transaction& tx, v1::Customer& updated) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, CustomerRecords().Lock(tx, access, id));
        const v1::Customer current = CustomerFromRow(row);
        const int64_t version = row.Int(1);
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), version, expected_version));

        updated = current;
        CRM_RETURN_IF_ERROR(mutate(updated));
        if (current.kind() == v1::COMPANY && updated.kind() != v1::COMPANY) {
          CRM_ASSIGN_OR_RETURN(db::Rows contacts, tx.Query(kCountLiveContacts, {id}));
          if (contacts[0].Int(0) > 0) {
            return Error(absl::StatusCode::kFailedPrecondition, "CONTACTS_NEED_COMPANY",
                         "a company with contacts cannot become a person; delete its contacts "
                         "first");
          }
        }
        Matches matches;
        if (const MatchKeys added[] = {AddedKeys(current, updated)}; !added[0].empty()) {
          const int64_t self[] = {id};
          CRM_ASSIGN_OR_RETURN(std::vector<Matches> found, FindMatches(tx, access, added, self));
          matches = std::move(found[0]);
          if (!matches.empty() && !allow_duplicate) return DuplicateError(matches);
        }
        if (updated.owner() != current.owner()) {
          CRM_RETURN_IF_ERROR(owners.Check(current.owner(), updated.owner()));
        }
        const ChangeContext context{.actor = access.actor(), .time = clock_.Now()};
        const std::string now = db::FormatDateTime(context.time);
        CRM_RETURN_IF_ERROR(ExternalIdTaken(WriteCustomer(tx, access, id, updated, now)));
        const int64_t ids[] = {id};
        CRM_RETURN_IF_ERROR(IndexCustomers(tx, ids));
        std::vector<HistoryRow> history = CustomerChanges(id, current, updated);
        if (!matches.empty()) history.push_back(DuplicateAllowedRow(id, matches));
        CRM_RETURN_IF_ERROR(WriteHistory(tx, context, history));

        updated.set_etag(api::EtagFromVersion(version + 1));
        *updated.mutable_update_time() = TimestampFromDateTime(now);
        return events::Append(tx,
                              {.type = kCustomerUpdatedEvent,
                               .resource = updated.name(),
                               .actor = access.actor(),
                               .changed_paths = ChangedTopLevelPaths(current, updated)},
                              updated);
      });
}

absl::Status CustomerStore::Delete(const records::Access& access, int64_t id,
                                   std::optional<int64_t> expected_version,
                                   const db::IdempotencyKey& key) {
  return db::IdempotentWrite<google::protobuf::Empty>(
             pool_, key,
             [&](db::Transaction& tx, google::protobuf::Empty&) -> absl::Status {
               CRM_ASSIGN_OR_RETURN(db::Row row, CustomerRecords().Lock(tx, access, id));
               const v1::Customer current = CustomerFromRow(row);
               CRM_RETURN_IF_ERROR(
                   api::CheckVersion(current.name(), row.Int(1), expected_version));
               const ChangeContext context{.actor = access.actor(), .time = clock_.Now()};
               const std::string now = db::FormatDateTime(context.time);
               CRM_RETURN_IF_ERROR(
                   CustomerRecords().Write(tx, access, sql::kSoftDelete, {now, now, id}));
               CRM_RETURN_IF_ERROR(search::Remove(tx, CustomerIndex(), id));
               const HistoryRow deleted[] = {{.customer_id = id,
                                              .action = v1::DELETED,
                                              .old_value = current.display_name()}};
               CRM_RETURN_IF_ERROR(WriteHistory(tx, context, deleted));
               return events::Append(tx,
                                     {.type = kCustomerDeletedEvent,
                                      .resource = current.name(),
                                      .actor = access.actor()},
                                     current);
             })
      .status();
}

absl::StatusOr<int64_t> CustomerStore::RefreshDerivedData() {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(std::unique_ptr<db::NamedLock> lock,
                       db::NamedLock::ForSchema(*session, "crm_customers_derived_"));
  CRM_ASSIGN_OR_RETURN(bool held, lock->Acquire(absl::ZeroDuration()));
  if (!held) return 0;  // another replica is at it
  int64_t refreshed = 0;
  int64_t after = 0;
  while (true) {
    int64_t batch = 0;
    int64_t last = after;
    CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
      CRM_ASSIGN_OR_RETURN(db::Rows rows,
                           tx.Query(kSelectStale, {int64_t{sql::kDerivedVersion}, after,
                                                   int64_t{kRefreshBatch}}));
      std::vector<int64_t> live;
      for (const db::Row& row : rows) {
        const bool company = row.Int(1) == v1::COMPANY;
        CRM_RETURN_IF_ERROR(
            tx.Execute(kSetDerived, {company ? api::CompanyMatchKey(row.Str(2)) : std::string(),
                                     int64_t{sql::kDerivedVersion}, row.Int(0)})
                .status());
        if (row.Int(3) != 0) live.push_back(row.Int(0));
      }
      CRM_RETURN_IF_ERROR(IndexCustomers(tx, live));
      batch = static_cast<int64_t>(rows.size());
      last = rows.empty() ? after : rows.back().Int(0);
      return absl::OkStatus();
    }));
    after = last;
    refreshed += batch;
    if (batch < kRefreshBatch) break;
  }
  if (refreshed > 0) {
    log::Info("customers derived data refreshed", {{"rows", std::to_string(refreshed)}});
  }
  return refreshed;
}

}  // namespace crm::customers
