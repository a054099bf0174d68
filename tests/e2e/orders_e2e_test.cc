// The orders service as a real process behind the gateway, with real knowledge and customers
// processes on real MariaDB: a rep's order priced from the catalog's price history (orders
// asks knowledge as its own service identity), totals in two currencies, the price kept after
// the catalog changes, the manager's approval through the gateway, who may see what, and an
// order made from a won opportunity of the real opportunities service (asked with the user's
// token, so its record rules decide), an unanswered approval escalated once by two replicas'
// schedulers, every inventory and finance effect in the reference system's ledger once
// through 30 % failures and a relay killed mid-run, and the people concerned hearing of it
// in their activities inbox through the orders feed (the owner, their manager and support).
#include <gtest/gtest.h>
#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/synchronization/notification.h"
#include "crm/activities/v1/activities.grpc.pb.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "crm/knowledge/v1/knowledge.grpc.pb.h"
#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "crm/orders/v1/orders.grpc.pb.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "libs/grpc/testing.h"
#include "tests/support/stack.h"
#include "tools/refsystem/ledger.h"

namespace crm {
namespace {

namespace v1 = orders::v1;
namespace kv1 = knowledge::v1;
namespace ov1 = opportunities::v1;
using testing::Session;
using testing::Stack;

common::v1::Money Price(const std::string& currency, int64_t units, int32_t nanos = 0) {
  common::v1::Money m;
  m.set_currency_code(currency);
  m.set_units(units);
  m.set_nanos(nanos);
  return m;
}

// Minor units of a CNY or USD amount (two decimals).
int64_t Cents(const common::v1::Money& m) { return m.units() * 100 + m.nanos() / 10'000'000; }

class OrdersE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();
    auto team = stack_->CreateTeam("订单测试组");
    ASSERT_TRUE(team.ok()) << team.status();
    auto manager = stack_->CreateUser("o.manager", auth::v1::SALES_MANAGER, team->name());
    ASSERT_TRUE(manager.ok()) << manager.status();
    ASSERT_TRUE(stack_->SetManager(*team, *manager).ok());
    ASSERT_TRUE(stack_->CreateUser("o.rep", auth::v1::SALES_REP, team->name()).ok());
    ASSERT_TRUE(stack_->CreateUser("o.other", auth::v1::SALES_REP).ok());
    ASSERT_TRUE(stack_->CreateUser("o.support", auth::v1::SUPPORT).ok());
    // Another team's manager, who hears nothing of this team's orders.
    auto other_team = stack_->CreateTeam("订单测试二组");
    ASSERT_TRUE(other_team.ok()) << other_team.status();
    auto other_manager =
        stack_->CreateUser("o.manager2", auth::v1::SALES_MANAGER, other_team->name());
    ASSERT_TRUE(other_manager.ok()) << other_manager.status();
    ASSERT_TRUE(stack_->SetManager(*other_team, *other_manager).ok());
    sessions_ = new std::map<std::string, Session>();
    auto admin = stack_->LoginAdmin();
    ASSERT_TRUE(admin.ok()) << admin.status();
    (*sessions_)["admin"] = *admin;
    for (const char* name : {"o.manager", "o.rep", "o.other", "o.support", "o.manager2"}) {
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
  static std::unique_ptr<v1::OrderService::Stub> Orders() {
    return v1::OrderService::NewStub(stack_->gateway());
  }

  // A product with a CNY and a USD price from a month ago, as the admin.
  static absl::StatusOr<std::string> NewProduct(const std::string& sku, int64_t yuan_cents,
                                                int64_t usd_cents) {
    auto catalog = kv1::CatalogService::NewStub(stack_->gateway());
    kv1::CreateCategoryRequest category_request;
    category_request.mutable_category()->set_display_name("类目 " + sku);
    kv1::Category category;
    CRM_RETURN_IF_ERROR(FromGrpcStatus(
        catalog->CreateCategory(As("admin").Context().get(), category_request, &category)));
    kv1::CreateProductRequest product_request;
    product_request.mutable_product()->set_sku(sku);
    product_request.mutable_product()->set_display_name("产品 " + sku);
    product_request.mutable_product()->set_category(category.name());
    product_request.mutable_product()->set_unit("台");
    kv1::Product product;
    CRM_RETURN_IF_ERROR(FromGrpcStatus(
        catalog->CreateProduct(As("admin").Context().get(), product_request, &product)));
    for (const common::v1::Money& price :
         {Price("CNY", yuan_cents / 100, static_cast<int32_t>(yuan_cents % 100) * 10'000'000),
          Price("USD", usd_cents / 100, static_cast<int32_t>(usd_cents % 100) * 10'000'000)}) {
      CRM_RETURN_IF_ERROR(SetPrice(product.name(), price, absl::Now() - absl::Hours(24 * 30)));
    }
    return product.name();
  }

  static absl::Status SetPrice(const std::string& product, const common::v1::Money& price,
                               absl::Time effective) {
    auto catalog = kv1::CatalogService::NewStub(stack_->gateway());
    kv1::SetProductPriceRequest request;
    request.set_product(product);
    *request.mutable_price()->mutable_price() = price;
    *request.mutable_price()->mutable_effective_time() = ToTimestamp(effective);
    kv1::ProductPrice out;
    return FromGrpcStatus(catalog->SetProductPrice(As("admin").Context().get(), request, &out));
  }

  // A customer of o.rep's.
  static absl::StatusOr<std::string> NewCustomer(const std::string& name) {
    auto customers = customers::v1::CustomerService::NewStub(stack_->gateway());
    customers::v1::CreateCustomerRequest request;
    customers::v1::Customer* c = request.mutable_customer();
    c->set_display_name(name);
    c->set_kind(customers::v1::COMPANY);
    c->set_industry("制造业");
    c->mutable_region()->set_country("CN");
    c->mutable_region()->set_province("浙江");
    c->mutable_region()->set_city("杭州");
    c->add_phones("0571-8888 6666");
    customers::v1::Customer out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(customers->CreateCustomer(As("o.rep").Context().get(), request, &out)));
    return out.name();
  }

