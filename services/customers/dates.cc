#include "services/customers/dates.h"

#include <unicode/calendar.h>
#include <unicode/gregocal.h>
#include <unicode/timezone.h>

#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/grpc/status.h"

namespace crm::customers {
namespace {

// ICU numbers Chinese years from 2637 BCE: the lunar year that begins in Gregorian year Y is
// extended year Y + 2637.
constexpr int kChineseEpochOffset = 2637;
constexpr double kMillisPerDay = 86400000.0;

// Debian's Abseil has its own string_view.
absl::string_view A(std::string_view s) { return {s.data(), s.size()}; }

// ICU calendars are not thread-safe and are costly to make: one pair per thread, in UTC, so
// that a day's midnight is a whole number of days since the epoch.
struct Calendars {
  std::unique_ptr<icu::Calendar> chinese;
  std::unique_ptr<icu::GregorianCalendar> gregorian;
};

Calendars& ThreadCalendars() {
  thread_local Calendars calendars = [] {
    UErrorCode error = U_ZERO_ERROR;
    Calendars made;
    made.chinese.reset(icu::Calendar::createInstance(icu::TimeZone::getGMT()->clone(),
                                                     icu::Locale("zh_CN@calendar=chinese"),
                                                     error));
    made.gregorian = std::make_unique<icu::GregorianCalendar>(icu::TimeZone::getGMT()->clone(),
                                                              error);
    return made;
  }();
  return calendars;
}

absl::CivilDay CivilFromMillis(UDate millis) {
  return absl::CivilDay(1970, 1, 1) + static_cast<int64_t>(millis / kMillisPerDay);
}

UDate MillisFromCivil(absl::CivilDay day) {
  return static_cast<UDate>(day - absl::CivilDay(1970, 1, 1)) * kMillisPerDay;
}

int DaysInGregorianMonth(int year, int month) {
  const absl::CivilDay first(year, month, 1);
  return static_cast<int>(absl::CivilDay(absl::CivilMonth(first) + 1) - first);
}

bool IsGregorianLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

const char* KindName(v1::DateKind kind) {
  return v1::DateKind_IsValid(kind) ? v1::DateKind_Name(kind).c_str() : "DATE_KIND_UNSPECIFIED";
}

}  // namespace

std::optional<absl::CivilDay> LunarToGregorian(int year, int month, bool leap_month, int day) {
  icu::Calendar& chinese = *ThreadCalendars().chinese;
  UErrorCode error = U_ZERO_ERROR;
  auto set = [&](bool leap, int d) {
    chinese.clear();
    chinese.set(UCAL_EXTENDED_YEAR, year + kChineseEpochOffset);
    chinese.set(UCAL_MONTH, month - 1);
    chinese.set(UCAL_IS_LEAP_MONTH, leap ? 1 : 0);
    chinese.set(UCAL_DATE, d);
  };
  set(leap_month, 1);
  // A leap month the year lacks resolves to another month: use the ordinary one instead.
  if (leap_month && (chinese.get(UCAL_IS_LEAP_MONTH, error) != 1 ||
                     chinese.get(UCAL_MONTH, error) != month - 1)) {
    leap_month = false;
    set(false, 1);
  }
  const int days = chinese.getActualMaximum(UCAL_DATE, error);
  set(leap_month, std::min(day, days));
  const UDate millis = chinese.getTime(error);
  if (U_FAILURE(error)) return std::nullopt;
  return CivilFromMillis(millis);
}

LunarDay GregorianToLunar(absl::CivilDay day) {
  icu::Calendar& chinese = *ThreadCalendars().chinese;
  UErrorCode error = U_ZERO_ERROR;
  chinese.setTime(MillisFromCivil(day), error);
  LunarDay lunar;
  lunar.year = chinese.get(UCAL_EXTENDED_YEAR, error) - kChineseEpochOffset;
  lunar.month = chinese.get(UCAL_MONTH, error) + 1;
  lunar.leap_month = chinese.get(UCAL_IS_LEAP_MONTH, error) == 1;
  lunar.day = chinese.get(UCAL_DATE, error);
  lunar.days_in_month = chinese.getActualMaximum(UCAL_DATE, error);
  return lunar;
}

void CheckDates(Dates* dates, std::string_view field, api::FieldChecker& check) {
  check.Count(dates->size(), field, kMaxDates, "dates");
  int birthdays = 0;
  for (int i = 0; i < dates->size(); ++i) {
    v1::RelationshipDate& d = *dates->Mutable(i);
    const std::string at = absl::StrCat(A(field), "[", i, "]");
    auto path = [&](std::string_view name) { return absl::StrCat(at, ".", A(name)); };
    if (d.kind() == v1::DATE_KIND_UNSPECIFIED || !v1::DateKind_IsValid(d.kind())) {
      check.Add(path("kind"), "is required (BIRTHDAY, COMPANY_ANNIVERSARY, "
                              "FIRST_DEAL_ANNIVERSARY or CUSTOM)");
    }
    if (d.kind() == v1::BIRTHDAY && ++birthdays == 2) {
      check.Add(path("kind"), "a second BIRTHDAY: at most one per customer or contact");
    }
    check.Text(d.mutable_label(), path("label"), kMaxDateLabel,
               /*required=*/d.kind() == v1::CUSTOM);
    if (d.calendar() == v1::CALENDAR_UNSPECIFIED) d.set_calendar(v1::GREGORIAN);
    if (!v1::Calendar_IsValid(d.calendar())) {
      check.Add(path("calendar"), "is not GREGORIAN or CHINESE_LUNAR");
      continue;
    }
    const bool lunar = d.calendar() == v1::CHINESE_LUNAR;
    bool year_ok = true;
    if (d.year() != 0 && (d.year() < kMinDateYear || d.year() > kMaxDateYear)) {
      check.Add(path("year"), absl::StrCat("must be 0 (unknown) or ", kMinDateYear, "-",
                                           kMaxDateYear));
      year_ok = false;
    }
    if (!d.yearly() && d.year() == 0) {
      check.Add(path("year"), "is required for a date that is not yearly");
      year_ok = false;
    }
    if (d.month() < 1 || d.month() > 12) {
      check.Add(path("month"), "must be 1-12");
      continue;
    }
    if (d.leap_month() && !lunar) check.Add(path("leap_month"), "is for CHINESE_LUNAR dates only");
    if (!lunar) {
      // An unknown year allows 29 February (it recurs on the 28th in common years).
      const int days = d.year() == 0 || !year_ok ? DaysInGregorianMonth(2000, d.month())
                                                 : DaysInGregorianMonth(d.year(), d.month());
      if (d.day() < 1 || d.day() > days) {
        check.Add(path("day"), absl::StrCat("must be 1-", days, " in month ", d.month(),
                                            d.year() != 0 && year_ok && d.month() == 2 &&
                                                    !IsGregorianLeapYear(d.year())
                                                ? absl::StrCat(" of ", d.year())
                                                : ""));
      }
      continue;
    }
    if (d.day() < 1 || d.day() > 30) {
      check.Add(path("day"), "must be 1-30 in the Chinese lunar calendar");
      continue;
    }
    // A one-off lunar date must exist in its year as given.
    if (!d.yearly() && year_ok) {
      const std::optional<absl::CivilDay> day =
          LunarToGregorian(d.year(), d.month(), d.leap_month(), d.day());
      const LunarDay back = day ? GregorianToLunar(*day) : LunarDay{};
      if (!day || back.month != d.month() || back.leap_month != d.leap_month() ||
          back.day != d.day()) {
        check.Add(path("day"), absl::StrCat("the lunar year ", d.year(), " has no ",
                                            d.leap_month() ? "leap " : "", "month ", d.month(),
                                            " day ", d.day()));
      }
    }
  }
}

std::string FormatDate(const v1::RelationshipDate& d) {
  std::string text = absl::StrFormat(
      "%s %s %04d-%s%02d-%02d %s", KindName(d.kind()),
      v1::Calendar_IsValid(d.calendar()) ? v1::Calendar_Name(d.calendar()) : "GREGORIAN", d.year(),
      d.leap_month() ? "L" : "", d.month(), d.day(), d.yearly() ? "YEARLY" : "ONCE");
  if (!d.label().empty()) absl::StrAppend(&text, " ", d.label());
  return text;
}

absl::StatusOr<v1::RelationshipDate> ParseDate(std::string_view text) {
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", A(text.substr(0, 80)),
        "\" is not a date like \"BIRTHDAY GREGORIAN 1980-05-03 YEARLY [label]\""));
  };
  std::vector<absl::string_view> parts = absl::StrSplit(A(text), absl::MaxSplits(' ', 4));
  if (parts.size() < 4) return bad();
  v1::RelationshipDate d;
  v1::DateKind kind;
  v1::Calendar calendar;
  if (!v1::DateKind_Parse(std::string(parts[0]), &kind) ||
      !v1::Calendar_Parse(std::string(parts[1]), &calendar)) {
    return bad();
  }
  d.set_kind(kind);
  d.set_calendar(calendar);
  std::vector<absl::string_view> ymd = absl::StrSplit(parts[2], '-');
  if (ymd.size() != 3) return bad();
  if (absl::StartsWith(ymd[1], "L")) {
    d.set_leap_month(true);
    ymd[1].remove_prefix(1);
  }
  int year = 0, month = 0, day = 0;
  if (!absl::SimpleAtoi(ymd[0], &year) || !absl::SimpleAtoi(ymd[1], &month) ||
      !absl::SimpleAtoi(ymd[2], &day)) {
    return bad();
  }
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  if (parts[3] == "YEARLY") {
    d.set_yearly(true);
  } else if (parts[3] != "ONCE") {
    return bad();
  }
  if (parts.size() == 5) d.set_label(std::string(parts[4]));
  return d;
}

