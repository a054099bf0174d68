// The analytics service as a real process behind the gateway, fed by the real customers and
// opportunities services' feeds on real MariaDB: deals won through the public API show up in
// the sales report (polled until the feeds have arrived, never timed), each role sees the
// figures it may (a rep's report is the admin's filtered to the rep, a manager's their team's,
// support none), and a deal reopened leaves the figures.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "crm/analytics/v1/analytics.grpc.pb.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "libs/grpc/status.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

namespace v1 = analytics::v1;
namespace cv1 = customers::v1;
namespace ov1 = opportunities::v1;
using testing::Session;
using testing::Stack;

// The feeds arrive in their own time: polled until the report shows them, at most this many
// tries (which only bounds a broken test).
constexpr int kTries = 300;
constexpr absl::Duration kPause = absl::Milliseconds(100);

// "key CUR units.cents deals" per row.
std::vector<std::string> Lines(const google::protobuf::RepeatedPtrField<v1::SalesRow>& rows) {
  std::vector<std::string> lines;
  for (const v1::SalesRow& row : rows) {
    lines.push_back(absl::StrCat(row.key(), " ", row.amount().currency_code(), " ",
                                 row.amount().units(), ".", row.amount().nanos() / 10000000, " ",
                                 row.won_deals()));
  }
  return lines;
}

class AnalyticsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    auto team = stack_->CreateTeam("报表测试组");
    ASSERT_TRUE(team.ok()) << team.status();
    auto manager = stack_->CreateUser("r.manager", auth::v1::SALES_MANAGER, team->name());
    ASSERT_TRUE(manager.ok()) << manager.status();
    ASSERT_TRUE(stack_->SetManager(*team, *manager).ok());
    auto rep = stack_->CreateUser("r.rep", auth::v1::SALES_REP, team->name());
    ASSERT_TRUE(rep.ok()) << rep.status();
    rep_name_ = rep->name();
    auto other_team = stack_->CreateTeam("另一报表组");
    ASSERT_TRUE(other_team.ok()) << other_team.status();
    auto other = stack_->CreateUser("r.other", auth::v1::SALES_REP, other_team->name());
    ASSERT_TRUE(other.ok()) << other.status();
    other_name_ = other->name();
    ASSERT_TRUE(stack_->CreateUser("r.support", auth::v1::SUPPORT).ok());
    for (const char* who : {"r.manager", "r.rep", "r.other", "r.support"}) {
      auto session = stack_->Login(who, Stack::kTestPassword);
      ASSERT_TRUE(session.ok()) << session.status();
      sessions_[who] = *session;
    }
    auto admin = stack_->LoginAdmin();
    ASSERT_TRUE(admin.ok()) << admin.status();
    sessions_["admin"] = *admin;
  }
  void TearDown() override {
    if (HasFailure() && stack_) std::cerr << stack_->Logs();
  }

  const Session& As(const std::string& who) { return sessions_.at(who); }

  absl::StatusOr<std::string> NewCustomer(const std::string& who, const std::string& name,
                                          const std::string& province) {
    cv1::CreateCustomerRequest request;
    cv1::Customer& c = *request.mutable_customer();
    c.set_display_name(name);
    c.set_kind(cv1::COMPANY);
    c.set_industry("制造业");
    c.mutable_region()->set_country("CN");
    c.mutable_region()->set_province(province);
    cv1::Customer out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(cv1::CustomerService::NewStub(stack_->gateway())
                           ->CreateCustomer(As(who).Context().get(), request, &out)));
    return out.name();
  }

  // Creates a deal on `customer` and closes it won for `units`.`cents` of `currency`.
  absl::StatusOr<ov1::Opportunity> WinDeal(const std::string& who, const std::string& customer,
                                           const std::string& currency, int64_t units,
                                           int cents = 0) {
    auto stub = ov1::OpportunityService::NewStub(stack_->gateway());
    ov1::CreateOpportunityRequest create;
    create.mutable_opportunity()->set_title(absl::StrCat("报表商机 ", units));
    create.mutable_opportunity()->set_customer(customer);
    ov1::Opportunity open;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(stub->CreateOpportunity(As(who).Context().get(), create, &open)));
    ov1::CloseWonRequest close;
    close.set_name(open.name());
    close.mutable_amount()->set_currency_code(currency);
    close.mutable_amount()->set_units(units);
    close.mutable_amount()->set_nanos(cents * 10000000);
    ov1::Opportunity won;
    CRM_RETURN_IF_ERROR(FromGrpcStatus(stub->CloseWon(As(who).Context().get(), close, &won)));
    return won;
  }

  // This year and the next two around it: whatever day the deals closed on is inside.
  absl::StatusOr<v1::SalesReport> Report(const std::string& who, v1::SalesGrouping group_by,
                                         const std::string& owner = "") {
    const int year = static_cast<int>(absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year());
    v1::GetSalesReportRequest request;
    request.mutable_start_date()->set_year(year - 1);
    request.mutable_start_date()->set_month(1);
    request.mutable_start_date()->set_day(1);
    request.mutable_end_date()->set_year(year + 1);
    request.mutable_end_date()->set_month(12);
    request.mutable_end_date()->set_day(31);
    request.set_group_by(group_by);
    request.set_owner(owner);
    v1::SalesReport out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(v1::ReportService::NewStub(stack_->gateway())
                           ->GetSalesReport(As(who).Context().get(), request, &out)));
    return out;
  }

  // The admin's report by owner (or `group_by`) once it shows `expected` (the feeds have
  // arrived: the customers feed may come after the opportunities feed).
  std::vector<std::string> WaitForOwners(const std::vector<std::string>& expected,
                                         v1::SalesGrouping group_by = v1::OWNER) {
    std::vector<std::string> seen;
    for (int i = 0; i < kTries; ++i) {
      absl::StatusOr<v1::SalesReport> report = Report("admin", group_by);
      if (report.ok()) seen = Lines(report->rows());
      if (seen == expected) break;
      absl::SleepFor(kPause);
    }
    return seen;
  }

  std::unique_ptr<Stack> stack_;
  std::map<std::string, Session> sessions_;
  std::string rep_name_;
  std::string other_name_;
};

