#include "services/analytics/performance_model.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "crm/activities/v1/activities.pb.h"
#include "crm/customers/v1/customers.pb.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "crm/orders/v1/orders.pb.h"
#include "libs/api/periods.h"
#include "libs/api/resource.h"
#include "libs/events/payload.h"
#include "libs/grpc/status.h"
#include "services/analytics/cube_rows.h"
#include "services/analytics/event_types.h"
#include "services/analytics/performance_sql.h"

namespace crm::analytics {
namespace {

namespace cust = customers::v1;

// What one counted customer adds to customer_groups and customers_new_daily, and for everyone
// to customer_cube and customers_new_cube.
struct CustomerShare {
  std::string owner;
  std::string industry;
  std::string province;
  std::string size_band;
  std::string created;  // "2026-03-01"
};

// The eight customer_cube rows: within every customer, within its industry and within its
// province, one row per other dimension (schema/007_customer_cube.sql); within its industry and
// province together, its size band (schema/009).
absl::Status AddToCustomerCube(db::Transaction& tx, const CustomerShare& c, int sign) {
  static const std::string statement = MultiRowStatement(
      sql::kAddCustomerCubeHead, sql::kCustomerCubeRow, 8, sql::kAddCustomerCubeTail);
  const std::string none;  // the value of the slice '-'
  const std::string both = IndustryAndProvince(c.industry, c.province);
  const struct {
    const char* slice;
    const std::string& slice_value;
    const char* dim;
    const std::string& dim_value;
  } rows[] = {{"-", none, "I", c.industry},        {"-", none, "P", c.province},
              {"-", none, "S", c.size_band},       {"I", c.industry, "P", c.province},
              {"I", c.industry, "S", c.size_band}, {"P", c.province, "I", c.industry},
              {"P", c.province, "S", c.size_band}, {"B", both, "S", c.size_band}};
  std::vector<db::Value> params;
  params.reserve(8 * 5);
  for (const auto& r : rows) {
    params.insert(params.end(), {r.slice, r.slice_value, r.dim, r.dim_value, int64_t{sign}});
  }
  return tx.Execute(statement, params).status();
}

// The customers_new_cube rows, each on its creation day and month: everyone's with no
// dimension, by industry, by province (schema/007) and by both together (schema/009); its
// owner's with no dimension, by industry and by province (schema/010; none for a customer
// without an owner, whose rows would be everyone's).
absl::Status AddToNewCube(db::Transaction& tx, const CustomerShare& c, int sign) {
  static const std::string everyone_only = MultiRowStatement(
      sql::kAddCustomersNewCubeHead, sql::kCustomersNewCubeRow, 8, sql::kAddCustomerCubeTail);
  static const std::string with_owner = MultiRowStatement(
      sql::kAddCustomersNewCubeHead, sql::kCustomersNewCubeRow, 14, sql::kAddCustomerCubeTail);
  const std::string everyone;
  const std::string month = MonthOf(c.created);
  const std::pair<const char*, const std::string&> grains[] = {{"D", c.created}, {"M", month}};
  std::vector<db::Value> params;
  params.reserve(14 * 6);
  auto add = [&](const std::string& owner, const char* dim, const std::string& value) {
    for (const auto& [grain, period] : grains) {
      params.insert(params.end(), {owner, dim, value, grain, period, int64_t{sign}});
    }
  };
  auto add_dimensions = [&](const std::string& owner) {
    add(owner, "-", "");
    add(owner, "I", c.industry);
    add(owner, "P", c.province);
  };
  add(everyone, "B", IndustryAndProvince(c.industry, c.province));
  add_dimensions(everyone);
  if (c.owner.empty()) return tx.Execute(everyone_only, params).status();
  add_dimensions(c.owner);
  return tx.Execute(with_owner, params).status();
}

// Adds the customer once (`sign` 1) or takes it out (-1), dropping groups left empty (the
// cubes' rows left at 0 stay).
absl::Status AddCustomer(db::Transaction& tx, const CustomerShare& c, int sign) {
  CRM_RETURN_IF_ERROR(AddToCustomerCube(tx, c, sign));
  CRM_RETURN_IF_ERROR(AddToNewCube(tx, c, sign));
  CRM_RETURN_IF_ERROR(
      tx.Execute(sql::kAddCustomerGroup, {c.owner, c.industry, c.province, c.size_band, sign})
          .status());
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kAddCustomerNew,
                                 {c.created, c.owner, c.industry, c.province, c.size_band, sign})
                          .status());
  if (sign > 0) return absl::OkStatus();
  CRM_RETURN_IF_ERROR(
      tx.Execute(sql::kDropEmptyCustomerGroup, {c.owner, c.industry, c.province, c.size_band})
          .status());
  return tx
      .Execute(sql::kDropEmptyCustomerNew,
               {c.created, c.owner, c.industry, c.province, c.size_band})
      .status();
}

