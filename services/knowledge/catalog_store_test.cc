// CatalogService and CatalogStore against a real MariaDB schema: the category tree, products
// with their price history, who sees inactive products, and the write rules.
#include <gtest/gtest.h>

#include <thread>

#include "absl/synchronization/notification.h"
#include "libs/api/resource.h"
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

  // The CNY price of `product` at `at` (now when unset) as `as` (a rep by default) asks.
  absl::StatusOr<v1::ProductPrice> PriceAt(const std::string& product, std::optional<absl::Time> at,
                                           const auth::Caller* as = nullptr,
                                           const std::string& currency = "CNY") {
    v1::GetProductPriceRequest req;
    req.set_product(product);
    req.set_currency_code(currency);
    if (at) *req.mutable_at_time() = ToTimestamp(*at);
    v1::ProductPrice out;
    CRM_RETURN_IF_ERROR(service_->DoGetProductPrice(as ? *as : rep_, req, &out));
    return out;
  }

  // The CNY price of `product` at `at`, in whole yuan, or -1 when there is none.
  int64_t YuanAt(const std::string& product, absl::Time at, const auth::Caller* as = nullptr) {
    absl::StatusOr<v1::ProductPrice> price = PriceAt(product, at, as);
    if (!price.ok()) return -1;
    return price->price().units();
  }

  // The history of `product` as `as` lists it: the whole yuan of each entry, newest first.
  absl::StatusOr<std::vector<int64_t>> History(const std::string& product, const auth::Caller& as,
                                               const std::string& currency = "") {
    v1::ListProductPricesRequest req;
    req.set_product(product);
    req.set_currency_code(currency);
    v1::ListProductPricesResponse resp;
    CRM_RETURN_IF_ERROR(service_->DoListProductPrices(as, req, &resp));
    std::vector<int64_t> yuan;
    for (const v1::ProductPrice& p : resp.prices()) yuan.push_back(p.price().units());
    return yuan;
  }

  absl::Status Move(const std::string& category, const std::string& parent) {
    v1::UpdateCategoryRequest move;
    move.mutable_category()->set_name(category);
    move.mutable_category()->set_parent(parent);
    move.mutable_update_mask()->add_paths("parent");
    v1::Category out;
    return service_->DoUpdateCategory(admin_, move, &out);
  }

  absl::StatusOr<v1::Category> GetCategory(const std::string& name) {
    v1::GetCategoryRequest get;
    get.set_name(name);
    v1::Category out;
    CRM_RETURN_IF_ERROR(service_->DoGetCategory(rep_, get, &out));
    return out;
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

  int64_t CountRows(const std::string& sql, const std::vector<db::Value>& params = {}) {
    auto session = test_->pool().Borrow();
    auto rows = (*session)->Query(sql, params);
    return rows.ok() ? (*rows)[0].Int(0) : -1;
  }

  // Statements of this test's schema in progress on other connections: the writers a test
  // holds behind a lock (nothing else runs meanwhile). INNODB_TRX is not used: a waiting
  // transaction that has not been assigned an id yet is missing from it.
  int64_t LockWaits() {
    return CountRows(
        "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND "
        "COMMAND IN ('Query', 'Execute') AND ID <> CONNECTION_ID()");
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
  // It cannot be priced for now or later, except by those who manage the catalog.
  EXPECT_EQ(ErrorReason(PriceAt(old_model->name(), std::nullopt).status()), "PRODUCT_NOT_FOUND");
  EXPECT_EQ(ErrorReason(PriceAt(old_model->name(), test_->clock().Now()).status()),
            "PRODUCT_NOT_FOUND");
  EXPECT_EQ(YuanAt(old_model->name(), test_->clock().Now(), &manager_), 100);
  EXPECT_TRUE(service_->DoGetProduct(manager_, get, &out).ok());
  EXPECT_EQ(ListSkus("", rep_), std::vector<std::string>{"NEW-1"});
  EXPECT_EQ(ListSkus("", manager_), (std::vector<std::string>{"NEW-1", "OLD-1"}));
  EXPECT_EQ(ListSkus("active = false", marketing_), std::vector<std::string>{});
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM outbox WHERE event_type = "
                      "'crm.knowledge.v1.ProductDeactivated'"),
            1);
}

