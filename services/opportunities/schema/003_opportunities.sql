-- Opportunities, their stage history, and the counts the win-probability model learns from.
-- Money is integer minor units of `currency` (amount_units: the whole units, for filters and
-- amount bands). Dates are the company's calendar dates.

CREATE TABLE opportunities (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 1,
  title VARCHAR(200) NOT NULL,
  customer_id BIGINT NOT NULL,
  customer_deleted TINYINT NOT NULL DEFAULT 0,
  pipeline_id BIGINT NOT NULL,
  stage_id BIGINT NOT NULL,
  state TINYINT NOT NULL,
  currency VARCHAR(3) NOT NULL DEFAULT '',
  amount_minor BIGINT NOT NULL DEFAULT 0,
  amount_units BIGINT NOT NULL DEFAULT 0,
  probability TINYINT NOT NULL,
  probability_overridden TINYINT NOT NULL DEFAULT 0,
  forecast_category TINYINT NOT NULL,
  forecast_overridden TINYINT NOT NULL DEFAULT 0,
  expected_close_date DATE NOT NULL,
  close_date DATE NULL,
  source TINYINT NOT NULL DEFAULT 0,
  campaign VARCHAR(64) NOT NULL DEFAULT '',
  owner VARCHAR(64) NOT NULL,
  creator VARCHAR(64) NOT NULL,
  next_step VARCHAR(255) NOT NULL DEFAULT '',
  description TEXT NOT NULL,
  -- crm.opportunities.v1.Opportunity with only `competitors` set, serialized.
  competitors BLOB NOT NULL,
  products TEXT NOT NULL,
  loss_reason VARCHAR(500) NOT NULL DEFAULT '',
  lost_to VARCHAR(100) NOT NULL DEFAULT '',
  lead_id BIGINT NOT NULL DEFAULT 0,
  -- The customer's industry and size band (customers service) for the win model.
  customer_industry VARCHAR(64) NOT NULL DEFAULT '',
  customer_size TINYINT NOT NULL DEFAULT 0,
  stage_enter_time DATETIME(6) NOT NULL,
  last_activity_time DATETIME(6) NOT NULL,
  -- Closed: the open stage it closed from (Reopen's default) and the feature values counted
  -- into win_stats ("feature=value" lines), subtracted again by Reopen or a delete.
  closed_from_stage_id BIGINT NOT NULL DEFAULT 0,
  closed_features TEXT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL,
  KEY opportunities_by_create_time (create_time, id),
  KEY opportunities_by_update_time (update_time, id),
  KEY opportunities_by_owner (owner, state, id),
  KEY opportunities_by_customer (customer_id),
  KEY opportunities_by_stage (pipeline_id, stage_id),
  KEY opportunities_by_close (state, expected_close_date),
  KEY opportunities_by_closed (state, close_date),
  KEY opportunities_by_expected_close_date (expected_close_date, id),
  KEY opportunities_by_amount (amount_units, id),
  KEY opportunities_by_title (title, id),
  KEY opportunities_by_probability (probability, id),
  KEY opportunities_by_campaign (campaign, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every stage an opportunity entered; left_time is set when it moved on.
CREATE TABLE stage_history (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  opportunity_id BIGINT NOT NULL,
  from_stage_id BIGINT NOT NULL DEFAULT 0,
  to_stage_id BIGINT NOT NULL,
  to_stage_name VARCHAR(64) NOT NULL,
  to_state TINYINT NOT NULL,
  currency VARCHAR(3) NOT NULL DEFAULT '',
  amount_minor BIGINT NOT NULL DEFAULT 0,
  probability TINYINT NOT NULL,
  actor VARCHAR(64) NOT NULL,
  change_time DATETIME(6) NOT NULL,
  left_time DATETIME(6) NULL,
  reason VARCHAR(500) NOT NULL DEFAULT '',
  KEY stage_history_by_opportunity (opportunity_id, id),
  KEY stage_history_by_stage (to_stage_id, left_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Closed deals per pipeline and feature value (feature '' value '': all of them).
CREATE TABLE win_stats (
  pipeline_id BIGINT NOT NULL,
  feature VARCHAR(16) NOT NULL,
  value VARCHAR(100) NOT NULL,
  won BIGINT NOT NULL DEFAULT 0,
  lost BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (pipeline_id, feature, value)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Leads and opportunities a customer merge re-pointed, so an unmerge puts back exactly
-- those. record_kind: 1 lead, 2 opportunity.
CREATE TABLE customer_repoints (
  survivor_id BIGINT NOT NULL,
  merged_id BIGINT NOT NULL,
  record_kind TINYINT NOT NULL,
  record_id BIGINT NOT NULL,
  PRIMARY KEY (survivor_id, merged_id, record_kind, record_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
