// The customer timeline and a campaign's effectiveness through the gateway, with real
// customers, opportunities, knowledge, orders and activities processes on real MariaDB: the
// activities service hears of opportunities and orders through their feeds (in its own time:
// polled, never timed). A rep's customer's timeline shows their call, the opportunity created
// and won and the order, newest first, and is NOT_FOUND to a rep of another team; a campaign's
// leads and opportunities, made in the opportunities service with its code, give the ROI
// computed by hand, and the analytics service's campaign report (fed by the activities and
// opportunities feeds) shows the same row for it; a rep's visit logged against a visit plan
// counts in the plan's execution.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "crm/activities/v1/activities.grpc.pb.h"
#include "crm/analytics/v1/analytics.grpc.pb.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "crm/knowledge/v1/knowledge.grpc.pb.h"
#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "crm/orders/v1/orders.grpc.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "libs/api/periods.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

namespace v1 = activities::v1;
namespace ov1 = opportunities::v1;
using testing::Session;
using testing::Stack;

constexpr absl::Duration kPatience = absl::Seconds(30);

common::v1::Money Yuan(int64_t units) {
  common::v1::Money m;
  m.set_currency_code("CNY");
  m.set_units(units);
  return m;
}

class TimelineCampaignE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();
    auto team = stack_->CreateTeam("时间线测试组");
    ASSERT_TRUE(team.ok()) << team.status();
    auto manager = stack_->CreateUser("t.manager", auth::v1::SALES_MANAGER, team->name());
    ASSERT_TRUE(manager.ok()) << manager.status();
    ASSERT_TRUE(stack_->SetManager(*team, *manager).ok());
    ASSERT_TRUE(stack_->CreateUser("t.rep", auth::v1::SALES_REP, team->name()).ok());
    auto other_team = stack_->CreateTeam("时间线另一组");
    ASSERT_TRUE(other_team.ok()) << other_team.status();
    ASSERT_TRUE(stack_->CreateUser("t.other", auth::v1::SALES_REP, other_team->name()).ok());
    ASSERT_TRUE(stack_->CreateUser("t.mkt", auth::v1::MARKETING).ok());
    sessions_ = new std::map<std::string, Session>();
    auto admin = stack_->LoginAdmin();
    ASSERT_TRUE(admin.ok()) << admin.status();
    (*sessions_)["admin"] = *admin;
    for (const char* name : {"t.manager", "t.rep", "t.other", "t.mkt"}) {
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

  static absl::StatusOr<std::string> NewCustomer(const std::string& name,
                                                 const std::string& industry = "",
                                                 const std::string& who = "t.rep") {
    auto stub = customers::v1::CustomerService::NewStub(stack_->gateway());
    customers::v1::CreateCustomerRequest request;
    request.mutable_customer()->set_display_name(name);
    request.mutable_customer()->set_kind(customers::v1::COMPANY);
    request.mutable_customer()->set_industry(industry);
    customers::v1::Customer out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(stub->CreateCustomer(As(who).Context().get(), request, &out)));
    return out.name();
  }

  // A campaign of `type` running from `start_hours` ago for two days, with the rep taking part.
  static v1::CreateCampaignRequest PlanRequest(const std::string& code, const std::string& title,
                                               v1::Campaign::Type type, int64_t budget_yuan,
                                               int start_hours = 0) {
    v1::CreateCampaignRequest create;
    v1::Campaign& c = *create.mutable_campaign();
    c.set_code(code);
    c.set_title(title);
    c.set_type(type);
    *c.mutable_start_time() = ToTimestamp(absl::Now() - absl::Hours(start_hours));
    *c.mutable_end_time() = ToTimestamp(absl::Now() + absl::Hours(48));
    c.add_participants(As("t.rep").user.name());
    *c.mutable_budget() = Yuan(budget_yuan);
    return create;
  }

  static absl::StatusOr<ov1::Opportunity> NewOpportunity(const std::string& customer,
                                                         const std::string& campaign,
                                                         int64_t yuan) {
    auto stub = ov1::OpportunityService::NewStub(stack_->gateway());
    ov1::CreateOpportunityRequest request;
    request.mutable_opportunity()->set_title("二十台打印机");
    request.mutable_opportunity()->set_customer(customer);
    request.mutable_opportunity()->set_campaign(campaign);
    *request.mutable_opportunity()->mutable_amount() = Yuan(yuan);
    ov1::Opportunity out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(stub->CreateOpportunity(As("t.rep").Context().get(), request, &out)));
    return out;
  }

  static absl::Status Win(const std::string& opportunity, int64_t yuan) {
    auto stub = ov1::OpportunityService::NewStub(stack_->gateway());
    ov1::CloseWonRequest request;
    request.set_name(opportunity);
    *request.mutable_amount() = Yuan(yuan);
    ov1::Opportunity out;
    return FromGrpcStatus(stub->CloseWon(As("t.rep").Context().get(), request, &out));
  }

  static absl::StatusOr<v1::CampaignEffectiveness> Effectiveness(const std::string& who,
                                                                 const std::string& campaign) {
    v1::GetCampaignEffectivenessRequest request;
    request.set_campaign(campaign);
    v1::CampaignEffectiveness out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(v1::CampaignService::NewStub(stack_->gateway())
                           ->GetCampaignEffectiveness(As(who).Context().get(), request, &out)));
    return out;
  }

  // The campaign report over the days around today (a day either side, so that the company's
  // calendar day is inside it whatever the machine's zone).
  static analytics::v1::GetCampaignReportRequest TodaysCampaigns() {
    analytics::v1::GetCampaignReportRequest request;
    const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
    *request.mutable_start_date() = api::ToDate(today - 1);
    *request.mutable_end_date() = api::ToDate(today + 1);
    return request;
  }

  // "opportunities won revenue" of a campaign's effectiveness or its analytics report row
  // (revenue: the first currency's units, 0 without).
  template <typename Figures>
  static std::string Brought(const Figures& f) {
    return absl::StrCat(f.opportunities(), " ", f.won_opportunities(), " ",
                        f.won_revenue_size() == 0 ? 0 : f.won_revenue(0).units());
  }

  static absl::StatusOr<v1::GetCustomerTimelineResponse> Timeline(const std::string& who,
                                                                  const std::string& customer) {
    auto stub = v1::TimelineService::NewStub(stack_->gateway());
    v1::GetCustomerTimelineRequest request;
    request.set_customer(customer);
    v1::GetCustomerTimelineResponse out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(stub->GetCustomerTimeline(As(who).Context().get(), request, &out)));
    return out;
  }

  static Stack* stack_;
  static std::map<std::string, Session>* sessions_;
};

