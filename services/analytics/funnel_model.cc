#include "services/analytics/funnel_model.h"

#include <algorithm>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "libs/api/periods.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/events/payload.h"
#include "libs/grpc/status.h"
#include "services/analytics/cube_rows.h"
#include "services/analytics/event_types.h"
#include "services/analytics/funnel_sql.h"

namespace crm::analytics {
namespace {

namespace opps = opportunities::v1;

// lead_daily's steps.
constexpr int64_t kCreatedStep = 1;
constexpr int64_t kQualifiedStep = 2;
constexpr int64_t kConvertedStep = 3;

// The cube rows (schema/008_funnel_cube.sql) a figure of `day` and `owner` adds to: the day's
// and the month's (filed under its first day, "2026-03-17" → "2026-03-01"), for the owner
// and for everyone (owner ''); a figure without an owner adds to everyone's only, '' being
// everyone's.
struct CubeRow {
  const char* grain;
  std::string owner, period;
};

std::vector<CubeRow> CubeRows(const std::string& day, const std::string& owner) {
  const std::string month = MonthOf(day);
  std::vector<CubeRow> rows = {{"D", "", day}, {"M", "", month}};
  if (!owner.empty()) rows.insert(rows.end(), {{"D", owner, day}, {"M", owner, month}});
  return rows;
}

// What a lead adds to lead_daily, lead_cube and lead_status.
struct LeadFigures {
  std::string owner;
  int64_t status = 0;
  std::string created, qualified, converted;  // days, "" for none
};

absl::Status AddLeadStep(db::Transaction& tx, const std::string& day, const std::string& owner,
                         int64_t step, int sign) {
  if (day.empty()) return absl::OkStatus();
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kAddLeadStep, {day, owner, step, int64_t{sign}}).status());
  const std::vector<CubeRow> rows = CubeRows(day, owner);
  std::vector<db::Value> values;
  values.reserve(rows.size() * 5);
  for (const CubeRow& row : rows) {
    values.insert(values.end(), {row.grain, row.owner, row.period, step, int64_t{sign}});
  }
  CRM_RETURN_IF_ERROR(tx.Execute(MultiRowStatement(sql::kAddLeadCubeHead, sql::kLeadCubeRow, rows.size(),
                                        sql::kAddLeadCubeTail),
                                 values)
                          .status());
  if (sign > 0) return absl::OkStatus();
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kDropEmptyLeadStep, {day, owner, step}).status());
  return tx.Execute(sql::kDropEmptyLeadCube, {step, owner, day, MonthOf(day)}).status();
}

absl::Status AddLead(db::Transaction& tx, const LeadFigures& f, int sign) {
  CRM_RETURN_IF_ERROR(AddLeadStep(tx, f.created, f.owner, kCreatedStep, sign));
  CRM_RETURN_IF_ERROR(AddLeadStep(tx, f.qualified, f.owner, kQualifiedStep, sign));
  CRM_RETURN_IF_ERROR(AddLeadStep(tx, f.converted, f.owner, kConvertedStep, sign));
  if (f.status == 0) return absl::OkStatus();  // a tombstone
  return tx.Execute(sql::kAddLeadStatus, {f.status, int64_t{sign}}).status();
}

// What an open deal adds to open_forecast (month "" for nothing).
struct ForecastFigures {
  std::string month, owner, currency;
  int64_t category = 0, amount = 0, weighted = 0;
};

absl::Status AddForecast(db::Transaction& tx, const ForecastFigures& f, int sign) {
  if (f.month.empty()) return absl::OkStatus();
  CRM_RETURN_IF_ERROR(
      tx.Execute(sql::kAddForecast, {f.month, f.owner, f.currency, f.category, sign * f.amount,
                                     sign * f.weighted, int64_t{sign}})
          .status());
  if (sign > 0) return absl::OkStatus();
  return tx.Execute(sql::kDropEmptyForecast, {f.month, f.owner, f.currency, f.category}).status();
}

// What a closed deal adds to closed_daily (day "" for nothing).
struct ClosedFigures {
  std::string day, owner, currency;
  int64_t outcome = 0;
  std::string reason, competitor;
  int64_t amount = 0;
};

