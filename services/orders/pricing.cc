#include "services/orders/pricing.h"

#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"

namespace crm::orders {

__int128 RoundHalfEvenDiv(__int128 numerator, __int128 denominator) {
  const __int128 quotient = numerator / denominator;
  const __int128 twice_remainder = 2 * (numerator % denominator);
  if (twice_remainder > denominator) return quotient + 1;
  if (twice_remainder < denominator) return quotient;
  return quotient % 2 == 0 ? quotient : quotient + 1;
}

std::optional<int> ParseDiscountBps(std::string_view text) {
  if (text.empty()) return 0;
  const size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction =
      point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  if (whole.empty() || whole.size() > 3 || fraction.size() > 2 ||
      (point != std::string_view::npos && fraction.empty())) {
    return std::nullopt;
  }
  int bps = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    bps = bps * 10 + (c - '0');
  }
  bps *= 100;
  int scale = 10;
  for (char c : fraction) {
    if (c < '0' || c > '9') return std::nullopt;
    bps += (c - '0') * scale;
    scale /= 10;
  }
  if (bps > kFullDiscountBps) return std::nullopt;
  return bps;
}

std::string FormatDiscountBps(int bps) {
  std::string text = absl::StrCat(bps / 100);
  const int cents = bps % 100;
  if (cents == 0) return text;
  absl::StrAppend(&text, ".", cents / 10);
  if (cents % 10 != 0) absl::StrAppend(&text, cents % 10);
  return text;
}

absl::StatusOr<LineAmounts> PriceLine(int64_t quantity, int64_t unit_price_minor,
                                      int discount_bps) {
  const __int128 list = static_cast<__int128>(quantity) * unit_price_minor;
  if (list > kMaxMinorUnits) {
    return Error(absl::StatusCode::kOutOfRange, "AMOUNT_TOO_LARGE",
                 "the line's amount is above 10^15 minor units");
  }
  LineAmounts amounts;
  amounts.list = static_cast<int64_t>(list);
  amounts.total = static_cast<int64_t>(
      RoundHalfEvenDiv(list * (kFullDiscountBps - discount_bps), kFullDiscountBps));
  amounts.discount = amounts.list - amounts.total;
  return amounts;
}

int64_t RefundShare(int64_t line_total, int64_t line_quantity, int64_t returned_before,
                    int64_t units) {
  auto share = [&](int64_t returned) {
    return static_cast<int64_t>(
        RoundHalfEvenDiv(static_cast<__int128>(line_total) * returned, line_quantity));
  };
  return share(returned_before + units) - share(returned_before);
}

}  // namespace crm::orders
