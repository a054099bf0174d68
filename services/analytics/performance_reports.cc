#include "services/analytics/performance_reports.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <utility>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/api/money.h"
#include "libs/api/periods.h"
#include "libs/grpc/status.h"
#include "services/analytics/cube_rows.h"
#include "services/analytics/performance_sql.h"
#include "services/analytics/report_store.h"

namespace crm::analytics {
namespace {

// A statement under construction: its text and its parameters in order.
struct Statement {
  std::string text;
  std::vector<db::Value> params;
};

// The caller's rule on g.owner, then the owner and team filters.
void AppendRuleAndOwners(const records::Access& access, const FigureFilter& filter, Statement& s) {
  const api::SqlFragment rule = access.Rows(auth::Operation::kRead, "g.owner");
  absl::StrAppend(&s.text, "(", rule.sql, ")");
  s.params.insert(s.params.end(), rule.params.begin(), rule.params.end());
  if (!filter.owner.empty()) {
    absl::StrAppend(&s.text, sql::kFilterOwner);
    s.params.push_back(filter.owner);
  }
  if (filter.members.has_value()) {
    if (filter.members->empty()) {
      absl::StrAppend(&s.text, sql::kFilterNobody);
    } else {
      absl::StrAppend(&s.text, sql::kFilterMembersOpen);
      for (size_t i = 0; i < filter.members->size(); ++i) {
        absl::StrAppend(&s.text, i == 0 ? "?" : ", ?");
        s.params.push_back((*filter.members)[i]);
      }
      absl::StrAppend(&s.text, ")");
    }
  }
}

// The caller's rule on g.owner, then the filters.
void AppendRuleAndFilter(const records::Access& access, const FigureFilter& filter,
                         bool with_currency, Statement& s) {
  AppendRuleAndOwners(access, filter, s);
  if (!filter.industry.empty()) {
    absl::StrAppend(&s.text, sql::kFilterIndustry);
    s.params.push_back(filter.industry);
  }
  if (!filter.province.empty()) {
    absl::StrAppend(&s.text, sql::kFilterProvince);
    s.params.push_back(filter.province);
  }
  if (with_currency && !filter.currency.empty()) {
    absl::StrAppend(&s.text, sql::kFilterCurrency);
    s.params.push_back(filter.currency);
  }
}

// Whether a report may read the cubes' rows for everyone: the caller sees every figure and
// names no owner or team.
bool SeesEveryone(const records::Access& access, const FigureFilter& filter) {
  return access.rules().ScopeFor(access.principal(), auth::Operation::kRead) == auth::Scope::kAll &&
         filter.owner.empty() && !filter.members.has_value();
}

// won_cube and customers_new_cube keep industry × province rows for everyone only (schema/009):
// a report filtered on both for some owners reads their rows of won_daily or
// customers_new_daily.
bool CubeAnswers(const records::Access& access, const FigureFilter& filter) {
  return filter.industry.empty() || filter.province.empty() || SeesEveryone(access, filter);
}

// The one dimension a cube row is filtered on ('-' none, 'I' industry, 'P' province, 'B' both)
// and its value.
std::pair<const char*, std::string> CubeDimension(const FigureFilter& f) {
  if (!f.industry.empty() && !f.province.empty()) {
    return {"B", IndustryAndProvince(f.industry, f.province)};
  }
  if (!f.industry.empty()) return {"I", f.industry};
  if (!f.province.empty()) return {"P", f.province};
  return {"-", ""};
}

// The trend's read of won_cube from `from` to `to`: monthly rows for months and quarters (every
// bucket and comparison is whole months), daily rows for days and weeks; everyone's rows for a
// caller who sees every figure and names no owner or team, else the owners' rows.
Statement CubeTrend(const records::Access& access, const TrendQuery& query, absl::CivilDay from,
                    absl::CivilDay to) {
  const FigureFilter& f = query.filter;
  const auto [dim, value] = CubeDimension(f);
  const bool monthly = query.bucket == v1::MONTH || query.bucket == v1::QUARTER;
  Statement s{sql::kTrendCube,
              {dim, value, monthly ? "M" : "D", api::DateText(from), api::DateText(to)}};
  if (SeesEveryone(access, f)) {
    absl::StrAppend(&s.text, sql::kTrendCubeEveryone);
  } else {
    absl::StrAppend(&s.text, sql::kTrendCubeOwners);
    AppendRuleAndOwners(access, f, s);
  }
  if (!f.currency.empty()) {
    absl::StrAppend(&s.text, sql::kFilterCurrency);
    s.params.push_back(f.currency);
  }
  absl::StrAppend(&s.text, sql::kTrendCubeGroup);
  return s;
}

// Monday of the ISO week `day` is in.
absl::CivilDay MondayOf(absl::CivilDay day) {
  int back = 0;
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday:
      back = 0;
      break;
    case absl::Weekday::tuesday:
      back = 1;
      break;
    case absl::Weekday::wednesday:
      back = 2;
      break;
    case absl::Weekday::thursday:
      back = 3;
      break;
    case absl::Weekday::friday:
      back = 4;
      break;
    case absl::Weekday::saturday:
      back = 5;
      break;
    case absl::Weekday::sunday:
      back = 6;
      break;
  }
  return day - back;
}

// Won amount and deals.
struct Figure {
  int64_t amount = 0;
  int64_t deals = 0;
};

// Figures per currency and day, summed over a bucket on demand.
class DailyFigures {
 public:
  void Add(const std::string& currency, absl::CivilDay day, Figure figure) {
    by_currency_[currency][day] = figure;
  }
  std::set<std::string> Currencies() const {
    std::set<std::string> out;
    for (const auto& [currency, days] : by_currency_) out.insert(currency);
    return out;
  }
  Figure Sum(const std::string& currency, const Bucket& bucket) const {
    Figure sum;
    auto it = by_currency_.find(currency);
    if (it == by_currency_.end()) return sum;
    for (auto day = it->second.lower_bound(bucket.first);
         day != it->second.end() && day->first <= bucket.last; ++day) {
      sum.amount += day->second.amount;
      sum.deals += day->second.deals;
    }
    return sum;
  }

