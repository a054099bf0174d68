-- Leads, and the conversions in flight (lead_conversions: the customer request a conversion
-- sent, kept so that a retry after a crash sends exactly the same one and the customers
-- service replays its answer instead of creating a second customer).
-- Enums: Source and LeadStatus as the proto numbers.

CREATE TABLE leads (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 1,
  company VARCHAR(200) NOT NULL DEFAULT '',
  contact_name VARCHAR(100) NOT NULL DEFAULT '',
  job_title VARCHAR(100) NOT NULL DEFAULT '',
  -- Newline-joined, so a read is one primary-key lookup; ':' filters search them.
  phones TEXT NOT NULL,
  emails TEXT NOT NULL,
  industry VARCHAR(64) NOT NULL DEFAULT '',
  country VARCHAR(2) NOT NULL DEFAULT '',
  province VARCHAR(64) NOT NULL DEFAULT '',
  city VARCHAR(64) NOT NULL DEFAULT '',
  source TINYINT NOT NULL DEFAULT 0,
  campaign VARCHAR(64) NOT NULL DEFAULT '',
  status TINYINT NOT NULL,
  disqualify_reason VARCHAR(500) NOT NULL DEFAULT '',
  score TINYINT NOT NULL DEFAULT 0,
  owner VARCHAR(64) NOT NULL,
  creator VARCHAR(64) NOT NULL,
  notes TEXT NOT NULL,
  -- NULL when none; cleared on delete so an import can bring the lead back.
  external_id VARCHAR(64) NULL,
  import_batch VARCHAR(64) NOT NULL DEFAULT '',
  customer_id BIGINT NOT NULL DEFAULT 0,
  opportunity_id BIGINT NOT NULL DEFAULT 0,
  convert_time DATETIME(6) NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL,
  UNIQUE KEY leads_by_external_id (external_id),
  KEY leads_by_create_time (create_time, id),
  KEY leads_by_update_time (update_time, id),
  KEY leads_by_owner (owner, id),
  KEY leads_by_status (status, id),
  KEY leads_by_campaign (campaign, id),
  KEY leads_by_score (score, id),
  KEY leads_by_company (company, id),
  KEY leads_by_customer (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE lead_conversions (
  lead_id BIGINT NOT NULL PRIMARY KEY,
  actor VARCHAR(64) NOT NULL,
  customer_request_id VARCHAR(64) NOT NULL,
  customer_request LONGBLOB NOT NULL,
  create_time DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
