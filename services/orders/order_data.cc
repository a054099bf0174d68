#include "services/orders/order_data.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/db/lists.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "services/orders/event_types.h"
#include "services/orders/order_sql.h"
#include "services/orders/pricing.h"
#include "services/orders/return_data.h"

namespace crm::orders {
namespace {

absl::Time TimeOf(const db::Row& row, size_t i) { return FromTimestamp(TimestampFromDateTime(row.Str(i))); }

std::optional<absl::Time> OptionalTime(const db::Row& row, size_t i) {
  if (row.IsNull(i)) return std::nullopt;
  return TimeOf(row, i);
}

db::Value TimeValue(absl::Time t) { return db::FormatDateTime(t); }
db::Value OptionalTimeValue(const std::optional<absl::Time>& t) {
  if (!t) return std::monostate();
  return db::FormatDateTime(*t);
}
db::Value IdOrNull(int64_t id) {
  if (id == 0) return std::monostate();
  return id;
}

// "(?, ?, ?)" for `count` placeholders.
std::string Placeholders(size_t count) {
  std::string text;
  for (size_t i = 0; i < count; ++i) absl::StrAppend(&text, i == 0 ? "?" : ", ?");
  return text;
}

LineRecord LineFromRow(const db::Row& row) {
  LineRecord line;
  line.line_number = static_cast<int>(row.Int(1));
  line.product = row.Str(2);
  line.display_name = row.Str(3);
  line.sku = row.Str(4);
  line.unit = row.Str(5);
  line.external_id = row.Str(6);
  line.price = row.Str(7);
  line.unit_price = row.Int(8);
  line.quantity = row.Int(9);
  line.discount_bps = static_cast<int>(row.Int(10));
  line.list = row.Int(11);
  line.discount = row.Int(12);
  line.total = row.Int(13);
  line.shipped = row.Int(14);
  line.delivered = row.Int(15);
  line.returned = row.Int(16);
  return line;
}

ApprovalRecord ApprovalFromRow(const db::Row& row) {
  ApprovalRecord a;
  a.id = row.Int(0);
  a.order_id = row.Int(1);
  a.state = static_cast<v1::ApprovalState>(row.Int(2));
  a.approver_role = static_cast<auth::v1::Role>(row.Int(3));
  a.approver = row.Str(4);
  a.submitter = row.Str(5);
  a.owner = row.Str(6);
  a.required_role = static_cast<auth::v1::Role>(row.Int(7));
  google::protobuf::RepeatedPtrField<std::string> reasons;
  db::SplitLines(row.Str(8), &reasons);
  a.reasons.assign(reasons.begin(), reasons.end());
  a.currency = row.Str(9);
  a.total = row.Int(10);
  a.max_discount_bps = static_cast<int>(row.Int(11));
  a.submit_time = TimeOf(row, 12);
  a.assign_time = TimeOf(row, 13);
  a.escalate_time = OptionalTime(row, 14);
  a.decider = row.Str(15);
  a.comment = row.Str(16);
  a.decide_time = OptionalTime(row, 17);
  return a;
}

// The decisions of `approvals`, in place, oldest first.
absl::Status LoadDecisions(db::Session& session, std::vector<ApprovalRecord*> approvals) {
  if (approvals.empty()) return absl::OkStatus();
  std::vector<db::Value> ids;
  std::map<int64_t, ApprovalRecord*> by_id;
  for (ApprovalRecord* a : approvals) {
    ids.emplace_back(a->id);
    by_id[a->id] = a;
  }
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      session.Query(absl::StrCat(sql::kSelectDecisionsPrefix, Placeholders(ids.size()),
                                 ") ORDER BY id"),
                    ids));
  for (const db::Row& row : rows) {
    DecisionRecord d;
    d.action = static_cast<v1::ApprovalAction>(row.Int(1));
    d.actor = row.Str(2);
    d.approver_role = static_cast<auth::v1::Role>(row.Int(3));
    d.approver = row.Str(4);
    d.comment = row.Str(5);
    d.time = TimeOf(row, 6);
    by_id[row.Int(0)]->decisions.push_back(std::move(d));
  }
  return absl::OkStatus();
}

common::v1::Money Money(const std::string& currency, int64_t minor) {
  return api::FromMinorUnits(currency, minor);
}

}  // namespace

