// The activities service as a real process behind the gateway, with real customers and auth
// processes on real MariaDB: a rep's call on their customer (checked in the customers service
// with the rep's token), what a rep of another team, the rep's manager and support see of it,
// the customer handed to another rep (the customers feed carries the new owner, and the record
// goes with the customer), and a task from creation to done.
#include <gtest/gtest.h>

#include "crm/activities/v1/activities.grpc.pb.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

namespace v1 = activities::v1;
using testing::Session;
using testing::Stack;

// For what another process does in its own time (the customers feed): polled, never timed.
constexpr absl::Duration kPatience = absl::Seconds(30);

class ActivitiesE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();
    auto team = stack_->CreateTeam("跟进测试组");
    ASSERT_TRUE(team.ok()) << team.status();
    auto manager = stack_->CreateUser("a.manager", auth::v1::SALES_MANAGER, team->name());
    ASSERT_TRUE(manager.ok()) << manager.status();
    ASSERT_TRUE(stack_->SetManager(*team, *manager).ok());
    ASSERT_TRUE(stack_->CreateUser("a.rep", auth::v1::SALES_REP, team->name()).ok());
    auto other_team = stack_->CreateTeam("另一组");
    ASSERT_TRUE(other_team.ok()) << other_team.status();
    ASSERT_TRUE(stack_->CreateUser("a.other", auth::v1::SALES_REP, other_team->name()).ok());
    ASSERT_TRUE(stack_->CreateUser("a.support", auth::v1::SUPPORT).ok());
    sessions_ = new std::map<std::string, Session>();
    auto admin = stack_->LoginAdmin();
    ASSERT_TRUE(admin.ok()) << admin.status();
    (*sessions_)["admin"] = *admin;
    for (const char* name : {"a.manager", "a.rep", "a.other", "a.support"}) {
      auto session = stack_->Login(name, Stack::kTestPassword);
      ASSERT_TRUE(session.ok()) << session.status();
      (*sessions_)[name] = *session;
    }
  }
  static void TearDownTestSuite() {
    delete sessions_;
    delete stack_;
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << stack_->Logs();
  }

  static const Session& As(const std::string& who) { return sessions_->at(who); }

  static absl::StatusOr<customers::v1::Customer> NewCustomer(const std::string& who,
                                                             const std::string& name) {
    auto stub = customers::v1::CustomerService::NewStub(stack_->gateway());
    customers::v1::CreateCustomerRequest request;
    request.mutable_customer()->set_display_name(name);
    request.mutable_customer()->set_kind(customers::v1::COMPANY);
    customers::v1::Customer out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(stub->CreateCustomer(As(who).Context().get(), request, &out)));
    return out;
  }

  static absl::StatusOr<v1::Activity> Log(const std::string& who, const std::string& customer) {
    auto stub = v1::ActivityService::NewStub(stack_->gateway());
    v1::CreateActivityRequest request;
    v1::Activity& a = *request.mutable_activity();
    a.set_kind(v1::CALL);
    a.set_direction(v1::OUTBOUND);
    a.set_customer(customer);
    // A fixed time, so that a retry is the same request.
    *a.mutable_activity_time() = ToTimestamp(absl::FromUnixSeconds(1764576000));
    a.set_duration_seconds(600);
    a.set_outcome("已接通");
    a.set_summary("客户确认下月采购 20 台打印机。");
    a.set_next_step("发送合同");
    request.set_request_id("e2e-call-" + customer.substr(customer.find('/') + 1));
    v1::Activity out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(stub->CreateActivity(As(who).Context().get(), request, &out)));
    return out;
  }

  static absl::StatusOr<v1::Activity> Get(const std::string& who, const std::string& name) {
    auto stub = v1::ActivityService::NewStub(stack_->gateway());
    v1::GetActivityRequest request;
    request.set_name(name);
    v1::Activity out;
    CRM_RETURN_IF_ERROR(FromGrpcStatus(stub->GetActivity(As(who).Context().get(), request, &out)));
    return out;
  }

  static absl::StatusOr<int> CountListed(const std::string& who, const std::string& customer) {
    auto stub = v1::ActivityService::NewStub(stack_->gateway());
    v1::ListActivitiesRequest request;
    request.set_filter("customer = \"" + customer + "\"");
    v1::ListActivitiesResponse out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(stub->ListActivities(As(who).Context().get(), request, &out)));
    return out.activities_size();
  }

  static Stack* stack_;
  static std::map<std::string, Session>* sessions_;
};

