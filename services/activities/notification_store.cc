#include "services/activities/notification_store.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "libs/records/page.h"
#include "services/activities/delivery_store.h"
#include "services/activities/links.h"
#include "services/activities/notification_preferences.h"
#include "services/activities/store_sql.h"

namespace crm::activities {
namespace {

constexpr char kNotifications[] = "notifications";

v1::Notification FromRow(const db::Row& row) {
  v1::Notification n;
  n.set_name(api::ResourceName(kNotifications, row.Int(0)));
  n.set_kind(static_cast<v1::NotificationKind>(row.Int(1)));
  n.set_title(row.Str(2));
  n.set_body(row.Str(3));
  n.set_resource(row.Str(4));
  n.set_actor(row.Str(5));
  *n.mutable_create_time() = TimestampFromDateTime(row.Str(6));
  if (!row.IsNull(7)) *n.mutable_read_time() = TimestampFromDateTime(row.Str(7));
  return n;
}

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "read", .type = api::FieldType::kBool, .column = "(n.read_time IS NOT NULL)"},
          {.name = "kind",
           .type = api::FieldType::kEnum,
           .column = "n.kind",
           .enum_values = api::EnumValues(*v1::NotificationKind_descriptor())},
          {.name = "create_time",
           .type = api::FieldType::kTimestamp,
           .column = "n.create_time",
           .orderable = true},
      },
      "n.id");
  return *fields;
}

// " IN (?, ?, ...)" for `ids`, appended to `sql`, with the ids after `params`.
std::string WithIds(const char* sql, const std::vector<int64_t>& ids,
                    std::vector<db::Value>& params) {
  std::vector<std::string> marks(ids.size(), "?");
  for (int64_t id : ids) params.emplace_back(id);
  return absl::StrCat(sql, " IN (", absl::StrJoin(marks, ", "), ")");
}

}  // namespace

absl::StatusOr<bool> Notify(db::Session& tx, const NewNotification& n) {
  if (n.recipient.empty() || n.recipient == n.actor) return false;
  const v1::NotificationTopic topic =
      n.topic != v1::NOTIFICATION_TOPIC_UNSPECIFIED ? n.topic : TopicOf(n.kind);
  if (topic != v1::NOTIFICATION_TOPIC_UNSPECIFIED) {
    // E-mail and webhook are chosen apart from the inbox: queued whatever the inbox says.
    CRM_RETURN_IF_ERROR(QueueDeliveries(tx, n, topic));
    CRM_ASSIGN_OR_RETURN(const bool wanted,
                         Wants(tx, n.recipient, topic, v1::NOTIFICATION_CHANNEL_INBOX));
    if (!wanted) return false;
  }
  CRM_ASSIGN_OR_RETURN(
      uint64_t written,
      tx.Execute(sql::kInsertNotification,
                 {n.recipient, int64_t{n.kind}, Shortened(n.title), n.body, n.resource, n.actor,
                  n.source_event, db::FormatDateTime(n.time)}));
  // 1 for a new row; 0 when the key was there already (ON DUPLICATE KEY changed nothing).
  return written == 1;
}

const api::ListSpec& NotificationStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "create_time desc"};
  return spec;
}

absl::StatusOr<api::Page<v1::Notification>> NotificationStore::List(const std::string& recipient,
                                                                    const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return records::ListPage<v1::Notification>(
      *session, sql::kSelectNotificationColumns, sql::kNotificationColumnCount,
      sql::kFromNotifications, {.sql = "n.recipient = ?", .params = {recipient}}, query, FromRow);
}

absl::StatusOr<int64_t> NotificationStore::CountUnread(const std::string& recipient) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kCountUnreadNotifications, {recipient}));
  return rows.at(0).Int(0);
}

absl::StatusOr<int64_t> NotificationStore::MarkRead(const std::string& recipient,
                                                    const std::vector<int64_t>& ids,
                                                    absl::Time now) {
  int64_t marked = 0;
  CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    std::vector<db::Value> params = {recipient};
    const std::string own = WithIds(sql::kOwnNotificationsAmong, ids, params);
    CRM_ASSIGN_OR_RETURN(db::Rows found, tx.Query(own, params));
    std::set<int64_t> mine;
    for (const db::Row& row : found) mine.insert(row.Int(0));
    for (int64_t id : ids) {
      if (!mine.contains(id)) {
        // Another's notification reads exactly like one that does not exist.
        return Error(absl::StatusCode::kNotFound, "NOTIFICATION_NOT_FOUND",
                     absl::StrCat(api::ResourceName(kNotifications, id), " was not found"));
      }
    }
    params = {db::FormatDateTime(now), recipient};
    CRM_ASSIGN_OR_RETURN(uint64_t changed,
                         tx.Execute(WithIds(sql::kMarkNotificationsRead, ids, params), params));
    marked = static_cast<int64_t>(changed);
    return absl::OkStatus();
  }));
  return marked;
}

absl::StatusOr<int64_t> NotificationStore::MarkReadUpTo(const std::string& recipient,
                                                        absl::Time up_to, absl::Time now) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(uint64_t changed, session->Execute(sql::kMarkNotificationsReadUpTo,
                                                          {db::FormatDateTime(now), recipient,
                                                           db::FormatDateTime(up_to)}));
  return static_cast<int64_t>(changed);
}

// ---- Notification delivery

absl::StatusOr<int64_t> NotificationStore::NewestId(const std::string& recipient) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kNewestNotificationId, {recipient}));
  return rows.empty() || rows[0].IsNull(0) ? 0 : rows[0].Int(0);
}

absl::StatusOr<std::vector<NotificationStore::Numbered>> NotificationStore::After(
    const std::string& recipient, int64_t after_id, int limit) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kNotificationsAfter,
                                                     {recipient, after_id, int64_t{limit}}));
  std::vector<Numbered> found;
  for (const db::Row& row : rows) found.push_back({.id = row.Int(0), .notification = FromRow(row)});
  return found;
}

}  // namespace crm::activities
