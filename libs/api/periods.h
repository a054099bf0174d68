// Calendar dates and sales periods, in the company's time zone: an expected close date is a
// day on the sales team's calendar, and "this quarter" starts at local midnight.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/type/date.pb.h"

namespace crm::api {

// A forecast period: a year "2026", a quarter "2026-Q3" or a month "2026-09".
struct Period {
  std::string key;
  absl::CivilDay first;
  absl::CivilDay last;
};

// INVALID_ARGUMENT on `field` unless `text` is one of the three forms (years 2000-2999).
absl::StatusOr<Period> ParsePeriod(std::string_view text, std::string_view field);
Period MonthOf(absl::CivilDay day);
Period QuarterOf(absl::CivilDay day);

// The calendar day `t` falls on in `zone`.
absl::CivilDay DayIn(absl::Time t, absl::TimeZone zone);

// "2026-09-30", as DATE columns take and return it; nullopt for anything else ("" for NULL).
std::string DateText(absl::CivilDay day);
std::optional<absl::CivilDay> ParseDateText(std::string_view text);

google::type::Date ToDate(absl::CivilDay day);
// INVALID_ARGUMENT on `field` unless every part is set and the date exists (years 1-9999).
absl::StatusOr<absl::CivilDay> FromDate(const google::type::Date& date, std::string_view field);

}  // namespace crm::api
