// Tasks against a real MariaDB schema: creating and assigning (an owner change), the caller's
// task list with its filters and pages, completing, cancelling and reopening, the assignee's
// record rules, and a FollowUpDue from the opportunities feed becoming one task for the
// opportunity's owner however often it is delivered.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crm/opportunities/v1/opportunities.pb.h"
#include "libs/grpc/status.h"
#include "services/activities/event_types.h"
#include "services/activities/service_testing.h"

namespace crm::activities {
namespace {

class TaskTest : public testing::ServiceTest {
 protected:
  absl::StatusOr<v1::ListMyTasksResponse> Mine(const auth::Caller& who,
                                              v1::TaskStatus status = v1::TASK_STATUS_UNSPECIFIED,
                                              v1::Priority priority = v1::PRIORITY_UNSPECIFIED,
                                              int due_before_minutes = -1, int page_size = 0,
                                              const std::string& page_token = "") {
    v1::ListMyTasksRequest request;
    request.set_status(status);
    request.set_priority(priority);
    if (due_before_minutes >= 0) *request.mutable_due_before() = At(due_before_minutes);
    request.set_page_size(page_size);
    request.set_page_token(page_token);
    v1::ListMyTasksResponse out;
    CRM_RETURN_IF_ERROR(task_service_->DoListMyTasks(who, request, &out));
    return out;
  }
  static std::vector<std::string> Titles(const v1::ListMyTasksResponse& response) {
    std::vector<std::string> titles;
    for (const v1::Task& t : response.tasks()) titles.push_back(t.title());
    return titles;
  }
  absl::StatusOr<v1::Task> Complete(const auth::Caller& who, const std::string& name) {
    v1::CompleteTaskRequest request;
    request.set_name(name);
    v1::Task out;
    CRM_RETURN_IF_ERROR(task_service_->DoCompleteTask(who, request, &out));
    return out;
  }
  absl::StatusOr<v1::Task> SetStatus(const auth::Caller& who, const std::string& name,
                                     v1::TaskStatus status) {
    v1::UpdateTaskRequest request;
    request.mutable_task()->set_name(name);
    request.mutable_task()->set_status(status);
    request.mutable_update_mask()->add_paths("status");
    v1::Task out;
    CRM_RETURN_IF_ERROR(task_service_->DoUpdateTask(who, request, &out));
    return out;
  }
  absl::StatusOr<v1::Task> GetTask(const auth::Caller& who, const std::string& name) {
    v1::GetTaskRequest request;
    request.set_name(name);
    v1::Task out;
    CRM_RETURN_IF_ERROR(task_service_->DoGetTask(who, request, &out));
    return out;
  }
  static opportunities::v1::FollowUp FollowUp(const std::string& owner) {
    opportunities::v1::FollowUp f;
    f.set_name("followUps/5");
    f.set_opportunity("opportunities/9");
    f.set_opportunity_title("Hangzhou fleet renewal");
    f.set_owner(owner);
    *f.mutable_due_time() = At(120);
    f.set_reason("no update for 14 days in Proposal");
    return f;
  }
};

TEST_F(TaskTest, ANewTaskIsTheCallersAndOpen) {
  absl::StatusOr<v1::Task> task = NewTask(rep_, "Send the quote");
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->assignee(), "users/11");
  EXPECT_EQ(task->status(), v1::OPEN);
  EXPECT_EQ(task->origin(), "users/11");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE event_type = 'crm.activities.v1.TaskCreated'"),
            1);
}

