-- Follow-up rules and the follow-ups they fired. A rule fires once per opportunity and
-- occurrence: the unique key makes a second firing (another replica, a retried run) a no-op.
-- kind: FollowUpKind's numbers.

CREATE TABLE follow_up_rules (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 1,
  display_name VARCHAR(100) NOT NULL,
  kind TINYINT NOT NULL,
  days INT NOT NULL DEFAULT 0,
  stage_id BIGINT NOT NULL DEFAULT 0,
  active TINYINT NOT NULL DEFAULT 1,
  creator VARCHAR(64) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- occurrence: the value of what the rule watches when it fired (the update time, the expected
-- close date, the last activity time); the follow-up is due while the opportunity still has it.
CREATE TABLE follow_ups (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  rule_id BIGINT NOT NULL,
  opportunity_id BIGINT NOT NULL,
  occurrence VARCHAR(32) NOT NULL,
  owner VARCHAR(64) NOT NULL,
  due_time DATETIME(6) NOT NULL,
  reason VARCHAR(200) NOT NULL DEFAULT '',
  UNIQUE KEY follow_ups_once (rule_id, opportunity_id, occurrence),
  KEY follow_ups_by_opportunity (opportunity_id),
  KEY follow_ups_by_due_time (due_time, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
