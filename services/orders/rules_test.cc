// Discount approval rules: which conditions match, the role asked for, and whose own role
// already covers it.
#include "services/orders/rules.h"

#include <gtest/gtest.h>

namespace crm::orders {
namespace {

using auth::v1::ADMIN;
using auth::v1::SALES_MANAGER;
using auth::v1::SALES_REP;

OrderFacts Order(std::vector<OrderFacts::Line> lines, int64_t total = 100000,
                 std::string currency = "CNY", std::string customer = "customers/1") {
  return {.customer = customer, .currency_code = currency, .total_minor = total, .lines = lines};
}

const std::vector<ApprovalRuleSpec> kRules = {
    {.id = 1, .display_name = "big discount", .approver_role = SALES_MANAGER,
     .discount_above_bps = 1000},
    {.id = 2, .display_name = "huge discount", .approver_role = ADMIN, .discount_above_bps = 2500},
    {.id = 3, .display_name = "large order", .approver_role = SALES_MANAGER,
     .total_at_least_minor = 100000000, .total_currency = "CNY"},
    {.id = 4, .display_name = "strategic account", .approver_role = ADMIN,
     .customer = "customers/9"},
    {.id = 5, .display_name = "at cost", .approver_role = SALES_MANAGER,
     .discount_above_bps = 0, .product = "products/7"},
};

TEST(ApprovalRules, NothingMatchesAnOrdinaryOrder) {
  Requirement r = Evaluate(kRules, Order({{1, "products/1", 1000}}));
  EXPECT_EQ(r.required_role, auth::v1::ROLE_UNSPECIFIED);
  EXPECT_TRUE(r.reasons.empty());
  EXPECT_EQ(r.max_discount_bps, 1000);
  EXPECT_FALSE(NeedsApproval(SALES_REP, r));
}

TEST(ApprovalRules, TheHighestRoleOfEveryMatchWinsWithAReasonEach) {
  Requirement r = Evaluate(kRules, Order({{1, "products/1", 1500}, {2, "products/2", 3000}}));
  EXPECT_EQ(r.required_role, ADMIN);
  ASSERT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(r.reasons[0],
            "approvalRules/1 \"big discount\" (SALES_MANAGER): a discount above 10% (line 1: "
            "15%, line 2: 30%)");
  EXPECT_EQ(r.reasons[1],
            "approvalRules/2 \"huge discount\" (ADMIN): a discount above 25% (line 2: 30%)");
  EXPECT_EQ(r.max_discount_bps, 3000);
  EXPECT_TRUE(NeedsApproval(SALES_REP, r));
  EXPECT_TRUE(NeedsApproval(SALES_MANAGER, r));
  EXPECT_FALSE(NeedsApproval(ADMIN, r));
}

TEST(ApprovalRules, ThresholdsAreStrictForDiscountsAndInclusiveForTotals) {
  EXPECT_EQ(Evaluate(kRules, Order({{1, "products/1", 1000}})).required_role,
            auth::v1::ROLE_UNSPECIFIED)
      << "10% is not above 10%";
  EXPECT_EQ(Evaluate(kRules, Order({{1, "products/1", 1001}})).required_role, SALES_MANAGER);
  EXPECT_EQ(Evaluate(kRules, Order({{1, "products/1", 0}}, 100000000)).required_role,
            SALES_MANAGER);
  EXPECT_EQ(Evaluate(kRules, Order({{1, "products/1", 0}}, 99999999)).required_role,
            auth::v1::ROLE_UNSPECIFIED);
  // A total rule is for orders in its currency only.
  EXPECT_EQ(Evaluate(kRules, Order({{1, "products/1", 0}}, 900000000, "USD")).required_role,
            auth::v1::ROLE_UNSPECIFIED);
}

TEST(ApprovalRules, CustomerAndProductNarrowTheRule) {
  Requirement strategic = Evaluate(kRules, Order({{1, "products/1", 0}}, 100, "CNY", "customers/9"));
  EXPECT_EQ(strategic.required_role, ADMIN);
  ASSERT_EQ(strategic.reasons.size(), 1u);
  EXPECT_EQ(strategic.reasons[0],
            "approvalRules/4 \"strategic account\" (ADMIN): customer customers/9");
  // Any discount on product 7, but only on its own lines.
  EXPECT_EQ(Evaluate(kRules, Order({{1, "products/7", 5}})).required_role, SALES_MANAGER);
  EXPECT_EQ(Evaluate(kRules, Order({{1, "products/7", 0}, {2, "products/1", 900}})).required_role,
            auth::v1::ROLE_UNSPECIFIED);
}

TEST(ApprovalRules, AManagersLimitCoversManagerRules) {
  Requirement r = Evaluate(kRules, Order({{1, "products/1", 1500}}));
  EXPECT_TRUE(NeedsApproval(SALES_REP, r));
  EXPECT_FALSE(NeedsApproval(SALES_MANAGER, r));
}

TEST(FormatMoney, UsesTheCurrencysDecimals) {
  EXPECT_EQ(FormatMoney("CNY", 123450), "CNY 1234.50");
  EXPECT_EQ(FormatMoney("CNY", 5), "CNY 0.05");
  EXPECT_EQ(FormatMoney("JPY", 1200), "JPY 1200");
  EXPECT_EQ(FormatMoney("USD", -250), "USD -2.50");
}

}  // namespace
}  // namespace crm::orders
