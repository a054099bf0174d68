-- One row per relationship date of a customer (contact_id 0) or of one of its contacts, kept
-- with the record's own write, so ListUpcomingDates finds the dates falling on given days by
-- index: (calendar, month, day).
CREATE TABLE relationship_dates (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  contact_id BIGINT NOT NULL DEFAULT 0,
  position INT NOT NULL,
  kind TINYINT NOT NULL,
  label VARCHAR(64) NOT NULL DEFAULT '',
  calendar TINYINT NOT NULL,
  year INT NOT NULL,
  month TINYINT NOT NULL,
  day TINYINT NOT NULL,
  leap_month TINYINT NOT NULL,
  yearly TINYINT NOT NULL,
  KEY relationship_dates_by_day (calendar, month, day, customer_id),
  KEY relationship_dates_by_owner (customer_id, contact_id, position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
