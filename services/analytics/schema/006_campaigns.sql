-- The campaign report's read model (campaign_model.h): the campaigns as the activities feed
-- last described them, and what the opportunities feed attributes to their codes by the rules
-- of libs/campaigns/attribution.h (the activities service's own, so that a row of the report
-- equals that campaign's CampaignEffectiveness).

-- Every campaign, keyed by its resource name; the code is fixed once created. A newer event
-- replaces the row (last_sequence: an older or repeated one changes nothing).
CREATE TABLE campaigns (
  name VARCHAR(64) NOT NULL PRIMARY KEY,       -- "campaigns/12"
  id BIGINT NOT NULL,                          -- its number, for a stable order
  last_sequence BIGINT NOT NULL,
  code VARCHAR(64) NOT NULL,
  title VARCHAR(800) NOT NULL,
  type TINYINT NOT NULL,                       -- Campaign.Type
  state TINYINT NOT NULL,                      -- Campaign.State
  start_time DATETIME(6) NOT NULL,             -- UTC
  end_time DATETIME(6) NOT NULL,
  budget_currency CHAR(3) NOT NULL,
  budget_minor BIGINT NOT NULL,
  has_cost BOOLEAN NOT NULL,                   -- an actual cost is recorded
  cost_minor BIGINT NOT NULL,                  -- in the budget's currency
  UNIQUE KEY by_code (code),
  KEY by_window (start_time, end_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Who takes part in each campaign (a rep's report lists those they take part in).
CREATE TABLE campaign_participants (
  participant VARCHAR(64) NOT NULL,            -- "users/{id}"
  campaign VARCHAR(64) NOT NULL,
  PRIMARY KEY (participant, campaign),
  KEY by_campaign (campaign)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per thing counted for a code: kind 1 a lead ("leads/{id}"), 2 a customer its
-- conversion created or linked, 3 an opportunity, 4 a won opportunity (its amount). A code may
-- be counted before its campaign arrives.
CREATE TABLE campaign_attributions (
  code VARCHAR(64) NOT NULL,
  kind TINYINT NOT NULL,
  resource VARCHAR(128) NOT NULL,
  currency CHAR(3) NOT NULL DEFAULT '',
  amount_minor BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (code, kind, resource)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Those rows added up per code, kind and currency ('' but for kind 4), kept with them: what
-- the report reads (its cost follows the campaigns, not the leads and deals).
CREATE TABLE campaign_figures (
  code VARCHAR(64) NOT NULL,
  kind TINYINT NOT NULL,
  currency CHAR(3) NOT NULL,
  items BIGINT NOT NULL,
  amount_minor BIGINT NOT NULL,
  PRIMARY KEY (code, kind, currency)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