absl::Status AddClosed(db::Transaction& tx, const ClosedFigures& f, int sign) {
  if (f.day.empty()) return absl::OkStatus();
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kAddClosed, {f.day, f.owner, f.currency, f.outcome, f.reason,
                                                   f.competitor, sign * f.amount, int64_t{sign}})
                          .status());
  if (sign > 0) return absl::OkStatus();
  return tx
      .Execute(sql::kDropEmptyClosed,
               {f.day, f.owner, f.currency, f.outcome, f.reason, f.competitor})
      .status();
}

// One stay as kSelectStays reads it.
struct Stay {
  std::string stage, day, owner, currency;
  int64_t amount = 0, entered_us = 0;
  bool left = false, advanced = false;
  int64_t bucket = 0, seq = 0, seconds = 0;
};

Stay StayFrom(const db::Row& row) {
  return {.stage = row.Str(0),
          .day = row.Str(1),
          .owner = row.Str(2),
          .currency = row.Str(3),
          .amount = row.Int(4),
          .entered_us = row.Int(5),
          .left = row.Int(6) != 0,
          .advanced = row.Int(7) != 0,
          .bucket = row.Int(8),
          .seq = row.Int(9),
          .seconds = row.Int(10)};
}

// Adds to (sign -1: takes from) the stay's stage_daily group and its stage_cube rows (those
// of the day and month it entered): its entry, and when `left` its leaving (advanced or not,
// after its seconds, in its bucket).
absl::Status AddStay(db::Transaction& tx, const Stay& stay, bool entry, bool left, int sign) {
  const int64_t entered = entry ? sign : 0, gone = left ? sign : 0;
  std::vector<db::Value> figures;  // entries, amount, advanced, left_count, seconds, b0..b9
  figures.reserve(5 + kBuckets);
  for (int64_t number :
       {entered, entered * stay.amount, stay.advanced ? gone : 0, gone, gone * stay.seconds}) {
    figures.emplace_back(number);
  }
  for (int b = 0; b < kBuckets; ++b) figures.emplace_back(stay.bucket == b ? gone : 0);

  std::vector<db::Value> values = {stay.stage, stay.day, stay.owner, stay.currency};
  values.insert(values.end(), figures.begin(), figures.end());
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kAddStageDaily, values).status());
  const std::vector<CubeRow> rows = CubeRows(stay.day, stay.owner);
  values.clear();
  values.reserve(rows.size() * (5 + figures.size()));
  for (const CubeRow& row : rows) {
    values.insert(values.end(), {row.grain, row.owner, row.period, stay.stage, stay.currency});
    values.insert(values.end(), figures.begin(), figures.end());
  }
  CRM_RETURN_IF_ERROR(tx.Execute(MultiRowStatement(sql::kAddStageCubeHead, sql::kStageCubeRow, rows.size(),
                                        sql::kAddStageCubeTail),
                                 values)
                          .status());
  if (sign > 0) return absl::OkStatus();
  CRM_RETURN_IF_ERROR(
      tx.Execute(sql::kDropEmptyStageDaily, {stay.stage, stay.day, stay.owner, stay.currency})
          .status());
  return tx
      .Execute(sql::kDropEmptyStageCube,
               {stay.stage, stay.currency, stay.owner, stay.day, MonthOf(stay.day)})
      .status();
}

// Whether moving from stage `from` to `to` is forward: a later stage of the same pipeline
// that is not its LOST stage. Unknown stages (a pipeline event not seen) are not.
absl::StatusOr<bool> Advances(db::Transaction& tx, const std::string& from, const std::string& to) {
  CRM_ASSIGN_OR_RETURN(db::Rows a, tx.Query(sql::kSelectStagePlace, {from}));
  CRM_ASSIGN_OR_RETURN(db::Rows b, tx.Query(sql::kSelectStagePlace, {to}));
  if (a.empty() || b.empty()) return false;
  return a[0].Str(0) == b[0].Str(0) && b[0].Int(1) > a[0].Int(1) && b[0].Int(2) != opps::LOST;
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

// Records the deal's stage and pipeline unless a pipeline event (or an earlier deal) did.
absl::Status LearnStage(db::Transaction& tx, const opps::Opportunity& deal) {
  int64_t position = 0;
  if (!absl::SimpleAtoi(deal.stage().substr(deal.stage().rfind('/') + 1), &position)) {
    position = 0;
  }
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kLearnStage, {deal.stage(), deal.stage(), deal.pipeline(),
                                                    position, int64_t{deal.state()}})
                          .status());
  if (deal.pipeline().empty()) return absl::OkStatus();
  return tx.Execute(sql::kLearnPipeline, {deal.pipeline()}).status();
}

}  // namespace

