-- crm-analytics' read model (proto/crm/analytics/v1/analytics.proto): built only from the
-- customers and opportunities feeds, applied once each by the event consumer. Reports and
-- gauges read the aggregates (won_daily, open_pipeline); the per-record rows say exactly what
-- each record adds to them, so a change subtracts precisely what was added before.

-- The customers' grouping dimensions, as the customers feed last described them.
CREATE TABLE customers (
  id BIGINT NOT NULL PRIMARY KEY,
  industry VARCHAR(100) NOT NULL DEFAULT '',
  province VARCHAR(100) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The pipelines' stages and their names, from PipelineCreated and PipelineUpdated (what the
-- business gauges call a stage).
CREATE TABLE stages (
  name VARCHAR(100) NOT NULL PRIMARY KEY,  -- "pipelines/1/stages/3"
  pipeline VARCHAR(100) NOT NULL,          -- the pipeline's display name
  display_name VARCHAR(100) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every opportunity the feed has told of, and what it adds to the aggregates now: to won_daily
-- when won = 1 (amount_minor and one deal under close_date, owner, currency, industry,
-- province), to open_pipeline when open = 1 (under stage and currency), else nothing.
CREATE TABLE opportunities (
  id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  owner VARCHAR(64) NOT NULL,
  won BOOLEAN NOT NULL,
  open BOOLEAN NOT NULL,
  stage VARCHAR(100) NOT NULL,
  close_date DATE NULL,
  currency CHAR(3) NOT NULL,
  amount_minor BIGINT NOT NULL,
  industry VARCHAR(100) NOT NULL,
  province VARCHAR(100) NOT NULL,
  KEY by_customer (customer_id, won)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Won revenue per day, owner, currency and the customer's industry and province: what every
-- sales report adds up. A group whose last deal leaves it is deleted.
CREATE TABLE won_daily (
  day DATE NOT NULL,
  owner VARCHAR(64) NOT NULL,
  currency CHAR(3) NOT NULL,
  industry VARCHAR(100) NOT NULL,
  province VARCHAR(100) NOT NULL,
  amount_minor BIGINT NOT NULL,
  deals INT NOT NULL,
  PRIMARY KEY (day, owner, currency, industry, province),
  KEY by_owner (owner, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Open deals per stage and currency: the pipeline gauges.
CREATE TABLE open_pipeline (
  stage VARCHAR(100) NOT NULL,
  currency CHAR(3) NOT NULL,
  amount_minor BIGINT NOT NULL,
  deals INT NOT NULL,
  PRIMARY KEY (stage, currency)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
