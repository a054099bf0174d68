// Who hears of an order besides its owner, against a real MariaDB schema with the auth
// service answered from memory (FakePeople): a status change reaches the owner's manager (not
// another team's), the support desk when it matters after the sale, returns reach the owner
// and support; an auth service that cannot answer fails the event whole so that the
// consumer's retry notifies everyone once; and the cache of answers.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "crm/orders/v1/orders.pb.h"
#include "libs/base/clock.h"
#include "services/activities/event_types.h"
#include "services/activities/service_testing.h"

namespace crm::activities {
namespace {

class NotificationRecipientsTest : public testing::ServiceTest {
 protected:
  // OrderStatusChanged of orders/7 (users/11's, team 1) to `to`, by the orders service.
  absl::Status StatusChanged(const std::string& event_id, orders::v1::OrderStatus to,
                             const std::string& actor = "services/orders") {
    orders::v1::StatusChangeEvent change;
    change.mutable_order()->set_name("orders/7");
    change.mutable_order()->set_owner("users/11");
    change.set_from_status(orders::v1::CONFIRMED);
    change.set_to_status(to);
    return Deliver(event_id, kOrderStatusChangedEvent, change, "orders/7", actor);
  }
  // Who was told of `event_id`.
  std::set<std::string> Told(const std::string& event_id) {
    absl::StatusOr<db::Rows> rows = [&]() -> absl::StatusOr<db::Rows> {
      CRM_ASSIGN_OR_RETURN(auto session, test_->pool().Borrow());
      return session->Query("SELECT recipient FROM notifications WHERE source_event = ?",
                            {event_id});
    }();
    EXPECT_TRUE(rows.ok()) << rows.status();
    std::set<std::string> told;
    if (rows.ok()) {
      for (const db::Row& row : *rows) told.insert(row.Str(0));
    }
    return told;
  }
};

TEST_F(NotificationRecipientsTest,
       AStatusChangeReachesTheOwnerAndTheirManagerAndSupportAfterTheSale) {
  ASSERT_TRUE(StatusChanged("orders.crm/1", orders::v1::SHIPPED).ok());
  EXPECT_EQ(Told("orders.crm/1"), (std::set<std::string>{"users/11", "users/10"}));

  // Delivered, cancelled, on hold: support too (every SUPPORT user the auth service lists).
  ASSERT_TRUE(StatusChanged("orders.crm/2", orders::v1::DELIVERED).ok());
  EXPECT_EQ(Told("orders.crm/2"), (std::set<std::string>{"users/11", "users/10", "users/40"}));
  ASSERT_TRUE(StatusChanged("orders.crm/3", orders::v1::ON_HOLD).ok());
  EXPECT_EQ(Told("orders.crm/3"), (std::set<std::string>{"users/11", "users/10", "users/40"}));

  // Into approval, the approval's own event tells the approver; the manager who cancels hears
  // nothing of what they did themself.
  ASSERT_TRUE(StatusChanged("orders.crm/4", orders::v1::PENDING_APPROVAL, "users/11").ok());
  EXPECT_TRUE(Told("orders.crm/4").empty());
  ASSERT_TRUE(StatusChanged("orders.crm/5", orders::v1::CANCELLED, "users/10").ok());
  EXPECT_EQ(Told("orders.crm/5"), (std::set<std::string>{"users/11", "users/40"}));

  // The manager reads it in their own inbox; another team's manager has nothing.
  v1::ListNotificationsResponse inbox;
  ASSERT_TRUE(notification_service_->DoListNotifications(manager_, {}, &inbox).ok());
  std::set<std::string> titles;
  for (const v1::Notification& n : inbox.notifications()) {
    EXPECT_EQ(n.kind(), v1::ORDER_STATUS_CHANGED);
    titles.insert(n.title());
  }
  EXPECT_EQ(titles,
            (std::set<std::string>{"Order orders/7 is SHIPPED", "Order orders/7 is DELIVERED",
                                   "Order orders/7 is ON_HOLD"}));
  v1::ListNotificationsResponse other;
  ASSERT_TRUE(notification_service_->DoListNotifications(other_manager_, {}, &other).ok());
  EXPECT_EQ(other.notifications_size(), 0);
}

TEST_F(NotificationRecipientsTest, ReturnsReachTheOwnerAndSupport) {
  orders::v1::Return rma;
  rma.set_name("returns/3");
  rma.set_order("orders/7");
  rma.set_order_owner("users/11");
  rma.set_reason("两台打印机到货损坏");
  ASSERT_TRUE(Deliver("orders.crm/8", kReturnRequestedEvent, rma, "returns/3", "users/40").ok());
  // The support user who recorded it is not told of it.
  EXPECT_EQ(Told("orders.crm/8"), (std::set<std::string>{"users/11"}));
  rma.set_resolution(orders::v1::REPLACEMENT);
  rma.set_comment("换新");
  ASSERT_TRUE(Deliver("orders.crm/9", kReturnResolvedEvent, rma, "returns/3", "users/1").ok());
  EXPECT_EQ(Told("orders.crm/9"), (std::set<std::string>{"users/11", "users/40"}));

  v1::ListNotificationsResponse inbox;
  ASSERT_TRUE(notification_service_->DoListNotifications(support_, {}, &inbox).ok());
  ASSERT_EQ(inbox.notifications_size(), 1);
  EXPECT_EQ(inbox.notifications(0).kind(), v1::ORDER_RETURN);
  EXPECT_EQ(inbox.notifications(0).title(),
            "Return returns/3 of orders/7 was resolved: REPLACEMENT");
  EXPECT_EQ(inbox.notifications(0).body(), "换新");
  EXPECT_EQ(inbox.notifications(0).resource(), "returns/3");
}

TEST_F(NotificationRecipientsTest,
       AnUnreachableAuthServiceFailsTheEventAndItsRetryTellsEveryoneOnce) {
  people_.Fail();
  absl::Status failed = StatusChanged("orders.crm/20", orders::v1::DELIVERED);
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable);
  // Nothing half-written: not even the owner's row (the consumer retries the whole event).
  EXPECT_TRUE(Told("orders.crm/20").empty());

