// The opportunity store's statement texts. The by-id reads and the writes are prefixes: the
// owned-record kit appends " AND (<the caller's rule>)" (and " FOR UPDATE" when a write locks
// the row).
#pragma once

#include <cstddef>

namespace crm::opportunities::sql {

// The SELECT list every read maps with OpportunityFromRow (opportunity_store.cc), in order;
// the last column is 1 for a campaign-sourced opportunity (the rules' marked rows).
#define CRM_OPPORTUNITY_COLUMNS                                                                \
  "o.id, o.version, o.title, o.customer_id, o.customer_deleted, o.pipeline_id, o.stage_id, "   \
  "o.state, o.currency, o.amount_minor, o.probability, o.probability_overridden, "             \
  "o.forecast_category, o.forecast_overridden, o.expected_close_date, o.close_date, o.source, " \
  "o.campaign, o.owner, o.creator, o.next_step, o.description, o.competitors, o.products, "    \
  "o.loss_reason, o.lost_to, o.lead_id, o.customer_industry, o.customer_size, "                \
  "o.stage_enter_time, o.last_activity_time, o.closed_from_stage_id, o.closed_features, "      \
  "o.create_time, o.update_time, o.campaign <> ''"
inline constexpr size_t kOpportunityColumnCount = 36;
inline constexpr size_t kOpportunityOwnerIndex = 18;
inline constexpr size_t kOpportunityMarkedIndex = 35;
// The rows marketing reads (OpportunityRules' Scope::kMarked).
inline constexpr char kCampaignSourced[] = "o.campaign <> ''";

inline constexpr char kSelectOpportunityColumns[] = "SELECT " CRM_OPPORTUNITY_COLUMNS;
inline constexpr char kFromLiveOpportunities[] = " FROM opportunities o WHERE o.delete_time IS NULL";
inline constexpr char kSelectOpportunityById[] =
    "SELECT " CRM_OPPORTUNITY_COLUMNS " FROM opportunities o WHERE o.id = ? AND "
    "o.delete_time IS NULL";
#undef CRM_OPPORTUNITY_COLUMNS

inline constexpr char kInsertOpportunity[] =
    "INSERT INTO opportunities (title, customer_id, pipeline_id, stage_id, state, currency, "
    "amount_minor, amount_units, probability, probability_overridden, forecast_category, "
    "forecast_overridden, expected_close_date, source, campaign, owner, creator, next_step, "
    "description, competitors, products, lead_id, customer_industry, customer_size, "
    "stage_enter_time, last_activity_time, closed_features, create_time, update_time) VALUES "
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?) "
    "RETURNING id";
// Every field a write may change, the stage ones included; then the id.
inline constexpr char kUpdateOpportunity[] =
    "UPDATE opportunities o SET title = ?, customer_id = ?, stage_id = ?, state = ?, "
    "currency = ?, amount_minor = ?, amount_units = ?, probability = ?, "
    "probability_overridden = ?, forecast_category = ?, forecast_overridden = ?, "
    "expected_close_date = ?, close_date = ?, source = ?, campaign = ?, owner = ?, "
    "next_step = ?, description = ?, competitors = ?, products = ?, loss_reason = ?, "
    "lost_to = ?, customer_industry = ?, customer_size = ?, stage_enter_time = ?, "
    "last_activity_time = ?, closed_from_stage_id = ?, closed_features = ?, update_time = ?, "
    "version = version + 1 WHERE o.id = ?";
inline constexpr char kSoftDeleteOpportunity[] =
    "UPDATE opportunities o SET delete_time = ?, update_time = ?, version = version + 1 "
    "WHERE o.id = ?";

// Stage history.
inline constexpr char kInsertStageChange[] =
    "INSERT INTO stage_history (opportunity_id, from_stage_id, to_stage_id, to_stage_name, "
    "to_state, currency, amount_minor, probability, actor, change_time, reason) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr char kLeaveStage[] =
    "UPDATE stage_history SET left_time = ? WHERE opportunity_id = ? AND left_time IS NULL";
// Columns in StageChangeFromRow's order; the opportunity is the caller's condition.
inline constexpr char kSelectStageChangeColumns[] =
    "SELECT h.id, h.opportunity_id, h.from_stage_id, h.to_stage_id, h.to_stage_name, "
    "h.to_state, h.currency, h.amount_minor, h.probability, h.actor, h.change_time, h.reason";
inline constexpr size_t kStageChangeColumnCount = 12;
inline constexpr char kFromStageHistory[] = " FROM stage_history h WHERE TRUE";

// The win model's counts.
inline constexpr char kCountWinStat[] =
    "INSERT INTO win_stats (pipeline_id, feature, value, won, lost) VALUES (?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE won = won + VALUES(won), lost = lost + VALUES(lost)";
inline constexpr char kWinStatsOf[] =
    "SELECT feature, value, won, lost FROM win_stats WHERE pipeline_id = ?";

// What the customers feed changes.
inline constexpr char kOpportunitiesOfCustomer[] =
    "SELECT o.id FROM opportunities o WHERE o.customer_id = ? AND o.delete_time IS NULL "
    "ORDER BY o.id";
inline constexpr char kOpenOpportunitiesOfCustomer[] =
    "SELECT o.id FROM opportunities o WHERE o.customer_id = ? AND o.state = 1 AND "
    "o.customer_deleted = 0 AND o.delete_time IS NULL ORDER BY o.id";
inline constexpr char kRepointOpportunity[] =
    "UPDATE opportunities SET customer_id = ?, update_time = ?, version = version + 1 "
    "WHERE id = ?";
inline constexpr char kFlagCustomerDeleted[] =
    "UPDATE opportunities SET customer_deleted = 1, update_time = ?, version = version + 1 "
    "WHERE id = ?";
inline constexpr char kRefreshCustomerFacts[] =
    "UPDATE opportunities SET customer_industry = ?, customer_size = ? WHERE customer_id = ? "
    "AND state = 1 AND delete_time IS NULL";
inline constexpr char kRepointedOpportunities[] =
    "SELECT r.record_id FROM customer_repoints r JOIN opportunities o ON o.id = r.record_id "
    "WHERE r.survivor_id = ? AND r.merged_id = ? AND r.record_kind = 2 AND o.customer_id = ? "
    "AND o.delete_time IS NULL ORDER BY r.record_id";
inline constexpr char kRememberRepoint[] =
    "INSERT IGNORE INTO customer_repoints (survivor_id, merged_id, record_kind, record_id) "
    "VALUES (?, ?, ?, ?)";
inline constexpr char kForgetRepoints[] =
    "DELETE FROM customer_repoints WHERE survivor_id = ? AND merged_id = ? AND record_kind = ?";
}  // namespace crm::opportunities::sql
