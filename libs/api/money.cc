#include "libs/api/money.h"

#include <unicode/ucal.h>
#include <unicode/ucurr.h>
#include <unicode/ustring.h>

#include "absl/strings/str_cat.h"

namespace crm::api {
namespace {

constexpr int64_t kMaxMinorUnits = 1'000'000'000'000'000;  // 10^15: ten trillion yuan
constexpr int32_t kNanosPerUnit = 1'000'000'000;

int64_t Pow10(int digits) {
  int64_t value = 1;
  for (int i = 0; i < digits; ++i) value *= 10;
  return value;
}

bool IsUpperAlpha3(std::string_view code) {
  if (code.size() != 3) return false;
  for (char c : code) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

// The decimal places ICU gives a well-formed code, whether the currency is in use or not.
std::optional<int> FractionDigits(std::string_view code) {
  if (!IsUpperAlpha3(code)) return std::nullopt;
  const UChar iso[4] = {static_cast<UChar>(code[0]), static_cast<UChar>(code[1]),
                        static_cast<UChar>(code[2]), 0};
  UErrorCode status = U_ZERO_ERROR;
  const int32_t digits = ucurr_getDefaultFractionDigits(iso, &status);
  if (U_FAILURE(status) || digits < 0 || digits > 9) return std::nullopt;
  return digits;
}

}  // namespace

std::optional<int> CurrencyDigits(std::string_view code) {
  if (!IsUpperAlpha3(code)) return std::nullopt;
  const UChar iso[4] = {static_cast<UChar>(code[0]), static_cast<UChar>(code[1]),
                        static_cast<UChar>(code[2]), 0};
  UErrorCode status = U_ZERO_ERROR;
  const UDate now = ucal_getNow();
  if (!ucurr_isAvailable(iso, now, now, &status) || U_FAILURE(status)) return std::nullopt;
  return FractionDigits(code);
}

bool ValidCurrency(std::string_view code) { return CurrencyDigits(code).has_value(); }

bool WellFormedCurrency(std::string_view code) { return IsUpperAlpha3(code); }

std::optional<int64_t> ToMinorUnits(const common::v1::Money& money, FieldChecker& check,
                                    std::string_view field, bool allow_negative) {
  const std::string path(field);
  std::optional<int> digits = CurrencyDigits(money.currency_code());
  if (!digits) {
    check.Add(path + ".currency_code",
              money.currency_code().empty()
                  ? "is required (an ISO 4217 code such as CNY or USD)"
                  : absl::StrCat("\"", money.currency_code().substr(0, 8),
                                 "\" is not a known ISO 4217 currency code"));
    return std::nullopt;
  }
  const int64_t units = money.units();
  const int32_t nanos = money.nanos();
  if (nanos <= -kNanosPerUnit || nanos >= kNanosPerUnit) {
    check.Add(path + ".nanos", "must be between -999,999,999 and 999,999,999");
    return std::nullopt;
  }
  if ((units > 0 && nanos < 0) || (units < 0 && nanos > 0)) {
    check.Add(path, "units and nanos must have the same sign");
    return std::nullopt;
  }
  if (!allow_negative && (units < 0 || nanos < 0)) {
    check.Add(path, "must not be negative");
    return std::nullopt;
  }
  const int64_t nanos_per_minor = kNanosPerUnit / Pow10(*digits);
  if (nanos % nanos_per_minor != 0) {
    check.Add(path, absl::StrCat("fractional minor units: ", money.currency_code(), " has ",
                                 *digits, " decimal places"));
    return std::nullopt;
  }
  const int64_t scale = Pow10(*digits);
  // Compared without std::llabs, which is undefined for the most negative int64.
  if (units > kMaxMinorUnits / scale || units < -(kMaxMinorUnits / scale)) {
    check.Add(path, "is too large");
    return std::nullopt;
  }
  return units * scale + nanos / nanos_per_minor;
}

common::v1::Money FromMinorUnits(std::string_view currency_code, int64_t minor) {
  common::v1::Money money;
  money.set_currency_code(std::string(currency_code));
  const int digits = FractionDigits(currency_code).value_or(2);
  const int64_t scale = Pow10(digits);
  money.set_units(minor / scale);
  money.set_nanos(static_cast<int32_t>((minor % scale) * (kNanosPerUnit / scale)));
  return money;
}

std::string DecimalText(std::string_view currency_code, int64_t minor) {
  const int digits = FractionDigits(currency_code).value_or(2);
  const int64_t scale = Pow10(digits);
  // Unsigned, so that the most negative amount has a magnitude too.
  const uint64_t magnitude = minor < 0 ? 0 - static_cast<uint64_t>(minor) : minor;
  std::string text = absl::StrCat(minor < 0 ? "-" : "", magnitude / scale);
  if (digits > 0) {
    absl::StrAppend(&text, ".", absl::StrCat(magnitude % scale + scale).substr(1));
  }
  return text;
}

}  // namespace crm::api
