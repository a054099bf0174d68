// Input rules of the orders service: every violation reported at once under its API path,
// and values put in their normal form.
#include "services/orders/validation.h"

#include <gtest/gtest.h>

#include <set>

#include "libs/base/time.h"
#include "libs/grpc/status.h"

namespace crm::orders {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

std::set<std::string> Fields(const absl::Status& status) {
  std::set<std::string> fields;
  for (const FieldViolation& v : FieldViolations(status)) fields.insert(v.field);
  return fields;
}

v1::Order ValidOrder() {
  v1::Order o;
  o.set_customer("customers/3");
  o.set_currency_code(" cny ");
  v1::OrderLine* line = o.add_lines();
  line->set_product("products/1");
  line->set_quantity(2);
  line->set_discount_percent("12.50");
  o.set_requested_delivery_date("2026-12-31");
  o.mutable_shipping_address()->set_phone("0571-8888 6666");
  o.mutable_shipping_address()->set_country("cn");
  return o;
}

TEST(OrderValidation, NormalisesAValidOrder) {
  v1::Order o = ValidOrder();
  ASSERT_TRUE(NormalizeAndValidateOrder(o, "order", kNow, false).ok());
  EXPECT_EQ(o.currency_code(), "CNY");
  EXPECT_EQ(o.lines(0).discount_percent(), "12.5");
  EXPECT_EQ(o.shipping_address().country(), "CN");
  EXPECT_EQ(o.shipping_address().phone(), "+8657188886666");
}

TEST(OrderValidation, ReportsEveryProblemAtOnce) {
  v1::Order o = ValidOrder();
  o.set_customer("acme");
  o.set_currency_code("XYZ");
  o.set_owner("bob");
  o.set_requested_delivery_date("2026-02-30");
  *o.mutable_order_time() = ToTimestamp(kNow + absl::Hours(1));
  o.mutable_lines(0)->set_product("");
  o.mutable_lines(0)->set_quantity(0);
  o.mutable_lines(0)->set_discount_percent("150");
  v1::OrderLine* second = o.add_lines();
  second->set_product("products/2");
  second->set_quantity(2'000'000);
  absl::Status st = NormalizeAndValidateOrder(o, "order", kNow, false);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Fields(st), (std::set<std::string>{
                            "order.customer", "order.currency_code", "order.owner",
                            "order.requested_delivery_date", "order.order_time",
                            "order.lines[0].product", "order.lines[0].quantity",
                            "order.lines[0].discount_percent", "order.lines[1].quantity"}));
}

TEST(OrderValidation, ACustomerMayComeFromAnOpportunity) {
  v1::Order o = ValidOrder();
  o.clear_customer();
  EXPECT_EQ(Fields(NormalizeAndValidateOrder(o, "order", kNow, false)),
            (std::set<std::string>{"order.customer"}));
  EXPECT_TRUE(NormalizeAndValidateOrder(o, "order", kNow, true).ok());
}

TEST(RuleValidation, NeedsARoleThatApprovesAndAtLeastOneCondition) {
  v1::ApprovalRule rule;
  rule.set_display_name("x");
  rule.set_approver_role(auth::v1::SALES_REP);
  EXPECT_EQ(Fields(NormalizeAndValidateRule(rule, "rule")),
            (std::set<std::string>{"rule.approver_role", "rule"}));
  rule.set_approver_role(auth::v1::SALES_MANAGER);
  rule.set_discount_percent_above("10.0");
  ASSERT_TRUE(NormalizeAndValidateRule(rule, "rule").ok());
  EXPECT_EQ(rule.discount_percent_above(), "10");
  rule.set_discount_percent_above("100");
  EXPECT_EQ(Fields(NormalizeAndValidateRule(rule, "rule")),
            (std::set<std::string>{"rule.discount_percent_above"}));
}

TEST(ReturnValidation, NeedsAReasonAndLinesOnceEach) {
  v1::Return r;
  r.set_order("orders/1");
  v1::ReturnLine* line = r.add_lines();
  line->set_line_number(1);
  line->set_quantity(1);
  *r.add_lines() = *line;
  EXPECT_EQ(Fields(NormalizeAndValidateReturn(r, "return")),
            (std::set<std::string>{"return.reason", "return.lines[1].line_number"}));
  r.set_reason("broken on arrival");
  r.mutable_lines()->RemoveLast();
  ASSERT_TRUE(NormalizeAndValidateReturn(r, "return").ok());
  EXPECT_EQ(r.requested_resolution(), v1::REFUND) << "refund unless asked otherwise";
}

TEST(ReportValidation, ShipmentsAndPaymentsNeedTheirReferenceAndFacts) {
  v1::RecordShipmentRequest shipment;
  shipment.set_order("orders/1");
  EXPECT_EQ(Fields(ValidateShipmentReport(shipment)),
            (std::set<std::string>{"external_reference", "status"}));
  v1::RecordPaymentRequest payment;
  payment.set_order("orders/1");
  payment.set_external_reference("PAY-1");
  payment.mutable_amount()->set_currency_code("CNY");
  EXPECT_EQ(Fields(ValidatePaymentNotice(payment)), (std::set<std::string>{"amount"}))
      << "a zero payment";
  payment.mutable_amount()->set_units(-5);
  EXPECT_EQ(Fields(ValidatePaymentNotice(payment)), (std::set<std::string>{"amount"}));
  payment.mutable_amount()->set_units(5);
  EXPECT_TRUE(ValidatePaymentNotice(payment).ok());
}

}  // namespace
}  // namespace crm::orders
