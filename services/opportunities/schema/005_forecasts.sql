-- Quotas per owner, period and currency, and the daily forecast snapshots. Periods are
-- "2026", "2026-Q3" or "2026-09".

CREATE TABLE quotas (
  owner VARCHAR(64) NOT NULL,
  period VARCHAR(7) NOT NULL,
  currency VARCHAR(3) NOT NULL,
  amount_minor BIGINT NOT NULL,
  setter VARCHAR(64) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  PRIMARY KEY (owner, period, currency),
  KEY quotas_by_period (period)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE forecast_snapshots (
  period VARCHAR(7) NOT NULL,
  owner VARCHAR(64) NOT NULL,
  snapshot_date DATE NOT NULL,
  currency VARCHAR(3) NOT NULL,
  closed_won BIGINT NOT NULL,
  commit_amount BIGINT NOT NULL,
  best_case BIGINT NOT NULL,
  pipeline_amount BIGINT NOT NULL,
  weighted BIGINT NOT NULL,
  quota BIGINT NOT NULL,
  won_count INT NOT NULL,
  open_count INT NOT NULL,
  PRIMARY KEY (period, owner, snapshot_date, currency)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per period and day a snapshot was taken: the first replica to insert it takes the
-- snapshot, in the same transaction.
CREATE TABLE snapshot_runs (
  period VARCHAR(7) NOT NULL,
  snapshot_date DATE NOT NULL,
  taken_time DATETIME(6) NOT NULL,
  PRIMARY KEY (period, snapshot_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
