// The opportunities service as a real process behind the gateway, with the real customers
// service on real MariaDB:
// - a lead conversion interrupted by a crash of the opportunities service at its honest crash
//   point (customers has created the customer; opportunities has not yet recorded the
//   conversion), then retried with the same request_id: one customer, one opportunity;
// - a customer merge in the customers service re-pointing the merged customer's opportunities
//   and converted leads to the survivor, through the customers feed;
// - a drain stopping each service's background jobs before its server;
// - two replicas running the scheduler at once, each follow-up fired once.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "libs/db/db.h"
#include "libs/grpc/status.h"
#include "libs/grpc/testing.h"
#include "tests/support/proxy.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

namespace cv1 = customers::v1;
namespace v1 = opportunities::v1;
using testing::Session;
using testing::Stack;

// Conditions another process reaches on its own (a server back up, an event applied) are
// waited for, never timed: polled until true or until this many tries, which only bounds a
// broken test.
constexpr int kTries = 300;
constexpr absl::Duration kPause = absl::Milliseconds(100);

// Calls `call` again while it answers UNAVAILABLE, as a client does while a server restarts.
template <typename Call>
absl::Status RetryWhileUnavailable(Call call) {
  absl::Status status;
  for (int i = 0; i < kTries; ++i) {
    status = call();
    if (!absl::IsUnavailable(status)) return status;
    absl::SleepFor(kPause);
  }
  return status;
}

class OpportunitiesE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    auto team = stack_->CreateTeam("商机测试组");
    ASSERT_TRUE(team.ok()) << team.status();
    ASSERT_TRUE(stack_->CreateUser("p.rep", auth::v1::SALES_REP, team->name()).ok());
    auto rep = stack_->Login("p.rep", Stack::kTestPassword);
    ASSERT_TRUE(rep.ok()) << rep.status();
    rep_ = *rep;
    auto admin = stack_->LoginAdmin();
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_ = *admin;
  }
  void TearDown() override {
    if (HasFailure() && stack_) std::cerr << stack_->Logs();
  }

  std::unique_ptr<v1::LeadService::Stub> Leads() {
    return v1::LeadService::NewStub(stack_->gateway());
  }
  std::unique_ptr<v1::OpportunityService::Stub> Opportunities() {
    return v1::OpportunityService::NewStub(stack_->gateway());
  }
  std::unique_ptr<cv1::CustomerService::Stub> Customers() {
    return cv1::CustomerService::NewStub(stack_->gateway());
  }

  absl::StatusOr<std::string> NewCustomer(const std::string& name) {
    cv1::CreateCustomerRequest request;
    request.mutable_customer()->set_display_name(name);
    request.mutable_customer()->set_kind(cv1::COMPANY);
    request.mutable_customer()->mutable_region()->set_country("CN");
    cv1::Customer out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(Customers()->CreateCustomer(rep_.Context().get(), request, &out)));
    return out.name();
  }

  absl::StatusOr<v1::Opportunity> NewOpportunity(const std::string& title,
                                                 const std::string& customer) {
    v1::CreateOpportunityRequest request;
    request.mutable_opportunity()->set_title(title);
    request.mutable_opportunity()->set_customer(customer);
    v1::Opportunity out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(Opportunities()->CreateOpportunity(rep_.Context().get(), request, &out)));
    return out;
  }

  absl::StatusOr<v1::Lead> NewLead(const std::string& company) {
    v1::CreateLeadRequest request;
    request.mutable_lead()->set_company(company);
    request.mutable_lead()->set_contact_name("王经理");
    request.mutable_lead()->add_phones("0571-8765 4321");
    request.mutable_lead()->set_source(v1::TRADE_SHOW);
    v1::Lead out;
    CRM_RETURN_IF_ERROR(FromGrpcStatus(Leads()->CreateLead(rep_.Context().get(), request, &out)));
    return out;
  }

  absl::StatusOr<v1::Lead> GetLead(const std::string& name) {
    v1::GetLeadRequest request;
    request.set_name(name);
    v1::Lead out;
    CRM_RETURN_IF_ERROR(FromGrpcStatus(Leads()->GetLead(rep_.Context().get(), request, &out)));
    return out;
  }

  absl::StatusOr<v1::Opportunity> GetOpportunity(const std::string& name) {
    v1::GetOpportunityRequest request;
    request.set_name(name);
    v1::Opportunity out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(Opportunities()->GetOpportunity(rep_.Context().get(), request, &out)));
    return out;
  }

  // The customers named `display_name`, as the admin sees them.
  absl::StatusOr<std::vector<std::string>> CustomersNamed(const std::string& display_name) {
    cv1::ListCustomersRequest request;
    request.set_filter(absl::StrCat("display_name = \"", display_name, "\""));
    cv1::ListCustomersResponse response;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(Customers()->ListCustomers(admin_.Context().get(), request, &response)));
    std::vector<std::string> names;
    for (const cv1::Customer& c : response.customers()) names.push_back(c.name());
    return names;
  }

  // The opportunities of `customer`, as the admin sees them.
  absl::StatusOr<std::vector<std::string>> OpportunitiesOf(const std::string& customer) {
    v1::ListOpportunitiesRequest request;
    request.set_filter(absl::StrCat("customer = \"", customer, "\""));
    v1::ListOpportunitiesResponse response;
    CRM_RETURN_IF_ERROR(FromGrpcStatus(
        Opportunities()->ListOpportunities(admin_.Context().get(), request, &response)));
    std::vector<std::string> names;
    for (const v1::Opportunity& o : response.opportunities()) names.push_back(o.name());
    return names;
  }

  std::unique_ptr<Stack> stack_;
  Session rep_;
  Session admin_;
};

