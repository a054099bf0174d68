// The reconciliation report: each order against its shipments, the invoices and credit notes
// finance actually received (delivered effects, not just requested ones) and its payments,
// with every discrepancy (orders.proto, DiscrepancyKind). Reconcile() is pure, so each rule is
// unit-tested; ReconciliationStore loads what it needs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/orders/v1/orders.pb.h"
#include "libs/db/db.h"
#include "services/orders/order_data.h"

namespace crm::orders {

// An order with everything that happened to it outside the CRM.
struct OrderLedger {
  OrderRecord order;  // with lines
  // Every shipment line reported, by line number (a number the order lacks included).
  std::vector<std::pair<int, int64_t>> shipped;
  struct Effect {
    std::string delivery;  // "deliveries/{id}"
    v1::Effect effect = v1::EFFECT_UNSPECIFIED;
    v1::DeliveryState state = v1::DELIVERY_STATE_UNSPECIFIED;
    int64_t amount = 0;
  };
  std::vector<Effect> effects;
};

std::vector<v1::Discrepancy> Reconcile(const OrderLedger& ledger);

// The whole report over `ledgers`, with totals per currency.
v1::ReconciliationReport BuildReport(const std::vector<OrderLedger>& ledgers, absl::Time now);

class ReconciliationStore final {
 public:
  explicit ReconciliationStore(db::Pool& pool) : pool_(pool) {}

  static constexpr int kMaxOrders = 10000;

  // Orders with order_time in [start, end) (unbounded when unset), of `customer` when not
  // empty, oldest first. FAILED_PRECONDITION (REPORT_TOO_LARGE) beyond kMaxOrders.
  absl::StatusOr<std::vector<OrderLedger>> Load(std::optional<absl::Time> start,
                                                std::optional<absl::Time> end,
                                                const std::string& customer);

 private:
  db::Pool& pool_;
};

}  // namespace crm::orders
