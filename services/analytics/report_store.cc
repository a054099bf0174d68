#include "services/analytics/report_store.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "libs/api/money.h"
#include "libs/api/periods.h"
#include "services/analytics/store_sql.h"

namespace crm::analytics {
namespace {

using auth::Scope;

// Indexed by Role: ROLE_UNSPECIFIED, ADMIN, SALES_MANAGER, SALES_REP, MARKETING, SUPPORT.
constexpr auth::RecordRules kFigureRules = {
    .read = {Scope::kNone, Scope::kAll, Scope::kTeam, Scope::kOwn, Scope::kAll, Scope::kNone},
    .write = {Scope::kNone, Scope::kNone, Scope::kNone, Scope::kNone, Scope::kNone, Scope::kNone},
};

// The key expression of a grouping: a fixed text, never the request's.
const char* KeyOf(v1::SalesGrouping grouping) {
  switch (grouping) {
    case v1::OWNER:
      return sql::kKeyOwner;
    case v1::DAY:
      return sql::kKeyDay;
    case v1::WEEK:
      return sql::kKeyWeek;
    case v1::MONTH:
      return sql::kKeyMonth;
    case v1::QUARTER:
      return sql::kKeyQuarter;
    case v1::YEAR:
      return sql::kKeyYear;
    case v1::INDUSTRY:
      return sql::kKeyIndustry;
    case v1::PROVINCE:
      return sql::kKeyProvince;
    default:
      return nullptr;
  }
}

// Groupings by day or week need every day from the daily rows; the others take whole months
// from the monthly rows.
bool DailyKey(v1::SalesGrouping grouping) { return grouping == v1::DAY || grouping == v1::WEEK; }

}  // namespace

CubeRanges SplitPeriod(absl::CivilDay first, absl::CivilDay last, bool daily) {
  // An empty range: BETWEEN a later day AND an earlier one matches nothing.
  const absl::CivilDay kNone[2] = {absl::CivilDay(9999, 12, 31), absl::CivilDay(1, 1, 1)};
  CubeRanges r{.months_first = kNone[0],
               .months_last = kNone[1],
               .head_first = first,
               .head_last = last,
               .tail_first = kNone[0],
               .tail_last = kNone[1]};
  if (daily) return r;
  // Whole months: from the first month that starts on or after `first` to the last that ends
  // on or before `last`.
  const absl::CivilDay months_start =
      first.day() == 1 ? first : absl::CivilDay(absl::CivilMonth(first) + 1);
  const absl::CivilDay months_end =  // the day after the last whole month
      (last + 1).day() == 1 ? last + 1 : absl::CivilDay(absl::CivilMonth(last));
  if (months_start >= months_end) return r;  // no whole month: every day from the daily rows
  r.months_first = months_start;
  r.months_last = absl::CivilDay(absl::CivilMonth(months_end) - 1);
  if (first < months_start) {
    r.head_last = months_start - 1;
  } else {
    r.head_first = kNone[0];
    r.head_last = kNone[1];
  }
  if (months_end <= last) {
    r.tail_first = months_end;
    r.tail_last = last;
  }
  return r;
}

const auth::RecordRules& FigureRules() { return kFigureRules; }

absl::StatusOr<v1::SalesReport> ReportStore::Sales(const records::Access& access,
                                                   const SalesQuery& query) {
  const char* key = KeyOf(query.group_by);
  if (key == nullptr) return absl::InvalidArgumentError("no such grouping");
  const char* dim = query.group_by == v1::INDUSTRY   ? "I"
                    : query.group_by == v1::PROVINCE ? "P"
                                                     : "-";
  const CubeRanges ranges = SplitPeriod(query.first, query.last, DailyKey(query.group_by));
  std::vector<db::Value> params = {dim,
                                   api::DateText(ranges.months_first),
                                   api::DateText(ranges.months_last),
                                   api::DateText(ranges.head_first),
                                   api::DateText(ranges.head_last),
                                   api::DateText(ranges.tail_first),
                                   api::DateText(ranges.tail_last)};
  std::string statement = absl::StrCat(sql::kSalesSelect, key, sql::kSalesFrom);
  // Everyone's rows serve a caller who sees every figure and asks for no owner's; the others,
  // and every report by owner, add up the rows of the owners the caller's rule lets through.
  const bool everyone =
      access.rules().ScopeFor(access.principal(), auth::Operation::kRead) == Scope::kAll &&
      query.owner.empty() && query.group_by != v1::OWNER;
  if (everyone) {
    absl::StrAppend(&statement, sql::kSalesEveryone);
  } else {
    const api::SqlFragment rule = access.Rows(auth::Operation::kRead, "w.owner");
    absl::StrAppend(&statement, sql::kSalesOwners, "(", rule.sql, ")");
    params.insert(params.end(), rule.params.begin(), rule.params.end());
  }
  if (!query.owner.empty()) {
    absl::StrAppend(&statement, sql::kSalesOwner);
    params.push_back(query.owner);
  }
  if (!query.currency.empty()) {
    absl::StrAppend(&statement, sql::kSalesCurrency);
    params.push_back(query.currency);
  }
  absl::StrAppend(&statement, sql::kSalesGroup);

  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(statement, params));
  v1::SalesReport report;
  std::map<std::string, std::pair<int64_t, int64_t>> totals;  // currency → (amount, deals)
  for (const db::Row& row : rows) {
    v1::SalesRow& out = *report.add_rows();
    out.set_key(row.Str(0));
    *out.mutable_amount() = api::FromMinorUnits(row.Str(1), row.Int(2));
    out.set_won_deals(row.Int(3));
    auto& [amount, deals] = totals[row.Str(1)];
    amount += row.Int(2);
    deals += row.Int(3);
  }
  for (const auto& [currency, sums] : totals) {
    v1::SalesRow& total = *report.add_totals();
    *total.mutable_amount() = api::FromMinorUnits(currency, sums.first);
    total.set_won_deals(sums.second);
  }
  return report;
}

}  // namespace crm::analytics