TEST_F(CatalogTest, TheHistoryOfADeactivatedProductStaysReadable) {
  auto office = NewCategory("办公设备");
  ASSERT_TRUE(office.ok()) << office.status();
  const absl::Time created = test_->clock().Now();
  auto old_model = NewProduct("OLD-2", office->name(), 100);
  ASSERT_TRUE(old_model.ok()) << old_model.status();
  test_->clock().Advance(absl::Hours(24 * 10));
  ASSERT_TRUE(SetPrice(old_model->name(), 90).ok());
  test_->clock().Advance(absl::Hours(24 * 10));
  v1::UpdateProductRequest deactivate;
  deactivate.mutable_product()->set_name(old_model->name());
  deactivate.mutable_product()->set_active(false);
  deactivate.mutable_update_mask()->add_paths("active");
  v1::Product updated;
  ASSERT_TRUE(service_->DoUpdateProduct(admin_, deactivate, &updated).ok());
  test_->clock().Advance(absl::Hours(1));

  // An order placed before it was deactivated still shows the price of its day, whoever asks.
  for (const auth::Caller* reader : {&rep_, &marketing_, &manager_}) {
    EXPECT_EQ(YuanAt(old_model->name(), created + absl::Hours(24), reader), 100);
    EXPECT_EQ(YuanAt(old_model->name(), created + absl::Hours(24 * 15), reader), 90);
    absl::StatusOr<std::vector<int64_t>> history = History(old_model->name(), *reader);
    ASSERT_TRUE(history.ok()) << history.status();
    EXPECT_EQ(*history, (std::vector<int64_t>{90, 100}));
  }
  // Even a moment ago is the past; now is not.
  EXPECT_EQ(YuanAt(old_model->name(), test_->clock().Now() - absl::Microseconds(1)), 90);
  EXPECT_EQ(YuanAt(old_model->name(), test_->clock().Now()), -1);
  // A product that never existed is still not found, past or not.
  EXPECT_EQ(ErrorReason(PriceAt("products/999", created).status()), "PRODUCT_NOT_FOUND");
  EXPECT_EQ(ErrorReason(History("products/999", rep_).status()), "PRODUCT_NOT_FOUND");
}

