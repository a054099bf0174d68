#include "services/analytics/funnel_store.h"

#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "libs/api/money.h"
#include "libs/grpc/status.h"
#include "services/analytics/funnel_model.h"
#include "services/analytics/funnel_sql.h"
#include "services/analytics/report_store.h"

namespace crm::analytics {
namespace {

namespace opps = opportunities::v1;

// `head` (its own values already in `params`) + "(<the caller's rule on column>)", the owner
// filter when there is one, and `tail`.
std::string Scoped(const char* head, const records::Access& access, const std::string& column,
                   const std::string& owner, const char* tail, std::vector<db::Value>& params) {
  const api::SqlFragment rule = access.Rows(auth::Operation::kRead, column);
  std::string statement = absl::StrCat(head, "(", rule.sql, ")");
  params.insert(params.end(), rule.params.begin(), rule.params.end());
  if (!owner.empty()) {
    absl::StrAppend(&statement, " AND ", column, " = ?");
    params.push_back(owner);
  }
  absl::StrAppend(&statement, tail);
  return statement;
}

// The same over a cube (schema/008) aliased `alias`, whose period conditions `head` holds: a
// caller who sees every figure and names no owner reads the rows for everyone, the others the
// rows of the owners their rule lets through (narrowed to the owner named).
std::string CubeScoped(const char* head, const records::Access& access, const std::string& alias,
                       const std::string& owner, const char* tail, std::vector<db::Value>& params) {
  if (access.rules().ScopeFor(access.principal(), auth::Operation::kRead) == auth::Scope::kAll &&
      owner.empty()) {
    return absl::StrCat(head, alias, sql::kCubeEveryone, tail);
  }
  const std::string owners = absl::StrCat(head, alias, sql::kCubeOwners);
  return Scoped(owners.c_str(), access, alias + ".owner", owner, tail, params);
}

// The cubes' periods for [first, last]: whole months, then the cut days before and after.
std::vector<db::Value> CubePeriods(absl::CivilDay first, absl::CivilDay last) {
  const CubeRanges r = SplitPeriod(first, last, /*daily=*/false);
  return {api::DateText(r.months_first), api::DateText(r.months_last), api::DateText(r.head_first),
          api::DateText(r.head_last),    api::DateText(r.tail_first),  api::DateText(r.tail_last)};
}

// n * num / den rounded half away from zero, for n, num, den >= 0 (den > 0).
int64_t MulDivRounded(int64_t n, int64_t num, int64_t den) {
  const __int128 wide = static_cast<__int128>(n) * num * 2 + den;
  return static_cast<int64_t>(wide / (static_cast<__int128>(den) * 2));
}

// One stage step's figures summed over currencies.
struct StageSums {
  int64_t entries = 0, advanced = 0, left = 0, seconds = 0;
  int64_t buckets[kBuckets] = {};
  std::map<std::string, int64_t> amounts;  // currency → amount entering
};

// The bottleneck (FunnelStep.bottleneck): lowest conversion, then longer p90, then earlier.
void FlagBottleneck(v1::FunnelReport& report, int min_entries) {
  int best = -1;
  for (int i = 0; i < report.steps_size(); ++i) {
    const v1::FunnelStep& step = report.steps(i);
    if (step.kind() == v1::WON || step.entries() < min_entries) continue;
    if (best >= 0) {
      const v1::FunnelStep& b = report.steps(best);
      const auto key = [](const v1::FunnelStep& s) {
        // Open-ended p90 is longer than any bounded one.
        return std::make_tuple(-s.conversion_bp(), s.p90_open_ended(), s.p90_seconds());
      };
      if (key(step) <= key(b)) continue;
    }
    best = i;
  }
  if (best >= 0) report.mutable_steps(best)->set_bottleneck(true);
}

// Totals of one owner (or everyone) in one currency, in minor units.
struct Figures {
  int64_t closed = 0, commit = 0, best_case = 0, pipeline = 0, weighted = 0, quota = 0;
  int64_t won = 0, open = 0;
};

void Add(Figures& to, const Figures& f) {
  to.closed += f.closed;
  to.commit += f.commit;
  to.best_case += f.best_case;
  to.pipeline += f.pipeline;
  to.weighted += f.weighted;
  to.quota += f.quota;
  to.won += f.won;
  to.open += f.open;
}

v1::ForecastFigures ToProto(const std::string& owner, const std::string& currency, const Figures& f,
                            const ForecastQuery& query) {
  v1::ForecastFigures out;
  out.set_owner(owner);
  out.set_currency_code(currency);
  *out.mutable_closed() = api::FromMinorUnits(currency, f.closed);
  *out.mutable_commit() = api::FromMinorUnits(currency, f.commit);
  *out.mutable_best_case() = api::FromMinorUnits(currency, f.best_case);
  *out.mutable_pipeline() = api::FromMinorUnits(currency, f.pipeline);
  *out.mutable_weighted() = api::FromMinorUnits(currency, f.weighted);
  *out.mutable_quota() = api::FromMinorUnits(currency, f.quota);
  out.set_attainment_bp(BasisPoints(f.closed, f.quota));
  *out.mutable_projection() =
      api::FromMinorUnits(currency, Projection(f.closed, query.period, query.today));
  out.set_won_count(f.won);
  out.set_open_count(f.open);
  return out;
}

// Adds `deals` and `amount` to the row of `key` and `currency` (amount unset without one).
void AddLoss(std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>>& rows,
             const std::string& key, const std::string& currency, int64_t amount, int64_t deals) {
  auto& [sum, count] = rows[{key, currency}];
  sum += amount;
  count += deals;
}

void LossRows(
    const std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>>& rows,
    google::protobuf::RepeatedPtrField<v1::WinLossRow>* out) {
  for (const auto& [key, sums] : rows) {
    v1::WinLossRow& row = *out->Add();
    row.set_key(key.first);
    if (!key.second.empty()) *row.mutable_amount() = api::FromMinorUnits(key.second, sums.first);
    row.set_deals(sums.second);
  }
}

void SetRate(v1::WinRate& rate) {
  rate.set_win_rate_bp(BasisPoints(rate.won(), rate.won() + rate.lost()));
}

}  // namespace

int64_t P90Seconds(const int64_t (&buckets)[10], bool* open_ended) {
  *open_ended = false;
  int64_t total = 0;
  for (int64_t count : buckets) total += count;
  if (total == 0) return 0;
  const int64_t rank = (total * 9 + 9) / 10;  // ceil(0.9 n)
  int64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += buckets[b];
    if (seen < rank) continue;
    if (b < static_cast<int>(kBucketBounds.size())) return kBucketBounds[b];
    break;
  }
  *open_ended = true;
  return kBucketBounds.back();
}

