#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "libs/base/clock.h"
#include "libs/base/hash.h"
#include "libs/base/time.h"

namespace crm {
namespace {

TEST(HashTest, Sha256OfKnownInputs) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256("abc").size(), 32u);
}

TEST(HashTest, HmacSha256OfRfc4231Case2) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(TimeTest, TimestampRoundTripKeepsMicroseconds) {
  absl::Time t = absl::FromUnixMicros(1'764'000'000'123'456);
  google::protobuf::Timestamp ts = ToTimestamp(t);
  EXPECT_EQ(ts.seconds(), 1'764'000'000);
  EXPECT_EQ(ts.nanos(), 123'456'000);
  EXPECT_EQ(FromTimestamp(ts), t);
}

TEST(TimeTest, TimesBeforeTheEpochKeepPositiveNanos) {
  google::protobuf::Timestamp ts = ToTimestamp(absl::UnixEpoch() - absl::Milliseconds(1500));
  EXPECT_EQ(ts.seconds(), -2);
  EXPECT_EQ(ts.nanos(), 500'000'000);
}

TEST(TimeTest, DateTimeTextFromTheDatabase) {
  google::protobuf::Timestamp ts = TimestampFromDateTime("2026-11-27 09:30:00.250000");
  EXPECT_EQ(ts.seconds(), 1'795'771'800);
  EXPECT_EQ(ts.nanos(), 250'000'000);
  EXPECT_EQ(TimestampFromDateTime("").seconds(), 0);
  EXPECT_EQ(TimestampFromDateTime("not a time").seconds(), 0);
}

// The hand-written reader of the database's form agrees with absl::ParseTime everywhere.
TEST(TimeTest, DateTimeTextAgreesWithTheGeneralParser) {
  std::mt19937_64 random(20261127);
  std::uniform_int_distribution<int64_t> seconds(absl::ToUnixSeconds(absl::FromCivil(
                                                     absl::CivilSecond(1000, 1, 1), absl::UTCTimeZone())),
                                                 absl::ToUnixSeconds(absl::FromCivil(
                                                     absl::CivilSecond(9999, 12, 31, 23, 59, 59),
                                                     absl::UTCTimeZone())));
  std::uniform_int_distribution<int> micros(0, 999'999);
  std::vector<std::string> texts = {"1970-01-01 00:00:00", "2000-02-29 23:59:59.999999",
                                    "2100-02-28 12:00:00.5", "1969-12-31 23:59:59.123456789",
                                    "2023-02-29 00:00:00", "2026-13-01 00:00:00",
                                    "2026-11-27 24:00:00", "2026-11-27T09:30:00",
                                    "2026-11-27 09:30:00.", "2026-11-27 09:30:00.1234567890"};
  for (int i = 0; i < 2000; ++i) {
    const absl::Time t = absl::FromUnixSeconds(seconds(random)) + absl::Microseconds(micros(random));
    texts.push_back(absl::FormatTime("%Y-%m-%d %H:%M:%E6S", t, absl::UTCTimeZone()));
  }
  for (const std::string& text : texts) {
    absl::Time t;
    std::string error;
    google::protobuf::Timestamp expected;
    if (absl::ParseTime("%Y-%m-%d %H:%M:%E*S", text, absl::UTCTimeZone(), &t, &error)) {
      expected = ToTimestamp(t);
    }
    const google::protobuf::Timestamp got = TimestampFromDateTime(text);
    EXPECT_EQ(got.seconds(), expected.seconds()) << text;
    EXPECT_EQ(got.nanos(), expected.nanos()) << text;
  }
}

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  FakeClock clock(absl::FromUnixSeconds(100));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(100));
  clock.Advance(absl::Seconds(5));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(105));
  clock.Set(absl::FromUnixSeconds(7));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(7));
  EXPECT_GT(Clock::Real().Now(), absl::FromUnixSeconds(1'700'000'000));
}

}  // namespace
}  // namespace crm
