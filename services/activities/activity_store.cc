#include "services/activities/activity_store.h"

#include <google/protobuf/empty.pb.h>

#include "absl/strings/str_cat.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/db/lists.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "services/activities/event_types.h"
#include "services/activities/links.h"
#include "services/activities/store_sql.h"

namespace crm::activities {
namespace {

constexpr char kActivities[] = "activities";

v1::Activity FromRow(const db::Row& row) {
  v1::Activity a;
  a.set_name(api::ResourceName(kActivities, row.Int(0)));
  a.set_etag(api::EtagFromVersion(row.Int(1)));
  a.set_kind(static_cast<v1::ActivityKind>(row.Int(2)));
  a.set_direction(static_cast<v1::Direction>(row.Int(3)));
  a.set_customer(api::ResourceName("customers", row.Int(4)));
  a.set_contact(row.Str(5));
  a.set_lead(LinkName("leads", row.Int(6)));
  a.set_opportunity(LinkName("opportunities", row.Int(7)));
  a.set_order(LinkName("orders", row.Int(8)));
  *a.mutable_activity_time() = TimestampFromDateTime(row.Str(9));
  a.set_duration_seconds(static_cast<int32_t>(row.Int(10)));
  a.set_outcome(row.Str(11));
  a.set_summary(row.Str(12));
  a.set_next_step(row.Str(13));
  db::SplitLines(row.Str(14), a.mutable_attachments());
  a.set_performer(row.Str(15));
  a.set_customer_owner(row.Str(sql::kActivityOwnerIndex));
  a.set_creator(row.Str(17));
  *a.mutable_create_time() = TimestampFromDateTime(row.Str(18));
  *a.mutable_update_time() = TimestampFromDateTime(row.Str(19));
  a.set_campaign(LinkName("campaigns", row.Int(20)));
  return a;
}

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "customer", .column = "CONCAT('customers/', a.customer_id)"},
          {.name = "kind",
           .type = api::FieldType::kEnum,
           .column = "a.kind",
           .enum_values = api::EnumValues(*v1::ActivityKind_descriptor())},
          {.name = "direction",
           .type = api::FieldType::kEnum,
           .column = "a.direction",
           .enum_values = api::EnumValues(*v1::Direction_descriptor(), /*with_zero=*/true)},
          {.name = "activity_time",
           .type = api::FieldType::kTimestamp,
           .column = "a.activity_time",
           .orderable = true},
          {.name = "performer", .column = "a.performer"},
          {.name = "customer_owner", .column = "co.owner"},
          {.name = "lead", .column = "CONCAT('leads/', a.lead_id)"},
          {.name = "opportunity", .column = "CONCAT('opportunities/', a.opportunity_id)"},
          {.name = "order", .column = "CONCAT('orders/', a.order_id)"},
          {.name = "outcome", .column = "a.outcome"},
          {.name = "summary", .column = "a.summary"},
          {.name = "create_time",
           .type = api::FieldType::kTimestamp,
           .column = "a.create_time",
           .orderable = true},
          {.name = "campaign", .column = "CONCAT('campaigns/', a.campaign_id)"},
      },
      "a.id");
  return *fields;
}

// The columns every write of an activity sets, in kInsertActivity / kUpdateActivity order.
std::vector<db::Value> Columns(const v1::Activity& a, int64_t customer_id) {
  return {int64_t{a.kind()},
          int64_t{a.direction()},
          customer_id,
          a.contact(),
          LinkId(a.lead(), "leads"),
          LinkId(a.opportunity(), "opportunities"),
          LinkId(a.order(), "orders"),
          db::FormatDateTime(FromTimestamp(a.activity_time())),
          int64_t{a.duration_seconds()},
          a.outcome(),
          a.summary(),
          a.next_step(),
          db::JoinLines(a.attachments()),
          a.performer(),
          LinkId(a.campaign(), "campaigns")};
}

absl::Status CustomerReadOnly(std::string_view customer) {
  return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
               absl::StrCat("you may read ", std::string(customer), " but not record activities on it"));
}

}  // namespace

