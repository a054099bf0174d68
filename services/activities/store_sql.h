// The activities service's statement texts. The by-id reads and the guarded writes are
// prefixes: the owned-record kit appends " AND (<the caller's rule>)" (and " FOR UPDATE" when a
// write locks the row). An activity's rule is on its customer's owner (co.owner, joined from
// customer_owners); a task's on its assignee (t.assignee).
#pragma once

#include <cstddef>


namespace crm::activities::sql {

// ---- Activities: the SELECT list ActivityFromRow (activity_store.cc) maps, in this order.
#define CRM_ACTIVITY_COLUMNS                                                                  \
  "a.id, a.version, a.kind, a.direction, a.customer_id, a.contact, a.lead_id, "               \
  "a.opportunity_id, a.order_id, a.activity_time, a.duration_seconds, a.outcome, a.summary, " \
  "a.next_step, a.attachments, a.performer, co.owner, a.creator, a.create_time, "             \
  "a.update_time, a.campaign_id"
#define CRM_ACTIVITY_JOIN " JOIN customer_owners co ON co.customer_id = a.customer_id"
#define CRM_ACTIVITY_FROM " FROM activities a" CRM_ACTIVITY_JOIN
inline constexpr size_t kActivityColumnCount = 21;
inline constexpr size_t kActivityOwnerIndex = 16;

inline constexpr char kSelectActivityColumns[] = "SELECT " CRM_ACTIVITY_COLUMNS;
inline constexpr char kFromLiveActivities[] = CRM_ACTIVITY_FROM " WHERE a.delete_time IS NULL";
inline constexpr char kSelectActivityById[] = "SELECT " CRM_ACTIVITY_COLUMNS CRM_ACTIVITY_FROM
                                              " WHERE a.id = ? AND a.delete_time IS NULL";
#undef CRM_ACTIVITY_COLUMNS

inline constexpr char kInsertActivity[] =
    "INSERT INTO activities (kind, direction, customer_id, contact, lead_id, opportunity_id, "
    "order_id, activity_time, duration_seconds, outcome, summary, next_step, attachments, "
    "performer, campaign_id, creator, create_time, update_time) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
inline constexpr char kUpdateActivity[] =
    "UPDATE activities a" CRM_ACTIVITY_JOIN
    " SET a.kind = ?, a.direction = ?, a.customer_id = ?, a.contact = ?, a.lead_id = ?, "
    "a.opportunity_id = ?, a.order_id = ?, a.activity_time = ?, a.duration_seconds = ?, "
    "a.outcome = ?, a.summary = ?, a.next_step = ?, a.attachments = ?, a.performer = ?, "
    "a.campaign_id = ?, a.update_time = ?, a.version = a.version + 1 WHERE a.id = ?";
inline constexpr char kSoftDeleteActivity[] =
    "UPDATE activities a" CRM_ACTIVITY_JOIN
    " SET a.delete_time = ?, a.update_time = ?, a.version = a.version + 1 WHERE a.id = ?";
#undef CRM_ACTIVITY_FROM
#undef CRM_ACTIVITY_JOIN

// ---- What the customers feed (and every write naming a customer) keeps.
inline constexpr char kUpsertCustomerOwner[] =
    "INSERT INTO customer_owners (customer_id, owner, update_time) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE owner = VALUES(owner), update_time = VALUES(update_time)";
// For a survivor this service has not heard of yet: the merged customer's owner stands in
// until the survivor's own owner arrives.
inline constexpr char kCopyCustomerOwner[] =
    "INSERT IGNORE INTO customer_owners (customer_id, owner, update_time) "
    "SELECT ?, owner, ? FROM customer_owners WHERE customer_id = ?";
inline constexpr char kLiveActivitiesOfCustomer[] =
    "SELECT id FROM activities WHERE customer_id = ? AND delete_time IS NULL ORDER BY id";
inline constexpr char kRepointActivity[] =
    "UPDATE activities SET customer_id = ?, update_time = ?, version = version + 1 WHERE id = ?";
inline constexpr char kRememberRepoint[] =
    "INSERT IGNORE INTO activity_repoints (survivor_id, merged_id, activity_id) VALUES (?, ?, ?)";
inline constexpr char kRepointedActivities[] =
    "SELECT r.activity_id FROM activity_repoints r JOIN activities a ON a.id = r.activity_id "
    "WHERE r.survivor_id = ? AND r.merged_id = ? AND a.customer_id = ? "
    "AND a.delete_time IS NULL ORDER BY r.activity_id";
inline constexpr char kForgetRepoints[] =
    "DELETE FROM activity_repoints WHERE survivor_id = ? AND merged_id = ?";
// ---- Tasks: the SELECT list TaskFromRow (task_store.cc) maps, in this order.
#define CRM_TASK_COLUMNS                                                                       \
  "t.id, t.version, t.title, t.description, t.assignee, t.due_time, t.priority, t.status, "   \
  "t.reminder_times, t.customer_id, t.opportunity_id, t.origin, t.creator, t.complete_time, " \
  "t.create_time, t.update_time"
inline constexpr size_t kTaskColumnCount = 16;
inline constexpr size_t kTaskOwnerIndex = 4;

inline constexpr char kSelectTaskColumns[] = "SELECT " CRM_TASK_COLUMNS;
// Tasks are never deleted (cancelled instead), so every row is live.
inline constexpr char kFromLiveTasks[] = " FROM tasks t WHERE 1 = 1";
inline constexpr char kSelectTaskById[] = "SELECT " CRM_TASK_COLUMNS " FROM tasks t WHERE t.id = ?";
#undef CRM_TASK_COLUMNS

inline constexpr char kInsertTask[] =
    "INSERT INTO tasks (title, description, assignee, due_time, priority, status, "
    "reminder_times, customer_id, opportunity_id, origin, source_event, creator, create_time, "
    "update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
// From an event: nothing when the event made its task already.
inline constexpr char kTaskOfEvent[] = "SELECT id FROM tasks WHERE source_event = ?";
inline constexpr char kUpdateTask[] =
    "UPDATE tasks t SET t.title = ?, t.description = ?, t.assignee = ?, t.due_time = ?, "
    "t.priority = ?, t.status = ?, t.reminder_times = ?, t.customer_id = ?, "
    "t.opportunity_id = ?, t.complete_time = ?, t.update_time = ?, t.version = t.version + 1 "
    "WHERE t.id = ?";

// ---- Notifications: the SELECT list NotificationFromRow (notification_store.cc) maps. Every
// statement names the recipient: nobody reads or marks another's.
inline constexpr char kSelectNotificationColumns[] =
    "SELECT n.id, n.kind, n.title, n.body, n.resource, n.actor, n.create_time, n.read_time";
inline constexpr size_t kNotificationColumnCount = 8;
// The recipient is the page's condition ("n.recipient = ?").
inline constexpr char kFromNotifications[] = " FROM notifications n WHERE 1 = 1";
// A replayed event changes nothing (unique source_event + recipient).
inline constexpr char kInsertNotification[] =
    "INSERT INTO notifications (recipient, kind, title, body, resource, actor, source_event, "
    "create_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = id";
inline constexpr char kCountUnreadNotifications[] =
    "SELECT COUNT(*) FROM notifications WHERE recipient = ? AND read_time IS NULL";
// Followed by " IN (?, ...)" with the ids.
inline constexpr char kOwnNotificationsAmong[] =
    "SELECT id FROM notifications WHERE recipient = ? AND id";
inline constexpr char kMarkNotificationsRead[] =
    "UPDATE notifications SET read_time = ? WHERE recipient = ? AND read_time IS NULL AND id";
inline constexpr char kMarkNotificationsReadUpTo[] =
    "UPDATE notifications SET read_time = ? "
    "WHERE recipient = ? AND read_time IS NULL AND create_time <= ?";

// ---- Notification delivery: what a live watch (notification_watch.h) reads.
inline constexpr char kNewestNotificationId[] =
    "SELECT MAX(id) FROM notifications WHERE recipient = ?";
inline constexpr char kNotificationsAfter[] =
    "SELECT n.id, n.kind, n.title, n.body, n.resource, n.actor, n.create_time, n.read_time "
    "FROM notifications n WHERE n.recipient = ? AND n.id > ? ORDER BY n.id LIMIT ?";

// ---- Notification delivery: reminders and escalations (task_scheduler.h). Bound: the OPEN
// status, the time limits and the batch size.
inline constexpr char kTasksWithReminders[] =
    "SELECT id, title, assignee, reminder_times, due_time FROM tasks "
    "WHERE status = ? AND reminder_times <> '' AND due_time >= ?";
inline constexpr char kOverdueTasksToEscalate[] =
    "SELECT t.id, t.assignee, t.due_time FROM tasks t WHERE t.status = ? AND t.due_time <= ? "
    "AND NOT EXISTS (SELECT 1 FROM task_escalations e "
    "WHERE e.task_id = t.id AND e.due_time = t.due_time) ORDER BY t.due_time, t.id LIMIT ?";
// 1 row affected when this call took the escalation, 0 when it was taken already.
inline constexpr char kInsertTaskEscalation[] =
    "INSERT INTO task_escalations (task_id, due_time, manager, escalate_time) "
    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE task_id = task_id";

// ---- Notification delivery: preferences (notification_preferences.h), the caller's own.
inline constexpr char kNotificationPreference[] =
    "SELECT enabled FROM notification_preferences WHERE owner = ? AND topic = ? AND channel = ?";
inline constexpr char kNotificationPreferencesOf[] =
    "SELECT topic, channel, enabled FROM notification_preferences WHERE owner = ?";
inline constexpr char kSetNotificationPreference[] =
    "INSERT INTO notification_preferences (owner, topic, channel, enabled, update_time) "
    "VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "update_time = IF(enabled = VALUES(enabled), update_time, VALUES(update_time)), "
    "enabled = VALUES(enabled)";

}  // namespace crm::activities::sql
