// Money (crm.common.v1.Money) to and from the integer minor units every service stores:
// ¥12.34 is 1234 fen, $5 is 500 cents, ¥500 (JPY) is 500. Never floating point. Currencies
// and their minor units come from ICU's ISO 4217 data, so "CNY", "USD", "EUR", "JPY" and
// every other currency in use today are known without a table of our own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "crm/common/v1/money.pb.h"
#include "libs/api/fields.h"

namespace crm::api {

// Decimal places of the currency's minor unit (CNY 2, JPY 0, BHD 3), or nullopt when `code`
// is not an ISO 4217 currency in use today.
std::optional<int> CurrencyDigits(std::string_view code);

// The amount in minor units, checked: a known currency (upper case), units and nanos of the
// same sign, nanos within ±999,999,999, a whole number of minor units, not negative unless
// `allow_negative`, and within ±10^15 minor units. Each problem is a violation on `field`
// (relative to the checker's prefix, e.g. "list_prices[0]") added to `check`; nullopt when
// there was one.
std::optional<int64_t> ToMinorUnits(const common::v1::Money& money, FieldChecker& check,
                                    std::string_view field, bool allow_negative = false);

// The Money for `minor` units of `currency_code` (a currency ICU knows, in use or retired;
// two decimal places for a code it does not know).
common::v1::Money FromMinorUnits(std::string_view currency_code, int64_t minor);

// `minor` units of `currency_code` as a plain decimal with the currency's decimal places (the
// same as FromMinorUnits): "1234.50" for CNY 123450, "-0.05" for CNY -5, "1200" for JPY 1200.
// What a CSV cell or a message shows, never parsed back into arithmetic.
std::string DecimalText(std::string_view currency_code, int64_t minor);

// A currency code given on its own for something new (e.g. a price to enter): trimmed, upper
// case, and in use today.
bool ValidCurrency(std::string_view code);

// A currency code that looks up what was recorded (e.g. a price history): three upper-case
// letters, the form of every ISO 4217 code, whether in use today or retired since (a price
// entered in a currency stays findable by it after the currency is withdrawn).
bool WellFormedCurrency(std::string_view code);

}  // namespace crm::api
