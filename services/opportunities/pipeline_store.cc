#include "services/opportunities/pipeline_store.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "libs/records/page.h"
#include "services/opportunities/event_types.h"
#include "services/opportunities/pipeline_sql.h"
#include "services/opportunities/validation.h"

namespace crm::opportunities {
namespace {

constexpr char kPipelines[] = "pipelines";

absl::Status PipelineNotFound(int64_t id) {
  return Error(absl::StatusCode::kNotFound, "PIPELINE_NOT_FOUND",
               absl::StrCat("pipelines/", id, " does not exist"));
}

v1::Pipeline FromPipelineRow(const db::Row& row) {
  v1::Pipeline p;
  p.set_name(api::ResourceName(kPipelines, row.Int(0)));
  p.set_etag(api::EtagFromVersion(row.Int(1)));
  p.set_display_name(row.Str(2));
  p.set_is_default(row.Int(3) != 0);
  *p.mutable_create_time() = TimestampFromDateTime(row.Str(4));
  *p.mutable_update_time() = TimestampFromDateTime(row.Str(5));
  return p;
}

StageInfo StageFromRow(const db::Row& row) {
  return StageInfo{.id = row.Int(0),
                   .pipeline_id = row.Int(1),
                   .position = static_cast<int>(row.Int(2)),
                   .display_name = row.Str(3),
                   .probability = static_cast<int>(row.Int(4)),
                   .forecast_category = static_cast<v1::ForecastCategory>(row.Int(5)),
                   .type = static_cast<v1::StageType>(row.Int(6))};
}

v1::Stage ToStage(const StageInfo& info) {
  v1::Stage stage;
  stage.set_name(StageName(info.pipeline_id, info.id));
  stage.set_display_name(info.display_name);
  stage.set_probability(info.probability);
  stage.set_forecast_category(info.forecast_category);
  stage.set_type(info.type);
  return stage;
}

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {{.name = "display_name", .column = "p.display_name", .orderable = true}}, "p.id");
  return *fields;
}

absl::Status CheckNameFree(db::Session& session, const std::string& name, int64_t self) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(sql::kPipelineNamed, {name}));
  if (!rows.empty() && rows[0].Int(0) != self) {
    return Error(absl::StatusCode::kAlreadyExists, "PIPELINE_NAME_TAKEN",
                 absl::StrCat("another pipeline is called \"", name, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> CountInStage(db::Session& session, int64_t stage_id) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(sql::kOpportunitiesInStage, {stage_id}));
  return rows.empty() ? 0 : rows[0].Int(0);
}

absl::Status StageInUse(const StageInfo& stage, std::string_view what) {
  return Error(absl::StatusCode::kFailedPrecondition, "STAGE_IN_USE",
               absl::StrCat("opportunities are in stage \"", stage.display_name, "\", so it ",
                            std::string(what)));
}

// Writes `wanted` (validated; stage names, where given, checked to be this pipeline's) as the
// stages of pipeline `id`, whose live stages are `current`. Stage ids are filled in `wanted`.
absl::Status ReconcileStages(db::Transaction& tx, int64_t id, const std::vector<StageInfo>& current,
                             v1::Pipeline& wanted, const std::string& now) {
  std::map<int64_t, const StageInfo*> by_id;
  for (const StageInfo& stage : current) by_id[stage.id] = &stage;
  std::set<int64_t> kept;
  for (int i = 0; i < wanted.stages_size(); ++i) {
    v1::Stage& stage = *wanted.mutable_stages(i);
    const std::vector<db::Value> values = {int64_t{i}, stage.display_name(),
                                           int64_t{stage.probability()},
                                           int64_t{stage.forecast_category()},
                                           int64_t{stage.type()}};
    if (stage.name().empty()) {
      std::vector<db::Value> params = {id};
      params.insert(params.end(), values.begin(), values.end());
      CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kInsertStage, params));
      stage.set_name(StageName(id, rows.at(0).Int(0)));
      continue;
    }
    const std::string field = absl::StrCat("pipeline.stages[", i, "].name");
    CRM_ASSIGN_OR_RETURN(auto parts, ParseStageName(stage.name(), field));
    auto existing = by_id.find(parts.second);
    if (parts.first != id || existing == by_id.end()) {
      return InvalidField(field, "is not a stage of this pipeline");
    }
    if (!kept.insert(parts.second).second) return InvalidField(field, "is listed twice");
    if (existing->second->type != stage.type()) {
      CRM_ASSIGN_OR_RETURN(int64_t in_stage, CountInStage(tx, parts.second));
      if (in_stage > 0) return StageInUse(*existing->second, "cannot change its type");
    }
    std::vector<db::Value> params = values;
    params.push_back(parts.second);
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kUpdateStage, params).status());
  }
  for (const StageInfo& stage : current) {
    if (kept.contains(stage.id)) continue;
    CRM_ASSIGN_OR_RETURN(int64_t in_stage, CountInStage(tx, stage.id));
    if (in_stage > 0) return StageInUse(stage, "cannot be removed");
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kRemoveStage, {now, stage.id}).status());
  }
  return absl::OkStatus();
}

}  // namespace

