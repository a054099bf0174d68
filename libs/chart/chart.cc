#include "libs/chart/chart.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace crm::chart {
namespace {

constexpr char kFonts[] =
    "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',"
    "'WenQuanYi Micro Hei',sans-serif";
// Distinguishable on white and for the common colour-vision deficiencies (Okabe and Ito's
// palette, then two greys).
constexpr const char* kColours[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                    "#56B4E9", "#D55E00", "#F0E442", "#000000",
                                    "#999999", "#666666", "#8C564B", "#17BECF"};
static_assert(std::size(kColours) >= kMaxSeries);

constexpr double kTitleSize = 16;
constexpr double kLabelSize = 12;
constexpr double kMargin = 12;
constexpr char kEllipsis[] = "\u2026";

// Calls `fn(code_point, begin, end)` for each character of `text`; ill-formed bytes come as a
// negative code point.
template <typename Fn>
void ForEachCodePoint(std::string_view text, Fn fn) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t begin = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    fn(c, begin, i);
  }
}

bool AllowedInXml(UChar32 c) {
  if (c < 0) return false;
  if (c < 0x20) return c == '\t' || c == '\n' || c == '\r';
  return c != 0xFFFE && c != 0xFFFF;
}

double CharWidth(UChar32 c) {
  if (c < 0) return 1.0;  // drawn as U+FFFD
  const int category = u_charType(c);
  if (category == U_NON_SPACING_MARK || category == U_ENCLOSING_MARK) return 0;
  const int width = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
  return width == U_EA_WIDE || width == U_EA_FULLWIDTH ? 1.0 : 0.6;
}

std::string Number(double v) { return absl::StrFormat("%.1f", v); }

std::string Format(const Chart& chart, double v) {
  return chart.format_value ? chart.format_value(v) : absl::StrFormat("%.6g", v);
}

absl::Status Check(const Chart& chart, bool non_negative) {
  if (chart.series.empty()) return absl::InvalidArgumentError("a chart needs a series");
  if (chart.series.size() > kMaxSeries) {
    return absl::InvalidArgumentError(absl::StrCat("at most ", kMaxSeries, " series"));
  }
  if (chart.categories.size() > kMaxCategories) {
    return absl::InvalidArgumentError(absl::StrCat("at most ", kMaxCategories, " categories"));
  }
  if (chart.width < 200 || chart.width > 4000 || chart.height < 150 || chart.height > 4000) {
    return absl::InvalidArgumentError("width must be 200-4000 and height 150-4000 pixels");
  }
  for (const Series& series : chart.series) {
    if (series.values.size() != chart.categories.size()) {
      return absl::InvalidArgumentError(absl::StrCat("series \"", series.name, "\" has ",
                                                     series.values.size(), " values for ",
                                                     chart.categories.size(), " categories"));
    }
    for (double v : series.values) {
      if (!std::isfinite(v)) return absl::InvalidArgumentError("values must be finite");
      if (non_negative && v < 0) {
        return absl::InvalidArgumentError("this kind of chart takes no negative values");
      }
    }
  }
  return absl::OkStatus();
}