 private:
  std::map<std::string, std::map<absl::CivilDay, Figure>> by_currency_;
};

// The buckets covering first..last, whole.
std::vector<Bucket> BucketsOver(absl::CivilDay first, absl::CivilDay last,
                                v1::SalesGrouping grouping) {
  std::vector<Bucket> buckets;
  for (absl::CivilDay day = first; day <= last;) {
    buckets.push_back(BucketOf(day, grouping));
    day = buckets.back().last + 1;
  }
  return buckets;
}

// The customers a distribution counts now, per dimension, and the new customers per day (or
// per whole month, under its first day) to add up per bucket.
struct CustomerCounts {
  std::map<std::string, int64_t> industries, provinces, bands;
  int64_t total = 0;
  std::map<absl::CivilDay, int64_t> created;
};

// New customers per day or month from rows of "YYYY-MM-DD", customers.
absl::Status AddCreated(const db::Rows& rows, CustomerCounts& counts) {
  for (const db::Row& row : rows) {
    const std::optional<absl::CivilDay> day = api::ParseDateText(row.Str(0));
    if (!day.has_value()) return absl::InternalError("new customers held under a non-date");
    counts.created[*day] += row.Int(1);
  }
  return absl::OkStatus();
}

// The customers now, for a caller who sees every customer: customer_cube's rows for everyone,
// a number bounded by the industries, provinces and size bands, whatever the customers.
absl::Status CountNowFromCube(db::Session& session, const FigureFilter& filter,
                              CustomerCounts& counts) {
  const auto [dim, value] = CubeDimension(filter);
  CRM_ASSIGN_OR_RETURN(db::Rows now, session.Query(sql::kDistributionCube, {dim, value}));
  for (const db::Row& row : now) {
    const std::string kind = row.Str(0);
    std::map<std::string, int64_t>& per = kind == "I"   ? counts.industries
                                          : kind == "P" ? counts.provinces
                                                        : counts.bands;
    per[row.Str(1)] += row.Int(2);
    // Every customer has one size band: its rows add up to the slice's customers.
    if (kind == "S") counts.total += row.Int(2);
  }
  // The slice's own dimensions hold the values filtered on, with every customer of the slice.
  if (counts.total > 0 && !filter.industry.empty()) {
    counts.industries[filter.industry] = counts.total;
  }
  if (counts.total > 0 && !filter.province.empty()) {
    counts.provinces[filter.province] = counts.total;
  }
  return absl::OkStatus();
}

// The customers now, for any other caller: the customer_groups rows of the owners the caller's
// rule and the filters let through (per owner, bounded by industries × provinces × size bands).
absl::Status CountNowFromGroups(db::Session& session, const records::Access& access,
                                const FigureFilter& filter, CustomerCounts& counts) {
  Statement groups{sql::kDistributionGroups, {}};
  AppendRuleAndFilter(access, filter, /*with_currency=*/false, groups);
  absl::StrAppend(&groups.text, sql::kDistributionGroupsGroup);
  CRM_ASSIGN_OR_RETURN(db::Rows group_rows, session.Query(groups.text, groups.params));
  for (const db::Row& row : group_rows) {
    counts.industries[row.Str(0)] += row.Int(3);
    counts.provinces[row.Str(1)] += row.Int(3);
    counts.bands[row.Str(2)] += row.Int(3);
    counts.total += row.Int(3);
  }
  return absl::OkStatus();
}

// The new customers from customers_new_cube: everyone's rows for a caller who sees every
// customer, else the owners' rows under the caller's rule and the owner and team filters;
// monthly rows for month and quarter buckets, daily rows for the rest. Bounded by the period's
// days or months (× the owners), whatever the customers.
absl::Status CountNewFromCube(db::Session& session, const records::Access& access,
                              const DistributionQuery& query, absl::CivilDay from,
                              absl::CivilDay to, CustomerCounts& counts) {
  const auto [dim, value] = CubeDimension(query.filter);
  const CubeRanges r =
      SplitPeriod(from, to, query.bucket != v1::MONTH && query.bucket != v1::QUARTER);
  Statement s{sql::kDistributionNewCube,
              {dim, value, api::DateText(r.months_first), api::DateText(r.months_last),
               api::DateText(r.head_first), api::DateText(r.head_last), api::DateText(r.tail_first),
               api::DateText(r.tail_last)}};
  if (SeesEveryone(access, query.filter)) {
    absl::StrAppend(&s.text, sql::kDistributionNewCubeEveryone);
  } else {
    absl::StrAppend(&s.text, sql::kDistributionNewCubeOwners);
    AppendRuleAndOwners(access, query.filter, s);
  }
  absl::StrAppend(&s.text, sql::kDistributionNewCubeGroup);
  CRM_ASSIGN_OR_RETURN(db::Rows created, session.Query(s.text, s.params));
  return AddCreated(created, counts);
}

// The new customers from customers_new_daily, for a filter on both industry and province by a
// caller who sees some owners only (the cube keeps that combination for everyone only).
absl::Status CountNewFromDays(db::Session& session, const records::Access& access,
                              const FigureFilter& filter, absl::CivilDay from, absl::CivilDay to,
                              CustomerCounts& counts) {
  Statement days{sql::kDistributionNew, {api::DateText(from), api::DateText(to)}};
  AppendRuleAndFilter(access, filter, /*with_currency=*/false, days);
  absl::StrAppend(&days.text, sql::kDistributionNewGroup);
  CRM_ASSIGN_OR_RETURN(db::Rows day_rows, session.Query(days.text, days.params));
  return AddCreated(day_rows, counts);
}

// Counts per key, largest first, then by key.
void SortedCounts(const std::map<std::string, int64_t>& counts,
                  google::protobuf::RepeatedPtrField<v1::CustomerCount>* out) {
  std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [key, customers] : sorted) {
    v1::CustomerCount& count = *out->Add();
    count.set_key(key);
    count.set_customers(customers);
  }
}

}  // namespace

