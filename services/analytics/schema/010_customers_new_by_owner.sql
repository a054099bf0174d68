-- New customers per owner as well as for everyone, so that a rep's or a manager's customer
-- distribution reads as few rows as an admin's: before this they read their owners' rows of
-- customers_new_daily, one per day, owner, industry, province and size band, which grow with
-- the customers (a rep of the benchmark's 1M customers read about 1,600 a year, 10M ten times
-- as many; tools/loadgen/RESULTS.md).
--
-- customers_new_cube gains the owner: '' for everyone's rows (all there were), else the
-- customers' owner, whose rows are per day and per month with no dimension, by industry and by
-- province (as won_cube's per-owner rows; industry and province together stay everyone's
-- only, and a report filtered on both for some owners reads customers_new_daily). A customer
-- without an owner adds to everyone's rows only.
ALTER TABLE customers_new_cube ADD COLUMN owner VARCHAR(64) NOT NULL DEFAULT '' FIRST,
  DROP PRIMARY KEY, ADD PRIMARY KEY (owner, dim, dim_value, grain, period);

-- Filled from the customers the read model already holds.
INSERT INTO customers_new_cube (owner, dim, dim_value, grain, period, customers)
SELECT c.owner, d.dim, CASE d.dim WHEN 'I' THEN c.industry WHEN 'P' THEN c.province ELSE '' END,
       g.grain, IF(g.grain = 'D', c.created, c.created - INTERVAL DAYOFMONTH(c.created) - 1 DAY),
       COUNT(*)
FROM (SELECT owner, created, industry, province
      FROM customer_facts WHERE counted = 1 AND owner <> '') c
CROSS JOIN (SELECT '-' AS dim UNION ALL SELECT 'I' UNION ALL SELECT 'P') d
CROSS JOIN (SELECT 'D' AS grain UNION ALL SELECT 'M') g
GROUP BY 1, 2, 3, 4, 5;
