// Notification retention against a real MariaDB schema: read notifications older than the
// retention and deliveries finished that long ago are deleted, in batches smaller than what
// there is; unread notifications and deliveries still due are kept however old.
#include "services/activities/retention.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "libs/db/testing.h"
#include "libs/service/testing.h"

namespace crm::activities {
namespace {

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto test = service::testing::TestKit::Create("activities", CRM_ACTIVITIES_SCHEMA_DIR);
    ASSERT_TRUE(test.ok()) << test.status();
    test_ = std::move(*test);
    test_->clock().Set(absl::FromCivil(absl::CivilSecond(2026, 9, 1, 0, 0, 0), absl::UTCTimeZone()));
  }

  // A notification created `days_ago`, read or not.
  void Notification(int days_ago, bool read, const std::string& source) {
    const std::string at = db::FormatDateTime(test_->clock().Now() - absl::Hours(24 * days_ago));
    Exec(absl::StrCat("INSERT INTO notifications (recipient, kind, title, body, resource, actor, "
                      "source_event, create_time, read_time) VALUES ('users/11', 5, 't', '', "
                      "'tasks/1', 'users/10', '", source, "', '", at, "', ",
                      read ? absl::StrCat("'", at, "'") : "NULL", ")"));
  }
  // A delivery in `state`, finished (when finished) `days_ago`.
  void Delivery(int days_ago, int state, const std::string& source) {
    const std::string at = db::FormatDateTime(test_->clock().Now() - absl::Hours(24 * days_ago));
    Exec(absl::StrCat(
        "INSERT INTO notification_deliveries (recipient, channel, kind, title, body, resource, "
        "actor, source_event, create_time, state, next_attempt_time, finish_time) VALUES "
        "('users/11', 2, 5, 't', '', 'tasks/1', 'users/10', '", source, "', '", at, "', ", state,
        ", '", at, "', ", state >= 3 ? absl::StrCat("'", at, "'") : "NULL", ")"));
  }
  void Exec(const std::string& statement) {
    absl::Status done = test_->pool().InTransaction(
        [&](db::Transaction& tx) { return tx.Execute(statement, {}).status(); });
    ASSERT_TRUE(done.ok()) << done << "\n" << statement;
  }
  std::vector<int64_t> Ints(const std::string& query) {
    absl::StatusOr<std::vector<int64_t>> ints = db::testing::QueryInts(test_->pool(), query);
    EXPECT_TRUE(ints.ok()) << ints.status();
    return ints.ok() ? *ints : std::vector<int64_t>{};
  }

  std::unique_ptr<service::testing::TestKit> test_;
};

TEST_F(RetentionTest, OldReadNotificationsAndFinishedDeliveriesGoUnreadAndDueOnesStay) {
  for (int i = 0; i < 5; ++i) Notification(200, /*read=*/true, absl::StrCat("old-read-", i));
  Notification(200, /*read=*/false, "old-unread");
  Notification(10, /*read=*/true, "new-read");
  for (int state : {3, 4, 5}) Delivery(200, state, absl::StrCat("old-finished-", state));
  Delivery(200, 1, "old-pending");
  Delivery(200, 2, "old-sending");
  Delivery(10, 3, "new-sent");

  // Batches of 2: five old read notifications take three of them.
  NotificationRetention retention(test_->pool(), test_->clock(),
                                  {.retention = absl::Hours(24 * 180), .batch = 2});
  absl::StatusOr<Purged> purged = retention.RunOnce();
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->notifications, 5);
  EXPECT_EQ(purged->deliveries, 3);
  EXPECT_EQ(Ints("SELECT COUNT(*) FROM notifications WHERE source_event LIKE 'old-read-%'")[0], 0);
  EXPECT_EQ(Ints("SELECT COUNT(*) FROM notifications WHERE source_event IN "
                 "('old-unread', 'new-read')")[0],
            2);
  EXPECT_EQ(Ints("SELECT COUNT(*) FROM notification_deliveries WHERE source_event IN "
                 "('old-pending', 'old-sending', 'new-sent')")[0],
            3);
  EXPECT_EQ(Ints("SELECT COUNT(*) FROM notification_deliveries")[0], 3);

  // A pass with nothing old left deletes nothing.
  purged = retention.RunOnce();
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->notifications + purged->deliveries, 0);
}

TEST_F(RetentionTest, APassStopsAfterItsBatchesAndTheNextGoesOn) {
  for (int i = 0; i < 5; ++i) Notification(200, /*read=*/true, absl::StrCat("old-read-", i));
  NotificationRetention retention(test_->pool(), test_->clock(),
                                  {.batch = 2, .max_batches = 1});
  absl::StatusOr<Purged> purged = retention.RunOnce();
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->notifications, 2);
  EXPECT_EQ(Ints("SELECT COUNT(*) FROM notifications")[0], 3);
  ASSERT_TRUE(retention.RunOnce().ok());
  ASSERT_TRUE(retention.RunOnce().ok());
  EXPECT_EQ(Ints("SELECT COUNT(*) FROM notifications")[0], 0);
}

}  // namespace
}  // namespace crm::activities