ActivityStore::ActivityStore(db::Pool& pool, const Clock& clock)
    : pool_(pool),
      clock_(clock),
      activities_({.collection = kActivities,
                   .not_found_reason = "ACTIVITY_NOT_FOUND",
                   .owner_column = "co.owner",
                   .select_by_id = sql::kSelectActivityById,
                   .owner_index = sql::kActivityOwnerIndex,
                   .select_columns = sql::kSelectActivityColumns,
                   .column_count = sql::kActivityColumnCount,
                   .from_live = sql::kFromLiveActivities}) {}

const api::ListSpec& ActivityStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "activity_time desc"};
  return spec;
}

absl::StatusOr<v1::Activity> ActivityStore::Read(db::Transaction& tx, int64_t id) {
  CRM_ASSIGN_OR_RETURN(db::Rows read, tx.Query(sql::kSelectActivityById, {id}));
  if (read.empty()) return absl::InternalError("an activity vanished in its own transaction");
  return FromRow(read[0]);
}

absl::StatusOr<v1::Activity> ActivityStore::Create(const records::Access& access,
                                                   const v1::Activity& input,
                                                   const CustomerOwner& customer,
                                                   const CampaignCaller& linker,
                                                   const db::IdempotencyKey& key) {
  if (!access.Can(auth::Operation::kWrite, customer.owner)) {
    return CustomerReadOnly(input.customer());
  }
  return db::IdempotentWrite<v1::Activity>(
      pool_, key, [&](db::Transaction& tx, v1::Activity& created) -> absl::Status {
        if (!input.campaign().empty()) {
          CRM_RETURN_IF_ERROR(CheckCampaignLink(tx, linker, LinkId(input.campaign(), "campaigns"),
                                                FromTimestamp(input.activity_time()),
                                                "activity.campaign"));
        }
        const std::string now = db::FormatDateTime(clock_.Now());
        CRM_RETURN_IF_ERROR(
            tx.Execute(sql::kUpsertCustomerOwner, {customer.customer_id, customer.owner, now})
                .status());
        std::vector<db::Value> params = Columns(input, customer.customer_id);
        params.insert(params.end(), {access.actor(), now, now});
        CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kInsertActivity, params));
        CRM_ASSIGN_OR_RETURN(created, Read(tx, rows.at(0).Int(0)));
        return events::Append(
            tx, {.type = kActivityLoggedEvent, .resource = created.name(), .actor = access.actor()},
            created);
      });
}

absl::StatusOr<v1::Activity> ActivityStore::Get(const records::Access& access, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Row row, activities_.Get(*session, access, id));
  return FromRow(row);
}

absl::StatusOr<api::Page<v1::Activity>> ActivityStore::List(const records::Access& access,
                                                            const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return activities_.List<v1::Activity>(*session, access, query, FromRow);
}

absl::StatusOr<v1::Activity> ActivityStore::Update(const records::Access& access, int64_t id,
                                                   std::optional<int64_t> expected_version,
                                                   const Mutation& mutate,
                                                   const std::optional<CustomerOwner>& new_customer,
                                                   const CampaignCaller& linker,
                                                   const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Activity>(
      pool_, key, [&](db::Transaction& tx, v1::Activity& updated) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, activities_.Lock(tx, access, id));
        const v1::Activity current = FromRow(row);
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), row.Int(1), expected_version));
        updated = current;
        CRM_RETURN_IF_ERROR(mutate(updated));
        // A new link is checked; one kept stays whatever became of its campaign.
        if (!updated.campaign().empty() && updated.campaign() != current.campaign()) {
          CRM_RETURN_IF_ERROR(CheckCampaignLink(tx, linker, LinkId(updated.campaign(), "campaigns"),
                                                FromTimestamp(updated.activity_time()),
                                                "activity.campaign"));
        }
        const std::string now = db::FormatDateTime(clock_.Now());
        int64_t customer_id = LinkId(current.customer(), "customers");
        if (new_customer && updated.customer() != current.customer()) {
          if (!access.Can(auth::Operation::kWrite, new_customer->owner)) {
            return CustomerReadOnly(updated.customer());
          }
          CRM_RETURN_IF_ERROR(tx.Execute(sql::kUpsertCustomerOwner,
                                         {new_customer->customer_id, new_customer->owner, now})
                                  .status());
          customer_id = new_customer->customer_id;
        }
        std::vector<db::Value> params = Columns(updated, customer_id);
        params.insert(params.end(), {now, id});
        CRM_RETURN_IF_ERROR(activities_.Write(tx, access, sql::kUpdateActivity, params));
        CRM_ASSIGN_OR_RETURN(updated, Read(tx, id));
        return events::Append(tx,
                              {.type = kActivityUpdatedEvent,
                               .resource = updated.name(),
                               .actor = access.actor(),
                               .changed_paths = api::ChangedPaths(current, updated, {})},
                              updated);
      });
}

