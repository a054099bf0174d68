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

}  // namespace

const auth::RecordRules& FigureRules() { return kFigureRules; }

absl::StatusOr<v1::SalesReport> ReportStore::Sales(const records::Access& access,
                                                   const SalesQuery& query) {
  const char* key = KeyOf(query.group_by);
  if (key == nullptr) return absl::InvalidArgumentError("no such grouping");
  const api::SqlFragment rule = access.Rows(auth::Operation::kRead, "w.owner");
  std::vector<db::Value> params = {api::DateText(query.first), api::DateText(query.last)};
  params.insert(params.end(), rule.params.begin(), rule.params.end());
  std::string statement = absl::StrCat(sql::kSalesSelect, key, sql::kSalesFrom, "(", rule.sql, ")");
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
