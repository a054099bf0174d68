-- Notification delivery: a live watch (WatchNotifications) reads a recipient's notifications
-- above the last id it sent, in id order, every poll; this index answers that without a sort.
CREATE INDEX notifications_by_recipient_id ON notifications (recipient, id);

-- Overdue tasks escalated to the assignee's manager (task_scheduler.h): one row per task and
-- due time, inserted before anything else is written, so that of two replicas passing at
-- once only the one whose insert took it writes the TaskEscalated event and notifies.
CREATE TABLE task_escalations (
  task_id BIGINT NOT NULL,
  due_time DATETIME(6) NOT NULL,
  -- "users/{id}" told, or "" when the assignee's team has no manager.
  manager VARCHAR(64) NOT NULL,
  escalate_time DATETIME(6) NOT NULL,
  PRIMARY KEY (task_id, due_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Each user's notification preferences (notification_preferences.h), only where they differ
-- from the defaults (inbox on, e-mail and webhooks off). topic and channel: the proto numbers
-- of NotificationTopic and NotificationChannel.
CREATE TABLE notification_preferences (
  owner VARCHAR(64) NOT NULL,  -- "users/{id}" whose they are
  topic TINYINT NOT NULL,
  channel TINYINT NOT NULL,
  enabled BOOLEAN NOT NULL,
  update_time DATETIME(6) NOT NULL,
  PRIMARY KEY (owner, topic, channel)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
