#include "services/opportunities/opportunity_store.h"

#include <google/protobuf/empty.pb.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/db/lists.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "libs/records/page.h"
#include "services/opportunities/event_types.h"
#include "services/opportunities/opportunity_sql.h"
#include "libs/api/periods.h"
#include "services/opportunities/pipeline_store.h"
#include "services/opportunities/rules.h"
#include "services/opportunities/validation.h"
#include "services/opportunities/win_model.h"

namespace crm::opportunities {

struct OpportunityRecord {
  v1::Opportunity api;  // as clients see it; the evaluation is filled on the way out
  int64_t id = 0;
  int64_t version = 0;
  int64_t pipeline_id = 0;
  int64_t stage_id = 0;
  bool forecast_overridden = false;
  CustomerFacts customer;
  int64_t closed_from = 0;       // closed: the open stage it closed from
  std::string closed_features;   // closed: what it was counted under (win_model.h)
};

namespace {

constexpr char kOpportunities[] = "opportunities";
constexpr char kOwnerField[] = "opportunity.owner";
constexpr int64_t kKindOpportunity = 2;  // customer_repoints.record_kind

// Amounts are validated before they get here; the checker only converts.
int64_t MinorOf(const common::v1::Money& money) {
  Violations ignored;
  api::FieldChecker check(ignored, "");
  return api::ToMinorUnits(money, check, "amount").value_or(0);
}

int64_t WholeUnits(std::string_view currency, int64_t minor) {
  int64_t scale = 1;
  for (int i = api::CurrencyDigits(currency).value_or(0); i > 0; --i) scale *= 10;
  return minor / scale;
}

// amount x probability / 100, half away from zero (amounts are never negative). The forecast
// sums the same expression in SQL (forecast_sql.h).
int64_t Weighted(int64_t minor, int probability) { return (minor * probability + 50) / 100; }

absl::CivilDay Day(const google::type::Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

absl::Time TimeOf(const google::protobuf::Timestamp& ts) { return FromTimestamp(ts); }

std::string CompetitorsBlob(const v1::Opportunity& o) {
  v1::Opportunity only;
  *only.mutable_competitors() = o.competitors();
  return only.SerializeAsString();
}

DealFeatures FeaturesOf(const v1::Opportunity& o, int64_t stage_id, const CustomerFacts& customer) {
  DealFeatures f;
  f.stage_id = stage_id;
  f.source = o.source();
  f.industry = customer.industry;
  f.size_band = customer.size_band;
  if (o.has_amount()) {
    f.currency = o.amount().currency_code();
    f.amount_units = WholeUnits(f.currency, MinorOf(o.amount()));
  }
  return f;
}

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "title", .column = "o.title", .orderable = true},
          {.name = "customer", .column = "CONCAT('customers/', o.customer_id)"},
          {.name = "pipeline", .column = "CONCAT('pipelines/', o.pipeline_id)"},
          {.name = "stage",
           .column = "CONCAT('pipelines/', o.pipeline_id, '/stages/', o.stage_id)"},
          {.name = "state",
           .type = api::FieldType::kEnum,
           .column = "o.state",
           .enum_values = api::EnumValues(*v1::StageType_descriptor())},
          {.name = "owner", .column = "o.owner"},
          {.name = "creator", .column = "o.creator"},
          {.name = "source",
           .type = api::FieldType::kEnum,
           .column = "o.source",
           .enum_values = api::EnumValues(*v1::Source_descriptor(), /*with_zero=*/true)},
          {.name = "campaign", .column = "o.campaign"},
          {.name = "forecast_category",
           .type = api::FieldType::kEnum,
           .column = "o.forecast_category",
           .enum_values = api::EnumValues(*v1::ForecastCategory_descriptor())},
          {.name = "probability",
           .type = api::FieldType::kInt64,
           .column = "o.probability",
           .orderable = true},
          {.name = "amount.units",
           .type = api::FieldType::kInt64,
           .column = "o.amount_units",
           .orderable = true},
          {.name = "amount.currency_code", .column = "o.currency"},
          {.name = "expected_close_date", .column = "o.expected_close_date", .orderable = true},
          {.name = "close_date", .column = "o.close_date"},
          {.name = "customer_deleted", .type = api::FieldType::kBool, .column = "o.customer_deleted"},
          {.name = "lead", .column = "CONCAT('leads/', o.lead_id)"},
          {.name = "create_time",
           .type = api::FieldType::kTimestamp,
           .column = "o.create_time",
           .orderable = true},
          {.name = "update_time",
           .type = api::FieldType::kTimestamp,
           .column = "o.update_time",
           .orderable = true},
      },
      "o.id");
  return *fields;
}

