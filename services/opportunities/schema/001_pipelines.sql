-- Pipelines and their stages, with the default pipeline the service ships.
-- Times are UTC. Text is utf8mb4; comparisons are case-insensitive (unicode_ci).
-- Enums are stored as the proto numbers: StageType OPEN 1, WON 2, LOST 3; ForecastCategory
-- PIPELINE 1, BEST_CASE 2, COMMIT 3, CLOSED 4, OMITTED 5.

CREATE TABLE pipelines (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 1,
  display_name VARCHAR(100) NOT NULL,
  is_default TINYINT NOT NULL DEFAULT 0,
  creator VARCHAR(64) NOT NULL DEFAULT '',
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  UNIQUE KEY pipelines_by_display_name (display_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A removed stage keeps its row (delete_time set) for the stage history that names it.
CREATE TABLE stages (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  pipeline_id BIGINT NOT NULL,
  position INT NOT NULL,
  display_name VARCHAR(64) NOT NULL,
  probability TINYINT NOT NULL,
  forecast_category TINYINT NOT NULL,
  type TINYINT NOT NULL,
  delete_time DATETIME(6) NULL,
  KEY stages_by_pipeline (pipeline_id, position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO pipelines (id, version, display_name, is_default, creator, create_time, update_time)
VALUES (1, 1, 'Sales', 1, 'services/opportunities', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6));

INSERT INTO stages (pipeline_id, position, display_name, probability, forecast_category, type)
VALUES (1, 0, 'Prospecting', 10, 1, 1),
       (1, 1, 'Qualification', 20, 1, 1),
       (1, 2, 'Needs Analysis', 40, 1, 1),
       (1, 3, 'Proposal', 60, 2, 1),
       (1, 4, 'Negotiation', 80, 3, 1),
       (1, 5, 'Won', 100, 4, 2),
       (1, 6, 'Lost', 0, 5, 3);
