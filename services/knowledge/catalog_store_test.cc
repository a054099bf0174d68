// CatalogService and CatalogStore against a real MariaDB schema: the category tree, products
// with their price history, who sees inactive products, and the write rules.
#include <gtest/gtest.h>

#include "libs/auth/testing.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "libs/service/testing.h"
#include "services/knowledge/catalog_service.h"

namespace crm::knowledge {
namespace {

using auth::testing::MakeCaller;

common::v1::Money Yuan(int64_t units, int32_t nanos = 0) {
  common::v1::Money m;
  m.set_currency_code("CNY");
  m.set_units(units);
  m.set_nanos(nanos);
  return m;
}

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto test = service::testing::TestKit::Create("knowledge", CRM_KNOWLEDGE_SCHEMA_DIR);
    ASSERT_TRUE(test.ok()) << test.status();
    test_ = std::move(*test);
    store_ = std::make_unique<CatalogStore>(test_->pool(), test_->clock());
    service_ = std::make_unique<CatalogService>(test_->kit(), *store_);
  }

  absl::StatusOr<v1::Category> NewCategory(const std::string& name, const std::string& parent = "",
                                           const auth::Caller* as = nullptr) {
    v1::CreateCategoryRequest req;
    req.mutable_category()->set_display_name(name);
    req.mutable_category()->set_parent(parent);
    v1::Category out;
    CRM_RETURN_IF_ERROR(service_->DoCreateCategory(as ? *as : admin_, req, &out));
    return out;
  }

  absl::StatusOr<v1::Product> NewProduct(const std::string& sku, const std::string& category,
                                         int64_t yuan, const std::string& request_id = "") {
    v1::CreateProductRequest req;
    req.set_request_id(request_id);
    v1::Product* p = req.mutable_product();
    p->set_sku(sku);
    p->set_display_name("产品 " + sku);
    p->set_category(category);
    p->set_unit("台");
    *p->add_list_prices() = Yuan(yuan);
    v1::Product out;
    CRM_RETURN_IF_ERROR(service_->DoCreateProduct(manager_, req, &out));
    return out;
  }

  absl::StatusOr<v1::ProductPrice> SetPrice(const std::string& product, int64_t yuan,
                                            std::optional<absl::Time> effective = std::nullopt) {
    v1::SetProductPriceRequest req;
    req.set_product(product);
    *req.mutable_price()->mutable_price() = Yuan(yuan);
    if (effective) *req.mutable_price()->mutable_effective_time() = ToTimestamp(*effective);
    v1::ProductPrice out;
    CRM_RETURN_IF_ERROR(service_->DoSetProductPrice(admin_, req, &out));
    return out;
  }

  // The CNY price of `product` at `at`, in whole yuan, or -1 with the status when none.
  int64_t YuanAt(const std::string& product, absl::Time at, const auth::Caller* as = nullptr) {
    v1::GetProductPriceRequest req;
    req.set_product(product);
    req.set_currency_code("CNY");
    *req.mutable_at_time() = ToTimestamp(at);
    v1::ProductPrice out;
    absl::Status st = service_->DoGetProductPrice(as ? *as : rep_, req, &out);
    if (!st.ok()) return -1;
    return out.price().units();
  }