const api::ResourceFields& HistoryFields() {
  static const auto* fields = new api::ResourceFields({}, "h.id");
  return *fields;
}

v1::StageChange StageChangeFromRow(const db::Row& row, int64_t pipeline_id) {
  v1::StageChange c;
  c.set_name(absl::StrCat("opportunities/", row.Int(1), "/stageChanges/", row.Int(0)));
  if (row.Int(2) != 0) c.set_from_stage(StageName(pipeline_id, row.Int(2)));
  c.set_to_stage(StageName(pipeline_id, row.Int(3)));
  c.set_to_stage_display_name(row.Str(4));
  c.set_to_state(static_cast<v1::StageType>(row.Int(5)));
  if (!row.Str(6).empty()) *c.mutable_amount() = api::FromMinorUnits(row.Str(6), row.Int(7));
  c.set_probability(static_cast<int32_t>(row.Int(8)));
  c.set_actor(row.Str(9));
  *c.mutable_change_time() = TimestampFromDateTime(row.Str(10));
  c.set_reason(row.Str(11));
  return c;
}

// Adds `sign` (1 or -1) to the counts of a closed deal's feature values and to the totals.
absl::Status CountClosed(db::Transaction& tx, int64_t pipeline_id,
                         const std::vector<FeatureValue>& values, bool won, int64_t sign) {
  std::vector<FeatureValue> all = values;
  all.push_back({"", ""});
  for (const auto& [feature, value] : all) {
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kCountWinStat,
                                   {pipeline_id, feature, value, won ? sign : int64_t{0},
                                    won ? int64_t{0} : sign})
                            .status());
  }
  return absl::OkStatus();
}

absl::StatusOr<WinStats> LoadWinStats(db::Session& session, int64_t pipeline_id) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(sql::kWinStatsOf, {pipeline_id}));
  WinStats stats;
  for (const db::Row& row : rows) {
    stats[{row.Str(0), row.Str(1)}] = WinCounts{.won = row.Int(2), .lost = row.Int(3)};
  }
  return stats;
}

absl::Status StageError(std::string_view reason, std::string_view message) {
  return Error(absl::StatusCode::kFailedPrecondition, reason, message);
}

}  // namespace

OpportunityStore::OpportunityStore(db::Pool& pool, const Clock& clock, absl::TimeZone zone,
                                   int64_t min_learning_sample)
    : pool_(pool),
      clock_(clock),
      zone_(zone),
      min_learning_sample_(min_learning_sample),
      opportunities_({.collection = kOpportunities,
                      .not_found_reason = "OPPORTUNITY_NOT_FOUND",
                      .owner_column = "o.owner",
                      .select_by_id = sql::kSelectOpportunityById,
                      .owner_index = sql::kOpportunityOwnerIndex,
                      .select_columns = sql::kSelectOpportunityColumns,
                      .column_count = sql::kOpportunityColumnCount,
                      .from_live = sql::kFromLiveOpportunities,
                      .marked = sql::kCampaignSourced,
                      .marked_index = sql::kOpportunityMarkedIndex}) {}

const api::ListSpec& OpportunityStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "create_time desc"};
  return spec;
}

const api::ListSpec& OpportunityStore::HistoryListSpec() {
  static const api::ListSpec spec{.fields = &HistoryFields(), .default_order = ""};
  return spec;
}


