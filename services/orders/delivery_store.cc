#include "services/orders/delivery_store.h"

#include "absl/strings/str_cat.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "libs/records/page.h"
#include "services/orders/event_types.h"
#include "services/orders/order_data.h"
#include "services/orders/order_store.h"

namespace crm::orders {
namespace {

#define CRM_DELIVERY_COLUMNS                                                                    \
  "d.id, d.event_id, d.order_name, d.system, d.effect, d.state, d.attempts, d.last_error, "     \
  "d.next_attempt_time, d.deliver_time, d.external_reference, d.currency_code, d.amount_minor, " \
  "d.create_time, d.update_time"
constexpr char kSelectDeliveryColumns[] = "SELECT " CRM_DELIVERY_COLUMNS;
constexpr size_t kDeliveryColumnCount = 15;
constexpr char kFromDeliveries[] = " FROM deliveries d WHERE TRUE";
constexpr char kLockDelivery[] =
    "SELECT " CRM_DELIVERY_COLUMNS " FROM deliveries d WHERE d.id = ? FOR UPDATE";
#undef CRM_DELIVERY_COLUMNS

// Due, unleased, and the oldest pending one of its order and system. SKIP LOCKED: a
// delivery another relay is claiming right now is simply not this relay's.
constexpr char kSelectClaimablePrefix[] =
    "SELECT d.id FROM deliveries d WHERE d.state = 1 AND d.next_attempt_time <= ? "
    "AND (d.lease_until IS NULL OR d.lease_until < ?) AND NOT EXISTS (SELECT 1 FROM deliveries e "
    "WHERE e.order_id = d.order_id AND e.system = d.system AND e.state = 1 AND e.id < d.id) "
    "AND d.system IN (";
constexpr char kSelectClaimed[] =
    "SELECT id, event_id, system, effect, attempts, payload FROM deliveries WHERE lease_owner = ? "
    "AND lease_until = ? AND state = 1 ORDER BY id";
constexpr char kMarkDelivered[] =
    "UPDATE deliveries SET state = 2, attempts = attempts + 1, last_error = '', "
    "external_reference = ?, deliver_time = ?, lease_owner = '', lease_until = NULL, "
    "update_time = ? WHERE id = ? AND state = 1";
constexpr char kMarkFailed[] =
    "UPDATE deliveries SET state = ?, attempts = ?, last_error = ?, next_attempt_time = ?, "
    "lease_owner = '', lease_until = NULL, update_time = ? WHERE id = ?";
constexpr char kReplay[] =
    "UPDATE deliveries SET state = 1, attempts = 0, last_error = '', next_attempt_time = ?, "
    "lease_owner = '', lease_until = NULL, update_time = ? WHERE id = ?";

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "state",
           .type = api::FieldType::kEnum,
           .column = "d.state",
           .enum_values = api::EnumValues(*v1::DeliveryState_descriptor())},
          {.name = "system",
           .type = api::FieldType::kEnum,
           .column = "d.system",
           .enum_values = api::EnumValues(*v1::ExternalSystem_descriptor())},
          {.name = "effect",
           .type = api::FieldType::kEnum,
           .column = "d.effect",
           .enum_values = api::EnumValues(*v1::Effect_descriptor())},
          {.name = "order", .column = "d.order_name"},
          {.name = "event_id", .column = "d.event_id"},
          {.name = "create_time",
           .type = api::FieldType::kTimestamp,
           .column = "d.create_time",
           .orderable = true},
          {.name = "update_time",
           .type = api::FieldType::kTimestamp,
           .column = "d.update_time",
           .orderable = true},
      },
      "d.id");
  return *fields;
}

v1::Delivery DeliveryFromRow(const db::Row& row) {
  v1::Delivery d;
  d.set_name(api::ResourceName("deliveries", row.Int(0)));
  d.set_event_id(row.Str(1));
  d.set_order(row.Str(2));
  d.set_system(static_cast<v1::ExternalSystem>(row.Int(3)));
  d.set_effect(static_cast<v1::Effect>(row.Int(4)));
  d.set_state(static_cast<v1::DeliveryState>(row.Int(5)));
  d.set_attempts(static_cast<int32_t>(row.Int(6)));
  d.set_last_error(row.Str(7));
  if (d.state() == v1::DELIVERY_PENDING) {
    *d.mutable_next_attempt_time() = TimestampFromDateTime(row.Str(8));
  }
  if (!row.IsNull(9)) *d.mutable_deliver_time() = TimestampFromDateTime(row.Str(9));
  d.set_external_reference(row.Str(10));
  if (!row.Str(11).empty()) *d.mutable_amount() = api::FromMinorUnits(row.Str(11), row.Int(12));
  *d.mutable_create_time() = TimestampFromDateTime(row.Str(13));
  *d.mutable_update_time() = TimestampFromDateTime(row.Str(14));
  return d;
}

}  // namespace

void SetIdempotencyKey(integration::v1::WebhookDelivery& d) {
  const std::string& key = d.event_id();
  switch (d.effect_case()) {
    case integration::v1::WebhookDelivery::kReserveStock:
      d.mutable_reserve_stock()->set_idempotency_key(key);
      break;
    case integration::v1::WebhookDelivery::kReleaseStock:
      d.mutable_release_stock()->set_idempotency_key(key);
      break;
    case integration::v1::WebhookDelivery::kShipStock:
      d.mutable_ship_stock()->set_idempotency_key(key);
      break;
    case integration::v1::WebhookDelivery::kCreateInvoice:
      d.mutable_create_invoice()->set_idempotency_key(key);
      break;
    case integration::v1::WebhookDelivery::kCreateCreditNote:
      d.mutable_create_credit_note()->set_idempotency_key(key);
      break;
    default:
      break;
  }
}

