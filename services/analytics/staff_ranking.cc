#include "services/analytics/staff_ranking.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <set>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "libs/api/money.h"
#include "libs/api/periods.h"
#include "libs/api/resource.h"
#include "libs/grpc/status.h"
#include "services/analytics/ranking_sql.h"
#include "services/analytics/report_store.h"

namespace crm::analytics {
namespace {

// A statement under construction: its text and its parameters in order.
struct Statement {
  std::string text;
  std::vector<db::Value> params;
};

// The people's condition on g.owner: the caller's rule and, when the people are known, them.
void AppendPeople(const records::Access& access, const RankedPeople& people, Statement& s) {
  if (people.apply_rule) {
    const api::SqlFragment rule = access.Rows(auth::Operation::kRead, "g.owner");
    absl::StrAppend(&s.text, "(", rule.sql, ")");
    s.params.insert(s.params.end(), rule.params.begin(), rule.params.end());
    if (!people.people.has_value()) return;
    absl::StrAppend(&s.text, " AND ");
  }
  if (!people.people.has_value() || people.people->empty()) {
    absl::StrAppend(&s.text, sql::kRankingNobody);
    return;
  }
  absl::StrAppend(&s.text, sql::kRankingPeopleOpen);
  for (size_t i = 0; i < people.people->size(); ++i) {
    absl::StrAppend(&s.text, i == 0 ? "?" : ", ?");
    s.params.push_back((*people.people)[i]);
  }
  absl::StrAppend(&s.text, ")");
}

// Ties in rank are listed by owner id ascending ("users/2" before "users/10"); a name that is
// not "users/{id}" (none should be) after them, by text.
bool OwnerBefore(const std::string& a, const std::string& b) {
  const absl::StatusOr<int64_t> ia = api::ParseResourceId(a, "users");
  const absl::StatusOr<int64_t> ib = api::ParseResourceId(b, "users");
  if (ia.ok() && ib.ok()) return *ia < *ib;
  if (ia.ok() != ib.ok()) return ia.ok();
  return a < b;
}

void SetFigures(const StaffFigures& f, const std::string& currency, v1::StaffRankingRow& row) {
  *row.mutable_revenue() = api::FromMinorUnits(currency, f.revenue);
  row.set_won_deals(f.won_deals);
  row.set_new_customers(f.new_customers);
  row.set_leads_converted(f.leads_converted);
  row.set_activities(f.activities);
  row.set_orders_completed(f.orders_completed);
  row.set_orders_cancelled(f.orders_cancelled);
  if (auto bp = ShareBasisPoints(f.orders_completed, f.orders_completed + f.orders_cancelled)) {
    row.set_order_completion_rate_bp(*bp);
  }
  if (f.quota.has_value()) {
    *row.mutable_quota() = api::FromMinorUnits(currency, *f.quota);
    if (auto bp = ShareBasisPoints(f.revenue, *f.quota)) row.set_quota_attainment_bp(*bp);
  }
}

}  // namespace

std::pair<absl::CivilDay, absl::CivilDay> PreviousPeriod(absl::CivilDay first,
                                                         absl::CivilDay last) {
  const absl::CivilMonth month(first);
  const bool whole_months = first.day() == 1 && (last + 1).day() == 1;
  if (whole_months) {
    const int months = static_cast<int>(absl::CivilMonth(last) - month) + 1;
    // A calendar month, quarter or year: the one before it.
    const bool quarter = months == 3 && (first.month() - 1) % 3 == 0;
    const bool year = months == 12 && first.month() == 1;
    if (months == 1 || quarter || year) {
      return {absl::CivilDay(month - months), first - 1};
    }
  }
  const absl::civil_diff_t days = last - first + 1;
  return {first - days, first - 1};
}

std::string QuotaPeriodKey(absl::CivilDay first, absl::CivilDay last) {
  if (first.day() != 1 || (last + 1).day() != 1) return "";
  const api::Period month = api::MonthOf(first);
  if (month.last == last) return month.key;
  const api::Period quarter = api::QuarterOf(first);
  if (quarter.first == first && quarter.last == last) return quarter.key;
  if (first.month() == 1 && last == absl::CivilDay(first.year(), 12, 31)) {
    return absl::StrCat(first.year());
  }
  return "";
}

std::optional<int32_t> ShareBasisPoints(int64_t part, int64_t whole) {
  if (whole == 0) return std::nullopt;
  const bool negative = (part < 0) != (whole < 0) && part != 0;
  const absl::int128 num = (part < 0 ? -absl::int128(part) : absl::int128(part)) * 10000;
  const absl::int128 den = whole < 0 ? -absl::int128(whole) : absl::int128(whole);
  // Half away from zero on magnitudes: (2·num + den) / (2·den).
  absl::int128 magnitude = (2 * num + den) / (2 * den);
  magnitude = std::min(magnitude, absl::int128(std::numeric_limits<int32_t>::max()));
  const int32_t bp = static_cast<int32_t>(magnitude);
  return negative ? -bp : bp;
}

std::optional<int64_t> RankedFigure(const StaffFigures& f, v1::RankingMetric metric) {
  switch (metric) {
    case v1::RANK_BY_WON_DEALS:
      return f.won_deals;
    case v1::RANK_BY_NEW_CUSTOMERS:
      return f.new_customers;
    case v1::RANK_BY_LEADS_CONVERTED:
      return f.leads_converted;
    case v1::RANK_BY_ACTIVITIES:
      return f.activities;
    case v1::RANK_BY_ORDER_COMPLETION_RATE:
      return ShareBasisPoints(f.orders_completed, f.orders_completed + f.orders_cancelled);
    case v1::RANK_BY_QUOTA_ATTAINMENT:
      if (!f.quota.has_value()) return std::nullopt;
      return ShareBasisPoints(f.revenue, *f.quota);
    default:
      return f.revenue;
  }
}

std::map<std::string, int32_t> CompetitionRanks(
    const std::vector<std::pair<std::string, std::optional<int64_t>>>& figures) {
  std::vector<int64_t> values;
  for (const auto& [owner, figure] : figures) {
    if (figure.has_value()) values.push_back(*figure);
  }
  std::sort(values.begin(), values.end(), std::greater<>());
  std::map<std::string, int32_t> ranks;
  for (const auto& [owner, figure] : figures) {
    if (!figure.has_value()) {
      ranks[owner] = static_cast<int32_t>(values.size()) + 1;
      continue;
    }
    // 1 + how many figures are strictly greater.
    const auto greater =
        std::lower_bound(values.begin(), values.end(), *figure, std::greater<>()) - values.begin();
    ranks[owner] = static_cast<int32_t>(greater) + 1;
  }
  return ranks;
}

absl::StatusOr<std::map<std::string, StaffFigures>> StaffRankings::Figures(
    db::Session& session, const records::Access& access, const RankedPeople& people,
    absl::CivilDay first, absl::CivilDay last, const std::string& currency) {
  std::map<std::string, StaffFigures> figures;

  const CubeRanges ranges = SplitPeriod(first, last, /*daily=*/false);
  Statement won{sql::kRankingWon,
                {api::DateText(ranges.months_first), api::DateText(ranges.months_last),
                 api::DateText(ranges.head_first), api::DateText(ranges.head_last),
                 api::DateText(ranges.tail_first), api::DateText(ranges.tail_last)}};
  AppendPeople(access, people, won);
  absl::StrAppend(&won.text, sql::kRankingWonGroup);
  CRM_ASSIGN_OR_RETURN(db::Rows won_rows, session.Query(won.text, won.params));
  for (const db::Row& row : won_rows) {
    StaffFigures& f = figures[row.Str(0)];
    if (row.Str(1) == currency) f.revenue += row.Int(2);
    f.won_deals += row.Int(3);
  }

  Statement created{sql::kRankingNewCustomers, {api::DateText(first), api::DateText(last)}};
  AppendPeople(access, people, created);
  absl::StrAppend(&created.text, sql::kRankingGroupByOwner);
  CRM_ASSIGN_OR_RETURN(db::Rows created_rows, session.Query(created.text, created.params));
  for (const db::Row& row : created_rows) figures[row.Str(0)].new_customers = row.Int(1);

  Statement days{sql::kRankingOwnerDays, {api::DateText(first), api::DateText(last)}};
  AppendPeople(access, people, days);
  absl::StrAppend(&days.text, sql::kRankingGroupByOwner);
  CRM_ASSIGN_OR_RETURN(db::Rows day_rows, session.Query(days.text, days.params));
  for (const db::Row& row : day_rows) {
    StaffFigures& f = figures[row.Str(0)];
    f.leads_converted = row.Int(1);
    f.activities = row.Int(2);
    f.orders_completed = row.Int(3);
    f.orders_cancelled = row.Int(4);
  }

  const std::string quota_period = QuotaPeriodKey(first, last);
  if (!quota_period.empty()) {
    Statement quotas{sql::kRankingQuotas, {quota_period, currency}};
    AppendPeople(access, people, quotas);
    CRM_ASSIGN_OR_RETURN(db::Rows quota_rows, session.Query(quotas.text, quotas.params));
    for (const db::Row& row : quota_rows) figures[row.Str(0)].quota = row.Int(1);
  }
  return figures;
}

absl::StatusOr<v1::StaffRanking> StaffRankings::Rank(const records::Access& access,
                                                     const RankedPeople& people,
                                                     const RankingQuery& query) {
  const auto [previous_first, previous_last] = PreviousPeriod(query.first, query.last);
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(const auto now,
                       Figures(*session, access, people, query.first, query.last, query.currency));
  CRM_ASSIGN_OR_RETURN(const auto before, Figures(*session, access, people, previous_first,
                                                  previous_last, query.currency));

  // The people: those named, else everyone with a figure in either period.
  std::set<std::string> ranked;
  if (people.people.has_value()) {
    ranked.insert(people.people->begin(), people.people->end());
  } else {
    for (const auto& [owner, f] : now) ranked.insert(owner);
    for (const auto& [owner, f] : before) ranked.insert(owner);
  }
  auto figures_of = [](const std::map<std::string, StaffFigures>& in, const std::string& owner) {
    auto it = in.find(owner);
    return it == in.end() ? StaffFigures() : it->second;
  };
  std::vector<std::pair<std::string, std::optional<int64_t>>> current, previous;
  for (const std::string& owner : ranked) {
    current.emplace_back(owner, RankedFigure(figures_of(now, owner), query.rank_by));
    previous.emplace_back(owner, RankedFigure(figures_of(before, owner), query.rank_by));
  }
  const std::map<std::string, int32_t> ranks = CompetitionRanks(current);
  const std::map<std::string, int32_t> previous_ranks = CompetitionRanks(previous);

  std::vector<std::string> order(ranked.begin(), ranked.end());
  std::sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
    const int32_t ra = ranks.at(a), rb = ranks.at(b);
    return ra != rb ? ra < rb : OwnerBefore(a, b);
  });

  v1::StaffRanking out;
  out.set_rank_by(query.rank_by);
  out.set_currency_code(query.currency);
  *out.mutable_previous_start_date() = api::ToDate(previous_first);
  *out.mutable_previous_end_date() = api::ToDate(previous_last);
  out.set_ranked(static_cast<int32_t>(ranked.size()));
  for (const std::string& owner : order) {
    if (!people.only.empty() && owner != people.only) continue;
    v1::StaffRankingRow& row = *out.add_rows();
    row.set_owner(owner);
    SetFigures(figures_of(now, owner), query.currency, row);
    row.set_rank(ranks.at(owner));
    row.set_previous_rank(previous_ranks.at(owner));
    row.set_rank_change(row.previous_rank() - row.rank());
  }
  return out;
}

}  // namespace crm::analytics
