// The knowledge service as a real process behind the gateway, on real MariaDB: the catalog's
// price history as clients see it, who may change the catalog, money rules, and its events.
// A service made only from the service kit (libs/service): this test also shows the kit's
// start-up migrating, serving, enforcing the policy table and emitting events.
#include <gtest/gtest.h>

#include "crm/events/v1/events.grpc.pb.h"
#include "crm/knowledge/v1/knowledge.grpc.pb.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

namespace v1 = knowledge::v1;
using testing::Session;
using testing::Stack;

common::v1::Money Yuan(int64_t units) {
  common::v1::Money m;
  m.set_currency_code("CNY");
  m.set_units(units);
  return m;
}

class KnowledgeE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();
    auto team = stack_->CreateTeam("知识库测试组");
    ASSERT_TRUE(team.ok()) << team.status();
    for (auto [name, role] : {std::pair{"k.manager", auth::v1::SALES_MANAGER},
                              std::pair{"k.rep", auth::v1::SALES_REP},
                              std::pair{"k.marketing", auth::v1::MARKETING},
                              std::pair{"k.support", auth::v1::SUPPORT}}) {
      ASSERT_TRUE(stack_->CreateUser(name, role, team->name()).ok()) << name;
    }
    sessions_ = new std::map<std::string, Session>();
    auto admin = stack_->LoginAdmin();
    ASSERT_TRUE(admin.ok()) << admin.status();
    (*sessions_)["admin"] = *admin;
    for (const char* name : {"k.manager", "k.rep", "k.marketing", "k.support"}) {
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
  static std::unique_ptr<v1::CatalogService::Stub> Catalog() {
    return v1::CatalogService::NewStub(stack_->gateway());
  }

  static absl::StatusOr<v1::Category> NewCategory(const std::string& name) {
    v1::CreateCategoryRequest req;
    req.mutable_category()->set_display_name(name);
    v1::Category out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(Catalog()->CreateCategory(As("admin").Context().get(), req, &out)));
    return out;
  }

  static absl::StatusOr<v1::Product> NewProduct(const std::string& sku, const std::string& category,
                                                const std::string& who = "k.manager") {
    v1::CreateProductRequest req;
    req.mutable_product()->set_sku(sku);
    req.mutable_product()->set_display_name("产品 " + sku);
    req.mutable_product()->set_category(category);
    req.mutable_product()->set_unit("台");
    v1::Product out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(Catalog()->CreateProduct(As(who).Context().get(), req, &out)));
    return out;
  }

  static absl::Status SetPrice(const std::string& product, int64_t yuan, absl::Time effective,
                               const std::string& who = "admin") {
    v1::SetProductPriceRequest req;
    req.set_product(product);
    *req.mutable_price()->mutable_price() = Yuan(yuan);
    *req.mutable_price()->mutable_effective_time() = ToTimestamp(effective);
    v1::ProductPrice out;
    return FromGrpcStatus(Catalog()->SetProductPrice(As(who).Context().get(), req, &out));
  }

  // The CNY price of `product` at `at`, as a rep asks for it through the gateway; -1 when
  // there is none (PRICE_NOT_FOUND).
  static int64_t YuanAt(const std::string& product, absl::Time at) {
    v1::GetProductPriceRequest req;
    req.set_product(product);
    req.set_currency_code("CNY");
    *req.mutable_at_time() = ToTimestamp(at);
    v1::ProductPrice out;
    absl::Status st = FromGrpcStatus(Catalog()->GetProductPrice(As("k.rep").Context().get(), req, &out));
    if (ErrorReason(st) == "PRICE_NOT_FOUND") return -1;
    EXPECT_TRUE(st.ok()) << st;
    return out.price().units();
  }

  static Stack* stack_;
  static std::map<std::string, Session>* sessions_;
};

Stack* KnowledgeE2eTest::stack_ = nullptr;
std::map<std::string, Session>* KnowledgeE2eTest::sessions_ = nullptr;

TEST_F(KnowledgeE2eTest, APriceIsTheOneValidOnTheDayAskedAbout) {
  auto category = NewCategory("价格历史");
  ASSERT_TRUE(category.ok()) << category.status();
  auto product = NewProduct("HIST-1", category->name());
  ASSERT_TRUE(product.ok()) << product.status();
  const absl::Time now = absl::Now();
  const absl::Duration day = absl::Hours(24);
  // Three entries in the past: from 90 days ago, a change 60 days ago and one 30 days ago.
  ASSERT_TRUE(SetPrice(product->name(), 3000, now - 90 * day).ok());
  ASSERT_TRUE(SetPrice(product->name(), 2800, now - 60 * day).ok());
  ASSERT_TRUE(SetPrice(product->name(), 2500, now - 30 * day).ok());

  EXPECT_EQ(YuanAt(product->name(), now - 100 * day), -1) << "before the first price";
  EXPECT_EQ(YuanAt(product->name(), now - 75 * day), 3000) << "between the first and the change";
  EXPECT_EQ(YuanAt(product->name(), now - 45 * day), 2800) << "between the two changes";
  EXPECT_EQ(YuanAt(product->name(), now - 10 * day), 2500) << "after the second change";
  EXPECT_EQ(YuanAt(product->name(), now - 60 * day), 2800) << "from the moment it takes effect";
}

