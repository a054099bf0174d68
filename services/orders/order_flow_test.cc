// The orders service's handlers and stores against a real MariaDB schema, from a priced draft
// to a paid order and a return: totals and rounding in two currencies, the historic price, the
// discount approval chain with escalation by two schedulers at once, the status machine, the
// reports of the inventory and finance systems, returns and exchanges, the relay against a
// flaky sink with a relay that died mid-batch, the reconciliation report and who may do what.
//
// The other services (knowledge's catalog, customers, opportunities) are fakes here (peers.h
// interfaces): the catalog fake keeps a price history so "the price valid at the order time"
// is exercised. The external systems are the reference ones (tools/refsystem) over gRPC.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/auth/principal.h"
#include "libs/auth/testing.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "libs/service/testing.h"
#include "services/orders/delivery_store.h"
#include "services/orders/escalator.h"
#include "services/orders/integration_service.h"
#include "services/orders/order_service.h"
#include "services/orders/reconciliation.h"
#include "services/orders/relay.h"
#include "services/orders/return_service.h"
#include "services/orders/rule_service.h"
#include "tools/refsystem/ledger.h"

namespace crm::orders {
namespace {

using auth::testing::MakeCaller;

// Prices by (product, currency), each a history of (effective from, minor units).
class FakeCatalog final : public Catalog {
 public:
  void SetPrice(const std::string& product, const std::string& currency, absl::Time from,
                int64_t minor) {
    absl::MutexLock lock(&mu_);
    prices_[{product, currency}][from] = minor;
  }

  absl::StatusOr<PricedProduct> Price(std::string_view product, std::string_view currency,
                                      absl::Time at, absl::Time) override {
    absl::MutexLock lock(&mu_);
    auto history = prices_.find({std::string(product), std::string(currency)});
    if (history == prices_.end() || history->second.empty()) {
      return Error(absl::StatusCode::kNotFound, "PRODUCT_NOT_FOUND", "no such product");
    }
    auto valid = history->second.upper_bound(at);
    if (valid == history->second.begin()) {
      return Error(absl::StatusCode::kNotFound, "PRICE_NOT_FOUND", "no price then");
    }
    --valid;
    const std::string id(product.substr(product.find('/') + 1));
    return PricedProduct{
        .display_name = "Product " + id,
        .sku = "SKU-" + id,
        .unit = "pcs",
        .external_id = "ext-" + id,
        .price = absl::StrCat(std::string(product), "/prices/", absl::ToUnixSeconds(valid->first)),
        .unit_price_minor = valid->second};
  }

 private:
  absl::Mutex mu_;
  std::map<std::pair<std::string, std::string>, std::map<absl::Time, int64_t>> prices_
      ABSL_GUARDED_BY(mu_);
};

class FakeCustomers final : public Customers {
 public:
  absl::StatusOr<std::string> DisplayName(std::string_view customer, const auth::Caller&) override {
    if (customer == "customers/404") {
      return Error(absl::StatusCode::kNotFound, "CUSTOMER_NOT_FOUND", "not there");
    }
    return absl::StrCat("Customer ", std::string(customer.substr(customer.find('/') + 1)));
  }
};

class FakeOpportunities final : public Opportunities {
 public:
  absl::StatusOr<OpportunitySummary> Get(std::string_view opportunity,
                                         const auth::Caller&) override {
    if (opportunity == "opportunities/1") {
      return OpportunitySummary{.won = true,
                                .stage = "CLOSED_WON",
                                .customer = "customers/7",
                                .owner = "users/11",
                                .products = {"products/1", "products/2"}};
    }
    if (opportunity == "opportunities/2") {
      return OpportunitySummary{.won = false, .stage = "NEGOTIATION", .customer = "customers/7"};
    }
    return Error(absl::StatusCode::kNotFound, "OPPORTUNITY_NOT_FOUND", "not there");
  }
};

int Digits(const std::string& currency) { return currency == "JPY" ? 0 : 2; }

// Money as minor units (the test's currencies have 0 or 2 decimals).
int64_t Minor(const common::v1::Money& money) {
  const int digits = Digits(money.currency_code());
  int64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  return money.units() * scale + money.nanos() / (1'000'000'000 / scale);
}

class OrderFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto test = service::testing::TestKit::Create("orders", CRM_ORDERS_SCHEMA_DIR);
    ASSERT_TRUE(test.ok()) << test.status();
    test_ = std::move(*test);
    service::Kit& kit = test_->kit();
    const std::string events = kit.rpc.domain();
    orders_ = std::make_unique<OrderStore>(kit.pool, kit.clock, events);
    rules_ = std::make_unique<RuleStore>(kit.pool, kit.clock);
    returns_ = std::make_unique<ReturnStore>(kit.pool, kit.clock, events);
    deliveries_ = std::make_unique<DeliveryStore>(kit.pool, kit.clock);
    reconciliation_ = std::make_unique<ReconciliationStore>(kit.pool);
    order_service_ = std::make_unique<OrderService>(kit, *orders_, catalog_, customers_,
                                                    opportunities_, OrderServiceOptions{});
    rule_service_ = std::make_unique<ApprovalRuleService>(kit, *rules_);
    return_service_ = std::make_unique<ReturnService>(kit, *returns_);
    integration_service_ =
        std::make_unique<IntegrationService>(kit, *orders_, *deliveries_, *reconciliation_);

    // Team 1: rep 11 and rep 12, managed by 20. Team 2: rep 13, managed by 21.
    test_->users().Add(1, auth::v1::ADMIN, "");
    test_->users().Add(11, auth::v1::SALES_REP, "teams/1");
    test_->users().Add(12, auth::v1::SALES_REP, "teams/1");
    test_->users().Add(13, auth::v1::SALES_REP, "teams/2");
    test_->users().Add(20, auth::v1::SALES_MANAGER, "teams/1");
    test_->users().Add(21, auth::v1::SALES_MANAGER, "teams/2");
    test_->users().Add(30, auth::v1::SUPPORT, "");
    test_->users().Add(40, auth::v1::MARKETING, "");
    test_->users().SetManager("teams/1", "users/20");
    test_->users().SetManager("teams/2", "users/21");

    const absl::Time start = test_->clock().Now() - absl::Hours(24 * 30);
    catalog_.SetPrice("products/1", "CNY", start, 1999);  // ¥19.99
    catalog_.SetPrice("products/2", "CNY", start, 99);    // ¥0.99
    catalog_.SetPrice("products/1", "JPY", start, 333);   // ¥333
    catalog_.SetPrice("products/3", "JPY", start, 1005);  // ¥1,005
  }