int32_t BasisPoints(int64_t part, int64_t whole) {
  if (whole <= 0 || part < 0) return 0;
  return static_cast<int32_t>(MulDivRounded(part, 10000, whole));
}

int64_t Projection(int64_t closed, const api::Period& period, absl::CivilDay today) {
  if (today < period.first || today >= period.last || closed <= 0) return closed;
  const int64_t days = period.last - period.first + 1;
  const int64_t elapsed = today - period.first + 1;
  return MulDivRounded(closed, days, elapsed);
}

absl::StatusOr<v1::FunnelReport> FunnelStore::Funnel(const records::Access& access,
                                                     const FunnelQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  v1::FunnelReport report;
  std::string pipeline = query.pipeline;
  if (pipeline.empty()) {
    CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kDefaultPipeline, {}));
    if (!rows.empty()) pipeline = rows[0].Str(0);
  }
  CRM_ASSIGN_OR_RETURN(db::Rows stages, session->Query(sql::kPipelineStages, {pipeline}));
  if (!query.pipeline.empty() && stages.empty()) {
    return Error(absl::StatusCode::kNotFound, "PIPELINE_NOT_FOUND",
                 absl::StrCat(query.pipeline, " is not known to analytics"));
  }
  report.set_pipeline(pipeline);

  // The period: the cubes' whole months and cut days, or the daily rows' first and last day.
  const std::vector<db::Value> periods =
      query.daily_rows
          ? std::vector<db::Value>{api::DateText(query.first), api::DateText(query.last)}
          : CubePeriods(query.first, query.last);
  std::vector<db::Value> params = periods;
  const std::string leads_sql = query.daily_rows
                                    ? Scoped(sql::kFunnelLeads, access, "l.owner", query.owner,
                                             sql::kFunnelLeadsGroup, params)
                                    : CubeScoped(sql::kFunnelLeadCube, access, "l", query.owner,
                                                 sql::kFunnelLeadsGroup, params);
  CRM_ASSIGN_OR_RETURN(db::Rows leads, session->Query(leads_sql, params));
  std::map<int64_t, int64_t> by_step;  // lead_daily step → leads
  for (const db::Row& row : leads) by_step[row.Int(0)] = row.Int(1);

  params = {pipeline};
  params.insert(params.end(), periods.begin(), periods.end());
  const std::string stages_sql = query.daily_rows
                                     ? Scoped(sql::kFunnelStages, access, "s.owner", query.owner,
                                              sql::kFunnelStagesGroup, params)
                                     : CubeScoped(sql::kFunnelStageCube, access, "s", query.owner,
                                                  sql::kFunnelStagesGroup, params);
  CRM_ASSIGN_OR_RETURN(db::Rows stays, session->Query(stages_sql, params));
  std::map<std::string, StageSums> sums;
  for (const db::Row& row : stays) {
    StageSums& s = sums[row.Str(0)];
    s.entries += row.Int(2);
    if (!row.Str(1).empty()) s.amounts[row.Str(1)] += row.Int(3);
    s.advanced += row.Int(4);
    s.left += row.Int(5);
    s.seconds += row.Int(6);
    for (int b = 0; b < kBuckets; ++b) s.buckets[b] += row.Int(7 + b);
  }

  v1::FunnelStep& created = *report.add_steps();
  created.set_kind(v1::LEADS);
  created.set_entries(by_step[1]);
  created.set_advanced(by_step[2]);
  v1::FunnelStep& qualified = *report.add_steps();
  qualified.set_kind(v1::QUALIFIED_LEADS);
  qualified.set_entries(by_step[2]);
  qualified.set_advanced(by_step[3]);
  for (const db::Row& stage : stages) {
    v1::FunnelStep& step = *report.add_steps();
    const bool won = stage.Int(2) == opps::WON;
    step.set_kind(won ? v1::WON : v1::STAGE);
    step.set_stage(stage.Str(0));
    step.set_display_name(stage.Str(1));
    const StageSums& s = sums[stage.Str(0)];
    step.set_entries(s.entries);
    for (const auto& [currency, amount] : s.amounts) {
      *step.add_amounts() = api::FromMinorUnits(currency, amount);
    }
    if (!won) step.set_advanced(s.advanced);
    step.set_left_count(s.left);
    if (s.left > 0) step.set_average_seconds(MulDivRounded(s.seconds, 1, s.left));
    bool open_ended = false;
    step.set_p90_seconds(P90Seconds(s.buckets, &open_ended));
    step.set_p90_open_ended(open_ended);
  }
  for (v1::FunnelStep& step : *report.mutable_steps()) {
    step.set_conversion_bp(BasisPoints(step.advanced(), step.entries()));
  }
  FlagBottleneck(report, query.min_entries);
  return report;
}

