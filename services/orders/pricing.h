// Order money, in integer minor units, with the one rounding rule of the orders service
// (proto/crm/orders/v1/orders.proto, "Money"): a line total is
// round_half_even(quantity × unit price × (1 − discount)) in minor units, each line on its own,
// and everything else is sums and differences of those. Discounts are percentages with at
// most two decimals, held as basis points (12.5 % = 1250), so every product is exact before
// the one rounding.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace crm::orders {

// The largest amount an order or a line may reach: the money limit of libs/api/money.h.
inline constexpr int64_t kMaxMinorUnits = 1'000'000'000'000'000;  // 10^15
inline constexpr int kFullDiscountBps = 10'000;                     // 100 %

// numerator / denominator rounded to the nearest integer, a tie to the even one.
// `denominator` > 0; both non-negative.
__int128 RoundHalfEvenDiv(__int128 numerator, __int128 denominator);

// "12.5" → 1250; "" → 0. nullopt unless it is a decimal from 0 to 100 with at most two
// decimals (no sign, no exponent, digits on both sides of a point).
std::optional<int> ParseDiscountBps(std::string_view text);
// 1250 → "12.5", 1000 → "10", 5 → "0.05": the shortest exact form.
std::string FormatDiscountBps(int bps);

struct LineAmounts {
  int64_t list = 0;      // quantity × unit price
  int64_t discount = 0;  // list − total
  int64_t total = 0;     // round_half_even(list × (1 − discount))
};

// One line's amounts; OUT_OF_RANGE when the list amount passes kMaxMinorUnits.
absl::StatusOr<LineAmounts> PriceLine(int64_t quantity, int64_t unit_price_minor,
                                      int discount_bps);

// The refund for returning `units` more of a line of `line_quantity` units totalling
// `line_total`, when `returned_before` were refunded already: the line total's share of
// everything returned so far, less what earlier returns got, so the refunds of a line add up
// to exactly its total once every unit is back.
int64_t RefundShare(int64_t line_total, int64_t line_quantity, int64_t returned_before,
                    int64_t units);

}  // namespace crm::orders