namespace {

OpportunityRecord FromRow(const db::Row& row) {
  OpportunityRecord r;
  v1::Opportunity& o = r.api;
  r.id = row.Int(0);
  r.version = row.Int(1);
  r.pipeline_id = row.Int(5);
  r.stage_id = row.Int(6);
  o.set_name(api::ResourceName(kOpportunities, r.id));
  o.set_etag(api::EtagFromVersion(r.version));
  o.set_title(row.Str(2));
  o.set_customer(api::ResourceName("customers", row.Int(3)));
  o.set_customer_deleted(row.Int(4) != 0);
  o.set_pipeline(api::ResourceName("pipelines", r.pipeline_id));
  o.set_stage(StageName(r.pipeline_id, r.stage_id));
  o.set_state(static_cast<v1::StageType>(row.Int(7)));
  if (!row.Str(8).empty()) *o.mutable_amount() = api::FromMinorUnits(row.Str(8), row.Int(9));
  o.set_probability(static_cast<int32_t>(row.Int(10)));
  o.set_probability_overridden(row.Int(11) != 0);
  o.set_forecast_category(static_cast<v1::ForecastCategory>(row.Int(12)));
  r.forecast_overridden = row.Int(13) != 0;
  if (auto day = api::ParseDateText(row.Str(14))) *o.mutable_expected_close_date() = api::ToDate(*day);
  if (auto day = api::ParseDateText(row.Str(15))) *o.mutable_close_date() = api::ToDate(*day);
  o.set_source(static_cast<v1::Source>(row.Int(16)));
  o.set_campaign(row.Str(17));
  o.set_owner(row.Str(sql::kOpportunityOwnerIndex));
  o.set_creator(row.Str(19));
  o.set_next_step(row.Str(20));
  o.set_description(row.Str(21));
  v1::Opportunity competitors;
  if (competitors.ParseFromString(row.Str(22))) {
    *o.mutable_competitors() = competitors.competitors();
  }
  db::SplitLines(row.Str(23), o.mutable_products());
  o.set_loss_reason(row.Str(24));
  o.set_lost_to(row.Str(25));
  if (row.Int(26) != 0) o.set_lead(api::ResourceName("leads", row.Int(26)));
  r.customer.industry = row.Str(27);
  r.customer.size_band = static_cast<int>(row.Int(28));
  *o.mutable_stage_enter_time() = TimestampFromDateTime(row.Str(29));
  *o.mutable_last_activity_time() = TimestampFromDateTime(row.Str(30));
  r.closed_from = row.Int(31);
  r.closed_features = row.Str(32);
  *o.mutable_create_time() = TimestampFromDateTime(row.Str(33));
  *o.mutable_update_time() = TimestampFromDateTime(row.Str(34));
  return r;
}

// The history row of entering `stage` with the record's amount and probability.
absl::Status AppendStageChange(db::Transaction& tx, const OpportunityRecord& r, int64_t from_stage,
                               const StageInfo& stage, std::string_view actor,
                               const std::string& now, std::string_view reason) {
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kLeaveStage, {now, r.id}).status());
  const std::string currency = r.api.has_amount() ? r.api.amount().currency_code() : "";
  const int64_t minor = r.api.has_amount() ? MinorOf(r.api.amount()) : 0;
  return tx.Execute(sql::kInsertStageChange,
                    {r.id, from_stage, stage.id, stage.display_name, int64_t{stage.type}, currency,
                     minor, int64_t{r.api.probability()}, std::string(actor), now,
                     std::string(reason)})
      .status();
}

// Puts `r` in `stage` as of `now`: the stage's probability and forecast category unless
// `probability` overrides the former.
void EnterStage(OpportunityRecord& r, const StageInfo& stage, std::optional<int> probability,
                absl::Time now) {
  r.stage_id = stage.id;
  r.api.set_stage(StageName(r.pipeline_id, stage.id));
  r.api.set_state(stage.type);
  r.api.set_probability(probability.value_or(stage.probability));
  r.api.set_probability_overridden(probability.has_value());
  r.api.set_forecast_category(stage.forecast_category);
  r.forecast_overridden = false;
  *r.api.mutable_stage_enter_time() = ToTimestamp(now);
  *r.api.mutable_last_activity_time() = ToTimestamp(now);
}

}  // namespace

absl::StatusOr<OpportunityRecord> OpportunityStore::ReadUnchecked(db::Session& session,
                                                                  int64_t id) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(sql::kSelectOpportunityById, {id}));
  if (rows.empty()) {
    return Error(absl::StatusCode::kNotFound, "OPPORTUNITY_NOT_FOUND",
                 absl::StrCat("opportunities/", id, " does not exist"));
  }
  return FromRow(rows[0]);
}

