#include "services/opportunities/forecast_store.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/api/money.h"
#include "libs/base/time.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "services/opportunities/event_types.h"
#include "services/opportunities/forecast_sql.h"
#include "services/opportunities/pipeline_store.h"
#include "services/opportunities/validation.h"

namespace crm::opportunities {
namespace {

// Closing stages show the deals closed in this many days.
constexpr int kRecentlyClosedDays = 90;

struct Totals {
  int64_t closed_won = 0, commit = 0, best_case = 0, pipeline = 0, weighted = 0, quota = 0;
  int64_t won_count = 0, open_count = 0;
};
using TotalsByCurrency = std::map<std::string, Totals>;

// Adds one group (state, forecast category, amount, weighted amount, count) to `totals`.
void AddGroup(Totals& totals, int64_t state, int64_t category, int64_t amount, int64_t weighted,
              int64_t count) {
  if (state == v1::WON) {
    totals.closed_won += amount;
    totals.won_count += count;
    return;
  }
  if (category == v1::OMITTED) return;  // left out of the forecast
  totals.open_count += count;
  totals.weighted += weighted;
  if (category == v1::COMMIT) totals.commit += amount;
  if (category == v1::BEST_CASE) totals.best_case += amount;
  if (category == v1::PIPELINE) totals.pipeline += amount;
}

v1::CurrencyForecast ToForecast(const std::string& currency, const Totals& t) {
  v1::CurrencyForecast f;
  f.set_currency_code(currency);
  *f.mutable_closed_won() = api::FromMinorUnits(currency, t.closed_won);
  *f.mutable_commit() = api::FromMinorUnits(currency, t.commit);
  *f.mutable_best_case() = api::FromMinorUnits(currency, t.best_case);
  *f.mutable_pipeline() = api::FromMinorUnits(currency, t.pipeline);
  *f.mutable_weighted() = api::FromMinorUnits(currency, t.weighted);
  *f.mutable_quota() = api::FromMinorUnits(currency, t.quota);
  f.set_won_count(static_cast<int32_t>(t.won_count));
  f.set_open_count(static_cast<int32_t>(t.open_count));
  return f;
}

// " AND <column> IN (?, ?, ...)" for `owners`, their values appended to `params`.
std::string OwnersIn(std::string_view column, const std::vector<std::string>& owners,
                     std::vector<db::Value>& params) {
  std::vector<std::string> marks;
  for (const std::string& owner : owners) {
    marks.push_back("?");
    params.push_back(owner);
  }
  return absl::StrCat(" AND ", std::string(column), " IN (", absl::StrJoin(marks, ", "), ")");
}

// " AND (<rule>)" with its values appended.
std::string And(const api::SqlFragment& rule, std::vector<db::Value>& params) {
  params.insert(params.end(), rule.params.begin(), rule.params.end());
  return absl::StrCat(" AND (", rule.sql, ")");
}

std::vector<db::Value> PeriodBounds(const api::Period& period) {
  const std::string first = api::DateText(period.first), last = api::DateText(period.last);
  return {first, last, first, last};
}

v1::Quota QuotaOf(const std::string& owner, const std::string& period, const std::string& currency,
                  int64_t amount, const std::string& setter, const std::string& update_time) {
  v1::Quota q;
  q.set_owner(owner);
  q.set_period(period);
  *q.mutable_amount() = api::FromMinorUnits(currency, amount);
  q.set_setter(setter);
  *q.mutable_update_time() = TimestampFromDateTime(update_time);
  return q;
}

}  // namespace

absl::StatusOr<v1::Quota> ForecastStore::SetQuota(const std::string& owner, const api::Period& period,
                                                  const std::string& currency,
                                                  int64_t amount_minor, std::string_view actor,
                                                  const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Quota>(
      pool_, key, [&](db::Transaction& tx, v1::Quota& quota) -> absl::Status {
        const std::string now = db::FormatDateTime(clock_.Now());
        CRM_RETURN_IF_ERROR(tx.Execute(sql::kSetQuota, {owner, period.key, currency, amount_minor,
                                                        std::string(actor), now})
                                .status());
        quota = QuotaOf(owner, period.key, currency, amount_minor, std::string(actor), now);
        return events::Append(tx, {.type = kQuotaSetEvent, .resource = owner, .actor = actor},
                              quota);
      });
}

absl::StatusOr<std::vector<v1::Quota>> ForecastStore::ListQuotas(
    const std::vector<std::string>& owners, std::string_view period) {
  std::vector<v1::Quota> quotas;
  if (owners.empty()) return quotas;
  std::vector<db::Value> params = {std::string(period), std::string(period)};
  std::vector<std::string> marks;
  for (const std::string& owner : owners) {
    marks.push_back("?");
    params.push_back(owner);
  }
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session->Query(absl::StrCat(sql::kSelectQuotas, absl::StrJoin(marks, ", "),
                                                   sql::kQuotaOrder),
                                      params));
  for (const db::Row& row : rows) {
    quotas.push_back(
        QuotaOf(row.Str(0), row.Str(1), row.Str(2), row.Int(3), row.Str(4), row.Str(5)));
  }
  return quotas;
}