const StageInfo* PipelineInfo::Find(int64_t stage_id) const {
  for (const StageInfo& stage : stages) {
    if (stage.id == stage_id) return &stage;
  }
  return nullptr;
}

const StageInfo* PipelineInfo::First(v1::StageType type) const {
  for (const StageInfo& stage : stages) {
    if (stage.type == type) return &stage;
  }
  return nullptr;
}

std::vector<int64_t> PipelineInfo::OpenStageIds() const {
  std::vector<int64_t> ids;
  for (const StageInfo& stage : stages) {
    if (stage.type == v1::OPEN) ids.push_back(stage.id);
  }
  return ids;
}

const api::ListSpec& PipelineStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "display_name"};
  return spec;
}

absl::StatusOr<PipelineInfo> PipelineStore::Load(db::Session& session, int64_t id) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(sql::kStagesOf, {id}));
  if (rows.empty()) return PipelineNotFound(id);  // every pipeline has stages
  PipelineInfo info{.id = id};
  for (const db::Row& row : rows) info.stages.push_back(StageFromRow(row));
  return info;
}

absl::StatusOr<int64_t> PipelineStore::DefaultId(db::Session& session) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(sql::kDefaultPipeline, {}));
  if (rows.empty()) {
    return Error(absl::StatusCode::kFailedPrecondition, "NO_DEFAULT_PIPELINE",
                 "no pipeline is the default; name one");
  }
  return rows[0].Int(0);
}

absl::StatusOr<v1::Pipeline> PipelineStore::Read(db::Session& session, int64_t id, bool lock) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session.Query(lock ? sql::kLockPipeline : sql::kSelectPipeline, {id}));
  if (rows.empty()) return PipelineNotFound(id);
  v1::Pipeline pipeline = FromPipelineRow(rows[0]);
  CRM_ASSIGN_OR_RETURN(PipelineInfo info, Load(session, id));
  for (const StageInfo& stage : info.stages) *pipeline.add_stages() = ToStage(stage);
  return pipeline;
}

absl::StatusOr<v1::Pipeline> PipelineStore::Create(const v1::Pipeline& input,
                                                   std::string_view actor,
                                                   const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Pipeline>(
      pool_, key, [&](db::Transaction& tx, v1::Pipeline& created) -> absl::Status {
        CRM_RETURN_IF_ERROR(CheckNameFree(tx, input.display_name(), 0));
        const std::string now = db::FormatDateTime(clock_.Now());
        CRM_ASSIGN_OR_RETURN(db::Rows rows,
                             tx.Query(sql::kInsertPipeline,
                                      {input.display_name(), int64_t{input.is_default()},
                                       std::string(actor), now, now}));
        const int64_t id = rows.at(0).Int(0);
        if (input.is_default()) {
          CRM_RETURN_IF_ERROR(tx.Execute(sql::kClearOtherDefaults, {now, id}).status());
        }
        v1::Pipeline wanted = input;
        for (v1::Stage& stage : *wanted.mutable_stages()) {
          if (!stage.name().empty()) {
            return InvalidField("pipeline.stages", "a new pipeline's stages have no names yet");
          }
        }
        CRM_RETURN_IF_ERROR(ReconcileStages(tx, id, {}, wanted, now));
        CRM_ASSIGN_OR_RETURN(created, Read(tx, id, /*lock=*/false));
        return events::Append(
            tx, {.type = kPipelineCreatedEvent, .resource = created.name(), .actor = actor},
            created);
      });
}