int BucketOf(int64_t seconds) {
  const auto it = std::upper_bound(kBucketBounds.begin(), kBucketBounds.end(), seconds);
  // A stay of exactly a bound's length falls in the next bucket: bounds are exclusive.
  return static_cast<int>(it - kBucketBounds.begin());
}

std::vector<std::string> FunnelModel::OpportunityTypes() {
  return {kLeadCreatedEvent,      kLeadUpdatedEvent,   kLeadDeletedEvent,
          kLeadDisqualifiedEvent, kLeadConvertedEvent, kQuotaSetEvent};
}

absl::Status FunnelModel::Apply(db::Transaction& tx, const events::v1::Event& event) {
  if (absl::StartsWith(event.type(), "crm.opportunities.v1.Lead")) return ApplyLead(tx, event);
  if (absl::StartsWith(event.type(), "crm.opportunities.v1.Opportunity")) {
    return ApplyDeal(tx, event);
  }
  if (event.type() == kPipelineCreatedEvent || event.type() == kPipelineUpdatedEvent) {
    return ApplyPipeline(tx, event);
  }
  if (event.type() == kQuotaSetEvent) return ApplyQuota(tx, event);
  return absl::OkStatus();
}

absl::Status FunnelModel::ApplyLead(db::Transaction& tx, const events::v1::Event& event) {
  opps::Lead lead;
  if (!event.payload().UnpackTo(&lead)) return events::CorruptEvent(event, "lead");
  absl::StatusOr<int64_t> id = api::ParseResourceId(lead.name(), "leads");
  if (!id.ok()) return events::CorruptEvent(event, "lead's name");

  CRM_ASSIGN_OR_RETURN(db::Rows old, tx.Query(sql::kLockLead, {*id}));
  LeadFigures before;
  if (!old.empty()) {
    if (event.sequence() <= old[0].Int(0)) return absl::OkStatus();  // not newer
    before = {.owner = old[0].Str(1),
              .status = old[0].Int(2),
              .created = old[0].Str(3),
              .qualified = old[0].Str(4),
              .converted = old[0].Str(5)};
    CRM_RETURN_IF_ERROR(AddLead(tx, before, -1));
  }
  if (event.type() == kLeadDeletedEvent) {
    // A tombstone: no status, no days, only the sequence.
    return tx
        .Execute(sql::kUpsertLead,
                 {*id, event.sequence(), lead.owner(), int64_t{0}, lead.campaign(), "", "", ""})
        .status();
  }

  const std::string today = api::DateText(api::DayIn(FromTimestamp(event.time()), zone_));
  LeadFigures now{
      .owner = lead.owner(),
      .status = lead.status() == opps::LEAD_STATUS_UNSPECIFIED ? opps::NEW : lead.status()};
  now.created = lead.has_create_time()
                    ? api::DateText(api::DayIn(FromTimestamp(lead.create_time()), zone_))
                    : (before.created.empty() ? today : before.created);
  if (now.status == opps::CONVERTED) {
    now.converted = lead.has_convert_time()
                        ? api::DateText(api::DayIn(FromTimestamp(lead.convert_time()), zone_))
                        : (before.converted.empty() ? today : before.converted);
  }
  // Qualified once stays qualified, whatever happens to the lead later.
  now.qualified = before.qualified;
  if (now.qualified.empty() && now.status == opps::QUALIFIED) now.qualified = today;
  if (now.qualified.empty()) now.qualified = now.converted;
  CRM_RETURN_IF_ERROR(AddLead(tx, now, 1));
  return tx
      .Execute(sql::kUpsertLead, {*id, event.sequence(), now.owner, now.status, lead.campaign(),
                                  now.created, now.qualified, now.converted})
      .status();
}

