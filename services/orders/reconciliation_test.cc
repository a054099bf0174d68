// The reconciliation rules, each on an order that breaks it and on one that does not.
#include "services/orders/reconciliation.h"

#include <gtest/gtest.h>

#include <map>

namespace crm::orders {
namespace {

// A confirmed CNY order of two lines (2 × ¥100, 1 × ¥50), total ¥250.
OrderLedger Confirmed() {
  OrderLedger ledger;
  OrderRecord& o = ledger.order;
  o.id = 7;
  o.currency = "CNY";
  o.status = v1::CONFIRMED;
  o.lines = {{.line_number = 1, .sku = "A", .quantity = 2, .total = 20000},
             {.line_number = 2, .sku = "B", .quantity = 1, .total = 5000}};
  o.RecomputeTotals();
  o.total = 25000;
  o.invoiced = 25000;
  ledger.effects = {{.delivery = "deliveries/1", .effect = v1::SHIP_STOCK,
                     .state = v1::DELIVERY_SUCCEEDED},
                    {.delivery = "deliveries/2", .effect = v1::CREATE_INVOICE,
                     .state = v1::DELIVERY_SUCCEEDED, .amount = 25000}};
  return ledger;
}

std::map<v1::DiscrepancyKind, int> Kinds(const OrderLedger& ledger) {
  std::map<v1::DiscrepancyKind, int> kinds;
  for (const v1::Discrepancy& d : Reconcile(ledger)) {
    EXPECT_EQ(d.order(), "orders/7");
    ++kinds[d.kind()];
  }
  return kinds;
}

TEST(Reconcile, AnOrderInStepHasNoDiscrepancy) {
  EXPECT_TRUE(Kinds(Confirmed()).empty());
  OrderLedger shipped_and_paid = Confirmed();
  shipped_and_paid.order.status = v1::COMPLETED;
  for (LineRecord& line : shipped_and_paid.order.lines) line.shipped = line.delivered = line.quantity;
  shipped_and_paid.shipped = {{1, 2}, {2, 1}};
  shipped_and_paid.order.paid = 25000;
  EXPECT_TRUE(Kinds(shipped_and_paid).empty());
}

TEST(Reconcile, GoodsThatDoNotMatchTheOrder) {
  OrderLedger ledger = Confirmed();
  ledger.order.status = v1::PARTIALLY_SHIPPED;
  ledger.order.lines[0].shipped = 3;
  ledger.shipped = {{1, 3}, {9, 1}};
  std::vector<v1::Discrepancy> found = Reconcile(ledger);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].kind(), v1::UNKNOWN_LINE_SHIPPED);
  EXPECT_EQ(found[0].line_number(), 9);
  EXPECT_EQ(found[1].kind(), v1::OVER_SHIPPED);
  EXPECT_EQ(found[1].description(), "line 1 (A): 3 shipped, 2 ordered");

  OrderLedger cancelled = Confirmed();
  cancelled.order.status = v1::CANCELLED;
  cancelled.order.credited = 25000;
  cancelled.effects.push_back({.delivery = "deliveries/3", .effect = v1::CREATE_CREDIT_NOTE,
                               .state = v1::DELIVERY_SUCCEEDED, .amount = 25000});
  EXPECT_TRUE(Kinds(cancelled).empty()) << "invoiced and credited: nothing owed";
  cancelled.shipped = {{1, 1}};
  EXPECT_EQ(Kinds(cancelled), (std::map<v1::DiscrepancyKind, int>{
                                  {v1::SHIPPED_WITHOUT_CONFIRMATION, 1}}));
}

TEST(Reconcile, MoneyThatDoesNotMatchTheOrder) {
  OrderLedger dead_invoice = Confirmed();
  dead_invoice.effects[1].state = v1::DELIVERY_DEAD;
  dead_invoice.shipped = {{1, 2}};
  dead_invoice.order.lines[0].shipped = 2;
  dead_invoice.order.status = v1::PARTIALLY_SHIPPED;
  std::vector<v1::Discrepancy> found = Reconcile(dead_invoice);
  std::map<v1::DiscrepancyKind, int> kinds;
  for (const v1::Discrepancy& d : found) ++kinds[d.kind()];
  EXPECT_EQ(kinds, (std::map<v1::DiscrepancyKind, int>{{v1::EFFECT_NOT_DELIVERED, 1},
                                                        {v1::BILLING_MISMATCH, 1},
                                                        {v1::SHIPPED_NOT_INVOICED, 1}}));
  for (const v1::Discrepancy& d : found) {
    if (d.kind() == v1::EFFECT_NOT_DELIVERED) {
      EXPECT_EQ(d.delivery(), "deliveries/2");
    }
    if (d.kind() == v1::BILLING_MISMATCH) {
      EXPECT_EQ(d.expected().units(), 250);
      EXPECT_EQ(d.actual().units(), 0);
    }
  }

  OrderLedger overpaid = Confirmed();
  overpaid.order.paid = 30000;
  EXPECT_EQ(Kinds(overpaid), (std::map<v1::DiscrepancyKind, int>{{v1::OVERPAID, 1}}));

  OrderLedger short_paid = Confirmed();
  short_paid.order.status = v1::COMPLETED;
  for (LineRecord& line : short_paid.order.lines) line.shipped = line.delivered = line.quantity;
  short_paid.shipped = {{1, 2}, {2, 1}};
  short_paid.order.paid = 20000;
  EXPECT_EQ(Kinds(short_paid), (std::map<v1::DiscrepancyKind, int>{{v1::UNDERPAID, 1}}));
  short_paid.order.status = v1::DELIVERED;
  EXPECT_TRUE(Kinds(short_paid).empty()) << "a delivered order may still be paid";
}

TEST(Reconcile, ARefundedReturnLowersWhatShouldBeBilled) {
  OrderLedger ledger = Confirmed();
  ledger.order.status = v1::COMPLETED;
  for (LineRecord& line : ledger.order.lines) line.shipped = line.delivered = line.quantity;
  ledger.shipped = {{1, 2}, {2, 1}};
  ledger.order.paid = 25000;
  ledger.order.credited = 5000;
  ledger.effects.push_back({.delivery = "deliveries/3", .effect = v1::CREATE_CREDIT_NOTE,
                            .state = v1::DELIVERY_SUCCEEDED, .amount = 5000});
  // Finance credited ¥50 and the customer had paid ¥250: ¥50 too much until refunded.
  EXPECT_EQ(Kinds(ledger), (std::map<v1::DiscrepancyKind, int>{{v1::OVERPAID, 1}}));
}

TEST(BuildReport, TotalsByCurrency) {
  OrderLedger usd = Confirmed();
  usd.order.currency = "USD";
  v1::ReconciliationReport report = BuildReport({Confirmed(), usd}, absl::FromUnixSeconds(0));
  EXPECT_EQ(report.orders_checked(), 2);
  ASSERT_EQ(report.totals_size(), 2);
  EXPECT_EQ(report.totals(0).currency_code(), "CNY");
  EXPECT_EQ(report.totals(0).ordered().units(), 250);
  EXPECT_EQ(report.totals(0).invoiced().units(), 250);
  EXPECT_EQ(report.totals(1).currency_code(), "USD");
}

}  // namespace
}  // namespace crm::orders
