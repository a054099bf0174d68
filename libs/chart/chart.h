// Charts as SVG, rendered on the server so that an internal app or an e-mail can embed a
// report's picture without a charting library of its own. Four kinds: bar (grouped, one bar per
// series in each category), line (one line per series), funnel (the first series, one step per
// category, widest first as given) and pie (the first series, one slice per category).
//
//   chart::Chart c{.title = "2026 年各季度成交额",
//                  .categories = {"Q1", "Q2", "Q3", "Q4"},
//                  .series = {{.name = "CNY", .values = {120000, 98000, 143500, 0}}}};
//   absl::StatusOr<std::string> svg = chart::Bar(c);
//
// The output is a standalone SVG 1.1 document in UTF-8: no scripts, no external references, a
// fixed width and height plus a viewBox so it scales. Text keeps its characters as they are
// (Chinese included), XML-escaped, with a font list that names the common CJK fonts first so a
// viewer without them still falls back to one that has the glyphs. Invalid UTF-8 and characters
// XML does not allow become U+FFFD rather than a broken document. Layout measures text by each
// character's East Asian Width (ICU): a wide character takes one em, others about 0.6 em; a
// label longer than its room is cut at a character boundary and ends with "…".
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace crm::chart {

struct Series {
  std::string name;            // the legend's entry
  std::vector<double> values;  // one per category, finite
};

struct Chart {
  std::string title;
  std::vector<std::string> categories;  // at most kMaxCategories
  std::vector<Series> series;           // at least one, at most kMaxSeries
  // How a value is written (axis ticks, labels, tooltips); "%.6g" when empty. Reports pass
  // one that writes money with its currency.
  std::function<std::string(double)> format_value;
  int width = 640;   // pixels, 200-4000
  int height = 360;  // pixels, 150-4000
};

inline constexpr size_t kMaxCategories = 200;
inline constexpr size_t kMaxSeries = 12;

// INVALID_ARGUMENT when the chart cannot be drawn as asked: no series, a series whose length is
// not the number of categories, a value that is not finite, too many categories or series, a
// size out of range; for Funnel and Pie also a negative value.
absl::StatusOr<std::string> Bar(const Chart& chart);
absl::StatusOr<std::string> Line(const Chart& chart);
absl::StatusOr<std::string> Funnel(const Chart& chart);
absl::StatusOr<std::string> Pie(const Chart& chart);

// The width in pixels `text` takes at `font_size` by the measure above.
double TextWidth(std::string_view text, double font_size);

// `text` as XML character data (and attribute values): escaped, invalid UTF-8 and characters
// XML 1.0 forbids replaced by U+FFFD.
std::string XmlText(std::string_view text);

// `text` cut to fit `max_width` at `font_size`, ending with "…" when cut.
std::string Fit(std::string_view text, double max_width, double font_size);

}  // namespace crm::chart
