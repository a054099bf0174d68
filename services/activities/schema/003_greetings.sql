-- Greetings from the customers' yearly dates, and their dispatch ledger: one row per person,
-- occasion and year (greetings_once), made PENDING when the date comes within the lead time,
-- claimed before it is sent, then SENT or FAILED. The unique key is what makes a greeting go
-- out once across replicas and restarts: every state change is a guarded UPDATE of this row.
--
-- contact_id 0: the customer's own date. occasion: 1 birthday, 2 company anniversary,
-- 3 first-deal anniversary, 4 custom (occasion_label is then the date's label, part of the key).
-- state: 1 PENDING, 2 SKIPPED, 3 SENDING (claimed by claim_token until claim_expires),
-- 4 SENT, 5 FAILED, 6 UNCERTAIN (its sender died after handing the message to the SMTP
-- server and before recording the answer: never sent again, shown to the rep instead).
-- committing: the claimant has passed the point after which the server may accept the message.

CREATE TABLE greetings (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  contact_id BIGINT NOT NULL DEFAULT 0,
  occasion TINYINT NOT NULL,
  occasion_label VARCHAR(100) NOT NULL DEFAULT '',
  year SMALLINT NOT NULL,
  send_date DATE NOT NULL,
  years INT NOT NULL DEFAULT 0,
  owner VARCHAR(64) NOT NULL,
  recipient_name VARCHAR(200) NOT NULL DEFAULT '',
  recipient_email VARCHAR(254) NOT NULL DEFAULT '',
  language VARCHAR(8) NOT NULL,
  subject VARCHAR(300) NOT NULL,
  body TEXT NOT NULL,
  edited TINYINT NOT NULL DEFAULT 0,
  state TINYINT NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  claim_token VARCHAR(64) NULL,
  claim_expires DATETIME(6) NULL,
  committing TINYINT NOT NULL DEFAULT 0,
  last_error VARCHAR(500) NOT NULL DEFAULT '',
  sent_time DATETIME(6) NULL,
  version BIGINT NOT NULL DEFAULT 1,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  UNIQUE KEY greetings_once (customer_id, contact_id, occasion, occasion_label, year),
  KEY greetings_due (state, send_date),
  KEY greetings_by_owner (owner, send_date, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