  static auth::Caller Service(std::string_view name) {
    auth::Caller caller;
    caller.principal.service = auth::ServicePrincipal(name);
    return caller;
  }

  v1::OrderLine Line(const std::string& product, int64_t quantity, const std::string& discount) {
    v1::OrderLine line;
    line.set_product(product);
    line.set_quantity(quantity);
    line.set_discount_percent(discount);
    return line;
  }

  absl::StatusOr<v1::Order> Create(const auth::Caller& as, const std::string& currency,
                                   std::vector<v1::OrderLine> lines,
                                   const std::string& request_id = "") {
    v1::CreateOrderRequest request;
    request.set_request_id(request_id);
    request.mutable_order()->set_customer("customers/7");
    request.mutable_order()->set_currency_code(currency);
    for (v1::OrderLine& line : lines) *request.mutable_order()->add_lines() = std::move(line);
    v1::Order order;
    CRM_RETURN_IF_ERROR(order_service_->Create(as, request, &order));
    return order;
  }

  absl::StatusOr<v1::Order> Get(const auth::Caller& as, const std::string& name) {
    v1::GetOrderRequest request;
    request.set_name(name);
    request.set_view(v1::FULL);
    v1::Order order;
    CRM_RETURN_IF_ERROR(order_service_->Get(as, request, &order));
    return order;
  }

  absl::StatusOr<v1::Order> Submit(const auth::Caller& as, const std::string& name) {
    v1::SubmitOrderRequest request;
    request.set_name(name);
    v1::Order order;
    CRM_RETURN_IF_ERROR(order_service_->Submit(as, request, &order));
    return order;
  }

  absl::StatusOr<v1::Order> Approve(const auth::Caller& as, const std::string& name) {
    v1::ApproveOrderRequest request;
    request.set_name(name);
    request.set_comment("fine");
    v1::Order order;
    CRM_RETURN_IF_ERROR(order_service_->Approve(as, request, &order));
    return order;
  }

  absl::StatusOr<v1::Order> Confirm(const auth::Caller& as, const std::string& name) {
    v1::ConfirmOrderRequest request;
    request.set_name(name);
    v1::Order order;
    CRM_RETURN_IF_ERROR(order_service_->Confirm(as, request, &order));
    return order;
  }

  absl::Status AddRule(const std::string& discount_above, auth::v1::Role approver) {
    v1::CreateApprovalRuleRequest request;
    request.mutable_rule()->set_display_name("discounts above " + discount_above + "%");
    request.mutable_rule()->set_discount_percent_above(discount_above);
    request.mutable_rule()->set_approver_role(approver);
    v1::ApprovalRule rule;
    return rule_service_->Create(admin_, request, &rule);
  }

  absl::StatusOr<v1::Shipment> Ship(const std::string& order, const std::string& reference,
                                    v1::ShipmentStatus status,
                                    std::vector<std::pair<int, int64_t>> lines) {
    v1::RecordShipmentRequest request;
    request.set_order(order);
    request.set_external_reference(reference);
    request.set_status(status);
    request.set_carrier("SF");
    for (const auto& [number, quantity] : lines) {
      v1::ShipmentLine* line = request.add_lines();
      line->set_line_number(number);
      line->set_quantity(quantity);
    }
    v1::Shipment shipment;
    CRM_RETURN_IF_ERROR(
        integration_service_->RecordShipmentFor(Service("inventory"), request, &shipment));
    return shipment;
  }

  absl::StatusOr<v1::Payment> Pay(const std::string& order, const std::string& reference,
                                  const std::string& currency, int64_t units) {
    v1::RecordPaymentRequest request;
    request.set_order(order);
    request.set_external_reference(reference);
    request.mutable_amount()->set_currency_code(currency);
    request.mutable_amount()->set_units(units);
    request.set_method("bank transfer");
    v1::Payment payment;
    CRM_RETURN_IF_ERROR(
        integration_service_->RecordPaymentFor(Service("finance"), request, &payment));
    return payment;
  }

  // A CNY order of rep 11 for 4 × product 1 at 5 %, approved (no rule applies) and confirmed.
  v1::Order ConfirmedOrder() {
    absl::StatusOr<v1::Order> order = Create(rep_, "CNY", {Line("products/1", 4, "5")});
    EXPECT_TRUE(order.ok()) << order.status();
    absl::StatusOr<v1::Order> submitted = Submit(rep_, order->name());
    EXPECT_TRUE(submitted.ok()) << submitted.status();
    EXPECT_EQ(submitted->status(), v1::APPROVED);
    absl::StatusOr<v1::Order> confirmed = Confirm(rep_, order->name());
    EXPECT_TRUE(confirmed.ok()) << confirmed.status();
    return *confirmed;
  }

