#include "services/activities/retention.h"

#include <string>

#include "libs/grpc/status.h"

namespace crm::activities {
namespace sql {

// Oldest first, on notifications_by_create_time and deliveries_finished (007_deliveries.sql).
inline constexpr char kPurgeReadNotifications[] =
    "DELETE FROM notifications WHERE create_time < ? AND read_time IS NOT NULL "
    "ORDER BY create_time LIMIT ?";
// SENT, DEAD and UNCERTAIN: finished; PENDING and SENDING are still someone's work.
inline constexpr char kPurgeFinishedDeliveries[] =
    "DELETE FROM notification_deliveries WHERE state IN (3, 4, 5) AND finish_time < ? "
    "ORDER BY finish_time LIMIT ?";

}  // namespace sql

absl::StatusOr<Purged> NotificationRetention::RunOnce() {
  const std::string cutoff = db::FormatDateTime(clock_.Now() - settings_.retention);
  Purged purged;
  CRM_ASSIGN_OR_RETURN(purged.notifications, InBatches(sql::kPurgeReadNotifications, cutoff));
  CRM_ASSIGN_OR_RETURN(purged.deliveries, InBatches(sql::kPurgeFinishedDeliveries, cutoff));
  return purged;
}

absl::StatusOr<int64_t> NotificationRetention::InBatches(const char* statement,
                                                         const std::string& cutoff) {
  int64_t deleted = 0;
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  for (int i = 0; i < settings_.max_batches; ++i) {
    CRM_ASSIGN_OR_RETURN(uint64_t batch,
                         session->Execute(statement, {cutoff, int64_t{settings_.batch}}));
    deleted += static_cast<int64_t>(batch);
    if (batch < static_cast<uint64_t>(settings_.batch)) break;
  }
  return deleted;
}

}  // namespace crm::activities
