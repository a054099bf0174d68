// The follow-up store's statement texts. Every value is bound.
#pragma once

#include <cstddef>

namespace crm::opportunities::sql {

#define CRM_RULE_COLUMNS                                                                     \
  "r.id, r.version, r.display_name, r.kind, r.days, r.stage_id, r.active, r.creator, "       \
  "r.create_time, r.update_time, (SELECT pipeline_id FROM stages WHERE id = r.stage_id)"
inline constexpr size_t kRuleColumnCount = 11;
inline constexpr char kSelectRule[] =
    "SELECT " CRM_RULE_COLUMNS " FROM follow_up_rules r WHERE r.id = ? AND r.delete_time IS NULL";
inline constexpr char kLockRule[] =
    "SELECT " CRM_RULE_COLUMNS " FROM follow_up_rules r WHERE r.id = ? AND r.delete_time IS NULL "
    "FOR UPDATE";
inline constexpr char kSelectRuleColumns[] = "SELECT " CRM_RULE_COLUMNS;
inline constexpr char kFromLiveRules[] = " FROM follow_up_rules r WHERE r.delete_time IS NULL";
inline constexpr char kActiveRules[] =
    "SELECT " CRM_RULE_COLUMNS " FROM follow_up_rules r WHERE r.delete_time IS NULL AND "
    "r.active = 1 ORDER BY r.id";
#undef CRM_RULE_COLUMNS
inline constexpr char kInsertRule[] =
    "INSERT INTO follow_up_rules (display_name, kind, days, stage_id, active, creator, "
    "create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
inline constexpr char kUpdateRule[] =
    "UPDATE follow_up_rules SET display_name = ?, days = ?, stage_id = ?, active = ?, "
    "update_time = ?, version = version + 1 WHERE id = ?";
inline constexpr char kDeleteRule[] =
    "UPDATE follow_up_rules SET delete_time = ?, update_time = ?, version = version + 1 "
    "WHERE id = ?";

// What each kind of rule watches, as text: a follow-up's occurrence is this value when it
// fired, and it stays due while the opportunity still has it.
#define CRM_OCCURRENCE_OF_STALE "DATE_FORMAT(o.update_time, '%Y-%m-%d %H:%i:%s.%f')"
#define CRM_OCCURRENCE_OF_CLOSE "DATE_FORMAT(o.expected_close_date, '%Y-%m-%d')"
#define CRM_OCCURRENCE_OF_ACTIVITY "DATE_FORMAT(o.last_activity_time, '%Y-%m-%d %H:%i:%s.%f')"

// Candidates of each kind: open opportunities the rule holds for that have not fired for this
// occurrence. Columns: id, owner, occurrence, the stage's name; bound values in the comments.
// (rule stage, rule stage, update time at most, rule id, batch size)
inline constexpr char kStaleCandidates[] =
    "SELECT o.id, o.owner, " CRM_OCCURRENCE_OF_STALE ", s.display_name FROM opportunities o "
    "JOIN stages s ON s.id = o.stage_id WHERE o.delete_time IS NULL AND o.state = 1 AND "
    "(? = 0 OR o.stage_id = ?) AND o.update_time <= ? AND NOT EXISTS (SELECT 1 FROM "
    "follow_ups f WHERE f.rule_id = ? AND f.opportunity_id = o.id AND f.occurrence = "
    CRM_OCCURRENCE_OF_STALE ") ORDER BY o.id LIMIT ?";
// (the day before today, rule id, batch size)
inline constexpr char kCloseDateCandidates[] =
    "SELECT o.id, o.owner, " CRM_OCCURRENCE_OF_CLOSE ", s.display_name FROM opportunities o "
    "JOIN stages s ON s.id = o.stage_id WHERE o.delete_time IS NULL AND o.state = 1 AND "
    "o.expected_close_date <= ? AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE "
    "f.rule_id = ? AND f.opportunity_id = o.id AND f.occurrence = " CRM_OCCURRENCE_OF_CLOSE
    ") ORDER BY o.id LIMIT ?";
// (last activity at most, rule id, batch size)
inline constexpr char kActivityCandidates[] =
    "SELECT o.id, o.owner, " CRM_OCCURRENCE_OF_ACTIVITY ", s.display_name FROM opportunities o "
    "JOIN stages s ON s.id = o.stage_id WHERE o.delete_time IS NULL AND o.state = 1 AND "
    "o.last_activity_time <= ? AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE "
    "f.rule_id = ? AND f.opportunity_id = o.id AND f.occurrence = " CRM_OCCURRENCE_OF_ACTIVITY
    ") ORDER BY o.id LIMIT ?";
// Once per rule, opportunity and occurrence: a second insert is ignored.
inline constexpr char kFireFollowUp[] =
    "INSERT IGNORE INTO follow_ups (rule_id, opportunity_id, occurrence, owner, due_time, reason) "
    "VALUES (?, ?, ?, ?, ?, ?)";

// The follow-ups due now. Columns in FollowUpFromRow's order.
inline constexpr char kSelectFollowUpColumns[] =
    "SELECT f.id, f.rule_id, r.display_name, r.kind, f.opportunity_id, o.title, f.owner, "
    "f.due_time, f.reason";
inline constexpr size_t kFollowUpColumnCount = 9;
inline constexpr char kFromFollowUpsDue[] =
    " FROM follow_ups f JOIN opportunities o ON o.id = f.opportunity_id JOIN follow_up_rules r "
    "ON r.id = f.rule_id WHERE o.delete_time IS NULL AND o.state = 1 AND r.delete_time IS NULL "
    "AND r.active = 1 AND f.occurrence = CASE r.kind WHEN 1 THEN " CRM_OCCURRENCE_OF_STALE
    " WHEN 2 THEN " CRM_OCCURRENCE_OF_CLOSE " ELSE " CRM_OCCURRENCE_OF_ACTIVITY " END";
inline constexpr char kFollowUpByKey[] =
    "SELECT f.id, f.rule_id, r.display_name, r.kind, f.opportunity_id, o.title, f.owner, "
    "f.due_time, f.reason FROM follow_ups f JOIN opportunities o ON o.id = f.opportunity_id "
    "JOIN follow_up_rules r ON r.id = f.rule_id WHERE f.rule_id = ? AND f.opportunity_id = ? "
    "AND f.occurrence = ?";
#undef CRM_OCCURRENCE_OF_STALE
#undef CRM_OCCURRENCE_OF_CLOSE
#undef CRM_OCCURRENCE_OF_ACTIVITY

}  // namespace crm::opportunities::sql
