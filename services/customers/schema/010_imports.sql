-- Import batches and, per customer a batch wrote, what undoing it needs: whether the batch
-- created it, the customer before the batch first changed it (a serialized
-- crm.customers.v1.Customer, for updates) and the version the batch left it at.
CREATE TABLE import_batches (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  label VARCHAR(200) NOT NULL DEFAULT '',
  importer VARCHAR(64) NOT NULL,
  state TINYINT NOT NULL,
  duplicates TINYINT NOT NULL,
  rows_seen BIGINT NOT NULL DEFAULT 0,
  rows_created BIGINT NOT NULL DEFAULT 0,
  rows_updated BIGINT NOT NULL DEFAULT 0,
  rows_unchanged BIGINT NOT NULL DEFAULT 0,
  rows_failed BIGINT NOT NULL DEFAULT 0,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  complete_time DATETIME(6) NULL,
  rollback_time DATETIME(6) NULL,
  rollback_actor VARCHAR(64) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE import_changes (
  batch_id BIGINT NOT NULL,
  customer_id BIGINT NOT NULL,
  created TINYINT NOT NULL,
  before_image LONGBLOB NULL,
  version_after BIGINT NOT NULL,
  PRIMARY KEY (batch_id, customer_id)
) ENGINE=InnoDB;