// The document around the drawing, with the title on top.
class Document final {
 public:
  explicit Document(const Chart& chart) : chart_(chart) {
    absl::StrAppendFormat(&out_,
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
                          "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"%s\" "
                          "role=\"img\">",
                          chart.width, chart.height, chart.width, chart.height, kFonts);
    // The accessible name, and what a mail client shows when it will not draw the picture.
    absl::StrAppend(&out_, "<title>", XmlText(chart.title), "</title>",
                    "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
    if (!chart.title.empty()) {
      Text(chart.width / 2.0, kMargin + kTitleSize, "middle", kTitleSize,
           Fit(chart.title, chart.width - 2 * kMargin, kTitleSize), "title", "bold");
    }
  }

  // Where the drawing may start below the title.
  double top() const { return chart_.title.empty() ? kMargin : 2 * kMargin + kTitleSize; }

  void Text(double x, double y, const std::string& anchor, double size, std::string_view text,
            const std::string& css_class, const std::string& weight = "normal") {
    absl::StrAppend(&out_, "<text class=\"", css_class, "\" x=\"", Number(x), "\" y=\"", Number(y),
                    "\" text-anchor=\"", anchor, "\" font-size=\"", Number(size),
                    "\" font-weight=\"", weight, "\" fill=\"#222222\">", XmlText(text), "</text>");
  }

  // A shape with a tooltip; `shape` is the element's name and attributes.
  void Shape(const std::string& shape, std::string_view tooltip) {
    absl::StrAppend(&out_, "<", shape, "><title>", XmlText(tooltip), "</title></",
                    shape.substr(0, shape.find(' ')), ">");
  }

  void Raw(std::string_view svg) { out_.append(svg); }

  // A legend row of the series' names under the title, when there is more than one series.
  // Returns the height it took.
  double Legend(double y) {
    if (chart_.series.size() < 2) return 0;
    double x = kMargin;
    for (size_t i = 0; i < chart_.series.size(); ++i) {
      const std::string name = Fit(chart_.series[i].name, chart_.width / 4.0, kLabelSize);
      absl::StrAppend(&out_, "<rect class=\"swatch\" x=\"", Number(x), "\" y=\"", Number(y),
                      "\" width=\"10\" height=\"10\" fill=\"", kColours[i], "\"/>");
      Text(x + 14, y + 10, "start", kLabelSize, name, "legend");
      x += 14 + TextWidth(name, kLabelSize) + 16;
    }
    return kLabelSize + kMargin;
  }

  std::string Finish() && { return std::move(out_) + "</svg>"; }

 private:
  const Chart& chart_;
  std::string out_;
};

// A value axis from `lo` to `hi` at round steps, zero included.
struct Axis {
  double lo = 0;
  double hi = 1;
  double step = 1;
};

Axis NiceAxis(const Chart& chart) {
  double lo = 0, hi = 0;
  for (const Series& series : chart.series) {
    for (double v : series.values) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (hi == lo) return {};
  const double rough = (hi - lo) / 5;
  const double magnitude = std::pow(10, std::floor(std::log10(rough)));
  const double fraction = rough / magnitude;
  const double step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
  return {.lo = std::floor(lo / step) * step, .hi = std::ceil(hi / step) * step, .step = step};
}

// The plot area of a chart with a value axis on the left and category labels below.
struct Plot {
  double left, top, right, bottom;
  Axis axis;

  double Y(double v) const { return bottom - (v - axis.lo) / (axis.hi - axis.lo) * (bottom - top); }
};

Plot DrawAxes(Document& doc, const Chart& chart) {
  Plot plot{.axis = NiceAxis(chart)};
  const double legend = doc.Legend(doc.top());
  plot.top = doc.top() + legend + kLabelSize / 2;
  plot.bottom = chart.height - kMargin - kLabelSize - 6;
  double widest = 0;
  const int ticks = static_cast<int>(std::lround((plot.axis.hi - plot.axis.lo) / plot.axis.step));
  for (int i = 0; i <= ticks; ++i) {
    widest =
        std::max(widest, TextWidth(Format(chart, plot.axis.lo + i * plot.axis.step), kLabelSize));
  }
  plot.left = kMargin + std::min(widest, chart.width / 3.0) + 6;
  plot.right = chart.width - kMargin;
  for (int i = 0; i <= ticks; ++i) {
    const double v = plot.axis.lo + i * plot.axis.step;
    const double y = plot.Y(v);
    doc.Raw(absl::StrCat("<line class=\"grid\" x1=\"", Number(plot.left), "\" y1=\"", Number(y),
                         "\" x2=\"", Number(plot.right), "\" y2=\"", Number(y), "\" stroke=\"",
                         v == 0 ? "#888888" : "#e0e0e0", "\"/>"));
    doc.Text(plot.left - 6, y + kLabelSize / 3, "end", kLabelSize,
             Fit(Format(chart, v), plot.left - kMargin - 6, kLabelSize), "tick");
  }
  const size_t n = chart.categories.size();
  const double slot = n == 0 ? 0 : (plot.right - plot.left) / n;
  for (size_t i = 0; i < n; ++i) {
    doc.Text(plot.left + slot * (i + 0.5), plot.bottom + kLabelSize + 4, "middle", kLabelSize,
             Fit(chart.categories[i], slot - 2, kLabelSize), "category");
  }
  return plot;
}

}  // namespace

double TextWidth(std::string_view text, double font_size) {
  double ems = 0;
  ForEachCodePoint(text, [&](UChar32 c, int32_t, int32_t) { ems += CharWidth(c); });
  return ems * font_size;
}

std::string XmlText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  ForEachCodePoint(text, [&](UChar32 c, int32_t begin, int32_t end) {
    if (!AllowedInXml(c)) {
      out += "\uFFFD";
      return;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.append(text.substr(begin, end - begin));
    }
  });
  return out;
}

