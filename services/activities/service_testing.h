// The activities service's handlers on a migrated throw-away schema (the service kit's
// TestKit), with the customers service answered from memory, for the tests beside the code.
// Users, by id: 1 ADMIN; team 1: 10 its SALES_MANAGER, 11 and 12 SALES_REP; team 2: 20 its
// SALES_MANAGER, 21 SALES_REP; 30 MARKETING; 40 SUPPORT. Customer N is owned by users/N for
// N in {10, 11, 12, 20, 21}.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/api/resource.h"
#include "libs/auth/testing.h"
#include "libs/db/testing.h"
#include "libs/grpc/status.h"
#include "libs/service/testing.h"
#include "services/activities/activity_service.h"
#include "services/activities/clients.h"
#include "services/activities/feeds.h"
#include "services/activities/notification_service.h"
#include "services/activities/people.h"
#include "services/activities/task_service.h"

namespace crm::activities::testing {

// Customers held in memory with their owners. Every customer is visible to everyone (the
// customers service's own rules are its tests' business) unless hidden.
class FakeCustomers final : public CustomerDirectory {
 public:
  void Add(int64_t id, std::string owner) {
    absl::MutexLock lock(&mu_);
    owners_[id] = std::move(owner);
  }
  void Hide(int64_t id) {
    absl::MutexLock lock(&mu_);
    hidden_.insert(id);
  }
  absl::StatusOr<CustomerOwner> GetCustomer(const auth::Caller&, std::string_view name) override {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<int64_t> id = api::ParseResourceId(name, "customers");
    if (!id.ok() || !owners_.contains(*id) || hidden_.contains(*id)) {
      return Error(absl::StatusCode::kNotFound, "CUSTOMER_NOT_FOUND", "no such customer");
    }
    return CustomerOwner{.customer_id = *id, .owner = owners_.at(*id)};
  }
  // Knows one filter, `owner = "users/N"` (the customers service's parser is its own tests'
  // business); anything else is refused as the customers service would.
  absl::StatusOr<Matches> MatchCustomers(const auth::Caller&, std::string_view filter,
                                         int limit) override {
    absl::MutexLock lock(&mu_);
    constexpr std::string_view kOwnerIs = "owner = \"";
    if (!filter.starts_with(kOwnerIs) || !filter.ends_with("\"")) {
      return InvalidArgument("the request has invalid fields",
                             {{.field = "filter", .description = "unknown field"}});
    }
    const std::string_view owner =
        filter.substr(kOwnerIs.size(), filter.size() - kOwnerIs.size() - 1);
    Matches matches;
    for (const auto& [id, who] : owners_) {
      if (who != owner || hidden_.contains(id)) continue;
      if (static_cast<int>(matches.names.size()) == limit) {
        matches.more = true;
        break;
      }
      matches.names.push_back(absl::StrCat("customers/", id));
    }
    return matches;
  }