absl::Time DbTime(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

std::string OrderRecord::name() const { return api::ResourceName("orders", id); }

LineRecord* OrderRecord::FindLine(int line_number) {
  for (LineRecord& line : lines) {
    if (line.line_number == line_number) return &line;
  }
  return nullptr;
}

std::vector<LineProgress> OrderRecord::Progress() const {
  std::vector<LineProgress> progress;
  for (const LineRecord& line : lines) {
    progress.push_back({line.quantity, line.shipped, line.delivered});
  }
  return progress;
}

void OrderRecord::RecomputeTotals() {
  subtotal = discount = total = 0;
  for (const LineRecord& line : lines) {
    subtotal += line.list;
    discount += line.discount;
    total += line.total;
  }
}

std::vector<std::string> OrderRecord::Concerned() const {
  std::vector<std::string> people = {owner};
  if (!creator.empty() && creator != owner && creator.starts_with("users/")) {
    people.push_back(creator);
  }
  return people;
}

const records::OwnedTable& OrdersTable() {
  static const records::OwnedTable table{.collection = "orders",
                                         .not_found_reason = "ORDER_NOT_FOUND",
                                         .owner_column = "o.owner",
                                         .select_by_id = sql::kSelectOrderById,
                                         .owner_index = sql::kOwnerIndex,
                                         .select_columns = sql::kSelectOrderColumns,
                                         .column_count = sql::kOrderColumnCount,
                                         .from_live = sql::kFromOrders};
  return table;
}

OrderRecord OrderFromRow(const db::Row& row) {
  OrderRecord o;
  o.id = row.Int(0);
  o.version = row.Int(1);
  o.customer = row.Str(2);
  o.customer_display_name = row.Str(3);
  o.opportunity = row.Str(4);
  o.owner = row.Str(5);
  o.creator = row.Str(6);
  o.currency = row.Str(7);
  o.status = static_cast<v1::OrderStatus>(row.Int(8));
  o.held_from = static_cast<v1::OrderStatus>(row.Int(9));
  o.order_time = TimeOf(row, 10);
  o.requested_delivery_date = row.Str(11);
  o.address.set_recipient(row.Str(12));
  o.address.set_phone(row.Str(13));
  o.address.set_country(row.Str(14));
  o.address.set_province(row.Str(15));
  o.address.set_city(row.Str(16));
  o.address.set_street(row.Str(17));
  o.address.set_postal_code(row.Str(18));
  o.notes = row.Str(19);
  o.next_line_number = static_cast<int>(row.Int(20));
  o.subtotal = row.Int(21);
  o.discount = row.Int(22);
  o.total = row.Int(23);
  o.invoiced = row.Int(24);
  o.credited = row.Int(25);
  o.paid = row.Int(26);
  o.stock_requested = row.Int(27) != 0;
  o.replacement_for = row.Int(28);
  o.replacement_return = row.Int(29);
  o.approval_id = row.Int(30);
  o.create_time = TimeOf(row, 31);
  o.update_time = TimeOf(row, 32);
  o.status_time = TimeOf(row, 33);
  return o;
}

absl::Status LoadDetails(db::Session& session, std::vector<OrderRecord>& orders) {
  if (orders.empty()) return absl::OkStatus();
  std::map<int64_t, OrderRecord*> by_id;
  std::vector<db::Value> ids;
  std::vector<db::Value> approval_ids;
  for (OrderRecord& order : orders) {
    order.lines.clear();
    order.approval.reset();
    by_id[order.id] = &order;
    ids.emplace_back(order.id);
    if (order.approval_id != 0) approval_ids.emplace_back(order.approval_id);
  }
  CRM_ASSIGN_OR_RETURN(
      db::Rows lines,
      session.Query(absl::StrCat(sql::kSelectLinesPrefix, Placeholders(ids.size()),
                                 ") ORDER BY order_id, line_number"),
                    ids));
  for (const db::Row& row : lines) by_id[row.Int(0)]->lines.push_back(LineFromRow(row));
  if (approval_ids.empty()) return absl::OkStatus();
  CRM_ASSIGN_OR_RETURN(
      db::Rows approvals,
      session.Query(absl::StrCat(sql::kSelectApprovalsPrefix, Placeholders(approval_ids.size()),
                                 ")"),
                    approval_ids));
  std::vector<ApprovalRecord*> loaded;
  for (const db::Row& row : approvals) {
    OrderRecord* order = by_id[row.Int(1)];
    order->approval = ApprovalFromRow(row);
    loaded.push_back(&*order->approval);
  }
  return LoadDecisions(session, loaded);
}

absl::StatusOr<OrderRecord> WithDetails(db::Session& session, const db::Row& row) {
  std::vector<OrderRecord> orders = {OrderFromRow(row)};
  CRM_RETURN_IF_ERROR(LoadDetails(session, orders));
  return std::move(orders[0]);
}

absl::StatusOr<OrderRecord> LockOrder(db::Transaction& tx, int64_t id) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kLockOrderById, {id}));
  if (rows.empty()) {
    return Error(absl::StatusCode::kNotFound, "ORDER_NOT_FOUND",
                 absl::StrCat(api::ResourceName("orders", id), " does not exist"));
  }
  return WithDetails(tx, rows[0]);
}