TEST_F(OpportunitiesE2eTest, AConversionCutByACrashAndRetriedMakesOneCustomerAndOneOpportunity) {
  // The opportunities service reaches customers through a relay that can hold customers'
  // answers back: the crash can then come after customers created the customer and before
  // opportunities heard of it, the one point where a conversion could be left half done.
  auto relay = testing::TcpProxy::Start(stack_->process("customers").port);
  ASSERT_TRUE(relay.ok()) << relay.status();
  ASSERT_TRUE(stack_
                  ->Restart("opportunities",
                            {absl::StrCat("--customers_target=127.0.0.1:", (*relay)->port())})
                  .ok());
  // One call through the relay first, so the connection is up before answers are held.
  absl::StatusOr<std::string> known = NewCustomer("中转预热客户");
  ASSERT_TRUE(known.ok()) << known.status();
  absl::StatusOr<v1::Opportunity> warm_up = NewOpportunity("预热商机", *known);
  for (int i = 0; i < kTries && absl::IsUnavailable(warm_up.status()); ++i) {
    absl::SleepFor(kPause);  // the restarted server not yet reached through the gateway
    warm_up = NewOpportunity("预热商机", *known);
  }
  ASSERT_TRUE(warm_up.ok()) << warm_up.status();

  absl::StatusOr<v1::Lead> lead = NewLead("断点续转有限公司");
  ASSERT_TRUE(lead.ok()) << lead.status();
  v1::ConvertLeadRequest convert;
  convert.set_name(lead->name());
  convert.mutable_opportunity()->set_title("首批设备");
  convert.set_request_id("c0ffee00-0000-4000-8000-000000000001");

  (*relay)->HoldAnswers();
  absl::Status interrupted;
  std::thread first([&] {
    v1::ConvertLeadResponse response;
    auto ctx = testing::ContextWithToken(rep_.access_token);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    interrupted = FromGrpcStatus(Leads()->ConvertLead(ctx.get(), convert, &response));
  });
  // Customers has made the customer; its answer waits in the relay.
  absl::StatusOr<std::vector<std::string>> made = CustomersNamed("断点续转有限公司");
  for (int i = 0; i < kTries && made.ok() && made->empty(); ++i) {
    absl::SleepFor(kPause);
    made = CustomersNamed("断点续转有限公司");
  }
  ASSERT_TRUE(made.ok()) << made.status();
  ASSERT_EQ(made->size(), 1u);

  // The crash: SIGKILL, and the service comes back talking to customers directly.
  absl::Status restarted = stack_->Restart("opportunities");
  first.join();
  relay->reset();
  ASSERT_TRUE(restarted.ok()) << restarted;
  EXPECT_FALSE(interrupted.ok());
  absl::StatusOr<v1::Lead> after_crash = GetLead(lead->name());
  for (int i = 0; i < kTries && absl::IsUnavailable(after_crash.status()); ++i) {
    absl::SleepFor(kPause);
    after_crash = GetLead(lead->name());
  }
  ASSERT_TRUE(after_crash.ok()) << after_crash.status();
  EXPECT_NE(after_crash->status(), v1::CONVERTED);

  // The client retries the same request: customers replays the create, and the lead is
  // converted with the customer the first attempt made.
  v1::ConvertLeadResponse converted;
  absl::Status retried = RetryWhileUnavailable([&] {
    return FromGrpcStatus(Leads()->ConvertLead(rep_.Context().get(), convert, &converted));
  });
  ASSERT_TRUE(retried.ok()) << retried;
  EXPECT_EQ(converted.customer(), made->front());
  EXPECT_EQ(converted.lead().status(), v1::CONVERTED);
  EXPECT_EQ(converted.opportunity().customer(), made->front());

  absl::StatusOr<std::vector<std::string>> customers = CustomersNamed("断点续转有限公司");
  ASSERT_TRUE(customers.ok()) << customers.status();
  EXPECT_EQ(customers->size(), 1u);
  absl::StatusOr<std::vector<std::string>> opportunities = OpportunitiesOf(made->front());
  ASSERT_TRUE(opportunities.ok()) << opportunities.status();
  ASSERT_EQ(opportunities->size(), 1u);
  EXPECT_EQ(opportunities->front(), converted.opportunity().name());
  // Once more, as a client unsure of the answer would: the same result, nothing new.
  v1::ConvertLeadResponse again;
  ASSERT_TRUE(Leads()->ConvertLead(rep_.Context().get(), convert, &again).ok());
  EXPECT_EQ(again.opportunity().name(), converted.opportunity().name());
  opportunities = OpportunitiesOf(made->front());
  ASSERT_TRUE(opportunities.ok()) << opportunities.status();
  EXPECT_EQ(opportunities->size(), 1u);
}