Stack* TimelineCampaignE2eTest::stack_ = nullptr;
std::map<std::string, Session>* TimelineCampaignE2eTest::sessions_ = nullptr;

TEST_F(TimelineCampaignE2eTest, ACustomersTimelineShowsItsCallOpportunityAndOrderToItsSideOnly) {
  absl::StatusOr<std::string> customer = NewCustomer("时间线测试客户");
  ASSERT_TRUE(customer.ok()) << customer.status();
  auto activities = v1::ActivityService::NewStub(stack_->gateway());
  v1::CreateActivityRequest call;
  call.mutable_activity()->set_kind(v1::CALL);
  call.mutable_activity()->set_customer(*customer);
  *call.mutable_activity()->mutable_activity_time() = ToTimestamp(absl::Now() - absl::Hours(1));
  call.mutable_activity()->set_summary("客户询价二十台打印机。");
  v1::Activity logged;
  grpc::Status status = activities->CreateActivity(As("t.rep").Context().get(), call, &logged);
  ASSERT_TRUE(status.ok()) << status.error_message();

  absl::StatusOr<ov1::Opportunity> deal = NewOpportunity(*customer, "", 30000);
  ASSERT_TRUE(deal.ok()) << deal.status();
  ASSERT_TRUE(Win(deal->name(), 32000).ok());
  // An order for the customer, priced from the catalog.
  auto catalog = knowledge::v1::CatalogService::NewStub(stack_->gateway());
  knowledge::v1::CreateCategoryRequest category_request;
  category_request.mutable_category()->set_display_name("时间线类目");
  knowledge::v1::Category category;
  ASSERT_TRUE(
      catalog->CreateCategory(As("admin").Context().get(), category_request, &category).ok());
  knowledge::v1::CreateProductRequest product_request;
  product_request.mutable_product()->set_sku("E2E-TL");
  product_request.mutable_product()->set_display_name("时间线打印机");
  product_request.mutable_product()->set_category(category.name());
  product_request.mutable_product()->set_unit("台");
  knowledge::v1::Product product;
  ASSERT_TRUE(catalog->CreateProduct(As("admin").Context().get(), product_request, &product).ok());
  knowledge::v1::SetProductPriceRequest price;
  price.set_product(product.name());
  *price.mutable_price()->mutable_price() = Yuan(1600);
  *price.mutable_price()->mutable_effective_time() = ToTimestamp(absl::Now() - absl::Hours(48));
  knowledge::v1::ProductPrice priced;
  ASSERT_TRUE(catalog->SetProductPrice(As("admin").Context().get(), price, &priced).ok());
  auto orders = orders::v1::OrderService::NewStub(stack_->gateway());
  orders::v1::CreateOrderRequest order_request;
  order_request.mutable_order()->set_customer(*customer);
  order_request.mutable_order()->set_currency_code("CNY");
  orders::v1::OrderLine* line = order_request.mutable_order()->add_lines();
  line->set_product(product.name());
  line->set_quantity(20);
  orders::v1::Order order;
  status = orders->CreateOrder(As("t.rep").Context().get(), order_request, &order);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // The feeds bring the opportunity and the order in the activities service's own time.
  const std::set<v1::TimelineEntry::Kind> wanted = {
      v1::TimelineEntry::ACTIVITY, v1::TimelineEntry::OPPORTUNITY_CREATED,
      v1::TimelineEntry::OPPORTUNITY_WON, v1::TimelineEntry::ORDER_CREATED};
  absl::StatusOr<v1::GetCustomerTimelineResponse> timeline;
  std::set<v1::TimelineEntry::Kind> kinds;
  for (absl::Time deadline = absl::Now() + kPatience; absl::Now() < deadline;
       absl::SleepFor(absl::Milliseconds(100))) {
    timeline = Timeline("t.rep", *customer);
    ASSERT_TRUE(timeline.ok()) << timeline.status();
    kinds.clear();
    for (const v1::TimelineEntry& e : timeline->entries()) {
      if (wanted.contains(e.kind())) kinds.insert(e.kind());
    }
    if (kinds == wanted) break;
  }
  // (The order may have changed status too; those entries are not what this checks.)
  ASSERT_EQ(kinds, wanted);
  ASSERT_GE(timeline->entries_size(), 4);
  for (int i = 1; i < timeline->entries_size(); ++i) {
    EXPECT_GE(FromTimestamp(timeline->entries(i - 1).time()),
              FromTimestamp(timeline->entries(i).time()));
  }
  // The call an hour ago is the oldest; the won deal carries its final amount.
  EXPECT_EQ(timeline->entries(timeline->entries_size() - 1).resource(), logged.name());
  for (const v1::TimelineEntry& e : timeline->entries()) {
    if (e.kind() == v1::TimelineEntry::OPPORTUNITY_WON) {
      EXPECT_EQ(e.resource(), deal->name());
      EXPECT_EQ(e.amount().units(), 32000);
    }
    if (e.kind() == v1::TimelineEntry::ORDER_CREATED) {
      EXPECT_EQ(e.resource(), order.name());
      EXPECT_EQ(e.amount().units(), 32000);  // 20 × ¥1,600
    }
  }
  // The rep's manager sees it; a rep of another team does not, as if it did not exist.
  absl::StatusOr<v1::GetCustomerTimelineResponse> managers = Timeline("t.manager", *customer);
  ASSERT_TRUE(managers.ok()) << managers.status();
  EXPECT_EQ(managers->entries_size(), timeline->entries_size());
  absl::Status hidden = Timeline("t.other", *customer).status();
  EXPECT_EQ(hidden.code(), absl::StatusCode::kNotFound) << hidden;
  EXPECT_EQ(ErrorReason(hidden), "CUSTOMER_NOT_FOUND");
}

