-- Clean data and duplicates: the customer's id in the system it was imported from (what an
-- import upserts by; unique among live customers, case-sensitive), the company match key the
-- duplicate rules compare, the relationship dates as read (006 keeps the rows
-- ListUpcomingDates queries), the survivor a merged customer went into, and which version of
-- the derived data (match key, search index) the row has: the service brings older rows up to
-- date at start-up.
ALTER TABLE customers
  ADD COLUMN external_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL
    DEFAULT '',
  ADD COLUMN company_match_key VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL
    DEFAULT '',
  ADD COLUMN dates TEXT NOT NULL DEFAULT '',
  ADD COLUMN merged_into BIGINT NULL,
  ADD COLUMN derived_version INT NOT NULL DEFAULT 0,
  ADD COLUMN live_external_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
    AS (IF(delete_time IS NULL AND external_id <> '', external_id, NULL)) PERSISTENT,
  ADD UNIQUE KEY customers_by_live_external_id (live_external_id),
  ADD KEY customers_by_company_match_key (company_match_key, id),
  ADD KEY customers_by_merged_into (merged_into),
  ADD KEY customers_by_derived_version (derived_version, id);
