// Relationship dates (birthdays, anniversaries, custom dates) of customers and contacts: what
// a valid one is, the one-line text they are stored and exported as, and when one next
// occurs — in the Gregorian calendar, or the Chinese lunar one converted per year with ICU's
// Chinese calendar (proto/crm/customers/v1/customers.proto, RelationshipDate, has the rules).
//
//   FormatDate(d)  → "BIRTHDAY CHINESE_LUNAR 1980-L04-15 YEARLY"
//   NextOccurrence(lunar 8/15 yearly, 2025-09-01) → 2025-10-06 (中秋, the 15th of the 8th
//   lunar month of 2025)
//
// Pure functions; safe from any thread (ICU calendars are kept per thread).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/api/fields.h"

namespace crm::customers {

inline constexpr int kMaxDates = 20;
inline constexpr int kMaxDateLabel = 64;
inline constexpr int kMinDateYear = 1900;
inline constexpr int kMaxDateYear = 2100;

using Dates = google::protobuf::RepeatedPtrField<v1::RelationshipDate>;

// Normalises (label trimmed, CALENDAR_UNSPECIFIED → GREGORIAN) and checks `dates`, adding a
// violation per bad field under `field` ("dates[2].day").
void CheckDates(Dates* dates, std::string_view field, api::FieldChecker& check);

// One date as one line of text (HistoryEntry documents the form), and back.
std::string FormatDate(const v1::RelationshipDate& date);
absl::StatusOr<v1::RelationshipDate> ParseDate(std::string_view text);
// Many, one per line ("" for none), and back.
std::string FormatDates(const Dates& dates);
absl::Status ParseDates(std::string_view text, Dates* dates);

// The Gregorian day of a Chinese lunar date in the lunar year that begins in Gregorian `year`,
// by the yearly rules: a 30th in a 29-day month is the 29th; a leap month the year lacks is
// the ordinary month. None outside ICU's range.
std::optional<absl::CivilDay> LunarToGregorian(int year, int month, bool leap_month, int day);
// The lunar month, leap flag and day of a Gregorian day.
struct LunarDay {
  int year = 0;  // the Gregorian year the lunar year begins in
  int month = 0;
  bool leap_month = false;
  int day = 0;
  int days_in_month = 0;
};
LunarDay GregorianToLunar(absl::CivilDay day);

// When `date` next happens on or after `from` (a yearly date: this year's occurrence or the
// next year's; a one-off date: its day, if not past). None when it does not happen again.
std::optional<absl::CivilDay> NextOccurrence(const v1::RelationshipDate& date, absl::CivilDay from);
// Which anniversary an occurrence on `day` is (a yearly date with a known year), else 0.
int YearsAt(const v1::RelationshipDate& date, absl::CivilDay day);

// Today's date in the IANA time zone `zone` ("Asia/Shanghai") at `now`; INVALID_ARGUMENT
// (on `field`) for an unknown zone.
absl::StatusOr<absl::CivilDay> TodayIn(absl::Time now, std::string_view zone,
                                       std::string_view field);

}  // namespace crm::customers