TEST_F(AnalyticsE2eTest, DealsWonThroughTheApiAddUpInTheReportEachRoleSeesItsOwn) {
  absl::StatusOr<std::string> hangzhou = NewCustomer("r.rep", "杭州报表客户", "浙江");
  ASSERT_TRUE(hangzhou.ok()) << hangzhou.status();
  absl::StatusOr<std::string> nanjing = NewCustomer("r.other", "南京报表客户", "江苏");
  ASSERT_TRUE(nanjing.ok()) << nanjing.status();
  ASSERT_TRUE(WinDeal("r.rep", *hangzhou, "CNY", 12000).ok());
  absl::StatusOr<ov1::Opportunity> second = WinDeal("r.rep", *hangzhou, "CNY", 3000, 50);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_TRUE(WinDeal("r.other", *nanjing, "USD", 500).ok());

  const std::vector<std::string> everyone = {absl::StrCat(rep_name_, " CNY 15000.50 2"),
                                             absl::StrCat(other_name_, " USD 500.0 1")};
  const std::vector<std::string> ordered =
      rep_name_ < other_name_ ? everyone : std::vector<std::string>{everyone[1], everyone[0]};
  ASSERT_EQ(WaitForOwners(ordered), ordered);

  // By province: the customers' provinces, once the customers feed has arrived too.
  const std::vector<std::string> provinces = {"江苏 USD 500.0 1", "浙江 CNY 15000.50 2"};
  ASSERT_EQ(WaitForOwners(provinces, v1::PROVINCE), provinces);

  // The rep: exactly the admin's report filtered to the rep.
  for (v1::SalesGrouping g : {v1::OWNER, v1::MONTH, v1::PROVINCE}) {
    absl::StatusOr<v1::SalesReport> mine = Report("r.rep", g);
    absl::StatusOr<v1::SalesReport> filtered = Report("admin", g, rep_name_);
    ASSERT_TRUE(mine.ok() && filtered.ok()) << mine.status() << filtered.status();
    EXPECT_EQ(Lines(mine->rows()), Lines(filtered->rows())) << v1::SalesGrouping_Name(g);
    EXPECT_EQ(Lines(mine->totals()), Lines(filtered->totals()));
  }
  // The manager: their team's rep, not the other team's.
  absl::StatusOr<v1::SalesReport> team = Report("r.manager", v1::OWNER);
  ASSERT_TRUE(team.ok()) << team.status();
  EXPECT_EQ(Lines(team->rows()),
            (std::vector<std::string>{absl::StrCat(rep_name_, " CNY 15000.50 2")}));
  // Support reads no figures.
  EXPECT_EQ(Report("r.support", v1::OWNER).status().code(), absl::StatusCode::kPermissionDenied);

  // Reopened: the deal leaves the figures.
  ov1::ReopenRequest reopen;
  reopen.set_name(second->name());
  ov1::Opportunity reopened;
  ASSERT_TRUE(ov1::OpportunityService::NewStub(stack_->gateway())
                  ->Reopen(As("r.rep").Context().get(), reopen, &reopened)
                  .ok());
  const std::vector<std::string> after = {absl::StrCat(rep_name_, " CNY 12000.0 1"),
                                          absl::StrCat(other_name_, " USD 500.0 1")};
  const std::vector<std::string> after_ordered =
      rep_name_ < other_name_ ? after : std::vector<std::string>{after[1], after[0]};
  EXPECT_EQ(WaitForOwners(after_ordered), after_ordered);
}

