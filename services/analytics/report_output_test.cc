// How a report becomes a CSV table and a chart (report_output.h), from a sales report made by
// hand: the rows and totals as text with exact decimals, a series per currency with the keys as
// categories, the made-up title in each language, and the charts a report cannot be drawn as.
#include "services/analytics/report_output.h"

#include <expat.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "libs/grpc/status.h"

namespace crm::analytics {
namespace {

v1::SalesRow Row(const std::string& key, const std::string& currency, int64_t units, int32_t nanos,
                 int64_t deals) {
  v1::SalesRow row;
  row.set_key(key);
  row.mutable_amount()->set_currency_code(currency);
  row.mutable_amount()->set_units(units);
  row.mutable_amount()->set_nanos(nanos);
  row.set_won_deals(deals);
  return row;
}

v1::GetSalesReportRequest Request(v1::SalesGrouping group_by) {
  v1::GetSalesReportRequest request;
  request.mutable_start_date()->set_year(2026);
  request.mutable_start_date()->set_month(1);
  request.mutable_start_date()->set_day(1);
  request.mutable_end_date()->set_year(2026);
  request.mutable_end_date()->set_month(3);
  request.mutable_end_date()->set_day(31);
  request.set_group_by(group_by);
  return request;
}

// January: CNY 1200.50 in two deals and USD 300 in one; March: CNY 99.05 in one.
v1::SalesReport TwoCurrencies() {
  v1::SalesReport report;
  *report.add_rows() = Row("2026-01", "CNY", 1200, 500000000, 2);
  *report.add_rows() = Row("2026-01", "USD", 300, 0, 1);
  *report.add_rows() = Row("2026-03", "CNY", 99, 50000000, 1);
  *report.add_totals() = Row("", "CNY", 1299, 550000000, 3);
  *report.add_totals() = Row("", "USD", 300, 0, 1);
  return report;
}

// What an XML parser makes of an SVG chart: the texts of the elements of a class, and the
// tooltips (a <title> child) of the shapes of a class.
struct ParsedSvg {
  bool well_formed = false;
  std::map<std::string, std::vector<std::string>> texts;     // class → texts, in order
  std::map<std::string, std::vector<std::string>> tooltips;  // class → tooltips, in order
};

ParsedSvg ParseSvg(const std::string& svg) {
  struct Open {
    std::string name;
    std::string css_class;
    std::string text;
  };
  struct State {
    ParsedSvg parsed;
    std::vector<Open> open;
  } state;
  XML_Parser parser = XML_ParserCreate("UTF-8");
  XML_SetUserData(parser, &state);
  XML_SetElementHandler(
      parser,
      [](void* data, const XML_Char* name, const XML_Char** attributes) {
        Open e{.name = name};
        for (int i = 0; attributes[i] != nullptr; i += 2) {
          if (std::string(attributes[i]) == "class") e.css_class = attributes[i + 1];
        }
        static_cast<State*>(data)->open.push_back(std::move(e));
      },
      [](void* data, const XML_Char*) {
        auto* s = static_cast<State*>(data);
        Open e = std::move(s->open.back());
        s->open.pop_back();
        if (!e.css_class.empty()) s->parsed.texts[e.css_class].push_back(e.text);
        if (e.name == "title" && !s->open.empty() && !s->open.back().css_class.empty()) {
          s->parsed.tooltips[s->open.back().css_class].push_back(e.text);
        }
      });
  XML_SetCharacterDataHandler(parser, [](void* data, const XML_Char* text, int length) {
    auto* s = static_cast<State*>(data);
    if (!s->open.empty()) s->open.back().text.append(text, length);
  });
  state.parsed.well_formed =
      XML_Parse(parser, svg.data(), static_cast<int>(svg.size()), /*isFinal=*/1) == XML_STATUS_OK;
  XML_ParserFree(parser);
  return state.parsed;
}

TEST(ReportOutputTest, ASalesReportIsATableOfRowsThenTotalsWithExactDecimals) {
  ReportView view = SalesView(Request(v1::MONTH), TwoCurrencies(), Language::kZh);
  EXPECT_EQ(view.columns,
            (std::vector<std::string>{"kind", "key", "currency_code", "amount", "won_deals"}));
  EXPECT_EQ(view.rows,
            (std::vector<std::vector<std::string>>{{"row", "2026-01", "CNY", "1200.50", "2"},
                                                   {"row", "2026-01", "USD", "300.00", "1"},
                                                   {"row", "2026-03", "CNY", "99.05", "1"},
                                                   {"total", "", "CNY", "1299.55", "3"},
                                                   {"total", "", "USD", "300.00", "1"}}));
}

TEST(ReportOutputTest, ItsChartHasTheKeysAsCategoriesAndASeriesPerCurrency) {
  ReportView view = SalesView(Request(v1::MONTH), TwoCurrencies(), Language::kZh);
  EXPECT_EQ(view.chart.categories, (std::vector<std::string>{"2026-01", "2026-03"}));
  ASSERT_EQ(view.chart.series.size(), 2u);
  EXPECT_EQ(view.chart.series[0].name, "CNY");
  EXPECT_EQ(view.chart.series[0].values, (std::vector<double>{1200.5, 99.05}));
  EXPECT_EQ(view.chart.series[1].name, "USD");
  EXPECT_EQ(view.chart.series[1].values, (std::vector<double>{300, 0}));
  EXPECT_EQ(view.chart.title, "成交额 2026-01-01 至 2026-03-31（按月）");
  EXPECT_EQ(view.chart.format_value(1234567.5), "1,234,567.5");
  EXPECT_EQ(view.chart.format_value(-1200), "-1,200");

  ReportView english = SalesView(Request(v1::MONTH), TwoCurrencies(), Language::kEn);
  EXPECT_EQ(english.chart.title, "Won revenue 2026-01-01 to 2026-03-31 by month");
}

TEST(ReportOutputTest, AGroupWithoutAKeyIsLabelledSoInTheChart) {
  v1::SalesReport report;
  *report.add_rows() = Row("", "CNY", 5, 0, 1);
  *report.add_rows() = Row("制造业", "CNY", 7, 0, 1);
  *report.add_totals() = Row("", "CNY", 12, 0, 2);
  ReportView view = SalesView(Request(v1::INDUSTRY), report, Language::kZh);
  EXPECT_EQ(view.chart.categories, (std::vector<std::string>{"（未填）", "制造业"}));
  EXPECT_EQ(view.rows[0][1], "") << "the CSV keeps the key as it is";
}

TEST(ReportOutputTest, TheChartIsAnSvgDocumentWithTheChineseTitle) {
  v1::RenderChartRequest request;
  absl::StatusOr<v1::Chart> chart =
      DrawChart(SalesView(Request(v1::MONTH), TwoCurrencies(), Language::kZh), request);
  ASSERT_TRUE(chart.ok()) << chart.status();
  EXPECT_EQ(chart->content_type(), "image/svg+xml");
  EXPECT_TRUE(chart->svg().starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_NE(chart->svg().find("成交额 2026-01-01 至 2026-03-31（按月）"), std::string::npos);
  EXPECT_NE(chart->svg().find("class=\"bar\""), std::string::npos) << "a bar chart by default";

  request.set_kind(v1::LINE_CHART);
  request.set_title("一季度 <趋势>");
  chart = DrawChart(SalesView(Request(v1::MONTH), TwoCurrencies(), Language::kZh), request);
  ASSERT_TRUE(chart.ok()) << chart.status();
  EXPECT_NE(chart->svg().find("class=\"line\""), std::string::npos);
  EXPECT_NE(chart->svg().find("一季度 &lt;趋势&gt;"), std::string::npos);
}

TEST(ReportOutputTest, ChartsThatDoNotFitTheReportAreRefusedByField) {
  auto violations = [](const v1::RenderChartRequest& request, v1::SalesGrouping g) {
    std::vector<std::string> fields;
    absl::StatusOr<v1::Chart> chart =
        DrawChart(SalesView(Request(g), TwoCurrencies(), Language::kZh), request);
    for (const FieldViolation& v : FieldViolations(chart.status())) fields.push_back(v.field);
    return fields;
  };
  v1::RenderChartRequest request;
  request.set_kind(v1::FUNNEL_CHART);
  EXPECT_EQ(violations(request, v1::MONTH), std::vector<std::string>{"kind"});
  request.set_kind(v1::PIE_CHART);  // two currencies
  EXPECT_EQ(violations(request, v1::MONTH), std::vector<std::string>{"kind"});
  request.set_kind(v1::LINE_CHART);  // a line through provinces means nothing
  EXPECT_EQ(violations(request, v1::PROVINCE), std::vector<std::string>{"kind"});
  request.set_kind(v1::BAR_CHART);
  request.set_width(100);
  request.set_height(5000);
  EXPECT_EQ(violations(request, v1::MONTH), (std::vector<std::string>{"width", "height"}));
}

TEST(ReportOutputTest, AFunnelIsAStepPerRowAndAFunnelChartThatMarksTheBottleneck) {
  v1::GetFunnelReportRequest request;
  *request.mutable_start_date() = Request(v1::MONTH).start_date();
  *request.mutable_end_date() = Request(v1::MONTH).end_date();
  v1::FunnelReport report;
  auto step = [&](v1::FunnelStepKind kind, const std::string& name, int64_t entries) {
    v1::FunnelStep& s = *report.add_steps();
    s.set_kind(kind);
    s.set_display_name(name);
    s.set_entries(entries);
    return &s;
  };
  step(v1::LEADS, "", 40)->set_conversion_bp(5000);
  step(v1::QUALIFIED_LEADS, "", 20)->set_bottleneck(true);
  v1::FunnelStep* visit = step(v1::STAGE, "初步接洽", 8);
  *visit->add_amounts() = Row("", "CNY", 1200, 500000000, 0).amount();
  step(v1::WON, "", 2);

  ReportView view = FunnelView(request, report, Language::kZh);
  EXPECT_EQ(view.chart.categories,
            (std::vector<std::string>{"线索", "合格线索（瓶颈）", "初步接洽", "赢单"}));
  EXPECT_EQ(view.chart.series[0].values, (std::vector<double>{40, 20, 8, 2}));
  EXPECT_EQ(view.chart.title, "销售漏斗 2026-01-01 至 2026-03-31");
  ASSERT_EQ(view.rows.size(), 4u);
  EXPECT_EQ(view.rows[0][0], "LEADS");
  EXPECT_EQ(view.rows[0][6], "5000");
  EXPECT_EQ(view.rows[1][11], "true");
  EXPECT_EQ(view.rows[2][4], "CNY 1200.50");

  absl::StatusOr<v1::Chart> chart = DrawChart(view, v1::RenderChartRequest());
  ASSERT_TRUE(chart.ok()) << chart.status();
  EXPECT_NE(chart->svg().find("class=\"step\""), std::string::npos) << "a funnel by default";
  EXPECT_NE(chart->svg().find("合格线索（瓶颈）"), std::string::npos);
}

TEST(ReportOutputTest, ATrendHasARevenueAndAYearAgoSeriesPerCurrency) {
  v1::GetTrendReportRequest request;
  *request.mutable_start_date() = Request(v1::MONTH).start_date();
  *request.mutable_end_date() = Request(v1::MONTH).end_date();
  request.set_bucket(v1::MONTH);
  v1::TrendReport report;
  auto row = [&](const std::string& key, int64_t units, int64_t year_ago) {
    v1::TrendRow& r = *report.add_rows();
    r.set_key(key);
    *r.mutable_amount() = Row("", "CNY", units, 0, 1).amount();
    *r.mutable_previous_amount() = Row("", "CNY", 0, 0, 0).amount();
    *r.mutable_year_ago_amount() = Row("", "CNY", year_ago, 0, 0).amount();
    if (year_ago != 0) r.set_year_ago_amount_change_bp((units - year_ago) * 10000 / year_ago);
    return &r;
  };
  row("2026-01", 300, 200);
  row("2026-02", 0, 0);
  ReportView view = TrendView(request, report, Language::kZh);
  EXPECT_EQ(view.chart.categories, (std::vector<std::string>{"2026-01", "2026-02"}));
  ASSERT_EQ(view.chart.series.size(), 2u);
  EXPECT_EQ(view.chart.series[0].name, "CNY");
  EXPECT_EQ(view.chart.series[0].values, (std::vector<double>{300, 0}));
  EXPECT_EQ(view.chart.series[1].name, "CNY 去年同期");
  EXPECT_EQ(view.chart.series[1].values, (std::vector<double>{200, 0}));
  EXPECT_EQ(view.chart.title, "成交趋势 2026-01-01 至 2026-03-31（按月）");
  // A change with no base is an empty field, not 0.
  EXPECT_EQ(view.rows[0][9], "5000");
  EXPECT_EQ(view.rows[1][9], "");
  EXPECT_EQ(view.kinds.front(), v1::LINE_CHART);
}

TEST(ReportOutputTest, ADistributionExportsEveryPartAndChartsTheOneAskedFor) {
  v1::CustomerDistribution report;
  auto count = [](google::protobuf::RepeatedPtrField<v1::CustomerCount>* to, const std::string& key,
                  int64_t n) {
    v1::CustomerCount& c = *to->Add();
    c.set_key(key);
    c.set_customers(n);
  };
  count(report.mutable_by_industry(), "制造业", 3);
  count(report.mutable_by_industry(), "", 1);
  count(report.mutable_by_province(), "浙江", 4);
  count(report.mutable_by_size_band(), "SMALL", 4);
  v1::NewCustomers& fresh = *report.add_new_customers();
  fresh.set_key("2026-01");
  fresh.set_customers(2);

  v1::GetCustomerDistributionRequest request;
  request.set_bucket(v1::MONTH);
  ReportView industries =
      DistributionView(request, report, v1::DISTRIBUTION_PART_UNSPECIFIED, Language::kZh);
  EXPECT_EQ(industries.rows, (std::vector<std::vector<std::string>>{{"industry", "制造业", "3"},
                                                                    {"industry", "", "1"},
                                                                    {"province", "浙江", "4"},
                                                                    {"size_band", "SMALL", "4"},
                                                                    {"new", "2026-01", "2"}}));
  EXPECT_EQ(industries.chart.categories, (std::vector<std::string>{"制造业", "（未填）"}));
  EXPECT_EQ(industries.chart.title, "客户分布（按行业）");
  EXPECT_EQ(industries.kinds.front(), v1::PIE_CHART);

  ReportView provinces = DistributionView(request, report, v1::BY_PROVINCE, Language::kEn);
  EXPECT_EQ(provinces.chart.categories, std::vector<std::string>{"浙江"});
  EXPECT_EQ(provinces.chart.title, "Customers by province");
  ReportView fresh_ones = DistributionView(request, report, v1::NEW_CUSTOMERS, Language::kZh);
  EXPECT_EQ(fresh_ones.chart.series[0].values, std::vector<double>{2});
  EXPECT_EQ(fresh_ones.kinds.front(), v1::BAR_CHART);
}

// ---- the forecast and win/loss reports ----

v1::ForecastFigures Figures(const std::string& owner, const std::string& currency, int64_t closed,
                            int64_t quota) {
  v1::ForecastFigures f;
  f.set_owner(owner);
  f.set_currency_code(currency);
  *f.mutable_closed() = Row("", currency, closed, 0, 0).amount();
  *f.mutable_commit() = Row("", currency, 300, 0, 0).amount();
  *f.mutable_best_case() = Row("", currency, 200, 0, 0).amount();
  *f.mutable_pipeline() = Row("", currency, 1000, 0, 0).amount();
  *f.mutable_weighted() = Row("", currency, 450, 250000000, 0).amount();
  *f.mutable_quota() = Row("", currency, quota, 0, 0).amount();
  f.set_attainment_bp(quota == 0 ? 0 : static_cast<int32_t>(closed * 10000 / quota));
  *f.mutable_projection() = Row("", currency, closed * 2, 0, 0).amount();
  f.set_won_count(2);
  f.set_open_count(3);
  return f;
}

// users/7 closed CNY 1200 of a 2000 quota and users/8 USD 50 without a quota in 2026-Q3.
v1::ForecastReport AForecast() {
  v1::ForecastReport report;
  report.set_period("2026-Q3");
  *report.add_rows() = Figures("users/7", "CNY", 1200, 2000);
  *report.add_rows() = Figures("users/8", "USD", 50, 0);
  *report.add_totals() = Figures("", "CNY", 1200, 2000);
  *report.add_totals() = Figures("", "USD", 50, 0);
  return report;
}

TEST(ReportOutputTest, AForecastIsARowPerOwnerAndCurrencyThenTotalsWithExactDecimals) {
  v1::GetForecastReportRequest request;
  request.set_period("2026-Q3");
  ReportView view = ForecastView(request, AForecast(), Language::kZh);
  EXPECT_EQ(view.columns,
            (std::vector<std::string>{"kind", "owner", "currency_code", "closed", "commit",
                                      "best_case", "pipeline", "weighted", "quota", "attainment_bp",
                                      "projection", "won_count", "open_count"}));
  EXPECT_EQ(view.rows, (std::vector<std::vector<std::string>>{
                           {"row", "users/7", "CNY", "1200.00", "300.00", "200.00", "1000.00",
                            "450.25", "2000.00", "6000", "2400.00", "2", "3"},
                           {"row", "users/8", "USD", "50.00", "300.00", "200.00", "1000.00",
                            "450.25", "0.00", "0", "100.00", "2", "3"},
                           {"total", "", "CNY", "1200.00", "300.00", "200.00", "1000.00", "450.25",
                            "2000.00", "6000", "2400.00", "2", "3"},
                           {"total", "", "USD", "50.00", "300.00", "200.00", "1000.00", "450.25",
                            "0.00", "0", "100.00", "2", "3"}}));
}

TEST(ReportOutputTest, AForecastChartsEachCurrencysFiguresAgainstItsQuota) {
  v1::GetForecastReportRequest request;
  request.set_period("2026-Q3");
  ReportView view = ForecastView(request, AForecast(), Language::kZh);
  EXPECT_EQ(view.chart.title, "销售预测 2026-Q3");
  absl::StatusOr<v1::Chart> chart = DrawChart(view, v1::RenderChartRequest());
  ASSERT_TRUE(chart.ok()) << chart.status();
  ParsedSvg svg = ParseSvg(chart->svg());
  ASSERT_TRUE(svg.well_formed);
  EXPECT_EQ(svg.texts["title"], std::vector<std::string>{"销售预测 2026-Q3"});
  EXPECT_EQ(svg.texts["category"],
            (std::vector<std::string>{"已成交", "承诺", "最佳情况", "管道", "加权", "配额"}));
  EXPECT_EQ(svg.texts["legend"], (std::vector<std::string>{"CNY", "USD"}));
  ASSERT_EQ(svg.tooltips["bar"].size(), 12u) << "a bar per figure and currency";
  EXPECT_EQ(svg.tooltips["bar"][0], "已成交 · CNY: 1,200");
  EXPECT_EQ(svg.tooltips["bar"][4], "加权 · CNY: 450.25");
  EXPECT_EQ(svg.tooltips["bar"][5], "配额 · CNY: 2,000");
  EXPECT_EQ(svg.tooltips["bar"][11], "配额 · USD: 0");

  // One owner's forecast says whose it is; its figures are only bars.
  request.set_owner("users/7");
  EXPECT_EQ(ForecastView(request, AForecast(), Language::kEn).chart.title,
            "Forecast 2026-Q3 users/7");
  v1::RenderChartRequest pie;
  pie.set_kind(v1::PIE_CHART);
  EXPECT_EQ(DrawChart(view, pie).status().code(), absl::StatusCode::kInvalidArgument);

  // Without figures: the figures' names over nothing, not an error.
  chart = DrawChart(ForecastView(request, v1::ForecastReport(), Language::kZh),
                    v1::RenderChartRequest());
  ASSERT_TRUE(chart.ok()) << chart.status();
  EXPECT_EQ(ParseSvg(chart->svg()).texts["category"].size(), 6u);
}

v1::WinLossRow Lost(const std::string& key, const std::string& currency, int64_t units,
                    int64_t deals) {
  v1::WinLossRow row;
  row.set_key(key);
  if (!currency.empty()) *row.mutable_amount() = Row("", currency, units, 0, 0).amount();
  row.set_deals(deals);
  return row;
}

v1::WinRate Rate(const std::string& owner, int64_t won, int64_t lost, int32_t bp) {
  v1::WinRate r;
  r.set_owner(owner);
  r.set_won(won);
  r.set_lost(lost);
  r.set_win_rate_bp(bp);
  return r;
}

// Lost: two CNY deals and one USD deal on price, one without an amount and no reason; one
// to 竞品甲. users/7 won 3 of 4, users/8 1 of 4.
v1::WinLossReport AWinLoss() {
  v1::WinLossReport report;
  *report.add_by_reason() = Lost("", "", 0, 1);
  *report.add_by_reason() = Lost("价格", "CNY", 800, 2);
  *report.add_by_reason() = Lost("价格", "USD", 90, 1);
  *report.add_by_competitor() = Lost("竞品甲", "CNY", 500, 1);
  *report.add_owners() = Rate("users/7", 3, 1, 7500);
  *report.add_owners() = Rate("users/8", 1, 3, 2500);
  *report.mutable_total() = Rate("", 4, 4, 5000);
  return report;
}

v1::GetWinLossReportRequest AWinLossRequest() {
  v1::GetWinLossReportRequest request;
  *request.mutable_start_date() = Request(v1::MONTH).start_date();
  *request.mutable_end_date() = Request(v1::MONTH).end_date();
  return request;
}

TEST(ReportOutputTest, AWinLossExportsLostGroupsThenWinRatesWithEmptyFieldsWhereAPartHasNone) {
  ReportView view =
      WinLossView(AWinLossRequest(), AWinLoss(), v1::WIN_LOSS_PART_UNSPECIFIED, Language::kZh);
  EXPECT_EQ(view.columns, (std::vector<std::string>{"part", "key", "currency_code", "amount",
                                                    "deals", "won", "lost", "win_rate_bp"}));
  EXPECT_EQ(view.rows, (std::vector<std::vector<std::string>>{
                           {"reason", "", "", "", "1", "", "", ""},
                           {"reason", "价格", "CNY", "800.00", "2", "", "", ""},
                           {"reason", "价格", "USD", "90.00", "1", "", "", ""},
                           {"competitor", "竞品甲", "CNY", "500.00", "1", "", "", ""},
                           {"owner", "users/7", "", "", "", "3", "1", "7500"},
                           {"owner", "users/8", "", "", "", "1", "3", "2500"},
                           {"total", "", "", "", "", "4", "4", "5000"}}));
}

TEST(ReportOutputTest, LostDealsAreAPieOfDealsPerReasonAcrossCurrencies) {
  ReportView view =
      WinLossView(AWinLossRequest(), AWinLoss(), v1::WIN_LOSS_PART_UNSPECIFIED, Language::kZh);
  EXPECT_EQ(view.chart.categories, (std::vector<std::string>{"（未填）", "价格"}));
  EXPECT_EQ(view.chart.series[0].values, (std::vector<double>{1, 3}));
  absl::StatusOr<v1::Chart> chart = DrawChart(view, v1::RenderChartRequest());
  ASSERT_TRUE(chart.ok()) << chart.status();
  ParsedSvg svg = ParseSvg(chart->svg());
  ASSERT_TRUE(svg.well_formed);
  EXPECT_EQ(svg.texts["title"], std::vector<std::string>{"输单原因 2026-01-01 至 2026-03-31"});
  EXPECT_EQ(svg.tooltips["slice"],
            (std::vector<std::string>{"（未填） 1 (25.0%)", "价格 3 (75.0%)"}));

  ReportView competitors =
      WinLossView(AWinLossRequest(), AWinLoss(), v1::LOST_BY_COMPETITOR, Language::kEn);
  v1::RenderChartRequest bars;
  bars.set_kind(v1::BAR_CHART);
  chart = DrawChart(competitors, bars);
  ASSERT_TRUE(chart.ok()) << chart.status();
  svg = ParseSvg(chart->svg());
  EXPECT_EQ(svg.texts["title"],
            std::vector<std::string>{"Lost deals by competitor 2026-01-01 to 2026-03-31"});
  EXPECT_EQ(svg.tooltips["bar"], std::vector<std::string>{"竞品甲 · Lost deals: 1"});
}

TEST(ReportOutputTest, WinRatesAreBarsPerOwnerInPercentThenEveryones) {
  ReportView view =
      WinLossView(AWinLossRequest(), AWinLoss(), v1::WIN_RATE_BY_OWNER, Language::kZh);
  absl::StatusOr<v1::Chart> chart = DrawChart(view, v1::RenderChartRequest());
  ASSERT_TRUE(chart.ok()) << chart.status();
  ParsedSvg svg = ParseSvg(chart->svg());
  ASSERT_TRUE(svg.well_formed);
  EXPECT_EQ(svg.texts["category"], (std::vector<std::string>{"users/7", "users/8", "全部"}));
  EXPECT_EQ(svg.tooltips["bar"],
            (std::vector<std::string>{"users/7 · 赢率（%）: 75%", "users/8 · 赢率（%）: 25%",
                                      "全部 · 赢率（%）: 50%"}));
  EXPECT_EQ(svg.texts["title"], std::vector<std::string>{"各负责人赢率 2026-01-01 至 2026-03-31"});
  v1::RenderChartRequest pie;
  pie.set_kind(v1::PIE_CHART);
  EXPECT_EQ(DrawChart(view, pie).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::analytics
