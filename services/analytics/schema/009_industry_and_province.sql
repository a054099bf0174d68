-- An industry and a province together, for callers who see every figure: before this, a report
-- filtered on both read the per-owner tables (won_daily, customer_groups, customers_new_daily),
-- whose rows grow with the deals and customers (tools/loadgen/RESULTS.md: 100-160 ms for the
-- distribution and about 48 ms for the trend at 1M). Each cube gains the dimension 'B', whose
-- value is the industry and the province joined by U+001F (CHAR(31)), a character no industry
-- or province holds (the services refuse control characters in text):
--   won_cube            ('B', 'D' and 'M', owner '' only): two more rows per won deal;
--   customer_cube       slice 'B', dim 'S' (size band): one more row per customer; the slice's
--                       industry and province each hold all of its customers;
--   customers_new_cube  ('B', 'D' and 'M'): two more rows per customer.
-- Callers who see some owners only keep reading those owners' rows, as for every other filter.
-- The values grow to two VARCHAR(100) and the separator.
ALTER TABLE won_cube MODIFY dim_value VARCHAR(201) NOT NULL;
ALTER TABLE customer_cube MODIFY slice_value VARCHAR(201) NOT NULL;
ALTER TABLE customers_new_cube MODIFY dim_value VARCHAR(201) NOT NULL;

-- Filled from the won deals and the customers the read model already holds.
INSERT INTO won_cube (dim, grain, owner, period, dim_value, currency, amount_minor, deals)
SELECT 'B', g.grain, '', IF(g.grain = 'D', w.close_date,
                            w.close_date - INTERVAL DAYOFMONTH(w.close_date) - 1 DAY),
       CONCAT(w.industry, CHAR(31 USING utf8mb4), w.province), w.currency, SUM(w.amount_minor),
       COUNT(*)
FROM (SELECT close_date, currency, amount_minor, industry, province
      FROM opportunities WHERE won = 1) w
CROSS JOIN (SELECT 'D' AS grain UNION ALL SELECT 'M') g
GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO customer_cube (slice, slice_value, dim, dim_value, customers)
SELECT 'B', CONCAT(c.industry, CHAR(31 USING utf8mb4), c.province), 'S', c.size_band, COUNT(*)
FROM (SELECT industry, province, size_band FROM customer_facts WHERE counted = 1) c
GROUP BY 1, 2, 3, 4;

INSERT INTO customers_new_cube (dim, dim_value, grain, period, customers)
SELECT 'B', CONCAT(c.industry, CHAR(31 USING utf8mb4), c.province), g.grain,
       IF(g.grain = 'D', c.created, c.created - INTERVAL DAYOFMONTH(c.created) - 1 DAY), COUNT(*)
FROM (SELECT created, industry, province FROM customer_facts WHERE counted = 1) c
CROSS JOIN (SELECT 'D' AS grain UNION ALL SELECT 'M') g
GROUP BY 1, 2, 3, 4;