Bucket BucketOf(absl::CivilDay day, v1::SalesGrouping grouping) {
  switch (grouping) {
    case v1::WEEK: {
      const absl::CivilDay monday = MondayOf(day);
      // The ISO week's year is its Thursday's; its number counts weeks from that year's first.
      const absl::CivilDay thursday = monday + 3;
      const int week = (absl::GetYearDay(thursday) - 1) / 7 + 1;
      return {absl::StrFormat("%04d-W%02d", thursday.year(), week), monday, monday + 6};
    }
    case v1::MONTH: {
      api::Period p = api::MonthOf(day);
      return {std::move(p.key), p.first, p.last};
    }
    case v1::QUARTER: {
      api::Period p = api::QuarterOf(day);
      return {std::move(p.key), p.first, p.last};
    }
    default:
      return {api::DateText(day), day, day};
  }
}

Bucket PreviousBucket(const Bucket& bucket, v1::SalesGrouping grouping) {
  return BucketOf(bucket.first - 1, grouping);
}

Bucket YearAgoBucket(const Bucket& bucket, v1::SalesGrouping grouping) {
  if (grouping == v1::WEEK) return BucketOf(bucket.first - 364, grouping);
  const absl::CivilDay first = bucket.first;
  // CivilDay normalises 29 February of a common year to 1 March: clamp to the month's end.
  absl::CivilDay back(first.year() - 1, first.month(), first.day());
  if (back.month() != first.month()) back = absl::CivilDay(first.year() - 1, first.month(), 28);
  return BucketOf(back, grouping);
}

