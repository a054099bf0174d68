#include "services/activities/delivery_store.h"

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "libs/mail/mail.h"
#include "services/activities/links.h"
#include "services/activities/notification_preferences.h"
#include "services/activities/notification_store.h"

namespace crm::activities {
namespace sql {

inline constexpr char kQueueDelivery[] =
    "INSERT IGNORE INTO notification_deliveries (recipient, channel, kind, title, body, "
    "resource, actor, source_event, create_time, next_attempt_time) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr char kSelectDelivery[] =
    "SELECT id, recipient, channel, kind, title, body, resource, actor, create_time, state, "
    "attempts, last_error FROM notification_deliveries WHERE id = ?";
// Channels are appended as " IN (...)"; the claimable rows are the claim's condition too.
#define CRM_CLAIMABLE \
  "(state = 1 AND next_attempt_time <= ?) OR (state = 2 AND committing = 0 AND claim_expires < ?)"
inline constexpr char kSelectDueDeliveries[] =
    "SELECT id FROM notification_deliveries WHERE (" CRM_CLAIMABLE ") AND channel";
inline constexpr char kDueOrder[] = " ORDER BY next_attempt_time, id LIMIT ?";
inline constexpr char kClaimDelivery[] =
    "UPDATE notification_deliveries SET state = 2, claim_token = ?, claim_expires = ?, "
    "committing = 0, attempts = attempts + 1 WHERE id = ? AND (" CRM_CLAIMABLE ")";
#undef CRM_CLAIMABLE
inline constexpr char kBeginCommitDelivery[] =
    "UPDATE notification_deliveries SET committing = 1 "
    "WHERE id = ? AND state = 2 AND claim_token = ? AND committing = 0 AND claim_expires > ?";
// A holder whose answer came after its lease lapsed (UNCERTAIN meanwhile) still records it.
inline constexpr char kFinishDelivery[] =
    "UPDATE notification_deliveries SET state = ?, next_attempt_time = ?, last_error = ?, "
    "finish_time = ?, committing = 0, claim_token = NULL, claim_expires = NULL "
    "WHERE id = ? AND state IN (2, 5) AND claim_token = ?";
inline constexpr char kMarkLapsedDeliveriesUncertain[] =
    "UPDATE notification_deliveries SET state = 5, finish_time = ?, "
    "last_error = 'the sender stopped after handing the message to the mail server' "
    "WHERE state = 2 AND committing = 1 AND claim_expires < ?";

inline constexpr char kSetWebhook[] =
    "INSERT INTO notification_webhooks (owner, url, secret, create_time, update_time) "
    "VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE url = VALUES(url), "
    "secret = VALUES(secret), update_time = VALUES(update_time)";
inline constexpr char kSelectWebhook[] =
    "SELECT url, secret, update_time FROM notification_webhooks WHERE owner = ?";
inline constexpr char kDeleteWebhook[] = "DELETE FROM notification_webhooks WHERE owner = ?";

}  // namespace sql

namespace {

constexpr int kLastErrorChars = 500;

absl::Status ClaimLost(int64_t id) {
  return Error(absl::StatusCode::kAborted, "DELIVERY_CLAIM_LOST",
               absl::StrCat(DeliveryName(id), ": the claim lapsed or was taken over"));
}

}  // namespace

std::string DeliveryName(int64_t id) { return absl::StrCat("notificationDeliveries/", id); }

absl::Status QueueDeliveries(db::Session& tx, const NewNotification& n,
                             v1::NotificationTopic topic) {
  const std::string time = db::FormatDateTime(n.time);
  for (v1::NotificationChannel channel :
       {v1::NOTIFICATION_CHANNEL_EMAIL, v1::NOTIFICATION_CHANNEL_WEBHOOK}) {
    CRM_ASSIGN_OR_RETURN(const bool wanted, Wants(tx, n.recipient, topic, channel));
    if (!wanted) continue;
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kQueueDelivery,
                                   {n.recipient, int64_t{channel}, int64_t{n.kind},
                                    Shortened(n.title), n.body, n.resource, n.actor,
                                    n.source_event, time, time})
                            .status());
  }
  return absl::OkStatus();
}

absl::StatusOr<Delivery> DeliveryStore::Get(int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kSelectDelivery, {id}));
  if (rows.empty()) {
    return Error(absl::StatusCode::kNotFound, "DELIVERY_NOT_FOUND",
                 absl::StrCat(DeliveryName(id), " was not found"));
  }
  const db::Row& row = rows.at(0);
  Delivery d{.id = row.Int(0),
             .recipient = row.Str(1),
             .channel = static_cast<v1::NotificationChannel>(row.Int(2))};
  d.notification.set_kind(static_cast<v1::NotificationKind>(row.Int(3)));
  d.notification.set_title(row.Str(4));
  d.notification.set_body(row.Str(5));
  d.notification.set_resource(row.Str(6));
  d.notification.set_actor(row.Str(7));
  *d.notification.mutable_create_time() = TimestampFromDateTime(row.Str(8));
  d.state = static_cast<DeliveryState>(row.Int(9));
  d.attempts = static_cast<int>(row.Int(10));
  d.last_error = row.Str(11);
  return d;
}