absl::StatusOr<v1::Forecast> ForecastStore::Forecast(const records::Access& access,
                                                     const std::vector<std::string>& owners,
                                                     const api::Period& period) {
  v1::Forecast forecast;
  forecast.set_period(period.key);
  *forecast.mutable_start_date() = api::ToDate(period.first);
  *forecast.mutable_end_date() = api::ToDate(period.last);
  for (const std::string& owner : owners) forecast.add_owners(owner);
  if (owners.empty()) return forecast;

  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  TotalsByCurrency totals;
  std::vector<db::Value> params = PeriodBounds(period);
  std::string query = absl::StrCat(sql::kForecastTotals, OwnersIn("o.owner", owners, params),
                                   And(opportunities_.table().Rule(access, auth::Operation::kRead),
                                       params),
                                   sql::kForecastGroup);
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(query, params));
  for (const db::Row& row : rows) {
    AddGroup(totals[row.Str(0)], row.Int(1), row.Int(2), row.Int(3), row.Int(4), row.Int(5));
  }
  std::vector<db::Value> quota_params = {period.key};
  CRM_ASSIGN_OR_RETURN(
      db::Rows quotas,
      session->Query(absl::StrCat(sql::kQuotaTotals, OwnersIn("q.owner", owners, quota_params),
                                  sql::kQuotaGroup),
                     quota_params));
  for (const db::Row& row : quotas) totals[row.Str(0)].quota = row.Int(1);
  for (const auto& [currency, t] : totals) {
    *forecast.add_currencies() = ToForecast(currency, t);
  }
  return forecast;
}

absl::StatusOr<v1::PipelineSummary> ForecastStore::Summary(
    const records::Access& access, int64_t pipeline_id,
    const std::optional<std::vector<std::string>>& owners) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  if (pipeline_id == 0) {
    CRM_ASSIGN_OR_RETURN(pipeline_id, PipelineStore::DefaultId(*session));
  }
  CRM_ASSIGN_OR_RETURN(PipelineInfo pipeline, PipelineStore::Load(*session, pipeline_id));
  v1::PipelineSummary summary;
  summary.set_pipeline(absl::StrCat("pipelines/", pipeline_id));
  std::map<int64_t, v1::StageSummary*> by_stage;
  std::map<int64_t, int64_t> seconds_in_stage;
  for (const StageInfo& stage : pipeline.stages) {
    v1::StageSummary* s = summary.add_stages();
    s->set_stage(StageName(pipeline_id, stage.id));
    s->set_display_name(stage.display_name);
    s->set_type(stage.type);
    by_stage[stage.id] = s;
  }
  if (owners && owners->empty()) return summary;

  const absl::Time now = clock_.Now();
  const std::string now_text = db::FormatDateTime(now);
  const api::SqlFragment rule = opportunities_.table().Rule(access, auth::Operation::kRead);
  // The conditions every query below ends with: the owners, then the caller's rule.
  auto narrow = [&](std::vector<db::Value>& params) {
    std::string text = owners ? OwnersIn("o.owner", *owners, params) : "";
    return text + And(rule, params);
  };
  const std::string recent = api::DateText(api::DayIn(now, zone_) - kRecentlyClosedDays);
  for (const auto& [base, extra] : {std::pair<const char*, std::vector<db::Value>>{
                                        sql::kOpenByStage, {now_text, pipeline_id}},
                                    {sql::kClosedByStage, {now_text, pipeline_id, recent}}}) {
    std::vector<db::Value> params = extra;
    const std::string query = absl::StrCat(base, narrow(params), sql::kSummaryGroup);
    CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(query, params));
    for (const db::Row& row : rows) {
      auto it = by_stage.find(row.Int(0));
      if (it == by_stage.end()) continue;  // a stage removed meanwhile
      v1::StageSummary& s = *it->second;
      s.set_count(s.count() + static_cast<int32_t>(row.Int(2)));
      seconds_in_stage[row.Int(0)] += row.Int(5);
      const std::string currency = row.Str(1);
      if (currency.empty()) continue;
      *s.add_amounts() = api::FromMinorUnits(currency, row.Int(3));
      *s.add_weighted() = api::FromMinorUnits(currency, row.Int(4));
    }
  }
  for (auto& [stage_id, s] : by_stage) {
    if (s->count() > 0) {
      s->set_average_days_in_stage(static_cast<double>(seconds_in_stage[stage_id]) / s->count() /
                                   86400.0);
    }
  }
  std::vector<db::Value> params = {pipeline_id};
  const std::string stays = absl::StrCat(sql::kStageStays, narrow(params), sql::kStageStaysGroup);
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(stays, params));
  for (const db::Row& row : rows) {
    auto it = by_stage.find(row.Int(0));
    if (it == by_stage.end() || row.Int(2) == 0) continue;
    it->second->set_average_days_before_leaving(static_cast<double>(row.Int(1)) / row.Int(2) /
                                                86400.0);
  }
  return summary;
}

