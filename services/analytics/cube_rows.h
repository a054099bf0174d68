// What the writers of the cubes share (won_cube 004, customer_cube and customers_new_cube 007,
// lead_cube and stage_cube 008, the industry-and-province rows of 009): the month a day's
// figure is also filed under, the value of the dimension 'B', and one multi-row upsert for all
// of a record's rows in one cube.
#pragma once

#include <cstddef>
#include <string>

namespace crm::analytics {

// The period of `day`'s monthly rows, its month's first day ("2026-03-17" → "2026-03-01").
inline std::string MonthOf(const std::string& day) {
  return day.substr(0, day.size() - 2) + "01";
}

// The value of the cubes' dimension 'B' (schema/009): the industry and the province joined by
// U+001F, which neither holds (the services refuse control characters in text), as the
// migration's CONCAT(industry, CHAR(31 USING utf8mb4), province).
inline std::string IndustryAndProvince(const std::string& industry, const std::string& province) {
  return industry + '\x1f' + province;
}

// `head`, then `row` `rows` times separated by commas, then `tail`.
inline std::string MultiRowStatement(const char* head, const char* row, size_t rows,
                                     const char* tail) {
  std::string text = head;
  for (size_t i = 0; i < rows; ++i) {
    if (i > 0) text += ", ";
    text += row;
  }
  return text + tail;
}

}  // namespace crm::analytics
