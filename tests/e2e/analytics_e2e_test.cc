// The analytics service as a real process behind the gateway, fed by the real customers and
// opportunities services' feeds on real MariaDB: deals won through the public API show up in
// the sales report (polled until the feeds have arrived, never timed), each role sees the
// figures it may (a rep's report is the admin's filtered to the rep, a manager's their team's,
// support none), a deal reopened leaves the figures, and the CSV export and the chart show
// the same report to each caller.
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

TEST_F(AnalyticsE2eTest, TheReportAsCsvAndAsAChartShowsWhatTheCallerMaySee) {
  absl::StatusOr<std::string> hangzhou = NewCustomer("r.rep", "杭州导出客户", "浙江");
  ASSERT_TRUE(hangzhou.ok()) << hangzhou.status();
  absl::StatusOr<std::string> nanjing = NewCustomer("r.other", "南京导出客户", "江苏");
  ASSERT_TRUE(nanjing.ok()) << nanjing.status();
  ASSERT_TRUE(WinDeal("r.rep", *hangzhou, "CNY", 8000, 25).ok());
  ASSERT_TRUE(WinDeal("r.other", *nanjing, "CNY", 100).ok());
  std::vector<std::string> both = {absl::StrCat(rep_name_, " CNY 8000.25 1"),
                                   absl::StrCat(other_name_, " CNY 100.0 1")};
  if (other_name_ < rep_name_) std::swap(both[0], both[1]);
  ASSERT_EQ(WaitForOwners(both), both);

  v1::ReportQuery query;
  v1::GetSalesReportRequest& sales = *query.mutable_sales();
  const int year = static_cast<int>(absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year());
  sales.mutable_start_date()->set_year(year - 1);
  sales.mutable_start_date()->set_month(1);
  sales.mutable_start_date()->set_day(1);
  sales.mutable_end_date()->set_year(year + 1);
  sales.mutable_end_date()->set_month(12);
  sales.mutable_end_date()->set_day(31);
  sales.set_group_by(v1::PROVINCE);
  auto stub = v1::ReportOutputService::NewStub(stack_->gateway());

  // The rep's CSV: their own province's sales only, then the total.
  auto export_as = [&](const std::string& who, const v1::ReportQuery& q, std::string* csv) {
    v1::ExportReportRequest request;
    *request.mutable_report() = q;
    auto context = As(who).Context();
    auto reader = stub->ExportReport(context.get(), request);
    v1::ExportReportResponse piece;
    while (reader->Read(&piece)) csv->append(piece.csv());
    return reader->Finish();
  };
  std::string csv;
  ASSERT_TRUE(export_as("r.rep", query, &csv).ok());
  EXPECT_EQ(csv,
            "kind,key,currency_code,amount,won_deals\r\n"
            "row,浙江,CNY,8000.25,1\r\n"
            "total,,CNY,8000.25,1\r\n");
  // The admin's has both; support's is refused as the report itself is.
  csv.clear();
  ASSERT_TRUE(export_as("admin", query, &csv).ok());
  EXPECT_EQ(csv,
            "kind,key,currency_code,amount,won_deals\r\n"
            "row,江苏,CNY,100.00,1\r\n"
            "row,浙江,CNY,8000.25,1\r\n"
            "total,,CNY,8100.25,2\r\n");
  csv.clear();
  EXPECT_EQ(export_as("r.support", query, &csv).error_code(), grpc::PERMISSION_DENIED);
  // A bad field of the inner report is named where it is in this request.
  v1::ReportQuery bad = query;
  bad.mutable_sales()->clear_start_date();
  grpc::Status refused = export_as("admin", bad, &csv);
  ASSERT_EQ(refused.error_code(), grpc::INVALID_ARGUMENT);
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolations(FromGrpcStatus(refused)))
    fields.push_back(v.field);
  EXPECT_EQ(fields, std::vector<std::string>{"report.sales.start_date"});

  // The rep's pie chart: an SVG document naming their province and not the other's.
  v1::RenderChartRequest render;
  *render.mutable_report() = query;
  render.set_kind(v1::PIE_CHART);
  v1::Chart chart;
  ASSERT_TRUE(stub->RenderChart(As("r.rep").Context().get(), render, &chart).ok());
  EXPECT_EQ(chart.content_type(), "image/svg+xml");
  EXPECT_TRUE(chart.svg().starts_with("<svg ")) << chart.svg();
  EXPECT_NE(chart.svg().find("浙江 8,000.25 (100.0%)"), std::string::npos) << chart.svg();
  EXPECT_EQ(chart.svg().find("江苏"), std::string::npos) << chart.svg();
}

