// The in-app inbox against a real MariaDB schema: orders events from the feed becoming one
// notification per event and recipient however often they are delivered (status changes to
// the owner, approvals wanted to the approver, decided to the owner), tasks given by someone
// else, the inbox newest first in pages with its unread filter, marking read by name or up to
// a time (idempotent), and nobody — an admin neither — listing or marking another's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crm/orders/v1/orders.pb.h"
#include "libs/grpc/status.h"
#include "services/activities/event_types.h"
#include "services/activities/service_testing.h"

namespace crm::activities {
namespace {

class NotificationTest : public testing::ServiceTest {
 protected:
  absl::StatusOr<v1::ListNotificationsResponse> Inbox(const auth::Caller& who,
                                                      bool unread_only = false, int page_size = 0,
                                                      const std::string& page_token = "") {
    v1::ListNotificationsRequest request;
    request.set_unread_only(unread_only);
    request.set_page_size(page_size);
    request.set_page_token(page_token);
    v1::ListNotificationsResponse out;
    CRM_RETURN_IF_ERROR(notification_service_->DoListNotifications(who, request, &out));
    return out;
  }
  // Marks `names`, or (with no names) everything up to `up_to_minutes`.
  absl::StatusOr<int64_t> MarkRead(const auth::Caller& who, const std::vector<std::string>& names,
                                   int up_to_minutes = -1) {
    v1::MarkNotificationsReadRequest request;
    for (const std::string& name : names) request.add_names(name);
    if (up_to_minutes >= 0) *request.mutable_up_to() = At(up_to_minutes);
    v1::MarkNotificationsReadResponse out;
    CRM_RETURN_IF_ERROR(notification_service_->DoMarkNotificationsRead(who, request, &out));
    return out.marked_count();
  }
  static std::vector<std::string> Titles(const v1::ListNotificationsResponse& response) {
    std::vector<std::string> titles;
    for (const v1::Notification& n : response.notifications()) titles.push_back(n.title());
    return titles;
  }