absl::StatusOr<v1::ForecastReport> FunnelStore::Forecast(const records::Access& access,
                                                         const ForecastQuery& query) {
  const std::string first = api::DateText(query.period.first);
  const std::string last = api::DateText(query.period.last);
  std::map<std::pair<std::string, std::string>, Figures> rows;  // (owner, currency) → figures

  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  std::vector<db::Value> params = {first, last};
  std::string statement = Scoped(sql::kForecastClosed, access, "w.owner", query.owner,
                                 sql::kForecastClosedGroup, params);
  CRM_ASSIGN_OR_RETURN(db::Rows closed, session->Query(statement, params));
  for (const db::Row& row : closed) {
    Figures& f = rows[{row.Str(0), row.Str(1)}];
    f.closed += row.Int(2);
    f.won += row.Int(3);
  }

  params = {first, last};
  statement =
      Scoped(sql::kForecastOpen, access, "f.owner", query.owner, sql::kForecastOpenGroup, params);
  CRM_ASSIGN_OR_RETURN(db::Rows open, session->Query(statement, params));
  for (const db::Row& row : open) {
    Figures& f = rows[{row.Str(0), row.Str(1)}];
    const int64_t category = row.Int(2), amount = row.Int(3);
    if (category == opps::COMMIT) f.commit += amount;
    if (category == opps::BEST_CASE) f.best_case += amount;
    if (category == opps::PIPELINE) f.pipeline += amount;
    f.weighted += row.Int(4);
    f.open += row.Int(5);
  }

  params = {query.period.key};
  statement = Scoped(sql::kForecastQuotas, access, "q.owner", query.owner, "", params);
  CRM_ASSIGN_OR_RETURN(db::Rows quotas, session->Query(statement, params));
  for (const db::Row& row : quotas) rows[{row.Str(0), row.Str(1)}].quota += row.Int(2);

  v1::ForecastReport report;
  report.set_period(query.period.key);
  *report.mutable_start_date() = api::ToDate(query.period.first);
  *report.mutable_end_date() = api::ToDate(query.period.last);
  *report.mutable_as_of() = api::ToDate(query.today);
  std::map<std::string, Figures> totals;
  for (const auto& [key, figures] : rows) {
    *report.add_rows() = ToProto(key.first, key.second, figures, query);
    Add(totals[key.second], figures);
  }
  for (const auto& [currency, figures] : totals) {
    *report.add_totals() = ToProto("", currency, figures, query);
  }
  return report;
}

