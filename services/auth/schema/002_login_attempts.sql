-- Throttling state for sign-in: one row per failed attempt and per attempt still being
-- checked. An attempt is written before its password is hashed and deleted again when it
-- succeeds or is refused as throttled, so guesses made in parallel count against each
-- other instead of all passing the check before any failure is recorded. The audit table
-- keeps the history; this one only what the throttle needs (old rows are pruned).
CREATE TABLE login_attempts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  -- As audit_events.username and .peer.
  username VARCHAR(64) NOT NULL,
  peer VARCHAR(64) NOT NULL,
  time DATETIME(6) NOT NULL,
  KEY login_attempts_by_username (username, time),
  KEY login_attempts_by_peer (peer, time),
  KEY login_attempts_by_time (time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