  std::vector<std::string> ListSkus(const std::string& filter, const auth::Caller& as,
                                    const v1::PriceRange* range = nullptr) {
    std::vector<std::string> skus;
    v1::ListProductsRequest req;
    req.set_filter(filter);
    req.set_order_by("sku");
    req.set_page_size(2);
    if (range) *req.mutable_price_range() = *range;
    for (int guard = 0; guard < 50; ++guard) {
      v1::ListProductsResponse resp;
      absl::Status st = service_->DoListProducts(as, req, &resp);
      EXPECT_TRUE(st.ok()) << st;
      for (const auto& p : resp.products()) skus.push_back(p.sku());
      if (!st.ok() || resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return skus;
  }

  int64_t CountRows(const std::string& sql) {
    auto session = test_->pool().Borrow();
    auto rows = (*session)->Query(sql, {});
    return rows.ok() ? (*rows)[0].Int(0) : -1;
  }

  std::unique_ptr<service::testing::TestKit> test_;
  std::unique_ptr<CatalogStore> store_;
  std::unique_ptr<CatalogService> service_;
  const auth::Caller admin_ = MakeCaller(1, auth::v1::ADMIN);
  const auth::Caller manager_ = MakeCaller(10, auth::v1::SALES_MANAGER, "teams/1", {"teams/1"});
  const auth::Caller rep_ = MakeCaller(11, auth::v1::SALES_REP, "teams/1");
  const auth::Caller marketing_ = MakeCaller(30, auth::v1::MARKETING);
};

TEST_F(CatalogTest, PricesAnswerForTheMomentAskedAbout) {
  auto office = NewCategory("办公设备");
  ASSERT_TRUE(office.ok()) << office.status();
  const absl::Time t0 = test_->clock().Now();
  auto printer = NewProduct("LJ-2200", office->name(), 2999);
  ASSERT_TRUE(printer.ok()) << printer.status();
  ASSERT_EQ(printer->list_prices_size(), 1);
  EXPECT_EQ(printer->list_prices(0).units(), 2999);

  test_->clock().Advance(absl::Hours(24 * 30));
  const absl::Time t1 = test_->clock().Now();
  ASSERT_TRUE(SetPrice(printer->name(), 2799).ok());
  test_->clock().Advance(absl::Hours(24 * 30));
  const absl::Time t2 = test_->clock().Now();
  ASSERT_TRUE(SetPrice(printer->name(), 2599).ok());
  test_->clock().Advance(absl::Hours(1));

  EXPECT_EQ(YuanAt(printer->name(), t0 - absl::Seconds(1)), -1) << "no price before the first";
  EXPECT_EQ(YuanAt(printer->name(), t0 + absl::Hours(1)), 2999);
  EXPECT_EQ(YuanAt(printer->name(), t1 - absl::Microseconds(1)), 2999);
  EXPECT_EQ(YuanAt(printer->name(), t1), 2799);
  EXPECT_EQ(YuanAt(printer->name(), t2 + absl::Hours(1)), 2599);

  // A price scheduled for next month is in the history but not in force yet.
  ASSERT_TRUE(SetPrice(printer->name(), 2399, test_->clock().Now() + absl::Hours(24 * 30)).ok());
  EXPECT_EQ(YuanAt(printer->name(), test_->clock().Now()), 2599);
  v1::GetProductRequest get;
  get.set_name(printer->name());
  v1::Product now;
  ASSERT_TRUE(service_->DoGetProduct(rep_, get, &now).ok());
  ASSERT_EQ(now.list_prices_size(), 1);
  EXPECT_EQ(now.list_prices(0).units(), 2599);
  test_->clock().Advance(absl::Hours(24 * 31));
  EXPECT_EQ(YuanAt(printer->name(), test_->clock().Now()), 2399);

  v1::ListProductPricesRequest history;
  history.set_product(printer->name());
  v1::ListProductPricesResponse listed;
  ASSERT_TRUE(service_->DoListProductPrices(rep_, history, &listed).ok());
  ASSERT_EQ(listed.prices_size(), 4);
  EXPECT_EQ(listed.prices(0).price().units(), 2399) << "newest effective time first";
  EXPECT_EQ(listed.prices(3).price().units(), 2999);
}

TEST_F(CatalogTest, OnlyCatalogEditorsSeeInactiveProducts) {
  auto office = NewCategory("办公设备");
  ASSERT_TRUE(office.ok()) << office.status();
  auto old_model = NewProduct("OLD-1", office->name(), 100);
  ASSERT_TRUE(old_model.ok()) << old_model.status();
  ASSERT_TRUE(NewProduct("NEW-1", office->name(), 200).ok());
  v1::UpdateProductRequest deactivate;
  deactivate.mutable_product()->set_name(old_model->name());
  deactivate.mutable_product()->set_active(false);
  deactivate.mutable_update_mask()->add_paths("active");
  v1::Product updated;
  ASSERT_TRUE(service_->DoUpdateProduct(admin_, deactivate, &updated).ok());
  EXPECT_FALSE(updated.active());

  v1::GetProductRequest get;
  get.set_name(old_model->name());
  v1::Product out;
  absl::Status hidden = service_->DoGetProduct(rep_, get, &out);
  EXPECT_EQ(hidden.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(hidden), "PRODUCT_NOT_FOUND");
  EXPECT_EQ(YuanAt(old_model->name(), test_->clock().Now()), -1);
  EXPECT_TRUE(service_->DoGetProduct(manager_, get, &out).ok());
  EXPECT_EQ(ListSkus("", rep_), std::vector<std::string>{"NEW-1"});
  EXPECT_EQ(ListSkus("", manager_), (std::vector<std::string>{"NEW-1", "OLD-1"}));
  EXPECT_EQ(ListSkus("active = false", marketing_), std::vector<std::string>{});
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM outbox WHERE event_type = "
                      "'crm.knowledge.v1.ProductDeactivated'"),
            1);
}

