// The notification sender: delivers the e-mail and webhook deliveries Notify queued
// (delivery_store.h). Every replica runs it (a service::PeriodicJob, main.cc); each pass
// claims due deliveries one at a time, each in its own committed UPDATE before anything is
// sent, so two replicas share the work and none is sent by both.
//
// E-mail: to the recipient's address in the auth service (People::EmailOf, as this service),
// rendered in --notification_language (delivery_templates.h), through the mailer with a
// stable Message-ID. The claim records `committing` just before the SMTP server may accept
// the message, so a sender that dies after that point leaves UNCERTAIN, never a second mail.
// Webhook: the NotificationWebhookDelivery JSON POSTed to the recipient's endpoint, signed
// with its secret (libs/webhook), the delivery's name as X-Crm-Event-Id on every attempt: a
// sender that dies after posting and before recording it posts again when its lease lapses,
// and the receiver recognises the id (at least once, with a key to make it once).
//
// A transient failure (server or endpoint down, 4xx "later") is retried after an exponential
// backoff (libs/base/backoff.h); a refusal (5xx mail answer, an HTTP 4xx, no address, no
// endpoint) or `max_attempts` failures make it DEAD.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/mail/mail.h"
#include "services/activities/delivery_store.h"
#include "services/activities/people.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace crm::activities {

struct DeliverySettings {
  absl::Duration interval = absl::Seconds(5);
  // How long a claim keeps others off a delivery; longer than the mailer's and the webhook's
  // timeouts, so a live sender always finishes within it.
  absl::Duration claim_lease = absl::Minutes(2);
  int max_attempts = 8;
  absl::Duration initial_backoff = absl::Seconds(30);
  absl::Duration max_backoff = absl::Hours(1);
  absl::Duration webhook_timeout = absl::Seconds(10);
  std::string language = "zh";
  std::string time_zone = "Asia/Shanghai";
  // Off when no mail server is configured: e-mails wait (PENDING) instead of burning their
  // attempts on a missing server.
  bool email = true;
  bool webhook = true;
  int batch = 50;  // deliveries looked at per pass
};

class NotificationSender final {
 public:
  // `metrics` may be null. Everything given must outlive the sender.
  NotificationSender(DeliveryStore& store, People& people, mail::Mailer& mailer,
                     const Clock& clock, DeliverySettings settings,
                     prometheus::Registry* metrics);
  ~NotificationSender();

  // One pass: settles lapsed committing claims, then claims and sends what is due. The
  // number sent.
  absl::StatusOr<int> RunOnce();

 private:
  // The attempt on a claimed delivery, and its outcome recorded.
  absl::Status SendClaimed(const DeliveryClaim& claim);
  absl::Status SendMail(const DeliveryClaim& claim, const Delivery& d);
  absl::Status PostWebhook(const Delivery& d);
  void Count(v1::NotificationChannel channel, DeliveryState outcome);

  DeliveryStore& store_;
  People& people_;
  mail::Mailer& mailer_;
  const Clock& clock_;
  const DeliverySettings settings_;
  const absl::TimeZone zone_;
  struct Metrics;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace crm::activities