absl::StatusOr<int> ForecastStore::TakeSnapshots(absl::Time now) {
  const absl::CivilDay today = api::DayIn(now, zone_);
  const std::string today_text = api::DateText(today);
  int taken = 0;
  for (const api::Period& period : {api::MonthOf(today), api::QuarterOf(today)}) {
    bool took = false;
    CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
      took = false;
      CRM_ASSIGN_OR_RETURN(uint64_t claimed,
                           tx.Execute(sql::kClaimSnapshot,
                                      {period.key, today_text, db::FormatDateTime(now)}));
      if (claimed == 0) return absl::OkStatus();  // another replica took it
      std::map<std::pair<std::string, std::string>, Totals> totals;  // (owner, currency)
      CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kSnapshotTotals, PeriodBounds(period)));
      for (const db::Row& row : rows) {
        AddGroup(totals[{row.Str(0), row.Str(1)}], row.Int(2), row.Int(3), row.Int(4), row.Int(5),
                 row.Int(6));
      }
      CRM_ASSIGN_OR_RETURN(db::Rows quotas, tx.Query(sql::kSnapshotQuotas, {period.key}));
      for (const db::Row& row : quotas) totals[{row.Str(0), row.Str(1)}].quota = row.Int(2);
      for (const auto& [key, t] : totals) {
        CRM_RETURN_IF_ERROR(tx.Execute(sql::kInsertSnapshot,
                                       {period.key, key.first, today_text, key.second,
                                        t.closed_won, t.commit, t.best_case, t.pipeline,
                                        t.weighted, t.quota, t.won_count, t.open_count})
                                .status());
      }
      took = true;
      return absl::OkStatus();
    }));
    if (took) ++taken;
  }
  return taken;
}

absl::StatusOr<std::vector<v1::ForecastSnapshot>> ForecastStore::Snapshots(
    const std::vector<std::string>& owners, const api::Period& period) {
  std::vector<v1::ForecastSnapshot> snapshots;
  if (owners.empty()) return snapshots;
  std::vector<db::Value> params = {period.key};
  const std::string query =
      absl::StrCat(sql::kSelectSnapshots, OwnersIn("s.owner", owners, params), sql::kSnapshotOrder);
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(query, params));
  for (const db::Row& row : rows) {
    const std::optional<absl::CivilDay> day = api::ParseDateText(row.Str(0));
    if (!day) continue;
    if (snapshots.empty() || snapshots.back().snapshot_date().day() != day->day() ||
        snapshots.back().snapshot_date().month() != day->month() ||
        snapshots.back().snapshot_date().year() != day->year()) {
      v1::ForecastSnapshot& s = snapshots.emplace_back();
      *s.mutable_snapshot_date() = api::ToDate(*day);
      s.set_period(period.key);
    }
    Totals t{.closed_won = row.Int(2),
             .commit = row.Int(3),
             .best_case = row.Int(4),
             .pipeline = row.Int(5),
             .weighted = row.Int(6),
             .quota = row.Int(7),
             .won_count = row.Int(8),
             .open_count = row.Int(9)};
    *snapshots.back().add_currencies() = ToForecast(row.Str(1), t);
  }
  return snapshots;
}

}  // namespace crm::opportunities
