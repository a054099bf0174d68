// SQL for the deliveries of effects to the inventory and finance systems: the relay's claims
// (a lease per delivery, so two replicas never send the same one at once, and a crashed one's
// claims lapse), its results with retries and backoff, the dead-letter list and replays.
// Deliveries are written by the order and return stores (RequestEffect in order_data.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crm/integration/v1/integration.pb.h"
#include "crm/orders/v1/orders.pb.h"
#include "libs/api/list.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"

namespace crm::orders {

// A delivery the relay claimed.
struct ClaimedDelivery {
  int64_t id = 0;
  std::string event_id;
  v1::ExternalSystem system = v1::EXTERNAL_SYSTEM_UNSPECIFIED;
  v1::Effect effect = v1::EFFECT_UNSPECIFIED;
  int attempts = 0;  // before this one
  // The effect, with its idempotency key (the event id) filled in.
  integration::v1::WebhookDelivery payload;
};

class DeliveryStore final {
 public:
  DeliveryStore(db::Pool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

  static const api::ListSpec& ListSpec();

  // Claims up to `limit` pending deliveries due now for `systems` for `owner` until now +
  // `lease`: per order and system only the oldest pending one (so effects arrive in the order
  // they were asked for), and none another relay holds a live lease on. Oldest first.
  absl::StatusOr<std::vector<ClaimedDelivery>> Claim(const std::vector<v1::ExternalSystem>& systems,
                                                     const std::string& owner, int limit,
                                                     absl::Duration lease);
  // The other side applied it (answering `external_reference`).
  absl::Status MarkDelivered(int64_t id, const std::string& external_reference);
  // An attempt failed: retried `retry_after` from now, or dead-lettered (with a
  // DeliveryDeadLettered event) once `max_attempts` were made. True when it went dead.
  absl::StatusOr<bool> MarkFailed(int64_t id, const std::string& error,
                                  absl::Duration retry_after, int max_attempts);

  absl::StatusOr<api::Page<v1::Delivery>> List(const api::ListQuery& query);
  // A dead delivery back to pending with no attempts (DELIVERY_NOT_DEAD otherwise).
  absl::StatusOr<v1::Delivery> Replay(int64_t id, std::string_view actor,
                                      const db::IdempotencyKey& key);

 private:
  db::Pool& pool_;
  const Clock& clock_;
};

// Fills the effect's idempotency_key with the delivery's event id.
void SetIdempotencyKey(integration::v1::WebhookDelivery& delivery);

}  // namespace crm::orders