v1::Approval ApprovalToProto(const ApprovalRecord& a) {
  v1::Approval out;
  out.set_name(api::ResourceName("approvals", a.id));
  out.set_order(api::ResourceName("orders", a.order_id));
  out.set_state(a.state);
  out.set_approver_role(a.approver_role);
  out.set_approver(a.approver);
  out.set_submitter(a.submitter);
  out.set_owner(a.owner);
  for (const std::string& reason : a.reasons) out.add_reasons(reason);
  out.set_required_role(a.required_role);
  *out.mutable_total() = Money(a.currency, a.total);
  out.set_max_discount_percent(FormatDiscountBps(a.max_discount_bps));
  *out.mutable_submit_time() = ToTimestamp(a.submit_time);
  *out.mutable_assign_time() = ToTimestamp(a.assign_time);
  if (a.escalate_time) *out.mutable_escalate_time() = ToTimestamp(*a.escalate_time);
  out.set_decider(a.decider);
  out.set_comment(a.comment);
  if (a.decide_time) *out.mutable_decide_time() = ToTimestamp(*a.decide_time);
  for (const DecisionRecord& d : a.decisions) {
    v1::ApprovalDecision* decision = out.add_decisions();
    decision->set_action(d.action);
    decision->set_actor(d.actor);
    decision->set_approver_role(d.approver_role);
    decision->set_approver(d.approver);
    decision->set_comment(d.comment);
    *decision->mutable_time() = ToTimestamp(d.time);
  }
  return out;
}

v1::Order ToProto(const OrderRecord& o) {
  v1::Order out;
  out.set_name(o.name());
  out.set_customer(o.customer);
  out.set_customer_display_name(o.customer_display_name);
  out.set_opportunity(o.opportunity);
  out.set_owner(o.owner);
  out.set_creator(o.creator);
  out.set_currency_code(o.currency);
  out.set_status(o.status);
  out.set_held_from(o.held_from);
  *out.mutable_order_time() = ToTimestamp(o.order_time);
  out.set_requested_delivery_date(o.requested_delivery_date);
  if (o.address.ByteSizeLong() > 0) *out.mutable_shipping_address() = o.address;
  out.set_notes(o.notes);
  for (const LineRecord& l : o.lines) {
    v1::OrderLine* line = out.add_lines();
    line->set_line_number(l.line_number);
    line->set_product(l.product);
    line->set_quantity(l.quantity);
    line->set_discount_percent(FormatDiscountBps(l.discount_bps));
    line->set_product_display_name(l.display_name);
    line->set_sku(l.sku);
    line->set_unit(l.unit);
    line->set_price(l.price);
    *line->mutable_unit_price() = Money(o.currency, l.unit_price);
    *line->mutable_list_amount() = Money(o.currency, l.list);
    *line->mutable_discount_amount() = Money(o.currency, l.discount);
    *line->mutable_line_total() = Money(o.currency, l.total);
    line->set_shipped_quantity(l.shipped);
    line->set_delivered_quantity(l.delivered);
    line->set_returned_quantity(l.returned);
  }
  *out.mutable_subtotal() = Money(o.currency, o.subtotal);
  *out.mutable_discount_total() = Money(o.currency, o.discount);
  *out.mutable_total() = Money(o.currency, o.total);
  *out.mutable_invoiced() = Money(o.currency, o.invoiced);
  *out.mutable_credited() = Money(o.currency, o.credited);
  *out.mutable_paid() = Money(o.currency, o.paid);
  if (o.replacement_for != 0) out.set_replacement_for(api::ResourceName("orders", o.replacement_for));
  if (o.replacement_return != 0) {
    out.set_replacement_return(api::ResourceName("returns", o.replacement_return));
  }
  if (o.approval) *out.mutable_approval() = ApprovalToProto(*o.approval);
  out.set_etag(api::EtagFromVersion(o.version));
  *out.mutable_create_time() = ToTimestamp(o.create_time);
  *out.mutable_update_time() = ToTimestamp(o.update_time);
  *out.mutable_status_time() = ToTimestamp(o.status_time);
  return out;
}

