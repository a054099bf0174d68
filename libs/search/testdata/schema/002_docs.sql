-- The records the tests search: `hidden` stands for a store's own conditions (live, visible
-- to the caller).
CREATE TABLE docs (
  id BIGINT PRIMARY KEY,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  hidden TINYINT NOT NULL DEFAULT 0,
  update_time DATETIME(6) NOT NULL
) DEFAULT CHARSET=utf8mb4;