TEST_F(TaskTest, AssigningToSomeoneElseFollowsTheOwnerRules) {
  // A manager assigns to a member of their team; a rep may not assign to a teammate.
  absl::StatusOr<v1::Task> assigned = NewTask(manager_, "Call back", 60, "users/11");
  ASSERT_TRUE(assigned.ok()) << assigned.status();
  EXPECT_EQ(assigned->assignee(), "users/11");
  EXPECT_EQ(assigned->creator(), "users/10");
  absl::Status denied = NewTask(rep_, "Yours", 60, "users/12").status();
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorReason(denied), "OWNER_CHANGE_DENIED");
  EXPECT_EQ(NewTask(manager_, "Not my team", 60, "users/21").status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(TaskTest, ARepOfAnotherTeamGetsNotFound) {
  absl::StatusOr<v1::Task> task = NewTask(rep_, "Send the quote");
  ASSERT_TRUE(task.ok());
  EXPECT_EQ(GetTask(other_rep_, task->name()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(GetTask(other_rep_, task->name()).status()), "TASK_NOT_FOUND");
  EXPECT_EQ(Complete(other_rep_, task->name()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(GetTask(other_manager_, task->name()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(GetTask(manager_, task->name()).ok());
  EXPECT_EQ(Mine(other_rep_)->tasks_size(), 0);
}

TEST_F(TaskTest, MyTasksAreFilteredByDueTimeStatusAndPrioritySoonestFirstInPages) {
  ASSERT_TRUE(NewTask(rep_, "later", 300).ok());
  ASSERT_TRUE(NewTask(rep_, "soon", 30, "", v1::HIGH).ok());
  ASSERT_TRUE(NewTask(rep_, "middle", 120).ok());
  absl::StatusOr<v1::Task> done = NewTask(rep_, "done", 10);
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE(Complete(rep_, done->name()).ok());
  ASSERT_TRUE(NewTask(teammate_, "teammate's", 20).ok());

  absl::StatusOr<v1::ListMyTasksResponse> open = Mine(rep_, v1::OPEN);
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_EQ(Titles(*open), (std::vector<std::string>{"soon", "middle", "later"}));
  EXPECT_EQ(Titles(*Mine(rep_, v1::OPEN, v1::PRIORITY_UNSPECIFIED, 200)),
            (std::vector<std::string>{"soon", "middle"}));
  EXPECT_EQ(Titles(*Mine(rep_, v1::TASK_STATUS_UNSPECIFIED, v1::HIGH)),
            (std::vector<std::string>{"soon"}));
  EXPECT_EQ(Titles(*Mine(rep_, v1::DONE)), (std::vector<std::string>{"done"}));
  // The manager's own list holds only their own tasks, not their team's.
  EXPECT_EQ(Mine(manager_)->tasks_size(), 0);

  std::vector<std::string> paged;
  std::string token;
  do {
    absl::StatusOr<v1::ListMyTasksResponse> page =
        Mine(rep_, v1::OPEN, v1::PRIORITY_UNSPECIFIED, -1, 2, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const std::string& title : Titles(*page)) paged.push_back(title);
    token = page->next_page_token();
  } while (!token.empty());
  EXPECT_EQ(paged, (std::vector<std::string>{"soon", "middle", "later"}));
  // A page token belongs to its filters.
  absl::StatusOr<v1::ListMyTasksResponse> first =
      Mine(rep_, v1::OPEN, v1::PRIORITY_UNSPECIFIED, -1, 1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Mine(rep_, v1::DONE, v1::PRIORITY_UNSPECIFIED, -1, 1, first->next_page_token())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TaskTest, CompletingCancellingAndReopening) {
  absl::StatusOr<v1::Task> task = NewTask(rep_, "Send the quote");
  ASSERT_TRUE(task.ok());
  absl::StatusOr<v1::Task> done = Complete(rep_, task->name());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->status(), v1::DONE);
  EXPECT_TRUE(done->has_complete_time());
  // Completing again changes nothing; a closed task cannot be cancelled.
  absl::StatusOr<v1::Task> again = Complete(rep_, task->name());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->etag(), done->etag());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE event_type = "
                  "'crm.activities.v1.TaskCompleted'"),
            1);
  EXPECT_EQ(ErrorReason(SetStatus(rep_, task->name(), v1::CANCELLED).status()), "TASK_CLOSED");
  // Reopened, then cancelled: a cancelled task cannot be completed.
  absl::StatusOr<v1::Task> reopened = SetStatus(rep_, task->name(), v1::OPEN);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_FALSE(reopened->has_complete_time());
  ASSERT_TRUE(SetStatus(rep_, task->name(), v1::CANCELLED).ok());
  EXPECT_EQ(ErrorReason(Complete(rep_, task->name()).status()), "TASK_CLOSED");
  // DONE is set by CompleteTask only.
  absl::StatusOr<v1::Task> other = NewTask(rep_, "Another");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(SetStatus(rep_, other->name(), v1::DONE).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TaskTest, AFollowUpDueDeliveredTwiceMakesOneTaskForTheOpportunitysOwner) {
  const opportunities::v1::FollowUp due = FollowUp("users/21");
  ASSERT_TRUE(
      Deliver("opportunities.crm/77", kFollowUpDueEvent, due, "opportunities/9").ok());
  // The same event again (a rewound feed delivers it once more).
  ASSERT_TRUE(
      Deliver("opportunities.crm/77", kFollowUpDueEvent, due, "opportunities/9").ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tasks"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE event_type = 'crm.activities.v1.TaskCreated'"),
            1);

  absl::StatusOr<v1::ListMyTasksResponse> theirs = Mine(other_rep_, v1::OPEN);
  ASSERT_TRUE(theirs.ok());
  ASSERT_EQ(theirs->tasks_size(), 1);
  const v1::Task& task = theirs->tasks(0);
  EXPECT_EQ(task.title(), "Follow up: Hangzhou fleet renewal");
  EXPECT_EQ(task.description(), "no update for 14 days in Proposal");
  EXPECT_EQ(task.opportunity(), "opportunities/9");
  EXPECT_EQ(task.origin(), "followUps/5");
  EXPECT_EQ(task.due_time().seconds(), At(120).seconds());
  EXPECT_EQ(Mine(rep_)->tasks_size(), 0);

  // Another firing of the rule is another event, and another task.
  ASSERT_TRUE(
      Deliver("opportunities.crm/78", kFollowUpDueEvent, due, "opportunities/9").ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tasks"), 2);
}

}  // namespace
}  // namespace crm::activities