absl::Status OpportunityStore::Evaluate(db::Session& session,
                                        std::vector<OpportunityRecord*> records) {
  struct Model {
    PipelineInfo pipeline;
    WinStats stats;
  };
  std::map<int64_t, Model> models;
  for (OpportunityRecord* r : records) {
    v1::Evaluation& e = *r->api.mutable_evaluation();
    if (r->api.has_amount()) {
      *e.mutable_weighted_amount() = api::FromMinorUnits(
          r->api.amount().currency_code(), Weighted(MinorOf(r->api.amount()), r->api.probability()));
    }
    if (r->api.state() != v1::OPEN) {
      e.set_basis(v1::Evaluation::CLOSED);
      e.set_learned_probability(r->api.state() == v1::WON ? 100 : 0);
      continue;
    }
    auto it = models.find(r->pipeline_id);
    if (it == models.end()) {
      Model model;
      CRM_ASSIGN_OR_RETURN(model.pipeline, PipelineStore::Load(session, r->pipeline_id));
      CRM_ASSIGN_OR_RETURN(model.stats, LoadWinStats(session, r->pipeline_id));
      it = models.emplace(r->pipeline_id, std::move(model)).first;
    }
    const StageInfo* stage = it->second.pipeline.Find(r->stage_id);
    const WinEstimate estimate =
        EstimateWin(PredictionValues(FeaturesOf(r->api, r->stage_id, r->customer)),
                    it->second.stats, stage != nullptr ? stage->probability : r->api.probability(),
                    min_learning_sample_);
    e.set_learned_probability(estimate.probability);
    e.set_basis(estimate.basis);
    e.set_sample_size(static_cast<int32_t>(estimate.sample_size));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Opportunity> OpportunityStore::Evaluated(db::Session& session, int64_t id) {
  CRM_ASSIGN_OR_RETURN(OpportunityRecord r, ReadUnchecked(session, id));
  CRM_RETURN_IF_ERROR(Evaluate(session, {&r}));
  return std::move(r.api);
}

absl::Status OpportunityStore::WriteRecord(db::Transaction& tx, const records::Access* access,
                                           const OpportunityRecord& r) {
  const v1::Opportunity& o = r.api;
  const std::string currency = o.has_amount() ? o.amount().currency_code() : "";
  const int64_t minor = o.has_amount() ? MinorOf(o.amount()) : 0;
  CRM_ASSIGN_OR_RETURN(int64_t customer_id, api::ParseResourceId(o.customer(), "customers"));
  const db::Value close_date =
      o.has_close_date() ? db::Value(api::DateText(Day(o.close_date()))) : db::Value();
  std::vector<db::Value> params = {
      o.title(),
      customer_id,
      r.stage_id,
      int64_t{o.state()},
      currency,
      minor,
      WholeUnits(currency, minor),
      int64_t{o.probability()},
      int64_t{o.probability_overridden()},
      int64_t{o.forecast_category()},
      int64_t{r.forecast_overridden},
      api::DateText(Day(o.expected_close_date())),
      close_date,
      int64_t{o.source()},
      o.campaign(),
      o.owner(),
      o.next_step(),
      o.description(),
      CompetitorsBlob(o),
      db::JoinLines(o.products()),
      o.loss_reason(),
      o.lost_to(),
      r.customer.industry,
      int64_t{r.customer.size_band},
      db::FormatDateTime(TimeOf(o.stage_enter_time())),
      db::FormatDateTime(TimeOf(o.last_activity_time())),
      r.closed_from,
      r.closed_features,
      db::FormatDateTime(clock_.Now()),
      r.id};
  if (access != nullptr) return opportunities_.Write(tx, *access, sql::kUpdateOpportunity, params);
  return tx.Execute(std::string(sql::kUpdateOpportunity), params).status();
}

absl::StatusOr<v1::Opportunity> OpportunityStore::Create(const records::Access& access,
                                                         const NewOpportunity& input,
                                                         const db::IdempotencyKey& key) {
  // Creating an opportunity for someone else is the same as moving it to them. Checked before
  // the transaction: an admin's choice is looked up in the auth service.
  const std::string& owner = input.opportunity.owner();
  if (owner != access.actor()) {
    CRM_RETURN_IF_ERROR(access.CheckOwnerChange(owner, owner, kOwnerField));
  }
  return db::IdempotentWrite<v1::Opportunity>(
      pool_, key, [&](db::Transaction& tx, v1::Opportunity& created) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(created, Insert(tx, access, input));
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Opportunity> OpportunityStore::Insert(db::Transaction& tx,
                                                         const records::Access& access,
                                                         const NewOpportunity& input) {
  const v1::Opportunity& o = input.opportunity;
  // The pipeline: the stage's, else the one named, else the default.
  int64_t pipeline_id = 0;
  int64_t stage_id = 0;
  if (!o.stage().empty()) {
    CRM_ASSIGN_OR_RETURN(auto parts, ParseStageName(o.stage(), "opportunity.stage"));
    pipeline_id = parts.first;
    stage_id = parts.second;
  }
  if (!o.pipeline().empty()) {
    CRM_ASSIGN_OR_RETURN(int64_t named,
                         api::ParseResourceId(o.pipeline(), "pipelines", "opportunity.pipeline"));
    if (pipeline_id != 0 && named != pipeline_id) {
      return InvalidField("opportunity.stage", "is not a stage of opportunity.pipeline");
    }
    pipeline_id = named;
  }
  if (pipeline_id == 0) {
    CRM_ASSIGN_OR_RETURN(pipeline_id, PipelineStore::DefaultId(tx));
  }
  absl::StatusOr<PipelineInfo> pipeline = PipelineStore::Load(tx, pipeline_id);
  if (absl::IsNotFound(pipeline.status())) {
    return InvalidField(o.stage().empty() ? "opportunity.pipeline" : "opportunity.stage",
                        "is not an existing pipeline");
  }
  CRM_RETURN_IF_ERROR(pipeline.status());
  const StageInfo* stage =
      stage_id != 0 ? pipeline->Find(stage_id) : pipeline->First(v1::OPEN);
  if (stage == nullptr || stage->type != v1::OPEN) {
    return InvalidField("opportunity.stage", "must be an open stage of the pipeline");
  }

  const absl::Time now = clock_.Now();
  const std::string now_text = db::FormatDateTime(now);
  OpportunityRecord r;
  r.api = o;
  r.api.clear_evaluation();
  r.pipeline_id = pipeline_id;
  r.customer = input.customer;
  const bool probability_given = o.has_probability();
  EnterStage(r, *stage, probability_given ? std::optional<int>(o.probability()) : std::nullopt,
             now);
  if (o.forecast_category() != v1::FORECAST_CATEGORY_UNSPECIFIED) {
    r.api.set_forecast_category(o.forecast_category());
    r.forecast_overridden = o.forecast_category() != stage->forecast_category;
  }
  if (!o.has_expected_close_date()) {
    *r.api.mutable_expected_close_date() = api::ToDate(api::QuarterOf(api::DayIn(now, zone_)).last);
  }
  if (o.has_last_activity_time()) *r.api.mutable_last_activity_time() = o.last_activity_time();

  const v1::Opportunity& w = r.api;
  const std::string currency = w.has_amount() ? w.amount().currency_code() : "";
  const int64_t minor = w.has_amount() ? MinorOf(w.amount()) : 0;
  CRM_ASSIGN_OR_RETURN(int64_t customer_id,
                       api::ParseResourceId(w.customer(), "customers", "opportunity.customer"));
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query(sql::kInsertOpportunity,
               {w.title(), customer_id, pipeline_id, stage->id, int64_t{v1::OPEN}, currency, minor,
                WholeUnits(currency, minor), int64_t{w.probability()},
                int64_t{w.probability_overridden()}, int64_t{w.forecast_category()},
                int64_t{r.forecast_overridden}, api::DateText(Day(w.expected_close_date())),
                int64_t{w.source()}, w.campaign(), w.owner(), access.actor(), w.next_step(),
                w.description(), CompetitorsBlob(w), db::JoinLines(w.products()), input.lead_id,
                r.customer.industry, int64_t{r.customer.size_band},
                db::FormatDateTime(TimeOf(w.stage_enter_time())),
                db::FormatDateTime(TimeOf(w.last_activity_time())), now_text, now_text}));
  r.id = rows.at(0).Int(0);
  CRM_RETURN_IF_ERROR(AppendStageChange(tx, r, 0, *stage, access.actor(), now_text, ""));
  CRM_ASSIGN_OR_RETURN(v1::Opportunity created, Evaluated(tx, r.id));
  CRM_RETURN_IF_ERROR(events::Append(
      tx, {.type = kOpportunityCreatedEvent, .resource = created.name(), .actor = access.actor()},
      created));
  return created;
}

absl::StatusOr<v1::Opportunity> OpportunityStore::Get(const records::Access& access, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Row row, opportunities_.Get(*session, access, id));
  OpportunityRecord r = FromRow(row);
  CRM_RETURN_IF_ERROR(Evaluate(*session, {&r}));
  return std::move(r.api);
}

absl::StatusOr<api::Page<v1::Opportunity>> OpportunityStore::List(const records::Access& access,
                                                                  const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(api::Page<OpportunityRecord> page,
                       opportunities_.List<OpportunityRecord>(*session, access, query, FromRow));
  std::vector<OpportunityRecord*> records;
  for (OpportunityRecord& r : page.items) records.push_back(&r);
  CRM_RETURN_IF_ERROR(Evaluate(*session, records));
  api::Page<v1::Opportunity> out{.last_key = std::move(page.last_key), .has_more = page.has_more};
  for (OpportunityRecord& r : page.items) out.items.push_back(std::move(r.api));
  return out;
}

absl::StatusOr<v1::Opportunity> OpportunityStore::Update(
    const records::Access& access, int64_t id, std::optional<int64_t> expected_version,
    const Mutation& mutate, const std::optional<CustomerFacts>& new_customer,
    const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Opportunity>(
      pool_, key, [&](db::Transaction& tx, v1::Opportunity& result) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, opportunities_.Lock(tx, access, id));
        const OpportunityRecord current = FromRow(row);
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.api.name(), current.version, expected_version));
        OpportunityRecord r = current;
        CRM_RETURN_IF_ERROR(mutate(r.api));
        v1::Opportunity& o = r.api;
        const bool closed = current.api.state() != v1::OPEN;
        const bool probability_changed = o.has_probability() != current.api.has_probability() ||
                                         o.probability() != current.api.probability();
        const bool forecast_changed =
            o.forecast_category() != current.api.forecast_category();
        if (closed && (probability_changed || forecast_changed)) {
          return StageError("OPPORTUNITY_CLOSED",
                            "a closed opportunity keeps its probability and forecast category");
        }
        if (probability_changed || forecast_changed) {
          CRM_ASSIGN_OR_RETURN(PipelineInfo pipeline, PipelineStore::Load(tx, r.pipeline_id));
          const StageInfo* stage = pipeline.Find(r.stage_id);
          if (stage == nullptr) return absl::InternalError("an opportunity outside its pipeline");
          if (probability_changed) {
            o.set_probability_overridden(o.has_probability());
            if (!o.has_probability()) o.set_probability(stage->probability);
          }
          if (forecast_changed) {
            r.forecast_overridden = o.forecast_category() != v1::FORECAST_CATEGORY_UNSPECIFIED;
            if (!r.forecast_overridden) o.set_forecast_category(stage->forecast_category);
          }
        }
        if (!o.has_expected_close_date()) {
          return InvalidField("opportunity.expected_close_date", "is required");
        }
        if (o.customer() != current.api.customer()) {
          if (!new_customer) return absl::InternalError("a new customer without its facts");
          r.customer = *new_customer;
          o.set_customer_deleted(false);
        }
        // What the caller changed (compared before the etag and update_time every update moves).
        std::vector<std::string> changed = api::ChangedPaths(current.api, o);
        if (o.owner() != current.api.owner()) {
          CRM_RETURN_IF_ERROR(access.CheckOwnerChange(current.api.owner(), o.owner(), kOwnerField));
        }
        CRM_RETURN_IF_ERROR(WriteRecord(tx, &access, r));
        CRM_ASSIGN_OR_RETURN(result, Evaluated(tx, id));
        return events::Append(tx,
                              {.type = kOpportunityUpdatedEvent,
                               .resource = result.name(),
                               .actor = access.actor(),
                               .changed_paths = std::move(changed)},
                              result);
      });
}

