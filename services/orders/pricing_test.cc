// The one rounding rule of order money: half to even, per line, in minor units, and refunds
// that add up to a line's total.
#include "services/orders/pricing.h"

#include <gtest/gtest.h>

namespace crm::orders {
namespace {

TEST(RoundHalfEven, TiesGoToTheEvenNeighbour) {
  EXPECT_EQ(RoundHalfEvenDiv(125, 10), 12);  // 12.5 → 12
  EXPECT_EQ(RoundHalfEvenDiv(135, 10), 14);  // 13.5 → 14
  EXPECT_EQ(RoundHalfEvenDiv(126, 10), 13);
  EXPECT_EQ(RoundHalfEvenDiv(124, 10), 12);
  EXPECT_EQ(RoundHalfEvenDiv(5, 10), 0);     // 0.5 → 0
  EXPECT_EQ(RoundHalfEvenDiv(15, 10), 2);    // 1.5 → 2
  EXPECT_EQ(RoundHalfEvenDiv(120, 10), 12);  // exact
  EXPECT_EQ(RoundHalfEvenDiv(0, 7), 0);
}

TEST(Discount, ParsesPercentagesWithAtMostTwoDecimals) {
  EXPECT_EQ(ParseDiscountBps(""), 0);
  EXPECT_EQ(ParseDiscountBps("0"), 0);
  EXPECT_EQ(ParseDiscountBps("12.5"), 1250);
  EXPECT_EQ(ParseDiscountBps("12.50"), 1250);
  EXPECT_EQ(ParseDiscountBps("0.05"), 5);
  EXPECT_EQ(ParseDiscountBps("100"), 10000);
  EXPECT_EQ(ParseDiscountBps("7"), 700);
  for (const char* bad : {"100.01", "101", "-1", "1.234", "1.", ".5", "1e2", "abc", "1,5", " 5",
                          "1000"}) {
    EXPECT_FALSE(ParseDiscountBps(bad).has_value()) << bad;
  }
  EXPECT_EQ(FormatDiscountBps(1250), "12.5");
  EXPECT_EQ(FormatDiscountBps(1000), "10");
  EXPECT_EQ(FormatDiscountBps(5), "0.05");
  EXPECT_EQ(FormatDiscountBps(1234), "12.34");
  EXPECT_EQ(FormatDiscountBps(0), "0");
}

TEST(PriceLine, RoundsTheDiscountedTotalHalfToEvenInMinorUnits) {
  // 3 × ¥0.99 at 12.5 %: 297 × 0.875 = 259.875 fen → 260.
  absl::StatusOr<LineAmounts> a = PriceLine(3, 99, 1250);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->list, 297);
  EXPECT_EQ(a->total, 260);
  EXPECT_EQ(a->discount, 37);
  // An exact tie: 1 × 25 at 50 % = 12.5 → 12 (even); 1 × 27 at 50 % = 13.5 → 14.
  EXPECT_EQ(PriceLine(1, 25, 5000)->total, 12);
  EXPECT_EQ(PriceLine(1, 27, 5000)->total, 14);
  // No discount is exact; 100 % is free.
  EXPECT_EQ(PriceLine(7, 329900, 0)->total, 2309300);
  EXPECT_EQ(PriceLine(7, 329900, 10000)->total, 0);
  // JPY has no minor unit: the rule is the same on whole yen.
  EXPECT_EQ(PriceLine(1, 1005, 1000)->total, 904);  // 904.5 → 904
}

TEST(PriceLine, RefusesAmountsAboveTheLimit) {
  EXPECT_TRUE(PriceLine(1'000'000, 1'000'000'000, 0).ok());  // exactly 10^15
  EXPECT_EQ(PriceLine(1'000'000, 1'000'000'001, 0).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(RefundShare, ReturnsOfALineAddUpToItsTotalExactly) {
  // 3 units for 100: one by one the shares are 33, 34 (66.67 − 33 → 67 − 33), 33.
  int64_t total = 0;
  for (int returned = 0; returned < 3; ++returned) total += RefundShare(100, 3, returned, 1);
  EXPECT_EQ(total, 100);
  EXPECT_EQ(RefundShare(100, 3, 0, 1), 33);
  EXPECT_EQ(RefundShare(100, 3, 1, 1), 34);
  EXPECT_EQ(RefundShare(100, 3, 0, 3), 100);
  // Half of an odd total: 101 / 2 = 50.5 → 50 (even), the other half 51.
  EXPECT_EQ(RefundShare(101, 2, 0, 1), 50);
  EXPECT_EQ(RefundShare(101, 2, 1, 1), 51);
}

}  // namespace
}  // namespace crm::orders
