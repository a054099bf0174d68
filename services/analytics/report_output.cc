#include "services/analytics/report_output.h"

#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/api/money.h"
#include "libs/api/periods.h"
#include "libs/base/csv.h"
#include "libs/base/time.h"
#include "libs/events/payload.h"
#include "libs/grpc/status.h"

namespace crm::analytics {
namespace {

// A CSV piece holds whole lines up to about this much: a few dozen KiB keeps each message well
// under gRPC's limits and the client's memory small however long the report is.
constexpr size_t kCsvPiece = 64 * 1024;

constexpr int kDefaultWidth = 640;
constexpr int kDefaultHeight = 360;

absl::StatusOr<Language> ReadLanguage(const std::string& code) {
  if (code.empty() || code == "zh" || code.starts_with("zh-")) return Language::kZh;
  if (code == "en" || code.starts_with("en-")) return Language::kEn;
  return InvalidField("language_code", "must be \"zh\" or \"en\"");
}

// `status` with each field violation's path put under `prefix` ("report.sales."), so that a
// client sees where in its request the bad field is.
absl::Status UnderField(absl::Status status, const std::string& prefix) {
  std::vector<FieldViolation> violations = FieldViolations(status);
  if (status.code() != absl::StatusCode::kInvalidArgument || violations.empty()) return status;
  for (FieldViolation& v : violations) v.field = absl::StrCat(prefix, v.field);
  return InvalidArgument(std::string(status.message()), std::move(violations));
}

// 1234567.5 as "1,234,567.5": what the axis and tooltips show (at most two decimals).
std::string Grouped(double v) {
  std::string text = absl::StrFormat("%.2f", std::abs(v));
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  const size_t point = std::min(text.find('.'), text.size());
  for (size_t i = point; i > 3; i -= 3) text.insert(i - 3, ",");
  return v < 0 && text != "0" ? "-" + text : text;
}

double Major(const common::v1::Money& money) { return money.units() + money.nanos() / 1e9; }

std::string GroupingName(v1::SalesGrouping grouping, Language language) {
  const bool zh = language == Language::kZh;
  switch (grouping) {
    case v1::OWNER:
      return zh ? "负责人" : "owner";
    case v1::DAY:
      return zh ? "日" : "day";
    case v1::WEEK:
      return zh ? "周" : "week";
    case v1::MONTH:
      return zh ? "月" : "month";
    case v1::QUARTER:
      return zh ? "季度" : "quarter";
    case v1::YEAR:
      return zh ? "年" : "year";
    case v1::INDUSTRY:
      return zh ? "行业" : "industry";
    case v1::PROVINCE:
      return zh ? "省份" : "province";
    default:
      return "";
  }
}

bool ByTime(v1::SalesGrouping grouping) {
  return grouping == v1::DAY || grouping == v1::WEEK || grouping == v1::MONTH ||
         grouping == v1::QUARTER || grouping == v1::YEAR;
}

std::string KindName(v1::ChartKind kind) {
  switch (kind) {
    case v1::BAR_CHART:
      return "BAR_CHART";
    case v1::LINE_CHART:
      return "LINE_CHART";
    case v1::PIE_CHART:
      return "PIE_CHART";
    case v1::FUNNEL_CHART:
      return "FUNNEL_CHART";
    default:
      return "";
  }
}

}  // namespace

ReportView SalesView(const v1::GetSalesReportRequest& request, const v1::SalesReport& report,
                     Language language) {
  const bool zh = language == Language::kZh;
  ReportView view;
  view.columns = {"kind", "key", "currency_code", "amount", "won_deals"};
  auto add = [&](std::string_view kind, const v1::SalesRow& row) {
    // The report's amounts come from minor units (FromMinorUnits), so they convert back exactly.
    const int64_t minor = events::CheckedMinorUnits(row.amount()).value_or(0);
    view.rows.push_back({std::string(kind), row.key(), row.amount().currency_code(),
                         api::DecimalText(row.amount().currency_code(), minor),
                         absl::StrCat(row.won_deals())});
  };
  for (const v1::SalesRow& row : report.rows()) add("row", row);
  for (const v1::SalesRow& row : report.totals()) add("total", row);

  // Categories are the keys in the report's order; a series per currency (the totals list
  // each currency once), 0 where a key has no sales in it.
  chart::Chart& c = view.chart;
  std::map<std::string, size_t> category;
  for (const v1::SalesRow& row : report.rows()) {
    if (category.emplace(row.key(), c.categories.size()).second) {
      c.categories.push_back(row.key().empty() ? (zh ? "（未填）" : "(none)") : row.key());
    }
  }
  std::map<std::string, size_t> series;
  for (const v1::SalesRow& total : report.totals()) {
    series.emplace(total.amount().currency_code(), c.series.size());
    c.series.push_back({.name = total.amount().currency_code(),
                        .values = std::vector<double>(c.categories.size(), 0.0)});
  }
  for (const v1::SalesRow& row : report.rows()) {
    c.series[series.at(row.amount().currency_code())].values[category.at(row.key())] =
        Major(row.amount());
  }
  if (c.series.empty()) c.series.push_back({.name = request.currency_code()});
  c.format_value = Grouped;
  const std::string first = api::DateText(api::FromDate(request.start_date(), "").value());
  const std::string last = api::DateText(api::FromDate(request.end_date(), "").value());
  const std::string grouping = GroupingName(request.group_by(), language);
  c.title = zh ? absl::StrCat("成交额 ", first, " 至 ", last, "（按", grouping, "）")
               : absl::StrCat("Won revenue ", first, " to ", last, " by ", grouping);
  if (!request.currency_code().empty()) absl::StrAppend(&c.title, " ", request.currency_code());
  view.kinds = {v1::BAR_CHART, v1::PIE_CHART};
  if (ByTime(request.group_by())) view.kinds.insert(view.kinds.begin() + 1, v1::LINE_CHART);
  return view;
}

namespace {

// "2026-03-01", or "" for a date that is not one.
std::string DateOf(const google::type::Date& date) {
  absl::StatusOr<absl::CivilDay> day = api::FromDate(date, "");
  return day.ok() ? api::DateText(*day) : "";
}

std::string Decimal(const common::v1::Money& money) {
  return api::DecimalText(money.currency_code(), events::CheckedMinorUnits(money).value_or(0));
}

std::string Period(const google::type::Date& first, const google::type::Date& last,
                   Language language) {
  return language == Language::kZh ? absl::StrCat(DateOf(first), " 至 ", DateOf(last))
                                   : absl::StrCat(DateOf(first), " to ", DateOf(last));
}

// RFC 3339 in UTC: "2026-03-01T02:00:00Z".
std::string FormatRfc3339(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", FromTimestamp(t), absl::UTCTimeZone());
}

std::string Unnamed(const std::string& key, Language language) {
  if (!key.empty()) return key;
  return language == Language::kZh ? "（未填）" : "(none)";
}

}  // namespace

ReportView FunnelView(const v1::GetFunnelReportRequest& request, const v1::FunnelReport& report,
                      Language language) {
  const bool zh = language == Language::kZh;
  ReportView view;
  view.columns = {
      "kind",          "stage", "display_name",    "entries",     "amounts",        "advanced",
      "conversion_bp", "left",  "average_seconds", "p90_seconds", "p90_open_ended", "bottleneck"};
  chart::Chart& c = view.chart;
  c.series.push_back({.name = zh ? "进入数" : "Entries"});
  for (const v1::FunnelStep& step : report.steps()) {
    std::string amounts;
    for (const common::v1::Money& money : step.amounts()) {
      absl::StrAppend(&amounts, amounts.empty() ? "" : " ", money.currency_code(), " ",
                      Decimal(money));
    }
    view.rows.push_back({v1::FunnelStepKind_Name(step.kind()), step.stage(), step.display_name(),
                         absl::StrCat(step.entries()), amounts, absl::StrCat(step.advanced()),
                         absl::StrCat(step.conversion_bp()), absl::StrCat(step.left_count()),
                         absl::StrCat(step.average_seconds()), absl::StrCat(step.p90_seconds()),
                         step.p90_open_ended() ? "true" : "false",
                         step.bottleneck() ? "true" : "false"});
    std::string label;
    switch (step.kind()) {
      case v1::LEADS:
        label = zh ? "线索" : "Leads";
        break;
      case v1::QUALIFIED_LEADS:
        label = zh ? "合格线索" : "Qualified leads";
        break;
      case v1::WON:
        label = zh ? "赢单" : "Won";
        break;
      default:
        label = step.display_name().empty() ? step.stage() : step.display_name();
    }
    if (step.bottleneck()) absl::StrAppend(&label, zh ? "（瓶颈）" : " (bottleneck)");
    c.categories.push_back(std::move(label));
    c.series[0].values.push_back(static_cast<double>(step.entries()));
  }
  c.format_value = Grouped;
  c.title = absl::StrCat(zh ? "销售漏斗 " : "Sales funnel ",
                         Period(request.start_date(), request.end_date(), language));
  view.kinds = {v1::FUNNEL_CHART, v1::BAR_CHART};
  return view;
}

ReportView TrendView(const v1::GetTrendReportRequest& request, const v1::TrendReport& report,
                     Language language) {
  const bool zh = language == Language::kZh;
  ReportView view;
  view.columns = {"key",
                  "first_day",
                  "last_day",
                  "currency_code",
                  "amount",
                  "won_deals",
                  "previous_amount",
                  "amount_change_bp",
                  "year_ago_amount",
                  "year_ago_amount_change_bp"};
  auto bp = [](bool has, int64_t value) { return has ? absl::StrCat(value) : std::string(); };
  // Categories are the buckets in the report's order; per currency a series of the bucket's
  // revenue and one of the same bucket a year earlier.
  chart::Chart& c = view.chart;
  std::map<std::string, size_t> category;
  std::map<std::string, size_t> series;  // currency → its first series (the year-ago one next)
  for (const v1::TrendRow& row : report.rows()) {
    const std::string& currency = row.amount().currency_code();
    view.rows.push_back(
        {row.key(), DateOf(row.first_day()), DateOf(row.last_day()), currency,
         Decimal(row.amount()), absl::StrCat(row.won_deals()), Decimal(row.previous_amount()),
         bp(row.has_amount_change_bp(), row.amount_change_bp()), Decimal(row.year_ago_amount()),
         bp(row.has_year_ago_amount_change_bp(), row.year_ago_amount_change_bp())});
    if (category.emplace(row.key(), c.categories.size()).second) c.categories.push_back(row.key());
    if (series.emplace(currency, c.series.size()).second) {
      c.series.push_back({.name = currency});
      c.series.push_back({.name = absl::StrCat(currency, zh ? " 去年同期" : " a year earlier")});
    }
  }
  for (chart::Series& s : c.series) s.values.assign(c.categories.size(), 0.0);
  for (const v1::TrendRow& row : report.rows()) {
    const size_t first = series.at(row.amount().currency_code());
    const size_t at = category.at(row.key());
    c.series[first].values[at] = Major(row.amount());
    c.series[first + 1].values[at] = Major(row.year_ago_amount());
  }
  if (c.series.empty()) c.series.push_back({.name = request.currency_code()});
  c.format_value = Grouped;
  const std::string bucket = GroupingName(request.bucket(), language);
  c.title =
      zh ? absl::StrCat("成交趋势 ", Period(request.start_date(), request.end_date(), language),
                        "（按", bucket, "）")
         : absl::StrCat("Won revenue trend ",
                        Period(request.start_date(), request.end_date(), language), " by ", bucket);
  view.kinds = {v1::LINE_CHART, v1::BAR_CHART};
  return view;
}

ReportView DistributionView(const v1::GetCustomerDistributionRequest& request,
                            const v1::CustomerDistribution& report, v1::DistributionPart part,
                            Language language) {
  const bool zh = language == Language::kZh;
  ReportView view;
  view.columns = {"part", "key", "customers"};
  for (const auto& [name, counts] :
       {std::pair{"industry", &report.by_industry()}, std::pair{"province", &report.by_province()},
        std::pair{"size_band", &report.by_size_band()}}) {
    for (const v1::CustomerCount& count : *counts) {
      view.rows.push_back({name, count.key(), absl::StrCat(count.customers())});
    }
  }
  for (const v1::NewCustomers& bucket : report.new_customers()) {
    view.rows.push_back({"new", bucket.key(), absl::StrCat(bucket.customers())});
  }

  chart::Chart& c = view.chart;
  c.series.push_back({.name = zh ? "客户数" : "Customers"});
  c.format_value = Grouped;
  if (part == v1::NEW_CUSTOMERS) {
    for (const v1::NewCustomers& bucket : report.new_customers()) {
      c.categories.push_back(bucket.key());
      c.series[0].values.push_back(static_cast<double>(bucket.customers()));
    }
    const std::string bucket = GroupingName(request.bucket(), language);
    c.title =
        zh ? absl::StrCat("新增客户 ", Period(request.start_date(), request.end_date(), language),
                          "（按", bucket, "）")
           : absl::StrCat("New customers ",
                          Period(request.start_date(), request.end_date(), language), " by ",
                          bucket);
    view.kinds = {v1::BAR_CHART, v1::LINE_CHART};
    return view;
  }
  const auto* counts = &report.by_industry();
  std::string by = zh ? "行业" : "industry";
  if (part == v1::BY_PROVINCE) {
    counts = &report.by_province();
    by = zh ? "省份" : "province";
  } else if (part == v1::BY_SIZE_BAND) {
    counts = &report.by_size_band();
    by = zh ? "规模" : "size band";
  }
  for (const v1::CustomerCount& count : *counts) {
    c.categories.push_back(Unnamed(count.key(), language));
    c.series[0].values.push_back(static_cast<double>(count.customers()));
  }
  c.title = zh ? absl::StrCat("客户分布（按", by, "）") : absl::StrCat("Customers by ", by);
  view.kinds = {v1::PIE_CHART, v1::BAR_CHART};
  return view;
}

ReportView ForecastView(const v1::GetForecastReportRequest& request,
                        const v1::ForecastReport& report, Language language) {
  const bool zh = language == Language::kZh;
  ReportView view;
  view.columns = {"kind",       "owner",     "currency_code", "closed", "commit",
                  "best_case",  "pipeline",  "weighted",      "quota",  "attainment_bp",
                  "projection", "won_count", "open_count"};
  // Amounts in the figures' own currency (a figure left unset reads 0.00, not "").
  auto add = [&](std::string_view kind, const v1::ForecastFigures& f) {
    auto amount = [&](const common::v1::Money& money) {
      return api::DecimalText(f.currency_code(), events::CheckedMinorUnits(money).value_or(0));
    };
    view.rows.push_back({std::string(kind), f.owner(), f.currency_code(), amount(f.closed()),
                         amount(f.commit()), amount(f.best_case()), amount(f.pipeline()),
                         amount(f.weighted()), amount(f.quota()), absl::StrCat(f.attainment_bp()),
                         amount(f.projection()), absl::StrCat(f.won_count()),
                         absl::StrCat(f.open_count())});
  };
  for (const v1::ForecastFigures& row : report.rows()) add("row", row);
  for (const v1::ForecastFigures& total : report.totals()) add("total", total);

  // The figures are the categories, the quota last to hold the others against; a series per
  // currency from the totals (what the caller sees, or the one owner asked for).
  chart::Chart& c = view.chart;
  c.categories = zh ? std::vector<std::string>{"已成交", "承诺", "最佳情况", "管道", "加权", "配额"}
                    : std::vector<std::string>{"Closed",   "Commit",   "Best case",
                                               "Pipeline", "Weighted", "Quota"};
  for (const v1::ForecastFigures& total : report.totals()) {
    c.series.push_back(
        {.name = total.currency_code(),
         .values = {Major(total.closed()), Major(total.commit()), Major(total.best_case()),
                    Major(total.pipeline()), Major(total.weighted()), Major(total.quota())}});
  }
  if (c.series.empty()) {
    c.series.push_back({.name = "", .values = std::vector<double>(c.categories.size(), 0.0)});
  }
  c.format_value = Grouped;
  c.title = absl::StrCat(zh ? "销售预测 " : "Forecast ", request.period());
  if (!request.owner().empty()) absl::StrAppend(&c.title, " ", request.owner());
  view.kinds = {v1::BAR_CHART};
  return view;
}

ReportView RankingView(const v1::GetStaffRankingRequest& request, const v1::StaffRanking& report,
                       Language language) {
  const bool zh = language == Language::kZh;
  ReportView view;
  view.columns = {"rank",
                  "owner",
                  "currency_code",
                  "revenue",
                  "won_deals",
                  "new_customers",
                  "leads_converted",
                  "activities",
                  "orders_completed",
                  "orders_cancelled",
                  "order_completion_rate_bp",
                  "quota",
                  "quota_attainment_bp",
                  "previous_rank",
                  "rank_change"};
  auto optional = [](bool has, int64_t value) { return has ? absl::StrCat(value) : std::string(); };
  std::string metric;
  chart::Chart& c = view.chart;
  c.series.push_back({});
  for (const v1::StaffRankingRow& row : report.rows()) {
    view.rows.push_back(
        {absl::StrCat(row.rank()), row.owner(), report.currency_code(), Decimal(row.revenue()),
         absl::StrCat(row.won_deals()), absl::StrCat(row.new_customers()),
         absl::StrCat(row.leads_converted()), absl::StrCat(row.activities()),
         absl::StrCat(row.orders_completed()), absl::StrCat(row.orders_cancelled()),
         optional(row.has_order_completion_rate_bp(), row.order_completion_rate_bp()),
         row.has_quota() ? Decimal(row.quota()) : std::string(),
         optional(row.has_quota_attainment_bp(), row.quota_attainment_bp()),
         absl::StrCat(row.previous_rank()), absl::StrCat(row.rank_change())});
    // The bars: the ranked figure, rates as percentages; a missing rate reads 0.
    double value = 0;
    switch (report.rank_by()) {
      case v1::RANK_BY_WON_DEALS:
        value = static_cast<double>(row.won_deals());
        break;
      case v1::RANK_BY_NEW_CUSTOMERS:
        value = static_cast<double>(row.new_customers());
        break;
      case v1::RANK_BY_LEADS_CONVERTED:
        value = static_cast<double>(row.leads_converted());
        break;
      case v1::RANK_BY_ACTIVITIES:
        value = static_cast<double>(row.activities());
        break;
      case v1::RANK_BY_ORDER_COMPLETION_RATE:
        value = row.order_completion_rate_bp() / 100.0;
        break;
      case v1::RANK_BY_QUOTA_ATTAINMENT:
        value = row.quota_attainment_bp() / 100.0;
        break;
      default:
        value = Major(row.revenue());
        break;
    }
    // A chart holds so many bars: the top of a longer ranking (the CSV has every row).
    if (c.categories.size() == chart::kMaxCategories) continue;
    c.categories.push_back(absl::StrCat(row.rank(), ". ", row.owner()));
    c.series[0].values.push_back(value);
  }
  switch (report.rank_by()) {
    case v1::RANK_BY_WON_DEALS:
      metric = zh ? "赢单数" : "won deals";
      break;
    case v1::RANK_BY_NEW_CUSTOMERS:
      metric = zh ? "新增客户" : "new customers";
      break;
    case v1::RANK_BY_LEADS_CONVERTED:
      metric = zh ? "线索转化" : "leads converted";
      break;
    case v1::RANK_BY_ACTIVITIES:
      metric = zh ? "活动数" : "activities";
      break;
    case v1::RANK_BY_ORDER_COMPLETION_RATE:
      metric = zh ? "订单完成率 %" : "order completion rate %";
      break;
    case v1::RANK_BY_QUOTA_ATTAINMENT:
      metric = zh ? "配额达成率 %" : "quota attainment %";
      break;
    default:
      metric = absl::StrCat(zh ? "成交额 " : "revenue ", report.currency_code());
      break;
  }
  c.series[0].name = metric;
  c.format_value = Grouped;
  c.title =
      zh ? absl::StrCat("员工排名 ", Period(request.start_date(), request.end_date(), language),
                        "（按", metric, "）")
         : absl::StrCat("Staff ranking ",
                        Period(request.start_date(), request.end_date(), language), " by ", metric);
  view.kinds = {v1::BAR_CHART};
  return view;
}

ReportView CampaignView(const v1::GetCampaignReportRequest& request,
                        const v1::CampaignReport& report, Language language) {
  const bool zh = language == Language::kZh;
  ReportView view;
  view.columns = {"kind",          "campaign",          "code",
                  "title",         "type",              "state",
                  "start_time",    "end_time",          "currency_code",
                  "budget",        "actual_cost",       "leads",
                  "new_customers", "opportunities",     "won_opportunities",
                  "won_revenue",   "other_won_revenue", "cost_per_lead",
                  "cost_per_opportunity", "roi_bp"};
  // A figure in the row's currency, or "" when it is not there.
  auto money = [](bool has, const common::v1::Money& m) {
    return has ? Decimal(m) : std::string();
  };
  auto bp = [](bool has, int64_t value) { return has ? absl::StrCat(value) : std::string(); };
  chart::Chart& c = view.chart;
  c.series.push_back({.name = "ROI %"});
  for (const v1::CampaignRow& row : report.rows()) {
    const std::string& currency = row.budget().currency_code();
    std::string won = api::DecimalText(currency, 0);
    std::string others;
    for (const common::v1::Money& m : row.won_revenue()) {
      if (m.currency_code() == currency) {
        won = Decimal(m);
      } else {
        absl::StrAppend(&others, others.empty() ? "" : " ", m.currency_code(), " ", Decimal(m));
      }
    }
    view.rows.push_back(
        {"row", row.campaign(), row.code(), row.title(),
         activities::v1::Campaign::Type_Name(row.type()),
         activities::v1::Campaign::State_Name(row.state()), FormatRfc3339(row.start_time()),
         FormatRfc3339(row.end_time()), currency, Decimal(row.budget()),
         money(row.has_actual_cost(), row.actual_cost()), absl::StrCat(row.leads()),
         absl::StrCat(row.new_customers()), absl::StrCat(row.opportunities()),
         absl::StrCat(row.won_opportunities()), won, others,
         money(row.has_cost_per_lead(), row.cost_per_lead()),
         money(row.has_cost_per_opportunity(), row.cost_per_opportunity()),
         bp(row.has_roi_basis_points(), row.roi_basis_points())});
    if (!row.has_roi_basis_points() || c.categories.size() >= chart::kMaxCategories) continue;
    c.categories.push_back(row.title().empty() ? row.code() : row.title());
    c.series[0].values.push_back(static_cast<double>(row.roi_basis_points()) / 100.0);
  }
  for (const v1::CampaignTotal& total : report.totals()) {
    view.rows.push_back({"total", "", "", "", "", "", "", "", total.currency_code(),
                         Decimal(total.budget()), Decimal(total.actual_cost()), "", "", "", "",
                         Decimal(total.won_revenue()), "", "", "",
                         bp(total.has_roi_basis_points(), total.roi_basis_points())});
  }
  c.format_value = [](double v) { return absl::StrCat(Grouped(v), "%"); };
  c.title = absl::StrCat(zh ? "营销活动投资回报率 " : "Campaign ROI ",
                         Period(request.start_date(), request.end_date(), language));
  view.kinds = {v1::BAR_CHART};
  return view;
}

ReportView WinLossView(const v1::GetWinLossReportRequest& request, const v1::WinLossReport& report,
                       v1::WinLossPart part, Language language) {
  const bool zh = language == Language::kZh;
  ReportView view;
  view.columns = {"part", "key", "currency_code", "amount", "deals", "won", "lost", "win_rate_bp"};
  for (const auto& [name, lost] : {std::pair{"reason", &report.by_reason()},
                                   std::pair{"competitor", &report.by_competitor()}}) {
    for (const v1::WinLossRow& row : *lost) {
      view.rows.push_back({name, row.key(), row.has_amount() ? row.amount().currency_code() : "",
                           row.has_amount() ? Decimal(row.amount()) : "", absl::StrCat(row.deals()),
                           "", "", ""});
    }
  }
  auto rate = [&](std::string_view part_name, const v1::WinRate& r) {
    view.rows.push_back({std::string(part_name), r.owner(), "", "", "", absl::StrCat(r.won()),
                         absl::StrCat(r.lost()), absl::StrCat(r.win_rate_bp())});
  };
  for (const v1::WinRate& owner : report.owners()) rate("owner", owner);
  rate("total", report.total());

  chart::Chart& c = view.chart;
  const std::string period = Period(request.start_date(), request.end_date(), language);
  if (part == v1::WIN_RATE_BY_OWNER) {
    c.series.push_back({.name = zh ? "赢率（%）" : "Win rate (%)"});
    for (const v1::WinRate& owner : report.owners()) {
      c.categories.push_back(Unnamed(owner.owner(), language));
      c.series[0].values.push_back(owner.win_rate_bp() / 100.0);
    }
    // Everyone's rate closes the row of bars, when there is anyone's.
    if (!report.owners().empty()) {
      c.categories.push_back(zh ? "全部" : "Everyone");
      c.series[0].values.push_back(report.total().win_rate_bp() / 100.0);
    }
    c.format_value = [](double v) { return Grouped(v) + "%"; };
    c.title =
        zh ? absl::StrCat("各负责人赢率 ", period) : absl::StrCat("Win rate by owner ", period);
    view.kinds = {v1::BAR_CHART};
    return view;
  }
  // Lost deals counted per key over every currency (the rows are per key and currency, by key):
  // a count adds up across currencies where the amounts do not.
  const bool by_competitor = part == v1::LOST_BY_COMPETITOR;
  c.series.push_back({.name = zh ? "输单数" : "Lost deals"});
  std::map<std::string, size_t> category;
  for (const v1::WinLossRow& row : by_competitor ? report.by_competitor() : report.by_reason()) {
    auto [at, fresh] = category.emplace(row.key(), c.categories.size());
    if (fresh) {
      c.categories.push_back(Unnamed(row.key(), language));
      c.series[0].values.push_back(0);
    }
    c.series[0].values[at->second] += static_cast<double>(row.deals());
  }
  c.format_value = Grouped;
  if (by_competitor) {
    c.title = zh ? absl::StrCat("输给竞争对手的输单 ", period)
                 : absl::StrCat("Lost deals by competitor ", period);
  } else {
    c.title =
        zh ? absl::StrCat("输单原因 ", period) : absl::StrCat("Lost deals by reason ", period);
  }
  view.kinds = {v1::PIE_CHART, v1::BAR_CHART};
  return view;
}

absl::StatusOr<v1::Chart> DrawChart(ReportView view, const v1::RenderChartRequest& request) {
  Violations violations;
  v1::ChartKind kind = request.kind();
  if (kind == v1::CHART_KIND_UNSPECIFIED) kind = view.kinds.front();
  if (std::find(view.kinds.begin(), view.kinds.end(), kind) == view.kinds.end()) {
    std::string fits;
    for (v1::ChartKind k : view.kinds)
      absl::StrAppend(&fits, fits.empty() ? "" : ", ", KindName(k));
    violations.Add("kind", absl::StrCat("this report is drawn as ", fits));
  }
  if (kind == v1::PIE_CHART && view.chart.series.size() > 1) {
    violations.Add("kind", "a pie chart shows one currency: set the report's currency_code");
  }
  if (request.width() != 0 && (request.width() < 200 || request.width() > 4000)) {
    violations.Add("width", "must be 200-4000 pixels, or 0 for 640");
  }
  if (request.height() != 0 && (request.height() < 150 || request.height() > 4000)) {
    violations.Add("height", "must be 150-4000 pixels, or 0 for 360");
  }
  if (request.title().size() > 200) violations.Add("title", "must be at most 200 bytes");
  CRM_RETURN_IF_ERROR(violations.ToStatus());

  chart::Chart& c = view.chart;
  if (!request.title().empty()) c.title = request.title();
  c.width = request.width() == 0 ? kDefaultWidth : request.width();
  c.height = request.height() == 0 ? kDefaultHeight : request.height();
  absl::StatusOr<std::string> svg;
  switch (kind) {
    case v1::LINE_CHART:
      svg = chart::Line(c);
      break;
    case v1::PIE_CHART:
      svg = chart::Pie(c);
      break;
    case v1::FUNNEL_CHART:
      svg = chart::Funnel(c);
      break;
    default:
      svg = chart::Bar(c);
      break;
  }
  // The view is checked above and made by this service: a chart it cannot draw is a bug here,
  // not the caller's mistake.
  if (!svg.ok()) return absl::InternalError(absl::StrCat("cannot draw: ", svg.status().message()));
  v1::Chart out;
  out.set_svg(*std::move(svg));
  out.set_content_type("image/svg+xml");
  return out;
}

absl::StatusOr<ReportView> ReportOutputService::View(const auth::Caller& caller,
                                                     const v1::ReportQuery& query,
                                                     Language language) {
  switch (query.report_case()) {
    case v1::ReportQuery::kSales: {
      v1::SalesReport report;
      absl::Status status = reports_.DoGetSalesReport(caller, query.sales(), &report);
      if (!status.ok()) return UnderField(std::move(status), "report.sales.");
      return SalesView(query.sales(), report, language);
    }
    case v1::ReportQuery::kFunnel: {
      v1::FunnelReport report;
      absl::Status status = reports_.DoGetFunnelReport(caller, query.funnel(), &report);
      if (!status.ok()) return UnderField(std::move(status), "report.funnel.");
      return FunnelView(query.funnel(), report, language);
    }
    case v1::ReportQuery::kTrend: {
      v1::TrendReport report;
      absl::Status status = reports_.DoGetTrendReport(caller, query.trend(), &report);
      if (!status.ok()) return UnderField(std::move(status), "report.trend.");
      return TrendView(query.trend(), report, language);
    }
    case v1::ReportQuery::kDistribution: {
      if (!v1::DistributionPart_IsValid(query.distribution_part())) {
        return InvalidField("report.distribution_part", "is not a part of the distribution");
      }
      v1::CustomerDistribution report;
      absl::Status status =
          reports_.DoGetCustomerDistribution(caller, query.distribution(), &report);
      if (!status.ok()) return UnderField(std::move(status), "report.distribution.");
      return DistributionView(query.distribution(), report, query.distribution_part(), language);
    }
    case v1::ReportQuery::kForecast: {
      v1::ForecastReport report;
      absl::Status status = reports_.DoGetForecastReport(caller, query.forecast(), &report);
      if (!status.ok()) return UnderField(std::move(status), "report.forecast.");
      return ForecastView(query.forecast(), report, language);
    }
    case v1::ReportQuery::kWinLoss: {
      if (!v1::WinLossPart_IsValid(query.win_loss_part())) {
        return InvalidField("report.win_loss_part", "is not a part of the win/loss report");
      }
      v1::WinLossReport report;
      absl::Status status = reports_.DoGetWinLossReport(caller, query.win_loss(), &report);
      if (!status.ok()) return UnderField(std::move(status), "report.win_loss.");
      return WinLossView(query.win_loss(), report, query.win_loss_part(), language);
    }
    case v1::ReportQuery::kRanking: {
      v1::StaffRanking report;
      absl::Status status = reports_.DoGetStaffRanking(caller, query.ranking(), &report);
      if (!status.ok()) return UnderField(std::move(status), "report.ranking.");
      return RankingView(query.ranking(), report, language);
    }
    case v1::ReportQuery::kCampaigns: {
      v1::CampaignReport report;
      absl::Status status = reports_.DoGetCampaignReport(caller, query.campaigns(), &report);
      if (!status.ok()) return UnderField(std::move(status), "report.campaigns.");
      return CampaignView(query.campaigns(), report, language);
    }
    default:
      return InvalidField("report",
                          "is required: name one report (sales, funnel, trend, distribution, "
                          "forecast, win_loss, ranking, campaigns)");
  }
}

absl::Status ReportOutputService::Export(const auth::Caller& caller,
                                         const v1::ExportReportRequest& request,
                                         service::StreamWriter<v1::ExportReportResponse>& out) {
  CRM_ASSIGN_OR_RETURN(const ReportView view, View(caller, request.report(), Language::kEn));
  std::string piece;
  AppendCsvRecord(piece, view.columns);
  for (const std::vector<std::string>& row : view.rows) {
    AppendCsvRecord(piece, row);
    if (piece.size() < kCsvPiece) continue;
    v1::ExportReportResponse response;
    response.set_csv(std::move(piece));
    if (!out.Write(response)) return absl::CancelledError("the client went away");
    piece.clear();
  }
  v1::ExportReportResponse response;
  response.set_csv(std::move(piece));
  if (!out.Write(response)) return absl::CancelledError("the client went away");
  return absl::OkStatus();
}

absl::Status ReportOutputService::Render(const auth::Caller& caller,
                                         const v1::RenderChartRequest& request,
                                         v1::Chart* response) {
  CRM_ASSIGN_OR_RETURN(const Language language, ReadLanguage(request.language_code()));
  CRM_ASSIGN_OR_RETURN(ReportView view, View(caller, request.report(), language));
  CRM_ASSIGN_OR_RETURN(*response, DrawChart(std::move(view), request));
  return absl::OkStatus();
}

}  // namespace crm::analytics