absl::Status OpportunityStore::Delete(const records::Access& access, int64_t id,
                                      std::optional<int64_t> expected_version,
                                      const db::IdempotencyKey& key) {
  return db::IdempotentWrite<google::protobuf::Empty>(
             pool_, key,
             [&](db::Transaction& tx, google::protobuf::Empty&) -> absl::Status {
               CRM_ASSIGN_OR_RETURN(db::Row row, opportunities_.Lock(tx, access, id));
               const OpportunityRecord current = FromRow(row);
               CRM_RETURN_IF_ERROR(
                   api::CheckVersion(current.api.name(), current.version, expected_version));
               // A deleted deal no longer teaches the model.
               if (current.api.state() != v1::OPEN) {
                 CRM_RETURN_IF_ERROR(CountClosed(tx, current.pipeline_id,
                                                 DecodeFeatureValues(current.closed_features),
                                                 current.api.state() == v1::WON, -1));
               }
               const std::string now = db::FormatDateTime(clock_.Now());
               CRM_RETURN_IF_ERROR(opportunities_.Write(tx, access, sql::kSoftDeleteOpportunity,
                                                        {now, now, id}));
               return events::Append(tx,
                                     {.type = kOpportunityDeletedEvent,
                                      .resource = current.api.name(),
                                      .actor = access.actor()},
                                     current.api);
             })
      .status();
}