// The customer's row as kLockCustomerFacts reads it: whether it counts, and its share.
struct Facts {
  bool counted = false;
  CustomerShare share;
};
absl::StatusOr<std::optional<Facts>> LockFacts(db::Transaction& tx, int64_t id) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kLockCustomerFacts, {id}));
  if (rows.empty()) return std::nullopt;
  const db::Row& r = rows[0];
  return Facts{.counted = r.Int(0) != 0,
               .share = {.owner = r.Str(1),
                         .industry = r.Str(2),
                         .province = r.Str(3),
                         .size_band = r.Str(4),
                         .created = r.Str(5)}};
}

// Adds `sign` to one measure (`statement`, one of the kAdd… of owner_daily) of an owner's day.
absl::Status AddToDay(db::Transaction& tx, const char* statement, const std::string& day,
                      const std::string& owner, int sign) {
  if (day.empty()) return absl::OkStatus();
  CRM_RETURN_IF_ERROR(tx.Execute(statement, {day, owner, sign}).status());
  if (sign > 0) return absl::OkStatus();
  return tx.Execute(sql::kDropEmptyOwnerDay, {day, owner}).status();
}

// What one order adds: created on `created`, completed and cancelled on those days when set,
// and one order under `status`.
struct OrderShare {
  std::string owner;
  std::string status;
  std::string created;
  std::string completed;
  std::string cancelled;
};

absl::Status AddOrder(db::Transaction& tx, const OrderShare& o, int sign) {
  CRM_RETURN_IF_ERROR(AddToDay(tx, sql::kAddOrdersCreated, o.created, o.owner, sign));
  CRM_RETURN_IF_ERROR(AddToDay(tx, sql::kAddOrdersCompleted, o.completed, o.owner, sign));
  CRM_RETURN_IF_ERROR(AddToDay(tx, sql::kAddOrdersCancelled, o.cancelled, o.owner, sign));
  return tx.Execute(sql::kAddOrderStatus, {o.status, sign}).status();
}

bool IsCompleted(orders::v1::OrderStatus status) {
  return status == orders::v1::DELIVERED || status == orders::v1::COMPLETED;
}

}  // namespace

std::string PerformanceModel::DayOf(const google::protobuf::Timestamp& t,
                                    const events::v1::Event& event) const {
  const google::protobuf::Timestamp& when = t.seconds() != 0 ? t : event.time();
  return api::DateText(api::DayIn(absl::FromUnixSeconds(when.seconds()), zone_));
}

std::vector<std::string> PerformanceModel::MoreOpportunityTypes() { return {kLeadConvertedEvent}; }

std::vector<std::string> PerformanceModel::OrderTypes() {
  return {kOrderCreatedEvent, kOrderUpdatedEvent, kOrderStatusChangedEvent};
}

std::vector<std::string> PerformanceModel::ActivityTypes() {
  return {kActivityLoggedEvent, kActivityUpdatedEvent, kActivityDeletedEvent};
}

std::vector<std::string> PerformanceModel::MoreCustomerTypes() {
  return {kCustomerDeletedEvent, kCustomerMergedEvent, kCustomerUnmergedEvent};
}

