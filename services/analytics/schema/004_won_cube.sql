-- Won revenue folded so that a report reads a number of rows bounded by the business (days or
-- months × owners × currencies × an industry's or province's values), never by the number of
-- deals: won_daily's grain (day × owner × currency × industry × province) barely folds them
-- (tools/loadgen/RESULTS.md, "Analytics reports against a plain GROUP BY").
--
-- Each won deal adds to twelve rows: per day ('D') and per month ('M', period = the month's
-- first day); for its owner and for everyone (owner ''), which callers who see every figure
-- read; and with no dimension ('-'), by its customer's industry ('I') and by its province
-- ('P'), dim_value holding the industry or province. A report reads whole months from 'M'
-- rows and the days of a partial month from 'D' rows. Rows whose deals drop to 0 stay and are
-- left out of reports by HAVING, so the write is one statement.
CREATE TABLE won_cube (
  dim CHAR(1) NOT NULL,
  grain CHAR(1) NOT NULL,
  owner VARCHAR(64) NOT NULL,
  period DATE NOT NULL,
  dim_value VARCHAR(100) NOT NULL,
  currency CHAR(3) NOT NULL,
  amount_minor BIGINT NOT NULL,
  deals INT NOT NULL,
  PRIMARY KEY (dim, grain, owner, period, dim_value, currency)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Filled from the won deals the read model already holds (the feeds' state so far).
INSERT INTO won_cube (dim, grain, owner, period, dim_value, currency, amount_minor, deals)
SELECT d.dim, g.grain, IF(e.everyone = 1, '', w.owner), IF(g.grain = 'D', w.close_date,
                                 w.close_date - INTERVAL DAYOFMONTH(w.close_date) - 1 DAY),
       CASE d.dim WHEN 'I' THEN w.industry WHEN 'P' THEN w.province ELSE '' END, w.currency,
       SUM(w.amount_minor), COUNT(*)
FROM (SELECT close_date, owner, currency, amount_minor, industry, province
      FROM opportunities WHERE won = 1) w
CROSS JOIN (SELECT '-' AS dim UNION ALL SELECT 'I' UNION ALL SELECT 'P') d
CROSS JOIN (SELECT 'D' AS grain UNION ALL SELECT 'M') g
CROSS JOIN (SELECT 0 AS everyone UNION ALL SELECT 1) e
GROUP BY 1, 2, 3, 4, 5, 6;