TEST_F(CatalogTest, AtTimeMustBeBetween1970And9999) {
  auto office = NewCategory("办公设备");
  ASSERT_TRUE(office.ok()) << office.status();
  auto product = NewProduct("AT-1", office->name(), 10);
  ASSERT_TRUE(product.ok()) << product.status();
  for (const auto& [seconds, nanos] : {std::pair<int64_t, int32_t>{-1, 0},
                                       {253402300800, 0},  // 10000-01-01
                                       {0, -1},
                                       {0, 1'000'000'000}}) {
    v1::GetProductPriceRequest req;
    req.set_product(product->name());
    req.set_currency_code("CNY");
    req.mutable_at_time()->set_seconds(seconds);
    req.mutable_at_time()->set_nanos(nanos);
    v1::ProductPrice out;
    absl::Status st = service_->DoGetProductPrice(rep_, req, &out);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << seconds << "." << nanos;
    ASSERT_EQ(FieldViolations(st).size(), 1u) << st;
    EXPECT_EQ(FieldViolations(st)[0].field, "at_time");
  }
  // The ends of the range are moments like any other: no price then.
  EXPECT_EQ(ErrorReason(PriceAt(product->name(), absl::FromUnixSeconds(0)).status()),
            "PRICE_NOT_FOUND");
  EXPECT_EQ(YuanAt(product->name(), absl::FromUnixSeconds(253402300799)), 10);
}

TEST_F(CatalogTest, PricesInARetiredCurrencyCanStillBeLookedUp) {
  auto office = NewCategory("办公设备");
  ASSERT_TRUE(office.ok()) << office.status();
  auto product = NewProduct("DM-1", office->name(), 10);
  ASSERT_TRUE(product.ok()) << product.status();
  // No new price in Deutsche Mark...
  v1::SetProductPriceRequest set;
  set.set_product(product->name());
  set.mutable_price()->mutable_price()->set_currency_code("DEM");
  set.mutable_price()->mutable_price()->set_units(5);
  v1::ProductPrice added;
  absl::Status refused = service_->DoSetProductPrice(admin_, set, &added);
  ASSERT_EQ(FieldViolations(refused).size(), 1u) << refused;
  EXPECT_EQ(FieldViolations(refused)[0].field, "price.price.currency_code");
  // ...but one entered while it was in use (written here as it would have been then) is
  // found by its code.
  ASSERT_EQ(CountRows("SELECT COUNT(*) FROM products"), 1);
  {
    auto session = test_->pool().Borrow();
    ASSERT_TRUE(session.ok());
    ASSERT_TRUE((*session)
                    ->Execute("INSERT INTO product_prices (product_id, currency, amount_minor, "
                              "effective_time, creator, create_time) SELECT id, 'DEM', 1550, "
                              "'1998-01-01 00:00:00', 'users/1', '1998-01-01 00:00:00' FROM "
                              "products",
                              {})
                    .ok());
  }
  absl::StatusOr<v1::ProductPrice> mark =
      PriceAt(product->name(), absl::FromCivil(absl::CivilDay(1999, 1, 1), absl::UTCTimeZone()),
              &rep_, "DEM");
  ASSERT_TRUE(mark.ok()) << mark.status();
  EXPECT_EQ(mark->price().currency_code(), "DEM");
  EXPECT_EQ(mark->price().units(), 15);
  EXPECT_EQ(mark->price().nanos(), 500'000'000);
  absl::StatusOr<std::vector<int64_t>> history = History(product->name(), rep_, "DEM");
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(*history, std::vector<int64_t>{15});
  // A code that is not one is still refused, as a field violation.
  for (const char* bad : {"dem", "DM", "DEMX", "D3M"}) {
    absl::Status st = PriceAt(product->name(), std::nullopt, &rep_, bad).status();
    ASSERT_EQ(FieldViolations(st).size(), 1u) << bad << ": " << st;
    EXPECT_EQ(FieldViolations(st)[0].field, "currency_code") << bad;
    EXPECT_EQ(ErrorReason(History(product->name(), rep_, bad).status()), "INVALID_ARGUMENT") << bad;
  }
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
  for (const Case& c :
       {Case{"CNY", -5, 0, "price.price"}, Case{"XYZ", 5, 0, "price.price.currency_code"},
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

// The write paths lock the category they place a product in (shared), so a DeleteCategory
// holding it (exclusively) makes them wait and then find it gone, instead of reading past the
// lock and leaving a product in a deleted category.
TEST_F(CatalogTest, AProductCreatedWhileItsCategoryIsDeletedWaitsAndFindsItGone) {
  auto doomed = NewCategory("将删除");
  ASSERT_TRUE(doomed.ok()) << doomed.status();
  auto kept = NewCategory("保留");
  ASSERT_TRUE(kept.ok()) << kept.status();
  auto moving = NewProduct("MOVE-1", kept->name(), 1);
  ASSERT_TRUE(moving.ok()) << moving.status();
  const int64_t doomed_id = api::ParseResourceId(doomed->name(), "categories").value();

  // DeleteCategory half done: the category locked as it locks it, and deleted, not committed.
  auto deleting = test_->pool().Begin();
  ASSERT_TRUE(deleting.ok()) << deleting.status();
  ASSERT_TRUE(
      (*deleting)->Query("SELECT id FROM categories WHERE id = ? FOR UPDATE", {doomed_id}).ok());
  absl::StatusOr<v1::Product> created;
  absl::Status moved;
  absl::Notification create_done, move_done;
  std::thread create([&] {
    created = NewProduct("RACE-1", doomed->name(), 1);
    create_done.Notify();
  });
  std::thread move([&] {
    v1::UpdateProductRequest req;
    req.mutable_product()->set_name(moving->name());
    req.mutable_product()->set_category(doomed->name());
    req.mutable_update_mask()->add_paths("category");
    v1::Product out;
    moved = service_->DoUpdateProduct(admin_, req, &out);
    move_done.Notify();
  });
  // Both must queue behind the lock; one that read past it finishes instead.
  while (LockWaits() < 2 && !create_done.HasBeenNotified() && !move_done.HasBeenNotified()) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_FALSE(create_done.HasBeenNotified()) << "CreateProduct did not wait for the lock";
  EXPECT_FALSE(move_done.HasBeenNotified()) << "UpdateProduct did not wait for the lock";
  ASSERT_TRUE((*deleting)->Execute("DELETE FROM categories WHERE id = ?", {doomed_id}).ok());
  ASSERT_TRUE((*deleting)->Commit().ok());
  create.join();
  move.join();

  for (const absl::Status& st : {created.status(), moved}) {
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
    ASSERT_EQ(FieldViolations(st).size(), 1u) << st;
    EXPECT_EQ(FieldViolations(st)[0].field, "product.category");
  }
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM products WHERE category_id = ?", {doomed_id}), 0);
}

// And the other way round: DeleteCategory counts only once it holds the category, so a
// product being added (its writer holding the category shared) is counted, not missed.
TEST_F(CatalogTest, ACategoryDeletedWhileAProductIsAddedWaitsAndIsNotEmpty) {
  auto busy = NewCategory("忙碌");
  ASSERT_TRUE(busy.ok()) << busy.status();
  const int64_t busy_id = api::ParseResourceId(busy->name(), "categories").value();
  // CreateProduct half done: the category share-locked as it locks it, the product inserted.
  auto adding = test_->pool().Begin();
  ASSERT_TRUE(adding.ok()) << adding.status();
  ASSERT_TRUE((*adding)
                  ->Query("SELECT id FROM categories WHERE id = ? LOCK IN SHARE MODE", {busy_id})
                  .ok());
  ASSERT_TRUE((*adding)
                  ->Execute("INSERT INTO products (sku, display_name, description, category_id, "
                            "unit, features, advantages, use_cases, creator, create_time, "
                            "update_time) VALUES ('HALF-1', 'x', '', ?, '台', '', '', '', "
                            "'users/1', NOW(6), NOW(6))",
                            {busy_id})
                  .ok());
  absl::Status deleted;
  absl::Notification done;
  std::thread remove([&] {
    v1::DeleteCategoryRequest del;
    del.set_name(busy->name());
    google::protobuf::Empty empty;
    deleted = service_->DoDeleteCategory(admin_, del, &empty);
    done.Notify();
  });
  // It must queue behind the lock; one that read past it finishes instead.
  while (LockWaits() < 1 && !done.HasBeenNotified()) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_FALSE(done.HasBeenNotified()) << "DeleteCategory did not wait for the lock";
  ASSERT_TRUE((*adding)->Commit().ok());
  remove.join();
  EXPECT_EQ(ErrorReason(deleted), "CATEGORY_NOT_EMPTY") << deleted;
  EXPECT_TRUE(GetCategory(busy->name()).ok());
}

TEST_F(CatalogTest, TwoMovesThatWouldCloseACycleDoNot) {
  auto x = NewCategory("X");
  auto y = NewCategory("Y");
  ASSERT_TRUE(x.ok() && y.ok());
  auto z = NewCategory("Z", y->name());
  ASSERT_TRUE(z.ok()) << z.status();
  // X under Z; then Y (Z's parent, so now X's grandparent) under X would close the loop
  // Y → Z → X → Y: the second move reads X's ancestors after locking X, so it sees the first.
  ASSERT_TRUE(Move(x->name(), z->name()).ok());
  absl::Status cycle = Move(y->name(), x->name());
  EXPECT_EQ(cycle.code(), absl::StatusCode::kFailedPrecondition) << cycle;
  EXPECT_EQ(ErrorReason(cycle), "CATEGORY_CYCLE");
  auto x_now = GetCategory(x->name());
  auto y_now = GetCategory(y->name());
  ASSERT_TRUE(x_now.ok() && y_now.ok());
  EXPECT_EQ(x_now->path(), "Y / Z / X");
  EXPECT_EQ(y_now->path(), "Y");
  EXPECT_EQ(y_now->parent(), "");
}

TEST_F(CatalogTest, ADeepTreeMovesWholeAndStopsAtEightLevels) {
  // A chain of the deepest allowed tree: L1 / L2 / ... / L8.
  std::vector<v1::Category> chain;
  for (int level = 1; level <= 8; ++level) {
    auto c = NewCategory("L" + std::to_string(level), level == 1 ? "" : chain.back().name());
    ASSERT_TRUE(c.ok()) << level << ": " << c.status();
    chain.push_back(*c);
  }
  EXPECT_EQ(ErrorReason(NewCategory("L9", chain.back().name()).status()), "INVALID_ARGUMENT");
  // Moving the whole chain under a new top level would make nine levels: refused.
  auto top = NewCategory("Top");
  ASSERT_TRUE(top.ok()) << top.status();
  absl::Status too_deep = Move(chain[0].name(), top->name());
  ASSERT_EQ(FieldViolations(too_deep).size(), 1u) << too_deep;
  EXPECT_EQ(FieldViolations(too_deep)[0].field, "category.parent");
  // Moving L2..L8 (seven levels) under Top fits, and rewrites every level below.
  ASSERT_TRUE(Move(chain[1].name(), top->name()).ok());
  auto deepest = GetCategory(chain.back().name());
  ASSERT_TRUE(deepest.ok()) << deepest.status();
  EXPECT_EQ(deepest->path(), "Top / L2 / L3 / L4 / L5 / L6 / L7 / L8");
  ASSERT_TRUE(NewProduct("DEEP-1", chain.back().name(), 1).ok());
  EXPECT_EQ(ListSkus("categories:\"" + top->name() + "\"", rep_),
            std::vector<std::string>{"DEEP-1"});
  EXPECT_TRUE(ListSkus("categories:\"" + chain[0].name() + "\"", rep_).empty());
}

// The rewrite below a moved or renamed category stops at the depth limit, so even a tree
// broken behind the service's back (a loop written straight into the table) fails the
// change cleanly instead of recursing without end (with a loop the rewrite meets an ancestor
// row it already wrote, or the depth limit, whichever comes first: either way an error).
TEST_F(CatalogTest, RewritingABrokenTreeFailsCleanly) {
  auto a = NewCategory("A");
  ASSERT_TRUE(a.ok()) << a.status();
  auto b = NewCategory("B", a->name());
  ASSERT_TRUE(b.ok()) << b.status();
  const int64_t a_id = api::ParseResourceId(a->name(), "categories").value();
  const int64_t b_id = api::ParseResourceId(b->name(), "categories").value();
  {
    auto session = test_->pool().Borrow();
    ASSERT_TRUE(session.ok());
    ASSERT_TRUE(
        (*session)->Execute("UPDATE categories SET parent_id = ? WHERE id = ?", {b_id, a_id}).ok());
  }
  v1::UpdateCategoryRequest rename;
  rename.mutable_category()->set_name(b->name());
  rename.mutable_category()->set_display_name("B2");
  rename.mutable_update_mask()->add_paths("display_name");
  v1::Category out;
  absl::Status st = service_->DoUpdateCategory(admin_, rename, &out);
  EXPECT_FALSE(st.ok()) << "a rename through a loop must fail";
  auto unchanged = GetCategory(b->name());
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged->display_name(), "B") << "nothing half-written";
}

}  // namespace
}  // namespace crm::knowledge
