// Notification retention: read notifications older than --notification_retention (180
// days) and finished deliveries (sent, dead, uncertain) finished that long ago are deleted,
// in bounded batches (each its own short statement, so no pass holds locks on many rows or
// grows the undo log), by a service::PeriodicJob on every replica (a DELETE is the same
// whoever runs it). Unread notifications and deliveries still due are kept, however old.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"

namespace crm::activities {

struct RetentionSettings {
  absl::Duration retention = absl::Hours(24 * 180);
  absl::Duration interval = absl::Hours(1);
  int batch = 1000;        // rows per DELETE
  int max_batches = 100;   // per table and pass: the rest waits for the next pass
};

struct Purged {
  int64_t notifications = 0;
  int64_t deliveries = 0;
};

class NotificationRetention final {
 public:
  NotificationRetention(db::Pool& pool, const Clock& clock, RetentionSettings settings)
      : pool_(pool), clock_(clock), settings_(settings) {}

  // One pass: deletes what is older than the retention, batch by batch. What it deleted.
  absl::StatusOr<Purged> RunOnce();

 private:
  // Runs `statement` (cutoff, limit) until a batch deletes fewer than a batch, or
  // max_batches. The rows deleted.
  absl::StatusOr<int64_t> InBatches(const char* statement, const std::string& cutoff);

  db::Pool& pool_;
  const Clock& clock_;
  const RetentionSettings settings_;
};

}  // namespace crm::activities