  static orders::v1::Order Order(int64_t id, const std::string& owner) {
    orders::v1::Order order;
    order.set_name(absl::StrCat("orders/", id));
    order.set_customer_display_name("杭州贸易");
    order.set_owner(owner);
    return order;
  }
  // OrderStatusChanged of orders/`id` (owned by `owner`) to `to`, by `actor`.
  absl::Status StatusChanged(const std::string& event_id, int64_t id, const std::string& owner,
                             orders::v1::OrderStatus to, const std::string& actor,
                             int minutes = 0) {
    orders::v1::StatusChangeEvent change;
    *change.mutable_order() = Order(id, owner);
    change.set_from_status(orders::v1::DRAFT);
    change.set_to_status(to);
    change.set_reason("the customer signed");
    return Deliver(event_id, kOrderStatusChangedEvent, change, change.order().name(), actor,
                   minutes);
  }
  absl::Status ApprovalStep(const std::string& event_id, const std::string& type,
                            const std::string& owner, const std::string& approver,
                            const std::string& actor) {
    orders::v1::ApprovalEvent step;
    *step.mutable_order() = Order(7, owner);
    step.mutable_approval()->set_approver(approver);
    step.mutable_approval()->set_owner(owner);
    step.mutable_approval()->add_reasons("approvalRules/3: a discount above 10% (line 1: 15%)");
    step.mutable_approval()->set_comment("fine this once");
    return Deliver(event_id, type, step, "orders/7", actor);
  }
};

TEST_F(NotificationTest, AnOrderEventDeliveredTwiceNotifiesTheOwnerOnce) {
  ASSERT_TRUE(StatusChanged("orders.crm/5", 7, "users/11", orders::v1::CONFIRMED, "users/10").ok());
  // The same event again (a rewound feed delivers it once more).
  ASSERT_TRUE(StatusChanged("orders.crm/5", 7, "users/11", orders::v1::CONFIRMED, "users/10").ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications"), 1);

  absl::StatusOr<v1::ListNotificationsResponse> inbox = Inbox(rep_);
  ASSERT_TRUE(inbox.ok()) << inbox.status();
  ASSERT_EQ(inbox->notifications_size(), 1);
  const v1::Notification& n = inbox->notifications(0);
  EXPECT_EQ(n.kind(), v1::ORDER_STATUS_CHANGED);
  EXPECT_EQ(n.title(), "Order orders/7 for 杭州贸易 is CONFIRMED");
  EXPECT_EQ(n.body(), "the customer signed");
  EXPECT_EQ(n.resource(), "orders/7");
  EXPECT_EQ(n.actor(), "users/10");
  EXPECT_EQ(n.create_time().seconds(), At(0).seconds());
  EXPECT_FALSE(n.has_read_time());
  EXPECT_EQ(inbox->unread_count(), 1);

  // The owner's own change tells nobody; another event is another notification.
  ASSERT_TRUE(StatusChanged("orders.crm/6", 7, "users/11", orders::v1::CANCELLED, "users/11").ok());
  EXPECT_EQ(Inbox(rep_)->notifications_size(), 1);
  ASSERT_TRUE(
      StatusChanged("orders.crm/7", 7, "users/11", orders::v1::SHIPPED, "services/orders").ok());
  EXPECT_EQ(Inbox(rep_)->notifications_size(), 2);
}

TEST_F(NotificationTest, ApprovalsWantedReachTheApproverAndDecisionsTheOwner) {
  ASSERT_TRUE(ApprovalStep("orders.crm/10", kOrderSubmittedForApprovalEvent, "users/11", "users/10",
                           "users/11")
                  .ok());
  absl::StatusOr<v1::ListNotificationsResponse> manager = Inbox(manager_);
  ASSERT_TRUE(manager.ok()) << manager.status();
  ASSERT_EQ(manager->notifications_size(), 1);
  EXPECT_EQ(manager->notifications(0).kind(), v1::APPROVAL_WANTED);
  EXPECT_EQ(manager->notifications(0).title(), "Order orders/7 for 杭州贸易 needs your approval");
  EXPECT_EQ(manager->notifications(0).body(),
            "approvalRules/3: a discount above 10% (line 1: 15%)");
  EXPECT_EQ(Inbox(rep_)->notifications_size(), 0);  // the submitter did it themself

  // Escalated to the admins (no one approver named): the owner hears where it went.
  ASSERT_TRUE(
      ApprovalStep("orders.crm/11", kOrderApprovalEscalatedEvent, "users/11", "", "services/orders")
          .ok());
  ASSERT_TRUE(ApprovalStep("orders.crm/12", kOrderApprovedEvent, "users/11", "", "users/1").ok());
  ASSERT_TRUE(ApprovalStep("orders.crm/12", kOrderApprovedEvent, "users/11", "", "users/1").ok());
  absl::StatusOr<v1::ListNotificationsResponse> rep = Inbox(rep_);
  ASSERT_TRUE(rep.ok()) << rep.status();
  ASSERT_EQ(rep->notifications_size(), 2);
  std::vector<v1::NotificationKind> kinds;
  for (const v1::Notification& n : rep->notifications()) kinds.push_back(n.kind());
  EXPECT_THAT(kinds, ::testing::UnorderedElementsAre(v1::APPROVAL_ESCALATED, v1::APPROVAL_DECIDED));
  for (const v1::Notification& n : rep->notifications()) {
    if (n.kind() == v1::APPROVAL_DECIDED) {
      EXPECT_EQ(n.title(), "Order orders/7 for 杭州贸易 was approved");
      EXPECT_EQ(n.body(), "fine this once");
    }
  }
  EXPECT_EQ(Inbox(manager_)->notifications_size(), 1);
}

TEST_F(NotificationTest, NobodyListsOrMarksAnothersNotifications) {
  ASSERT_TRUE(StatusChanged("orders.crm/5", 7, "users/11", orders::v1::CONFIRMED, "users/10").ok());
  absl::StatusOr<v1::ListNotificationsResponse> mine = Inbox(rep_);
  ASSERT_TRUE(mine.ok()) << mine.status();
  ASSERT_EQ(mine->notifications_size(), 1);
  const std::string name = mine->notifications(0).name();

  // The rep's manager, a teammate and an admin see none of it.
  for (const auth::Caller* other : {&manager_, &teammate_, &admin_}) {
    absl::StatusOr<v1::ListNotificationsResponse> theirs = Inbox(*other);
    ASSERT_TRUE(theirs.ok()) << theirs.status();
    EXPECT_EQ(theirs->notifications_size(), 0);
    EXPECT_EQ(theirs->unread_count(), 0);
    absl::StatusOr<int64_t> marked = MarkRead(*other, {name});
    EXPECT_EQ(marked.status().code(), absl::StatusCode::kNotFound);
    EXPECT_EQ(ErrorReason(marked.status()), "NOTIFICATION_NOT_FOUND");
    EXPECT_EQ(MarkRead(*other, {}, 60).value_or(-1), 0);
  }
  // A name of another's among the caller's own marks nothing at all.
  ASSERT_TRUE(StatusChanged("orders.crm/8", 8, "users/12", orders::v1::CONFIRMED, "users/10").ok());
  absl::StatusOr<v1::ListNotificationsResponse> teammates = Inbox(teammate_);
  ASSERT_TRUE(teammates.ok());
  ASSERT_EQ(teammates->notifications_size(), 1);
  EXPECT_EQ(MarkRead(teammate_, {teammates->notifications(0).name(), name}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Inbox(teammate_)->unread_count(), 1);

  absl::StatusOr<v1::ListNotificationsResponse> after = Inbox(rep_, /*unread_only=*/true);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->notifications_size(), 1);
  EXPECT_EQ(after->unread_count(), 1);
}

TEST_F(NotificationTest, TheInboxIsNewestFirstInPagesAndMarkingReadIsIdempotent) {
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(StatusChanged(absl::StrCat("orders.crm/", i), i, "users/11", orders::v1::CONFIRMED,
                              "users/10", /*minutes=*/i)
                    .ok());
  }
  absl::StatusOr<v1::ListNotificationsResponse> first = Inbox(rep_, false, 2);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(Titles(*first), ::testing::ElementsAre("Order orders/3 for 杭州贸易 is CONFIRMED",
                                                     "Order orders/2 for 杭州贸易 is CONFIRMED"));
  ASSERT_FALSE(first->next_page_token().empty());
  absl::StatusOr<v1::ListNotificationsResponse> second =
      Inbox(rep_, false, 2, first->next_page_token());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(Titles(*second), ::testing::ElementsAre("Order orders/1 for 杭州贸易 is CONFIRMED"));
  EXPECT_TRUE(second->next_page_token().empty());
  // The token is bound to its list: not usable for the unread ones.
  EXPECT_EQ(Inbox(rep_, true, 2, first->next_page_token()).status().code(),
            absl::StatusCode::kInvalidArgument);

  const std::string newest = first->notifications(0).name();
  EXPECT_EQ(MarkRead(rep_, {newest}).value_or(-1), 1);
  const google::protobuf::Timestamp read_at = Inbox(rep_)->notifications(0).read_time();
  EXPECT_GT(read_at.seconds(), 0);
  test_->clock().Advance(absl::Hours(1));
  EXPECT_EQ(MarkRead(rep_, {newest}).value_or(-1), 0);  // read already: nothing changes
  EXPECT_EQ(Inbox(rep_)->notifications(0).read_time().seconds(), read_at.seconds());

  absl::StatusOr<v1::ListNotificationsResponse> unread = Inbox(rep_, true);
  ASSERT_TRUE(unread.ok());
  EXPECT_THAT(Titles(*unread), ::testing::ElementsAre("Order orders/2 for 杭州贸易 is CONFIRMED",
                                                      "Order orders/1 for 杭州贸易 is CONFIRMED"));
  EXPECT_EQ(unread->unread_count(), 2);
  // Everything up to the first one's time: only that one.
  EXPECT_EQ(MarkRead(rep_, {}, 1).value_or(-1), 1);
  EXPECT_EQ(Inbox(rep_, true)->unread_count(), 1);
  EXPECT_EQ(MarkRead(rep_, {}, 60).value_or(-1), 1);
  EXPECT_EQ(MarkRead(rep_, {}, 60).value_or(-1), 0);
  EXPECT_EQ(Inbox(rep_, true)->notifications_size(), 0);
  EXPECT_TRUE(Inbox(rep_)->notifications(0).has_read_time());

  // Names or a time, one of the two.
  EXPECT_EQ(MarkRead(rep_, {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MarkRead(rep_, {newest}, 60).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MarkRead(rep_, {"tasks/3"}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(NotificationTest, ATaskGivenBySomeoneElseTellsTheAssigneeOnce) {
  ASSERT_TRUE(NewTask(rep_, "My own reminder").ok());
  EXPECT_EQ(Inbox(rep_)->notifications_size(), 0);  // nobody hears of what they did themself

  absl::StatusOr<v1::Task> given = NewTask(manager_, "Call the buyer back", 60, "users/11");
  ASSERT_TRUE(given.ok()) << given.status();
  absl::StatusOr<v1::ListNotificationsResponse> inbox = Inbox(rep_);
  ASSERT_TRUE(inbox.ok()) << inbox.status();
  ASSERT_EQ(inbox->notifications_size(), 1);
  EXPECT_EQ(inbox->notifications(0).kind(), v1::TASK_ASSIGNED);
  EXPECT_EQ(inbox->notifications(0).title(), "Task for you: Call the buyer back");
  EXPECT_EQ(inbox->notifications(0).resource(), given->name());
  EXPECT_EQ(inbox->notifications(0).actor(), "users/10");

  // Handed on to the teammate: they hear of it too.
  v1::UpdateTaskRequest request;
  request.mutable_task()->set_name(given->name());
  request.mutable_task()->set_assignee("users/12");
  request.mutable_update_mask()->add_paths("assignee");
  v1::Task updated;
  ASSERT_TRUE(task_service_->DoUpdateTask(manager_, request, &updated).ok());
  EXPECT_EQ(Inbox(teammate_)->notifications_size(), 1);
  EXPECT_EQ(Inbox(rep_)->notifications_size(), 1);
}

}  // namespace
}  // namespace crm::activities