std::optional<int64_t> ChangeBasisPoints(int64_t now, int64_t base) {
  if (base == 0) return std::nullopt;
  const absl::int128 diff = absl::int128(now) - base;
  const bool negative = (diff < 0) != (base < 0);
  const absl::int128 num = (diff < 0 ? -diff : diff) * 10000;
  const absl::int128 den = base < 0 ? -absl::int128(base) : absl::int128(base);
  // Half away from zero: (2·|num| + |den|) / (2·|den|) on magnitudes.
  const absl::int128 magnitude = (2 * num + den) / (2 * den);
  const int64_t bp = static_cast<int64_t>(magnitude);
  return negative ? -bp : bp;
}

absl::StatusOr<v1::TrendReport> PerformanceReports::Trends(const records::Access& access,
                                                           const TrendQuery& query) {
  const std::vector<Bucket> buckets = BucketsOver(query.first, query.last, query.bucket);
  if (buckets.empty()) return v1::TrendReport();
  // One read covers the period and every comparison: from a year before the first bucket.
  const absl::CivilDay from = std::min(YearAgoBucket(buckets.front(), query.bucket).first,
                                       PreviousBucket(buckets.front(), query.bucket).first);
  Statement s;
  if (CubeAnswers(access, query.filter)) {
    s = CubeTrend(access, query, from, buckets.back().last);
  } else {
    s = {sql::kTrendDays, {api::DateText(from), api::DateText(buckets.back().last)}};
    AppendRuleAndFilter(access, query.filter, /*with_currency=*/true, s);
    absl::StrAppend(&s.text, sql::kTrendDaysGroup);
  }

  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(s.text, s.params));
  DailyFigures figures;
  for (const db::Row& row : rows) {
    const std::optional<absl::CivilDay> day = api::ParseDateText(row.Str(0));
    if (!day.has_value()) return absl::InternalError("won figures hold a day that is no date");
    figures.Add(row.Str(1), *day, {.amount = row.Int(2), .deals = row.Int(3)});
  }

  // Each currency's rows, kept when any of its buckets or their comparisons has a deal.
  std::vector<std::vector<v1::TrendRow>> kept;
  for (const std::string& currency : figures.Currencies()) {
    std::vector<v1::TrendRow> rows_of_currency;
    bool any = false;
    for (const Bucket& bucket : buckets) {
      const Bucket previous = PreviousBucket(bucket, query.bucket);
      const Bucket year_ago = YearAgoBucket(bucket, query.bucket);
      const Figure now = figures.Sum(currency, bucket);
      const Figure before = figures.Sum(currency, previous);
      const Figure last_year = figures.Sum(currency, year_ago);
      any = any || now.deals != 0 || before.deals != 0 || last_year.deals != 0;
      v1::TrendRow& out = rows_of_currency.emplace_back();
      out.set_key(bucket.key);
      *out.mutable_first_day() = api::ToDate(bucket.first);
      *out.mutable_last_day() = api::ToDate(bucket.last);
      *out.mutable_amount() = api::FromMinorUnits(currency, now.amount);
      out.set_won_deals(now.deals);
      out.set_previous_key(previous.key);
      *out.mutable_previous_amount() = api::FromMinorUnits(currency, before.amount);
      out.set_previous_won_deals(before.deals);
      if (auto bp = ChangeBasisPoints(now.amount, before.amount)) out.set_amount_change_bp(*bp);
      if (auto bp = ChangeBasisPoints(now.deals, before.deals)) out.set_deals_change_bp(*bp);
      out.set_year_ago_key(year_ago.key);
      *out.mutable_year_ago_amount() = api::FromMinorUnits(currency, last_year.amount);
      out.set_year_ago_won_deals(last_year.deals);
      if (auto bp = ChangeBasisPoints(now.amount, last_year.amount)) {
        out.set_year_ago_amount_change_bp(*bp);
      }
      if (auto bp = ChangeBasisPoints(now.deals, last_year.deals)) {
        out.set_year_ago_deals_change_bp(*bp);
      }
    }
    if (any) kept.push_back(std::move(rows_of_currency));
  }
  v1::TrendReport report;
  for (size_t i = 0; i < buckets.size(); ++i) {
    for (std::vector<v1::TrendRow>& rows_of_currency : kept) {
      *report.add_rows() = std::move(rows_of_currency[i]);
    }
  }
  return report;
}

