// Notification deliveries by e-mail and webhook (schema/007_deliveries.sql), and the users'
// webhook endpoints. A delivery is queued by Notify (notification_store.h) in the transaction
// that writes the notification, and moves only through guarded single-row UPDATEs, as the
// greetings' ledger does (greeting_store.h):
//
//   PENDING --Claim--> SENDING --BeginCommit (e-mail)--> (committing) --Finish--> SENT | DEAD
//      ^                  | a transient failure: PENDING again, due after a backoff
//      |                  | lease lapses before committing: claimable again
//      +------------------+ lease lapses while committing: UNCERTAIN, never sent again
//
// The claim is its own committed UPDATE before anything is sent, so two replicas never hold
// a live claim on one delivery, and only the holder's token moves it on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/activities/v1/activities.pb.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"

namespace crm::activities {

struct NewNotification;

enum class DeliveryState : int {
  kPending = 1,
  kSending = 2,
  kSent = 3,
  kDead = 4,
  kUncertain = 5,
};

struct Delivery {
  int64_t id = 0;
  std::string recipient;  // "users/{id}"
  v1::NotificationChannel channel = v1::NOTIFICATION_CHANNEL_UNSPECIFIED;
  v1::Notification notification;  // without a name
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;  // including the one under way, once claimed
  std::string last_error;
};

struct DeliveryClaim {
  int64_t id = 0;
  std::string token;
};

// "notificationDeliveries/{id}": the delivery's name, and its webhook idempotency key.
std::string DeliveryName(int64_t id);

// Queues a delivery of `n` to its recipient on every channel besides the inbox that they
// want for `topic`, in `tx` (once per source event, recipient and channel).
absl::Status QueueDeliveries(db::Session& tx, const NewNotification& n,
                             v1::NotificationTopic topic);

struct WebhookEndpoint {
  std::string url;
  std::string secret;
  absl::Time update_time;
};

class DeliveryStore final {
 public:
  DeliveryStore(db::Pool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

  absl::StatusOr<Delivery> Get(int64_t id);
  // Deliveries on `channels` that may be claimed now: PENDING and due, or SENDING whose
  // claim lapsed before it committed. At most `limit`, oldest first.
  absl::StatusOr<std::vector<int64_t>> Due(const std::vector<v1::NotificationChannel>& channels,
                                           int limit);
  // Claims `id` for `lease`: true when this caller won it.
  absl::StatusOr<bool> Claim(int64_t id, absl::Duration lease, DeliveryClaim* claim);
  // An e-mail's last step before the SMTP server may accept it. ABORTED
  // (DELIVERY_CLAIM_LOST) when the claim lapsed or was taken: then nothing may be sent.
  absl::Status BeginCommit(const DeliveryClaim& claim);
  // The attempt's outcome: SENT on OK; for `error`: UNCERTAIN when the mailer cannot tell
  // whether it was accepted, PENDING again after `retry_after` when transient and attempts
  // are below `max_attempts`, DEAD otherwise. The state it moved to.
  absl::StatusOr<DeliveryState> Finish(const DeliveryClaim& claim, const absl::Status& error,
                                       absl::Duration retry_after, int max_attempts);
  // Claims that lapsed while committing become UNCERTAIN. The number changed.
  absl::StatusOr<int64_t> MarkLapsedCommitsUncertain();

  // ---- Webhook endpoints, one per user.
  absl::Status SetWebhook(const std::string& owner, const std::string& url,
                          const std::string& secret);
  // nullopt when `owner` has none.
  absl::StatusOr<std::optional<WebhookEndpoint>> GetWebhook(const std::string& owner);
  // False when there was none.
  absl::StatusOr<bool> DeleteWebhook(const std::string& owner);

 private:
  db::Pool& pool_;
  const Clock& clock_;
};

}  // namespace crm::activities