 private:
  absl::Mutex mu_;
  std::map<int64_t, std::string> owners_ ABSL_GUARDED_BY(mu_);
  std::set<int64_t> hidden_ ABSL_GUARDED_BY(mu_);
};

// The people of the users above as the auth service would name them: team 1's manager is
// users/10, team 2's users/20, the support desk users/40. `Fail()` makes every answer
// UNAVAILABLE (auth down) until `Recover()`; `calls()` counts what was asked.
class FakePeople final : public People {
 public:
  absl::StatusOr<std::string> ManagerOf(std::string_view user) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (down_) return Down();
    if (user == "users/11" || user == "users/12") return std::string("users/10");
    if (user == "users/21") return std::string("users/20");
    return std::string();
  }
  absl::StatusOr<std::vector<std::string>> SupportDesk() override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (down_) return Down();
    return std::vector<std::string>{"users/40"};
  }
  // Everyone's address is "user{id}@example.cn" (users/99 has none).
  absl::StatusOr<std::string> EmailOf(std::string_view user) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (down_) return Down();
    if (user == "users/99") return std::string();
    return absl::StrCat("user", std::string(user.substr(user.find('/') + 1)), "@example.cn");
  }
  void Fail() {
    absl::MutexLock lock(&mu_);
    down_ = true;
  }
  void Recover() {
    absl::MutexLock lock(&mu_);
    down_ = false;
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  static absl::Status Down() {
    return Error(absl::StatusCode::kUnavailable, "AUTH_UNAVAILABLE", "auth is down");
  }
  absl::Mutex mu_;
  bool down_ ABSL_GUARDED_BY(mu_) = false;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto test = service::testing::TestKit::Create("activities", CRM_ACTIVITIES_SCHEMA_DIR);
    ASSERT_TRUE(test.ok()) << test.status();
    test_ = std::move(*test);
    service::Kit& kit = test_->kit();
    activities_ = std::make_unique<ActivityStore>(kit.pool, kit.clock);
    tasks_ = std::make_unique<TaskStore>(kit.pool, kit.clock);
    activity_service_ = std::make_unique<ActivityService>(kit, *activities_, customers_);
    task_service_ = std::make_unique<TaskService>(kit, *tasks_, customers_);
    notifications_ = std::make_unique<NotificationStore>(kit.pool);
    preferences_ = std::make_unique<NotificationPreferenceStore>(kit.pool);
    deliveries_ = std::make_unique<DeliveryStore>(kit.pool, kit.clock);
    notification_service_ = std::make_unique<NotificationService>(kit, *notifications_, watchers_,
                                                                  *preferences_, *deliveries_);
    feeds_ = std::make_unique<Feeds>(*activities_, *tasks_, people_, "services/activities");
    auto& users = test_->users();
    users.Add(1, auth::v1::ADMIN, "");
    users.Add(10, auth::v1::SALES_MANAGER, "teams/1");
    users.Add(11, auth::v1::SALES_REP, "teams/1");
    users.Add(12, auth::v1::SALES_REP, "teams/1");
    users.Add(20, auth::v1::SALES_MANAGER, "teams/2");
    users.Add(21, auth::v1::SALES_REP, "teams/2");
    users.Add(30, auth::v1::MARKETING, "");
    users.Add(40, auth::v1::SUPPORT, "");
    for (int64_t id : {10, 11, 12, 20, 21}) customers_.Add(id, absl::StrCat("users/", id));
  }

  // A call on `customer` at `minutes` past 2026-03-01 09:00 UTC, logged by `who`.
  absl::StatusOr<v1::Activity> Log(const auth::Caller& who, int64_t customer, int minutes = 0,
                                   v1::ActivityKind kind = v1::CALL,
                                   const std::string& request_id = "") {
    v1::CreateActivityRequest request;
    v1::Activity& a = *request.mutable_activity();
    a.set_kind(kind);
    a.set_direction(v1::OUTBOUND);
    a.set_customer(absl::StrCat("customers/", customer));
    *a.mutable_activity_time() = At(minutes);
    a.set_duration_seconds(300);
    a.set_outcome("reached");
    a.set_summary("Talked about the spring order.");
    request.set_request_id(request_id);
    v1::Activity out;
    CRM_RETURN_IF_ERROR(activity_service_->DoCreateActivity(who, request, &out));
    return out;
  }

  absl::StatusOr<v1::Activity> Get(const auth::Caller& who, const std::string& name) {
    v1::GetActivityRequest request;
    request.set_name(name);
    v1::Activity out;
    CRM_RETURN_IF_ERROR(activity_service_->DoGetActivity(who, request, &out));
    return out;
  }

  absl::StatusOr<v1::ListActivitiesResponse> List(const auth::Caller& who,
                                                  const std::string& filter = "",
                                                  int page_size = 0,
                                                  const std::string& page_token = "") {
    v1::ListActivitiesRequest request;
    request.set_filter(filter);
    request.set_page_size(page_size);
    request.set_page_token(page_token);
    v1::ListActivitiesResponse out;
    CRM_RETURN_IF_ERROR(activity_service_->DoListActivities(who, request, &out));
    return out;
  }

  // A task for `assignee` (the caller when empty), due `minutes` past 2026-03-01 09:00 UTC.
  absl::StatusOr<v1::Task> NewTask(const auth::Caller& who, const std::string& title,
                                   int minutes = 60, const std::string& assignee = "",
                                   v1::Priority priority = v1::NORMAL) {
    v1::CreateTaskRequest request;
    v1::Task& t = *request.mutable_task();
    t.set_title(title);
    t.set_assignee(assignee);
    *t.mutable_due_time() = At(minutes);
    t.set_priority(priority);
    v1::Task out;
    CRM_RETURN_IF_ERROR(task_service_->DoCreateTask(who, request, &out));
    return out;
  }

  // An event of another service's feed, by `actor`, `minutes` past 2026-03-01 09:00 UTC,
  // applied in its own transaction as the consumer does.
  absl::Status Deliver(const std::string& id, const std::string& type,
                       const google::protobuf::Message& payload, const std::string& resource,
                       const std::string& actor = "", int minutes = 0) {
    events::v1::Event event;
    event.set_id(id);
    event.set_type(type);
    event.set_resource(resource);
    event.set_actor(actor);
    *event.mutable_time() = At(minutes);
    event.mutable_payload()->PackFrom(payload);
    return test_->pool().InTransaction(
        [&](db::Transaction& tx) { return feeds_->Apply(tx, event); });
  }

  static google::protobuf::Timestamp At(int minutes) {
    google::protobuf::Timestamp ts;
    ts.set_seconds(1772355600 + int64_t{minutes} * 60);  // 2026-03-01T09:00:00Z
    return ts;
  }

  int64_t Count(const std::string& sql) {
    absl::StatusOr<std::vector<int64_t>> ints = db::testing::QueryInts(test_->pool(), sql);
    EXPECT_TRUE(ints.ok()) << ints.status();
    return ints.ok() && !ints->empty() ? ints->at(0) : -1;
  }

  std::unique_ptr<service::testing::TestKit> test_;
  FakeCustomers customers_;
  FakePeople people_;
  std::unique_ptr<ActivityStore> activities_;
  std::unique_ptr<TaskStore> tasks_;
  std::unique_ptr<ActivityService> activity_service_;
  std::unique_ptr<TaskService> task_service_;
  std::unique_ptr<NotificationStore> notifications_;
  std::unique_ptr<NotificationPreferenceStore> preferences_;
  std::unique_ptr<DeliveryStore> deliveries_;  // e-mail and webhook deliveries, webhooks
  // Polls every 10 ms once a test starts it.
  NotificationWatchers watchers_{absl::Milliseconds(10)};
  std::unique_ptr<NotificationService> notification_service_;
  std::unique_ptr<Feeds> feeds_;

  const auth::Caller admin_ = auth::testing::MakeCaller(1, auth::v1::ADMIN);
  const auth::Caller manager_ =
      auth::testing::MakeCaller(10, auth::v1::SALES_MANAGER, "teams/1", {"teams/1"});
  const auth::Caller rep_ = auth::testing::MakeCaller(11, auth::v1::SALES_REP, "teams/1");
  const auth::Caller teammate_ = auth::testing::MakeCaller(12, auth::v1::SALES_REP, "teams/1");
  const auth::Caller other_manager_ =
      auth::testing::MakeCaller(20, auth::v1::SALES_MANAGER, "teams/2", {"teams/2"});
  const auth::Caller other_rep_ = auth::testing::MakeCaller(21, auth::v1::SALES_REP, "teams/2");
  const auth::Caller marketing_ = auth::testing::MakeCaller(30, auth::v1::MARKETING);
  const auth::Caller support_ = auth::testing::MakeCaller(40, auth::v1::SUPPORT);
};

}  // namespace crm::activities::testing
