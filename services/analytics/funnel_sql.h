// The statements of the funnel, forecast and win/loss read model and reports
// (schema/003_funnel.sql), as named constants.
#pragma once

namespace crm::analytics::sql {

// ---- Written by the feed (funnel_model.cc) ---------------------------------------------

inline constexpr char kUpsertFunnelStage[] =
    "INSERT INTO stages (name, pipeline, display_name, pipeline_name, position, type) "
    "VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE pipeline = VALUES(pipeline), "
    "display_name = VALUES(display_name), pipeline_name = VALUES(pipeline_name), "
    "position = VALUES(position), type = VALUES(type)";
inline constexpr char kUpsertPipeline[] =
    "INSERT INTO pipelines (name, is_default) VALUES (?, ?) "
    "ON DUPLICATE KEY UPDATE is_default = VALUES(is_default)";
inline constexpr char kUndefaultOtherPipelines[] =
    "UPDATE pipelines SET is_default = 0 WHERE name <> ?";
// A stage named by a deal before (or without) any event of its pipeline, such as the default
// pipeline the opportunities service seeds in its schema: placed by its id, typed by the deal's
// state, named by its resource name, until a pipeline event says otherwise. Bound: name,
// display name, pipeline, position, type.
inline constexpr char kLearnStage[] =
    "INSERT IGNORE INTO stages (name, pipeline, display_name, pipeline_name, position, type) "
    "VALUES (?, '', ?, ?, ?, ?)";
inline constexpr char kLearnPipeline[] =
    "INSERT IGNORE INTO pipelines (name, is_default) VALUES (?, 0)";
// A stage's pipeline, position and type.
inline constexpr char kSelectStagePlace[] =
    "SELECT pipeline_name, position, type FROM stages WHERE name = ?";

// Leads: last_sequence, owner, status, created_day, qualified_day, converted_day.
inline constexpr char kLockLead[] =
    "SELECT last_sequence, owner, status, DATE_FORMAT(created_day, '%Y-%m-%d'), "
    "DATE_FORMAT(qualified_day, '%Y-%m-%d'), DATE_FORMAT(converted_day, '%Y-%m-%d') "
    "FROM leads WHERE id = ? FOR UPDATE";
inline constexpr char kUpsertLead[] =
    "INSERT INTO leads (id, last_sequence, owner, status, campaign, created_day, qualified_day, "
    "converted_day) VALUES (?, ?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), NULLIF(?, '')) "
    "ON DUPLICATE KEY UPDATE last_sequence = VALUES(last_sequence), owner = VALUES(owner), "
    "status = VALUES(status), campaign = VALUES(campaign), created_day = VALUES(created_day), "
    "qualified_day = VALUES(qualified_day), converted_day = VALUES(converted_day)";
inline constexpr char kAddLeadStep[] =
    "INSERT INTO lead_daily (day, owner, step, leads) VALUES (?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE leads = leads + VALUES(leads)";
inline constexpr char kDropEmptyLeadStep[] =
    "DELETE FROM lead_daily WHERE day = ? AND owner = ? AND step = ? AND leads = 0";
// Adds (negative: takes out) leads to their lead_cube rows (schema/008): the head, then
// kLeadCubeRow once per row (grain, owner, period, step, leads), separated by commas, then
// the tail.
inline constexpr char kAddLeadCubeHead[] =
    "INSERT INTO lead_cube (grain, owner, period, step, leads) VALUES ";
inline constexpr char kLeadCubeRow[] = "(?, ?, ?, ?, ?)";
inline constexpr char kAddLeadCubeTail[] = " ON DUPLICATE KEY UPDATE leads = leads + VALUES(leads)";
// Drops the rows of one step, day and month, for an owner and for everyone, left at 0. Bound:
// step, owner, day, month.
inline constexpr char kDropEmptyLeadCube[] =
    "DELETE FROM lead_cube WHERE step = ? AND owner IN (?, '') AND ((grain = 'D' AND period = ?) "
    "OR (grain = 'M' AND period = ?)) AND leads = 0";
inline constexpr char kAddLeadStatus[] =
    "INSERT INTO lead_status (status, leads) VALUES (?, ?) "
    "ON DUPLICATE KEY UPDATE leads = leads + VALUES(leads)";

// A deal's funnel state: last_sequence, stays, stage, then what it adds to open_forecast
// (month, owner, currency, category, amount, weighted) and to closed_daily (day, owner,
// currency, outcome, reason, competitor, amount).
inline constexpr char kLockDeal[] =
    "SELECT last_sequence, stays, stage, DATE_FORMAT(f_month, '%Y-%m-%d'), f_owner, f_currency, "
    "f_category, f_amount, f_weighted, DATE_FORMAT(c_day, '%Y-%m-%d'), c_owner, c_currency, "
    "c_outcome, c_reason, c_competitor, c_amount FROM funnel_deals WHERE id = ? FOR UPDATE";
inline constexpr char kUpsertDeal[] =
    "INSERT INTO funnel_deals (id, last_sequence, stays, stage, f_month, f_owner, f_currency, "
    "f_category, f_amount, f_weighted, c_day, c_owner, c_currency, c_outcome, c_reason, "
    "c_competitor, c_amount) VALUES (?, ?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?, NULLIF(?, ''), "
    "?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE last_sequence = VALUES(last_sequence), "
    "stays = VALUES(stays), stage = VALUES(stage), f_month = VALUES(f_month), "
    "f_owner = VALUES(f_owner), f_currency = VALUES(f_currency), "
    "f_category = VALUES(f_category), f_amount = VALUES(f_amount), "
    "f_weighted = VALUES(f_weighted), c_day = VALUES(c_day), c_owner = VALUES(c_owner), "
    "c_currency = VALUES(c_currency), c_outcome = VALUES(c_outcome), "
    "c_reason = VALUES(c_reason), c_competitor = VALUES(c_competitor), "
    "c_amount = VALUES(c_amount)";

inline constexpr char kAddForecast[] =
    "INSERT INTO open_forecast (month, owner, currency, category, amount_minor, "
    "weighted_minor, deals) VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "amount_minor = amount_minor + VALUES(amount_minor), "
    "weighted_minor = weighted_minor + VALUES(weighted_minor), deals = deals + VALUES(deals)";
inline constexpr char kDropEmptyForecast[] =
    "DELETE FROM open_forecast WHERE month = ? AND owner = ? AND currency = ? AND category = ? "
    "AND deals = 0";
inline constexpr char kAddClosed[] =
    "INSERT INTO closed_daily (day, owner, currency, outcome, reason, competitor, amount_minor, "
    "deals) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "amount_minor = amount_minor + VALUES(amount_minor), deals = deals + VALUES(deals)";
inline constexpr char kDropEmptyClosed[] =
    "DELETE FROM closed_daily WHERE day = ? AND owner = ? AND currency = ? AND outcome = ? AND "
    "reason = ? AND competitor = ? AND deals = 0";

// Stays: stage, entry_day, owner, currency, amount_minor, entered_us, left, advanced, bucket,
// seq, seconds.
inline constexpr char kSelectStays[] =
    "SELECT stage, DATE_FORMAT(entry_day, '%Y-%m-%d'), owner, currency, amount_minor, "
    "entered_us, left_us IS NOT NULL, advanced, bucket, seq, seconds FROM stage_stays "
    "WHERE opportunity_id = ? ORDER BY seq";
inline constexpr char kSelectStay[] =
    "SELECT stage, DATE_FORMAT(entry_day, '%Y-%m-%d'), owner, currency, amount_minor, "
    "entered_us, left_us IS NOT NULL, advanced, bucket, seq, seconds FROM stage_stays "
    "WHERE opportunity_id = ? AND seq = ?";
inline constexpr char kInsertStay[] =
    "INSERT INTO stage_stays (opportunity_id, seq, stage, entry_day, owner, currency, "
    "amount_minor, entered_us, left_us, advanced, seconds, bucket) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, 0, 0)";
inline constexpr char kLeaveStay[] =
    "UPDATE stage_stays SET left_us = ?, advanced = ?, seconds = ?, bucket = ? "
    "WHERE opportunity_id = ? AND seq = ?";
inline constexpr char kDeleteStays[] = "DELETE FROM stage_stays WHERE opportunity_id = ?";

// Adds to one stage_daily group (negative values take out): stage, day, owner, currency,
// entries, amount, advanced, left_count, seconds, b0..b9.
inline constexpr char kAddStageDaily[] =
    "INSERT INTO stage_daily (stage, day, owner, currency, entries, amount_minor, advanced, "
    "left_count, seconds, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "entries = entries + VALUES(entries), amount_minor = amount_minor + VALUES(amount_minor), "
    "advanced = advanced + VALUES(advanced), left_count = left_count + VALUES(left_count), "
    "seconds = seconds + VALUES(seconds), b0 = b0 + VALUES(b0), b1 = b1 + VALUES(b1), "
    "b2 = b2 + VALUES(b2), b3 = b3 + VALUES(b3), b4 = b4 + VALUES(b4), b5 = b5 + VALUES(b5), "
    "b6 = b6 + VALUES(b6), b7 = b7 + VALUES(b7), b8 = b8 + VALUES(b8), b9 = b9 + VALUES(b9)";
inline constexpr char kDropEmptyStageDaily[] =
    "DELETE FROM stage_daily WHERE stage = ? AND day = ? AND owner = ? AND currency = ? AND "
    "entries = 0";
// The same for stage_cube's rows (schema/008): the head, then kStageCubeRow once per row
// (grain, owner, period, stage, currency, then stage_daily's figures), separated by commas,
// then the tail.
inline constexpr char kAddStageCubeHead[] =
    "INSERT INTO stage_cube (grain, owner, period, stage, currency, entries, amount_minor, "
    "advanced, left_count, seconds, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9) VALUES ";
inline constexpr char kStageCubeRow[] =
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr char kAddStageCubeTail[] =
    " ON DUPLICATE KEY UPDATE entries = entries + VALUES(entries), "
    "amount_minor = amount_minor + VALUES(amount_minor), advanced = advanced + VALUES(advanced), "
    "left_count = left_count + VALUES(left_count), seconds = seconds + VALUES(seconds), "
    "b0 = b0 + VALUES(b0), b1 = b1 + VALUES(b1), b2 = b2 + VALUES(b2), b3 = b3 + VALUES(b3), "
    "b4 = b4 + VALUES(b4), b5 = b5 + VALUES(b5), b6 = b6 + VALUES(b6), b7 = b7 + VALUES(b7), "
    "b8 = b8 + VALUES(b8), b9 = b9 + VALUES(b9)";
// Bound: stage, currency, owner, day, month.
inline constexpr char kDropEmptyStageCube[] =
    "DELETE FROM stage_cube WHERE stage = ? AND currency = ? AND owner IN (?, '') AND "
    "((grain = 'D' AND period = ?) OR (grain = 'M' AND period = ?)) AND entries = 0";

// QuotaSet: the newest event's amount wins (amount is assigned before last_sequence moves).
inline constexpr char kUpsertQuota[] =
    "INSERT INTO quotas (owner, last_sequence, period, currency, amount_minor) "
    "VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE amount_minor = IF(VALUES(last_sequence) > "
    "last_sequence, VALUES(amount_minor), amount_minor), last_sequence = "
    "GREATEST(last_sequence, VALUES(last_sequence))";

// Rewinding the opportunities feed clears all of it.
inline constexpr const char* kClearFunnel[] = {
    "DELETE FROM pipelines",     "DELETE FROM leads",        "DELETE FROM lead_daily",
    "DELETE FROM lead_cube",     "DELETE FROM lead_status",  "DELETE FROM funnel_deals",
    "DELETE FROM stage_stays",   "DELETE FROM stage_daily",  "DELETE FROM stage_cube",
    "DELETE FROM open_forecast", "DELETE FROM closed_daily", "DELETE FROM quotas"};

// ---- Reports (funnel_store.cc); each followed by " AND (<the caller's rule>)", maybe
// " AND <x>.owner = ?", and its GROUP BY ------------------------------------------------

// The default pipeline; when no pipeline event has said which it is, the lowest-numbered one
// (the opportunities service seeds "pipelines/1" as its default).
inline constexpr char kDefaultPipeline[] =
    "SELECT name FROM pipelines ORDER BY is_default DESC, LENGTH(name), name LIMIT 1";
// A pipeline's open and won stages in order: name, display_name, type.
inline constexpr char kPipelineStages[] =
    "SELECT name, display_name, type FROM stages WHERE pipeline_name = ? AND type IN (1, 2) "
    "ORDER BY position";
// The funnel reads the cubes (schema/008) like the sales report reads won_cube: whole months
// from 'M' rows, the days of cut months from 'D' rows (bound: first month, last month, then
// the head's and the tail's first and last days), then the owners' condition and the GROUP BY.
// step, leads.
inline constexpr char kFunnelLeadCube[] =
    "SELECT l.step, CAST(SUM(l.leads) AS SIGNED) FROM lead_cube l "
    "WHERE ((l.grain = 'M' AND l.period BETWEEN ? AND ?) OR (l.grain = 'D' AND "
    "(l.period BETWEEN ? AND ? OR l.period BETWEEN ? AND ?))) AND ";
// Bound: pipeline, then the periods as above. stage, currency, entries, amount, advanced,
// left_count, seconds, b0..b9.
inline constexpr char kFunnelStageCube[] =
    "SELECT s.stage, s.currency, CAST(SUM(s.entries) AS SIGNED), "
    "CAST(SUM(s.amount_minor) AS SIGNED), CAST(SUM(s.advanced) AS SIGNED), "
    "CAST(SUM(s.left_count) AS SIGNED), CAST(SUM(s.seconds) AS SIGNED), "
    "CAST(SUM(s.b0) AS SIGNED), CAST(SUM(s.b1) AS SIGNED), CAST(SUM(s.b2) AS SIGNED), "
    "CAST(SUM(s.b3) AS SIGNED), CAST(SUM(s.b4) AS SIGNED), CAST(SUM(s.b5) AS SIGNED), "
    "CAST(SUM(s.b6) AS SIGNED), CAST(SUM(s.b7) AS SIGNED), CAST(SUM(s.b8) AS SIGNED), "
    "CAST(SUM(s.b9) AS SIGNED) FROM stage_cube s JOIN stages st ON st.name = s.stage "
    "WHERE st.pipeline_name = ? AND ((s.grain = 'M' AND s.period BETWEEN ? AND ?) OR "
    "(s.grain = 'D' AND (s.period BETWEEN ? AND ? OR s.period BETWEEN ? AND ?))) AND ";
// After the table's alias ("l", "s"): callers who see every figure read the rows for
// everyone, the others their owners' rows, the caller's rule following.
inline constexpr char kCubeEveryone[] = ".owner = ''";
inline constexpr char kCubeOwners[] = ".owner <> '' AND ";

// The same figures from the daily tables, row by row over the period (FunnelQuery::daily_rows).
// Bound: first day, last day. step, leads.
inline constexpr char kFunnelLeads[] =
    "SELECT l.step, CAST(SUM(l.leads) AS SIGNED) FROM lead_daily l "
    "WHERE l.day BETWEEN ? AND ? AND ";
inline constexpr char kFunnelLeadsGroup[] = " GROUP BY l.step";
// Bound: pipeline, first day, last day. stage, currency, entries, amount, advanced,
// left_count, seconds, b0..b9.
inline constexpr char kFunnelStages[] =
    "SELECT s.stage, s.currency, CAST(SUM(s.entries) AS SIGNED), "
    "CAST(SUM(s.amount_minor) AS SIGNED), CAST(SUM(s.advanced) AS SIGNED), "
    "CAST(SUM(s.left_count) AS SIGNED), CAST(SUM(s.seconds) AS SIGNED), "
    "CAST(SUM(s.b0) AS SIGNED), CAST(SUM(s.b1) AS SIGNED), CAST(SUM(s.b2) AS SIGNED), "
    "CAST(SUM(s.b3) AS SIGNED), CAST(SUM(s.b4) AS SIGNED), CAST(SUM(s.b5) AS SIGNED), "
    "CAST(SUM(s.b6) AS SIGNED), CAST(SUM(s.b7) AS SIGNED), CAST(SUM(s.b8) AS SIGNED), "
    "CAST(SUM(s.b9) AS SIGNED) FROM stage_daily s JOIN stages st ON st.name = s.stage "
    "WHERE st.pipeline_name = ? AND s.day BETWEEN ? AND ? AND ";
inline constexpr char kFunnelStagesGroup[] = " GROUP BY s.stage, s.currency";

// Bound: first day, last day. owner, currency, amount, deals.
inline constexpr char kForecastClosed[] =
    "SELECT w.owner, w.currency, CAST(SUM(w.amount_minor) AS SIGNED), "
    "CAST(SUM(w.deals) AS SIGNED) FROM won_daily w WHERE w.day BETWEEN ? AND ? AND ";
inline constexpr char kForecastClosedGroup[] = " GROUP BY w.owner, w.currency";
// Bound: first month, last day. owner, currency, category, amount, weighted, deals.
inline constexpr char kForecastOpen[] =
    "SELECT f.owner, f.currency, f.category, CAST(SUM(f.amount_minor) AS SIGNED), "
    "CAST(SUM(f.weighted_minor) AS SIGNED), CAST(SUM(f.deals) AS SIGNED) FROM open_forecast f "
    "WHERE f.month BETWEEN ? AND ? AND ";
inline constexpr char kForecastOpenGroup[] = " GROUP BY f.owner, f.currency, f.category";
// Bound: period. owner, currency, amount.
inline constexpr char kForecastQuotas[] =
    "SELECT q.owner, q.currency, q.amount_minor FROM quotas q WHERE q.period = ? AND ";

// Bound: first day, last day. owner, currency, outcome, reason, competitor, amount, deals.
inline constexpr char kWinLoss[] =
    "SELECT c.owner, c.currency, c.outcome, c.reason, c.competitor, "
    "CAST(SUM(c.amount_minor) AS SIGNED), CAST(SUM(c.deals) AS SIGNED) FROM closed_daily c "
    "WHERE c.day BETWEEN ? AND ? AND ";
inline constexpr char kWinLossGroup[] =
    " GROUP BY c.owner, c.currency, c.outcome, c.reason, c.competitor";

// ---- The leads gauge (funnel_gauge.cc) ---------------------------------------------------

inline constexpr char kGaugeLeads[] = "SELECT status, leads FROM lead_status";

}  // namespace crm::analytics::sql
