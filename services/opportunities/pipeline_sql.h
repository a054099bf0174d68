// The pipeline store's statement texts. Every value is bound.
#pragma once

#include <cstddef>

namespace crm::opportunities::sql {

#define CRM_PIPELINE_COLUMNS \
  "p.id, p.version, p.display_name, p.is_default, p.create_time, p.update_time"
inline constexpr size_t kPipelineColumnCount = 6;
inline constexpr char kSelectPipeline[] =
    "SELECT " CRM_PIPELINE_COLUMNS " FROM pipelines p WHERE p.id = ?";
inline constexpr char kLockPipeline[] =
    "SELECT " CRM_PIPELINE_COLUMNS " FROM pipelines p WHERE p.id = ? FOR UPDATE";
inline constexpr char kSelectPipelineColumns[] = "SELECT " CRM_PIPELINE_COLUMNS;
inline constexpr char kFromPipelines[] = " FROM pipelines p WHERE TRUE";
#undef CRM_PIPELINE_COLUMNS
inline constexpr char kUnannouncedPipelines[] =
    "SELECT id FROM pipelines WHERE announced = FALSE ORDER BY id FOR UPDATE";
inline constexpr char kMarkAnnounced[] = "UPDATE pipelines SET announced = TRUE WHERE id = ?";
inline constexpr char kInsertPipeline[] =
    "INSERT INTO pipelines (display_name, is_default, creator, create_time, update_time) "
    "VALUES (?, ?, ?, ?, ?) RETURNING id";
inline constexpr char kUpdatePipeline[] =
    "UPDATE pipelines SET display_name = ?, is_default = ?, update_time = ?, "
    "version = version + 1 WHERE id = ?";
// Making one pipeline the default takes it from the others.
inline constexpr char kClearOtherDefaults[] =
    "UPDATE pipelines SET is_default = 0, update_time = ?, version = version + 1 "
    "WHERE is_default = 1 AND id <> ?";
inline constexpr char kDefaultPipeline[] =
    "SELECT id FROM pipelines WHERE is_default = 1 ORDER BY id LIMIT 1";
inline constexpr char kPipelineNamed[] = "SELECT id FROM pipelines WHERE display_name = ?";

// Live stages, in pipeline order: columns in StageFromRow's order.
#define CRM_STAGE_COLUMNS \
  "s.id, s.pipeline_id, s.position, s.display_name, s.probability, s.forecast_category, s.type"
inline constexpr char kStagesOf[] =
    "SELECT " CRM_STAGE_COLUMNS " FROM stages s WHERE s.pipeline_id = ? AND "
    "s.delete_time IS NULL ORDER BY s.position, s.id";
// Followed by the ids, ", "-separated, and ")".
inline constexpr char kStagesOfPipelines[] =
    "SELECT " CRM_STAGE_COLUMNS " FROM stages s WHERE s.delete_time IS NULL AND "
    "s.pipeline_id IN (";
#undef CRM_STAGE_COLUMNS
inline constexpr char kInsertStage[] =
    "INSERT INTO stages (pipeline_id, position, display_name, probability, forecast_category, "
    "type) VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
inline constexpr char kUpdateStage[] =
    "UPDATE stages SET position = ?, display_name = ?, probability = ?, forecast_category = ?, "
    "type = ? WHERE id = ?";
inline constexpr char kRemoveStage[] = "UPDATE stages SET delete_time = ? WHERE id = ?";
inline constexpr char kOpportunitiesInStage[] =
    "SELECT COUNT(*) FROM opportunities WHERE stage_id = ? AND delete_time IS NULL";

}  // namespace crm::opportunities::sql
