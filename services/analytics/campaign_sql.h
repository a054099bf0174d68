// The campaign report's statements (campaign_model.h, campaign_report.h), as named constants.
#pragma once

namespace crm::analytics::sql {

// ---- The activities feed: campaigns.
inline constexpr char kLockCampaign[] =
    "SELECT last_sequence FROM campaigns WHERE name = ? FOR UPDATE";
inline constexpr char kUpsertCampaign[] =
    "INSERT INTO campaigns (name, id, last_sequence, code, title, type, state, start_time, "
    "end_time, budget_currency, budget_minor, has_cost, cost_minor) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "last_sequence = VALUES(last_sequence), code = VALUES(code), title = VALUES(title), "
    "type = VALUES(type), state = VALUES(state), start_time = VALUES(start_time), "
    "end_time = VALUES(end_time), budget_currency = VALUES(budget_currency), "
    "budget_minor = VALUES(budget_minor), has_cost = VALUES(has_cost), "
    "cost_minor = VALUES(cost_minor)";
inline constexpr char kClearParticipantsOf[] =
    "DELETE FROM campaign_participants WHERE campaign = ?";
inline constexpr char kAddParticipant[] =
    "INSERT IGNORE INTO campaign_participants (participant, campaign) VALUES (?, ?)";
inline constexpr char kClearCampaigns[] = "DELETE FROM campaigns";
inline constexpr char kClearParticipants[] = "DELETE FROM campaign_participants";

// ---- The opportunities feed: what is attributed to a code (libs/campaigns/attribution.h).
inline constexpr char kLockAttribution[] =
    "SELECT currency, amount_minor FROM campaign_attributions "
    "WHERE code = ? AND kind = ? AND resource = ? FOR UPDATE";
// What a resource counts as one kind under any code but one ('': every code), through
// schema/012's by_resource key: code, currency, amount_minor.
inline constexpr char kLockOtherCodes[] =
    "SELECT code, currency, amount_minor FROM campaign_attributions "
    "WHERE resource = ? AND kind = ? AND code <> ? FOR UPDATE";
inline constexpr char kInsertAttribution[] =
    "INSERT INTO campaign_attributions (code, kind, resource, currency, amount_minor) "
    "VALUES (?, ?, ?, ?, ?)";
inline constexpr char kDeleteAttribution[] =
    "DELETE FROM campaign_attributions WHERE code = ? AND kind = ? AND resource = ?";
inline constexpr char kAddFigure[] =
    "INSERT INTO campaign_figures (code, kind, currency, items, amount_minor) "
    "VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE items = items + VALUES(items), "
    "amount_minor = amount_minor + VALUES(amount_minor)";
inline constexpr char kDropEmptyFigure[] =
    "DELETE FROM campaign_figures WHERE code = ? AND kind = ? AND currency = ? AND items = 0";
inline constexpr char kClearAttributions[] = "DELETE FROM campaign_attributions";
inline constexpr char kClearFigures[] = "DELETE FROM campaign_figures";

// ---- The report: the campaigns whose window overlaps the period (its end, its start: UTC),
// and their figures, each with the same conditions appended (the caller's rule, the filters).
inline constexpr char kSelectCampaigns[] =
    "SELECT c.name, c.code, c.title, c.type, c.state, c.start_time, c.end_time, "
    "c.budget_currency, c.budget_minor, c.has_cost, c.cost_minor FROM campaigns c "
    "WHERE c.start_time < ? AND c.end_time > ?";
inline constexpr char kOfParticipant[] =
    " AND EXISTS (SELECT 1 FROM campaign_participants p WHERE p.campaign = c.name AND ";
inline constexpr char kOfType[] = " AND c.type = ?";
inline constexpr char kInState[] = " AND c.state = ?";
inline constexpr char kSelectFigures[] =
    "SELECT c.name, f.kind, f.currency, f.items, f.amount_minor FROM campaigns c "
    "JOIN campaign_figures f ON f.code = c.code WHERE c.start_time < ? AND c.end_time > ?";

}  // namespace crm::analytics::sql
