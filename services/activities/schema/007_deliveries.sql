-- Notification delivery by e-mail and webhook (delivery_store.h).
--
-- One row per notification, recipient and channel: written by Notify in the transaction that
-- writes the notification, when the recipient has the channel on for its topic. It carries
-- the notification's text, so a user who switched the inbox off for a topic but e-mail on
-- still gets the mail. (source_event, recipient, channel) is unique: a replayed event makes
-- no second delivery.
--
-- channel: NotificationChannel (2 EMAIL, 3 WEBHOOK). kind: NotificationKind.
-- state: 1 PENDING (due at next_attempt_time), 2 SENDING (claimed by claim_token until
-- claim_expires), 3 SENT, 4 DEAD (refused for good, or out of attempts), 5 UNCERTAIN (an
-- e-mail whose sender stopped after the SMTP server may have accepted it: never sent again).
-- committing: the claimant has passed the point after which the server may accept the mail.
CREATE TABLE notification_deliveries (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  recipient VARCHAR(64) NOT NULL,
  channel TINYINT NOT NULL,
  kind TINYINT NOT NULL,
  title VARCHAR(200) NOT NULL,
  body TEXT NOT NULL,
  resource VARCHAR(128) NOT NULL,
  actor VARCHAR(64) NOT NULL,
  source_event VARCHAR(128) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  state TINYINT NOT NULL DEFAULT 1,
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_time DATETIME(6) NOT NULL,
  claim_token VARCHAR(64) NULL,
  claim_expires DATETIME(6) NULL,
  committing TINYINT NOT NULL DEFAULT 0,
  last_error VARCHAR(500) NOT NULL DEFAULT '',
  finish_time DATETIME(6) NULL,
  UNIQUE KEY deliveries_once (source_event, recipient, channel),
  KEY deliveries_due (state, next_attempt_time),
  KEY deliveries_finished (state, finish_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Where a user's WEBHOOK deliveries go: one endpoint per user, with the secret the
-- deliveries are signed with (libs/webhook).
CREATE TABLE notification_webhooks (
  owner VARCHAR(64) NOT NULL PRIMARY KEY,  -- "users/{id}"
  url VARCHAR(2000) NOT NULL,
  secret VARCHAR(200) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Retention (retention.h) deletes read notifications by age, oldest first.
CREATE INDEX notifications_by_create_time ON notifications (create_time);