std::string FormatDates(const Dates& dates) {
  std::string text;
  for (const v1::RelationshipDate& date : dates) {
    if (!text.empty()) text.push_back('\n');
    text += FormatDate(date);
  }
  return text;
}

absl::Status ParseDates(std::string_view text, Dates* dates) {
  if (text.empty()) return absl::OkStatus();
  for (absl::string_view line : absl::StrSplit(A(text), '\n')) {
    CRM_ASSIGN_OR_RETURN(*dates->Add(), ParseDate(std::string_view(line.data(), line.size())));
  }
  return absl::OkStatus();
}

std::optional<absl::CivilDay> NextOccurrence(const v1::RelationshipDate& d, absl::CivilDay from) {
  auto in_year = [&](int year) -> std::optional<absl::CivilDay> {
    if (d.calendar() == v1::CHINESE_LUNAR) {
      return LunarToGregorian(year, d.month(), d.leap_month(), d.day());
    }
    int day = d.day();
    if (d.month() == 2 && day == 29 && !IsGregorianLeapYear(year)) day = 28;
    return absl::CivilDay(year, d.month(), day);
  };
  if (!d.yearly()) {
    std::optional<absl::CivilDay> once = in_year(d.year());
    if (once && *once >= from) return once;
    return std::nullopt;
  }
  // A lunar year begins in January or February, so its last months fall in the next
  // Gregorian year: the lunar year before `from`'s may still be ahead.
  for (int year = static_cast<int>(from.year()) - 1; year <= from.year() + 1; ++year) {
    std::optional<absl::CivilDay> day = in_year(year);
    if (day && *day >= from) return day;
  }
  return std::nullopt;
}

