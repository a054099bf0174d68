// Forecast periods and calendar dates.
#include "libs/api/periods.h"

#include <gtest/gtest.h>

#include "libs/grpc/status.h"

namespace crm::api {
namespace {

TEST(ParsePeriod, ReadsYearsQuartersAndMonths) {
  auto year = ParsePeriod("2026", "period");
  ASSERT_TRUE(year.ok());
  EXPECT_EQ(year->first, absl::CivilDay(2026, 1, 1));
  EXPECT_EQ(year->last, absl::CivilDay(2026, 12, 31));
  auto quarter = ParsePeriod("2026-Q3", "period");
  ASSERT_TRUE(quarter.ok());
  EXPECT_EQ(quarter->key, "2026-Q3");
  EXPECT_EQ(quarter->first, absl::CivilDay(2026, 7, 1));
  EXPECT_EQ(quarter->last, absl::CivilDay(2026, 9, 30));
  auto february = ParsePeriod("2028-02", "period");
  ASSERT_TRUE(february.ok());
  EXPECT_EQ(february->last, absl::CivilDay(2028, 2, 29)) << "a leap year";
}

TEST(ParsePeriod, RefusesAnythingElseOnTheField) {
  for (const char* bad : {"", "26", "2026-Q5", "2026-Q0", "2026-13", "2026-1", "2026-q1",
                          "1999", "2026-09-01", "２０２６"}) {
    absl::Status st = ParsePeriod(bad, "quota.period").status();
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
    ASSERT_EQ(FieldViolations(st).size(), 1u) << bad;
    EXPECT_EQ(FieldViolations(st)[0].field, "quota.period");
  }
}

TEST(Dates, RoundTripAndRefuseDaysTheCalendarLacks) {
  EXPECT_EQ(DateText(absl::CivilDay(2026, 9, 3)), "2026-09-03");
  EXPECT_EQ(ParseDateText("2026-09-03"), absl::CivilDay(2026, 9, 3));
  EXPECT_FALSE(ParseDateText("").has_value());
  google::type::Date date;
  date.set_year(2026);
  date.set_month(4);
  date.set_day(31);
  EXPECT_EQ(FromDate(date, "d").status().code(), absl::StatusCode::kInvalidArgument);
  date.set_day(30);
  EXPECT_EQ(FromDate(date, "d").value(), absl::CivilDay(2026, 4, 30));
  EXPECT_EQ(QuarterOf(absl::CivilDay(2026, 11, 5)).key, "2026-Q4");
  EXPECT_EQ(MonthOf(absl::CivilDay(2026, 11, 5)).key, "2026-11");
}

TEST(Dates, TodayIsTheCompanysDay) {
  absl::TimeZone shanghai;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  // 2026-09-30 20:00 UTC is already 1 October in Shanghai: the fourth quarter there.
  const absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 9, 30, 20, 0, 0), absl::UTCTimeZone());
  EXPECT_EQ(QuarterOf(DayIn(t, shanghai)).key, "2026-Q4");
  EXPECT_EQ(QuarterOf(DayIn(t, absl::UTCTimeZone())).key, "2026-Q3");
}

}  // namespace
}  // namespace crm::api
