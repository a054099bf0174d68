#include "services/orders/return_data.h"

#include "absl/strings/str_cat.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "services/orders/order_sql.h"

namespace crm::orders {
namespace {

constexpr char kSelectReturnLines[] =
    "SELECT line_number, quantity, received_quantity, refund_minor FROM return_lines "
    "WHERE return_id = ? ORDER BY line_number";

}  // namespace

absl::StatusOr<v1::Shipment> ShipmentFromRow(db::Session& session, const db::Row& row) {
  v1::Shipment s;
  s.set_name(api::ResourceName("shipments", row.Int(0)));
  s.set_order(api::ResourceName("orders", row.Int(1)));
  s.set_external_reference(row.Str(2));
  s.set_status(static_cast<v1::ShipmentStatus>(row.Int(3)));
  s.set_carrier(row.Str(4));
  s.set_tracking_number(row.Str(5));
  *s.mutable_ship_time() = TimestampFromDateTime(row.Str(6));
  if (!row.IsNull(7)) *s.mutable_deliver_time() = TimestampFromDateTime(row.Str(7));
  s.set_recorder(row.Str(8));
  *s.mutable_create_time() = TimestampFromDateTime(row.Str(9));
  CRM_ASSIGN_OR_RETURN(db::Rows lines, session.Query(sql::kSelectShipmentLines, {row.Int(0)}));
  for (const db::Row& line : lines) {
    v1::ShipmentLine* out = s.add_lines();
    out->set_line_number(static_cast<int>(line.Int(0)));
    out->set_quantity(line.Int(1));
  }
  return s;
}

v1::Payment PaymentFromRow(const db::Row& row) {
  v1::Payment p;
  p.set_name(api::ResourceName("payments", row.Int(0)));
  p.set_order(api::ResourceName("orders", row.Int(1)));
  p.set_external_reference(row.Str(2));
  *p.mutable_amount() = api::FromMinorUnits(row.Str(4), row.Int(3));
  p.set_method(row.Str(5));
  *p.mutable_paid_time() = TimestampFromDateTime(row.Str(6));
  p.set_recorder(row.Str(7));
  *p.mutable_create_time() = TimestampFromDateTime(row.Str(8));
  return p;
}

std::string ReturnRecord::name() const { return api::ResourceName("returns", id); }

ReturnRecord ReturnFromRow(const db::Row& row) {
  ReturnRecord r;
  r.id = row.Int(0);
  r.version = row.Int(1);
  r.order_id = row.Int(2);
  r.state = static_cast<v1::ReturnState>(row.Int(3));
  r.requested_resolution = static_cast<v1::ReturnResolution>(row.Int(4));
  r.resolution = static_cast<v1::ReturnResolution>(row.Int(5));
  r.reason = row.Str(6);
  r.requester = row.Str(7);
  r.decider = row.Str(8);
  r.comment = row.Str(9);
  r.refund = row.Int(10);
  r.replacement_order_id = row.Int(11);
  r.create_time = FromTimestamp(TimestampFromDateTime(row.Str(12)));
  r.update_time = FromTimestamp(TimestampFromDateTime(row.Str(13)));
  return r;
}

ReturnOrderFacts FactsFromRow(const db::Row& row) {
  return {.customer = row.Str(14),
          .owner = row.Str(15),
          .currency = row.Str(16),
          .creator = row.Str(17)};
}

absl::Status LoadReturnLines(db::Session& session, ReturnRecord& record) {
  record.lines.clear();
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(kSelectReturnLines, {record.id}));
  for (const db::Row& row : rows) {
    record.lines.push_back({.line_number = static_cast<int>(row.Int(0)),
                            .quantity = row.Int(1),
                            .received = row.Int(2),
                            .refund = row.Int(3)});
  }
  return absl::OkStatus();
}

v1::Return ReturnToProto(const ReturnRecord& r, const ReturnOrderFacts& facts) {
  v1::Return out;
  out.set_name(r.name());
  out.set_order(api::ResourceName("orders", r.order_id));
  out.set_state(r.state);
  out.set_requested_resolution(r.requested_resolution);
  out.set_resolution(r.resolution);
  out.set_reason(r.reason);
  for (const ReturnLineRecord& l : r.lines) {
    v1::ReturnLine* line = out.add_lines();
    line->set_line_number(l.line_number);
    line->set_quantity(l.quantity);
    line->set_received_quantity(l.received);
    *line->mutable_refund_amount() = api::FromMinorUnits(facts.currency, l.refund);
    if (facts.order != nullptr) {
      for (const LineRecord& ordered : facts.order->lines) {
        if (ordered.line_number == l.line_number) line->set_sku(ordered.sku);
      }
    }
  }
  out.set_requester(r.requester);
  out.set_customer(facts.customer);
  out.set_order_owner(facts.owner);
  out.set_decider(r.decider);
  out.set_comment(r.comment);
  *out.mutable_refund_total() = api::FromMinorUnits(facts.currency, r.refund);
  if (r.replacement_order_id != 0) {
    out.set_replacement_order(api::ResourceName("orders", r.replacement_order_id));
  }
  out.set_etag(api::EtagFromVersion(r.version));
  *out.mutable_create_time() = ToTimestamp(r.create_time);
  *out.mutable_update_time() = ToTimestamp(r.update_time);
  for (const std::string& person : {facts.owner, facts.creator, r.requester}) {
    if (person.empty() || !person.starts_with("users/")) continue;
    bool seen = false;
    for (const std::string& already : out.concerned()) seen |= already == person;
    if (!seen) out.add_concerned(person);
  }
  return out;
}

absl::StatusOr<std::vector<v1::Return>> LoadReturnsOfOrder(db::Session& session,
                                                           const OrderRecord& order) {
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      session.Query(absl::StrCat(kSelectReturnColumns, kFromReturns, " AND r.order_id = ? ORDER BY r.id"),
                    {order.id}));
  std::vector<v1::Return> returns;
  for (const db::Row& row : rows) {
    ReturnRecord record = ReturnFromRow(row);
    CRM_RETURN_IF_ERROR(LoadReturnLines(session, record));
    ReturnOrderFacts facts = FactsFromRow(row);
    facts.order = &order;
    returns.push_back(ReturnToProto(record, facts));
  }
  return returns;
}

}  // namespace crm::orders
