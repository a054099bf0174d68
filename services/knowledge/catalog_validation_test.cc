#include "services/knowledge/catalog_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/grpc/status.h"

namespace crm::knowledge {
namespace {

using ::testing::UnorderedElementsAre;

std::vector<std::string> Fields(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolations(status)) fields.push_back(v.field);
  return fields;
}

v1::Product ValidProduct() {
  v1::Product p;
  p.set_sku(" LJ-2200n ");
  p.set_display_name("  激光打印机 LJ-2200n ");
  p.set_category("categories/3");
  p.set_unit("台");
  p.add_features("每分钟 30 页");
  return p;
}

TEST(CatalogValidationTest, AValidProductIsTrimmedAndAccepted) {
  v1::Product p = ValidProduct();
  ASSERT_TRUE(NormalizeAndValidateProduct(p, "product").ok());
  EXPECT_EQ(p.sku(), "LJ-2200n");
  EXPECT_EQ(p.display_name(), "激光打印机 LJ-2200n");
}

TEST(CatalogValidationTest, EveryBadFieldIsNamedAtOnce) {
  v1::Product p;
  p.set_sku("bad sku!");
  p.set_category("products/3");
  p.set_unit(std::string(17, 'x'));
  for (int i = 0; i < 21; ++i) p.add_features("f");
  p.add_advantages("");
  absl::Status st = NormalizeAndValidateProduct(p, "product");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(st),
              UnorderedElementsAre("product.sku", "product.display_name", "product.category",
                                   "product.unit", "product.features",
                                   "product.advantages[0]"));
}

TEST(CatalogValidationTest, InitialPricesAreWholeMinorUnitsOnePerCurrency) {
  v1::Product p = ValidProduct();
  auto* cny = p.add_list_prices();
  cny->set_currency_code("CNY");
  cny->set_units(2999);
  auto* usd = p.add_list_prices();
  usd->set_currency_code("USD");
  usd->set_units(429);
  usd->set_nanos(990'000'000);
  absl::StatusOr<std::map<std::string, int64_t>> prices = ValidateInitialPrices(p, "product");
  ASSERT_TRUE(prices.ok()) << prices.status();
  EXPECT_EQ(*prices, (std::map<std::string, int64_t>{{"CNY", 299900}, {"USD", 42999}}));

  auto* again = p.add_list_prices();
  again->set_currency_code("CNY");
  again->set_units(1);
  auto* negative = p.add_list_prices();
  negative->set_currency_code("USD");
  negative->set_units(-1);
  auto* unknown = p.add_list_prices();
  unknown->set_currency_code("ABC");
  auto* fraction = p.add_list_prices();
  fraction->set_currency_code("CNY");
  fraction->set_nanos(1'000'000);
  EXPECT_THAT(Fields(ValidateInitialPrices(p, "product").status()),
              UnorderedElementsAre("product.list_prices[2]", "product.list_prices[3]",
                                   "product.list_prices[4].currency_code",
                                   "product.list_prices[5]"));
}

TEST(CatalogValidationTest, CategoriesNeedANameAndAProperParent) {
  v1::Category c;
  c.set_display_name(" 打印机 ");
  c.set_parent("categories/1");
  ASSERT_TRUE(NormalizeAndValidateCategory(c, "category").ok());
  EXPECT_EQ(c.display_name(), "打印机");
  c.set_display_name("");
  c.set_parent("teams/1");
  EXPECT_THAT(Fields(NormalizeAndValidateCategory(c, "category")),
              UnorderedElementsAre("category.display_name", "category.parent"));
}

TEST(CatalogValidationTest, APriceEntryNeedsAnAmount) {
  v1::ProductPrice price;
  EXPECT_THAT(Fields(ValidatePrice(price, "price").status()), UnorderedElementsAre("price.price"));
  price.mutable_price()->set_currency_code("JPY");
  price.mutable_price()->set_units(500);
  absl::StatusOr<int64_t> minor = ValidatePrice(price, "price");
  ASSERT_TRUE(minor.ok());
  EXPECT_EQ(*minor, 500);
}

}  // namespace
}  // namespace crm::knowledge
