-- Users, teams, sessions, refresh tokens, revocations, signing keys, the audit trail, the
-- outbox and idempotency keys. Times are UTC. Secrets are never stored in the clear:
-- passwords as Argon2id encodings, refresh tokens as their SHA-256, private keys as PKCS#8
-- encrypted under a passphrase the database never sees.

CREATE TABLE teams (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 1,
  display_name VARCHAR(128) NOT NULL,
  manager_id BIGINT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  UNIQUE KEY teams_by_display_name (display_name),
  KEY teams_by_manager (manager_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 1,
  -- Lower case a-z 0-9 . _ - (validation), compared byte for byte.
  username VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  display_name VARCHAR(128) NOT NULL,
  email VARCHAR(254) NOT NULL DEFAULT '',
  role TINYINT NOT NULL,
  team_id BIGINT NULL,
  active TINYINT NOT NULL DEFAULT 1,
  -- "$argon2id$v=19$m=...,t=...,p=...$salt$hash"
  password_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  password_changed_at DATETIME(6) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  UNIQUE KEY users_by_username (username),
  KEY users_by_team (team_id, id),
  KEY users_by_role (role, active),
  CONSTRAINT users_team FOREIGN KEY (team_id) REFERENCES teams (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE teams ADD CONSTRAINT teams_manager FOREIGN KEY (manager_id) REFERENCES users (id);

-- One row per login. expire_time is when its current refresh token expires (each refresh
-- moves it on); revoked_time ends it early.
CREATE TABLE sessions (
  session_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  user_id BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  expire_time DATETIME(6) NOT NULL,
  revoked_time DATETIME(6) NULL,
  revoke_reason VARCHAR(64) NOT NULL DEFAULT '',
  KEY sessions_by_user (user_id, revoked_time),
  CONSTRAINT sessions_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Single-use refresh tokens, by the hex SHA-256 of the token. A used row stays so that a
-- replay is recognised (and revokes its session).
CREATE TABLE refresh_tokens (
  token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  session_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  create_time DATETIME(6) NOT NULL,
  used_time DATETIME(6) NULL,
  expire_time DATETIME(6) NOT NULL,
  KEY refresh_tokens_by_session (session_id),
  KEY refresh_tokens_by_expire_time (expire_time),
  CONSTRAINT refresh_tokens_session FOREIGN KEY (session_id) REFERENCES sessions (session_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- What verifiers poll (ListRevokedSessions): a row lives until the last access token of
-- its session has expired (revocation + access token TTL + leeway).
CREATE TABLE revoked_sessions (
  sequence BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  session_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  revoke_time DATETIME(6) NOT NULL,
  expire_time DATETIME(6) NOT NULL,
  KEY revoked_sessions_by_expire_time (expire_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Ed25519 signing keys. The newest non-retired key signs; the two newest are published.
CREATE TABLE signing_keys (
  kid VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  sequence BIGINT NOT NULL AUTO_INCREMENT,
  encrypted_pem TEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  public_pem TEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  create_time DATETIME(6) NOT NULL,
  retired TINYINT NOT NULL DEFAULT 0,
  UNIQUE KEY signing_keys_by_sequence (sequence),
  KEY signing_keys_by_retired (retired, sequence)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Logins, failures (which throttling counts), refreshes, revocations and admin actions.
CREATE TABLE audit_events (
  sequence BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  time DATETIME(6) NOT NULL,
  action TINYINT NOT NULL,
  user_id BIGINT NULL,
  -- As typed at login (lower-cased, escaped when not a valid username).
  username VARCHAR(64) NOT NULL DEFAULT '',
  actor_id BIGINT NULL,
  peer VARCHAR(64) NOT NULL DEFAULT '',
  session_id VARCHAR(64) NOT NULL DEFAULT '',
  detail VARCHAR(512) NOT NULL DEFAULT '',
  KEY audit_events_by_username (username, time),
  KEY audit_events_by_peer (peer, time),
  KEY audit_events_by_time (time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every state change, written in the same transaction, served by the event feed.
CREATE TABLE outbox (
  sequence BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_type VARCHAR(128) NOT NULL,
  resource VARCHAR(128) NOT NULL,
  payload LONGBLOB NOT NULL,
  request_id VARCHAR(64) NOT NULL DEFAULT '',
  create_time DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- First results of calls made with a request_id, replayed on retries.
CREATE TABLE idempotency_keys (
  request_id VARCHAR(64) NOT NULL PRIMARY KEY,
  method VARCHAR(64) NOT NULL,
  request_hash CHAR(64) NOT NULL,
  response LONGBLOB NOT NULL,
  create_time DATETIME(6) NOT NULL,
  KEY idempotency_keys_by_create_time (create_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