// By hand: two leads with the code, one converted with an opportunity (¥1,000, left open); a
// second opportunity with the code won at ¥2,000 (200,000 fen). Actual cost ¥800 (80,000 fen).
// ROI = (200,000 − 80,000) / 80,000 × 10,000 = 15,000 bp (150 %); cost per lead and per
// opportunity 80,000 / 2 = 40,000 fen (¥400).
TEST_F(TimelineCampaignE2eTest, ACampaignsRoiFromRealLeadsAndOpportunities) {
  auto campaigns = v1::CampaignService::NewStub(stack_->gateway());
  v1::CreateCampaignRequest create =
      PlanRequest("e2e-expo", "端到端展会", v1::Campaign::EXHIBITION, 1000);
  v1::Campaign campaign;
  // A rep may not plan one; marketing does.
  EXPECT_EQ(campaigns->CreateCampaign(As("t.rep").Context().get(), create, &campaign).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status status = campaigns->CreateCampaign(As("t.mkt").Context().get(), create, &campaign);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::CampaignStepRequest start;
  start.set_name(campaign.name());
  ASSERT_TRUE(campaigns->StartCampaign(As("t.mkt").Context().get(), start, &campaign).ok());

  auto leads = ov1::LeadService::NewStub(stack_->gateway());
  std::vector<std::string> lead_names;
  for (const char* company : {"展会客户甲", "展会客户乙"}) {
    ov1::CreateLeadRequest request;
    request.mutable_lead()->set_company(company);
    request.mutable_lead()->set_contact_name("李经理");
    request.mutable_lead()->set_source(ov1::TRADE_SHOW);
    request.mutable_lead()->set_campaign("e2e-expo");
    ov1::Lead lead;
    status = leads->CreateLead(As("t.rep").Context().get(), request, &lead);
    ASSERT_TRUE(status.ok()) << status.error_message();
    lead_names.push_back(lead.name());
  }
  ov1::ConvertLeadRequest convert;
  convert.set_name(lead_names[0]);
  convert.mutable_opportunity()->set_title("展会首单");
  *convert.mutable_opportunity()->mutable_amount() = Yuan(1000);
  convert.set_allow_duplicate(true);
  ov1::ConvertLeadResponse converted;
  status = leads->ConvertLead(As("t.rep").Context().get(), convert, &converted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(converted.opportunity().campaign(), "e2e-expo");
  absl::StatusOr<ov1::Opportunity> second = NewOpportunity(converted.customer(), "e2e-expo", 1500);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_TRUE(Win(second->name(), 2000).ok());

  v1::CloseCampaignRequest close;
  close.set_name(campaign.name());
  *close.mutable_actual_cost() = Yuan(800);
  close.set_actual_attendance(35);
  ASSERT_TRUE(campaigns->CloseCampaign(As("t.mkt").Context().get(), close, &campaign).ok());

  v1::GetCampaignEffectivenessRequest request;
  request.set_campaign(campaign.name());
  v1::CampaignEffectiveness e;
  for (absl::Time deadline = absl::Now() + kPatience; absl::Now() < deadline;
       absl::SleepFor(absl::Milliseconds(100))) {
    e.Clear();
    status = campaigns->GetCampaignEffectiveness(As("t.rep").Context().get(), request, &e);
    ASSERT_TRUE(status.ok()) << status.error_message();
    if (e.leads() == 2 && e.opportunities() == 2 && e.won_opportunities() == 1 &&
        e.new_customers() == 1) {
      break;
    }
  }
  EXPECT_EQ(e.leads(), 2);
  EXPECT_EQ(e.new_customers(), 1);
  EXPECT_EQ(e.opportunities(), 2);
  EXPECT_EQ(e.won_opportunities(), 1);
  ASSERT_EQ(e.won_revenue_size(), 1);
  EXPECT_EQ(e.won_revenue(0).units(), 2000);
  EXPECT_EQ(e.roi_basis_points(), 15000);
  EXPECT_EQ(e.cost_per_lead().units(), 400);
  EXPECT_EQ(e.cost_per_opportunity().units(), 400);
  EXPECT_EQ(e.actual_attendance(), 35);
  // A rep of another team takes no part: not found.
  EXPECT_EQ(
      campaigns->GetCampaignEffectiveness(As("t.other").Context().get(), request, &e).error_code(),
      grpc::StatusCode::NOT_FOUND);

  // The analytics report's row of the campaign is its effectiveness, once the analytics
  // service has both feeds (polled until the closing and the won deal have arrived).
  auto reports = analytics::v1::ReportService::NewStub(stack_->gateway());
  const analytics::v1::GetCampaignReportRequest report_request = TodaysCampaigns();
  analytics::v1::CampaignReport report;
  auto row = [&](const analytics::v1::CampaignReport& r) -> const analytics::v1::CampaignRow* {
    for (const analytics::v1::CampaignRow& x : r.rows()) {
      if (x.campaign() == campaign.name()) return &x;
    }
    return nullptr;
  };
  const analytics::v1::CampaignRow* mine = nullptr;
  for (absl::Time deadline = absl::Now() + kPatience; absl::Now() < deadline;
       absl::SleepFor(absl::Milliseconds(100))) {
    report.Clear();
    status = reports->GetCampaignReport(As("t.mkt").Context().get(), report_request, &report);
    ASSERT_TRUE(status.ok()) << status.error_message();
    mine = row(report);
    if (mine != nullptr && mine->state() == v1::Campaign::CLOSED && mine->leads() == 2 &&
        mine->opportunities() == 2 && mine->won_opportunities() == 1 &&
        mine->new_customers() == 1) {
      break;
    }
  }
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine->code(), "e2e-expo");
  EXPECT_EQ(mine->state(), e.state());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(mine->budget(), e.budget()));
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(mine->actual_cost(), e.actual_cost()));
  EXPECT_EQ(mine->leads(), e.leads());
  EXPECT_EQ(mine->new_customers(), e.new_customers());
  EXPECT_EQ(mine->opportunities(), e.opportunities());
  EXPECT_EQ(mine->won_opportunities(), e.won_opportunities());
  ASSERT_EQ(mine->won_revenue_size(), e.won_revenue_size());
  for (int i = 0; i < e.won_revenue_size(); ++i) {
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(mine->won_revenue(i), e.won_revenue(i)));
  }
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(mine->cost_per_lead(), e.cost_per_lead()));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(mine->cost_per_opportunity(),
                                                                 e.cost_per_opportunity()));
  ASSERT_TRUE(mine->has_roi_basis_points());
  EXPECT_EQ(mine->roi_basis_points(), e.roi_basis_points());
  // The rep taking part sees the row; the rep of another team does not.
  report.Clear();
  ASSERT_TRUE(
      reports->GetCampaignReport(As("t.rep").Context().get(), report_request, &report).ok());
  EXPECT_NE(row(report), nullptr);
  report.Clear();
  ASSERT_TRUE(
      reports->GetCampaignReport(As("t.other").Context().get(), report_request, &report).ok());
  EXPECT_EQ(row(report), nullptr);
}