absl::StatusOr<int> PipelineStore::AnnounceSeeded(std::string_view actor) {
  int announced = 0;
  CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    announced = 0;
    // The rows stay locked to the commit, so a replica starting alongside waits and then
    // finds nothing left to announce.
    CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kUnannouncedPipelines, {}));
    for (const db::Row& row : rows) {
      CRM_ASSIGN_OR_RETURN(v1::Pipeline pipeline, Read(tx, row.Int(0), /*lock=*/false));
      CRM_RETURN_IF_ERROR(events::Append(
          tx, {.type = kPipelineCreatedEvent, .resource = pipeline.name(), .actor = actor},
          pipeline));
      CRM_RETURN_IF_ERROR(tx.Execute(sql::kMarkAnnounced, {row.Int(0)}).status());
      ++announced;
    }
    return absl::OkStatus();
  }));
  return announced;
}

absl::StatusOr<v1::Pipeline> PipelineStore::Get(int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return Read(*session, id, /*lock=*/false);
}

absl::StatusOr<api::Page<v1::Pipeline>> PipelineStore::List(const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Pipeline> page,
                       records::ListPage<v1::Pipeline>(*session, sql::kSelectPipelineColumns,
                                                       sql::kPipelineColumnCount,
                                                       sql::kFromPipelines, {}, query,
                                                       FromPipelineRow));
  if (page.items.empty()) return page;
  std::map<int64_t, v1::Pipeline*> by_id;
  std::vector<std::string> ids;
  std::vector<db::Value> params;
  for (v1::Pipeline& p : page.items) {
    const int64_t id = *api::ParseResourceId(p.name(), kPipelines);
    by_id[id] = &p;
    ids.push_back("?");
    params.push_back(id);
  }
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      session->Query(absl::StrCat(sql::kStagesOfPipelines, absl::StrJoin(ids, ", "),
                                  ") ORDER BY s.pipeline_id, s.position, s.id"),
                     params));
  for (const db::Row& row : rows) {
    const StageInfo stage = StageFromRow(row);
    *by_id.at(stage.pipeline_id)->add_stages() = ToStage(stage);
  }
  return page;
}

absl::StatusOr<v1::Pipeline> PipelineStore::Update(int64_t id,
                                                   std::optional<int64_t> expected_version,
                                                   const Mutation& mutate, std::string_view actor,
                                                   const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Pipeline>(
      pool_, key, [&](db::Transaction& tx, v1::Pipeline& updated) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(const v1::Pipeline current, Read(tx, id, /*lock=*/true));
        CRM_ASSIGN_OR_RETURN(int64_t version, api::VersionFromEtag(current.etag()));
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), version, expected_version));
        updated = current;
        CRM_RETURN_IF_ERROR(mutate(updated));
        if (current.is_default() && !updated.is_default()) {
          return InvalidField("pipeline.is_default",
                              "make another pipeline the default instead");
        }
        std::vector<std::string> changed = api::ChangedPaths(current, updated);
        CRM_RETURN_IF_ERROR(CheckNameFree(tx, updated.display_name(), id));
        const std::string now = db::FormatDateTime(clock_.Now());
        CRM_RETURN_IF_ERROR(tx.Execute(sql::kUpdatePipeline, {updated.display_name(),
                                                              int64_t{updated.is_default()}, now,
                                                              id})
                                .status());
        if (updated.is_default() && !current.is_default()) {
          CRM_RETURN_IF_ERROR(tx.Execute(sql::kClearOtherDefaults, {now, id}).status());
        }
        CRM_ASSIGN_OR_RETURN(PipelineInfo info, Load(tx, id));
        CRM_RETURN_IF_ERROR(ReconcileStages(tx, id, info.stages, updated, now));
        CRM_ASSIGN_OR_RETURN(updated, Read(tx, id, /*lock=*/false));
        return events::Append(tx,
                              {.type = kPipelineUpdatedEvent,
                               .resource = updated.name(),
                               .actor = actor,
                               .changed_paths = std::move(changed)},
                              updated);
      });
}

}  // namespace crm::opportunities