absl::Status AddFullView(db::Session& session, const OrderRecord& order, v1::Order* out) {
  CRM_ASSIGN_OR_RETURN(db::Rows history, session.Query(sql::kSelectHistory, {order.id}));
  for (const db::Row& row : history) {
    v1::StatusChange* change = out->add_status_history();
    change->set_from_status(static_cast<v1::OrderStatus>(row.Int(0)));
    change->set_to_status(static_cast<v1::OrderStatus>(row.Int(1)));
    change->set_actor(row.Str(2));
    change->set_reason(row.Str(3));
    *change->mutable_time() = TimestampFromDateTime(row.Str(4));
  }
  CRM_ASSIGN_OR_RETURN(db::Rows approvals, session.Query(sql::kSelectApprovalsOfOrder, {order.id}));
  std::vector<ApprovalRecord> records;
  for (const db::Row& row : approvals) records.push_back(ApprovalFromRow(row));
  std::vector<ApprovalRecord*> pointers;
  for (ApprovalRecord& a : records) pointers.push_back(&a);
  CRM_RETURN_IF_ERROR(LoadDecisions(session, pointers));
  for (const ApprovalRecord& a : records) *out->add_approvals() = ApprovalToProto(a);

  CRM_ASSIGN_OR_RETURN(db::Rows shipments, session.Query(sql::kSelectShipmentsOfOrder, {order.id}));
  for (const db::Row& row : shipments) {
    CRM_ASSIGN_OR_RETURN(*out->add_shipments(), ShipmentFromRow(session, row));
  }
  CRM_ASSIGN_OR_RETURN(db::Rows payments, session.Query(sql::kSelectPaymentsOfOrder, {order.id}));
  for (const db::Row& row : payments) *out->add_payments() = PaymentFromRow(row);
  CRM_ASSIGN_OR_RETURN(std::vector<v1::Return> returns, LoadReturnsOfOrder(session, order));
  for (v1::Return& r : returns) *out->add_returns() = std::move(r);
  return absl::OkStatus();
}

// ---- Writing ----------------------------------------------------------------------------

namespace {

absl::Status InsertLines(db::Transaction& tx, const OrderRecord& order) {
  for (const LineRecord& l : order.lines) {
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kInsertLine,
                                   {order.id, int64_t{l.line_number}, l.product, l.display_name,
                                    l.sku, l.unit, l.external_id, l.price, l.unit_price,
                                    l.quantity, int64_t{l.discount_bps}, l.list, l.discount,
                                    l.total, l.shipped, l.delivered, l.returned})
                            .status());
  }
  return absl::OkStatus();
}

absl::Status AddHistory(db::Transaction& tx, const OrderRecord& order, v1::OrderStatus from,
                        std::string_view actor, std::string_view reason, absl::Time now) {
  return tx
      .Execute(sql::kInsertHistory, {order.id, int64_t{from}, int64_t{order.status},
                                     std::string(actor), std::string(reason), TimeValue(now)})
      .status();
}

}  // namespace

absl::Status InsertOrder(db::Transaction& tx, OrderRecord& o) {
  const v1::ShippingAddress& a = o.address;
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query(sql::kInsertOrder,
               {o.customer, o.customer_display_name, o.opportunity, o.owner, o.creator,
                o.currency, int64_t{o.status}, int64_t{o.held_from}, TimeValue(o.order_time),
                o.requested_delivery_date, a.recipient(), a.phone(), a.country(), a.province(),
                a.city(), a.street(), a.postal_code(), o.notes, int64_t{o.next_line_number},
                o.subtotal, o.discount, o.total, int64_t{o.stock_requested ? 1 : 0},
                IdOrNull(o.replacement_for), IdOrNull(o.replacement_return),
                TimeValue(o.create_time), TimeValue(o.update_time), TimeValue(o.status_time)}));
  if (rows.empty()) return absl::InternalError("the order insert returned no id");
  o.id = rows[0].Int(0);
  CRM_RETURN_IF_ERROR(InsertLines(tx, o));
  return AddHistory(tx, o, v1::ORDER_STATUS_UNSPECIFIED, o.creator, "", o.create_time);
}