// A won opportunity moved from one campaign's code to another's counts, with its revenue,
// under the new code only: in the activities service's effectiveness and in the analytics
// service's campaign report alike (each polled until the update has arrived).
TEST_F(TimelineCampaignE2eTest, AWonOpportunityMovedToAnotherCampaignCountsThereOnly) {
  auto campaigns = v1::CampaignService::NewStub(stack_->gateway());
  std::vector<std::string> names;
  for (const char* code : {"e2e-move-from", "e2e-move-to"}) {
    v1::Campaign c;
    grpc::Status status = campaigns->CreateCampaign(
        As("t.mkt").Context().get(),
        PlanRequest(code, "端到端改换活动", v1::Campaign::MARKET_PROMOTION, 100), &c);
    ASSERT_TRUE(status.ok()) << status.error_message();
    names.push_back(c.name());
  }
  absl::StatusOr<std::string> customer = NewCustomer("改换活动客户");
  ASSERT_TRUE(customer.ok()) << customer.status();
  absl::StatusOr<ov1::Opportunity> deal = NewOpportunity(*customer, "e2e-move-from", 300);
  ASSERT_TRUE(deal.ok()) << deal.status();
  ASSERT_TRUE(Win(deal->name(), 300).ok());
  ov1::UpdateOpportunityRequest update;
  update.mutable_opportunity()->set_name(deal->name());
  update.mutable_opportunity()->set_campaign("e2e-move-to");
  update.mutable_update_mask()->add_paths("campaign");
  ov1::Opportunity moved;
  grpc::Status status = ov1::OpportunityService::NewStub(stack_->gateway())
                            ->UpdateOpportunity(As("t.rep").Context().get(), update, &moved);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // "opportunities won revenue" of each campaign, from the activities service.
  auto effectiveness = [&]() -> std::vector<std::string> {
    std::vector<std::string> lines;
    for (const std::string& name : names) {
      absl::StatusOr<v1::CampaignEffectiveness> e = Effectiveness("t.mkt", name);
      if (!e.ok()) return {e.status().ToString()};
      lines.push_back(Brought(*e));
    }
    return lines;
  };
  const std::vector<std::string> expected = {"0 0 0", "1 1 300"};
  std::vector<std::string> seen;
  for (absl::Time deadline = absl::Now() + kPatience; absl::Now() < deadline;
       absl::SleepFor(absl::Milliseconds(100))) {
    seen = effectiveness();
    if (seen == expected) break;
  }
  EXPECT_EQ(seen, expected);

  // The same from the analytics service's report (today's campaigns).
  auto reports = analytics::v1::ReportService::NewStub(stack_->gateway());
  const analytics::v1::GetCampaignReportRequest report_request = TodaysCampaigns();
  auto report_lines = [&]() -> std::vector<std::string> {
    analytics::v1::CampaignReport report;
    grpc::Status got =
        reports->GetCampaignReport(As("t.mkt").Context().get(), report_request, &report);
    if (!got.ok()) return {got.error_message()};
    std::vector<std::string> lines;
    for (const std::string& name : names) {
      std::string line = "no row";
      for (const analytics::v1::CampaignRow& r : report.rows()) {
        if (r.campaign() != name) continue;
        line = Brought(r);
      }
      lines.push_back(line);
    }
    return lines;
  };
  for (absl::Time deadline = absl::Now() + kPatience; absl::Now() < deadline;
       absl::SleepFor(absl::Milliseconds(100))) {
    seen = report_lines();
    if (seen == expected) break;
  }
  EXPECT_EQ(seen, expected);
}

