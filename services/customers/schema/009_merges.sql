-- Merges, with what undoing one needs: every row the merge changed as it was before
-- (before_rows, services/customers/snapshot.h), and the survivor's and its contacts'
-- versions right after it (after_versions), which must still hold for an unmerge.
CREATE TABLE customer_merges (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  survivor_id BIGINT NOT NULL,
  merged_ids VARCHAR(255) NOT NULL,
  moved_contacts TEXT NOT NULL,
  state TINYINT NOT NULL,
  actor VARCHAR(64) NOT NULL,
  merge_time DATETIME(6) NOT NULL,
  before_rows LONGBLOB NOT NULL,
  after_versions TEXT NOT NULL,
  unmerge_actor VARCHAR(64) NOT NULL DEFAULT '',
  unmerge_time DATETIME(6) NULL,
  KEY customer_merges_by_survivor (survivor_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