absl::StatusOr<v1::Opportunity> OpportunityStore::Move(const records::Access& access, int64_t id,
                                                       std::optional<int64_t> expected_version,
                                                       const StageMove& move,
                                                       std::string_view stage_field,
                                                       const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Opportunity>(
      pool_, key, [&](db::Transaction& tx, v1::Opportunity& result) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, opportunities_.Lock(tx, access, id));
        OpportunityRecord r = FromRow(row);
        CRM_RETURN_IF_ERROR(api::CheckVersion(r.api.name(), r.version, expected_version));
        CRM_ASSIGN_OR_RETURN(PipelineInfo pipeline, PipelineStore::Load(tx, r.pipeline_id));
        const bool open = r.api.state() == v1::OPEN;
        const int64_t from_stage = r.stage_id;
        const absl::Time now = clock_.Now();
        const std::string now_text = db::FormatDateTime(now);

        // The target stage, and whether this transition is allowed from here.
        const StageInfo* target = nullptr;
        auto open_stage_named = [&](int64_t stage_id) -> absl::StatusOr<const StageInfo*> {
          const StageInfo* stage = pipeline.Find(stage_id);
          if (stage == nullptr || move.stage_pipeline_id != r.pipeline_id) {
            return InvalidField(stage_field, "is not a stage of the opportunity's pipeline");
          }
          return stage;
        };
        switch (move.kind) {
          case StageMove::kAdvance: {
            if (!open) return StageError("OPPORTUNITY_CLOSED", "the opportunity is closed; reopen it first");
            CRM_ASSIGN_OR_RETURN(target, open_stage_named(move.stage_id));
            if (target->type != v1::OPEN) {
              return StageError("CLOSING_STAGE", "close an opportunity with CloseWon or CloseLost");
            }
            if (target->id == r.stage_id) {
              return StageError("SAME_STAGE", "the opportunity is in this stage already");
            }
            break;
          }
          case StageMove::kWon:
          case StageMove::kLost: {
            if (!open) return StageError("OPPORTUNITY_CLOSED", "the opportunity is closed already");
            target = pipeline.First(move.kind == StageMove::kWon ? v1::WON : v1::LOST);
            if (target == nullptr) return absl::InternalError("a pipeline without a closing stage");
            break;
          }
          case StageMove::kReopen: {
            if (open) return StageError("OPPORTUNITY_OPEN", "only a closed opportunity is reopened");
            if (move.stage_id != 0) {
              CRM_ASSIGN_OR_RETURN(target, open_stage_named(move.stage_id));
              if (target->type != v1::OPEN) {
                return StageError("REOPEN_TO_CLOSED_STAGE", "reopen into an open stage");
              }
            } else {
              target = pipeline.Find(r.closed_from);
              if (target == nullptr || target->type != v1::OPEN) target = pipeline.First(v1::OPEN);
            }
            break;
          }
        }

        const std::string event_type =
            move.kind == StageMove::kAdvance ? kOpportunityStageChangedEvent
            : move.kind == StageMove::kWon   ? kOpportunityWonEvent
            : move.kind == StageMove::kLost  ? kOpportunityLostEvent
                                             : kOpportunityReopenedEvent;
        const v1::Opportunity before = r.api;
        if (move.kind == StageMove::kReopen) {
          // Out of the model again, with exactly what it was counted under.
          CRM_RETURN_IF_ERROR(CountClosed(tx, r.pipeline_id, DecodeFeatureValues(r.closed_features),
                                          r.api.state() == v1::WON, -1));
          r.closed_features.clear();
          r.closed_from = 0;
          r.api.clear_close_date();
          r.api.clear_loss_reason();
          r.api.clear_lost_to();
        }
        if (move.kind == StageMove::kWon && move.amount) {
          if (r.api.has_amount() &&
              move.amount->currency_code() != r.api.amount().currency_code()) {
            return InvalidField("amount", "must be in the opportunity's currency");
          }
          *r.api.mutable_amount() = *move.amount;
        }
        EnterStage(r, *target, move.kind == StageMove::kAdvance ? move.probability : std::nullopt,
                   now);
        if (move.kind == StageMove::kWon || move.kind == StageMove::kLost) {
          const bool won = move.kind == StageMove::kWon;
          *r.api.mutable_close_date() = api::ToDate(api::DayIn(now, zone_));
          if (!won) {
            r.api.set_loss_reason(move.reason);
            r.api.set_lost_to(move.lost_to);
          }
          const std::vector<FeatureValue> values =
              TrainingValues(FeaturesOf(r.api, from_stage, r.customer), won,
                             pipeline.OpenStageIds(), from_stage);
          CRM_RETURN_IF_ERROR(CountClosed(tx, r.pipeline_id, values, won, 1));
          r.closed_features = EncodeFeatureValues(values);
          r.closed_from = from_stage;
        }
        std::vector<std::string> changed = api::ChangedPaths(before, r.api);
        CRM_RETURN_IF_ERROR(WriteRecord(tx, &access, r));
        CRM_RETURN_IF_ERROR(AppendStageChange(tx, r, from_stage, *target, access.actor(), now_text,
                                              move.kind == StageMove::kLost ? move.reason : ""));
        CRM_ASSIGN_OR_RETURN(result, Evaluated(tx, id));
        return events::Append(tx,
                              {.type = event_type,
                               .resource = result.name(),
                               .actor = access.actor(),
                               .changed_paths = std::move(changed)},
                              result);
      });
}

