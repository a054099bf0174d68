// The timeline's statements (timeline_store.cc), kept apart from store_sql.h like its code.
#pragma once

#include <cstddef>

namespace crm::activities::sql {

inline constexpr char kOwnerOfCustomer[] =
    "SELECT owner FROM customer_owners WHERE customer_id = ?";

// One customer's activities and timeline entries as one list (the customer's id bound twice;
// each half reads its table's customer index). `src` 0 is an activity (kind and direction its
// own, title its outcome, detail its summary, actor its performer), 1 an entry. `sort_key`
// orders rows at the same time and tells the halves apart: twice the activity's id, twice
// the entry's plus one. The page's order keys follow these columns.
inline constexpr char kSelectTimelineColumns[] =
    "SELECT t.src, t.id, t.kind, t.direction, t.title, t.detail, t.resource, t.actor, "
    "t.currency, t.amount_minor, t.at";
inline constexpr size_t kTimelineColumnCount = 11;
inline constexpr char kFromTimeline[] =
    " FROM ("
    "SELECT 0 AS src, a.id, a.kind, a.direction, a.outcome AS title, a.summary AS detail, "
    "'' AS resource, a.performer AS actor, '' AS currency, 0 AS amount_minor, "
    "a.activity_time AS at, a.id * 2 AS sort_key "
    "FROM activities a WHERE a.customer_id = ? AND a.delete_time IS NULL "
    "UNION ALL "
    "SELECT 1, e.id, e.kind, 0, e.title, e.detail, e.resource, e.actor, e.currency, "
    "e.amount_minor, e.entry_time, e.id * 2 + 1 "
    "FROM timeline_entries e WHERE e.customer_id = ?"
    ") t WHERE TRUE";

// A replayed event adds nothing (unique source_event).
inline constexpr char kInsertTimelineEntry[] =
    "INSERT INTO timeline_entries (customer_id, kind, entry_time, title, detail, resource, "
    "actor, currency, amount_minor, source_event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE id = id";
inline constexpr char kRememberTimelineRepoints[] =
    "INSERT IGNORE INTO timeline_repoints (survivor_id, merged_id, entry_id) "
    "SELECT ?, ?, id FROM timeline_entries WHERE customer_id = ?";
inline constexpr char kRepointTimeline[] =
    "UPDATE timeline_entries SET customer_id = ? WHERE customer_id = ?";
// Back to the merged customer: the entries that merge moved and that are still on the
// survivor.
inline constexpr char kUnrepointTimeline[] =
    "UPDATE timeline_entries e JOIN timeline_repoints r ON r.entry_id = e.id "
    "SET e.customer_id = r.merged_id "
    "WHERE r.survivor_id = ? AND r.merged_id = ? AND e.customer_id = r.survivor_id";
inline constexpr char kForgetTimelineRepoints[] =
    "DELETE FROM timeline_repoints WHERE survivor_id = ? AND merged_id = ?";

}  // namespace crm::activities::sql