  // The reference inventory and finance system (tools/refsystem) on loopback, failing
  // `fail_percent` calls in every 100 (half of them after applying the effect); its ledger.
  refsystem::Ledger& StartReferenceSystems(int fail_percent) {
    ledger_ = std::make_unique<refsystem::Ledger>(fail_percent);
    inventory_ = std::make_unique<refsystem::InventoryServer>(*ledger_);
    finance_ = std::make_unique<refsystem::FinanceServer>(*ledger_);
    int port = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(inventory_.get());
    builder.RegisterService(finance_.get());
    reference_server_ = builder.BuildAndStart();
    EXPECT_NE(reference_server_, nullptr);
    reference_channel_ =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
    return *ledger_;
  }

  // A relay (one replica's) delivering both systems' effects to the reference systems.
  std::unique_ptr<Relay> RelayToReferenceSystems(RelayOptions options) {
    std::map<v1::ExternalSystem, std::unique_ptr<Sink>> sinks;
    sinks[v1::INVENTORY] = GrpcSink(reference_channel_, nullptr, absl::Seconds(30));
    sinks[v1::FINANCE] = GrpcSink(reference_channel_, nullptr, absl::Seconds(30));
    return std::make_unique<Relay>(*deliveries_, std::move(sinks), options, test_->clock(),
                                   nullptr);
  }

  // Passes of every relay given while the fake clock moves on (backoffs and leases lapse)
  // until nothing is pending, at most 200.
  void RelayUntilDone(const std::vector<Relay*>& relays) {
    for (int pass = 0; pass < 200 && DeliveryStates()[v1::DELIVERY_PENDING] > 0; ++pass) {
      for (Relay* relay : relays) ASSERT_TRUE(relay->RunOnce().ok());
      test_->clock().Advance(absl::Seconds(10));
    }
  }

  // Every delivery of the schema, by state.
  std::map<v1::DeliveryState, int> DeliveryStates() {
    v1::ListDeliveriesRequest request;
    request.set_page_size(1000);
    v1::ListDeliveriesResponse response;
    absl::Status status = integration_service_->List(admin_, request, &response);
    EXPECT_TRUE(status.ok()) << status;
    std::map<v1::DeliveryState, int> states;
    for (const v1::Delivery& d : response.deliveries()) ++states[d.state()];
    return states;
  }

  std::unique_ptr<service::testing::TestKit> test_;
  FakeCatalog catalog_;
  FakeCustomers customers_;
  FakeOpportunities opportunities_;
  std::unique_ptr<OrderStore> orders_;
  std::unique_ptr<RuleStore> rules_;
  std::unique_ptr<ReturnStore> returns_;
  std::unique_ptr<DeliveryStore> deliveries_;
  std::unique_ptr<ReconciliationStore> reconciliation_;
  std::unique_ptr<OrderService> order_service_;
  std::unique_ptr<ApprovalRuleService> rule_service_;
  std::unique_ptr<ReturnService> return_service_;
  std::unique_ptr<IntegrationService> integration_service_;

  const auth::Caller admin_ = MakeCaller(1, auth::v1::ADMIN);
  const auth::Caller rep_ = MakeCaller(11, auth::v1::SALES_REP, "teams/1");
  const auth::Caller teammate_ = MakeCaller(12, auth::v1::SALES_REP, "teams/1");
  const auth::Caller other_rep_ = MakeCaller(13, auth::v1::SALES_REP, "teams/2");
  const auth::Caller manager_ = MakeCaller(20, auth::v1::SALES_MANAGER, "teams/1", {"teams/1"});
  const auth::Caller other_manager_ =
      MakeCaller(21, auth::v1::SALES_MANAGER, "teams/2", {"teams/2"});
  const auth::Caller support_ = MakeCaller(30, auth::v1::SUPPORT);
  const auth::Caller marketing_ = MakeCaller(40, auth::v1::MARKETING);