// A deal moved through the default pipeline's stages and won through the API, and
// another lost with a reason, show up in the funnel and the win/loss report (polled until the
// opportunities feed has arrived); the rep's funnel is the admin's filtered to the rep.
TEST_F(AnalyticsE2eTest, ADealMovedThroughTheStagesAndWonShowsUpInTheFunnel) {
  absl::StatusOr<std::string> customer = NewCustomer("r.rep", "漏斗测试客户", "浙江");
  ASSERT_TRUE(customer.ok()) << customer.status();
  auto stub = ov1::OpportunityService::NewStub(stack_->gateway());
  ov1::ListPipelinesResponse pipelines;
  ASSERT_TRUE(ov1::PipelineService::NewStub(stack_->gateway())
                  ->ListPipelines(As("r.rep").Context().get(), {}, &pipelines)
                  .ok());
  const ov1::Pipeline* standard = nullptr;
  for (const ov1::Pipeline& p : pipelines.pipelines()) {
    if (p.is_default()) standard = &p;
  }
  ASSERT_NE(standard, nullptr);
  std::vector<std::string> open_stages;
  for (const ov1::Stage& s : standard->stages()) {
    if (s.type() == ov1::OPEN) open_stages.push_back(s.name());
  }
  ASSERT_GE(open_stages.size(), 2u);

  // Won: created in the first open stage, advanced to the second, closed won.
  ov1::CreateOpportunityRequest create;
  create.mutable_opportunity()->set_title("漏斗商机");
  create.mutable_opportunity()->set_customer(*customer);
  create.mutable_opportunity()->mutable_amount()->set_currency_code("CNY");
  create.mutable_opportunity()->mutable_amount()->set_units(6000);
  ov1::Opportunity won;
  ASSERT_TRUE(stub->CreateOpportunity(As("r.rep").Context().get(), create, &won).ok());
  ov1::AdvanceStageRequest advance;
  advance.set_name(won.name());
  advance.set_stage(open_stages[1]);
  ASSERT_TRUE(stub->AdvanceStage(As("r.rep").Context().get(), advance, &won).ok());
  ov1::CloseWonRequest close;
  close.set_name(won.name());
  ASSERT_TRUE(stub->CloseWon(As("r.rep").Context().get(), close, &won).ok());
  // Lost from the first stage, to a competitor.
  create.mutable_opportunity()->mutable_amount()->set_units(2000);
  ov1::Opportunity lost;
  ASSERT_TRUE(stub->CreateOpportunity(As("r.rep").Context().get(), create, &lost).ok());
  ov1::CloseLostRequest lose;
  lose.set_name(lost.name());
  lose.set_reason("预算不足");
  lose.set_lost_to("竞品B");
  ASSERT_TRUE(stub->CloseLost(As("r.rep").Context().get(), lose, &lost).ok());

  // Last year to next year: whatever day the deals entered their stages is inside.
  const int year = static_cast<int>(absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year());
  auto around = [&](google::type::Date* start, google::type::Date* end) {
    start->set_year(year - 1);
    start->set_month(1);
    start->set_day(1);
    end->set_year(year + 1);
    end->set_month(12);
    end->set_day(31);
  };
  auto funnel = [&](const std::string& who, const std::string& owner) {
    v1::GetFunnelReportRequest request;
    around(request.mutable_start_date(), request.mutable_end_date());
    request.set_owner(owner);
    v1::FunnelReport out;
    absl::Status status =
        FromGrpcStatus(v1::ReportService::NewStub(stack_->gateway())
                           ->GetFunnelReport(As(who).Context().get(), request, &out));
    return status.ok() ? absl::StatusOr<v1::FunnelReport>(out) : status;
  };
  // Steps: LEADS, QUALIFIED_LEADS, the open stages, WON; polled until the loss has arrived.
  absl::StatusOr<v1::FunnelReport> report;
  for (int i = 0; i < kTries; ++i) {
    report = funnel("admin", rep_name_);
    if (report.ok() && report->steps_size() > 2 && report->steps(2).left_count() == 2) break;
    absl::SleepFor(kPause);
  }
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->pipeline(), standard->name());
  // The seeded default pipeline is announced on the feed when the opportunities service
  // starts, so every open stage is a step, in the pipeline's order and by its display name,
  // also those no deal entered: the leads' two steps, the open stages, and won.
  const int steps_expected = 2 + static_cast<int>(open_stages.size()) + 1;
  ASSERT_EQ(report->steps_size(), steps_expected);
  for (size_t i = 0; i < open_stages.size(); ++i) {
    const v1::FunnelStep& step = report->steps(2 + static_cast<int>(i));
    EXPECT_EQ(step.stage(), open_stages[i]);
    for (const ov1::Stage& s : standard->stages()) {
      if (s.name() == open_stages[i]) {
        EXPECT_EQ(step.display_name(), s.display_name());
      }
    }
    if (i >= 2) {
      EXPECT_EQ(step.entries(), 0) << step.stage();
    }
  }
  const v1::FunnelStep& first = report->steps(2);
  EXPECT_EQ(first.stage(), open_stages[0]);
  EXPECT_EQ(first.entries(), 2);
  EXPECT_EQ(first.advanced(), 1);  // the won deal moved on; the lost one did not
  EXPECT_EQ(first.conversion_bp(), 5000);
  ASSERT_EQ(first.amounts_size(), 1);
  EXPECT_EQ(first.amounts(0).units(), 8000);
  const v1::FunnelStep& second = report->steps(3);
  EXPECT_EQ(second.stage(), open_stages[1]);
  EXPECT_EQ(second.entries(), 1);
  EXPECT_EQ(second.advanced(), 1);
  const v1::FunnelStep& last = report->steps(steps_expected - 1);
  EXPECT_EQ(last.kind(), v1::WON);
  EXPECT_EQ(last.entries(), 1);
  absl::StatusOr<v1::FunnelReport> mine = funnel("r.rep", "");
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(mine->SerializeAsString(), report->SerializeAsString());
  // The rep's funnel drawn as a funnel chart: a step per row, the won step labelled in Chinese.
  v1::RenderChartRequest render;
  around(render.mutable_report()->mutable_funnel()->mutable_start_date(),
         render.mutable_report()->mutable_funnel()->mutable_end_date());
  v1::Chart chart;
  ASSERT_TRUE(v1::ReportOutputService::NewStub(stack_->gateway())
                  ->RenderChart(As("r.rep").Context().get(), render, &chart)
                  .ok());
  size_t steps = 0;
  for (size_t at = chart.svg().find("class=\"step\""); at != std::string::npos;
       at = chart.svg().find("class=\"step\"", at + 1)) {
    ++steps;
  }
  EXPECT_EQ(steps, static_cast<size_t>(steps_expected)) << chart.svg();
  EXPECT_NE(chart.svg().find(">赢单<"), std::string::npos) << chart.svg();

  v1::GetWinLossReportRequest request;
  around(request.mutable_start_date(), request.mutable_end_date());
  v1::WinLossReport winloss;
  ASSERT_TRUE(v1::ReportService::NewStub(stack_->gateway())
                  ->GetWinLossReport(As("r.rep").Context().get(), request, &winloss)
                  .ok());
  ASSERT_EQ(winloss.by_reason_size(), 1);
  EXPECT_EQ(winloss.by_reason(0).key(), "预算不足");
  ASSERT_EQ(winloss.by_competitor_size(), 1);
  EXPECT_EQ(winloss.by_competitor(0).key(), "竞品B");
  EXPECT_EQ(winloss.total().won(), 1);
  EXPECT_EQ(winloss.total().lost(), 1);
  EXPECT_EQ(winloss.total().win_rate_bp(), 5000);
}