absl::Status ActivityStore::Delete(const records::Access& access, int64_t id,
                                   std::optional<int64_t> expected_version,
                                   const db::IdempotencyKey& key) {
  return db::IdempotentWrite<google::protobuf::Empty>(
             pool_, key,
             [&](db::Transaction& tx, google::protobuf::Empty&) -> absl::Status {
               CRM_ASSIGN_OR_RETURN(db::Row row, activities_.Lock(tx, access, id));
               const v1::Activity current = FromRow(row);
               CRM_RETURN_IF_ERROR(
                   api::CheckVersion(current.name(), row.Int(1), expected_version));
               const std::string now = db::FormatDateTime(clock_.Now());
               CRM_RETURN_IF_ERROR(
                   activities_.Write(tx, access, sql::kSoftDeleteActivity, {now, now, id}));
               return events::Append(tx,
                                     {.type = kActivityDeletedEvent,
                                      .resource = current.name(),
                                      .actor = access.actor()},
                                     current);
             })
      .status();
}

// ---- The customers feed ---------------------------------------------------------------------

absl::Status ActivityStore::SetCustomerOwner(db::Transaction& tx, const CustomerOwner& customer) {
  return tx
      .Execute(sql::kUpsertCustomerOwner,
               {customer.customer_id, customer.owner, db::FormatDateTime(clock_.Now())})
      .status();
}

absl::Status ActivityStore::Repointed(db::Transaction& tx, int64_t id, int64_t customer_id,
                                      std::string_view actor) {
  CRM_RETURN_IF_ERROR(
      tx.Execute(sql::kRepointActivity, {customer_id, db::FormatDateTime(clock_.Now()), id})
          .status());
  CRM_ASSIGN_OR_RETURN(v1::Activity activity, Read(tx, id));
  return events::Append(tx,
                        {.type = kActivityUpdatedEvent,
                         .resource = activity.name(),
                         .actor = actor,
                         .changed_paths = {"customer"}},
                        activity);
}

absl::Status ActivityStore::Repoint(db::Transaction& tx, int64_t survivor_id, int64_t merged_id,
                                    std::string_view actor) {
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kCopyCustomerOwner,
                                 {survivor_id, db::FormatDateTime(clock_.Now()), merged_id})
                          .status());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kLiveActivitiesOfCustomer, {merged_id}));
  for (const db::Row& row : rows) {
    const int64_t id = row.Int(0);
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kRememberRepoint, {survivor_id, merged_id, id}).status());
    CRM_RETURN_IF_ERROR(Repointed(tx, id, survivor_id, actor));
  }
  return absl::OkStatus();
}

absl::Status ActivityStore::Unrepoint(db::Transaction& tx, int64_t survivor_id, int64_t merged_id,
                                      std::string_view actor) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       tx.Query(sql::kRepointedActivities, {survivor_id, merged_id, survivor_id}));
  for (const db::Row& row : rows) {
    CRM_RETURN_IF_ERROR(Repointed(tx, row.Int(0), merged_id, actor));
  }
  return tx.Execute(sql::kForgetRepoints, {survivor_id, merged_id}).status();
}

}  // namespace crm::activities