absl::Status FunnelModel::ApplyDeal(db::Transaction& tx, const events::v1::Event& event) {
  opps::Opportunity deal;
  if (!event.payload().UnpackTo(&deal)) return events::CorruptEvent(event, "opportunity");
  absl::StatusOr<int64_t> id = api::ParseResourceId(deal.name(), "opportunities");
  if (!id.ok()) return events::CorruptEvent(event, "opportunity's name");

  CRM_ASSIGN_OR_RETURN(db::Rows old, tx.Query(sql::kLockDeal, {*id}));
  int64_t stays = 0;
  std::string stage;
  if (!old.empty()) {
    const db::Row& row = old[0];
    if (event.sequence() <= row.Int(0)) return absl::OkStatus();  // not newer
    stays = row.Int(1);
    stage = row.Str(2);
    CRM_RETURN_IF_ERROR(AddForecast(tx,
                                    {.month = row.Str(3),
                                     .owner = row.Str(4),
                                     .currency = row.Str(5),
                                     .category = row.Int(6),
                                     .amount = row.Int(7),
                                     .weighted = row.Int(8)},
                                    -1));
    CRM_RETURN_IF_ERROR(AddClosed(tx,
                                  {.day = row.Str(9),
                                   .owner = row.Str(10),
                                   .currency = row.Str(11),
                                   .outcome = row.Int(12),
                                   .reason = row.Str(13),
                                   .competitor = row.Str(14),
                                   .amount = row.Int(15)},
                                  -1));
  }
  if (event.type() == kOpportunityDeletedEvent) {
    // Its stays leave the funnel with it.
    CRM_ASSIGN_OR_RETURN(db::Rows all, tx.Query(sql::kSelectStays, {*id}));
    for (const db::Row& row : all) {
      const Stay stay = StayFrom(row);
      CRM_RETURN_IF_ERROR(AddStay(tx, stay, true, stay.left, -1));
    }
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kDeleteStays, {*id}).status());
    // A tombstone: no stays, nothing added, only the sequence.
    return tx
        .Execute(sql::kUpsertDeal,
                 {*id, event.sequence(), int64_t{0}, "", "", "", "", int64_t{0}, int64_t{0},
                  int64_t{0}, "", "", "", int64_t{0}, "", "", int64_t{0}})
        .status();
  }

  const absl::Time when = FromTimestamp(event.time());
  const std::string today = api::DateText(api::DayIn(when, zone_));
  const std::string currency = deal.amount().currency_code();
  const int64_t amount = events::CheckedMinorUnits(deal.amount()).value_or(0);

  // A new stage: the current stay ends now, a new one begins.
  if (!deal.stage().empty() && deal.stage() != stage) {
    CRM_RETURN_IF_ERROR(LearnStage(tx, deal));
    if (stays > 0) {
      CRM_ASSIGN_OR_RETURN(db::Rows current, tx.Query(sql::kSelectStay, {*id, stays}));
      if (!current.empty() && current[0].Int(6) == 0) {
        Stay stay = StayFrom(current[0]);
        stay.seconds = std::max<int64_t>(0, (Micros(when) - stay.entered_us) / 1000000);
        CRM_ASSIGN_OR_RETURN(stay.advanced, Advances(tx, stay.stage, deal.stage()));
        stay.bucket = BucketOf(stay.seconds);
        CRM_RETURN_IF_ERROR(AddStay(tx, stay, false, true, 1));
        CRM_RETURN_IF_ERROR(tx.Execute(sql::kLeaveStay, {Micros(when), int64_t{stay.advanced},
                                                         stay.seconds, stay.bucket, *id, stays})
                                .status());
      }
    }
    ++stays;
    const Stay entered{.stage = deal.stage(),
                       .day = today,
                       .owner = deal.owner(),
                       .currency = currency,
                       .amount = amount,
                       .entered_us = Micros(when),
                       .seq = stays};
    CRM_RETURN_IF_ERROR(
        tx.Execute(sql::kInsertStay, {*id, stays, entered.stage, entered.day, entered.owner,
                                      entered.currency, entered.amount, entered.entered_us})
            .status());
    CRM_RETURN_IF_ERROR(AddStay(tx, entered, true, false, 1));
    stage = deal.stage();
  }

  // Open and expected to close in a month: the forecast (OMITTED left out, as
  // ForecastService does).
  ForecastFigures forecast;
  if (deal.state() == opps::OPEN && deal.has_expected_close_date() && !currency.empty() &&
      !deal.owner().empty() && deal.forecast_category() != opps::OMITTED) {
    absl::StatusOr<absl::CivilDay> day =
        api::FromDate(deal.expected_close_date(), "expected_close_date");
    if (!day.ok()) return events::CorruptEvent(event, "expected close date");
    forecast = {.month = api::DateText(api::MonthOf(*day).first),
                .owner = deal.owner(),
                .currency = currency,
                .category = deal.forecast_category(),
                .amount = amount,
                // As Evaluation.weighted_amount: half away from zero (never negative).
                .weighted = (amount * deal.probability() + 50) / 100};
    CRM_RETURN_IF_ERROR(AddForecast(tx, forecast, 1));
  }
  // Closed: won or lost on its close date.
  ClosedFigures closed;
  if ((deal.state() == opps::WON || deal.state() == opps::LOST) && !deal.owner().empty()) {
    closed = {.day = today,
              .owner = deal.owner(),
              .currency = currency,
              .outcome = deal.state(),
              .amount = amount};
    if (deal.has_close_date()) {
      absl::StatusOr<absl::CivilDay> day = api::FromDate(deal.close_date(), "close_date");
      if (!day.ok()) return events::CorruptEvent(event, "close date");
      closed.day = api::DateText(*day);
    }
    if (deal.state() == opps::LOST) {
      closed.reason = deal.loss_reason();
      closed.competitor = deal.lost_to();
    }
    CRM_RETURN_IF_ERROR(AddClosed(tx, closed, 1));
  }
  return tx
      .Execute(
          sql::kUpsertDeal,
          {*id, event.sequence(), stays, stage, forecast.month, forecast.owner, forecast.currency,
           forecast.category, forecast.amount, forecast.weighted, closed.day, closed.owner,
           closed.currency, closed.outcome, closed.reason, closed.competitor, closed.amount})
      .status();
}