// A visit plan carried out: the manager plans visits to two of the rep's customers, the rep
// logs a visit to one and a call to the other against the plan, and the plan's effectiveness
// counts them at once (read time: no feed in between): 2 planned, 1 visited, 1 visit, 1 other.
TEST_F(TimelineCampaignE2eTest, ARepsVisitLoggedAgainstAVisitPlanCountsInItsExecution) {
  absl::StatusOr<std::string> visited = NewCustomer("拜访计划客户甲");
  ASSERT_TRUE(visited.ok()) << visited.status();
  absl::StatusOr<std::string> called = NewCustomer("拜访计划客户乙");
  ASSERT_TRUE(called.ok()) << called.status();
  auto campaigns = v1::CampaignService::NewStub(stack_->gateway());
  v1::CreateCampaignRequest create =
      PlanRequest("e2e-visits", "端到端拜访计划", v1::Campaign::CUSTOMER_VISIT_PLAN, 500, 1);
  create.mutable_campaign()->add_target_customers(*visited);
  create.mutable_campaign()->add_target_customers(*called);
  v1::Campaign plan;
  grpc::Status status = campaigns->CreateCampaign(As("t.manager").Context().get(), create, &plan);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::CampaignStepRequest start;
  start.set_name(plan.name());
  ASSERT_TRUE(campaigns->StartCampaign(As("t.manager").Context().get(), start, &plan).ok());

  auto activities = v1::ActivityService::NewStub(stack_->gateway());
  std::vector<std::string> logged;
  for (const auto& [customer, kind] :
       {std::pair{*visited, v1::VISIT}, std::pair{*called, v1::CALL}}) {
    v1::CreateActivityRequest request;
    request.mutable_activity()->set_kind(kind);
    request.mutable_activity()->set_customer(customer);
    *request.mutable_activity()->mutable_activity_time() =
        ToTimestamp(absl::Now() - absl::Minutes(10));
    request.mutable_activity()->set_summary("按拜访计划上门，客户想看样机。");
    request.mutable_activity()->set_campaign(plan.name());
    v1::Activity activity;
    status = activities->CreateActivity(As("t.rep").Context().get(), request, &activity);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(activity.campaign(), plan.name());
    logged.push_back(activity.name());
  }
  // Listed by the plan, newest first.
  v1::ListActivitiesRequest list;
  list.set_filter(absl::StrCat("campaign = \"", plan.name(), "\""));
  v1::ListActivitiesResponse listed;
  status = activities->ListActivities(As("t.rep").Context().get(), list, &listed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(listed.activities_size(), 2);

  absl::StatusOr<v1::CampaignEffectiveness> e = Effectiveness("t.rep", plan.name());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->planned_visits(), 2);
  EXPECT_EQ(e->visited_target_customers(), 1);
  EXPECT_EQ(e->visits(), 1);
  EXPECT_EQ(e->other_activities(), 1);
  EXPECT_EQ(e->unplanned_visited_customers(), 0);

  // Once the plan is cancelled it takes no more visits.
  ASSERT_TRUE(campaigns->CancelCampaign(As("t.manager").Context().get(), start, &plan).ok());
  v1::CreateActivityRequest late;
  late.mutable_activity()->set_kind(v1::VISIT);
  late.mutable_activity()->set_customer(*called);
  *late.mutable_activity()->mutable_activity_time() = ToTimestamp(absl::Now());
  late.mutable_activity()->set_summary("计划取消后的拜访。");
  late.mutable_activity()->set_campaign(plan.name());
  v1::Activity refused;
  status = activities->CreateActivity(As("t.rep").Context().get(), late, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
}

// A visit plan for the customers of an industry: the filter is checked by the customers
// service when it is set, and the customers the manager may see that match it when the plan
// starts become its targets, oldest first; another team's customer is not among them.
TEST_F(TimelineCampaignE2eTest, AVisitPlansCustomerFilterNamesItsTargetsWhenItStarts) {
  const std::string industry = "工业机器人集成";
  std::vector<std::string> expected;
  for (const char* company : {"机器人客户甲", "机器人客户乙"}) {
    absl::StatusOr<std::string> customer = NewCustomer(company, industry);
    ASSERT_TRUE(customer.ok()) << customer.status();
    expected.push_back(*customer);
  }
  ASSERT_TRUE(NewCustomer("别组的机器人客户", industry, "t.other").ok());
  ASSERT_TRUE(NewCustomer("别的行业客户", "食品加工").ok());

  auto campaigns = v1::CampaignService::NewStub(stack_->gateway());
  v1::CreateCampaignRequest create = PlanRequest("e2e-robot-visits", "机器人行业拜访计划",
                                                 v1::Campaign::CUSTOMER_VISIT_PLAN, 800, 1);
  v1::Campaign& c = *create.mutable_campaign();
  c.set_customer_filter("trade = \"" + industry + "\"");  // no such field
  v1::Campaign plan;
  grpc::Status status = campaigns->CreateCampaign(As("t.manager").Context().get(), create, &plan);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  std::vector<FieldViolation> violations = FieldViolations(FromGrpcStatus(status));
  ASSERT_EQ(violations.size(), 1u) << status.error_message();
  EXPECT_EQ(violations[0].field, "campaign.customer_filter");

  c.set_customer_filter("industry = \"" + industry + "\"");
  status = campaigns->CreateCampaign(As("t.manager").Context().get(), create, &plan);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(plan.target_customers_size(), 0);
  v1::CampaignStepRequest start;
  start.set_name(plan.name());
  status = campaigns->StartCampaign(As("t.manager").Context().get(), start, &plan);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(
      std::vector<std::string>(plan.target_customers().begin(), plan.target_customers().end()),
      expected);

  absl::StatusOr<v1::CampaignEffectiveness> e = Effectiveness("t.rep", plan.name());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->planned_visits(), 2);
}

}  // namespace
}  // namespace crm
