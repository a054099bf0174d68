-- Every change to every field of a customer and its contacts (contact_id 0: the customer's
-- own), with who made it, when and why (source: API, import, merge, unmerge, import
-- rollback; operation: the batch or merge behind it). Append-only.
CREATE TABLE customer_history (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  contact_id BIGINT NOT NULL DEFAULT 0,
  action TINYINT NOT NULL,
  field VARCHAR(64) NOT NULL DEFAULT '',
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL,
  source TINYINT NOT NULL,
  actor VARCHAR(64) NOT NULL,
  operation VARCHAR(128) NOT NULL DEFAULT '',
  change_time DATETIME(6) NOT NULL,
  KEY customer_history_by_customer (customer_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