absl::Status SaveOrder(db::Transaction& tx, OrderRecord& o, absl::Time now, bool lines_changed) {
  const v1::ShippingAddress& a = o.address;
  o.update_time = DbTime(now);
  CRM_ASSIGN_OR_RETURN(
      uint64_t affected,
      tx.Execute(sql::kUpdateOrder,
                 {o.customer, o.customer_display_name, o.owner, o.currency, int64_t{o.status},
                  int64_t{o.held_from}, o.requested_delivery_date, a.recipient(), a.phone(),
                  a.country(), a.province(), a.city(), a.street(), a.postal_code(), o.notes,
                  int64_t{o.next_line_number}, o.subtotal, o.discount, o.total, o.invoiced,
                  o.credited, o.paid, int64_t{o.stock_requested ? 1 : 0}, IdOrNull(o.approval_id),
                  TimeValue(o.update_time), TimeValue(o.status_time), o.id, o.version}));
  // The row was locked at this version: anything else is a bug, not a race.
  if (affected != 1) return absl::InternalError("the locked order changed under its lock");
  ++o.version;
  if (lines_changed) {
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kDeleteLines, {o.id}).status());
    return InsertLines(tx, o);
  }
  for (const LineRecord& l : o.lines) {
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kUpdateLineProgress,
                                   {l.shipped, l.delivered, l.returned, o.id,
                                    int64_t{l.line_number}})
                            .status());
  }
  return absl::OkStatus();
}

absl::Status ChangeStatus(db::Transaction& tx, OrderRecord& order, v1::OrderStatus to,
                          std::string_view actor, std::string_view reason, absl::Time now) {
  CRM_RETURN_IF_ERROR(CheckMove(order.status, to));
  const v1::OrderStatus from = order.status;
  order.held_from = to == v1::ON_HOLD ? from : v1::ORDER_STATUS_UNSPECIFIED;
  order.status = to;
  order.status_time = DbTime(now);
  CRM_RETURN_IF_ERROR(AddHistory(tx, order, from, actor, reason, order.status_time));
  v1::StatusChangeEvent event;
  // The row is saved after this; the event shows the order as it will be.
  OrderRecord after = order;
  after.version = order.version + 1;
  after.update_time = order.status_time;
  *event.mutable_order() = ToProto(after);
  event.set_from_status(from);
  event.set_to_status(to);
  event.set_reason(std::string(reason));
  for (const std::string& person : order.Concerned()) event.add_concerned(person);
  return events::Append(
      tx, {.type = kOrderStatusChanged, .resource = order.name(), .actor = actor}, event);
}

absl::Status AppendOrderEvent(db::Transaction& tx, const OrderRecord& order,
                              std::string_view type, std::string_view actor,
                              std::vector<std::string> changed_paths) {
  return events::Append(tx,
                        {.type = type,
                         .resource = order.name(),
                         .actor = actor,
                         .changed_paths = std::move(changed_paths)},
                        ToProto(order));
}

absl::Status InsertApproval(db::Transaction& tx, ApprovalRecord& a) {
  google::protobuf::RepeatedPtrField<std::string> reasons(a.reasons.begin(), a.reasons.end());
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query(sql::kInsertApproval,
               {a.order_id, int64_t{a.state}, int64_t{a.approver_role}, a.approver, a.submitter,
                a.owner, int64_t{a.required_role}, db::JoinLines(reasons), a.currency, a.total,
                int64_t{a.max_discount_bps}, TimeValue(a.submit_time), TimeValue(a.assign_time),
                OptionalTimeValue(a.escalate_time)}));
  if (rows.empty()) return absl::InternalError("the approval insert returned no id");
  a.id = rows[0].Int(0);
  return absl::OkStatus();
}