absl::StatusOr<v1::CustomerDistribution> PerformanceReports::Distribution(
    const records::Access& access, const DistributionQuery& query) {
  const std::vector<Bucket> buckets = BucketsOver(query.first, query.last, query.bucket);
  if (buckets.empty()) return v1::CustomerDistribution();
  const absl::CivilDay from = buckets.front().first, to = buckets.back().last;
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CustomerCounts counts;
  if (SeesEveryone(access, query.filter)) {
    CRM_RETURN_IF_ERROR(CountNowFromCube(*session, query.filter, counts));
  } else {
    CRM_RETURN_IF_ERROR(CountNowFromGroups(*session, access, query.filter, counts));
  }
  if (CubeAnswers(access, query.filter)) {
    CRM_RETURN_IF_ERROR(CountNewFromCube(*session, access, query, from, to, counts));
  } else {
    CRM_RETURN_IF_ERROR(CountNewFromDays(*session, access, query.filter, from, to, counts));
  }

  v1::CustomerDistribution out;
  out.set_total_customers(counts.total);
  SortedCounts(counts.industries, out.mutable_by_industry());
  SortedCounts(counts.provinces, out.mutable_by_province());
  SortedCounts(counts.bands, out.mutable_by_size_band());
  for (const Bucket& bucket : buckets) {
    v1::NewCustomers& n = *out.add_new_customers();
    n.set_key(bucket.key);
    *n.mutable_first_day() = api::ToDate(bucket.first);
    *n.mutable_last_day() = api::ToDate(bucket.last);
    int64_t sum = 0;
    for (auto it = counts.created.lower_bound(bucket.first);
         it != counts.created.end() && it->first <= bucket.last; ++it) {
      sum += it->second;
    }
    n.set_customers(sum);
  }
  return out;
}

}  // namespace crm::analytics
