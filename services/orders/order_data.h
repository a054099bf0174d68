// An order as the stores hold it while they read or change it: the row, its lines and its
// latest approval, in minor units and absl::Time, with the SQL that loads and saves each part
// (order_sql.h) and the one mapping to the API's messages. The stores for orders, returns and
// integration share it, so an order is read, written and shown the same way everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/integration/v1/integration.pb.h"
#include "crm/orders/v1/orders.pb.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/records/owned.h"
#include "services/orders/status.h"

namespace crm::orders {

struct LineRecord {
  int line_number = 0;
  std::string product;
  std::string display_name;
  std::string sku;
  std::string unit;
  std::string external_id;
  std::string price;  // "products/{id}/prices/{id}"
  int64_t unit_price = 0;
  int64_t quantity = 0;
  int discount_bps = 0;
  int64_t list = 0;
  int64_t discount = 0;
  int64_t total = 0;
  int64_t shipped = 0;
  int64_t delivered = 0;
  int64_t returned = 0;
};

struct DecisionRecord {
  v1::ApprovalAction action = v1::APPROVAL_ACTION_UNSPECIFIED;
  std::string actor;
  auth::v1::Role approver_role = auth::v1::ROLE_UNSPECIFIED;
  std::string approver;
  std::string comment;
  absl::Time time;
};

struct ApprovalRecord {
  int64_t id = 0;
  int64_t order_id = 0;
  v1::ApprovalState state = v1::APPROVAL_PENDING;
  auth::v1::Role approver_role = auth::v1::ROLE_UNSPECIFIED;
  std::string approver;
  std::string submitter;
  std::string owner;
  auth::v1::Role required_role = auth::v1::ROLE_UNSPECIFIED;
  std::vector<std::string> reasons;
  std::string currency;
  int64_t total = 0;
  int max_discount_bps = 0;
  absl::Time submit_time;
  absl::Time assign_time;
  std::optional<absl::Time> escalate_time;
  std::string decider;
  std::string comment;
  std::optional<absl::Time> decide_time;
  std::vector<DecisionRecord> decisions;
};

struct OrderRecord {
  int64_t id = 0;
  int64_t version = 1;
  std::string customer;
  std::string customer_display_name;
  std::string opportunity;
  std::string owner;
  std::string creator;
  std::string currency;
  v1::OrderStatus status = v1::DRAFT;
  v1::OrderStatus held_from = v1::ORDER_STATUS_UNSPECIFIED;
  absl::Time order_time;
  std::string requested_delivery_date;
  v1::ShippingAddress address;
  std::string notes;
  int next_line_number = 1;
  int64_t subtotal = 0;
  int64_t discount = 0;
  int64_t total = 0;
  int64_t invoiced = 0;
  int64_t credited = 0;
  int64_t paid = 0;
  bool stock_requested = false;
  int64_t replacement_for = 0;     // 0: none
  int64_t replacement_return = 0;  // 0: none
  int64_t approval_id = 0;         // 0: none
  absl::Time create_time;
  absl::Time update_time;
  absl::Time status_time;
  std::vector<LineRecord> lines;
  std::optional<ApprovalRecord> approval;  // the one approval_id names