absl::Status SaveApproval(db::Transaction& tx, const ApprovalRecord& a) {
  return tx
      .Execute(sql::kUpdateApproval,
               {int64_t{a.state}, int64_t{a.approver_role}, a.approver, TimeValue(a.assign_time),
                OptionalTimeValue(a.escalate_time), a.decider, a.comment,
                OptionalTimeValue(a.decide_time), a.id})
      .status();
}

absl::Status AddDecision(db::Transaction& tx, ApprovalRecord& a, DecisionRecord d) {
  d.time = DbTime(d.time);
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kInsertDecision,
                                 {a.id, a.order_id, int64_t{d.action}, d.actor,
                                  int64_t{d.approver_role}, d.approver, d.comment,
                                  TimeValue(d.time)})
                          .status());
  a.decisions.push_back(std::move(d));
  return absl::OkStatus();
}

absl::Status AppendApprovalEvent(db::Transaction& tx, const OrderRecord& order,
                                 std::string_view type, std::string_view actor) {
  v1::ApprovalEvent event;
  *event.mutable_order() = ToProto(order);
  if (order.approval) *event.mutable_approval() = ApprovalToProto(*order.approval);
  std::vector<std::string> concerned = order.Concerned();
  if (order.approval) {
    for (const std::string& person : {order.approval->submitter, order.approval->approver}) {
      if (!person.empty() &&
          std::find(concerned.begin(), concerned.end(), person) == concerned.end()) {
        concerned.push_back(person);
      }
    }
  }
  for (const std::string& person : concerned) event.add_concerned(person);
  return events::Append(tx, {.type = type, .resource = order.name(), .actor = actor}, event);
}

// ---- Effects ----------------------------------------------------------------------------

namespace {

const char* EventTypeOf(v1::Effect effect) {
  switch (effect) {
    case v1::RESERVE_STOCK:
      return kStockReservationRequested;
    case v1::RELEASE_STOCK:
      return kStockReleaseRequested;
    case v1::SHIP_STOCK:
      return kShipmentRequested;
    case v1::CREATE_INVOICE:
      return kInvoiceRequested;
    case v1::CREATE_CREDIT_NOTE:
      return kCreditNoteRequested;
    default:
      return "";
  }
}

// The effect's own request inside the envelope, which is the event's payload.
const google::protobuf::Message& EffectRequest(const integration::v1::WebhookDelivery& d) {
  switch (d.effect_case()) {
    case integration::v1::WebhookDelivery::kReserveStock:
      return d.reserve_stock();
    case integration::v1::WebhookDelivery::kReleaseStock:
      return d.release_stock();
    case integration::v1::WebhookDelivery::kShipStock:
      return d.ship_stock();
    case integration::v1::WebhookDelivery::kCreateInvoice:
      return d.create_invoice();
    default:
      return d.create_credit_note();
  }
}

std::vector<integration::v1::StockLine> StockLines(const OrderRecord& order) {
  std::vector<integration::v1::StockLine> lines;
  for (const LineRecord& l : order.lines) {
    integration::v1::StockLine& line = lines.emplace_back();
    line.set_line_number(l.line_number);
    line.set_sku(l.sku);
    line.set_product(l.product);
    line.set_external_product_id(l.external_id);
    line.set_quantity(l.quantity);
    line.set_unit(l.unit);
  }
  return lines;
}

}  // namespace

absl::Status RequestEffect(db::Transaction& tx, const EffectContext& context,
                           const OrderRecord& order, v1::ExternalSystem system,
                           v1::Effect effect, integration::v1::WebhookDelivery delivery,
                           int64_t amount) {
  const char* type = EventTypeOf(effect);
  CRM_ASSIGN_OR_RETURN(
      int64_t sequence,
      events::AppendReturningSequence(
          tx, {.type = type, .resource = order.name(), .actor = context.actor},
          EffectRequest(delivery)));
  const std::string event_id = events::EventId(context.event_id_prefix, sequence);
  delivery.set_event_id(event_id);
  delivery.set_event_type(type);
  delivery.set_order(order.name());
  *delivery.mutable_create_time() = ToTimestamp(DbTime(context.now));
  const db::Value now = TimeValue(context.now);
  return tx
      .Execute(sql::kInsertDelivery,
               {event_id, std::string(type), order.id, order.name(), int64_t{system},
                int64_t{effect},
                delivery.SerializeAsString(), amount == 0 ? std::string() : order.currency,
                amount, now, now, now})
      .status();
}