  // The reference systems, when a test starts them (the server stops first).
  std::unique_ptr<refsystem::Ledger> ledger_;
  std::unique_ptr<refsystem::InventoryServer> inventory_;
  std::unique_ptr<refsystem::FinanceServer> finance_;
  std::unique_ptr<grpc::Server> reference_server_;
  std::shared_ptr<grpc::Channel> reference_channel_;
};

TEST_F(OrderFlowTest, TotalsRoundHalfEvenPerLineInTwoCurrencies) {
  // CNY: 3 × 19.99 at 12.5 % = 59.97 × 0.875 = 52.47375 → 52.47; 7 × 0.99 at 0 % = 6.93.
  absl::StatusOr<v1::Order> cny =
      Create(rep_, "CNY", {Line("products/1", 3, "12.5"), Line("products/2", 7, "")});
  ASSERT_TRUE(cny.ok()) << cny.status();
  ASSERT_EQ(cny->lines_size(), 2);
  EXPECT_EQ(Minor(cny->lines(0).list_amount()), 5997);
  EXPECT_EQ(Minor(cny->lines(0).line_total()), 5247);
  EXPECT_EQ(Minor(cny->lines(0).discount_amount()), 750);
  EXPECT_EQ(Minor(cny->lines(1).line_total()), 693);
  EXPECT_EQ(Minor(cny->subtotal()), 6690);
  EXPECT_EQ(Minor(cny->discount_total()), 750);
  EXPECT_EQ(Minor(cny->total()), 5940);
  EXPECT_EQ(cny->total().currency_code(), "CNY");

  // JPY (no minor unit): 1 × 333 at 50 % = 166.5 → 166 (tie to even); 3 × 1005 at 7.5 % =
  // 2788.875 → 2789; 1 × 1005 at 50 % = 502.5 → 502.
  absl::StatusOr<v1::Order> jpy = Create(
      rep_, "JPY",
      {Line("products/1", 1, "50"), Line("products/3", 3, "7.5"), Line("products/3", 1, "50")});
  ASSERT_TRUE(jpy.ok()) << jpy.status();
  EXPECT_EQ(Minor(jpy->lines(0).line_total()), 166);
  EXPECT_EQ(Minor(jpy->lines(1).line_total()), 2789);
  EXPECT_EQ(Minor(jpy->lines(2).line_total()), 502);
  EXPECT_EQ(Minor(jpy->subtotal()), 333 + 3015 + 1005);
  EXPECT_EQ(Minor(jpy->total()), 166 + 2789 + 502);
  EXPECT_EQ(Minor(jpy->discount_total()), Minor(jpy->subtotal()) - Minor(jpy->total()));

  // What was written is what is read back.
  absl::StatusOr<v1::Order> read = Get(rep_, jpy->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(Minor(read->total()), 166 + 2789 + 502);
}

TEST_F(OrderFlowTest, BadInputIsRejectedWithTheField) {
  absl::StatusOr<v1::Order> no_price = Create(rep_, "JPY", {Line("products/2", 1, "")});
  EXPECT_EQ(no_price.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_FALSE(FieldViolations(no_price.status()).empty());
  EXPECT_EQ(FieldViolations(no_price.status())[0].field, "order.lines[0].product");

  absl::StatusOr<v1::Order> bad_discount = Create(rep_, "CNY", {Line("products/1", 1, "12.345")});
  EXPECT_EQ(bad_discount.status().code(), absl::StatusCode::kInvalidArgument);

  // A retry with the same request id returns the first order, not a second one.
  absl::StatusOr<v1::Order> first = Create(rep_, "CNY", {Line("products/1", 1, "")}, "retry-1");
  absl::StatusOr<v1::Order> again = Create(rep_, "CNY", {Line("products/1", 1, "")}, "retry-1");
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first->name(), again->name());
}

TEST_F(OrderFlowTest, FromAWonOpportunityOnly) {
  v1::CreateOrderRequest request;
  request.mutable_order()->set_opportunity("opportunities/1");
  request.mutable_order()->set_currency_code("CNY");
  v1::Order order;
  absl::Status status = order_service_->Create(manager_, request, &order);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(order.customer(), "customers/7");
  EXPECT_EQ(order.owner(), "users/11");
  EXPECT_EQ(order.opportunity(), "opportunities/1");
  ASSERT_EQ(order.lines_size(), 2);
  EXPECT_EQ(order.lines(0).product(), "products/1");

  request.mutable_order()->set_opportunity("opportunities/2");
  status = order_service_->Create(manager_, request, &order);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(status), "OPPORTUNITY_NOT_WON");
}

TEST_F(OrderFlowTest, ALineKeepsTheHistoricPriceAfterTheCatalogChanges) {
  absl::StatusOr<v1::Order> order = Create(rep_, "CNY", {Line("products/1", 2, "")});
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(Minor(order->lines(0).unit_price()), 1999);

  // The price goes up from now on.
  test_->clock().Advance(absl::Hours(1));
  catalog_.SetPrice("products/1", "CNY", test_->clock().Now(), 2999);

  absl::StatusOr<v1::Order> read = Get(rep_, order->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(Minor(read->lines(0).unit_price()), 1999);
  EXPECT_EQ(Minor(read->total()), 3998);

  // A line added to the draft later is priced at the order's time too.
  v1::UpdateOrderRequest update;
  *update.mutable_order() = *read;
  *update.mutable_order()->add_lines() = Line("products/1", 1, "");
  update.mutable_update_mask()->add_paths("lines");
  v1::Order updated;
  absl::Status status = order_service_->Update(rep_, update, &updated);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(updated.lines_size(), 2);
  EXPECT_EQ(Minor(updated.lines(1).unit_price()), 1999);

  // A new order gets the new price.
  absl::StatusOr<v1::Order> later = Create(rep_, "CNY", {Line("products/1", 1, "")});
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(Minor(later->lines(0).unit_price()), 2999);
}

TEST_F(OrderFlowTest, ApprovalGoesToTheManagerAndEscalatesOnceWithTwoSchedulers) {
  ASSERT_TRUE(AddRule("10", auth::v1::SALES_MANAGER).ok());
  absl::StatusOr<v1::Order> order = Create(rep_, "CNY", {Line("products/1", 10, "15")});
  ASSERT_TRUE(order.ok()) << order.status();
  absl::StatusOr<v1::Order> pending = Submit(rep_, order->name());
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(pending->status(), v1::PENDING_APPROVAL);
  EXPECT_EQ(pending->approval().approver(), "users/20");

  // Locked for edits while it waits.
  v1::UpdateOrderRequest update;
  *update.mutable_order() = *pending;
  update.mutable_order()->set_notes("cheaper please");
  update.mutable_update_mask()->add_paths("notes");
  v1::Order ignored;
  absl::Status locked = order_service_->Update(rep_, update, &ignored);
  EXPECT_EQ(locked.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(locked), "ORDER_LOCKED");

  // The manager sees it in their queue; the other team's manager does not.
  v1::ListPendingApprovalsResponse queue;
  ASSERT_TRUE(order_service_->ListPending(manager_, {}, &queue).ok());
  ASSERT_EQ(queue.orders_size(), 1);
  EXPECT_EQ(queue.orders(0).name(), order->name());
  v1::ListPendingApprovalsResponse other_queue;
  ASSERT_TRUE(order_service_->ListPending(other_manager_, {}, &other_queue).ok());
  EXPECT_EQ(other_queue.orders_size(), 0);

  // Not yet due: nothing escalates.
  Escalator first(test_->pool(), *orders_, test_->clock(), {}, nullptr);
  absl::StatusOr<Escalator::Report> early = first.RunOnce();
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_EQ(early->escalated, 0);

  // Unanswered past the deadline: two replicas' schedulers run at once, one escalates.
  test_->clock().Advance(absl::Hours(25));
  Escalator second(test_->pool(), *orders_, test_->clock(), {}, nullptr);
  absl::StatusOr<Escalator::Report> a, b;
  std::thread one([&] { a = first.RunOnce(); });
  std::thread two([&] { b = second.RunOnce(); });
  one.join();
  two.join();
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->escalated + b->escalated, 1);
  // And again later: already escalated, nothing more.
  absl::StatusOr<Escalator::Report> rerun = second.RunOnce();
  ASSERT_TRUE(rerun.ok());
  EXPECT_EQ(rerun->escalated, 0);

  absl::StatusOr<v1::Order> escalated = Get(admin_, order->name());
  ASSERT_TRUE(escalated.ok()) << escalated.status();
  EXPECT_EQ(escalated->approval().approver_role(), auth::v1::ADMIN);
  v1::ListPendingApprovalsResponse admin_queue;
  ASSERT_TRUE(order_service_->ListPending(admin_, {}, &admin_queue).ok());
  EXPECT_EQ(admin_queue.orders_size(), 1);

  // A rep cannot approve; the admin does.
  EXPECT_EQ(Approve(rep_, order->name()).status().code(), absl::StatusCode::kPermissionDenied);
  absl::StatusOr<v1::Order> approved = Approve(admin_, order->name());
  ASSERT_TRUE(approved.ok()) << approved.status();
  EXPECT_EQ(approved->status(), v1::APPROVED);

  // Every step audited: submitted, escalated, approved.
  absl::StatusOr<v1::Order> full = Get(admin_, order->name());
  ASSERT_TRUE(full.ok());
  ASSERT_EQ(full->approvals_size(), 1);
  std::vector<v1::ApprovalAction> actions;
  for (const v1::ApprovalDecision& d : full->approvals(0).decisions())
    actions.push_back(d.action());
  EXPECT_EQ(actions, (std::vector<v1::ApprovalAction>{v1::ACTION_SUBMITTED, v1::ACTION_ESCALATED,
                                                      v1::ACTION_APPROVED}));
}

TEST_F(OrderFlowTest, TheManagerRejectsWithACommentAndTheDraftOpensAgain) {
  ASSERT_TRUE(AddRule("10", auth::v1::SALES_MANAGER).ok());
  absl::StatusOr<v1::Order> order = Create(rep_, "CNY", {Line("products/1", 1, "20")});
  ASSERT_TRUE(order.ok());
  ASSERT_TRUE(Submit(rep_, order->name()).ok());

  // The other team's manager cannot even see it.
  v1::RejectOrderRequest reject;
  reject.set_name(order->name());
  reject.set_comment("too much");
  v1::Order rejected;
  EXPECT_EQ(order_service_->Reject(other_manager_, reject, &rejected).code(),
            absl::StatusCode::kNotFound);
  // A comment is required.
  reject.set_comment("");
  EXPECT_EQ(order_service_->Reject(manager_, reject, &rejected).code(),
            absl::StatusCode::kInvalidArgument);
  reject.set_comment("too much");
  ASSERT_TRUE(order_service_->Reject(manager_, reject, &rejected).ok());
  EXPECT_EQ(rejected.status(), v1::DRAFT);
  EXPECT_EQ(rejected.approval().state(), v1::APPROVAL_REJECTED);
  EXPECT_EQ(rejected.approval().comment(), "too much");

  // Below the limit, the rep's order needs nobody.
  absl::StatusOr<v1::Order> small = Create(rep_, "CNY", {Line("products/1", 1, "10")});
  ASSERT_TRUE(small.ok());
  absl::StatusOr<v1::Order> submitted = Submit(rep_, small->name());
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_EQ(submitted->status(), v1::APPROVED);
}

TEST_F(OrderFlowTest, StatusFollowsShipmentsAndPaymentsWithHistory) {
  v1::Order order = ConfirmedOrder();
  ASSERT_EQ(order.status(), v1::CONFIRMED);
  const int64_t total = Minor(order.total());  // 4 × 19.99 × 0.95 = 75.962 → 75.96
  EXPECT_EQ(total, 7596);

  // An illegal transition.
  v1::CompleteOrderRequest complete;
  complete.set_name(order.name());
  v1::Order ignored;
  absl::StatusOr<v1::Order> draft = Create(rep_, "CNY", {Line("products/1", 1, "")});
  ASSERT_TRUE(draft.ok());
  EXPECT_EQ(Confirm(rep_, draft->name()).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(Confirm(rep_, draft->name()).status()), "ILLEGAL_TRANSITION");

  ASSERT_TRUE(Ship(order.name(), "SHP-1", v1::SHIPMENT_SHIPPED, {{1, 1}}).ok());
  EXPECT_EQ(Get(rep_, order.name())->status(), v1::PARTIALLY_SHIPPED);
  // The same report again changes nothing; the same reference for other goods is refused.
  ASSERT_TRUE(Ship(order.name(), "SHP-1", v1::SHIPMENT_SHIPPED, {{1, 1}}).ok());
  EXPECT_EQ(Get(rep_, order.name())->lines(0).shipped_quantity(), 1);
  EXPECT_EQ(Ship(order.name(), "SHP-1", v1::SHIPMENT_SHIPPED, {{1, 2}}).status().code(),
            absl::StatusCode::kAlreadyExists);

  ASSERT_TRUE(Ship(order.name(), "SHP-2", v1::SHIPMENT_SHIPPED, {{1, 3}}).ok());
  EXPECT_EQ(Get(rep_, order.name())->status(), v1::SHIPPED);
  // Cancelling shipped goods is not allowed.
  v1::CancelOrderRequest cancel;
  cancel.set_name(order.name());
  cancel.set_reason("changed my mind");
  EXPECT_EQ(ErrorReason(order_service_->Cancel(rep_, cancel, &ignored)), "ILLEGAL_TRANSITION");

  ASSERT_TRUE(Ship(order.name(), "SHP-1", v1::SHIPMENT_DELIVERED, {}).ok());
  ASSERT_TRUE(Ship(order.name(), "SHP-2", v1::SHIPMENT_DELIVERED, {}).ok());
  EXPECT_EQ(Get(rep_, order.name())->status(), v1::DELIVERED);

  // Paid in full (in two notices, one repeated): completed.
  ASSERT_TRUE(Pay(order.name(), "PAY-1", "CNY", 50).ok());
  ASSERT_TRUE(Pay(order.name(), "PAY-1", "CNY", 50).ok());
  EXPECT_EQ(Get(rep_, order.name())->status(), v1::DELIVERED);
  v1::RecordPaymentRequest rest;
  rest.set_order(order.name());
  rest.set_external_reference("PAY-2");
  rest.mutable_amount()->set_currency_code("CNY");
  rest.mutable_amount()->set_units(25);
  rest.mutable_amount()->set_nanos(960'000'000);
  v1::Payment payment;
  ASSERT_TRUE(integration_service_->RecordPaymentFor(Service("finance"), rest, &payment).ok());

  absl::StatusOr<v1::Order> done = Get(support_, order.name());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->status(), v1::COMPLETED);
  EXPECT_EQ(Minor(done->paid()), 7596);
  EXPECT_EQ(done->payments_size(), 2);
  EXPECT_EQ(done->shipments_size(), 2);
  std::vector<v1::OrderStatus> path;
  for (const v1::StatusChange& change : done->status_history()) path.push_back(change.to_status());
  EXPECT_EQ(path, (std::vector<v1::OrderStatus>{v1::DRAFT, v1::APPROVED, v1::CONFIRMED,
                                                v1::PARTIALLY_SHIPPED, v1::SHIPPED, v1::DELIVERED,
                                                v1::COMPLETED}));
  EXPECT_EQ(done->status_history(2).actor(), "users/11");