// ---- p-an-perf: trends and customer distribution through the gateway ----

// The days around today (a day either side, so the company's calendar day is inside whatever
// the machine's zone), bucketed by month.
template <typename Request>
void AroundToday(Request& request) {
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  for (auto [date, day] : {std::pair{request.mutable_start_date(), today - 1},
                           std::pair{request.mutable_end_date(), today + 1}}) {
    date->set_year(static_cast<int>(day.year()));
    date->set_month(day.month());
    date->set_day(day.day());
  }
  request.set_bucket(v1::MONTH);
}

TEST_F(AnalyticsE2eTest, TrendsAndCustomerDistributionFollowTheApi) {
  absl::StatusOr<std::string> hangzhou = NewCustomer("r.rep", "杭州分布客户", "浙江");
  ASSERT_TRUE(hangzhou.ok()) << hangzhou.status();
  ASSERT_TRUE(NewCustomer("r.other", "南京分布客户", "江苏").ok());
  ASSERT_TRUE(WinDeal("r.rep", *hangzhou, "CNY", 12000).ok());
  auto reports = v1::ReportService::NewStub(stack_->gateway());
  auto distribution = [&](const std::string& who, const std::string& owner = "") {
    v1::GetCustomerDistributionRequest request;
    AroundToday(request);
    request.set_owner(owner);
    v1::CustomerDistribution out;
    grpc::Status status = reports->GetCustomerDistribution(As(who).Context().get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  };

  // Both customers, once the customers feed has arrived: one per province, both new now.
  v1::CustomerDistribution all;
  for (int i = 0; i < kTries && all.total_customers() != 2; ++i) {
    if (i > 0) absl::SleepFor(kPause);
    all = distribution("admin");
  }
  ASSERT_EQ(all.total_customers(), 2);
  ASSERT_EQ(all.by_province_size(), 2);
  EXPECT_EQ(all.by_province(0).key(), "江苏");
  EXPECT_EQ(all.by_province(1).key(), "浙江");
  ASSERT_EQ(all.by_industry_size(), 1);
  EXPECT_EQ(all.by_industry(0).customers(), 2);
  int64_t created = 0;
  for (const v1::NewCustomers& n : all.new_customers()) created += n.customers();
  EXPECT_EQ(created, 2);
  // The rep counts their own customer: the admin's count filtered to the rep.
  EXPECT_EQ(distribution("r.rep").SerializeAsString(),
            distribution("admin", rep_name_).SerializeAsString());
  EXPECT_EQ(distribution("r.rep").total_customers(), 1);

  // The trend: the rep's won deal in this month's bucket, nothing the month before.
  int64_t deals = 0;
  int64_t units = 0;
  for (int i = 0; i < kTries && deals != 1; ++i) {
    if (i > 0) absl::SleepFor(kPause);
    v1::GetTrendReportRequest request;
    AroundToday(request);
    request.set_currency_code("CNY");
    v1::TrendReport trend;
    ASSERT_TRUE(reports->GetTrendReport(As("r.manager").Context().get(), request, &trend).ok());
    deals = units = 0;
    for (const v1::TrendRow& row : trend.rows()) {
      deals += row.won_deals();
      units += row.amount().units();
      if (row.won_deals() == 1) {
        EXPECT_FALSE(row.has_amount_change_bp());  // nothing the bucket before
      }
    }
  }
  EXPECT_EQ(deals, 1);
  EXPECT_EQ(units, 12000);
}

}  // namespace
}  // namespace crm
