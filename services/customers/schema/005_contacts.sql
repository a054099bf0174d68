-- The people at a company customer. Lists are newline-joined (libs/db/lists.h); dates in the
-- one-line form of services/customers/dates.h. Soft-deleted like customers.
CREATE TABLE contacts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  display_name VARCHAR(200) NOT NULL,
  title VARCHAR(64) NOT NULL DEFAULT '',
  department VARCHAR(64) NOT NULL DEFAULT '',
  phones TEXT NOT NULL,
  emails TEXT NOT NULL,
  dates TEXT NOT NULL,
  notes TEXT NOT NULL,
  is_primary TINYINT NOT NULL DEFAULT 0,
  creator VARCHAR(64) NOT NULL DEFAULT '',
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL,
  -- At most one live primary contact per customer, whatever the code does.
  primary_of BIGINT AS (IF(is_primary = 1 AND delete_time IS NULL, customer_id, NULL)) PERSISTENT,
  UNIQUE KEY contacts_one_primary (primary_of),
  KEY contacts_by_customer (customer_id, create_time, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
