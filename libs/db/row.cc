// Row accessors and the DATETIME(6) text format.
#include <string>
#include <string_view>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/db/db.h"

namespace crm::db {

bool Row::IsNull(size_t i) const { return std::holds_alternative<std::monostate>(values_.at(i)); }

int64_t Row::Int(size_t i) const {
  const Value& value = values_.at(i);
  if (const auto* number = std::get_if<int64_t>(&value)) return *number;
  if (const auto* text = std::get_if<std::string>(&value)) {
    // DECIMAL results (SUM, COUNT over DISTINCT in some plans) arrive as text.
    int64_t parsed = 0;
    if (absl::SimpleAtoi(*text, &parsed)) return parsed;
  }
  return 0;
}

const std::string& Row::Str(size_t i) const {
  static const std::string kEmpty;
  const Value& value = values_.at(i);
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* number = std::get_if<int64_t>(&value)) {
    if (int_text_.size() != values_.size()) int_text_.resize(values_.size());
    int_text_[i] = absl::StrCat(*number);
    return int_text_[i];
  }
  return kEmpty;
}

std::string FormatDateTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", t, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseDateTime(std::string_view text) {
  const absl::string_view input(text.data(), text.size());
  absl::Time t;
  std::string error;
  // %E*S takes the fraction when present: DATETIME(6) gives six digits, DATETIME none.
  if (!absl::ParseTime("%Y-%m-%d %H:%M:%E*S", input, absl::UTCTimeZone(), &t, &error)) {
    // Quote a bounded prefix only: the text may be anything a column held.
    return absl::InvalidArgumentError(absl::StrCat(
        "not a datetime (want YYYY-MM-DD HH:MM:SS[.ffffff]): \"", input.substr(0, 40), "\""));
  }
  return t;
}

}  // namespace crm::db
