-- The funnel folded so that a report reads a number of rows bounded by the business (days or
-- months × owners × stages × currencies), never by the period's days × owners: lead_daily and
-- stage_daily are read row by row over the period, every owner's rows even for a rep
-- (tools/loadgen/RESULTS.md, "The funnel on lead_cube and stage_cube").
--
-- As won_cube (004): each figure of a lead or a stay adds to four rows, per day ('D') and per
-- month ('M', period = the month's first day), for its owner and for everyone (owner ''),
-- which callers who see every figure read. A report reads whole months from 'M' rows and the
-- days of a cut month from 'D' rows. A lead or stay without an owner adds to everyone's rows
-- only: owner '' is everyone's, and no caller but those who see everything can see it. The
-- daily tables stay as they are, written in the same transactions.

-- Leads per grain, owner, period and step (lead_daily's steps: 1 created, 2 qualified,
-- 3 converted).
CREATE TABLE lead_cube (
  grain CHAR(1) NOT NULL,
  owner VARCHAR(64) NOT NULL,
  period DATE NOT NULL,
  step TINYINT NOT NULL,
  leads INT NOT NULL,
  PRIMARY KEY (grain, owner, period, step)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Stays per grain, owner, period of their entry, stage and currency: stage_daily's figures.
-- A stay that leaves adds its leaving to the rows of the day and month it entered.
CREATE TABLE stage_cube (
  grain CHAR(1) NOT NULL,
  owner VARCHAR(64) NOT NULL,
  period DATE NOT NULL,
  stage VARCHAR(100) NOT NULL,
  currency CHAR(3) NOT NULL,
  entries INT NOT NULL,
  amount_minor BIGINT NOT NULL,
  advanced INT NOT NULL,
  left_count INT NOT NULL,
  seconds BIGINT NOT NULL,
  b0 INT NOT NULL, b1 INT NOT NULL, b2 INT NOT NULL, b3 INT NOT NULL, b4 INT NOT NULL,
  b5 INT NOT NULL, b6 INT NOT NULL, b7 INT NOT NULL, b8 INT NOT NULL, b9 INT NOT NULL,
  PRIMARY KEY (grain, owner, period, stage, currency)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Filled from the daily rows the read model already holds (the feed's state so far).
INSERT INTO lead_cube (grain, owner, period, step, leads)
SELECT g.grain, IF(e.everyone = 1, '', l.owner),
       IF(g.grain = 'D', l.day, l.day - INTERVAL DAYOFMONTH(l.day) - 1 DAY), l.step,
       SUM(l.leads)
FROM (SELECT day, owner, step, leads FROM lead_daily) l
CROSS JOIN (SELECT 'D' AS grain UNION ALL SELECT 'M') g
CROSS JOIN (SELECT 0 AS everyone UNION ALL SELECT 1) e
WHERE e.everyone = 1 OR l.owner <> ''
GROUP BY 1, 2, 3, 4;

INSERT INTO stage_cube (grain, owner, period, stage, currency, entries, amount_minor, advanced,
                        left_count, seconds, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9)
SELECT g.grain, IF(e.everyone = 1, '', s.owner),
       IF(g.grain = 'D', s.day, s.day - INTERVAL DAYOFMONTH(s.day) - 1 DAY), s.stage, s.currency,
       SUM(s.entries), SUM(s.amount_minor), SUM(s.advanced), SUM(s.left_count), SUM(s.seconds),
       SUM(s.b0), SUM(s.b1), SUM(s.b2), SUM(s.b3), SUM(s.b4), SUM(s.b5), SUM(s.b6), SUM(s.b7),
       SUM(s.b8), SUM(s.b9)
FROM (SELECT stage, day, owner, currency, entries, amount_minor, advanced, left_count, seconds,
             b0, b1, b2, b3, b4, b5, b6, b7, b8, b9 FROM stage_daily) s
CROSS JOIN (SELECT 'D' AS grain UNION ALL SELECT 'M') g
CROSS JOIN (SELECT 0 AS everyone UNION ALL SELECT 1) e
WHERE e.everyone = 1 OR s.owner <> ''
GROUP BY 1, 2, 3, 4, 5;