TEST_F(CatalogTest, OnlyAdminsAndManagersChangeTheCatalog) {
  auto office = NewCategory("办公设备");
  ASSERT_TRUE(office.ok());
  for (const auth::Caller* caller : {&rep_, &marketing_}) {
    EXPECT_EQ(NewCategory("别的", "", caller).status().code(), absl::StatusCode::kPermissionDenied);
    v1::CreateProductRequest req;
    v1::Product out;
    EXPECT_EQ(service_->DoCreateProduct(*caller, req, &out).code(),
              absl::StatusCode::kPermissionDenied);
    v1::SetProductPriceRequest price;
    v1::ProductPrice added;
    EXPECT_EQ(service_->DoSetProductPrice(*caller, price, &added).code(),
              absl::StatusCode::kPermissionDenied);
  }
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM products"), 0);
}

TEST_F(CatalogTest, FiltersByCategorySubtreeAndCurrentPrice) {
  auto office = NewCategory("办公设备");
  ASSERT_TRUE(office.ok()) << office.status();
  auto printers = NewCategory("打印机", office->name());
  auto laser = NewCategory("激光打印机", printers->name());
  auto software = NewCategory("软件");
  ASSERT_TRUE(laser.ok() && software.ok());
  EXPECT_EQ(laser->path(), "办公设备 / 打印机 / 激光打印机");
  ASSERT_TRUE(NewProduct("P-1", laser->name(), 1500).ok());
  ASSERT_TRUE(NewProduct("P-2", printers->name(), 800).ok());
  ASSERT_TRUE(NewProduct("S-1", software->name(), 3000).ok());

  EXPECT_EQ(ListSkus("categories:\"" + office->name() + "\"", rep_),
            (std::vector<std::string>{"P-1", "P-2"}));
  EXPECT_EQ(ListSkus("category = \"" + printers->name() + "\"", rep_),
            std::vector<std::string>{"P-2"});
  v1::PriceRange range;
  *range.mutable_min() = Yuan(1000);
  *range.mutable_max() = Yuan(3000);
  EXPECT_EQ(ListSkus("", rep_, &range), (std::vector<std::string>{"P-1", "S-1"}));
  *range.mutable_max() = Yuan(2999, 990'000'000);
  EXPECT_EQ(ListSkus("", rep_, &range), std::vector<std::string>{"P-1"});
}

