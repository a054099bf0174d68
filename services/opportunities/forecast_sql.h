// The forecast store's statement texts. Every value is bound; lists of owners are "?, ?, ..."
// placeholders appended by the store.
#pragma once

namespace crm::opportunities::sql {

// An opportunity's weighted amount, as Evaluation.weighted_amount rounds it (half away from
// zero; amounts are never negative).
#define CRM_WEIGHTED "FLOOR((o.amount_minor * o.probability + 50) / 100)"

// Totals of the opportunities counting in a period — open ones expected to close in it, won
// ones closed in it — by currency, state and forecast category. Bound: first day, last day,
// first day, last day; then " AND <more conditions>" and kForecastGroup.
inline constexpr char kForecastTotals[] =
    "SELECT o.currency, o.state, o.forecast_category, CAST(SUM(o.amount_minor) AS SIGNED), "
    "CAST(SUM(" CRM_WEIGHTED ") AS SIGNED), COUNT(*) FROM opportunities o WHERE "
    "o.delete_time IS NULL AND o.currency <> '' AND ((o.state = 1 AND o.expected_close_date "
    "BETWEEN ? AND ?) OR (o.state = 2 AND o.close_date BETWEEN ? AND ?))";
inline constexpr char kForecastGroup[] = " GROUP BY o.currency, o.state, o.forecast_category";
// The same per owner, for snapshots (every owner; no caller).
inline constexpr char kSnapshotTotals[] =
    "SELECT o.owner, o.currency, o.state, o.forecast_category, CAST(SUM(o.amount_minor) AS "
    "SIGNED), CAST(SUM(" CRM_WEIGHTED ") AS SIGNED), COUNT(*) FROM opportunities o WHERE "
    "o.delete_time IS NULL AND o.currency <> '' AND ((o.state = 1 AND o.expected_close_date "
    "BETWEEN ? AND ?) OR (o.state = 2 AND o.close_date BETWEEN ? AND ?)) "
    "GROUP BY o.owner, o.currency, o.state, o.forecast_category";

// Quotas of a period by currency (bound: period; then " AND owner IN (...)" and the group).
inline constexpr char kQuotaTotals[] =
    "SELECT q.currency, CAST(SUM(q.amount_minor) AS SIGNED) FROM quotas q WHERE q.period = ?";
inline constexpr char kQuotaGroup[] = " GROUP BY q.currency";
inline constexpr char kSnapshotQuotas[] =
    "SELECT q.owner, q.currency, q.amount_minor FROM quotas q WHERE q.period = ?";
inline constexpr char kSetQuota[] =
    "INSERT INTO quotas (owner, period, currency, amount_minor, setter, update_time) "
    "VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE amount_minor = VALUES(amount_minor), "
    "setter = VALUES(setter), update_time = VALUES(update_time)";
inline constexpr char kSelectQuotas[] =
    "SELECT q.owner, q.period, q.currency, q.amount_minor, q.setter, q.update_time FROM quotas q "
    "WHERE (? = '' OR q.period = ?) AND q.owner IN (";
inline constexpr char kQuotaOrder[] = ") ORDER BY q.period, q.owner, q.currency";

// The pipeline summary: open opportunities of a pipeline by stage and currency (bound: now,
// pipeline), and the closing stages' recent deals (bound: now, pipeline, earliest close date);
// each followed by " AND <more conditions>" and kSummaryGroup.
inline constexpr char kOpenByStage[] =
    "SELECT o.stage_id, o.currency, COUNT(*), CAST(SUM(o.amount_minor) AS SIGNED), "
    "CAST(SUM(" CRM_WEIGHTED ") AS SIGNED), "
    "CAST(SUM(TIMESTAMPDIFF(SECOND, o.stage_enter_time, ?)) AS SIGNED) FROM opportunities o "
    "WHERE o.delete_time IS NULL AND o.pipeline_id = ? AND o.state = 1";
inline constexpr char kClosedByStage[] =
    "SELECT o.stage_id, o.currency, COUNT(*), CAST(SUM(o.amount_minor) AS SIGNED), "
    "CAST(SUM(" CRM_WEIGHTED ") AS SIGNED), "
    "CAST(SUM(TIMESTAMPDIFF(SECOND, o.stage_enter_time, ?)) AS SIGNED) FROM opportunities o "
    "WHERE o.delete_time IS NULL AND o.pipeline_id = ? AND o.state <> 1 AND o.close_date >= ?";
inline constexpr char kSummaryGroup[] = " GROUP BY o.stage_id, o.currency";
// How long stays in each stage lasted, from the stage history (bound: pipeline; then
// " AND <more conditions>" and the group).
inline constexpr char kStageStays[] =
    "SELECT h.to_stage_id, CAST(SUM(TIMESTAMPDIFF(SECOND, h.change_time, h.left_time)) AS "
    "SIGNED), COUNT(*) FROM stage_history h JOIN opportunities o ON o.id = h.opportunity_id "
    "WHERE o.delete_time IS NULL AND o.pipeline_id = ? AND h.left_time IS NOT NULL";
inline constexpr char kStageStaysGroup[] = " GROUP BY h.to_stage_id";
#undef CRM_WEIGHTED

// Snapshots: the first replica to record a run of (period, day) takes it.
inline constexpr char kClaimSnapshot[] =
    "INSERT IGNORE INTO snapshot_runs (period, snapshot_date, taken_time) VALUES (?, ?, ?)";
inline constexpr char kInsertSnapshot[] =
    "INSERT INTO forecast_snapshots (period, owner, snapshot_date, currency, closed_won, "
    "commit_amount, best_case, pipeline_amount, weighted, quota, won_count, open_count) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
// Bound: period; then the owners' " AND s.owner IN (...)" and kSnapshotOrder.
inline constexpr char kSelectSnapshots[] =
    "SELECT s.snapshot_date, s.currency, CAST(SUM(s.closed_won) AS SIGNED), "
    "CAST(SUM(s.commit_amount) AS SIGNED), CAST(SUM(s.best_case) AS SIGNED), "
    "CAST(SUM(s.pipeline_amount) AS SIGNED), CAST(SUM(s.weighted) AS SIGNED), "
    "CAST(SUM(s.quota) AS SIGNED), CAST(SUM(s.won_count) AS SIGNED), "
    "CAST(SUM(s.open_count) AS SIGNED) FROM forecast_snapshots s WHERE s.period = ?";
inline constexpr char kSnapshotOrder[] =
    " GROUP BY s.snapshot_date, s.currency ORDER BY s.snapshot_date, s.currency";

}  // namespace crm::opportunities::sql