std::string Fit(std::string_view text, double max_width, double font_size) {
  if (TextWidth(text, font_size) <= max_width) return std::string(text);
  const double room = max_width - TextWidth(kEllipsis, font_size);
  double used = 0;
  size_t cut = 0;
  bool full = false;
  ForEachCodePoint(text, [&](UChar32 c, int32_t, int32_t end) {
    if (full) return;
    used += CharWidth(c) * font_size;
    if (used > room) {
      full = true;
      return;
    }
    cut = static_cast<size_t>(end);
  });
  return std::string(text.substr(0, cut)) + kEllipsis;
}

absl::StatusOr<std::string> Bar(const Chart& chart) {
  if (absl::Status status = Check(chart, false); !status.ok()) return status;
  Document doc(chart);
  const Plot plot = DrawAxes(doc, chart);
  const size_t n = chart.categories.size();
  if (n == 0) return std::move(doc).Finish();
  const double slot = (plot.right - plot.left) / n;
  const double bar = slot * 0.8 / chart.series.size();
  for (size_t s = 0; s < chart.series.size(); ++s) {
    const Series& series = chart.series[s];
    for (size_t i = 0; i < n; ++i) {
      const double v = series.values[i];
      const double y0 = plot.Y(0), y1 = plot.Y(v);
      doc.Shape(
          absl::StrCat("rect class=\"bar\" x=\"", Number(plot.left + slot * (i + 0.1) + bar * s),
                       "\" y=\"", Number(std::min(y0, y1)), "\" width=\"", Number(bar),
                       "\" height=\"", Number(std::abs(y1 - y0)), "\" fill=\"", kColours[s], "\""),
          absl::StrCat(chart.categories[i], " · ", series.name, ": ", Format(chart, v)));
    }
  }
  return std::move(doc).Finish();
}

absl::StatusOr<std::string> Line(const Chart& chart) {
  if (absl::Status status = Check(chart, false); !status.ok()) return status;
  Document doc(chart);
  const Plot plot = DrawAxes(doc, chart);
  const size_t n = chart.categories.size();
  const double slot = n == 0 ? 0 : (plot.right - plot.left) / n;
  for (size_t s = 0; s < chart.series.size(); ++s) {
    const Series& series = chart.series[s];
    std::string points;
    for (size_t i = 0; i < n; ++i) {
      absl::StrAppend(&points, i == 0 ? "" : " ", Number(plot.left + slot * (i + 0.5)), ",",
                      Number(plot.Y(series.values[i])));
    }
    doc.Raw(absl::StrCat("<polyline class=\"line\" fill=\"none\" stroke-width=\"2\" stroke=\"",
                         kColours[s], "\" points=\"", points, "\"/>"));
    for (size_t i = 0; i < n; ++i) {
      doc.Shape(absl::StrCat("circle class=\"point\" r=\"3\" cx=\"",
                             Number(plot.left + slot * (i + 0.5)), "\" cy=\"",
                             Number(plot.Y(series.values[i])), "\" fill=\"", kColours[s], "\""),
                absl::StrCat(chart.categories[i], " · ", series.name, ": ",
                             Format(chart, series.values[i])));
    }
  }
  return std::move(doc).Finish();
}

