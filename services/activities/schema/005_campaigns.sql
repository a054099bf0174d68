-- The customer timeline: what other services' feeds say happened to a customer (opportunities,
-- orders, merges), one row per event (source_event unique, so a rewound feed adds nothing),
-- read together with the customer's activities. A merge moves the merged customers' entries
-- to the survivor (remembered in timeline_repoints, so that an unmerge moves exactly those
-- back). kind: TimelineEntry.Kind as the proto number; amount_minor in minor units of currency
-- ('' when there is no amount).

CREATE TABLE timeline_entries (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  kind TINYINT NOT NULL,
  entry_time DATETIME(6) NOT NULL,
  title VARCHAR(300) NOT NULL,
  detail TEXT NOT NULL,
  resource VARCHAR(128) NOT NULL,
  actor VARCHAR(64) NOT NULL,
  currency CHAR(3) NOT NULL DEFAULT '',
  amount_minor BIGINT NOT NULL DEFAULT 0,
  source_event VARCHAR(128) NOT NULL,
  UNIQUE KEY timeline_by_source_event (source_event),
  KEY timeline_by_customer (customer_id, entry_time, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE timeline_repoints (
  survivor_id BIGINT NOT NULL,
  merged_id BIGINT NOT NULL,
  entry_id BIGINT NOT NULL,
  PRIMARY KEY (survivor_id, merged_id, entry_id)
) ENGINE=InnoDB;

-- Campaigns and visit plans. type and state: Campaign.Type and Campaign.State as the proto
-- numbers. Money in minor units of `currency` (the budget's; the actual cost and the expected
-- revenue are in it too); actual_cost NULL until recorded. Participants and target customers
-- are child rows (participants decide who reads a campaign).
CREATE TABLE campaigns (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 1,
  code VARCHAR(64) NOT NULL,
  title VARCHAR(200) NOT NULL,
  type TINYINT NOT NULL,
  goal TEXT NOT NULL,
  start_time DATETIME(6) NOT NULL,
  end_time DATETIME(6) NOT NULL,
  place VARCHAR(200) NOT NULL,
  currency CHAR(3) NOT NULL,
  budget_minor BIGINT NOT NULL,
  customer_filter TEXT NOT NULL,
  expected_leads BIGINT NOT NULL DEFAULT 0,
  expected_opportunities BIGINT NOT NULL DEFAULT 0,
  expected_revenue_minor BIGINT NOT NULL DEFAULT 0,
  state TINYINT NOT NULL,
  actual_cost_minor BIGINT NULL,
  actual_attendance INT NOT NULL DEFAULT 0,
  notes TEXT NOT NULL,
  creator VARCHAR(64) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  close_time DATETIME(6) NULL,
  UNIQUE KEY campaigns_by_code (code),
  KEY campaigns_by_start (start_time, id),
  KEY campaigns_by_end (end_time, id),
  KEY campaigns_by_create (create_time, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE campaign_participants (
  campaign_id BIGINT NOT NULL,
  user VARCHAR(64) NOT NULL,
  position INT NOT NULL,
  PRIMARY KEY (campaign_id, user),
  KEY campaign_participants_by_user (user, campaign_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE campaign_targets (
  campaign_id BIGINT NOT NULL,
  customer_id BIGINT NOT NULL,
  position INT NOT NULL,
  PRIMARY KEY (campaign_id, customer_id)
) ENGINE=InnoDB;

-- One row per campaign, customer and participant: recording again replaces it.
CREATE TABLE campaign_feedback (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  campaign_id BIGINT NOT NULL,
  customer_id BIGINT NOT NULL,
  participant VARCHAR(64) NOT NULL,
  attended BOOLEAN NOT NULL,
  rating TINYINT NOT NULL,
  feedback TEXT NOT NULL,
  contact_time DATETIME(6) NULL,
  update_time DATETIME(6) NOT NULL,
  UNIQUE KEY campaign_feedback_once (campaign_id, customer_id, participant)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What the opportunities feed attributed to a campaign code, one row per thing counted, so a
-- replayed event counts nothing twice: kind 1 a lead created with the code ("leads/{id}"),
-- 2 a customer a conversion of such a lead created or linked ("customers/{id}"), 3 an
-- opportunity created with it, 4 one of those won (its amount; deleted when it is reopened).
-- A code may be attributed before a campaign with it is created.
CREATE TABLE campaign_attributions (
  code VARCHAR(64) NOT NULL,
  kind TINYINT NOT NULL,
  resource VARCHAR(128) NOT NULL,
  currency CHAR(3) NOT NULL DEFAULT '',
  amount_minor BIGINT NOT NULL DEFAULT 0,
  source_event VARCHAR(128) NOT NULL,
  PRIMARY KEY (code, kind, resource)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