  // A user cannot report shipments; only the inventory system's identity.
  v1::RecordShipmentRequest forged;
  forged.set_order(order.name());
  forged.set_external_reference("SHP-X");
  forged.set_status(v1::SHIPMENT_SHIPPED);
  v1::Shipment shipment;
  EXPECT_EQ(integration_service_->RecordShipmentFor(rep_, forged, &shipment).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(OrderFlowTest, HoldAndResume) {
  v1::Order order = ConfirmedOrder();
  v1::HoldOrderRequest hold;
  hold.set_name(order.name());
  hold.set_reason("credit check");
  v1::Order held;
  ASSERT_TRUE(order_service_->Hold(rep_, hold, &held).ok());
  EXPECT_EQ(held.status(), v1::ON_HOLD);
  v1::ResumeOrderRequest resume;
  resume.set_name(order.name());
  v1::Order resumed;
  ASSERT_TRUE(order_service_->Resume(rep_, resume, &resumed).ok());
  EXPECT_EQ(resumed.status(), v1::CONFIRMED);
}

TEST_F(OrderFlowTest, AFullReturnWithRefundAndAnExchange) {
  v1::Order order = ConfirmedOrder();
  ASSERT_TRUE(Ship(order.name(), "SHP-R", v1::SHIPMENT_DELIVERED, {{1, 4}}).ok());

  // More than was delivered cannot come back.
  v1::CreateReturnRequest too_many;
  too_many.mutable_return_()->set_order(order.name());
  too_many.mutable_return_()->set_reason("broken");
  too_many.mutable_return_()->set_requested_resolution(v1::REFUND);
  v1::ReturnLine* line = too_many.mutable_return_()->add_lines();
  line->set_line_number(1);
  line->set_quantity(5);
  v1::Return ret;
  absl::Status status = return_service_->Create(support_, too_many, &ret);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(ErrorReason(status), "NOT_RETURNABLE");

  // A refund of one unit, requested by support.
  line->set_quantity(1);
  status = return_service_->Create(support_, too_many, &ret);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(ret.state(), v1::RETURN_REQUESTED);
  // A rep may not approve returns.
  v1::ApproveReturnRequest approve;
  approve.set_name(ret.name());
  EXPECT_EQ(return_service_->Approve(rep_, approve, &ret).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(return_service_->Approve(manager_, approve, &ret).ok());
  EXPECT_EQ(ret.state(), v1::RETURN_APPROVED);
  v1::ReceiveReturnRequest receive;
  receive.set_name(ret.name());
  ASSERT_TRUE(return_service_->Receive(support_, receive, &ret).ok());
  EXPECT_EQ(ret.state(), v1::RETURN_RECEIVED);
  v1::ResolveReturnRequest resolve;
  resolve.set_name(ret.name());
  status = return_service_->Resolve(support_, resolve, &ret);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(ret.state(), v1::RETURN_RESOLVED);
  EXPECT_EQ(ret.resolution(), v1::REFUND);
  // A quarter of the line total 75.96: 18.99.
  EXPECT_EQ(Minor(ret.refund_total()), 1899);

  // An exchange of another unit: a linked replacement order at no charge, already confirmed.
  v1::CreateReturnRequest exchange = too_many;
  exchange.mutable_return_()->set_requested_resolution(v1::REPLACEMENT);
  exchange.mutable_return_()->mutable_lines(0)->set_quantity(1);
  v1::Return swap;
  ASSERT_TRUE(return_service_->Create(rep_, exchange, &swap).ok());
  approve.set_name(swap.name());
  ASSERT_TRUE(return_service_->Approve(support_, approve, &swap).ok());
  receive.set_name(swap.name());
  ASSERT_TRUE(return_service_->Receive(support_, receive, &swap).ok());
  resolve.set_name(swap.name());
  ASSERT_TRUE(return_service_->Resolve(support_, resolve, &swap).ok());
  ASSERT_FALSE(swap.replacement_order().empty());
  absl::StatusOr<v1::Order> replacement = Get(support_, swap.replacement_order());
  ASSERT_TRUE(replacement.ok()) << replacement.status();
  EXPECT_EQ(replacement->replacement_for(), order.name());
  EXPECT_EQ(replacement->status(), v1::CONFIRMED);
  EXPECT_EQ(Minor(replacement->total()), 0);
  ASSERT_EQ(replacement->lines_size(), 1);
  EXPECT_EQ(replacement->lines(0).quantity(), 1);

  // Support sees the customer's whole history in one call.
  v1::ListCustomerOrdersRequest history;
  history.set_customer("customers/7");
  v1::ListOrdersResponse orders;
  ASSERT_TRUE(order_service_->ListCustomer(support_, history, &orders).ok());
  ASSERT_EQ(orders.orders_size(), 2);
  const v1::Order& original =
      orders.orders(0).name() == order.name() ? orders.orders(0) : orders.orders(1);
  EXPECT_EQ(original.returns_size(), 2);
  EXPECT_EQ(original.lines(0).returned_quantity(), 2);
  EXPECT_EQ(Minor(original.credited()), 1899);  // the credit note asked of finance
}

TEST_F(OrderFlowTest, EveryEffectReachesTheLedgerExactlyOnceDespiteFailuresAndADeadRelay) {
  // Effects: each confirmed order reserves, ships and invoices; one is cancelled after
  // approval (reserve then release) and one return asks for a credit note.
  std::vector<std::string> names;
  for (int i = 0; i < 4; ++i) names.push_back(ConfirmedOrder().name());
  absl::StatusOr<v1::Order> cancelled = Create(rep_, "CNY", {Line("products/2", 3, "")});
  ASSERT_TRUE(cancelled.ok());
  ASSERT_TRUE(Submit(rep_, cancelled->name()).ok());
  v1::CancelOrderRequest cancel;
  cancel.set_name(cancelled->name());
  cancel.set_reason("customer withdrew");
  v1::Order ignored;
  ASSERT_TRUE(order_service_->Cancel(rep_, cancel, &ignored).ok());

  const std::map<v1::DeliveryState, int> before = DeliveryStates();
  const int expected = before.at(v1::DELIVERY_PENDING);
  EXPECT_EQ(expected, 4 * 3 + 2);

  // A relay claims a batch and dies before reporting anything.
  absl::StatusOr<std::vector<ClaimedDelivery>> lost =
      deliveries_->Claim({v1::INVENTORY, v1::FINANCE}, "relay-that-died", 5, absl::Minutes(5));
  ASSERT_TRUE(lost.ok()) << lost.status();
  ASSERT_FALSE(lost->empty());

  // The reference inventory and finance system over real gRPC, failing 30 calls in 100 (half
  // of them after applying the effect); two relays, as two replicas run them.
  refsystem::Ledger& ledger = StartReferenceSystems(30);
  const RelayOptions options{.max_attempts = 50,
                             .initial_backoff = absl::Seconds(1),
                             .max_backoff = absl::Seconds(8),
                             .batch = 4};
  std::unique_ptr<Relay> first = RelayToReferenceSystems(options);
  std::unique_ptr<Relay> second = RelayToReferenceSystems(options);
  // The dead relay's lease lapses on the way.
  RelayUntilDone({first.get(), second.get()});
  const std::map<v1::DeliveryState, int> after = DeliveryStates();
  EXPECT_EQ(after.count(v1::DELIVERY_PENDING), 0u);
  EXPECT_EQ(after.count(v1::DELIVERY_DEAD), 0u);
  EXPECT_EQ(after.at(v1::DELIVERY_SUCCEEDED), expected);

  // Every effect is in the ledger exactly once, keyed by a delivery's event id; some were
  // delivered more than once (answers lost after applying), which the key made harmless.
  const std::vector<refsystem::LedgerEntry> entries = ledger.Entries();
  EXPECT_EQ(static_cast<int>(entries.size()), expected);
  std::set<std::string> keys;
  std::map<std::string, int> kinds;
  for (const refsystem::LedgerEntry& entry : entries) {
    keys.insert(entry.key);
    ++kinds[entry.kind];
  }
  EXPECT_EQ(keys.size(), entries.size());
  EXPECT_EQ(kinds, (std::map<std::string, int>{
                       {"reserve", 5}, {"ship", 4}, {"invoice", 4}, {"release", 1}}));
  EXPECT_GT(ledger.duplicates(), 0);
  EXPECT_GT(ledger.calls(), expected);

  // What finance received shows on the orders.
  absl::StatusOr<v1::Order> invoiced = Get(admin_, names[0]);
  ASSERT_TRUE(invoiced.ok());
  EXPECT_EQ(Minor(invoiced->invoiced()), 7596);
}

TEST_F(OrderFlowTest, DeadLettersAreReplayedByAnAdmin) {
  ConfirmedOrder();
  class DownSink final : public Sink {
   public:
    absl::StatusOr<std::string> Deliver(const integration::v1::WebhookDelivery&) override {
      return absl::UnavailableError("down");
    }
  };
  std::map<v1::ExternalSystem, std::unique_ptr<Sink>> sinks;
  sinks[v1::FINANCE] = std::make_unique<DownSink>();
  Relay relay(*deliveries_, std::move(sinks), {.max_attempts = 2, .batch = 10}, test_->clock(),
              nullptr);
  for (int pass = 0; pass < 5; ++pass) {
    ASSERT_TRUE(relay.RunOnce().ok());
    test_->clock().Advance(absl::Hours(1));
  }
  v1::ListDeliveriesRequest request;
  request.set_filter("state = DELIVERY_DEAD");
  v1::ListDeliveriesResponse dead;
  absl::Status status = integration_service_->List(admin_, request, &dead);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(dead.deliveries_size(), 1);  // the invoice; inventory had no sink
  EXPECT_EQ(dead.deliveries(0).effect(), v1::CREATE_INVOICE);
  EXPECT_EQ(dead.deliveries(0).attempts(), 2);

  v1::ReplayDeliveryRequest replay;
  replay.set_name(dead.deliveries(0).name());
  v1::Delivery replayed;
  EXPECT_EQ(integration_service_->Replay(manager_, replay, &replayed).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(integration_service_->Replay(admin_, replay, &replayed).ok());
  EXPECT_EQ(replayed.state(), v1::DELIVERY_PENDING);
  EXPECT_EQ(replayed.attempts(), 0);
  EXPECT_EQ(ErrorReason(integration_service_->Replay(admin_, replay, &replayed)),
            "DELIVERY_NOT_DEAD");
}

TEST_F(OrderFlowTest, TheReconciliationReportListsASeededDiscrepancy) {
  // Two orders shipped, delivered and invoiced in full; one paid exactly, one paid too much.
  v1::Order clean = ConfirmedOrder();
  v1::Order overpaid = ConfirmedOrder();
  StartReferenceSystems(0);
  std::unique_ptr<Relay> relay = RelayToReferenceSystems({.batch = 20});
  RelayUntilDone({relay.get()});
  for (const v1::Order* order : {&clean, &overpaid}) {
    const std::string reference = order == &clean ? "SHP-CLEAN" : "SHP-OVER";
    ASSERT_TRUE(Ship(order->name(), reference, v1::SHIPMENT_DELIVERED, {{1, 4}}).ok());
  }
  v1::RecordPaymentRequest exact;
  exact.set_order(clean.name());
  exact.set_external_reference("PAY-EXACT");
  *exact.mutable_amount() = clean.total();
  v1::Payment payment;
  ASSERT_TRUE(integration_service_->RecordPaymentFor(Service("finance"), exact, &payment).ok());
  ASSERT_TRUE(Pay(overpaid.name(), "PAY-OVER", "CNY", 100).ok());  // its total is 75.96

  v1::GetReconciliationReportRequest request;
  v1::ReconciliationReport report;
  EXPECT_EQ(integration_service_->Report(manager_, request, &report).code(),
            absl::StatusCode::kPermissionDenied);
  absl::Status status = integration_service_->Report(admin_, request, &report);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(report.orders_checked(), 2);
  // One discrepancy in all: the seeded overpayment, with what was expected and paid.
  ASSERT_EQ(report.discrepancies_size(), 1);
  const v1::Discrepancy& d = report.discrepancies(0);
  EXPECT_EQ(d.kind(), v1::OVERPAID) << d.description();
  EXPECT_EQ(d.order(), overpaid.name());
  EXPECT_EQ(Minor(d.expected()), 7596);
  EXPECT_EQ(Minor(d.actual()), 10000);
  ASSERT_EQ(report.totals_size(), 1);
  EXPECT_EQ(Minor(report.totals(0).invoiced()), 2 * 7596);
  EXPECT_EQ(Minor(report.totals(0).paid()), 7596 + 10000);
}

TEST_F(OrderFlowTest, WhoMaySeeAndChangeWhichOrder) {
  absl::StatusOr<v1::Order> order = Create(rep_, "CNY", {Line("products/1", 1, "")});
  ASSERT_TRUE(order.ok());
  const std::string name = order->name();

  // Reads: own, the team's manager, support, admin; not a teammate, another team, marketing.
  EXPECT_TRUE(Get(rep_, name).ok());
  EXPECT_TRUE(Get(manager_, name).ok());
  EXPECT_TRUE(Get(support_, name).ok());
  EXPECT_TRUE(Get(admin_, name).ok());
  EXPECT_EQ(Get(teammate_, name).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Get(other_rep_, name).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Get(other_manager_, name).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Get(marketing_, name).status().code(), absl::StatusCode::kPermissionDenied);

  // Writes: support reads but may not change an order; the manager may.
  v1::UpdateOrderRequest update;
  *update.mutable_order() = *order;
  update.mutable_order()->set_notes("call first");
  update.mutable_update_mask()->add_paths("notes");
  v1::Order updated;
  EXPECT_EQ(order_service_->Update(support_, update, &updated).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(order_service_->Update(other_manager_, update, &updated).code(),
            absl::StatusCode::kNotFound);
  absl::Status status = order_service_->Update(manager_, update, &updated);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(updated.notes(), "call first");

  // Lists apply the same rule.
  v1::ListOrdersResponse mine, theirs, all;
  ASSERT_TRUE(order_service_->List(rep_, {}, &mine).ok());
  ASSERT_TRUE(order_service_->List(other_rep_, {}, &theirs).ok());
  ASSERT_TRUE(order_service_->List(support_, {}, &all).ok());
  EXPECT_EQ(mine.orders_size(), 1);
  EXPECT_EQ(theirs.orders_size(), 0);
  EXPECT_EQ(all.orders_size(), 1);

  // A rep cannot give an order to someone else.
  v1::CreateOrderRequest for_other;
  for_other.mutable_order()->set_customer("customers/7");
  for_other.mutable_order()->set_currency_code("CNY");
  for_other.mutable_order()->set_owner("users/12");
  v1::Order created;
  EXPECT_EQ(order_service_->Create(rep_, for_other, &created).code(),
            absl::StatusCode::kPermissionDenied);
  // Nor order for a customer they cannot see.
  for_other.mutable_order()->set_owner("");
  for_other.mutable_order()->set_customer("customers/404");
  EXPECT_EQ(order_service_->Create(rep_, for_other, &created).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::orders