TEST_F(OpportunitiesE2eTest, ACustomerMergeMovesTheMergedCustomersDealsToTheSurvivor) {
  absl::StatusOr<std::string> survivor = NewCustomer("东海存续贸易公司");
  absl::StatusOr<std::string> merged = NewCustomer("西山机械制造厂");
  ASSERT_TRUE(survivor.ok()) << survivor.status();
  ASSERT_TRUE(merged.ok()) << merged.status();
  absl::StatusOr<v1::Opportunity> on_survivor = NewOpportunity("存续方商机", *survivor);
  absl::StatusOr<v1::Opportunity> on_merged = NewOpportunity("并入方商机", *merged);
  ASSERT_TRUE(on_survivor.ok()) << on_survivor.status();
  ASSERT_TRUE(on_merged.ok()) << on_merged.status();
  // A lead converted by linking the customer that will be merged away.
  absl::StatusOr<v1::Lead> lead = NewLead("北岭线索软件");
  ASSERT_TRUE(lead.ok()) << lead.status();
  v1::ConvertLeadRequest convert;
  convert.set_name(lead->name());
  convert.set_customer(*merged);
  v1::ConvertLeadResponse converted;
  grpc::Status status = Leads()->ConvertLead(rep_.Context().get(), convert, &converted);
  ASSERT_TRUE(status.ok()) << status.error_message();

  cv1::MergeCustomersRequest merge;
  merge.set_survivor(*survivor);
  merge.add_merged(*merged);
  cv1::CustomerMerge done;
  status = Customers()->MergeCustomers(admin_.Context().get(), merge, &done);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // The opportunities service learns of it from the customers feed, in its own time.
  absl::StatusOr<v1::Opportunity> moved = GetOpportunity(on_merged->name());
  for (int i = 0; i < kTries && moved.ok() && moved->customer() != *survivor; ++i) {
    absl::SleepFor(kPause);
    moved = GetOpportunity(on_merged->name());
  }
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->customer(), *survivor);
  absl::StatusOr<v1::Lead> relinked = GetLead(lead->name());
  ASSERT_TRUE(relinked.ok()) << relinked.status();
  EXPECT_EQ(relinked->customer(), *survivor);
  absl::StatusOr<v1::Opportunity> untouched = GetOpportunity(on_survivor->name());
  ASSERT_TRUE(untouched.ok()) << untouched.status();
  EXPECT_EQ(untouched->customer(), *survivor);
  EXPECT_EQ(untouched->etag(), on_survivor->etag());

  absl::StatusOr<std::vector<std::string>> left = OpportunitiesOf(*merged);
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_TRUE(left->empty());
  absl::StatusOr<std::vector<std::string>> all = OpportunitiesOf(*survivor);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 2u);
}