  people_.Recover();
  ASSERT_TRUE(StatusChanged("orders.crm/20", orders::v1::DELIVERED).ok());
  ASSERT_TRUE(StatusChanged("orders.crm/20", orders::v1::DELIVERED).ok());  // delivered again
  EXPECT_EQ(Told("orders.crm/20"), (std::set<std::string>{"users/11", "users/10", "users/40"}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE source_event = 'orders.crm/20'"), 3);
}

TEST(NotificationPeopleCacheTest, AnswersAreReusedForTheirTimeAndFailuresAreNot) {
  testing::FakePeople auth;
  FakeClock clock;
  CachedPeople people(auth, absl::Seconds(30), clock);
  ASSERT_EQ(*people.ManagerOf("users/11"), "users/10");
  ASSERT_EQ(*people.ManagerOf("users/11"), "users/10");
  ASSERT_EQ(people.SupportDesk()->size(), 1u);
  ASSERT_EQ(people.SupportDesk()->size(), 1u);
  EXPECT_EQ(auth.calls(), 2);  // one question each

  // Another user is another question; an old answer is asked again.
  ASSERT_EQ(*people.ManagerOf("users/21"), "users/20");
  EXPECT_EQ(auth.calls(), 3);
  clock.Advance(absl::Seconds(31));
  auth.Fail();
  EXPECT_EQ(people.ManagerOf("users/11").status().code(), absl::StatusCode::kUnavailable);
  auth.Recover();
  ASSERT_EQ(*people.ManagerOf("users/11"), "users/10");
  EXPECT_EQ(auth.calls(), 5);  // the failure was not kept: asked again
}

}  // namespace
}  // namespace crm::activities