TEST_F(CatalogTest, TheCategoryTreeStaysATree) {
  auto a = NewCategory("A");
  ASSERT_TRUE(a.ok()) << a.status();
  auto b = NewCategory("B", a->name());
  auto c = NewCategory("C", b->name());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(NewCategory("B", a->name()).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorReason(NewCategory("b", a->name()).status()), "CATEGORY_NAME_TAKEN")
      << "sibling names are unique regardless of case";

  v1::UpdateCategoryRequest move;
  move.mutable_category()->set_name(a->name());
  move.mutable_category()->set_parent(c->name());
  move.mutable_update_mask()->add_paths("parent");
  v1::Category out;
  absl::Status cycle = service_->DoUpdateCategory(admin_, move, &out);
  EXPECT_EQ(cycle.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(cycle), "CATEGORY_CYCLE");

  // Renaming a category rewrites the paths below it.
  v1::UpdateCategoryRequest rename;
  rename.mutable_category()->set_name(a->name());
  rename.mutable_category()->set_display_name("Top");
  rename.mutable_update_mask()->add_paths("display_name");
  ASSERT_TRUE(service_->DoUpdateCategory(admin_, rename, &out).ok());
  v1::GetCategoryRequest get;
  get.set_name(c->name());
  ASSERT_TRUE(service_->DoGetCategory(rep_, get, &out).ok());
  EXPECT_EQ(out.path(), "Top / B / C");

  // Moving B to the top level takes C with it.
  v1::UpdateCategoryRequest to_top;
  to_top.mutable_category()->set_name(b->name());
  to_top.mutable_category()->set_parent("");
  to_top.mutable_update_mask()->add_paths("parent");
  ASSERT_TRUE(service_->DoUpdateCategory(admin_, to_top, &out).ok());
  ASSERT_TRUE(service_->DoGetCategory(rep_, get, &out).ok());
  EXPECT_EQ(out.path(), "B / C");
  ASSERT_TRUE(NewProduct("C-1", c->name(), 1).ok());
  EXPECT_TRUE(ListSkus("categories:\"" + a->name() + "\"", rep_).empty());
  EXPECT_EQ(ListSkus("categories:\"" + b->name() + "\"", rep_), std::vector<std::string>{"C-1"});

  v1::DeleteCategoryRequest del;
  del.set_name(b->name());
  google::protobuf::Empty empty;
  absl::Status not_empty = service_->DoDeleteCategory(admin_, del, &empty);
  EXPECT_EQ(ErrorReason(not_empty), "CATEGORY_NOT_EMPTY");
  del.set_name(a->name());
  EXPECT_TRUE(service_->DoDeleteCategory(admin_, del, &empty).ok());
}

TEST_F(CatalogTest, SkusAreUniqueAndRetriesDoNotDuplicate) {
  auto office = NewCategory("办公设备");
  ASSERT_TRUE(office.ok()) << office.status();
  auto first = NewProduct("LJ-1", office->name(), 10, "create-lj-1");
  ASSERT_TRUE(first.ok()) << first.status();
  auto retry = NewProduct("LJ-1", office->name(), 10, "create-lj-1");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->name(), first->name());
  absl::Status taken = NewProduct("lj-1", office->name(), 10).status();
  EXPECT_EQ(taken.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorReason(taken), "SKU_TAKEN");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM products"), 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM product_prices"), 1);

  absl::Status no_category = NewProduct("LJ-2", "categories/999", 10).status();
  EXPECT_EQ(no_category.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(FieldViolations(no_category).size(), 1u);
  EXPECT_EQ(FieldViolations(no_category)[0].field, "product.category");
}

TEST_F(CatalogTest, BadMoneyIsRefusedWithAFieldViolationAndNothingWritten) {
  auto office = NewCategory("办公设备");
  ASSERT_TRUE(office.ok()) << office.status();
  auto product = NewProduct("LJ-1", office->name(), 10);
  ASSERT_TRUE(product.ok()) << product.status();
  struct Case {
    const char* currency;
    int64_t units;
    int32_t nanos;
    const char* field;
  };
  for (const Case& c : {Case{"CNY", -5, 0, "price.price"}, Case{"XYZ", 5, 0, "price.price.currency_code"},
                        Case{"CNY", 5, 5'000'000, "price.price"}, Case{"JPY", 5, 100'000'000, "price.price"}}) {
    v1::SetProductPriceRequest req;
    req.set_product(product->name());
    req.mutable_price()->mutable_price()->set_currency_code(c.currency);
    req.mutable_price()->mutable_price()->set_units(c.units);
    req.mutable_price()->mutable_price()->set_nanos(c.nanos);
    v1::ProductPrice out;
    absl::Status st = service_->DoSetProductPrice(admin_, req, &out);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.currency << c.units;
    ASSERT_EQ(FieldViolations(st).size(), 1u) << st;
    EXPECT_EQ(FieldViolations(st)[0].field, c.field);
  }
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM product_prices"), 1);
}

}  // namespace
}  // namespace crm::knowledge