  static absl::StatusOr<v1::Order> CreateOrder(const std::string& who, const std::string& customer,
                                               const std::string& currency,
                                               std::vector<v1::OrderLine> lines) {
    v1::CreateOrderRequest request;
    request.mutable_order()->set_customer(customer);
    request.mutable_order()->set_currency_code(currency);
    for (v1::OrderLine& line : lines) *request.mutable_order()->add_lines() = std::move(line);
    v1::Order order;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(Orders()->CreateOrder(As(who).Context().get(), request, &order)));
    return order;
  }

  static absl::StatusOr<v1::Order> GetOrder(const std::string& who, const std::string& name) {
    v1::GetOrderRequest request;
    request.set_name(name);
    request.set_view(v1::FULL);
    v1::Order order;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(Orders()->GetOrder(As(who).Context().get(), request, &order)));
    return order;
  }

  static absl::StatusOr<v1::Order> CreateOrderFrom(const std::string& who,
                                                   const std::string& opportunity) {
    v1::CreateOrderRequest request;
    request.mutable_order()->set_opportunity(opportunity);
    request.mutable_order()->set_currency_code("CNY");
    v1::Order order;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(Orders()->CreateOrder(As(who).Context().get(), request, &order)));
    return order;
  }

  // `who`'s notifications about `resource`, once there are at least `wanted` of them: the
  // activities service hears of orders through the orders feed in its own time (polled, never
  // timed).
  static absl::StatusOr<std::vector<activities::v1::Notification>> Notified(
      const std::string& who, const std::string& resource, int wanted) {
    auto inbox = activities::v1::NotificationService::NewStub(stack_->gateway());
    std::vector<activities::v1::Notification> found;
    for (absl::Time deadline = absl::Now() + absl::Seconds(30);;) {
      activities::v1::ListNotificationsResponse page;
      CRM_RETURN_IF_ERROR(FromGrpcStatus(
          inbox->ListNotifications(As(who).Context().get(), {}, &page)));
      found.clear();
      for (const auto& n : page.notifications()) {
        if (n.resource() == resource) found.push_back(n);
      }
      if (static_cast<int>(found.size()) >= wanted || absl::Now() > deadline) return found;
      absl::SleepFor(absl::Milliseconds(100));
    }
  }

  static v1::OrderLine Line(const std::string& product, int64_t quantity,
                            const std::string& discount) {
    v1::OrderLine line;
    line.set_product(product);
    line.set_quantity(quantity);
    line.set_discount_percent(discount);
    return line;
  }

  static Stack* stack_;
  static std::map<std::string, Session>* sessions_;
};