absl::StatusOr<v1::WinLossReport> FunnelStore::WinLoss(const records::Access& access,
                                                       const WinLossQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  std::vector<db::Value> params = {api::DateText(query.first), api::DateText(query.last)};
  const std::string statement =
      Scoped(sql::kWinLoss, access, "c.owner", query.owner, sql::kWinLossGroup, params);
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(statement, params));

  std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>> reasons, rivals;
  std::map<std::string, v1::WinRate> owners;
  v1::WinLossReport report;
  v1::WinRate& total = *report.mutable_total();
  for (const db::Row& row : rows) {
    const std::string& owner = row.Str(0);
    const std::string& currency = row.Str(1);
    const int64_t amount = row.Int(5), deals = row.Int(6);
    v1::WinRate& rate = owners[owner];
    rate.set_owner(owner);
    if (row.Int(2) == opps::WON) {
      rate.set_won(rate.won() + deals);
      total.set_won(total.won() + deals);
      continue;
    }
    rate.set_lost(rate.lost() + deals);
    total.set_lost(total.lost() + deals);
    AddLoss(reasons, row.Str(3), currency, amount, deals);
    AddLoss(rivals, row.Str(4), currency, amount, deals);
  }
  LossRows(reasons, report.mutable_by_reason());
  LossRows(rivals, report.mutable_by_competitor());
  for (auto& [owner, rate] : owners) {
    SetRate(rate);
    *report.add_owners() = rate;
  }
  SetRate(total);
  return report;
}

}  // namespace crm::analytics
