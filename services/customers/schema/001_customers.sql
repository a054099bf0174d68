-- Customers, their searchable repeated fields, the outbox and idempotency keys.
-- Times are UTC. Text is utf8mb4; comparisons are case-insensitive (unicode_ci).

CREATE TABLE customers (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 1,
  display_name VARCHAR(200) NOT NULL,
  kind TINYINT NOT NULL,
  industry VARCHAR(64) NOT NULL DEFAULT '',
  size_band TINYINT NOT NULL DEFAULT 0,
  country VARCHAR(2) NOT NULL DEFAULT '',
  province VARCHAR(64) NOT NULL DEFAULT '',
  city VARCHAR(64) NOT NULL DEFAULT '',
  address VARCHAR(500) NOT NULL DEFAULT '',
  -- Copies of the child tables below, newline-joined, so a read is one primary-key lookup.
  tags TEXT NOT NULL,
  emails TEXT NOT NULL,
  phones TEXT NOT NULL,
  source VARCHAR(64) NOT NULL DEFAULT '',
  owner VARCHAR(64) NOT NULL DEFAULT '',
  creator VARCHAR(64) NOT NULL DEFAULT '',
  notes TEXT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL,
  KEY customers_by_create_time (create_time, id),
  KEY customers_by_update_time (update_time, id),
  KEY customers_by_display_name (display_name, id),
  KEY customers_by_owner (owner, id),
  KEY customers_by_industry (industry, id),
  KEY customers_by_region (country, province, city, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Child tables make "tags:vip", "emails:..." and "phones:..." filters index lookups.
CREATE TABLE customer_tags (
  customer_id BIGINT NOT NULL,
  tag VARCHAR(32) NOT NULL,
  PRIMARY KEY (customer_id, tag),
  KEY customer_tags_by_tag (tag, customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE customer_emails (
  customer_id BIGINT NOT NULL,
  email VARCHAR(254) NOT NULL,
  PRIMARY KEY (customer_id, email),
  KEY customer_emails_by_email (email, customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE customer_phones (
  customer_id BIGINT NOT NULL,
  phone VARCHAR(32) NOT NULL,
  PRIMARY KEY (customer_id, phone),
  KEY customer_phones_by_phone (phone, customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

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
