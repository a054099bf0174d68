// The platform migration track: the tables every service has because the libraries use
// them (libs/events' outbox, its pruning horizon and the consumer's cursor and inbox,
// libs/db's idempotency keys). Migrate() applies these after the service's own files and
// records them in platform_migrations, checksummed like the service's files.
//
// Rules for this file, because services' databases already hold what it applied:
// - Never edit an entry that has shipped (its checksum is stored); append a new version.
// - Every statement is idempotent (CREATE TABLE IF NOT EXISTS, ADD COLUMN IF NOT EXISTS,
//   INSERT IGNORE): services created before this track exist made some of these tables in
//   their own first migration, in the same shape as the CREATE statements here.
// - Statements end with ';' at the end of a line, as in a service's .sql files.
#include "libs/db/internal.h"

namespace crm::db::internal {

const std::vector<EmbeddedMigration>& PlatformMigrations() {
  static const auto* migrations = new std::vector<EmbeddedMigration>{
      {1, "outbox", R"sql(
-- Every state change, written in the same transaction as the change (libs/events
-- outbox.h) and served by the service's event feed (feed.h).
CREATE TABLE IF NOT EXISTS outbox (
  sequence BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_type VARCHAR(128) NOT NULL,
  resource VARCHAR(128) NOT NULL,
  payload LONGBLOB NOT NULL,
  request_id VARCHAR(64) NOT NULL DEFAULT '',
  create_time DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- Who made the change ("users/7", "services/orders") and, for updates, the top-level
-- fields whose values changed, newline-separated.
ALTER TABLE outbox
  ADD COLUMN IF NOT EXISTS actor VARCHAR(128) NOT NULL DEFAULT '',
  ADD COLUMN IF NOT EXISTS changed_paths TEXT NOT NULL DEFAULT '';
-- The highest sequence retention has deleted, moved in the same transaction as each
-- delete: a cursor below it asks for events that are gone (OUT_OF_RANGE), never silence.
CREATE TABLE IF NOT EXISTS outbox_horizon (
  id TINYINT NOT NULL PRIMARY KEY,
  pruned_through BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT IGNORE INTO outbox_horizon (id, pruned_through) VALUES (1, 0);
)sql"},
      {2, "idempotency_keys", R"sql(
-- First results of calls made with a request_id, replayed on retries (idempotency.h);
-- deleted by the retention job after --idempotency_retention.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  request_id VARCHAR(64) NOT NULL PRIMARY KEY,
  method VARCHAR(64) NOT NULL,
  request_hash CHAR(64) NOT NULL,
  response LONGBLOB NOT NULL,
  create_time DATETIME(6) NOT NULL,
  KEY idempotency_keys_by_create_time (create_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
)sql"},
      {3, "event_consumers", R"sql(
-- Where a consumer (libs/events consumer.h) is in each feed it follows: the last
-- sequence applied or passed over. epoch changes when an operator rewinds or skips, so
-- a stream opened before that stops applying.
CREATE TABLE IF NOT EXISTS event_cursors (
  consumer VARCHAR(64) NOT NULL,
  feed VARCHAR(64) NOT NULL,
  sequence BIGINT NOT NULL DEFAULT 0,
  epoch BIGINT NOT NULL DEFAULT 0,
  update_time DATETIME(6) NOT NULL,
  PRIMARY KEY (consumer, feed)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- The events a consumer has applied, by Event.id, written in the transaction of the
-- effect; deleted by the retention job after --inbox_retention.
CREATE TABLE IF NOT EXISTS event_inbox (
  consumer VARCHAR(64) NOT NULL,
  event_id VARCHAR(128) NOT NULL,
  feed VARCHAR(64) NOT NULL,
  sequence BIGINT NOT NULL,
  apply_time DATETIME(6) NOT NULL,
  PRIMARY KEY (consumer, event_id),
  KEY event_inbox_by_feed (consumer, feed, sequence),
  KEY event_inbox_by_apply_time (apply_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
)sql"},
  };
  return *migrations;
}

}  // namespace crm::db::internal