int YearsAt(const v1::RelationshipDate& d, absl::CivilDay day) {
  if (!d.yearly() || d.year() == 0) return 0;
  const int year = d.calendar() == v1::CHINESE_LUNAR ? GregorianToLunar(day).year
                                                     : static_cast<int>(day.year());
  return std::max(0, year - d.year());
}

absl::StatusOr<absl::CivilDay> TodayIn(absl::Time now, std::string_view zone,
                                       std::string_view field) {
  std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(
      icu::UnicodeString::fromUTF8(icu::StringPiece(zone.data(), static_cast<int32_t>(zone.size())))));
  icu::UnicodeString id;
  tz->getID(id);
  if (zone.empty() || id == icu::UnicodeString("Etc/Unknown")) {
    return InvalidField(field, "is not an IANA time zone like \"Asia/Shanghai\"");
  }
  UErrorCode error = U_ZERO_ERROR;
  icu::GregorianCalendar calendar(tz.release(), error);
  calendar.setTime(static_cast<UDate>(absl::ToUnixMillis(now)), error);
  const int year = calendar.get(UCAL_YEAR, error);
  const int month = calendar.get(UCAL_MONTH, error) + 1;
  const int day = calendar.get(UCAL_DATE, error);
  if (U_FAILURE(error)) return absl::InternalError("the time zone conversion failed");
  return absl::CivilDay(year, month, day);
}

}  // namespace crm::customers
