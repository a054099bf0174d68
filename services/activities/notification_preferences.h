// Each user's notification preferences: per topic (orders, approvals, tasks,
// follow-ups, greetings) and channel (inbox, e-mail, webhook). Only what
// differs from the defaults is stored (the inbox on, e-mail and webhooks off),
// so a new topic or user needs no rows. Notify (notification_store.h) consults
// the inbox column: a notification of a topic a user switched off in the inbox
// is not written for them.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/activities/v1/activities.pb.h"
#include "libs/db/db.h"

namespace crm::activities {

// The topic a notification of `kind` belongs to.
v1::NotificationTopic TopicOf(v1::NotificationKind kind);
// Whether `user` gets notifications of `topic` through `channel`, in `session`.
absl::StatusOr<bool> Wants(db::Session &session, const std::string &user,
                           v1::NotificationTopic topic,
                           v1::NotificationChannel channel);

class NotificationPreferenceStore final {
public:
  explicit NotificationPreferenceStore(db::Pool &pool) : pool_(pool) {}

  // Every topic and channel of `user`, defaults filled in.
  absl::StatusOr<v1::NotificationPreferences> Get(const std::string &user);
  // Validates and sets `changes` (INVALID_ARGUMENT on preferences[i] and
  // nothing set), in one transaction, at `now`; then all of them.
  absl::StatusOr<v1::NotificationPreferences>
  Update(const std::string &user,
         const v1::UpdateNotificationPreferencesRequest &changes,
         absl::Time now);

private:
  db::Pool &pool_;
};

} // namespace crm::activities