absl::StatusOr<std::vector<int64_t>> DeliveryStore::Due(
    const std::vector<v1::NotificationChannel>& channels, int limit) {
  std::vector<int64_t> ids;
  if (channels.empty()) return ids;
  const std::string now = db::FormatDateTime(clock_.Now());
  std::vector<db::Value> params = {now, now};
  std::vector<std::string> marks;
  for (v1::NotificationChannel channel : channels) {
    params.emplace_back(int64_t{channel});
    marks.push_back("?");
  }
  params.emplace_back(int64_t{limit});
  const std::string statement =
      absl::StrCat(sql::kSelectDueDeliveries, " IN (", absl::StrJoin(marks, ", "), ")",
                   sql::kDueOrder);
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(statement, params));
  for (const db::Row& row : rows) ids.push_back(row.Int(0));
  return ids;
}

absl::StatusOr<bool> DeliveryStore::Claim(int64_t id, absl::Duration lease, DeliveryClaim* claim) {
  absl::BitGen random;
  std::string token = absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(random),
                                      absl::Uniform<uint64_t>(random));
  const absl::Time now = clock_.Now();
  const std::string at = db::FormatDateTime(now);
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(
      uint64_t won,
      session->Execute(sql::kClaimDelivery,
                       {token, db::FormatDateTime(now + lease), id, at, at}));
  if (won != 1) return false;
  *claim = {.id = id, .token = std::move(token)};
  return true;
}

absl::Status DeliveryStore::BeginCommit(const DeliveryClaim& claim) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(uint64_t marked,
                       session->Execute(sql::kBeginCommitDelivery,
                                        {claim.id, claim.token,
                                         db::FormatDateTime(clock_.Now())}));
  return marked == 1 ? absl::OkStatus() : ClaimLost(claim.id);
}

absl::StatusOr<DeliveryState> DeliveryStore::Finish(const DeliveryClaim& claim,
                                                    const absl::Status& error,
                                                    absl::Duration retry_after,
                                                    int max_attempts) {
  const absl::Time now = clock_.Now();
  DeliveryState next = DeliveryState::kSent;
  if (!error.ok()) {
    CRM_ASSIGN_OR_RETURN(Delivery d, Get(claim.id));
    if (ErrorReason(error) == mail::kOutcomeUnknownReason) {
      // The server may have accepted it: sending it again could mail the user twice.
      next = DeliveryState::kUncertain;
    } else if (IsTransient(error) && d.attempts < max_attempts) {
      next = DeliveryState::kPending;
    } else {
      next = DeliveryState::kDead;
    }
  }
  const bool finished = next != DeliveryState::kPending;
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(
      uint64_t changed,
      session->Execute(
          sql::kFinishDelivery,
          {int64_t{static_cast<int>(next)}, db::FormatDateTime(now + retry_after),
           std::string(error.message()).substr(0, kLastErrorChars),
           finished ? db::Value(db::FormatDateTime(now)) : db::Value(), claim.id, claim.token}));
  if (changed != 1) return ClaimLost(claim.id);
  return next;
}

absl::StatusOr<int64_t> DeliveryStore::MarkLapsedCommitsUncertain() {
  const std::string now = db::FormatDateTime(clock_.Now());
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(uint64_t changed,
                       session->Execute(sql::kMarkLapsedDeliveriesUncertain, {now, now}));
  return static_cast<int64_t>(changed);
}

absl::Status DeliveryStore::SetWebhook(const std::string& owner, const std::string& url,
                                       const std::string& secret) {
  const std::string now = db::FormatDateTime(clock_.Now());
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return session->Execute(sql::kSetWebhook, {owner, url, secret, now, now}).status();
}

absl::StatusOr<std::optional<WebhookEndpoint>> DeliveryStore::GetWebhook(
    const std::string& owner) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kSelectWebhook, {owner}));
  if (rows.empty()) return std::nullopt;
  WebhookEndpoint endpoint{.url = rows[0].Str(0), .secret = rows[0].Str(1)};
  if (auto t = db::ParseDateTime(rows[0].Str(2)); t.ok()) endpoint.update_time = *t;
  return endpoint;
}

absl::StatusOr<bool> DeliveryStore::DeleteWebhook(const std::string& owner) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(uint64_t deleted, session->Execute(sql::kDeleteWebhook, {owner}));
  return deleted == 1;
}

}  // namespace crm::activities