Stack* OrdersE2eTest::stack_ = nullptr;
std::map<std::string, Session>* OrdersE2eTest::sessions_ = nullptr;

TEST_F(OrdersE2eTest, PricedFromTheCatalogKeptAfterItChangesAndApprovedByTheManager) {
  absl::StatusOr<std::string> printer = NewProduct("E2E-PRN", 199900, 29900);  // ¥1999, $299
  absl::StatusOr<std::string> toner = NewProduct("E2E-TNR", 9950, 1525);       // ¥99.50, $15.25
  ASSERT_TRUE(printer.ok()) << printer.status();
  ASSERT_TRUE(toner.ok()) << toner.status();
  absl::StatusOr<std::string> customer = NewCustomer("杭州订单测试有限公司");
  ASSERT_TRUE(customer.ok()) << customer.status();

  // CNY: 3 × ¥1999.00 at 12.5 % = 599700 fen × 0.875 = 524737.5 → 524738 (a tie goes to the
  // even neighbour); 7 × ¥99.50 = 69650 fen.
  absl::StatusOr<v1::Order> cny =
      CreateOrder("o.rep", *customer, "CNY", {Line(*printer, 3, "12.5"), Line(*toner, 7, "")});
  ASSERT_TRUE(cny.ok()) << cny.status();
  EXPECT_EQ(cny->owner(), As("o.rep").user.name());
  EXPECT_EQ(cny->customer_display_name(), "杭州订单测试有限公司");
  ASSERT_EQ(cny->lines_size(), 2);
  EXPECT_EQ(cny->lines(0).sku(), "E2E-PRN");
  EXPECT_EQ(Cents(cny->lines(0).unit_price()), 199900);
  EXPECT_EQ(Cents(cny->lines(0).line_total()), 524738);
  EXPECT_EQ(Cents(cny->lines(1).line_total()), 69650);
  EXPECT_EQ(Cents(cny->total()), 524738 + 69650);

  // USD: 2 × 15.25 at 33.33 % = 3050 × 0.6667 = 2033.435 → 2033; 1 × 299 at 0.5 % =
  // 29750.5 → 29750 (tie to even).
  absl::StatusOr<v1::Order> usd =
      CreateOrder("o.rep", *customer, "USD", {Line(*toner, 2, "33.33"), Line(*printer, 1, "0.5")});
  ASSERT_TRUE(usd.ok()) << usd.status();
  EXPECT_EQ(Cents(usd->lines(0).line_total()), 2033);
  EXPECT_EQ(Cents(usd->lines(1).line_total()), 29750);
  EXPECT_EQ(Cents(usd->total()), 2033 + 29750);
  EXPECT_EQ(usd->total().currency_code(), "USD");

  // The catalog's price goes up; the order keeps its own.
  ASSERT_TRUE(SetPrice(*printer, Price("CNY", 2499), absl::Now()).ok());
  absl::StatusOr<v1::Order> read = GetOrder("o.rep", cny->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(Cents(read->lines(0).unit_price()), 199900);
  EXPECT_EQ(Cents(read->total()), 524738 + 69650);

  // A rule sends discounts above 10 % to the manager; the rep's submission waits for them.
  auto rules = v1::ApprovalRuleService::NewStub(stack_->gateway());
  v1::CreateApprovalRuleRequest rule_request;
  rule_request.mutable_rule()->set_display_name("discounts above 10%");
  rule_request.mutable_rule()->set_discount_percent_above("10");
  rule_request.mutable_rule()->set_approver_role(auth::v1::SALES_MANAGER);
  v1::ApprovalRule rule;
  ASSERT_TRUE(rules->CreateApprovalRule(As("admin").Context().get(), rule_request, &rule).ok());
  v1::SubmitOrderRequest submit;
  submit.set_name(cny->name());
  v1::Order submitted;
  grpc::Status status = Orders()->SubmitOrder(As("o.rep").Context().get(), submit, &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(submitted.status(), v1::PENDING_APPROVAL);
  EXPECT_EQ(submitted.approval().approver(), As("o.manager").user.name());

  v1::ListPendingApprovalsResponse queue;
  ASSERT_TRUE(Orders()->ListPendingApprovals(As("o.manager").Context().get(), {}, &queue).ok());
  ASSERT_EQ(queue.orders_size(), 1);
  EXPECT_EQ(queue.orders(0).name(), cny->name());

  v1::ApproveOrderRequest approve;
  approve.set_name(cny->name());
  approve.set_comment("同意");
  v1::Order approved;
  EXPECT_EQ(Orders()->ApproveOrder(As("o.rep").Context().get(), approve, &approved).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  status = Orders()->ApproveOrder(As("o.manager").Context().get(), approve, &approved);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(approved.status(), v1::APPROVED);
}

TEST_F(OrdersE2eTest, WhoSeesWhichOrderThroughTheGateway) {
  absl::StatusOr<std::string> product = NewProduct("E2E-PERM", 1000, 200);
  ASSERT_TRUE(product.ok()) << product.status();
  absl::StatusOr<std::string> customer = NewCustomer("权限测试客户");
  ASSERT_TRUE(customer.ok()) << customer.status();
  absl::StatusOr<v1::Order> order = CreateOrder("o.rep", *customer, "CNY", {Line(*product, 1, "")});
  ASSERT_TRUE(order.ok()) << order.status();

  EXPECT_TRUE(GetOrder("o.manager", order->name()).ok());
  EXPECT_TRUE(GetOrder("o.support", order->name()).ok());
  EXPECT_TRUE(GetOrder("admin", order->name()).ok());
  EXPECT_EQ(GetOrder("o.other", order->name()).status().code(), absl::StatusCode::kNotFound);
  // Another rep cannot order for a customer they cannot see.
  EXPECT_EQ(CreateOrder("o.other", *customer, "CNY", {Line(*product, 1, "")}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Without a token, nothing.
  v1::GetOrderRequest request;
  request.set_name(order->name());
  v1::Order out;
  EXPECT_EQ(Orders()->GetOrder(testing::ContextWithToken("").get(), request, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(OrdersE2eTest, AWonOpportunityBecomesAnOrderWithItsCustomerOwnerAndProducts) {
  absl::StatusOr<std::string> product = NewProduct("E2E-OPP", 50000, 7000);  // ¥500
  ASSERT_TRUE(product.ok()) << product.status();
  absl::StatusOr<std::string> customer = NewCustomer("商机转订单客户");
  ASSERT_TRUE(customer.ok()) << customer.status();

  // The rep's opportunity, with the product of interest, still open.
  auto opportunities = ov1::OpportunityService::NewStub(stack_->gateway());
  ov1::CreateOpportunityRequest create;
  create.mutable_opportunity()->set_title("三台打印机");
  create.mutable_opportunity()->set_customer(*customer);
  *create.mutable_opportunity()->mutable_amount() = Price("CNY", 1500);
  create.mutable_opportunity()->add_products(*product);
  ov1::Opportunity opportunity;
  grpc::Status status = opportunities->CreateOpportunity(As("o.rep").Context().get(), create,
                                                         &opportunity);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(opportunity.state(), ov1::OPEN);

  absl::StatusOr<v1::Order> refused = CreateOrderFrom("o.rep", opportunity.name());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(refused.status()), "OPPORTUNITY_NOT_WON");
  EXPECT_NE(refused.status().message().find("open"), std::string_view::npos)
      << refused.status();

  ov1::CloseWonRequest win;
  win.set_name(opportunity.name());
  ov1::Opportunity won;
  status = opportunities->CloseWon(As("o.rep").Context().get(), win, &won);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(won.state(), ov1::WON);

  // A rep of no team cannot see it in the opportunities service, so cannot order from it.
  ov1::GetOpportunityRequest get;
  get.set_name(opportunity.name());
  ov1::Opportunity seen;
  EXPECT_EQ(opportunities->GetOpportunity(As("o.other").Context().get(), get, &seen).error_code(),
            grpc::StatusCode::NOT_FOUND);
  absl::StatusOr<v1::Order> foreign = CreateOrderFrom("o.other", opportunity.name());
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(FieldViolations(foreign.status()).size(), 1u) << foreign.status();
  EXPECT_EQ(FieldViolations(foreign.status())[0].field, "order.opportunity");

  // The rep's manager makes the order: it is the rep's, for the opportunity's customer, with
  // the product of interest as a line priced from the catalog.
  absl::StatusOr<v1::Order> order = CreateOrderFrom("o.manager", opportunity.name());
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(order->opportunity(), opportunity.name());
  EXPECT_EQ(order->customer(), *customer);
  EXPECT_EQ(order->customer_display_name(), "商机转订单客户");
  EXPECT_EQ(order->owner(), As("o.rep").user.name());
  EXPECT_EQ(order->creator(), As("o.manager").user.name());
  ASSERT_EQ(order->lines_size(), 1);
  EXPECT_EQ(order->lines(0).product(), *product);
  EXPECT_EQ(order->lines(0).quantity(), 1);
  EXPECT_EQ(Cents(order->total()), 50000);
  absl::StatusOr<v1::Order> read = GetOrder("o.rep", order->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->opportunity(), opportunity.name());
}

TEST_F(OrdersE2eTest, TheApproverAndTheOwnerHearOfItInTheirInboxThroughTheOrdersFeed) {
  absl::StatusOr<std::string> product = NewProduct("E2E-NTF", 50000, 8000);
  ASSERT_TRUE(product.ok()) << product.status();
  absl::StatusOr<std::string> customer = NewCustomer("通知测试客户");
  ASSERT_TRUE(customer.ok()) << customer.status();
  // A rule of this product only, so that the other tests' orders do not meet it.
  auto rules = v1::ApprovalRuleService::NewStub(stack_->gateway());
  v1::CreateApprovalRuleRequest rule_request;
  rule_request.mutable_rule()->set_display_name("E2E-NTF discounts above 10%");
  rule_request.mutable_rule()->set_discount_percent_above("10");
  rule_request.mutable_rule()->set_product(*product);
  rule_request.mutable_rule()->set_approver_role(auth::v1::SALES_MANAGER);
  v1::ApprovalRule rule;
  ASSERT_TRUE(rules->CreateApprovalRule(As("admin").Context().get(), rule_request, &rule).ok());
  absl::StatusOr<v1::Order> order = CreateOrder("o.rep", *customer, "CNY", {Line(*product, 2, "15")});
  ASSERT_TRUE(order.ok()) << order.status();
  v1::SubmitOrderRequest submit;
  submit.set_name(order->name());
  v1::Order submitted;
  grpc::Status status = Orders()->SubmitOrder(As("o.rep").Context().get(), submit, &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(submitted.approval().approver(), As("o.manager").user.name());

  auto wanted = Notified("o.manager", order->name(), 1);
  ASSERT_TRUE(wanted.ok()) << wanted.status();
  ASSERT_EQ(wanted->size(), 1u);
  EXPECT_EQ(wanted->at(0).kind(), activities::v1::APPROVAL_WANTED);
  EXPECT_EQ(wanted->at(0).actor(), As("o.rep").user.name());

  v1::ApproveOrderRequest approve;
  approve.set_name(order->name());
  approve.set_comment("同意");
  v1::Order approved;
  status = Orders()->ApproveOrder(As("o.manager").Context().get(), approve, &approved);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // The owner: the decision and the status change (their own submission told them nothing).
  auto decided = Notified("o.rep", order->name(), 2);
  ASSERT_TRUE(decided.ok()) << decided.status();
  std::vector<activities::v1::NotificationKind> kinds;
  for (const auto& n : *decided) kinds.push_back(n.kind());
  std::sort(kinds.begin(), kinds.end());
  EXPECT_EQ(kinds, (std::vector<activities::v1::NotificationKind>{
                       activities::v1::ORDER_STATUS_CHANGED, activities::v1::APPROVAL_DECIDED}));
  // Nobody else sees the rep's; the rep marks them read, and only theirs.
  auto others = Notified("o.other", order->name(), 0);
  ASSERT_TRUE(others.ok()) << others.status();
  EXPECT_TRUE(others->empty());
  auto inbox = activities::v1::NotificationService::NewStub(stack_->gateway());
  activities::v1::MarkNotificationsReadRequest mark;
  mark.add_names(decided->at(0).name());
  activities::v1::MarkNotificationsReadResponse marked;
  EXPECT_EQ(inbox->MarkNotificationsRead(As("o.manager").Context().get(), mark, &marked)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  status = inbox->MarkNotificationsRead(As("o.rep").Context().get(), mark, &marked);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(marked.marked_count(), 1);
}

// A status change of a rep's order reaches the rep, their team's manager (activities asks the
// auth service as itself who that is) and, for a cancellation, the support desk; the manager
// of another team hears nothing.
TEST_F(OrdersE2eTest, AStatusChangeReachesTheOwnerTheirManagerAndSupport) {
  absl::StatusOr<std::string> product = NewProduct("E2E-CNL", 30000, 5000);
  ASSERT_TRUE(product.ok()) << product.status();
  absl::StatusOr<std::string> customer = NewCustomer("取消通知测试客户");
  ASSERT_TRUE(customer.ok()) << customer.status();
  absl::StatusOr<v1::Order> order =
      CreateOrder("o.rep", *customer, "CNY", {Line(*product, 1, "")});
  ASSERT_TRUE(order.ok()) << order.status();
  v1::CancelOrderRequest cancel;
  cancel.set_name(order->name());
  cancel.set_reason("客户取消");
  v1::Order cancelled;
  grpc::Status status = Orders()->CancelOrder(As("admin").Context().get(), cancel, &cancelled);
  ASSERT_TRUE(status.ok()) << status.error_message();

  for (const char* who : {"o.rep", "o.manager", "o.support"}) {
    auto told = Notified(who, order->name(), 1);
    ASSERT_TRUE(told.ok()) << told.status();
    ASSERT_EQ(told->size(), 1u) << who << stack_->Logs();
    EXPECT_EQ(told->at(0).kind(), activities::v1::ORDER_STATUS_CHANGED);
    EXPECT_EQ(told->at(0).body(), "客户取消");
    EXPECT_EQ(told->at(0).actor(), As("admin").user.name());
  }
  // Every row of one event is written in one transaction: the others are there, this one not.
  auto other = Notified("o.manager2", order->name(), 0);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_TRUE(other->empty());
}

// Every replica runs the escalation scheduler: an approval left unanswered past its time goes
// to the admins once, with two orders processes on one database each passing every 50 ms.
TEST_F(OrdersE2eTest, AnUnansweredApprovalEscalatesOnceWithTwoSchedulerReplicas) {
  const std::vector<std::string> fast = {"--approval_escalate_after=1s",
                                         "--escalation_interval=50ms"};
  ASSERT_TRUE(stack_->Restart("orders", fast).ok()) << stack_->Logs();
  absl::StatusOr<testing::ServerProcess> replica = stack_->StartReplica("orders", fast);
  ASSERT_TRUE(replica.ok()) << replica.status();

  absl::StatusOr<std::string> product = NewProduct("E2E-ESC", 50000, 8000);
  ASSERT_TRUE(product.ok()) << product.status();
  absl::StatusOr<std::string> customer = NewCustomer("升级审批测试有限公司");
  ASSERT_TRUE(customer.ok()) << customer.status();
  auto rules = v1::ApprovalRuleService::NewStub(stack_->gateway());
  v1::CreateApprovalRuleRequest rule_request;
  rule_request.mutable_rule()->set_display_name("discounts above 20%");
  rule_request.mutable_rule()->set_discount_percent_above("20");
  rule_request.mutable_rule()->set_approver_role(auth::v1::SALES_MANAGER);
  v1::ApprovalRule rule;
  ASSERT_TRUE(rules->CreateApprovalRule(As("admin").Context().get(), rule_request, &rule).ok());
  absl::StatusOr<v1::Order> order =
      CreateOrder("o.rep", *customer, "CNY", {Line(*product, 2, "25")});
  ASSERT_TRUE(order.ok()) << order.status();
  v1::SubmitOrderRequest submit;
  submit.set_name(order->name());
  v1::Order submitted;
  ASSERT_TRUE(Orders()->SubmitOrder(As("o.rep").Context().get(), submit, &submitted).ok());
  ASSERT_EQ(submitted.approval().approver_role(), auth::v1::SALES_MANAGER);

  // Passes each process has made (done, or skipped while the other held the lock).
  auto passes = [](int metrics_port) -> int64_t {
    absl::StatusOr<std::string> body = testing::ScrapeMetrics(metrics_port);
    if (!body.ok()) return -1;
    int64_t total = 0;
    for (const std::string& line : testing::SeriesOf(*body, "crm_orders_escalation_runs_total")) {
      double value = 0;
      if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &value)) total += value;
    }
    return total;
  };
  // Escalated, then both processes pass many more times over the escalated approval.
  constexpr int kTries = 300;
  constexpr int64_t kPassesAfter = 20;
  absl::StatusOr<v1::Order> read;
  for (int i = 0; i < kTries; ++i) {
    read = GetOrder("o.rep", order->name());
    if (read.ok() && read->approval().approver_role() == auth::v1::ADMIN) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->approval().approver_role(), auth::v1::ADMIN) << stack_->Logs();
  const int64_t main_then = passes(stack_->process("orders").metrics_port);
  const int64_t replica_then = passes(replica->metrics_port);
  for (int i = 0; i < kTries; ++i) {
    if (passes(stack_->process("orders").metrics_port) >= main_then + kPassesAfter &&
        passes(replica->metrics_port) >= replica_then + kPassesAfter) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_GE(passes(stack_->process("orders").metrics_port), main_then + kPassesAfter);
  ASSERT_GE(passes(replica->metrics_port), replica_then + kPassesAfter);

  read = GetOrder("o.rep", order->name());
  ASSERT_TRUE(read.ok()) << read.status();
  int escalations = 0;
  for (const v1::ApprovalDecision& decision : read->approval().decisions()) {
    if (decision.action() == v1::ACTION_ESCALATED) {
      ++escalations;
      EXPECT_EQ(decision.actor(), "services/orders");
    }
  }
  EXPECT_EQ(escalations, 1);
  EXPECT_EQ(read->status(), v1::PENDING_APPROVAL);
  // The manager's turn is over; an admin decides now.
  v1::ApproveOrderRequest approve;
  approve.set_name(order->name());
  v1::Order approved;
  EXPECT_EQ(Orders()->ApproveOrder(As("o.manager").Context().get(), approve, &approved).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Orders()->ApproveOrder(As("admin").Context().get(), approve, &approved).ok());
}

// The inventory and finance systems see every effect once: the reference system (tools/
// refsystem's ledger, served from this test over real gRPC) fails 30 calls in 100, half of them
// after applying, and the orders process is killed the moment the third effect lands, its
// answer never sent. Started again, it sends what it had claimed once its lease lapses; the
// ledger's key (the delivery's event id) makes the repeats harmless.
TEST_F(OrdersE2eTest, EveryEffectReachesTheLedgerOnceThroughFailuresAndAKilledRelay) {
  absl::StatusOr<std::string> product = NewProduct("E2E-LEDGER", 12000, 2000);
  ASSERT_TRUE(product.ok()) << product.status();
  absl::StatusOr<std::string> customer = NewCustomer("对账测试有限公司");
  ASSERT_TRUE(customer.ok()) << customer.status();
  // Confirmed while orders has no endpoints: the effects wait in its outbox of deliveries.
  constexpr int kOrders = 3;
  for (int i = 0; i < kOrders; ++i) {
    absl::StatusOr<v1::Order> order = CreateOrder("o.rep", *customer, "CNY", {Line(*product, 1, "")});
    ASSERT_TRUE(order.ok()) << order.status();
    v1::SubmitOrderRequest submit;
    submit.set_name(order->name());
    v1::Order out;
    ASSERT_TRUE(Orders()->SubmitOrder(As("o.rep").Context().get(), submit, &out).ok());
    ASSERT_EQ(out.status(), v1::APPROVED);
    v1::ConfirmOrderRequest confirm;
    confirm.set_name(order->name());
    ASSERT_TRUE(Orders()->ConfirmOrder(As("o.rep").Context().get(), confirm, &out).ok());
  }
  auto integration = v1::IntegrationService::NewStub(stack_->gateway());
  auto deliveries = [&](const std::string& filter) -> int {
    v1::ListDeliveriesRequest request;
    request.set_filter(filter);
    request.set_page_size(1000);
    v1::ListDeliveriesResponse response;
    grpc::Status status =
        integration->ListDeliveries(As("admin").Context().get(), request, &response);
    return status.ok() ? response.deliveries_size() : -1;
  };
  const int expected = deliveries("state = DELIVERY_PENDING");
  ASSERT_GE(expected, kOrders);

  // The process to kill is the one started with the endpoints below; the ledger's callback
  // waits for its pid (the callback runs on a server thread, so a short wait is harmless).
  std::atomic<pid_t> victim{0};
  absl::Notification victim_known;
  std::atomic<int> applied{0};
  refsystem::Ledger ledger(30, [&](const refsystem::LedgerEntry&) {
    if (++applied != 3) return;
    if (victim_known.WaitForNotificationWithTimeout(absl::Seconds(30))) kill(victim, SIGKILL);
  });
  refsystem::InventoryServer inventory(ledger);
  refsystem::FinanceServer finance(ledger);
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&inventory);
  builder.RegisterService(&finance);
  std::unique_ptr<grpc::Server> reference = builder.BuildAndStart();
  ASSERT_NE(reference, nullptr);
  const std::string endpoint = absl::StrCat("127.0.0.1:", port);
  const std::vector<std::string> relay_flags = {
      "--inventory_endpoint=" + endpoint, "--finance_endpoint=" + endpoint,
      "--relay_interval=100ms",           "--relay_initial_backoff=100ms",
      "--relay_max_backoff=1s",           "--relay_call_timeout=1s",
      "--relay_batch=2",                  "--relay_max_attempts=100"};
  ASSERT_TRUE(stack_->Restart("orders", relay_flags).ok()) << stack_->Logs();
  testing::ChildProcess& first = *stack_->process("orders").process;
  victim = first.pid();
  victim_known.Notify();
  absl::StatusOr<int> exited = first.Wait(absl::Seconds(60));
  ASSERT_TRUE(exited.ok()) << "the relay was never killed: " << exited.status();

  // Started again: it sends what it had claimed once its lease (2 × 1 s + 30 s) lapses.
  ASSERT_TRUE(stack_->Restart("orders", relay_flags).ok()) << stack_->Logs();
  for (int i = 0; i < 1200 && deliveries("state = DELIVERY_SUCCEEDED") < expected; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(deliveries("state = DELIVERY_SUCCEEDED"), expected);
  EXPECT_EQ(deliveries("state = DELIVERY_PENDING"), 0);
  EXPECT_EQ(deliveries("state = DELIVERY_DEAD"), 0);

  const std::vector<refsystem::LedgerEntry> entries = ledger.Entries();
  EXPECT_EQ(static_cast<int>(entries.size()), expected);
  std::set<std::string> keys;
  std::map<std::string, int> kinds;
  for (const refsystem::LedgerEntry& entry : entries) {
    keys.insert(entry.key);
    ++kinds[entry.kind];
  }
  EXPECT_EQ(keys.size(), entries.size());
  EXPECT_EQ(kinds["reserve"], kOrders);
  // The effect applied as the relay died was sent again, and applied once.
  EXPECT_GE(ledger.duplicates(), 1);
}

}  // namespace
}  // namespace crm