absl::Status RequestReservation(db::Transaction& tx, const EffectContext& context,
                                OrderRecord& order) {
  integration::v1::WebhookDelivery delivery;
  integration::v1::ReserveStockRequest* reserve = delivery.mutable_reserve_stock();
  reserve->set_order(order.name());
  reserve->set_customer(order.customer);
  reserve->set_customer_display_name(order.customer_display_name);
  for (integration::v1::StockLine& line : StockLines(order)) *reserve->add_lines() = line;
  order.stock_requested = true;
  return RequestEffect(tx, context, order, v1::INVENTORY, v1::RESERVE_STOCK, std::move(delivery),
                       0);
}

integration::v1::BillingLine BillingLineOf(const OrderRecord& order, const LineRecord& l,
                                           int64_t quantity, int64_t amount) {
  integration::v1::BillingLine line;
  line.set_line_number(l.line_number);
  line.set_sku(l.sku);
  line.set_description(l.display_name);
  line.set_quantity(quantity);
  *line.mutable_unit_price() = Money(order.currency, l.unit_price);
  line.set_discount_percent(FormatDiscountBps(l.discount_bps));
  *line.mutable_amount() = Money(order.currency, amount);
  return line;
}

absl::Status RequestShipmentAndInvoice(db::Transaction& tx, const EffectContext& context,
                                       OrderRecord& order) {
  integration::v1::WebhookDelivery ship;
  integration::v1::ShipStockRequest* request = ship.mutable_ship_stock();
  request->set_order(order.name());
  request->set_customer(order.customer);
  request->set_customer_display_name(order.customer_display_name);
  integration::v1::Address* address = request->mutable_address();
  address->set_recipient(order.address.recipient());
  address->set_phone(order.address.phone());
  address->set_country(order.address.country());
  address->set_province(order.address.province());
  address->set_city(order.address.city());
  address->set_street(order.address.street());
  address->set_postal_code(order.address.postal_code());
  request->set_requested_delivery_date(order.requested_delivery_date);
  for (integration::v1::StockLine& line : StockLines(order)) *request->add_lines() = line;
  order.stock_requested = true;
  CRM_RETURN_IF_ERROR(
      RequestEffect(tx, context, order, v1::INVENTORY, v1::SHIP_STOCK, std::move(ship), 0));
  // Nothing to bill for a replacement (or any order at no charge).
  if (order.total == 0) return absl::OkStatus();
  integration::v1::WebhookDelivery invoice;
  integration::v1::CreateInvoiceRequest* bill = invoice.mutable_create_invoice();
  bill->set_order(order.name());
  bill->set_customer(order.customer);
  bill->set_customer_display_name(order.customer_display_name);
  bill->set_currency_code(order.currency);
  for (const LineRecord& l : order.lines) *bill->add_lines() = BillingLineOf(order, l, l.quantity, l.total);
  *bill->mutable_total() = Money(order.currency, order.total);
  order.invoiced += order.total;
  return RequestEffect(tx, context, order, v1::FINANCE, v1::CREATE_INVOICE, std::move(invoice),
                       order.total);
}

absl::Status RequestCancellationEffects(db::Transaction& tx, const EffectContext& context,
                                        OrderRecord& order, std::string_view reason) {
  if (order.stock_requested) {
    integration::v1::WebhookDelivery release;
    integration::v1::ReleaseStockRequest* request = release.mutable_release_stock();
    request->set_order(order.name());
    request->set_reason(std::string(reason));
    CRM_RETURN_IF_ERROR(
        RequestEffect(tx, context, order, v1::INVENTORY, v1::RELEASE_STOCK, std::move(release), 0));
  }
  const int64_t open = order.invoiced - order.credited;
  if (open <= 0) return absl::OkStatus();
  integration::v1::WebhookDelivery credit;
  integration::v1::CreateCreditNoteRequest* note = credit.mutable_create_credit_note();
  note->set_order(order.name());
  note->set_customer(order.customer);
  note->set_currency_code(order.currency);
  note->set_reason(std::string(reason));
  for (const LineRecord& l : order.lines) *note->add_lines() = BillingLineOf(order, l, l.quantity, l.total);
  *note->mutable_total() = Money(order.currency, open);
  order.credited += open;
  return RequestEffect(tx, context, order, v1::FINANCE, v1::CREATE_CREDIT_NOTE, std::move(credit),
                       open);
}

}  // namespace crm::orders
