#include "services/orders/reconciliation.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "services/orders/order_sql.h"
#include "services/orders/rules.h"

namespace crm::orders {
namespace {

bool Confirmed(v1::OrderStatus status) {
  return status == v1::CONFIRMED || status == v1::PARTIALLY_SHIPPED || status == v1::SHIPPED ||
         status == v1::DELIVERED || status == v1::COMPLETED;
}

// Whether the order, as it stands, should be billed: confirmed (held after confirmation
// counts) and not cancelled.
bool Billable(const OrderRecord& o) {
  return Confirmed(o.status) || (o.status == v1::ON_HOLD && Confirmed(o.held_from));
}

v1::Discrepancy Finding(const OrderRecord& o, v1::DiscrepancyKind kind, std::string description) {
  v1::Discrepancy d;
  d.set_order(o.name());
  d.set_kind(kind);
  d.set_description(std::move(description));
  return d;
}

}  // namespace

std::vector<v1::Discrepancy> Reconcile(const OrderLedger& ledger) {
  const OrderRecord& o = ledger.order;
  std::vector<v1::Discrepancy> found;
  auto money = [&](int64_t minor) { return api::FromMinorUnits(o.currency, minor); };

  // Goods: what left the warehouse against what was ordered.
  std::map<int, int64_t> shipped;
  for (const auto& [line, quantity] : ledger.shipped) shipped[line] += quantity;
  for (const auto& [number, quantity] : shipped) {
    bool known = false;
    for (const LineRecord& line : o.lines) known |= line.line_number == number;
    if (!known) {
      v1::Discrepancy d = Finding(o, v1::UNKNOWN_LINE_SHIPPED,
                                  absl::StrCat("line ", number, ": ", quantity,
                                               " shipped, but the order has no such line"));
      d.set_line_number(number);
      found.push_back(std::move(d));
    }
  }
  for (const LineRecord& line : o.lines) {
    if (line.shipped > line.quantity) {
      v1::Discrepancy d = Finding(o, v1::OVER_SHIPPED,
                                  absl::StrCat("line ", line.line_number, " (", line.sku, "): ",
                                               line.shipped, " shipped, ", line.quantity,
                                               " ordered"));
      d.set_line_number(line.line_number);
      found.push_back(std::move(d));
    }
  }
  const bool any_shipped = !ledger.shipped.empty();
  if (any_shipped && !Billable(o)) {
    found.push_back(Finding(o, v1::SHIPPED_WITHOUT_CONFIRMATION,
                            absl::StrCat("goods shipped for an order that is ",
                                         StatusName(o.status))));
  }
  if ((o.status == v1::SHIPPED || o.status == v1::DELIVERED || o.status == v1::COMPLETED) &&
      ShippingStatus(o.Progress()) != v1::SHIPPED &&
      ShippingStatus(o.Progress()) != v1::DELIVERED) {
    found.push_back(Finding(o, v1::STATUS_MISMATCH,
                            absl::StrCat("the order is ", StatusName(o.status),
                                         " but its lines are not all shipped")));
  }

  // Money: what finance received against what the order says, and what was paid.
  int64_t invoiced = 0, credited = 0;
  for (const OrderLedger::Effect& e : ledger.effects) {
    if (e.state == v1::DELIVERY_SUCCEEDED) {
      if (e.effect == v1::CREATE_INVOICE) invoiced += e.amount;
      if (e.effect == v1::CREATE_CREDIT_NOTE) credited += e.amount;
      continue;
    }
    v1::Discrepancy d = Finding(
        o, v1::EFFECT_NOT_DELIVERED,
        absl::StrCat(v1::Effect_Name(e.effect), " has not reached its system: ",
                     e.state == v1::DELIVERY_DEAD ? "dead-lettered, waiting for a replay"
                                                  : "still being retried"));
    d.set_delivery(e.delivery);
    found.push_back(std::move(d));
  }
  const int64_t billed = invoiced - credited;
  const int64_t expected = Billable(o) ? o.total - o.credited : 0;
  if (billed != expected) {
    v1::Discrepancy d = Finding(o, v1::BILLING_MISMATCH,
                                absl::StrCat("finance has billed ", FormatMoney(o.currency, billed),
                                             "; the order says ",
                                             FormatMoney(o.currency, expected)));
    *d.mutable_expected() = money(expected);
    *d.mutable_actual() = money(billed);
    found.push_back(std::move(d));
  }
  if (any_shipped && o.total > 0 && invoiced == 0) {
    found.push_back(Finding(o, v1::SHIPPED_NOT_INVOICED,
                            "goods shipped, but no invoice has reached finance"));
  }
  if (o.paid > billed) {
    v1::Discrepancy d = Finding(o, v1::OVERPAID,
                                absl::StrCat("paid ", FormatMoney(o.currency, o.paid),
                                             ", billed ", FormatMoney(o.currency, billed)));
    *d.mutable_expected() = money(billed);
    *d.mutable_actual() = money(o.paid);
    found.push_back(std::move(d));
  } else if (o.status == v1::COMPLETED && o.paid < billed) {
    v1::Discrepancy d = Finding(o, v1::UNDERPAID,
                                absl::StrCat("completed with ", FormatMoney(o.currency, o.paid),
                                             " paid of ", FormatMoney(o.currency, billed),
                                             " billed"));
    *d.mutable_expected() = money(billed);
    *d.mutable_actual() = money(o.paid);
    found.push_back(std::move(d));
  }
  return found;
}

v1::ReconciliationReport BuildReport(const std::vector<OrderLedger>& ledgers, absl::Time now) {
  v1::ReconciliationReport report;
  *report.mutable_generate_time() = ToTimestamp(now);
  report.set_orders_checked(static_cast<int32_t>(ledgers.size()));
  struct Totals {
    int64_t ordered = 0, invoiced = 0, credited = 0, paid = 0;
  };
  std::map<std::string, Totals> totals;
  for (const OrderLedger& ledger : ledgers) {
    for (v1::Discrepancy& d : Reconcile(ledger)) *report.add_discrepancies() = std::move(d);
    const OrderRecord& o = ledger.order;
    Totals& t = totals[o.currency];
    if (Billable(o)) t.ordered += o.total;
    t.paid += o.paid;
    for (const OrderLedger::Effect& e : ledger.effects) {
      if (e.state != v1::DELIVERY_SUCCEEDED) continue;
      if (e.effect == v1::CREATE_INVOICE) t.invoiced += e.amount;
      if (e.effect == v1::CREATE_CREDIT_NOTE) t.credited += e.amount;
    }
  }
  for (const auto& [currency, t] : totals) {
    v1::CurrencyTotals* out = report.add_totals();
    out->set_currency_code(currency);
    *out->mutable_ordered() = api::FromMinorUnits(currency, t.ordered);
    *out->mutable_invoiced() = api::FromMinorUnits(currency, t.invoiced);
    *out->mutable_credited() = api::FromMinorUnits(currency, t.credited);
    *out->mutable_paid() = api::FromMinorUnits(currency, t.paid);
  }
  return report;
}

absl::StatusOr<std::vector<OrderLedger>> ReconciliationStore::Load(std::optional<absl::Time> start,
                                                                  std::optional<absl::Time> end,
                                                                  const std::string& customer) {
  std::string query = absl::StrCat(sql::kSelectOrderColumns, sql::kFromOrders);
  std::vector<db::Value> params;
  if (start) {
    query += " AND o.order_time >= ?";
    params.emplace_back(db::FormatDateTime(*start));
  }
  if (end) {
    query += " AND o.order_time < ?";
    params.emplace_back(db::FormatDateTime(*end));
  }
  if (!customer.empty()) {
    query += " AND o.customer = ?";
    params.emplace_back(customer);
  }
  query += " ORDER BY o.order_time, o.id LIMIT ?";
  params.emplace_back(int64_t{kMaxOrders + 1});
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(query, params));
  if (rows.size() > static_cast<size_t>(kMaxOrders)) {
    return Error(absl::StatusCode::kFailedPrecondition, "REPORT_TOO_LARGE",
                 absl::StrCat("more than ", kMaxOrders, " orders: narrow the time range"));
  }
  std::vector<OrderRecord> orders;
  for (const db::Row& row : rows) orders.push_back(OrderFromRow(row));
  // In chunks, so no statement carries thousands of placeholders.
  constexpr size_t kChunk = 500;
  std::vector<OrderLedger> ledgers;
  for (size_t first = 0; first < orders.size(); first += kChunk) {
    std::vector<OrderRecord> chunk(orders.begin() + first,
                                   orders.begin() + std::min(orders.size(), first + kChunk));
    CRM_RETURN_IF_ERROR(LoadDetails(*session, chunk));
    std::map<int64_t, size_t> index;
    std::string ids;
    std::vector<db::Value> id_params;
    for (OrderRecord& order : chunk) {
      index[order.id] = ledgers.size();
      absl::StrAppend(&ids, id_params.empty() ? "?" : ", ?");
      id_params.emplace_back(order.id);
      ledgers.push_back({.order = std::move(order)});
    }
    CRM_ASSIGN_OR_RETURN(
        db::Rows shipped,
        session->Query(absl::StrCat("SELECT s.order_id, l.line_number, l.quantity FROM shipments s "
                                    "JOIN shipment_lines l ON l.shipment_id = s.id WHERE "
                                    "s.order_id IN (",
                                    ids, ")"),
                       id_params));
    for (const db::Row& row : shipped) {
      ledgers[index[row.Int(0)]].shipped.emplace_back(static_cast<int>(row.Int(1)), row.Int(2));
    }
    CRM_ASSIGN_OR_RETURN(
        db::Rows effects,
        session->Query(absl::StrCat("SELECT order_id, id, effect, state, amount_minor FROM "
                                    "deliveries WHERE order_id IN (",
                                    ids, ") ORDER BY id"),
                       id_params));
    for (const db::Row& row : effects) {
      ledgers[index[row.Int(0)]].effects.push_back(
          {.delivery = api::ResourceName("deliveries", row.Int(1)),
           .effect = static_cast<v1::Effect>(row.Int(2)),
           .state = static_cast<v1::DeliveryState>(row.Int(3)),
           .amount = row.Int(4)});
    }
  }
  return ledgers;
}

}  // namespace crm::orders