Stack* ActivitiesE2eTest::stack_ = nullptr;
std::map<std::string, Session>* ActivitiesE2eTest::sessions_ = nullptr;

TEST_F(ActivitiesE2eTest, ACallIsSeenByTheRepsSideOnlyAndFollowsTheCustomersNewOwner) {
  absl::StatusOr<customers::v1::Customer> customer = NewCustomer("a.rep", "杭州跟进测试有限公司");
  ASSERT_TRUE(customer.ok()) << customer.status();
  absl::StatusOr<v1::Activity> call = Log("a.rep", customer->name());
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_EQ(call->customer_owner(), As("a.rep").user.name());
  // A retry with the same request id returns the same record.
  absl::StatusOr<v1::Activity> retry = Log("a.rep", customer->name());
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->name(), call->name());

  // Another team's rep: not found, not listed, and cannot record on the customer either.
  absl::Status hidden = Get("a.other", call->name()).status();
  EXPECT_EQ(hidden.code(), absl::StatusCode::kNotFound) << hidden;
  EXPECT_EQ(ErrorReason(hidden), "ACTIVITY_NOT_FOUND");
  EXPECT_EQ(CountListed("a.other", customer->name()).value_or(-1), 0);
  absl::Status refused = Log("a.other", customer->name()).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument) << refused;
  // The rep's manager and support read it.
  EXPECT_TRUE(Get("a.manager", call->name()).ok());
  EXPECT_TRUE(Get("a.support", call->name()).ok());
  EXPECT_EQ(CountListed("a.manager", customer->name()).value_or(-1), 1);

  // The admin hands the customer to the other team's rep: the record goes along once the
  // customers feed has brought the change.
  auto customers = customers::v1::CustomerService::NewStub(stack_->gateway());
  customers::v1::UpdateCustomerRequest update;
  update.mutable_customer()->set_name(customer->name());
  update.mutable_customer()->set_owner(As("a.other").user.name());
  update.mutable_update_mask()->add_paths("owner");
  customers::v1::Customer updated;
  ASSERT_TRUE(customers->UpdateCustomer(As("admin").Context().get(), update, &updated).ok());
  absl::StatusOr<v1::Activity> moved = Get("a.other", call->name());
  for (absl::Time deadline = absl::Now() + kPatience; !moved.ok() && absl::Now() < deadline;
       moved = Get("a.other", call->name())) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->customer_owner(), As("a.other").user.name());
  EXPECT_EQ(Get("a.rep", call->name()).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ActivitiesE2eTest, ATaskFromCreationToDoneOnlyForItsAssigneesSide) {
  auto tasks = v1::TaskService::NewStub(stack_->gateway());
  // The manager gives the rep a task.
  v1::CreateTaskRequest create;
  create.mutable_task()->set_title("回访客户");
  create.mutable_task()->set_assignee(As("a.rep").user.name());
  *create.mutable_task()->mutable_due_time() = ToTimestamp(absl::Now() + absl::Hours(24));
  create.mutable_task()->set_priority(v1::HIGH);
  *create.mutable_task()->add_reminder_times() = ToTimestamp(absl::Now() + absl::Hours(20));
  v1::Task task;
  grpc::Status status = tasks->CreateTask(As("a.manager").Context().get(), create, &task);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(task.assignee(), As("a.rep").user.name());
  EXPECT_EQ(task.status(), v1::OPEN);

  v1::ListMyTasksRequest mine;
  mine.set_status(v1::OPEN);
  v1::ListMyTasksResponse listed;
  ASSERT_TRUE(tasks->ListMyTasks(As("a.rep").Context().get(), mine, &listed).ok());
  ASSERT_EQ(listed.tasks_size(), 1);
  EXPECT_EQ(listed.tasks(0).name(), task.name());

  v1::GetTaskRequest get;
  get.set_name(task.name());
  v1::Task read;
  EXPECT_EQ(tasks->GetTask(As("a.other").Context().get(), get, &read).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::CompleteTaskRequest complete;
  complete.set_name(task.name());
  complete.set_etag(task.etag());
  v1::Task done;
  ASSERT_TRUE(tasks->CompleteTask(As("a.rep").Context().get(), complete, &done).ok());
  EXPECT_EQ(done.status(), v1::DONE);
  listed.Clear();
  ASSERT_TRUE(tasks->ListMyTasks(As("a.rep").Context().get(), mine, &listed).ok());
  EXPECT_EQ(listed.tasks_size(), 0);
}

}  // namespace
}  // namespace crm