absl::Status PerformanceModel::Apply(db::Transaction& tx, const events::v1::Event& event) {
  const std::string& type = event.type();
  if (type == kCustomerCreatedEvent || type == kCustomerUpdatedEvent ||
      type == kCustomerDeletedEvent) {
    return ApplyCustomer(tx, event);
  }
  if (type == kCustomerMergedEvent || type == kCustomerUnmergedEvent) {
    return ApplyMerge(tx, event);
  }
  if (type == kOrderCreatedEvent || type == kOrderUpdatedEvent ||
      type == kOrderStatusChangedEvent) {
    return ApplyOrder(tx, event);
  }
  if (type == kActivityLoggedEvent || type == kActivityUpdatedEvent ||
      type == kActivityDeletedEvent) {
    return ApplyActivity(tx, event);
  }
  if (type == kLeadConvertedEvent) return ApplyLeadConverted(tx, event);
  return absl::OkStatus();
}

absl::Status PerformanceModel::ApplyCustomer(db::Transaction& tx, const events::v1::Event& event) {
  cust::Customer customer;
  if (!event.payload().UnpackTo(&customer)) return events::CorruptEvent(event, "customer");
  absl::StatusOr<int64_t> id = api::ParseResourceId(customer.name(), "customers");
  if (!id.ok()) return events::CorruptEvent(event, "customer's name");

  // Out with what it added so far.
  CRM_ASSIGN_OR_RETURN(std::optional<Facts> old, LockFacts(tx, *id));
  if (old.has_value() && old->counted) CRM_RETURN_IF_ERROR(AddCustomer(tx, old->share, -1));
  if (event.type() == kCustomerDeletedEvent) {
    return tx.Execute(sql::kDeleteCustomerFacts, {*id}).status();
  }
  // In with what it adds now. A customer merged away stays uncounted until an unmerge.
  const bool counted = !old.has_value() || old->counted;
  // The creation day: its create_time, or the event's time for a payload without one.
  CustomerShare now{.owner = customer.owner(),
                    .industry = customer.industry(),
                    .province = customer.region().province(),
                    .size_band = cust::SizeBand_Name(customer.size_band()),
                    .created = DayOf(customer.create_time(), event)};
  if (counted) CRM_RETURN_IF_ERROR(AddCustomer(tx, now, 1));
  return tx
      .Execute(sql::kUpsertCustomerFacts, {*id, counted ? 1 : 0, now.owner, now.industry,
                                           now.province, now.size_band, now.created})
      .status();
}

absl::Status PerformanceModel::ApplyMerge(db::Transaction& tx, const events::v1::Event& event) {
  cust::CustomerMerge merge;
  if (!event.payload().UnpackTo(&merge)) return events::CorruptEvent(event, "customer merge");
  const bool merged = event.type() == kCustomerMergedEvent;
  for (const std::string& name : merge.merged()) {
    absl::StatusOr<int64_t> id = api::ParseResourceId(name, "customers");
    if (!id.ok()) return events::CorruptEvent(event, "merged customer's name");
    CRM_ASSIGN_OR_RETURN(std::optional<Facts> facts, LockFacts(tx, *id));
    // Already as the event says (applied before), or never heard of: nothing to move.
    if (!facts.has_value() || facts->counted != merged) continue;
    CRM_RETURN_IF_ERROR(AddCustomer(tx, facts->share, merged ? -1 : 1));
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kCountCustomerFacts, {merged ? 0 : 1, *id}).status());
  }
  return absl::OkStatus();
}

absl::Status PerformanceModel::ApplyOrder(db::Transaction& tx, const events::v1::Event& event) {
  orders::v1::Order order;
  if (event.type() == kOrderStatusChangedEvent) {
    orders::v1::StatusChangeEvent change;
    if (!event.payload().UnpackTo(&change)) return events::CorruptEvent(event, "status change");
    order = change.order();
  } else if (!event.payload().UnpackTo(&order)) {
    return events::CorruptEvent(event, "order");
  }
  absl::StatusOr<int64_t> id = api::ParseResourceId(order.name(), "orders");
  if (!id.ok()) return events::CorruptEvent(event, "order's name");

  // Out with what it added so far.
  CRM_ASSIGN_OR_RETURN(db::Rows old, tx.Query(sql::kLockOrderFacts, {*id}));
  OrderShare before;
  if (!old.empty()) {
    before = {.owner = old[0].Str(0),
              .status = old[0].Str(1),
              .created = old[0].Str(2),
              .completed = old[0].Str(3),
              .cancelled = old[0].Str(4)};
    CRM_RETURN_IF_ERROR(AddOrder(tx, before, -1));
  }
  // In with what it adds now: a completion or cancellation keeps the day it first happened.
  const std::string status_day = DayOf(order.status_time(), event);
  OrderShare now{.owner = order.owner(),
                 .status = orders::v1::OrderStatus_Name(order.status()),
                 .created = DayOf(order.create_time(), event)};
  if (IsCompleted(order.status())) {
    now.completed = before.completed.empty() ? status_day : before.completed;
  }
  if (order.status() == orders::v1::CANCELLED) {
    now.cancelled = before.cancelled.empty() ? status_day : before.cancelled;
  }
  CRM_RETURN_IF_ERROR(AddOrder(tx, now, 1));
  return tx
      .Execute(sql::kUpsertOrderFacts,
               {*id, now.owner, now.status, now.created, now.completed, now.cancelled})
      .status();
}

