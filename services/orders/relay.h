// The relay: delivers the effects that order and return writes left in `deliveries` to the
// inventory and finance systems, over gRPC (proto/crm/integration/v1) or as signed webhooks
// (libs/webhook), at least once, with the event id as idempotency key so the other side
// applies each effect once.
//
// Each pass claims a batch of due deliveries under a lease (DeliveryStore::Claim), so every
// replica may run a relay: a delivery is sent by one of them at a time, and a relay that dies
// mid-batch leaves leases that lapse, after which another sends those again (the key makes
// that harmless). A failed attempt is retried after an exponential backoff with jitter;
// after `max_attempts` the delivery is dead-lettered for an admin (ListDeliveries,
// ReplayDelivery).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "crm/integration/v1/integration.pb.h"
#include "libs/base/clock.h"
#include "libs/service/job.h"
#include "services/orders/delivery_store.h"

namespace grpc {
class Channel;
class CallCredentials;
}  // namespace grpc

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace crm::orders {

// Where one external system takes its effects.
class Sink {
 public:
  virtual ~Sink() = default;
  // Sends `delivery` (its effect carries the idempotency key); the other side's reference on
  // success. Any error is retried later.
  virtual absl::StatusOr<std::string> Deliver(const integration::v1::WebhookDelivery& delivery) = 0;
};

// The gRPC contract, with the orders service's own credentials (may be null).
std::unique_ptr<Sink> GrpcSink(std::shared_ptr<grpc::Channel> channel,
                               std::shared_ptr<grpc::CallCredentials> credentials,
                               absl::Duration timeout);
// A signed webhook POST of the delivery as JSON.
std::unique_ptr<Sink> WebhookSink(std::string url, std::string secret, const Clock& clock,
                                  absl::Duration timeout);

// The sink an endpoint flag names: "http://..." or "https://..." is a webhook (needs
// `webhook_secret`), anything else a gRPC target. INVALID_ARGUMENT for a webhook without a
// secret.
absl::StatusOr<std::unique_ptr<Sink>> SinkFor(const std::string& endpoint,
                                              const std::string& webhook_secret,
                                              std::shared_ptr<grpc::CallCredentials> credentials,
                                              const Clock& clock, absl::Duration timeout);

struct RelayOptions {
  int max_attempts = 10;
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(10);
  // The wait between passes that found nothing to send.
  absl::Duration idle_interval = absl::Seconds(1);
  int batch = 10;
  // Each call's timeout; a claim's lease covers a whole batch of them.
  absl::Duration call_timeout = absl::Seconds(10);
};

class Relay final : public service::BackgroundJob {
 public:
  // `sinks` by system; systems without a sink are left pending. `store`, `clock` and
  // `metrics` (may be null) must outlive the relay.
  Relay(DeliveryStore& store, std::map<v1::ExternalSystem, std::unique_ptr<Sink>> sinks,
        RelayOptions options, const Clock& clock, prometheus::Registry* metrics);
  ~Relay();  // Stop()

  // Passes on a background thread until Stop().
  void Start() override;
  void Stop() override;

  // One pass on the calling thread: claims a batch and tries each once. How many it tried.
  absl::StatusOr<int> RunOnce();

  // The delay before attempt number `attempts + 1` after `attempts` failures: initial ×
  // 2^(attempts − 1), at most max, drawn from [d/2, d].
  absl::Duration Backoff(int attempts);

 private:
  void Loop();

  DeliveryStore& store_;
  std::map<v1::ExternalSystem, std::unique_ptr<Sink>> sinks_;
  const RelayOptions options_;
  const Clock& clock_;
  const std::string owner_;  // this relay's name on its leases
  struct Metrics;
  std::unique_ptr<Metrics> metrics_;

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace crm::orders