absl::Status FunnelModel::ApplyPipeline(db::Transaction& tx, const events::v1::Event& event) {
  opps::Pipeline pipeline;
  if (!event.payload().UnpackTo(&pipeline)) return events::CorruptEvent(event, "pipeline");
  if (pipeline.name().empty()) return events::CorruptEvent(event, "pipeline's name");
  CRM_RETURN_IF_ERROR(
      tx.Execute(sql::kUpsertPipeline, {pipeline.name(), int64_t{pipeline.is_default()}}).status());
  if (pipeline.is_default()) {
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kUndefaultOtherPipelines, {pipeline.name()}).status());
  }
  for (int i = 0; i < pipeline.stages_size(); ++i) {
    const opps::Stage& stage = pipeline.stages(i);
    if (stage.name().empty()) continue;
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kUpsertFunnelStage,
                                   {stage.name(), pipeline.display_name(), stage.display_name(),
                                    pipeline.name(), int64_t{i}, int64_t{stage.type()}})
                            .status());
  }
  return absl::OkStatus();
}

absl::Status FunnelModel::ApplyQuota(db::Transaction& tx, const events::v1::Event& event) {
  opps::Quota quota;
  if (!event.payload().UnpackTo(&quota)) return events::CorruptEvent(event, "quota");
  std::optional<int64_t> amount = events::CheckedMinorUnits(quota.amount());
  if (quota.owner().empty() || quota.period().empty() || !amount.has_value() ||
      quota.amount().currency_code().empty()) {
    return events::CorruptEvent(event, "owner, period and amount");
  }
  return tx
      .Execute(sql::kUpsertQuota, {quota.owner(), event.sequence(), quota.period(),
                                   quota.amount().currency_code(), *amount})
      .status();
}

absl::Status FunnelModel::Reset(db::Transaction& tx, std::string_view feed) {
  if (feed != "opportunities") return absl::OkStatus();
  for (const char* statement : sql::kClearFunnel) {
    CRM_RETURN_IF_ERROR(tx.Execute(statement, {}).status());
  }
  return absl::OkStatus();
}

}  // namespace crm::analytics