absl::Status PerformanceModel::ApplyActivity(db::Transaction& tx, const events::v1::Event& event) {
  activities::v1::Activity activity;
  if (!event.payload().UnpackTo(&activity)) return events::CorruptEvent(event, "activity");
  absl::StatusOr<int64_t> id = api::ParseResourceId(activity.name(), "activities");
  if (!id.ok()) return events::CorruptEvent(event, "activity's name");
  CRM_ASSIGN_OR_RETURN(db::Rows old, tx.Query(sql::kLockActivityFacts, {*id}));
  if (!old.empty()) {
    CRM_RETURN_IF_ERROR(AddToDay(tx, sql::kAddActivities, old[0].Str(1), old[0].Str(0), -1));
  }
  if (event.type() == kActivityDeletedEvent) {
    return tx.Execute(sql::kDeleteActivityFacts, {*id}).status();
  }
  const std::string day = DayOf(activity.activity_time(), event);
  CRM_RETURN_IF_ERROR(AddToDay(tx, sql::kAddActivities, day, activity.performer(), 1));
  return tx.Execute(sql::kUpsertActivityFacts, {*id, activity.performer(), day}).status();
}

absl::Status PerformanceModel::ApplyLeadConverted(db::Transaction& tx,
                                                  const events::v1::Event& event) {
  opportunities::v1::Lead lead;
  if (!event.payload().UnpackTo(&lead)) return events::CorruptEvent(event, "lead");
  absl::StatusOr<int64_t> id = api::ParseResourceId(lead.name(), "leads");
  if (!id.ok()) return events::CorruptEvent(event, "lead's name");
  // A lead converts once; a second delivery of the event finds it counted.
  CRM_ASSIGN_OR_RETURN(db::Rows known, tx.Query(sql::kSelectLeadConversion, {*id}));
  if (!known.empty()) return absl::OkStatus();
  const std::string day = DayOf(lead.convert_time(), event);
  CRM_RETURN_IF_ERROR(AddToDay(tx, sql::kAddLeadsConverted, day, lead.owner(), 1));
  return tx.Execute(sql::kInsertLeadConversion, {*id, lead.owner(), day}).status();
}

absl::Status PerformanceModel::Reset(db::Transaction& tx, std::string_view feed) {
  std::vector<const char*> statements;
  if (feed == "customers") {
    statements = {sql::kClearCustomerFacts, sql::kClearCustomerGroups, sql::kClearCustomersNew,
                  sql::kClearCustomerCube, sql::kClearCustomersNewCube};
  } else if (feed == "opportunities") {
    statements = {sql::kClearLeadConversions, sql::kZeroLeadMeasures, sql::kDropEmptyOwnerDays};
  } else if (feed == "orders") {
    statements = {sql::kClearOrderFacts, sql::kClearOrderStatus, sql::kZeroOrderMeasures,
                  sql::kDropEmptyOwnerDays};
  } else if (feed == "activities") {
    statements = {sql::kClearActivityFacts, sql::kZeroActivityMeasures, sql::kDropEmptyOwnerDays};
  }
  for (const char* statement : statements) {
    CRM_RETURN_IF_ERROR(tx.Execute(statement, {}).status());
  }
  return absl::OkStatus();
}

}  // namespace crm::analytics