const api::ListSpec& DeliveryStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "create_time desc"};
  return spec;
}

absl::StatusOr<std::vector<ClaimedDelivery>> DeliveryStore::Claim(
    const std::vector<v1::ExternalSystem>& systems, const std::string& owner, int limit,
    absl::Duration lease) {
  std::vector<ClaimedDelivery> claimed;
  if (systems.empty()) return claimed;
  const absl::Time now = DbTime(clock_.Now());
  const std::string now_text = db::FormatDateTime(now);
  const std::string until = db::FormatDateTime(DbTime(now + lease));
  CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    std::vector<db::Value> params = {now_text, now_text};
    std::string query = kSelectClaimablePrefix;
    for (size_t i = 0; i < systems.size(); ++i) {
      absl::StrAppend(&query, i == 0 ? "?" : ", ?");
      params.emplace_back(int64_t{systems[i]});
    }
    absl::StrAppend(&query, ") ORDER BY d.id LIMIT ? FOR UPDATE SKIP LOCKED");
    params.emplace_back(int64_t{limit});
    CRM_ASSIGN_OR_RETURN(db::Rows due, tx.Query(query, params));
    if (due.empty()) return absl::OkStatus();
    std::string update = "UPDATE deliveries SET lease_owner = ?, lease_until = ? WHERE id IN (";
    std::vector<db::Value> ids = {owner, until};
    for (size_t i = 0; i < due.size(); ++i) {
      absl::StrAppend(&update, i == 0 ? "?" : ", ?");
      ids.emplace_back(due[i].Int(0));
    }
    update += ")";
    return tx.Execute(update, ids).status();
  }));
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(kSelectClaimed, {owner, until}));
  for (const db::Row& row : rows) {
    ClaimedDelivery d{.id = row.Int(0),
                      .event_id = row.Str(1),
                      .system = static_cast<v1::ExternalSystem>(row.Int(2)),
                      .effect = static_cast<v1::Effect>(row.Int(3)),
                      .attempts = static_cast<int>(row.Int(4))};
    if (!d.payload.ParseFromString(row.Str(5))) {
      return absl::DataLossError(absl::StrCat("delivery ", d.id, " has an unreadable payload"));
    }
    SetIdempotencyKey(d.payload);
    claimed.push_back(std::move(d));
  }
  return claimed;
}

absl::Status DeliveryStore::MarkDelivered(int64_t id, const std::string& external_reference) {
  const std::string now = db::FormatDateTime(DbTime(clock_.Now()));
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return session->Execute(kMarkDelivered, {external_reference.substr(0, 128), now, now, id})
      .status();
}

absl::StatusOr<bool> DeliveryStore::MarkFailed(int64_t id, const std::string& error,
                                               absl::Duration retry_after, int max_attempts) {
  bool dead = false;
  CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    dead = false;
    CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kLockDelivery, {id}));
    // Delivered meanwhile by another relay whose attempt got through: nothing to record.
    if (rows.empty() || rows[0].Int(5) != v1::DELIVERY_PENDING) return absl::OkStatus();
    const int attempts = static_cast<int>(rows[0].Int(6)) + 1;
    dead = attempts >= max_attempts;
    const absl::Time now = DbTime(clock_.Now());
    CRM_RETURN_IF_ERROR(
        tx.Execute(kMarkFailed,
                   {int64_t{dead ? v1::DELIVERY_DEAD : v1::DELIVERY_PENDING}, int64_t{attempts},
                    error.substr(0, 1000), db::FormatDateTime(DbTime(now + retry_after)),
                    db::FormatDateTime(now), id})
            .status());
    if (!dead) return absl::OkStatus();
    CRM_ASSIGN_OR_RETURN(db::Rows after, tx.Query(kLockDelivery, {id}));
    const v1::Delivery delivery = DeliveryFromRow(after[0]);
    return events::Append(
        tx, {.type = kDeliveryDeadLettered, .resource = delivery.name(), .actor = kOrdersService},
        delivery);
  }));
  return dead;
}

absl::StatusOr<api::Page<v1::Delivery>> DeliveryStore::List(const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return records::ListPage<v1::Delivery>(*session, kSelectDeliveryColumns, kDeliveryColumnCount,
                                         kFromDeliveries, {}, query, DeliveryFromRow);
}

absl::StatusOr<v1::Delivery> DeliveryStore::Replay(int64_t id, std::string_view actor,
                                                   const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Delivery>(
      pool_, key, [&](db::Transaction& tx, v1::Delivery& replayed) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kLockDelivery, {id}));
        if (rows.empty()) {
          return Error(absl::StatusCode::kNotFound, "DELIVERY_NOT_FOUND",
                       absl::StrCat(api::ResourceName("deliveries", id), " does not exist"));
        }
        if (rows[0].Int(5) != v1::DELIVERY_DEAD) {
          return Error(absl::StatusCode::kFailedPrecondition, "DELIVERY_NOT_DEAD",
                       "only a dead-lettered delivery can be replayed");
        }
        const std::string now = db::FormatDateTime(DbTime(clock_.Now()));
        CRM_RETURN_IF_ERROR(tx.Execute(kReplay, {now, now, id}).status());
        CRM_ASSIGN_OR_RETURN(db::Rows after, tx.Query(kLockDelivery, {id}));
        replayed = DeliveryFromRow(after[0]);
        return events::Append(
            tx, {.type = kDeliveryReplayed, .resource = replayed.name(), .actor = actor},
            replayed);
      });
}

}  // namespace crm::orders
