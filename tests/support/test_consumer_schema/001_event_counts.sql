-- The crash test's read model: how many times each (event type, resource) was applied.
-- Exactly once means it equals the producer's outbox grouped the same way.
CREATE TABLE event_counts (
  event_type VARCHAR(128) NOT NULL,
  resource VARCHAR(128) NOT NULL,
  applied BIGINT NOT NULL,
  PRIMARY KEY (event_type, resource)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
