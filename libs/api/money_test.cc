#include "libs/api/money.h"

#include <gtest/gtest.h>

namespace crm::api {
namespace {

common::v1::Money M(std::string code, int64_t units, int32_t nanos = 0) {
  common::v1::Money m;
  m.set_currency_code(std::move(code));
  m.set_units(units);
  m.set_nanos(nanos);
  return m;
}

// The minor units, or the violations as one string.
std::string Convert(const common::v1::Money& money, bool allow_negative = false) {
  Violations violations;
  FieldChecker check(violations, "");
  std::optional<int64_t> minor = ToMinorUnits(money, check, "price", allow_negative);
  if (minor) return std::to_string(*minor);
  std::string out;
  for (const FieldViolation& v : FieldViolations(violations.ToStatus())) {
    out += v.field + ": " + v.description + ";";
  }
  return out;
}

TEST(MoneyTest, CurrenciesAndTheirMinorUnitsComeFromIso4217) {
  EXPECT_EQ(CurrencyDigits("CNY"), 2);
  EXPECT_EQ(CurrencyDigits("USD"), 2);
  EXPECT_EQ(CurrencyDigits("JPY"), 0);
  EXPECT_EQ(CurrencyDigits("BHD"), 3);
  EXPECT_FALSE(CurrencyDigits("XYZ").has_value());
  EXPECT_FALSE(CurrencyDigits("cny").has_value()) << "codes are upper case";
  EXPECT_FALSE(CurrencyDigits("DEM").has_value()) << "not in use today";
  EXPECT_FALSE(CurrencyDigits("").has_value());
}

TEST(MoneyTest, LookupsTakeEveryWellFormedCodeAndRetiredOnesKeepTheirMinorUnits) {
  EXPECT_TRUE(WellFormedCurrency("CNY"));
  EXPECT_TRUE(WellFormedCurrency("DEM")) << "retired, but prices were once entered in it";
  EXPECT_FALSE(ValidCurrency("DEM")) << "no new price in a retired currency";
  EXPECT_FALSE(WellFormedCurrency("cny"));
  EXPECT_FALSE(WellFormedCurrency("CN"));
  EXPECT_FALSE(WellFormedCurrency("CNY1"));
  EXPECT_FALSE(WellFormedCurrency(""));
  // The Italian lira had no minor unit in use: 1500 stored units are 1500 lire, not 15.00.
  EXPECT_EQ(FromMinorUnits("ITL", 1500).units(), 1500);
  EXPECT_EQ(FromMinorUnits("ITL", 1500).nanos(), 0);
  EXPECT_EQ(FromMinorUnits("DEM", 1550).units(), 15);
  EXPECT_EQ(FromMinorUnits("DEM", 1550).nanos(), 500'000'000);
}

TEST(MoneyTest, DecimalTextUsesTheCurrencysDecimalPlaces) {
  EXPECT_EQ(DecimalText("CNY", 123450), "1234.50");
  EXPECT_EQ(DecimalText("CNY", 5), "0.05");
  EXPECT_EQ(DecimalText("CNY", -250), "-2.50");
  EXPECT_EQ(DecimalText("JPY", 1200), "1200");
  EXPECT_EQ(DecimalText("BHD", 1005), "1.005");
  EXPECT_EQ(DecimalText("CNY", INT64_MIN), "-92233720368547758.08");
}

TEST(MoneyTest, WholeMinorUnitsConvertExactly) {
  EXPECT_EQ(Convert(M("CNY", 12, 340'000'000)), "1234");
  EXPECT_EQ(Convert(M("USD", 5)), "500");
  EXPECT_EQ(Convert(M("JPY", 500)), "500");
  EXPECT_EQ(Convert(M("BHD", 1, 5'000'000)), "1005");
  EXPECT_EQ(Convert(M("CNY", 0)), "0");
  EXPECT_EQ(Convert(M("CNY", -1, -500'000'000), /*allow_negative=*/true), "-150");
}

TEST(MoneyTest, BadAmountsAreNamedViolations) {
  EXPECT_EQ(Convert(M("CNY", -1)), "price: must not be negative;");
  EXPECT_EQ(Convert(M("CNY", 0, -10'000'000)), "price: must not be negative;");
  EXPECT_EQ(Convert(M("XYZ", 1)),
            "price.currency_code: \"XYZ\" is not a known ISO 4217 currency code;");
  EXPECT_EQ(Convert(M("", 1)),
            "price.currency_code: is required (an ISO 4217 code such as CNY or USD);");
  EXPECT_EQ(Convert(M("CNY", 1, 5'000'000)),
            "price: fractional minor units: CNY has 2 decimal places;");
  EXPECT_EQ(Convert(M("JPY", 1, 500'000'000)),
            "price: fractional minor units: JPY has 0 decimal places;");
  EXPECT_EQ(Convert(M("CNY", 1, -10'000'000), true),
            "price: units and nanos must have the same sign;");
  EXPECT_EQ(Convert(M("CNY", 0, 1'000'000'000)),
            "price.nanos: must be between -999,999,999 and 999,999,999;");
  EXPECT_EQ(Convert(M("CNY", 100'000'000'000'000'000)), "price: is too large;");
  EXPECT_EQ(Convert(M("CNY", INT64_MIN), /*allow_negative=*/true), "price: is too large;");
}

TEST(MoneyTest, MinorUnitsBackToMoney) {
  common::v1::Money m = FromMinorUnits("CNY", 1234);
  EXPECT_EQ(m.currency_code(), "CNY");
  EXPECT_EQ(m.units(), 12);
  EXPECT_EQ(m.nanos(), 340'000'000);
  m = FromMinorUnits("JPY", 500);
  EXPECT_EQ(m.units(), 500);
  EXPECT_EQ(m.nanos(), 0);
  m = FromMinorUnits("USD", -150);
  EXPECT_EQ(m.units(), -1);
  EXPECT_EQ(m.nanos(), -500'000'000);
}

}  // namespace
}  // namespace crm::api
