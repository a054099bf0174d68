#include "services/activities/notification_preferences.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"
#include "services/activities/store_sql.h"

namespace crm::activities {
namespace {

bool DefaultFor(v1::NotificationChannel channel) {
  return channel == v1::NOTIFICATION_CHANNEL_INBOX;
}

} // namespace

v1::NotificationTopic TopicOf(v1::NotificationKind kind) {
  switch (kind) {
  case v1::ORDER_STATUS_CHANGED:
  case v1::ORDER_RETURN:
    return v1::NOTIFICATION_TOPIC_ORDERS;
  case v1::APPROVAL_WANTED:
  case v1::APPROVAL_ESCALATED:
  case v1::APPROVAL_DECIDED:
    return v1::NOTIFICATION_TOPIC_APPROVALS;
  case v1::TASK_ASSIGNED:
  case v1::TASK_REMINDER:
  case v1::TASK_ESCALATED:
    return v1::NOTIFICATION_TOPIC_TASKS;
  default:
    return v1::NOTIFICATION_TOPIC_UNSPECIFIED;
  }
}

absl::StatusOr<bool> Wants(db::Session &session, const std::string &user,
                           v1::NotificationTopic topic,
                           v1::NotificationChannel channel) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session.Query(sql::kNotificationPreference,
                                     {user, int64_t{topic}, int64_t{channel}}));
  return rows.empty() ? DefaultFor(channel) : rows[0].Int(0) != 0;
}

absl::StatusOr<v1::NotificationPreferences>
NotificationPreferenceStore::Get(const std::string &user) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session->Query(sql::kNotificationPreferencesOf, {user}));
  std::map<std::pair<int, int>, bool> stored;
  for (const db::Row &row : rows) {
    stored[{static_cast<int>(row.Int(0)), static_cast<int>(row.Int(1))}] =
        row.Int(2) != 0;
  }
  v1::NotificationPreferences out;
  out.set_user(user);
  for (int topic = 1; topic <= v1::NotificationTopic_MAX; ++topic) {
    for (int channel = 1; channel <= v1::NotificationChannel_MAX; ++channel) {
      v1::NotificationPreference *p = out.add_preferences();
      p->set_topic(static_cast<v1::NotificationTopic>(topic));
      p->set_channel(static_cast<v1::NotificationChannel>(channel));
      auto it = stored.find({topic, channel});
      p->set_enabled(it != stored.end() ? it->second
                                        : DefaultFor(p->channel()));
    }
  }
  return out;
}

absl::StatusOr<v1::NotificationPreferences> NotificationPreferenceStore::Update(
    const std::string &user,
    const v1::UpdateNotificationPreferencesRequest &changes, absl::Time now) {
  std::set<std::pair<int, int>> seen;
  for (int i = 0; i < changes.preferences_size(); ++i) {
    const v1::NotificationPreference &p = changes.preferences(i);
    const std::string field = absl::StrCat("preferences[", i, "]");
    if (p.topic() == v1::NOTIFICATION_TOPIC_UNSPECIFIED) {
      return InvalidField(absl::StrCat(field, ".topic"), "is required");
    }
    if (p.channel() == v1::NOTIFICATION_CHANNEL_UNSPECIFIED) {
      return InvalidField(absl::StrCat(field, ".channel"), "is required");
    }
    if (!seen.insert({p.topic(), p.channel()}).second) {
      return InvalidField(field, "names a topic and channel given already");
    }
  }
  CRM_RETURN_IF_ERROR(
      pool_.InTransaction([&](db::Transaction &tx) -> absl::Status {
        for (const v1::NotificationPreference &p : changes.preferences()) {
          CRM_RETURN_IF_ERROR(
              tx.Execute(sql::kSetNotificationPreference,
                         {user, int64_t{p.topic()}, int64_t{p.channel()},
                          int64_t{p.enabled() ? 1 : 0},
                          db::FormatDateTime(now)})
                  .status());
        }
        return absl::OkStatus();
      }));
  return Get(user);
}

} // namespace crm::activities
