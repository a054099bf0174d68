-- Follow-up records (activities), tasks, and what this service knows of customers from the
-- customers feed: each customer's owner (customer_owners), which decides who sees the
-- customer's activities, and the activities a merge moved (activity_repoints), so that an
-- unmerge moves exactly those back.
-- Enums: ActivityKind, Direction, TaskStatus and Priority as the proto numbers.

CREATE TABLE customer_owners (
  customer_id BIGINT NOT NULL PRIMARY KEY,
  owner VARCHAR(64) NOT NULL,
  update_time DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE activities (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 1,
  kind TINYINT NOT NULL,
  direction TINYINT NOT NULL DEFAULT 0,
  customer_id BIGINT NOT NULL,
  contact VARCHAR(100) NOT NULL DEFAULT '',
  lead_id BIGINT NOT NULL DEFAULT 0,
  opportunity_id BIGINT NOT NULL DEFAULT 0,
  order_id BIGINT NOT NULL DEFAULT 0,
  activity_time DATETIME(6) NOT NULL,
  duration_seconds INT NOT NULL DEFAULT 0,
  outcome VARCHAR(200) NOT NULL DEFAULT '',
  summary TEXT NOT NULL,
  next_step VARCHAR(500) NOT NULL DEFAULT '',
  -- Newline-joined references.
  attachments TEXT NOT NULL,
  performer VARCHAR(64) NOT NULL,
  creator VARCHAR(64) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL,
  KEY activities_by_customer (customer_id, activity_time, id),
  KEY activities_by_time (activity_time, id),
  KEY activities_by_create_time (create_time, id),
  KEY activities_by_performer (performer, activity_time),
  KEY activities_by_opportunity (opportunity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE activity_repoints (
  survivor_id BIGINT NOT NULL,
  merged_id BIGINT NOT NULL,
  activity_id BIGINT NOT NULL,
  PRIMARY KEY (survivor_id, merged_id, activity_id)
) ENGINE=InnoDB;

CREATE TABLE tasks (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 1,
  title VARCHAR(200) NOT NULL,
  description TEXT NOT NULL,
  assignee VARCHAR(64) NOT NULL,
  due_time DATETIME(6) NOT NULL,
  priority TINYINT NOT NULL,
  status TINYINT NOT NULL,
  -- Newline-joined RFC 3339 times, sorted.
  reminder_times TEXT NOT NULL,
  customer_id BIGINT NOT NULL DEFAULT 0,
  opportunity_id BIGINT NOT NULL DEFAULT 0,
  origin VARCHAR(64) NOT NULL,
  -- The id of the event a task was made from (FollowUpDue): one task per event, even if the
  -- event is applied again after a feed is rewound.
  source_event VARCHAR(128) NULL,
  creator VARCHAR(64) NOT NULL,
  complete_time DATETIME(6) NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  UNIQUE KEY tasks_by_source_event (source_event),
  KEY tasks_by_assignee (assignee, status, due_time, id),
  KEY tasks_by_due_time (due_time, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