  std::string name() const;
  LineRecord* FindLine(int line_number);
  std::vector<LineProgress> Progress() const;
  // subtotal, discount and total from the lines.
  void RecomputeTotals();
  // Who hears about it: the owner and the creator (once).
  std::vector<std::string> Concerned() const;
};

// Microsecond precision, as DATETIME(6) keeps it, so what a write returns equals what a
// later read shows.
absl::Time DbTime(absl::Time t);

// The orders table as the owned-record kit sees it (alias o, owner column o.owner).
const records::OwnedTable& OrdersTable();

// ---- Reading ----------------------------------------------------------------------------

// The row of a SELECT of kOrderColumns (lines and approval not loaded).
OrderRecord OrderFromRow(const db::Row& row);
// Lines and the latest approval (with its decisions) of each order, in place.
absl::Status LoadDetails(db::Session& session, std::vector<OrderRecord>& orders);

// The order `id`, locked (SELECT ... FOR UPDATE), with its details, whoever asks: for the
// system's own steps (escalation, shipments and payments reported by a service identity).
// NOT_FOUND (ORDER_NOT_FOUND).
absl::StatusOr<OrderRecord> LockOrder(db::Transaction& tx, int64_t id);
// The same from a row the owned-record kit already locked.
absl::StatusOr<OrderRecord> WithDetails(db::Session& session, const db::Row& row);

// The API message: BASIC (lines, latest approval). FULL adds what AddFullView reads.
v1::Order ToProto(const OrderRecord& order);
absl::Status AddFullView(db::Session& session, const OrderRecord& order, v1::Order* out);
v1::Approval ApprovalToProto(const ApprovalRecord& approval);

// ---- Writing ----------------------------------------------------------------------------

// Inserts the order and its lines (status history too); sets order.id.
absl::Status InsertOrder(db::Transaction& tx, OrderRecord& order);
// Writes the order's row back (version + 1, update_time = now) and, when `lines_changed`,
// replaces its lines; otherwise the lines' progress columns (shipped, delivered, returned).
absl::Status SaveOrder(db::Transaction& tx, OrderRecord& order, absl::Time now,
                       bool lines_changed);
// Moves the status (CheckMove first), records who and why in the history, and emits
// OrderStatusChanged. Leaving ON_HOLD clears held_from; entering it sets it.
absl::Status ChangeStatus(db::Transaction& tx, OrderRecord& order, v1::OrderStatus to,
                          std::string_view actor, std::string_view reason, absl::Time now);
// Emits an event about the order with its BASIC view as payload (OrderCreated, OrderUpdated).
absl::Status AppendOrderEvent(db::Transaction& tx, const OrderRecord& order,
                              std::string_view type, std::string_view actor,
                              std::vector<std::string> changed_paths = {});

// Approvals: insert (sets approval.id), save (state, approver, decision fields), and one
// audit row per step; the latest is kept on order.approval.
absl::Status InsertApproval(db::Transaction& tx, ApprovalRecord& approval);
absl::Status SaveApproval(db::Transaction& tx, const ApprovalRecord& approval);
absl::Status AddDecision(db::Transaction& tx, ApprovalRecord& approval, DecisionRecord decision);
// Emits an approval event (OrderSubmittedForApproval, OrderApproved, ...).
absl::Status AppendApprovalEvent(db::Transaction& tx, const OrderRecord& order,
                                 std::string_view type, std::string_view actor);

// ---- Effects on the inventory and finance systems ---------------------------------------

// The event id prefix of the orders feed ("orders.crm"), which names each effect's key.
struct EffectContext {
  std::string event_id_prefix;
  absl::Time now;
  std::string actor;
};

// Asks `system` for `delivery`'s effect: its event in the outbox (payload: the effect's
// request) and, keyed by that event's id, a pending delivery for the relay — both in `tx`.
// `amount` is what an invoice or credit note is for (0 otherwise).
absl::Status RequestEffect(db::Transaction& tx, const EffectContext& context,
                           const OrderRecord& order, v1::ExternalSystem system,
                           v1::Effect effect, integration::v1::WebhookDelivery delivery,
                           int64_t amount);

// The effects of the order's status moves (orders.proto, "Inventory and finance"), in the
// contract's messages.
absl::Status RequestReservation(db::Transaction& tx, const EffectContext& context,
                                OrderRecord& order);
absl::Status RequestShipmentAndInvoice(db::Transaction& tx, const EffectContext& context,
                                       OrderRecord& order);
absl::Status RequestCancellationEffects(db::Transaction& tx, const EffectContext& context,
                                        OrderRecord& order, std::string_view reason);
integration::v1::BillingLine BillingLineOf(const OrderRecord& order, const LineRecord& line,
                                           int64_t quantity, int64_t amount);

}  // namespace crm::orders
