#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/db/db.h"

namespace crm::db {
namespace {

absl::Time Utc(int y, int m, int d, int hh, int mm, int ss) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss), absl::UTCTimeZone());
}

TEST(DateTimeTest, FormatsUtcWithMicroseconds) {
  EXPECT_EQ(FormatDateTime(Utc(2026, 11, 27, 9, 30, 0)), "2026-11-27 09:30:00.000000");
  EXPECT_EQ(FormatDateTime(Utc(2026, 11, 27, 9, 30, 0) + absl::Microseconds(123456)),
            "2026-11-27 09:30:00.123456");
}

TEST(DateTimeTest, ParsesWithAndWithoutFraction) {
  absl::StatusOr<absl::Time> with = ParseDateTime("2026-11-27 09:30:00.250000");
  ASSERT_TRUE(with.ok()) << with.status();
  EXPECT_EQ(*with, Utc(2026, 11, 27, 9, 30, 0) + absl::Milliseconds(250));
  absl::StatusOr<absl::Time> without = ParseDateTime("2026-11-27 09:30:00");
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_EQ(*without, Utc(2026, 11, 27, 9, 30, 0));
}

TEST(DateTimeTest, RoundTripsMicroseconds) {
  const absl::Time t = Utc(1999, 12, 31, 23, 59, 59) + absl::Microseconds(999999);
  absl::StatusOr<absl::Time> parsed = ParseDateTime(FormatDateTime(t));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, t);
}

TEST(DateTimeTest, RejectsOtherText) {
  for (const char* text : {"", "yesterday", "2026-11-27", "2026-13-01 00:00:00",
                           "2026-11-27T09:30:00Z", "2026-11-27 09:30:00 junk"}) {
    EXPECT_FALSE(ParseDateTime(text).ok()) << text;
  }
}

TEST(RowTest, ReadsEachKindOfValue) {
  Row row({Value{int64_t{42}}, Value{std::string("12")}, Value{std::monostate{}},
           Value{std::string("杭州")}});
  EXPECT_EQ(row.size(), 4u);
  EXPECT_EQ(row.Int(0), 42);
  EXPECT_EQ(row.Str(0), "42");
  EXPECT_EQ(row.Int(1), 12);  // DECIMAL and other text columns holding digits
  EXPECT_TRUE(row.IsNull(2));
  EXPECT_EQ(row.Int(2), 0);
  EXPECT_EQ(row.Str(2), "");
  EXPECT_FALSE(row.IsNull(3));
  EXPECT_EQ(row.Str(3), "杭州");
  EXPECT_EQ(row.Int(3), 0);
}

TEST(RowTest, IntegerTextStaysValidWhileOtherColumnsAreRead) {
  Row row({Value{int64_t{-7}}, Value{int64_t{8}}});
  const std::string& first = row.Str(0);
  const std::string& second = row.Str(1);
  EXPECT_EQ(first, "-7");
  EXPECT_EQ(second, "8");
}

}  // namespace
}  // namespace crm::db
