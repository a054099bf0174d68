-- Service accounts: the suite's services calling each other as themselves
-- ("services/{name}"). Declared by the auth service's --service_accounts and written at
-- start-up; an account left out of the flag stays here, inactive, so its history and name
-- remain. Only the SHA-256 of each secret is stored: secrets are 32 random bytes or more,
-- so a plain digest is as strong as a slow hash would be.
CREATE TABLE service_accounts (
  -- "analytics" for services/analytics: one of the suite's services.
  name VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  -- 64 lower-case hex digits.
  secret_sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  active TINYINT NOT NULL DEFAULT 1,
  version BIGINT NOT NULL DEFAULT 1,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