TEST_F(KnowledgeE2eTest, AFuturePriceWaitsForItsDate) {
  auto category = NewCategory("预定价格");
  ASSERT_TRUE(category.ok()) << category.status();
  auto product = NewProduct("SCHED-1", category->name());
  ASSERT_TRUE(product.ok()) << product.status();
  const absl::Time now = absl::Now();
  ASSERT_TRUE(SetPrice(product->name(), 1000, now - absl::Hours(1)).ok());
  ASSERT_TRUE(SetPrice(product->name(), 1200, now + absl::Hours(24 * 7)).ok());
  EXPECT_EQ(YuanAt(product->name(), now), 1000);
  EXPECT_EQ(YuanAt(product->name(), now + absl::Hours(24 * 7) - absl::Seconds(1)), 1000);
  EXPECT_EQ(YuanAt(product->name(), now + absl::Hours(24 * 8)), 1200);
  // What a client reads as the product's price today is still the current one.
  v1::GetProductRequest get;
  get.set_name(product->name());
  v1::Product read;
  ASSERT_TRUE(Catalog()->GetProduct(As("k.rep").Context().get(), get, &read).ok());
  ASSERT_EQ(read.list_prices_size(), 1);
  EXPECT_EQ(read.list_prices(0).units(), 1000);
}

TEST_F(KnowledgeE2eTest, OnlyAdminsAndManagersChangeProductsAndPrices) {
  auto category = NewCategory("权限");
  ASSERT_TRUE(category.ok()) << category.status();
  auto product = NewProduct("PERM-1", category->name());
  ASSERT_TRUE(product.ok()) << product.status();
  for (const char* who : {"admin", "k.manager", "k.rep", "k.marketing", "k.support"}) {
    const bool editor = std::string(who) == "admin" || std::string(who) == "k.manager";
    absl::Status create = NewProduct(std::string("PERM-") + who, category->name(), who).status();
    absl::Status price = SetPrice(product->name(), 10, absl::Now(), who);
    if (editor) {
      EXPECT_TRUE(create.ok()) << who << ": " << create;
      EXPECT_TRUE(price.ok()) << who << ": " << price;
    } else {
      EXPECT_EQ(create.code(), absl::StatusCode::kPermissionDenied) << who;
      EXPECT_EQ(price.code(), absl::StatusCode::kPermissionDenied) << who;
    }
    // Everyone reads the catalog.
    v1::GetProductRequest get;
    get.set_name(product->name());
    v1::Product read;
    EXPECT_TRUE(Catalog()->GetProduct(As(who).Context().get(), get, &read).ok()) << who;
  }
}

TEST_F(KnowledgeE2eTest, InvalidMoneyIsAFieldViolation) {
  auto category = NewCategory("金额");
  ASSERT_TRUE(category.ok()) << category.status();
  auto product = NewProduct("MONEY-1", category->name());
  ASSERT_TRUE(product.ok()) << product.status();
  struct Case {
    std::string currency;
    int64_t units;
    int32_t nanos;
    std::string field;
  };
  for (const Case& c : {Case{"CNY", -1, 0, "price.price"},
                        Case{"ZZZ", 1, 0, "price.price.currency_code"},
                        Case{"CNY", 1, 1'000'000, "price.price"}}) {
    v1::SetProductPriceRequest req;
    req.set_product(product->name());
    req.mutable_price()->mutable_price()->set_currency_code(c.currency);
    req.mutable_price()->mutable_price()->set_units(c.units);
    req.mutable_price()->mutable_price()->set_nanos(c.nanos);
    v1::ProductPrice out;
    absl::Status st =
        FromGrpcStatus(Catalog()->SetProductPrice(As("admin").Context().get(), req, &out));
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.currency;
    ASSERT_EQ(FieldViolations(st).size(), 1u) << st;
    EXPECT_EQ(FieldViolations(st)[0].field, c.field);
  }
  v1::ListProductPricesRequest history;
  history.set_product(product->name());
  v1::ListProductPricesResponse listed;
  ASSERT_TRUE(Catalog()->ListProductPrices(As("admin").Context().get(), history, &listed).ok());
  EXPECT_EQ(listed.prices_size(), 0) << "nothing was written";
}

TEST_F(KnowledgeE2eTest, TheServiceKitServesChecksAndPublishesEvents) {
  // Without a token the service itself refuses (not only the gateway).
  auto direct = v1::CatalogService::NewStub(stack_->channel("knowledge"));
  v1::ListCategoriesRequest list;
  v1::ListCategoriesResponse categories;
  grpc::ClientContext anonymous;
  EXPECT_EQ(direct->ListCategories(&anonymous, list, &categories).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // The policy table at the service: a rep may read but not create.
  v1::CreateCategoryRequest create;
  create.mutable_category()->set_display_name("不行");
  v1::Category refused;
  EXPECT_EQ(direct->CreateCategory(As("k.rep").Context().get(), create, &refused).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(direct->ListCategories(As("k.rep").Context().get(), list, &categories).ok());

  // A created category appears on the service's event feed.
  auto category = NewCategory("事件");
  ASSERT_TRUE(category.ok()) << category.status();
  auto pool = db::Pool::Create(stack_->db("knowledge"), nullptr);
  ASSERT_TRUE(pool.ok()) << pool.status();
  auto session = (*pool)->Borrow();
  ASSERT_TRUE(session.ok());
  auto rows = (*session)->Query(
      "SELECT COUNT(*) FROM outbox WHERE event_type = 'crm.knowledge.v1.CategoryCreated' AND "
      "resource = ?",
      {category->name()});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ((*rows)[0].Int(0), 1);
}

}  // namespace
}  // namespace crm
