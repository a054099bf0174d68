// SQL for pipelines and their stages (pipeline_sql.h). Everyone reads pipelines; the service
// lets only admins change them. The other stores read a pipeline's stages through Load, in
// their own transactions, to check a stage change against the pipeline as it is now.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "libs/api/list.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"

namespace crm::opportunities {

struct StageInfo {
  int64_t id = 0;
  int64_t pipeline_id = 0;
  int position = 0;
  std::string display_name;
  int probability = 0;
  v1::ForecastCategory forecast_category = v1::PIPELINE;
  v1::StageType type = v1::OPEN;
};

// A pipeline's live stages, in order.
struct PipelineInfo {
  int64_t id = 0;
  std::vector<StageInfo> stages;

  // Null when `stage_id` is not a live stage of this pipeline.
  const StageInfo* Find(int64_t stage_id) const;
  // The first stage of `type` (the first open stage; the WON or the LOST stage).
  const StageInfo* First(v1::StageType type) const;
  std::vector<int64_t> OpenStageIds() const;
};

class PipelineStore final {
 public:
  PipelineStore(db::Pool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

  static const api::ListSpec& ListSpec();

  // A validated pipeline; ALREADY_EXISTS (PIPELINE_NAME_TAKEN) when the name is taken.
  absl::StatusOr<v1::Pipeline> Create(const v1::Pipeline& pipeline, std::string_view actor,
                                      const db::IdempotencyKey& key);
  // PIPELINE_NOT_FOUND when missing.
  absl::StatusOr<v1::Pipeline> Get(int64_t id);
  absl::StatusOr<api::Page<v1::Pipeline>> List(const api::ListQuery& query);
  // Locks the pipeline, checks the version, lets `mutate` change it (its error aborts), and
  // writes it back, reconciling the stages (see UpdatePipeline in the proto).
  using Mutation = std::function<absl::Status(v1::Pipeline&)>;
  absl::StatusOr<v1::Pipeline> Update(int64_t id, std::optional<int64_t> expected_version,
                                      const Mutation& mutate, std::string_view actor,
                                      const db::IdempotencyKey& key);

  // Writes PipelineCreated, as `actor`, for each pipeline not yet announced on the feed (the
  // one the schema seeds), once: replicas starting together announce it once between them.
  // Returns how many were announced.
  absl::StatusOr<int> AnnounceSeeded(std::string_view actor);

  // For the other stores, in their session: the pipeline's stages (PIPELINE_NOT_FOUND when
  // there is no such pipeline), and the default pipeline's id.
  static absl::StatusOr<PipelineInfo> Load(db::Session& session, int64_t id);
  static absl::StatusOr<int64_t> DefaultId(db::Session& session);

 private:
  absl::StatusOr<v1::Pipeline> Read(db::Session& session, int64_t id, bool lock);

  db::Pool& pool_;
  const Clock& clock_;
};

}  // namespace crm::opportunities
