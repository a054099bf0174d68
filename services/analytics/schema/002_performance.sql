-- crm-analytics' performance aggregates (p-an-perf): customer distribution, and per owner and
-- day the figures of the staff ranking. As in 001, each per-record row says exactly what its
-- record adds to the aggregates now, so a change subtracts precisely what was added before
-- and a replay from zero ends with the same figures.

-- Every customer the customers feed has told of and what it adds: one customer to
-- customer_groups and to customers_new_daily (under its creation day) while counted = 1.
-- A customer merged away stays here with counted = 0, so an unmerge can count it again.
CREATE TABLE customer_facts (
  id BIGINT NOT NULL PRIMARY KEY,
  counted BOOLEAN NOT NULL,
  owner VARCHAR(64) NOT NULL,
  industry VARCHAR(100) NOT NULL,
  province VARCHAR(100) NOT NULL,
  size_band VARCHAR(32) NOT NULL,  -- the SizeBand name, "SIZE_BAND_UNSPECIFIED" when unknown
  created DATE NOT NULL            -- the company's calendar day of its create_time
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Customers now, per owner and dimension: the distribution report. A group whose last
-- customer leaves it is deleted.
CREATE TABLE customer_groups (
  owner VARCHAR(64) NOT NULL,
  industry VARCHAR(100) NOT NULL,
  province VARCHAR(100) NOT NULL,
  size_band VARCHAR(32) NOT NULL,
  customers INT NOT NULL,
  PRIMARY KEY (owner, industry, province, size_band)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Customers created per day that still exist, per owner and dimension: new customers per
-- period, and per owner in the staff ranking.
CREATE TABLE customers_new_daily (
  day DATE NOT NULL,
  owner VARCHAR(64) NOT NULL,
  industry VARCHAR(100) NOT NULL,
  province VARCHAR(100) NOT NULL,
  size_band VARCHAR(32) NOT NULL,
  customers INT NOT NULL,
  PRIMARY KEY (day, owner, industry, province, size_band),
  KEY by_owner (owner, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Per owner and the company's calendar day, what the staff ranking adds up besides revenue
-- (won_daily) and new customers (customers_new_daily): orders created, completed (reached
-- DELIVERED or COMPLETED) and cancelled, activities logged, leads converted. A row whose
-- figures are all back to 0 is deleted.
CREATE TABLE owner_daily (
  day DATE NOT NULL,
  owner VARCHAR(64) NOT NULL,
  orders_created INT NOT NULL DEFAULT 0,
  orders_completed INT NOT NULL DEFAULT 0,
  orders_cancelled INT NOT NULL DEFAULT 0,
  activities INT NOT NULL DEFAULT 0,
  leads_converted INT NOT NULL DEFAULT 0,
  PRIMARY KEY (day, owner),
  KEY by_owner (owner, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every order the orders feed has told of and what it adds: one order created (owner,
-- created), completed on `completed` and cancelled on `cancelled` when set, and one order to
-- orders_by_status under `status`.
CREATE TABLE order_facts (
  id BIGINT NOT NULL PRIMARY KEY,
  owner VARCHAR(64) NOT NULL,
  status VARCHAR(32) NOT NULL,  -- the OrderStatus name
  created DATE NOT NULL,
  completed DATE NULL,          -- the day it first reached DELIVERED or COMPLETED
  cancelled DATE NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Orders now per status: the crm_business_orders gauge.
CREATE TABLE orders_by_status (
  status VARCHAR(32) NOT NULL PRIMARY KEY,
  orders INT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every logged activity and what it adds: one activity for its performer on its day.
CREATE TABLE activity_facts (
  id BIGINT NOT NULL PRIMARY KEY,
  owner VARCHAR(64) NOT NULL,
  day DATE NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every converted lead (LeadConverted) and what it adds: one conversion for its owner on the
-- day of conversion. (The leads themselves are another table's.)
CREATE TABLE lead_conversions (
  id BIGINT NOT NULL PRIMARY KEY,
  owner VARCHAR(64) NOT NULL,
  day DATE NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
