-- The funnel, forecast and win/loss read model (funnel_model.h), from the opportunities feed:
-- leads, each deal's stays in its stages, its forecast figures and how it closed, and quotas.
-- As in 001, every per-record row says exactly what it adds to the aggregates that reports
-- read, and the sequence of the last event applied to it (an older or repeated event changes
-- nothing).

-- What the funnel needs of a stage: its pipeline, place in it and type (the display names are
-- 001's). Written by the pipeline events next to 001's columns.
ALTER TABLE stages
  ADD COLUMN pipeline_name VARCHAR(100) NOT NULL DEFAULT '',  -- "pipelines/1"
  ADD COLUMN position INT NOT NULL DEFAULT 0,                 -- 0-based, the pipeline's order
  ADD COLUMN type TINYINT NOT NULL DEFAULT 0,                 -- StageType: 1 open, 2 won, 3 lost
  ADD KEY by_pipeline (pipeline_name, position);

-- Which pipeline is the default (the funnel's when none is named).
CREATE TABLE pipelines (
  name VARCHAR(100) NOT NULL PRIMARY KEY,
  is_default BOOLEAN NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every lead as the feed last described it, and the days it adds to lead_daily. A deleted
-- lead stays as a tombstone (status 0, no days) so that an older event cannot bring it back.
CREATE TABLE leads (
  id BIGINT NOT NULL PRIMARY KEY,
  last_sequence BIGINT NOT NULL,
  owner VARCHAR(64) NOT NULL,
  status TINYINT NOT NULL,           -- LeadStatus; 0 once deleted
  campaign VARCHAR(64) NOT NULL,
  created_day DATE NULL,
  qualified_day DATE NULL,           -- the first time it was QUALIFIED (or converted without)
  converted_day DATE NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Leads per day, owner and step (1 created, 2 qualified, 3 converted): the funnel's first
-- steps.
CREATE TABLE lead_daily (
  day DATE NOT NULL,
  owner VARCHAR(64) NOT NULL,
  step TINYINT NOT NULL,
  leads INT NOT NULL,
  PRIMARY KEY (day, owner, step)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Leads per status now: the crm_business_leads gauge.
CREATE TABLE lead_status (
  status TINYINT NOT NULL PRIMARY KEY,
  leads INT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Each deal's funnel state: its current stay, what it adds to open_forecast (f_*, when
-- f_month is set) and to closed_daily (c_*, when c_day is set). A deleted deal stays as a
-- tombstone adding nothing (no stays), so that an older event cannot bring it back.
CREATE TABLE funnel_deals (
  id BIGINT NOT NULL PRIMARY KEY,
  last_sequence BIGINT NOT NULL,
  stays INT NOT NULL,                 -- the number of its current stay (stage_stays.seq)
  stage VARCHAR(100) NOT NULL,        -- its current stage
  f_month DATE NULL,
  f_owner VARCHAR(64) NOT NULL,
  f_currency CHAR(3) NOT NULL,
  f_category TINYINT NOT NULL,
  f_amount BIGINT NOT NULL,
  f_weighted BIGINT NOT NULL,
  c_day DATE NULL,
  c_owner VARCHAR(64) NOT NULL,
  c_currency CHAR(3) NOT NULL,
  c_outcome TINYINT NOT NULL,         -- 2 won, 3 lost (StageType)
  c_reason VARCHAR(255) NOT NULL,
  c_competitor VARCHAR(100) NOT NULL,
  c_amount BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every stay of a deal in a stage: entered at an event's time, left at the next stage
-- change's. Owner, currency and amount are the deal's when it entered.
CREATE TABLE stage_stays (
  opportunity_id BIGINT NOT NULL,
  seq INT NOT NULL,
  stage VARCHAR(100) NOT NULL,
  entry_day DATE NOT NULL,
  owner VARCHAR(64) NOT NULL,
  currency CHAR(3) NOT NULL,
  amount_minor BIGINT NOT NULL,
  entered_us BIGINT NOT NULL,         -- Unix microseconds
  left_us BIGINT NULL,                -- NULL while it is there
  advanced BOOLEAN NOT NULL,          -- left to a later stage of the pipeline (not LOST)
  seconds BIGINT NOT NULL,            -- its time in the stage once left
  bucket TINYINT NOT NULL,            -- the bucket of that time (funnel_model.h)
  PRIMARY KEY (opportunity_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Stays per stage, entry day, owner and currency ('' without an amount): entries and the
-- amount entering; of those left, how many advanced, their total seconds and the histogram
-- of their time in stage (b0..b9, bounds in funnel_model.h).
CREATE TABLE stage_daily (
  stage VARCHAR(100) NOT NULL,
  day DATE NOT NULL,
  owner VARCHAR(64) NOT NULL,
  currency CHAR(3) NOT NULL,
  entries INT NOT NULL,
  amount_minor BIGINT NOT NULL,
  advanced INT NOT NULL,
  left_count INT NOT NULL,
  seconds BIGINT NOT NULL,
  b0 INT NOT NULL, b1 INT NOT NULL, b2 INT NOT NULL, b3 INT NOT NULL, b4 INT NOT NULL,
  b5 INT NOT NULL, b6 INT NOT NULL, b7 INT NOT NULL, b8 INT NOT NULL, b9 INT NOT NULL,
  PRIMARY KEY (stage, day, owner, currency)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Open deals expected to close in a month, per owner, currency and forecast category.
CREATE TABLE open_forecast (
  month DATE NOT NULL,                -- the month's first day
  owner VARCHAR(64) NOT NULL,
  currency CHAR(3) NOT NULL,
  category TINYINT NOT NULL,          -- ForecastCategory
  amount_minor BIGINT NOT NULL,
  weighted_minor BIGINT NOT NULL,
  deals INT NOT NULL,
  PRIMARY KEY (month, owner, currency, category)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Closed deals per close day, owner, currency ('' without an amount), outcome, loss reason
-- and the competitor it was lost to (both '' for won deals).
CREATE TABLE closed_daily (
  day DATE NOT NULL,
  owner VARCHAR(64) NOT NULL,
  currency CHAR(3) NOT NULL,
  outcome TINYINT NOT NULL,
  reason VARCHAR(255) NOT NULL,
  competitor VARCHAR(100) NOT NULL,
  amount_minor BIGINT NOT NULL,
  deals INT NOT NULL,
  PRIMARY KEY (day, owner, currency, outcome, reason, competitor)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Quotas from QuotaSet: one per owner, period ("2026", "2026-Q3", "2026-09") and currency.
CREATE TABLE quotas (
  owner VARCHAR(64) NOT NULL,
  last_sequence BIGINT NOT NULL,
  period VARCHAR(7) NOT NULL,
  currency CHAR(3) NOT NULL,
  amount_minor BIGINT NOT NULL,
  PRIMARY KEY (period, owner, currency)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
