// The task scheduler against a real MariaDB schema, with two schedulers on one database as two
// replicas would run them and the clock moved by hand: each reminder reaches the assignee
// once, when its time has come; an OPEN task overdue by the delay reaches the assignee's
// manager once (one TaskEscalated event), even when both pass at the same moment; a done task
// is not escalated; an auth service that cannot answer delays the escalation, never loses it.
#include "services/activities/task_scheduler.h"

#include <gtest/gtest.h>

#include <thread>

#include "libs/base/time.h"
#include "services/activities/event_types.h"
#include "services/activities/service_testing.h"

namespace crm::activities {
namespace {

class TaskSchedulerTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    testing::ServiceTest::SetUp();
    for (auto* scheduler : {&first_, &second_}) {
      *scheduler = std::make_unique<TaskScheduler>(
          test_->pool(), *tasks_, people_, test_->clock(), "services/activities",
          TaskSchedulerOptions{.escalation_delay = absl::Hours(1)});
    }
  }
  void At(int minutes) { test_->clock().Set(FromTimestamp(ServiceTest::At(minutes))); }
  // Both "replicas" pass, one after the other.
  void PassTwice() {
    ASSERT_TRUE(first_->RunOnce().ok());
    ASSERT_TRUE(second_->RunOnce().ok());
  }
  int64_t Told(const std::string& who, v1::NotificationKind kind) {
    return Count(absl::StrCat("SELECT COUNT(*) FROM notifications WHERE recipient = '", who,
                              "' AND kind = ", int{kind}));
  }

  std::unique_ptr<TaskScheduler> first_;
  std::unique_ptr<TaskScheduler> second_;
};

TEST_F(TaskSchedulerTest, EachReminderReachesTheAssigneeOnceWhenItsTimeHasCome) {
  v1::CreateTaskRequest request;
  request.mutable_task()->set_title("Send the quote");
  *request.mutable_task()->mutable_due_time() = ServiceTest::At(60);
  *request.mutable_task()->add_reminder_times() = ServiceTest::At(30);
  *request.mutable_task()->add_reminder_times() = ServiceTest::At(50);
  v1::Task task;
  ASSERT_TRUE(task_service_->DoCreateTask(rep_, request, &task).ok());

  At(20);
  PassTwice();
  EXPECT_EQ(Told("users/11", v1::TASK_REMINDER), 0);
  At(40);
  PassTwice();
  PassTwice();
  EXPECT_EQ(Told("users/11", v1::TASK_REMINDER), 1);
  At(55);
  PassTwice();
  EXPECT_EQ(Told("users/11", v1::TASK_REMINDER), 2);

  v1::ListNotificationsResponse inbox;
  ASSERT_TRUE(notification_service_->DoListNotifications(rep_, {}, &inbox).ok());
  ASSERT_EQ(inbox.notifications_size(), 2);
  for (const v1::Notification& n : inbox.notifications()) {
    EXPECT_EQ(n.title(), "Reminder: Send the quote");
    EXPECT_EQ(n.resource(), task.name());
  }
}

TEST_F(TaskSchedulerTest, AnOverdueTaskEscalatesToTheManagerOnceWithTwoSchedulers) {
  absl::StatusOr<v1::Task> overdue = NewTask(rep_, "Call back the buyer", 60);
  ASSERT_TRUE(overdue.ok()) << overdue.status();
  absl::StatusOr<v1::Task> done = NewTask(rep_, "Already done", 60);
  ASSERT_TRUE(done.ok()) << done.status();
  v1::CompleteTaskRequest complete;
  complete.set_name(done->name());
  v1::Task completed;
  ASSERT_TRUE(task_service_->DoCompleteTask(rep_, complete, &completed).ok());

  At(60 + 59);  // overdue, not yet by the delay
  PassTwice();
  EXPECT_EQ(Told("users/10", v1::TASK_ESCALATED), 0);

  // Past the delay, with the auth service down: nothing yet, and nothing recorded.
  At(60 + 61);
  people_.Fail();
  EXPECT_EQ(first_->RunOnce().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM task_escalations"), 0);
  people_.Recover();

  // Both schedulers at the same moment: one escalation.
  std::thread other([&] { EXPECT_TRUE(second_->RunOnce().ok()); });
  EXPECT_TRUE(first_->RunOnce().ok());
  other.join();
  PassTwice();
  EXPECT_EQ(Told("users/10", v1::TASK_ESCALATED), 1);
  EXPECT_EQ(Told("users/20", v1::TASK_ESCALATED), 0);  // another team's manager
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM outbox WHERE event_type = '",
                               kTaskEscalatedEvent, "'")),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM task_escalations"), 1);  // not the done one

  v1::ListNotificationsResponse inbox;
  ASSERT_TRUE(notification_service_->DoListNotifications(manager_, {}, &inbox).ok());
  ASSERT_EQ(inbox.notifications_size(), 1);
  EXPECT_EQ(inbox.notifications(0).title(), "Overdue: Call back the buyer");
  EXPECT_EQ(inbox.notifications(0).resource(), overdue->name());
}

}  // namespace
}  // namespace crm::activities
