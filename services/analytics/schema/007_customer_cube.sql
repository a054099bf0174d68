-- The customer distribution folded for callers who see every customer (admin, marketing), so
-- that their report reads a number of rows bounded by the business (industries, provinces,
-- size bands, days or months), never by the number of customers: customer_groups' grain
-- (owner × industry × province × size band) grows with the customers, and such a caller read
-- every row of it and every customers_new_daily row of the period (tools/loadgen/RESULTS.md,
-- "Trends on `won_cube`, the customer distribution and the funnel"). Callers who see some
-- owners only keep reading those owners' rows of customer_groups and customers_new_daily.
--
-- Each counted customer (customer_facts.counted = 1) adds 1 to each of seven customer_cube rows
-- and six customers_new_cube rows, always together with its customer_groups and
-- customers_new_daily rows, so customer_facts says what it adds to every one of them. Rows
-- whose customers drop to 0 stay and are left out of reports, so each cube takes one statement.

-- Customers now, one dimension at a time, within no filter or the report's filter on one
-- industry or one province: slice '-' (every customer, slice_value '') or 'I' / 'P' (the
-- customers of the industry / province in slice_value), then dim 'I' (industry), 'P'
-- (province) or 'S' (size band) with its value in dim_value. A customer adds to ('-', I),
-- ('-', P), ('-', S), ('I', P), ('I', S), ('P', I) and ('P', S). A filter on both an industry
-- and a province is answered from customer_groups.
CREATE TABLE customer_cube (
  slice CHAR(1) NOT NULL,
  slice_value VARCHAR(100) NOT NULL,
  dim CHAR(1) NOT NULL,
  dim_value VARCHAR(100) NOT NULL,
  customers INT NOT NULL,
  PRIMARY KEY (slice, slice_value, dim, dim_value)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- New customers (still counted) per creation day ('D') and per month ('M', period = the
-- month's first day), as won_cube: with no dimension ('-', dim_value ''), by industry ('I')
-- and by province ('P'). A report reads whole months from 'M' rows and the days of a month it
-- cuts from 'D' rows. A filter on both an industry and a province reads customers_new_daily.
CREATE TABLE customers_new_cube (
  dim CHAR(1) NOT NULL,
  dim_value VARCHAR(100) NOT NULL,
  grain CHAR(1) NOT NULL,
  period DATE NOT NULL,
  customers INT NOT NULL,
  PRIMARY KEY (dim, dim_value, grain, period)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Both filled from the customers the read model already holds (the feed's state so far).
INSERT INTO customer_cube (slice, slice_value, dim, dim_value, customers)
SELECT k.slice, CASE k.slice WHEN 'I' THEN c.industry WHEN 'P' THEN c.province ELSE '' END,
       k.dim, CASE k.dim WHEN 'I' THEN c.industry WHEN 'P' THEN c.province ELSE c.size_band END,
       COUNT(*)
FROM (SELECT industry, province, size_band FROM customer_facts WHERE counted = 1) c
CROSS JOIN (SELECT '-' AS slice, 'I' AS dim UNION ALL SELECT '-', 'P' UNION ALL SELECT '-', 'S'
            UNION ALL SELECT 'I', 'P' UNION ALL SELECT 'I', 'S'
            UNION ALL SELECT 'P', 'I' UNION ALL SELECT 'P', 'S') k
GROUP BY 1, 2, 3, 4;

INSERT INTO customers_new_cube (dim, dim_value, grain, period, customers)
SELECT d.dim, CASE d.dim WHEN 'I' THEN c.industry WHEN 'P' THEN c.province ELSE '' END, g.grain,
       IF(g.grain = 'D', c.created, c.created - INTERVAL DAYOFMONTH(c.created) - 1 DAY), COUNT(*)
FROM (SELECT created, industry, province FROM customer_facts WHERE counted = 1) c
CROSS JOIN (SELECT '-' AS dim UNION ALL SELECT 'I' UNION ALL SELECT 'P') d
CROSS JOIN (SELECT 'D' AS grain UNION ALL SELECT 'M') g
GROUP BY 1, 2, 3, 4;