// ---- trends and customer distribution through the gateway ----

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

// The staff ranking through the gateway. The rep's rank is among their own team,
// which the analytics service reads from the real auth service as itself (its policy row).
TEST_F(AnalyticsE2eTest, TheStaffRankingRanksEachRoleItsPeople) {
  absl::StatusOr<std::string> hangzhou = NewCustomer("r.rep", "杭州排名客户", "浙江");
  ASSERT_TRUE(hangzhou.ok()) << hangzhou.status();
  absl::StatusOr<std::string> nanjing = NewCustomer("r.other", "南京排名客户", "江苏");
  ASSERT_TRUE(nanjing.ok()) << nanjing.status();
  ASSERT_TRUE(WinDeal("r.rep", *hangzhou, "CNY", 12000).ok());
  ASSERT_TRUE(WinDeal("r.other", *nanjing, "CNY", 500).ok());
  auto reports = v1::ReportService::NewStub(stack_->gateway());
  const int year = static_cast<int>(absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year());
  auto ranking = [&](const std::string& who, const std::string& team = "") {
    v1::GetStaffRankingRequest request;
    request.mutable_start_date()->set_year(year - 1);
    request.mutable_start_date()->set_month(1);
    request.mutable_start_date()->set_day(1);
    request.mutable_end_date()->set_year(year + 1);
    request.mutable_end_date()->set_month(12);
    request.mutable_end_date()->set_day(31);
    request.set_currency_code("CNY");
    request.set_team(team);
    v1::StaffRanking out;
    absl::Status status =
        FromGrpcStatus(reports->GetStaffRanking(As(who).Context().get(), request, &out));
    return status.ok() ? absl::StatusOr<v1::StaffRanking>(out) : status;
  };
  auto places = [](const v1::StaffRanking& r) {
    std::vector<std::string> out;
    for (const v1::StaffRankingRow& row : r.rows()) {
      out.push_back(absl::StrCat(row.rank(), " ", row.owner(), " ", row.revenue().units(), " ",
                                 row.won_deals()));
    }
    return out;
  };

  // The admin: both reps once the deals have arrived, by revenue.
  const std::vector<std::string> everyone = {absl::StrCat("1 ", rep_name_, " 12000 1"),
                                             absl::StrCat("2 ", other_name_, " 500 1")};
  std::vector<std::string> seen;
  for (int i = 0; i < kTries && seen != everyone; ++i) {
    if (i > 0) absl::SleepFor(kPause);
    absl::StatusOr<v1::StaffRanking> all = ranking("admin");
    ASSERT_TRUE(all.ok()) << all.status();
    seen = places(*all);
  }
  ASSERT_EQ(seen, everyone);

  // The rep: their own row only, ranked among their team (the manager and the rep), equal to
  // the admin's row for them in that team's ranking.
  absl::StatusOr<v1::StaffRanking> mine = ranking("r.rep");
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(places(*mine), (std::vector<std::string>{absl::StrCat("1 ", rep_name_, " 12000 1")}));
  EXPECT_EQ(mine->ranked(), 2);
  absl::StatusOr<v1::StaffRanking> other = ranking("r.other");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(places(*other), (std::vector<std::string>{absl::StrCat("1 ", other_name_, " 500 1")}));
  EXPECT_EQ(other->ranked(), 1);

  // The manager: themself (no figures) and their rep, not the other team's.
  absl::StatusOr<v1::StaffRanking> team = ranking("r.manager");
  ASSERT_TRUE(team.ok()) << team.status();
  ASSERT_EQ(team->rows_size(), 2);
  EXPECT_EQ(team->rows(0).owner(), rep_name_);
  EXPECT_EQ(team->rows(0).SerializeAsString(), mine->rows(0).SerializeAsString());
  EXPECT_EQ(team->rows(1).rank(), 2);
  EXPECT_EQ(team->rows(1).revenue().units(), 0);
  // Support reads no ranking.
  EXPECT_EQ(ranking("r.support").status().code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace crm