absl::StatusOr<std::string> Funnel(const Chart& chart) {
  if (absl::Status status = Check(chart, true); !status.ok()) return status;
  Document doc(chart);
  const Series& series = chart.series.front();
  const size_t n = chart.categories.size();
  if (n == 0) return std::move(doc).Finish();
  // Step names on the left, the funnel centred in the middle, values on the right.
  double names = 0, values = 0;
  for (size_t i = 0; i < n; ++i) {
    names = std::max(names, TextWidth(chart.categories[i], kLabelSize));
    values = std::max(values, TextWidth(Format(chart, series.values[i]), kLabelSize));
  }
  names = std::min(names, chart.width * 0.3);
  values = std::min(values, chart.width * 0.25);
  const double left = kMargin + names + 8, right = chart.width - kMargin - values - 8;
  const double top = doc.top(), row = (chart.height - kMargin - top) / n;
  const double widest = *std::max_element(series.values.begin(), series.values.end());
  const double centre = (left + right) / 2;
  for (size_t i = 0; i < n; ++i) {
    const double v = series.values[i];
    const double w = widest > 0 ? std::max(v > 0 ? 2.0 : 0.0, (right - left) * v / widest) : 0;
    const double y = top + row * i;
    doc.Shape(absl::StrCat("rect class=\"step\" x=\"", Number(centre - w / 2), "\" y=\"",
                           Number(y + row * 0.1), "\" width=\"", Number(w), "\" height=\"",
                           Number(row * 0.8), "\" fill=\"", kColours[0], "\""),
              absl::StrCat(chart.categories[i], ": ", Format(chart, v)));
    const double baseline = y + row / 2 + kLabelSize / 3;
    doc.Text(left - 8, baseline, "end", kLabelSize, Fit(chart.categories[i], names, kLabelSize),
             "category");
    doc.Text(right + 8, baseline, "start", kLabelSize, Fit(Format(chart, v), values, kLabelSize),
             "value");
  }
  return std::move(doc).Finish();
}

absl::StatusOr<std::string> Pie(const Chart& chart) {
  if (absl::Status status = Check(chart, true); !status.ok()) return status;
  Document doc(chart);
  const Series& series = chart.series.front();
  const size_t n = chart.categories.size();
  double total = 0;
  for (double v : series.values) total += v;
  // The pie on the left, the legend (name, value, share) on the right.
  const double top = doc.top();
  const double radius =
      std::max(10.0, std::min(chart.width * 0.25, (chart.height - top - kMargin) / 2));
  const double cx = kMargin + radius, cy = top + radius;
  if (total <= 0) {
    doc.Raw(absl::StrCat("<circle class=\"empty\" cx=\"", Number(cx), "\" cy=\"", Number(cy),
                         "\" r=\"", Number(radius), "\" fill=\"#eeeeee\"/>"));
  }
  double angle = -std::numbers::pi / 2;  // from twelve o'clock, clockwise
  const double legend_x = cx + radius + 2 * kMargin;
  const double legend_room = chart.width - kMargin - legend_x - 14;
  for (size_t i = 0; i < n; ++i) {
    const double v = series.values[i];
    const double share = total > 0 ? v / total : 0;
    const std::string colour = kColours[i % std::size(kColours)];
    const std::string label = absl::StrCat(chart.categories[i], " ", Format(chart, v), " (",
                                           absl::StrFormat("%.1f", share * 100), "%)");
    if (share >= 1) {
      doc.Shape(absl::StrCat("circle class=\"slice\" cx=\"", Number(cx), "\" cy=\"", Number(cy),
                             "\" r=\"", Number(radius), "\" fill=\"", colour, "\""),
                label);
    } else if (share > 0) {
      const double end = angle + share * 2 * std::numbers::pi;
      doc.Shape(absl::StrCat("path class=\"slice\" fill=\"", colour, "\" d=\"M", Number(cx), ",",
                             Number(cy), " L", Number(cx + radius * std::cos(angle)), ",",
                             Number(cy + radius * std::sin(angle)), " A", Number(radius), ",",
                             Number(radius), " 0 ", share > 0.5 ? 1 : 0, " 1 ",
                             Number(cx + radius * std::cos(end)), ",",
                             Number(cy + radius * std::sin(end)), " Z\""),
                label);
      angle = end;
    }
    const double y = top + i * (kLabelSize + 6);
    if (y + kLabelSize > chart.height - kMargin) continue;  // no room: the tooltip still says it
    doc.Raw(absl::StrCat("<rect class=\"swatch\" x=\"", Number(legend_x), "\" y=\"", Number(y),
                         "\" width=\"10\" height=\"10\" fill=\"", colour, "\"/>"));
    doc.Text(legend_x + 14, y + 10, "start", kLabelSize, Fit(label, legend_room, kLabelSize),
             "legend");
  }
  return std::move(doc).Finish();
}

}  // namespace crm::chart
