#include "libs/api/periods.h"


#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "libs/grpc/status.h"

namespace crm::api {
namespace {

bool ParseNumber(std::string_view text, size_t digits, int* out) {
  if (text.size() != digits) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(absl::string_view(text.data(), text.size()), out);
}

absl::Status BadPeriod(std::string_view field) {
  return InvalidField(field, "must be a year \"2026\", a quarter \"2026-Q3\" or a month \"2026-09\"");
}

}  // namespace

absl::StatusOr<Period> ParsePeriod(std::string_view text, std::string_view field) {
  int year = 0;
  if (text.size() < 4 || !ParseNumber(text.substr(0, 4), 4, &year) || year < 2000 ||
      year > 2999) {
    return BadPeriod(field);
  }
  if (text.size() == 4) {
    return Period{std::string(text), absl::CivilDay(year, 1, 1), absl::CivilDay(year, 12, 31)};
  }
  if (text[4] != '-') return BadPeriod(field);
  std::string_view rest = text.substr(5);
  int number = 0;
  if (rest.size() == 2 && rest[0] == 'Q' && ParseNumber(rest.substr(1), 1, &number) &&
      number >= 1 && number <= 4) {
    return QuarterOf(absl::CivilDay(year, (number - 1) * 3 + 1, 1));
  }
  if (ParseNumber(rest, 2, &number) && number >= 1 && number <= 12) {
    return MonthOf(absl::CivilDay(year, number, 1));
  }
  return BadPeriod(field);
}

Period MonthOf(absl::CivilDay day) {
  const absl::CivilMonth month(day);
  return Period{absl::StrFormat("%04d-%02d", month.year(), month.month()), absl::CivilDay(month),
                absl::CivilDay(month + 1) - 1};
}

Period QuarterOf(absl::CivilDay day) {
  const int quarter = (day.month() - 1) / 3 + 1;
  const absl::CivilMonth first(day.year(), (quarter - 1) * 3 + 1);
  return Period{absl::StrFormat("%04d-Q%d", day.year(), quarter), absl::CivilDay(first),
                absl::CivilDay(first + 3) - 1};
}

absl::CivilDay DayIn(absl::Time t, absl::TimeZone zone) {
  return absl::ToCivilDay(t, zone);
}

std::string DateText(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

std::optional<absl::CivilDay> ParseDateText(std::string_view text) {
  absl::CivilDay day;
  if (text.size() != 10 || !absl::ParseCivilTime(absl::string_view(text.data(), text.size()), &day)) {
    return std::nullopt;
  }
  return day;
}

google::type::Date ToDate(absl::CivilDay day) {
  google::type::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

absl::StatusOr<absl::CivilDay> FromDate(const google::type::Date& date, std::string_view field) {
  if (date.year() < 1 || date.year() > 9999 || date.month() < 1 || date.month() > 12 ||
      date.day() < 1) {
    return InvalidField(field, "must be a whole date (year, month and day)");
  }
  const absl::CivilDay day(date.year(), date.month(), date.day());
  // CivilDay normalises 31 April to 1 May; a date that moved did not exist.
  if (day.month() != date.month() || day.day() != date.day()) {
    return InvalidField(field, "is not a date in the calendar");
  }
  return day;
}

}  // namespace crm::api
