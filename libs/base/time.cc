#include "libs/base/time.h"

#include <cstdint>
#include <string>

#include "absl/time/civil_time.h"

namespace crm {
namespace {

constexpr char kDateTimeFormat[] = "%Y-%m-%d %H:%M:%E*S";

// The digits text[pos, pos + n) as a number; false unless all are digits.
bool Digits(std::string_view text, size_t pos, size_t n, int* out) {
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to the proleptic Gregorian date: the era (400-year cycle) arithmetic
// of the well-known civil calendar conversion, with March as the first month so that the leap
// day falls at the end of each year.
int64_t DaysFromCivil(int year, int month, int day) {
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t year_of_era = y - era * 400;
  const int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// "YYYY-MM-DD HH:MM:SS" with an optional fraction of 1 to 9 digits, the one form MariaDB
// returns DATETIME columns in, read by hand: a list reads two of them for every row, and the
// general strftime-style absl::ParseTime costs several times more. False for anything else,
// including fields out of range, which ParseTime then handles as before.
bool ParseDateTimeFast(std::string_view text, google::protobuf::Timestamp* ts) {
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' ||
      text[13] != ':' || text[16] != ':') {
    return false;
  }
  int year, month, day, hour, minute, second;
  if (!Digits(text, 0, 4, &year) || !Digits(text, 5, 2, &month) || !Digits(text, 8, 2, &day) ||
      !Digits(text, 11, 2, &hour) || !Digits(text, 14, 2, &minute) ||
      !Digits(text, 17, 2, &second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return false;
  }
  int nanos = 0;
  if (text.size() > 19) {
    const size_t digits = text.size() - 20;
    if (text[19] != '.' || digits < 1 || digits > 9 || !Digits(text, 20, digits, &nanos)) {
      return false;
    }
    for (size_t i = digits; i < 9; ++i) nanos *= 10;
  }
  ts->set_seconds(DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second);
  ts->set_nanos(nanos);
  return true;
}

}  // namespace

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  absl::Duration since_epoch = t - absl::UnixEpoch();
  int64_t seconds = absl::IDivDuration(since_epoch, absl::Seconds(1), &since_epoch);
  if (since_epoch < absl::ZeroDuration()) {  // floor towards the past, nanos stay positive
    --seconds;
    since_epoch += absl::Seconds(1);
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(since_epoch)));
  return ts;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

google::protobuf::Timestamp TimestampFromDateTime(std::string_view datetime) {
  if (google::protobuf::Timestamp ts; ParseDateTimeFast(datetime, &ts)) return ts;
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(kDateTimeFormat, std::string(datetime), absl::UTCTimeZone(), &t, &error)) {
    return google::protobuf::Timestamp();
  }
  return ToTimestamp(t);
}

}  // namespace crm
