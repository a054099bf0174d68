-- The in-app inbox: one row per notification and recipient. source_event is the id of the
-- event that caused it (an orders feed event, or "tasks/{id}@{version}" for a task given to
-- someone), unique with the recipient, so a replayed event makes no second notification.
-- kind: NotificationKind as the proto number.

CREATE TABLE notifications (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  recipient VARCHAR(64) NOT NULL,
  kind TINYINT NOT NULL,
  title VARCHAR(200) NOT NULL,
  body TEXT NOT NULL,
  resource VARCHAR(128) NOT NULL,
  actor VARCHAR(64) NOT NULL,
  source_event VARCHAR(128) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  read_time DATETIME(6) NULL,
  UNIQUE KEY notifications_by_source_event (source_event, recipient),
  KEY notifications_by_recipient (recipient, create_time, id),
  KEY notifications_unread (recipient, read_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
