// The campaigns' statements (campaign_store.cc), kept apart from store_sql.h like its code.
#pragma once

#include <cstddef>

namespace crm::activities::sql {

// The SELECT list CampaignFromRow maps, in this order; participants and target customers
// newline-joined in their given order.
#define CRM_CAMPAIGN_COLUMNS                                                                    \
  "c.id, c.version, c.code, c.title, c.type, c.goal, c.start_time, c.end_time, c.place, "       \
  "c.currency, c.budget_minor, c.customer_filter, c.expected_leads, c.expected_opportunities, " \
  "c.expected_revenue_minor, c.state, c.actual_cost_minor, c.actual_attendance, c.notes, "      \
  "c.creator, c.create_time, c.update_time, c.close_time, "                                     \
  "(SELECT GROUP_CONCAT(p.user ORDER BY p.position SEPARATOR '\\n') "                           \
  "FROM campaign_participants p WHERE p.campaign_id = c.id), "                                  \
  "(SELECT GROUP_CONCAT(CONCAT('customers/', t.customer_id) ORDER BY t.position "               \
  "SEPARATOR '\\n') FROM campaign_targets t WHERE t.campaign_id = c.id)"
inline constexpr size_t kCampaignColumnCount = 25;
inline constexpr char kSelectCampaignColumns[] = "SELECT " CRM_CAMPAIGN_COLUMNS;
inline constexpr char kFromCampaigns[] = " FROM campaigns c WHERE TRUE";
// The caller's rule is appended (" AND (...)"), and " FOR UPDATE" to lock.
inline constexpr char kSelectCampaignById[] =
    "SELECT " CRM_CAMPAIGN_COLUMNS " FROM campaigns c WHERE c.id = ?";
#undef CRM_CAMPAIGN_COLUMNS
// Who is not a planner reads the campaigns they take part in.
inline constexpr char kCampaignParticipantRule[] =
    "EXISTS (SELECT 1 FROM campaign_participants rp WHERE rp.campaign_id = c.id AND rp.user = ?)";

inline constexpr char kCampaignWithCode[] = "SELECT id FROM campaigns WHERE code = ?";
inline constexpr char kInsertCampaign[] =
    "INSERT INTO campaigns (code, title, type, goal, start_time, end_time, place, currency, "
    "budget_minor, customer_filter, expected_leads, expected_opportunities, "
    "expected_revenue_minor, state, actual_cost_minor, actual_attendance, notes, creator, "
    "create_time, update_time) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
inline constexpr char kUpdateCampaign[] =
    "UPDATE campaigns SET title = ?, type = ?, goal = ?, start_time = ?, end_time = ?, "
    "place = ?, currency = ?, budget_minor = ?, customer_filter = ?, expected_leads = ?, "
    "expected_opportunities = ?, expected_revenue_minor = ?, state = ?, actual_cost_minor = ?, "
    "actual_attendance = ?, notes = ?, update_time = ?, close_time = ?, version = version + 1 "
    "WHERE id = ?";
inline constexpr char kDeleteCampaignParticipants[] =
    "DELETE FROM campaign_participants WHERE campaign_id = ?";
inline constexpr char kInsertCampaignParticipant[] =
    "INSERT INTO campaign_participants (campaign_id, user, position) VALUES (?, ?, ?)";
inline constexpr char kDeleteCampaignTargets[] =
    "DELETE FROM campaign_targets WHERE campaign_id = ?";
inline constexpr char kInsertCampaignTarget[] =
    "INSERT INTO campaign_targets (campaign_id, customer_id, position) VALUES (?, ?, ?)";

// ---- Feedback: the SELECT list FeedbackFromRow maps.
inline constexpr char kSelectFeedbackColumns[] =
    "SELECT f.id, f.campaign_id, f.customer_id, f.participant, f.attended, f.rating, "
    "f.feedback, f.contact_time, f.update_time";
inline constexpr size_t kFeedbackColumnCount = 9;
// The campaign is the page's condition ("f.campaign_id = ?").
inline constexpr char kFromFeedback[] = " FROM campaign_feedback f WHERE TRUE";
inline constexpr char kUpsertFeedback[] =
    "INSERT INTO campaign_feedback (campaign_id, customer_id, participant, attended, rating, "
    "feedback, contact_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE attended = VALUES(attended), rating = VALUES(rating), "
    "feedback = VALUES(feedback), contact_time = VALUES(contact_time), "
    "update_time = VALUES(update_time)";
inline constexpr char kSelectFeedbackById[] =
    "SELECT f.id, f.campaign_id, f.customer_id, f.participant, f.attended, f.rating, "
    "f.feedback, f.contact_time, f.update_time FROM campaign_feedback f "
    "WHERE f.campaign_id = ? AND f.customer_id = ? AND f.participant = ?";
inline constexpr char kFeedbackSummary[] =
    "SELECT COUNT(DISTINCT customer_id), COUNT(DISTINCT CASE WHEN attended THEN customer_id END), "
    "CAST(COALESCE(ROUND(AVG(CASE WHEN rating > 0 THEN rating END) * 100), 0) AS SIGNED) "
    "FROM campaign_feedback WHERE campaign_id = ?";

// ---- Attribution (campaign_feed.cc): one row per thing counted.
inline constexpr char kAttribute[] =
    "INSERT INTO campaign_attributions (code, kind, resource, currency, amount_minor, "
    "source_event) VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE code = code";
// What a resource counts as one kind under any code but one ('': every code), through
// schema/009's by_resource key.
inline constexpr char kUnattributeOtherCodes[] =
    "DELETE FROM campaign_attributions WHERE resource = ? AND kind = ? AND code <> ?";
inline constexpr char kAttributionCounts[] =
    "SELECT kind, COUNT(*) FROM campaign_attributions WHERE code = ? GROUP BY kind";
inline constexpr char kWonRevenue[] =
    "SELECT currency, CAST(SUM(amount_minor) AS SIGNED) FROM campaign_attributions "
    "WHERE code = ? AND kind = 4 GROUP BY currency ORDER BY currency";

// ---- Activities linked to a campaign (Activity.campaign).
// Whether an activity at the bound time may be linked: the campaign's state and whether the
// time is within its window; the caller's read rule is appended (" AND (...)"), then
// " LOCK IN SHARE MODE", so that a cancel or close waits for the activity's write.
inline constexpr char kLinkableCampaign[] =
    "SELECT c.state, (? BETWEEN c.start_time AND c.end_time) FROM campaigns c WHERE c.id = ?";
// The campaign's live linked activities, counted when asked: visits (kinds 3 VISIT and
// 4 MEETING), the other kinds, the target customers visited and the visited customers who are
// not targets (campaign id bound once).
inline constexpr char kCampaignVisits[] =
    "SELECT COUNT(CASE WHEN a.kind IN (3, 4) THEN 1 END), "
    "COUNT(CASE WHEN a.kind NOT IN (3, 4) THEN 1 END), "
    "COUNT(DISTINCT CASE WHEN a.kind IN (3, 4) AND t.customer_id IS NOT NULL "
    "THEN a.customer_id END), "
    "COUNT(DISTINCT CASE WHEN a.kind IN (3, 4) AND t.customer_id IS NULL THEN a.customer_id END) "
    "FROM activities a LEFT JOIN campaign_targets t "
    "ON t.campaign_id = a.campaign_id AND t.customer_id = a.customer_id "
    "WHERE a.campaign_id = ? AND a.delete_time IS NULL";

}  // namespace crm::activities::sql
