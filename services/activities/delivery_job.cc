#include "services/activities/delivery_job.h"

#include <google/protobuf/util/json_util.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/base/backoff.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"
#include "libs/webhook/webhook.h"
#include "services/activities/delivery_templates.h"

namespace crm::activities {
namespace {

constexpr char kClaimLost[] = "DELIVERY_CLAIM_LOST";

std::string ChannelLabel(v1::NotificationChannel channel) {
  return channel == v1::NOTIFICATION_CHANNEL_EMAIL ? "email" : "webhook";
}

std::string OutcomeLabel(DeliveryState state) {
  switch (state) {
    case DeliveryState::kSent:
      return "sent";
    case DeliveryState::kPending:
      return "retry";
    case DeliveryState::kUncertain:
      return "uncertain";
    default:
      return "dead";
  }
}

absl::TimeZone ZoneOr(const std::string& name) {
  absl::TimeZone zone;
  return absl::LoadTimeZone(name, &zone) ? zone : absl::UTCTimeZone();
}

}  // namespace

struct NotificationSender::Metrics {
  prometheus::Family<prometheus::Counter>* deliveries = nullptr;
};

NotificationSender::NotificationSender(DeliveryStore& store, People& people,
                                       mail::Mailer& mailer, const Clock& clock,
                                       DeliverySettings settings, prometheus::Registry* metrics)
    : store_(store),
      people_(people),
      mailer_(mailer),
      clock_(clock),
      settings_(std::move(settings)),
      zone_(ZoneOr(settings_.time_zone)),
      metrics_(std::make_unique<Metrics>()) {
  if (metrics != nullptr) {
    metrics_->deliveries = &prometheus::BuildCounter()
                                .Name("crm_activities_notification_deliveries_total")
                                .Help("Attempts to deliver notifications by e-mail and webhook, "
                                      "by channel and result (sent, retry, dead, uncertain)")
                                .Register(*metrics);
  }
}

NotificationSender::~NotificationSender() = default;

absl::StatusOr<int> NotificationSender::RunOnce() {
  // Claims that died after handing their mail over are settled first, so Due never offers
  // them.
  CRM_RETURN_IF_ERROR(store_.MarkLapsedCommitsUncertain().status());
  std::vector<v1::NotificationChannel> channels;
  if (settings_.email) channels.push_back(v1::NOTIFICATION_CHANNEL_EMAIL);
  if (settings_.webhook) channels.push_back(v1::NOTIFICATION_CHANNEL_WEBHOOK);
  CRM_ASSIGN_OR_RETURN(std::vector<int64_t> due, store_.Due(channels, settings_.batch));
  int sent = 0;
  for (int64_t id : due) {
    DeliveryClaim claim;
    CRM_ASSIGN_OR_RETURN(bool won, store_.Claim(id, settings_.claim_lease, &claim));
    if (!won) continue;  // another replica has it
    sent += SendClaimed(claim).ok() ? 1 : 0;
  }
  return sent;
}

absl::Status NotificationSender::SendClaimed(const DeliveryClaim& claim) {
  CRM_ASSIGN_OR_RETURN(Delivery d, store_.Get(claim.id));
  const absl::Status sent = d.channel == v1::NOTIFICATION_CHANNEL_EMAIL ? SendMail(claim, d)
                                                                        : PostWebhook(d);
  // A lost claim (its lease lapsed before the mail was committed) is the new holder's.
  if (ErrorReason(sent) == kClaimLost) return sent;
  CRM_ASSIGN_OR_RETURN(
      const DeliveryState outcome,
      store_.Finish(claim, sent,
                    Backoff(d.attempts, settings_.initial_backoff, settings_.max_backoff),
                    settings_.max_attempts));
  Count(d.channel, outcome);
  if (!sent.ok()) {
    (outcome == DeliveryState::kPending ? log::Warn : log::Error)(
        outcome == DeliveryState::kPending ? "notification delivery failed; will retry"
                                           : "notification delivery given up",
        {{"delivery", DeliveryName(d.id)},
         {"channel", ChannelLabel(d.channel)},
         {"attempts", absl::StrCat(d.attempts)},
         {"error", sent.ToString()}});
  }
  return sent;
}

absl::Status NotificationSender::SendMail(const DeliveryClaim& claim, const Delivery& d) {
  absl::StatusOr<std::string> to = people_.EmailOf(d.recipient);
  if (!to.ok()) return to.status();  // auth down: transient, retried
  if (to->empty()) {
    return Error(absl::StatusCode::kFailedPrecondition, "DELIVERY_NO_ADDRESS",
                 absl::StrCat(d.recipient, " has no e-mail address (or is inactive)"));
  }
  const RenderedMail mail = RenderNotificationMail(d.notification, settings_.language, zone_);
  return mailer_.Send(
      {.to = *to,
       .subject = mail.subject,
       .body = mail.body,
       // Stable per delivery: a receiving system that keeps Message-IDs sees one message.
       .message_id = absl::StrCat("notification-", d.id, "@crm.activities")},
      [this, &claim] { return store_.BeginCommit(claim); });
}

absl::Status NotificationSender::PostWebhook(const Delivery& d) {
  CRM_ASSIGN_OR_RETURN(std::optional<WebhookEndpoint> endpoint, store_.GetWebhook(d.recipient));
  if (!endpoint.has_value()) {
    return Error(absl::StatusCode::kFailedPrecondition, "DELIVERY_NO_WEBHOOK",
                 absl::StrCat(d.recipient, " has no webhook endpoint"));
  }
  v1::NotificationWebhookDelivery payload;
  payload.set_id(DeliveryName(d.id));
  payload.set_recipient(d.recipient);
  *payload.mutable_notification() = d.notification;
  std::string body;
  if (!google::protobuf::util::MessageToJsonString(payload, &body).ok()) {
    return absl::InternalError("the delivery does not convert to JSON");
  }
  return webhook::Deliver(endpoint->url, endpoint->secret, payload.id(), body, clock_.Now(),
                          settings_.webhook_timeout)
      .status();
}

void NotificationSender::Count(v1::NotificationChannel channel, DeliveryState outcome) {
  if (metrics_->deliveries == nullptr) return;
  metrics_->deliveries
      ->Add({{"channel", ChannelLabel(channel)}, {"result", OutcomeLabel(outcome)}})
      .Increment();
}

}  // namespace crm::activities
