#include "services/analytics/campaign_report.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/campaigns/attribution.h"
#include "libs/grpc/status.h"
#include "services/analytics/campaign_sql.h"

namespace crm::analytics {
namespace {

namespace act = activities::v1;
using auth::Scope;
using campaigns::AttributionKind;

constexpr auth::RecordRules kCampaignReportRules = {
    .read = {Scope::kNone, Scope::kAll, Scope::kAll, Scope::kOwn, Scope::kAll, Scope::kNone},
    .write = {Scope::kNone, Scope::kNone, Scope::kNone, Scope::kNone, Scope::kNone, Scope::kNone},
};

// One campaign of the report while it is put together.
struct Entry {
  int64_t id = 0;
  std::string currency;  // the budget's
  int64_t budget = 0;
  std::optional<int64_t> cost;         // unset while none is recorded
  std::map<std::string, int64_t> won;  // currency → minor units
  v1::CampaignRow row;

  int64_t WonInBudgetCurrency() const {
    auto it = won.find(currency);
    return it == won.end() ? 0 : it->second;
  }
};

absl::Time TimeOf(const std::string& text) {
  return db::ParseDateTime(text).value_or(absl::UnixEpoch());
}

// Counts and cost figures into the row, by libs/campaigns' rules.
void Finish(Entry& e) {
  v1::CampaignRow& row = e.row;
  *row.mutable_budget() = api::FromMinorUnits(e.currency, e.budget);
  // The budget's currency first, then the others in code order.
  if (auto same = e.won.find(e.currency); same != e.won.end()) {
    *row.add_won_revenue() = api::FromMinorUnits(e.currency, same->second);
  }
  for (const auto& [currency, minor] : e.won) {
    if (currency != e.currency) *row.add_won_revenue() = api::FromMinorUnits(currency, minor);
  }
  if (e.cost) *row.mutable_actual_cost() = api::FromMinorUnits(e.currency, *e.cost);
  const campaigns::CostFigures figures =
      campaigns::WorkOutCosts(e.cost, row.leads(), row.opportunities(), e.WonInBudgetCurrency());
  if (figures.cost_per_lead) {
    *row.mutable_cost_per_lead() = api::FromMinorUnits(e.currency, *figures.cost_per_lead);
  }
  if (figures.cost_per_opportunity) {
    *row.mutable_cost_per_opportunity() =
        api::FromMinorUnits(e.currency, *figures.cost_per_opportunity);
  }
  if (figures.roi_basis_points) row.set_roi_basis_points(*figures.roi_basis_points);
}

// Whether `a` comes before `b` in the order asked for (campaigns without an ROI last; ties to
// the lower number).
bool Before(const Entry& a, const Entry& b, const CampaignQuery& query) {
  auto by = [&](auto x, auto y) -> std::optional<bool> {
    if (x == y) return std::nullopt;
    return query.descending ? x > y : x < y;
  };
  std::optional<bool> decided;
  switch (query.order) {
    case CampaignOrder::kRoi: {
      const bool ha = a.row.has_roi_basis_points(), hb = b.row.has_roi_basis_points();
      if (ha != hb) return ha;
      if (ha) decided = by(a.row.roi_basis_points(), b.row.roi_basis_points());
      break;
    }
    case CampaignOrder::kWonRevenue:
      decided = by(a.WonInBudgetCurrency(), b.WonInBudgetCurrency());
      break;
    case CampaignOrder::kStartTime:
      decided = by(FromTimestamp(a.row.start_time()), FromTimestamp(b.row.start_time()));
      break;
  }
  return decided.value_or(a.id < b.id);
}

// Money per currency of the totals.
struct Sums {
  int64_t campaigns = 0;
  int64_t budget = 0;
  int64_t cost = 0;
  int64_t won = 0;
  int64_t costed_cost = 0;  // of the campaigns budgeted here with an actual cost
  int64_t costed_won = 0;   // their won revenue in this currency
};

}  // namespace

const auth::RecordRules& CampaignReportRules() { return kCampaignReportRules; }

void ReadCampaignOrder(const std::string& order_by, Violations& violations, CampaignQuery& query) {
  if (order_by.empty()) {
    query.order = CampaignOrder::kRoi;
    query.descending = true;
    return;
  }
  std::string field = order_by;
  query.descending = false;
  if (field.ends_with(" desc")) {
    query.descending = true;
    field.resize(field.size() - 5);
  } else if (field.ends_with(" asc")) {
    field.resize(field.size() - 4);
  }
  if (field == "roi") {
    query.order = CampaignOrder::kRoi;
  } else if (field == "won_revenue") {
    query.order = CampaignOrder::kWonRevenue;
  } else if (field == "start_time") {
    query.order = CampaignOrder::kStartTime;
  } else {
    violations.Add("order_by",
                   "must be roi, won_revenue or start_time, optionally followed by \" desc\"");
  }
}

absl::StatusOr<v1::CampaignReport> CampaignReports::Report(const records::Access& access,
                                                           const CampaignQuery& query) {
  // The same conditions for the campaigns and their figures.
  std::vector<db::Value> params = {db::FormatDateTime(query.to), db::FormatDateTime(query.from)};
  std::string where;
  if (access.rules().ScopeFor(access.principal(), auth::Operation::kRead) != Scope::kAll) {
    const api::SqlFragment rule = access.Rows(auth::Operation::kRead, "p.participant");
    absl::StrAppend(&where, sql::kOfParticipant, "(", rule.sql, "))");
    params.insert(params.end(), rule.params.begin(), rule.params.end());
  }
  if (query.type != act::Campaign::TYPE_UNSPECIFIED) {
    absl::StrAppend(&where, sql::kOfType);
    params.emplace_back(int64_t{query.type});
  }
  if (query.state != act::Campaign::STATE_UNSPECIFIED) {
    absl::StrAppend(&where, sql::kInState);
    params.emplace_back(int64_t{query.state});
  }

  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session->Query(absl::StrCat(sql::kSelectCampaigns, where), params));
  CRM_ASSIGN_OR_RETURN(db::Rows figures,
                       session->Query(absl::StrCat(sql::kSelectFigures, where), params));