absl::StatusOr<api::Page<v1::StageChange>> OpportunityStore::ListHistory(
    const records::Access& access, int64_t id, const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Row row, opportunities_.Get(*session, access, id));
  const int64_t pipeline_id = row.Int(5);
  return records::ListPage<v1::StageChange>(
      *session, sql::kSelectStageChangeColumns, sql::kStageChangeColumnCount,
      sql::kFromStageHistory, {"h.opportunity_id = ?", {id}}, query,
      [pipeline_id](const db::Row& r) { return StageChangeFromRow(r, pipeline_id); });
}

// ---- The customers feed ---------------------------------------------------------------------

absl::Status OpportunityStore::FeedUpdated(db::Transaction& tx, int64_t id, std::string_view actor,
                                           std::vector<std::string> changed) {
  CRM_ASSIGN_OR_RETURN(v1::Opportunity updated, Evaluated(tx, id));
  return events::Append(tx,
                        {.type = kOpportunityUpdatedEvent,
                         .resource = updated.name(),
                         .actor = actor,
                         .changed_paths = std::move(changed)},
                        updated);
}

absl::Status OpportunityStore::Repoint(db::Transaction& tx, int64_t survivor_id, int64_t merged_id,
                                       std::string_view actor) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kOpportunitiesOfCustomer, {merged_id}));
  const std::string now = db::FormatDateTime(clock_.Now());
  for (const db::Row& row : rows) {
    const int64_t id = row.Int(0);
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kRepointOpportunity, {survivor_id, now, id}).status());
    CRM_RETURN_IF_ERROR(
        tx.Execute(sql::kRememberRepoint, {survivor_id, merged_id, kKindOpportunity, id}).status());
    CRM_RETURN_IF_ERROR(FeedUpdated(tx, id, actor, {"customer"}));
  }
  return absl::OkStatus();
}

