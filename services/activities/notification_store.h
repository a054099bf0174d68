// SQL for the in-app inbox (store_sql.h). Notifications are written by the feeds (orders
// events) and by the task store (a task given to someone else), each inside the transaction
// of what caused it; they are unique by source event and recipient, so an event applied twice
// notifies once. Every read and mark is the recipient's own: the recipient is a condition of
// each statement, never a record rule a role could widen.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/activities/v1/activities.pb.h"
#include "libs/api/list.h"
#include "libs/db/db.h"

namespace crm::activities {

struct NewNotification {
  std::string recipient;  // "users/{id}"
  v1::NotificationKind kind = v1::NOTIFICATION_KIND_UNSPECIFIED;
  std::string title;  // cut to 200 characters
  std::string body;
  std::string resource;      // "orders/7", "tasks/3"
  std::string actor;         // who caused it
  std::string source_event;  // the event id, or "tasks/{id}@{version}"
  absl::Time time;           // when it happened
  // For the recipient's preferences (notification_preferences.h): TopicOf(kind) when unset.
  v1::NotificationTopic topic = v1::NOTIFICATION_TOPIC_UNSPECIFIED;
};

// Writes `n` in `tx`, unless its source event notified this recipient already, the
// recipient is the actor (nobody hears of what they did themselves) or the recipient switched
// the inbox off for its topic. True when written. Also queues its e-mail and webhook
// deliveries for the channels the recipient has on (delivery_store.h), inbox or not.
absl::StatusOr<bool> Notify(db::Session& tx, const NewNotification& n);

class NotificationStore final {
 public:
  explicit NotificationStore(db::Pool& pool) : pool_(pool) {}

  static const api::ListSpec& ListSpec();

  // `recipient`'s notifications matching `query`.
  absl::StatusOr<api::Page<v1::Notification>> List(const std::string& recipient,
                                                   const api::ListQuery& query);
  absl::StatusOr<int64_t> CountUnread(const std::string& recipient);
  // Marks `ids` read at `now`: NOTIFICATION_NOT_FOUND (and nothing marked) unless each is
  // `recipient`'s. The number that were unread.
  absl::StatusOr<int64_t> MarkRead(const std::string& recipient, const std::vector<int64_t>& ids,
                                   absl::Time now);
  // ---- Notification delivery (live, notification_watch.h)
  struct Numbered {
    int64_t id = 0;
    v1::Notification notification;
  };
  // The id of `recipient`'s newest notification, 0 when there is none.
  absl::StatusOr<int64_t> NewestId(const std::string& recipient);
  // `recipient`'s notifications with an id above `after_id`, oldest first, at most `limit`.
  absl::StatusOr<std::vector<Numbered>> After(const std::string& recipient, int64_t after_id,
                                              int limit);

  // Marks every notification of `recipient` created at or before `up_to` read at `now`.
  absl::StatusOr<int64_t> MarkReadUpTo(const std::string& recipient, absl::Time up_to,
                                       absl::Time now);

 private:
  db::Pool& pool_;
};

}  // namespace crm::activities
