// Notification preferences against a real MariaDB schema: every topic and
// channel with its default (inbox on, e-mail and webhooks off), each user
// changing only their own, bad input refused with nothing set, and a topic
// switched off in the inbox writing nothing for that user while others still
// hear of it.
#include <gtest/gtest.h>

#include <string>

#include "crm/orders/v1/orders.pb.h"
#include "libs/grpc/status.h"
#include "services/activities/event_types.h"
#include "services/activities/service_testing.h"

namespace crm::activities {
namespace {

class NotificationPreferencesTest : public testing::ServiceTest {
protected:
  absl::StatusOr<v1::NotificationPreferences> Get(const auth::Caller &who) {
    v1::NotificationPreferences out;
    CRM_RETURN_IF_ERROR(
        notification_service_->DoGetNotificationPreferences(who, {}, &out));
    return out;
  }
  absl::StatusOr<v1::NotificationPreferences>
  Set(const auth::Caller &who, v1::NotificationTopic topic,
      v1::NotificationChannel channel, bool enabled) {
    v1::UpdateNotificationPreferencesRequest request;
    v1::NotificationPreference *p = request.add_preferences();
    p->set_topic(topic);
    p->set_channel(channel);
    p->set_enabled(enabled);
    v1::NotificationPreferences out;
    CRM_RETURN_IF_ERROR(notification_service_->DoUpdateNotificationPreferences(
        who, request, &out));
    return out;
  }
  static bool Enabled(const v1::NotificationPreferences &all,
                      v1::NotificationTopic topic,
                      v1::NotificationChannel channel) {
    for (const v1::NotificationPreference &p : all.preferences()) {
      if (p.topic() == topic && p.channel() == channel)
        return p.enabled();
    }
    ADD_FAILURE() << "no preference for " << topic << "/" << channel;
    return false;
  }
};

TEST_F(NotificationPreferencesTest, DefaultsAreTheInboxOnlyAndEachUserChangesTheirOwn) {
  absl::StatusOr<v1::NotificationPreferences> mine = Get(rep_);
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(mine->user(), "users/11");
  EXPECT_EQ(mine->preferences_size(), 5 * 3);
  EXPECT_TRUE(Enabled(*mine, v1::NOTIFICATION_TOPIC_ORDERS,
                      v1::NOTIFICATION_CHANNEL_INBOX));
  EXPECT_FALSE(Enabled(*mine, v1::NOTIFICATION_TOPIC_ORDERS,
                       v1::NOTIFICATION_CHANNEL_EMAIL));
  EXPECT_FALSE(Enabled(*mine, v1::NOTIFICATION_TOPIC_TASKS,
                       v1::NOTIFICATION_CHANNEL_WEBHOOK));

  absl::StatusOr<v1::NotificationPreferences> changed = Set(
      rep_, v1::NOTIFICATION_TOPIC_TASKS, v1::NOTIFICATION_CHANNEL_EMAIL, true);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(Enabled(*changed, v1::NOTIFICATION_TOPIC_TASKS,
                      v1::NOTIFICATION_CHANNEL_EMAIL));
  EXPECT_TRUE(Enabled(*Get(rep_), v1::NOTIFICATION_TOPIC_TASKS,
                      v1::NOTIFICATION_CHANNEL_EMAIL));
  // The same again changes nothing; the manager's are still the defaults.
  ASSERT_TRUE(Set(rep_, v1::NOTIFICATION_TOPIC_TASKS,
                  v1::NOTIFICATION_CHANNEL_EMAIL, true)
                  .ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notification_preferences"), 1);
  EXPECT_FALSE(Enabled(*Get(manager_), v1::NOTIFICATION_TOPIC_TASKS,
                       v1::NOTIFICATION_CHANNEL_EMAIL));

  // Bad input: nothing set.
  v1::UpdateNotificationPreferencesRequest bad;
  bad.add_preferences()->set_topic(v1::NOTIFICATION_TOPIC_ORDERS);
  bad.mutable_preferences(0)->set_channel(v1::NOTIFICATION_CHANNEL_INBOX);
  bad.add_preferences()->set_topic(v1::NOTIFICATION_TOPIC_APPROVALS);
  v1::NotificationPreferences out;
  absl::Status refused =
      notification_service_->DoUpdateNotificationPreferences(rep_, bad, &out);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(FieldViolations(refused).size(), 1u);
  EXPECT_EQ(FieldViolations(refused)[0].field, "preferences[1].channel");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notification_preferences"), 1);
}

TEST_F(NotificationPreferencesTest, ATopicSwitchedOffInTheInboxIsNotWrittenForThatUser) {
  ASSERT_TRUE(Set(manager_, v1::NOTIFICATION_TOPIC_ORDERS,
                  v1::NOTIFICATION_CHANNEL_INBOX, false)
                  .ok());
  orders::v1::StatusChangeEvent change;
  change.mutable_order()->set_name("orders/7");
  change.mutable_order()->set_owner("users/11");
  change.set_to_status(orders::v1::SHIPPED);
  ASSERT_TRUE(Deliver("orders.crm/1", kOrderStatusChangedEvent, change,
                      "orders/7", "services/orders")
                  .ok());
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM notifications WHERE recipient = 'users/11'"),
      1);
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM notifications WHERE recipient = 'users/10'"),
      0);

  // Tasks are another topic: the manager still hears of those.
  ASSERT_TRUE(NewTask(admin_, "Check the quarter", 60, "users/10").ok());
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM notifications WHERE recipient = 'users/10'"),
      1);
}

} // namespace
} // namespace crm::activities