absl::Status OpportunityStore::Unrepoint(db::Transaction& tx, int64_t survivor_id,
                                         int64_t merged_id, std::string_view actor) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kRepointedOpportunities,
                                               {survivor_id, merged_id, survivor_id}));
  const std::string now = db::FormatDateTime(clock_.Now());
  for (const db::Row& row : rows) {
    const int64_t id = row.Int(0);
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kRepointOpportunity, {merged_id, now, id}).status());
    CRM_RETURN_IF_ERROR(FeedUpdated(tx, id, actor, {"customer"}));
  }
  return tx.Execute(sql::kForgetRepoints, {survivor_id, merged_id, kKindOpportunity}).status();
}

absl::Status OpportunityStore::FlagCustomerDeleted(db::Transaction& tx, int64_t customer_id,
                                                   std::string_view actor) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kOpenOpportunitiesOfCustomer, {customer_id}));
  const std::string now = db::FormatDateTime(clock_.Now());
  for (const db::Row& row : rows) {
    const int64_t id = row.Int(0);
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kFlagCustomerDeleted, {now, id}).status());
    CRM_RETURN_IF_ERROR(FeedUpdated(tx, id, actor, {"customer_deleted"}));
  }
  return absl::OkStatus();
}

absl::Status OpportunityStore::RefreshCustomerFacts(db::Transaction& tx, int64_t customer_id,
                                                    const CustomerFacts& facts) {
  return tx
      .Execute(sql::kRefreshCustomerFacts,
               {facts.industry, int64_t{facts.size_band}, customer_id})
      .status();
}

}  // namespace crm::opportunities
