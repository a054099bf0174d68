// Relationship dates: validation, their one-line text, and when a date next occurs in the
// Gregorian and the Chinese lunar calendar (expected days from published lunar calendars).
#include "services/customers/dates.h"

#include <gtest/gtest.h>

#include <set>

#include "libs/grpc/status.h"

namespace crm::customers {
namespace {

v1::RelationshipDate Date(v1::Calendar calendar, int year, int month, int day, bool yearly = true,
                          bool leap = false, v1::DateKind kind = v1::BIRTHDAY) {
  v1::RelationshipDate d;
  d.set_kind(kind);
  d.set_calendar(calendar);
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  d.set_yearly(yearly);
  d.set_leap_month(leap);
  return d;
}

std::vector<FieldViolation> Check(Dates dates) {
  Violations violations;
  api::FieldChecker check(violations, "customer");
  CheckDates(&dates, "dates", check);
  return FieldViolations(violations.ToStatus());
}

TEST(LunarCalendarTest, ConvertsKnownLunarDatesToGregorian) {
  // 中秋 (8/15) and 春节 (1/1) of recent years, and a leap month (闰六月 2025, 闰二月 2023).
  EXPECT_EQ(LunarToGregorian(2024, 8, false, 15), absl::CivilDay(2024, 9, 17));
  EXPECT_EQ(LunarToGregorian(2025, 8, false, 15), absl::CivilDay(2025, 10, 6));
  EXPECT_EQ(LunarToGregorian(2025, 1, false, 1), absl::CivilDay(2025, 1, 29));
  EXPECT_EQ(LunarToGregorian(2025, 6, true, 1), absl::CivilDay(2025, 7, 25));
  EXPECT_EQ(LunarToGregorian(2023, 2, true, 1), absl::CivilDay(2023, 3, 22));
}

TEST(LunarCalendarTest, AThirtiethInA29DayMonthFallsOnThe29th) {
  // The 2nd lunar month of 2025 has 29 days (its 29th is 2025-03-28).
  ASSERT_EQ(GregorianToLunar(absl::CivilDay(2025, 3, 28)).days_in_month, 29);
  EXPECT_EQ(LunarToGregorian(2025, 2, false, 30), absl::CivilDay(2025, 3, 28));
  EXPECT_EQ(LunarToGregorian(2025, 2, false, 29), absl::CivilDay(2025, 3, 28));
}

TEST(LunarCalendarTest, ALeapMonthTheYearLacksIsTheOrdinaryMonth) {
  // 2024 has no leap 6th month: a 闰六月 birthday is kept in the 6th month.
  EXPECT_EQ(LunarToGregorian(2024, 6, true, 1), LunarToGregorian(2024, 6, false, 1));
}

TEST(LunarCalendarTest, GregorianToLunarIsTheInverse) {
  const LunarDay lunar = GregorianToLunar(absl::CivilDay(2025, 7, 25));
  EXPECT_EQ(lunar.year, 2025);
  EXPECT_EQ(lunar.month, 6);
  EXPECT_TRUE(lunar.leap_month);
  EXPECT_EQ(lunar.day, 1);
  // 2025-01-28 is still the last day of lunar 2024.
  EXPECT_EQ(GregorianToLunar(absl::CivilDay(2025, 1, 28)).year, 2024);
}

TEST(NextOccurrenceTest, YearlyGregorianDatesComeRoundAndFebruary29thFallsOnThe28th) {
  const auto birthday = Date(v1::GREGORIAN, 1980, 5, 3);
  EXPECT_EQ(NextOccurrence(birthday, absl::CivilDay(2026, 5, 3)), absl::CivilDay(2026, 5, 3));
  EXPECT_EQ(NextOccurrence(birthday, absl::CivilDay(2026, 5, 4)), absl::CivilDay(2027, 5, 3));
  EXPECT_EQ(YearsAt(birthday, absl::CivilDay(2026, 5, 3)), 46);
  const auto leap_day = Date(v1::GREGORIAN, 0, 2, 29);
  EXPECT_EQ(NextOccurrence(leap_day, absl::CivilDay(2026, 1, 1)), absl::CivilDay(2026, 2, 28));
  EXPECT_EQ(NextOccurrence(leap_day, absl::CivilDay(2027, 12, 1)), absl::CivilDay(2028, 2, 29));
  EXPECT_EQ(YearsAt(leap_day, absl::CivilDay(2026, 2, 28)), 0);  // year unknown
}

TEST(NextOccurrenceTest, LunarDatesMoveEveryGregorianYear) {
  const auto lunar = Date(v1::CHINESE_LUNAR, 1980, 8, 15);
  EXPECT_EQ(NextOccurrence(lunar, absl::CivilDay(2025, 9, 1)), absl::CivilDay(2025, 10, 6));
  EXPECT_EQ(NextOccurrence(lunar, absl::CivilDay(2025, 10, 7)), absl::CivilDay(2026, 9, 25));
  EXPECT_EQ(YearsAt(lunar, absl::CivilDay(2025, 10, 6)), 45);
  // The 12th lunar month of lunar 2025 is in January 2026.
  const auto winter = Date(v1::CHINESE_LUNAR, 0, 12, 8);
  EXPECT_EQ(NextOccurrence(winter, absl::CivilDay(2026, 1, 1)), absl::CivilDay(2026, 1, 26));
}

TEST(NextOccurrenceTest, AOneOffDateHappensOnceOnItsYear) {
  const auto once = Date(v1::GREGORIAN, 2026, 3, 1, /*yearly=*/false, false, v1::CUSTOM);
  EXPECT_EQ(NextOccurrence(once, absl::CivilDay(2026, 2, 1)), absl::CivilDay(2026, 3, 1));
  EXPECT_EQ(NextOccurrence(once, absl::CivilDay(2026, 3, 2)), std::nullopt);
}

TEST(DateTextTest, RoundTripsEveryField) {
  auto date = Date(v1::CHINESE_LUNAR, 1980, 4, 15, true, /*leap=*/true);
  EXPECT_EQ(FormatDate(date), "BIRTHDAY CHINESE_LUNAR 1980-L04-15 YEARLY");
  date.set_kind(v1::CUSTOM);
  date.set_label("签约 纪念日");
  date.set_yearly(false);
  const std::string text = FormatDate(date);
  EXPECT_EQ(text, "CUSTOM CHINESE_LUNAR 1980-L04-15 ONCE 签约 纪念日");
  absl::StatusOr<v1::RelationshipDate> back = ParseDate(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->SerializeAsString(), date.SerializeAsString());
  EXPECT_FALSE(ParseDate("BIRTHDAY 1980-04-15").ok());
  EXPECT_FALSE(ParseDate("BIRTHDAY JULIAN 1980-04-15 YEARLY").ok());
}

TEST(CheckDatesTest, AcceptsGoodDatesAndSetsTheDefaultCalendar) {
  Dates dates;
  *dates.Add() = Date(v1::CALENDAR_UNSPECIFIED, 0, 2, 29);
  *dates.Add() = Date(v1::CHINESE_LUNAR, 1975, 12, 30, true, false, v1::COMPANY_ANNIVERSARY);
  Violations violations;
  api::FieldChecker check(violations, "");
  CheckDates(&dates, "dates", check);
  EXPECT_TRUE(violations.empty()) << violations.ToStatus();
  EXPECT_EQ(dates[0].calendar(), v1::GREGORIAN);
}

TEST(CheckDatesTest, NamesEveryBadField) {
  Dates dates;
  *dates.Add() = Date(v1::GREGORIAN, 2025, 2, 29);  // not a leap year
  *dates.Add() = Date(v1::GREGORIAN, 1800, 13, 1, true, false, v1::COMPANY_ANNIVERSARY);
  *dates.Add() = Date(v1::GREGORIAN, 0, 5, 1, /*yearly=*/false, /*leap=*/true, v1::CUSTOM);
  // A second birthday, on a 30th its 29-day month lacks.
  *dates.Add() = Date(v1::CHINESE_LUNAR, 2025, 2, 30, /*yearly=*/false);
  const std::vector<FieldViolation> v = Check(dates);
  std::set<std::string> fields;
  for (const FieldViolation& violation : v) fields.insert(violation.field);
  EXPECT_EQ(fields, (std::set<std::string>{
                        "customer.dates[0].day", "customer.dates[1].year",
                        "customer.dates[1].month", "customer.dates[2].label",
                        "customer.dates[2].year", "customer.dates[2].leap_month",
                        "customer.dates[3].kind", "customer.dates[3].day"}));
}

}  // namespace
}  // namespace crm::customers