  std::vector<Entry> entries;
  std::map<std::string, size_t> by_name;
  entries.reserve(rows.size());
  for (const db::Row& r : rows) {
    Entry e;
    e.id = api::ParseResourceId(r.Str(0), "campaigns").value_or(0);
    e.currency = r.Str(7);
    e.budget = r.Int(8);
    if (r.Int(9) != 0) e.cost = r.Int(10);
    v1::CampaignRow& row = e.row;
    row.set_campaign(r.Str(0));
    row.set_code(r.Str(1));
    row.set_title(r.Str(2));
    row.set_type(static_cast<act::Campaign::Type>(r.Int(3)));
    row.set_state(static_cast<act::Campaign::State>(r.Int(4)));
    *row.mutable_start_time() = ToTimestamp(TimeOf(r.Str(5)));
    *row.mutable_end_time() = ToTimestamp(TimeOf(r.Str(6)));
    by_name.emplace(r.Str(0), entries.size());
    entries.push_back(std::move(e));
  }
  for (const db::Row& f : figures) {
    auto at = by_name.find(f.Str(0));
    if (at == by_name.end()) continue;  // a campaign that arrived between the two reads
    Entry& e = entries[at->second];
    const int64_t items = f.Int(3);
    switch (static_cast<AttributionKind>(f.Int(1))) {
      case AttributionKind::kLead:
        e.row.set_leads(items);
        break;
      case AttributionKind::kCustomer:
        e.row.set_new_customers(items);
        break;
      case AttributionKind::kOpportunity:
        e.row.set_opportunities(items);
        break;
      case AttributionKind::kWon:
        e.row.set_won_opportunities(e.row.won_opportunities() + items);
        e.won[f.Str(2)] += f.Int(4);
        break;
    }
  }
  for (Entry& e : entries) Finish(e);
  std::stable_sort(entries.begin(), entries.end(),
                   [&](const Entry& a, const Entry& b) { return Before(a, b, query); });

  v1::CampaignReport report;
  std::map<std::string, Sums> sums;
  for (Entry& e : entries) {
    Sums& own = sums[e.currency];
    ++own.campaigns;
    own.budget += e.budget;
    if (e.cost) {
      own.cost += *e.cost;
      own.costed_cost += *e.cost;
      own.costed_won += e.WonInBudgetCurrency();
    }
    for (const auto& [currency, minor] : e.won) sums[currency].won += minor;
    report.set_leads(report.leads() + e.row.leads());
    report.set_new_customers(report.new_customers() + e.row.new_customers());
    report.set_opportunities(report.opportunities() + e.row.opportunities());
    report.set_won_opportunities(report.won_opportunities() + e.row.won_opportunities());
    *report.add_rows() = std::move(e.row);
  }
  for (const auto& [currency, s] : sums) {
    v1::CampaignTotal& total = *report.add_totals();
    total.set_currency_code(currency);
    total.set_campaigns(s.campaigns);
    *total.mutable_budget() = api::FromMinorUnits(currency, s.budget);
    *total.mutable_actual_cost() = api::FromMinorUnits(currency, s.cost);
    *total.mutable_won_revenue() = api::FromMinorUnits(currency, s.won);
    const campaigns::CostFigures figures =
        campaigns::WorkOutCosts(s.costed_cost, 0, 0, s.costed_won);
    if (figures.roi_basis_points) total.set_roi_basis_points(*figures.roi_basis_points);
  }
  return report;
}

}  // namespace crm::analytics
