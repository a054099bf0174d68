#include "libs/chart/chart.h"

#include <expat.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"

namespace crm::chart {
namespace {

// What an XML parser makes of an SVG document: each element with its attributes and text.
struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;

  double Number(const std::string& attribute) const {
    double v = NAN;
    auto it = attributes.find(attribute);
    if (it == attributes.end() || !absl::SimpleAtod(it->second, &v)) return NAN;
    return v;
  }
  std::string Class() const {
    auto it = attributes.find("class");
    return it == attributes.end() ? "" : it->second;
  }
};

struct Parsed {
  bool well_formed = false;
  std::string error;
  std::vector<Element> elements;

  std::vector<Element> OfClass(const std::string& css_class) const {
    std::vector<Element> out;
    for (const Element& e : elements) {
      if (e.Class() == css_class) out.push_back(e);
    }
    return out;
  }
  std::vector<std::string> Texts(const std::string& css_class) const {
    std::vector<std::string> out;
    for (const Element& e : OfClass(css_class)) out.push_back(e.text);
    return out;
  }
};

Parsed Parse(const std::string& svg) {
  struct State {
    Parsed parsed;
    std::vector<size_t> open;
  } state;
  XML_Parser parser = XML_ParserCreate("UTF-8");
  XML_SetUserData(parser, &state);
  XML_SetElementHandler(
      parser,
      [](void* data, const XML_Char* name, const XML_Char** attributes) {
        auto* s = static_cast<State*>(data);
        Element e{.name = name};
        for (int i = 0; attributes[i] != nullptr; i += 2)
          e.attributes[attributes[i]] = attributes[i + 1];
        s->open.push_back(s->parsed.elements.size());
        s->parsed.elements.push_back(std::move(e));
      },
      [](void* data, const XML_Char*) { static_cast<State*>(data)->open.pop_back(); });
  XML_SetCharacterDataHandler(parser, [](void* data, const XML_Char* text, int length) {
    auto* s = static_cast<State*>(data);
    if (!s->open.empty()) s->parsed.elements[s->open.back()].text.append(text, length);
  });
  state.parsed.well_formed =
      XML_Parse(parser, svg.data(), static_cast<int>(svg.size()), /*isFinal=*/1) == XML_STATUS_OK;
  if (!state.parsed.well_formed) state.parsed.error = XML_ErrorString(XML_GetErrorCode(parser));
  XML_ParserFree(parser);
  return state.parsed;
}

Chart Regions() {
  return {.title = "2026 年各区域成交额",
          .categories = {"华东", "华南", "华北"},
          .series = {{.name = "人民币", .values = {200, 100, 50}}}};
}

TEST(ChartTest, BarChartIsAnSvgDocumentWithTheChineseLabelsAsText) {
  absl::StatusOr<std::string> svg = Bar(Regions());
  ASSERT_TRUE(svg.ok()) << svg.status();
  Parsed parsed = Parse(*svg);
  ASSERT_TRUE(parsed.well_formed) << parsed.error;
  EXPECT_EQ(parsed.elements.front().name, "svg");
  EXPECT_EQ(parsed.elements.front().attributes["xmlns"], "http://www.w3.org/2000/svg");
  EXPECT_EQ(parsed.Texts("title"), std::vector<std::string>{"2026 年各区域成交额"});
  EXPECT_EQ(parsed.Texts("category"), (std::vector<std::string>{"华东", "华南", "华北"}));
}

TEST(ChartTest, BarHeightsAreProportionalToTheValues) {
  Parsed parsed = Parse(*Bar(Regions()));
  std::vector<Element> bars = parsed.OfClass("bar");
  ASSERT_EQ(bars.size(), 3u);
  EXPECT_NEAR(bars[0].Number("height"), 2 * bars[1].Number("height"), 0.2);
  EXPECT_NEAR(bars[1].Number("height"), 2 * bars[2].Number("height"), 0.2);
  // Each bar's tooltip says what it is.
  EXPECT_NE(std::find_if(parsed.elements.begin(), parsed.elements.end(),
                         [](const Element& e) { return e.text == "华南 · 人民币: 100"; }),
            parsed.elements.end());
}

TEST(ChartTest, GroupedBarsHaveOneBarPerSeriesAndALegend) {
  Chart chart = Regions();
  chart.series.push_back({.name = "美元", .values = {10, 20, 30}});
  Parsed parsed = Parse(*Bar(chart));
  EXPECT_EQ(parsed.OfClass("bar").size(), 6u);
  EXPECT_EQ(parsed.Texts("legend"), (std::vector<std::string>{"人民币", "美元"}));
}

TEST(ChartTest, ANegativeBarHangsBelowTheZeroLine) {
  Chart chart{.categories = {"一月", "二月"}, .series = {{.name = "变化", .values = {30, -10}}}};
  Parsed parsed = Parse(*Bar(chart));
  std::vector<Element> bars = parsed.OfClass("bar");
  ASSERT_EQ(bars.size(), 2u);
  // The positive bar ends where the negative one starts: at zero.
  EXPECT_NEAR(bars[0].Number("y") + bars[0].Number("height"), bars[1].Number("y"), 0.2);
  EXPECT_NEAR(bars[0].Number("height"), 3 * bars[1].Number("height"), 0.3);
}

TEST(ChartTest, MarkupInLabelsIsEscapedAndBadBytesReplaced) {
  Chart chart{.title = "R&D <\"研发\">",
              .categories = {"a\xff\xfe", std::string("b\x01", 2)},
              .series = {{.name = "x", .values = {1, 2}}}};
  absl::StatusOr<std::string> svg = Bar(chart);
  ASSERT_TRUE(svg.ok());
  Parsed parsed = Parse(*svg);
  ASSERT_TRUE(parsed.well_formed) << parsed.error;
  EXPECT_EQ(parsed.Texts("title"), std::vector<std::string>{"R&D <\"研发\">"});
  EXPECT_EQ(parsed.Texts("category"), (std::vector<std::string>{"a\uFFFD\uFFFD", "b\uFFFD"}));
}

TEST(ChartTest, LineChartHasALinePerSeriesAndAPointPerValue) {
  Chart chart = Regions();
  chart.series.push_back({.name = "去年", .values = {150, 120, 40}});
  Parsed parsed = Parse(*Line(chart));
  ASSERT_TRUE(parsed.well_formed) << parsed.error;
  EXPECT_EQ(parsed.OfClass("line").size(), 2u);
  std::vector<Element> points = parsed.OfClass("point");
  ASSERT_EQ(points.size(), 6u);
  // Higher values are drawn higher up (smaller y).
  EXPECT_LT(points[0].Number("cy"), points[1].Number("cy"));
  EXPECT_LT(points[3].Number("cy"), points[4].Number("cy"));
}

TEST(ChartTest, FunnelStepsNarrowWithTheValuesAndCarryTheirLabels) {
  Chart chart{.title = "销售漏斗",
              .categories = {"线索", "合格线索", "商机", "赢单"},
              .series = {{.name = "数量", .values = {400, 200, 100, 0}}},
              .format_value = [](double v) { return std::to_string(static_cast<int>(v)) + " 个"; }};
  Parsed parsed = Parse(*Funnel(chart));
  ASSERT_TRUE(parsed.well_formed) << parsed.error;
  std::vector<Element> steps = parsed.OfClass("step");
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_NEAR(steps[0].Number("width"), 2 * steps[1].Number("width"), 0.2);
  EXPECT_NEAR(steps[1].Number("width"), 2 * steps[2].Number("width"), 0.2);
  EXPECT_EQ(steps[3].Number("width"), 0);
  EXPECT_EQ(parsed.Texts("category"), chart.categories);
  EXPECT_EQ(parsed.Texts("value"),
            (std::vector<std::string>{"400 个", "200 个", "100 个", "0 个"}));
}

TEST(ChartTest, PieHasASliceForEachNonZeroShareAndTheSharesInItsLegend) {
  Chart chart{.title = "客户行业分布",
              .categories = {"制造业", "零售", "教育"},
              .series = {{.name = "客户", .values = {3, 1, 0}}}};
  Parsed parsed = Parse(*Pie(chart));
  ASSERT_TRUE(parsed.well_formed) << parsed.error;
  EXPECT_EQ(parsed.OfClass("slice").size(), 2u);
  EXPECT_EQ(parsed.Texts("legend"),
            (std::vector<std::string>{"制造业 3 (75.0%)", "零售 1 (25.0%)", "教育 0 (0.0%)"}));
}

TEST(ChartTest, APieOfOneCategoryIsAFullCircleAndAnEmptyPieIsGrey) {
  Chart whole{.categories = {"全部"}, .series = {{.name = "x", .values = {5}}}};
  Parsed parsed = Parse(*Pie(whole));
  ASSERT_EQ(parsed.OfClass("slice").size(), 1u);
  EXPECT_EQ(parsed.OfClass("slice")[0].name, "circle");

  Chart empty{.categories = {"甲", "乙"}, .series = {{.name = "x", .values = {0, 0}}}};
  parsed = Parse(*Pie(empty));
  EXPECT_TRUE(parsed.OfClass("slice").empty());
  EXPECT_EQ(parsed.OfClass("empty").size(), 1u);
}

TEST(ChartTest, AChartWithoutCategoriesIsStillADocument) {
  Chart chart{.title = "无数据", .series = {{.name = "x"}}};
  for (auto render : {Bar, Line, Funnel, Pie}) {
    absl::StatusOr<std::string> svg = render(chart);
    ASSERT_TRUE(svg.ok()) << svg.status();
    EXPECT_TRUE(Parse(*svg).well_formed);
  }
}

TEST(ChartTest, ChartsThatCannotBeDrawnAreRefused) {
  Chart mismatched = Regions();
  mismatched.series[0].values.pop_back();
  EXPECT_EQ(Bar(mismatched).status().code(), absl::StatusCode::kInvalidArgument);

  Chart not_finite = Regions();
  not_finite.series[0].values[1] = NAN;
  EXPECT_EQ(Line(not_finite).status().code(), absl::StatusCode::kInvalidArgument);

  Chart negative = Regions();
  negative.series[0].values[1] = -1;
  EXPECT_EQ(Pie(negative).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Funnel(negative).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Bar(negative).ok());

  Chart no_series{.categories = {"a"}};
  EXPECT_EQ(Bar(no_series).status().code(), absl::StatusCode::kInvalidArgument);

  Chart tiny = Regions();
  tiny.width = 10;
  EXPECT_EQ(Bar(tiny).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ChartTest, WideCharactersTakeAWholeEm) {
  EXPECT_DOUBLE_EQ(TextWidth("销售额", 12), 36);
  EXPECT_DOUBLE_EQ(TextWidth("abc", 10), 18);
  EXPECT_DOUBLE_EQ(TextWidth("ＡＢ", 10), 20);  // full-width Latin
}

TEST(ChartTest, FitCutsAtACharacterBoundaryAndMarksTheCut) {
  EXPECT_EQ(Fit("华东", 100, 12), "华东");
  // 40 px: "…" takes 7.2, leaving room for two 12 px characters.
  EXPECT_EQ(Fit("销售额统计报表", 40, 12), "销售\u2026");
  EXPECT_EQ(Fit("abcdefghij", 30, 10), "abcd\u2026");
}

}  // namespace
}  // namespace crm::chart