// The background jobs are the process's (Process::Run): a drain stops them before the server
// stops, rather than leaving them running until main's locals are destroyed.
TEST_F(OpportunitiesE2eTest, ADrainStopsTheBackgroundJobsBeforeTheServer) {
  for (const auto& [service, jobs] :
       std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"opportunities", {"scheduler"}}, {"orders", {"relay", "escalator"}}}) {
    testing::ChildProcess& process = *stack_->process(service).process;
    process.Signal(SIGTERM);
    absl::StatusOr<int> exit_code = process.Wait(absl::Seconds(60));
    ASSERT_TRUE(exit_code.ok()) << service << ": " << exit_code.status();
    EXPECT_EQ(*exit_code, 0) << process.LogTail();
    const std::string log = process.LogTail(20000);
    const size_t stopped = log.rfind("\"msg\":\"stopped\"");
    ASSERT_NE(stopped, std::string::npos) << log;
    size_t previous = 0;
    for (const std::string& job : jobs) {  // in reverse start order
      const size_t at = log.find(absl::StrCat("\"msg\":\"background job stopped\",\"job\":\"", job, "\""));
      ASSERT_NE(at, std::string::npos) << service << " never stopped its " << job << ":\n" << log;
      EXPECT_LT(at, stopped) << service << "'s " << job;
      EXPECT_GE(at, previous) << service << "'s " << job;
      previous = at;
    }
  }
}

// Every replica runs the scheduler: two processes on one database, each running it every
// 100 ms, fire each follow-up once however many runs each makes (the lock in the database lets
// one work at a time; the unique key on the occurrence keeps it once even if two overlap).
TEST_F(OpportunitiesE2eTest, TwoSchedulerReplicasFireEachFollowUpOnce) {
  v1::CreateFollowUpRuleRequest rule;
  rule.mutable_rule()->set_display_name("过了预计成交日");
  rule.mutable_rule()->set_kind(v1::CLOSE_DATE_PASSED);
  rule.mutable_rule()->set_active(true);
  v1::FollowUpRule created_rule;
  ASSERT_TRUE(v1::FollowUpService::NewStub(stack_->gateway())
                  ->CreateFollowUpRule(admin_.Context().get(), rule, &created_rule)
                  .ok());
  absl::StatusOr<std::string> customer = NewCustomer("两个调度器有限公司");
  ASSERT_TRUE(customer.ok()) << customer.status();
  constexpr int kOverdue = 6;
  for (int i = 0; i < kOverdue; ++i) {
    v1::CreateOpportunityRequest request;
    request.mutable_opportunity()->set_title(absl::StrCat("逾期商机 ", i));
    request.mutable_opportunity()->set_customer(*customer);
    google::type::Date& date = *request.mutable_opportunity()->mutable_expected_close_date();
    date.set_year(2025);
    date.set_month(6);
    date.set_day(30);
    v1::Opportunity out;
    ASSERT_TRUE(Opportunities()->CreateOpportunity(rep_.Context().get(), request, &out).ok());
  }

  const std::vector<std::string> fast = {"--scheduler_interval=100ms"};
  ASSERT_TRUE(stack_->Restart("opportunities", fast).ok());
  absl::StatusOr<testing::ServerProcess> replica = stack_->StartReplica("opportunities", fast);
  ASSERT_TRUE(replica.ok()) << replica.status();

  // Runs of the scheduler a process has made (done, or skipped while the other held the lock).
  auto runs = [](int metrics_port) -> int64_t {
    absl::StatusOr<std::string> body = testing::ScrapeMetrics(metrics_port);
    if (!body.ok()) return -1;
    int64_t total = 0;
    for (const std::string& line :
         testing::SeriesOf(*body, "crm_opportunities_scheduler_runs_total")) {
      double value = 0;
      if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &value)) total += value;
    }
    return total;
  };
  // Both processes have been at it many times over, all of them after the deals existed.
  constexpr int64_t kRunsEach = 20;
  for (int i = 0; i < kTries; ++i) {
    if (runs(stack_->process("opportunities").metrics_port) >= kRunsEach &&
        runs(replica->metrics_port) >= kRunsEach) {
      break;
    }
    absl::SleepFor(kPause);
  }
  ASSERT_GE(runs(stack_->process("opportunities").metrics_port), kRunsEach);
  ASSERT_GE(runs(replica->metrics_port), kRunsEach);

  auto pool = db::Pool::Create(stack_->db("opportunities"), nullptr);
  ASSERT_TRUE(pool.ok()) << pool.status();
  auto session = (*pool)->Borrow();
  ASSERT_TRUE(session.ok()) << session.status();
  auto count = [&](const std::string& sql) -> int64_t {
    auto rows = (*session)->Query(sql, {});
    EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status();
    return rows.ok() ? (*rows)[0].Int(0) : -1;
  };
  EXPECT_EQ(count("SELECT COUNT(*) FROM follow_ups"), kOverdue);
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE event_type = "
                  "'crm.opportunities.v1.FollowUpDue'"),
            kOverdue);
}

}  // namespace
}  // namespace crm
