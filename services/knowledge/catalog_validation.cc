#include "services/knowledge/catalog_validation.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/api/fields.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/api/text.h"
#include "libs/grpc/status.h"

namespace crm::knowledge {
namespace {

bool ValidSku(std::string_view sku) {
  return !sku.empty() && sku.size() <= CatalogLimits::kSku &&
         std::all_of(sku.begin(), sku.end(), [](unsigned char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
         });
}

void CheckList(google::protobuf::RepeatedPtrField<std::string>* items, std::string_view field,
               api::FieldChecker& check) {
  check.Count(items->size(), field, CatalogLimits::kListItems, "items");
  for (int i = 0; i < items->size(); ++i) {
    check.Text(items->Mutable(i), absl::StrCat(std::string(field), "[", i, "]"),
               CatalogLimits::kListItem, /*required=*/true);
  }
}

}  // namespace

const std::set<std::string>& CategoryUpdatablePaths() {
  static const auto* paths = new std::set<std::string>{"display_name", "parent"};
  return *paths;
}

const std::set<std::string>& ProductUpdatablePaths() {
  static const auto* paths = new std::set<std::string>{
      "sku",      "display_name", "description", "category",   "unit",       "active",
      "features", "advantages",   "use_cases",   "external_id"};
  return *paths;
}

absl::Status NormalizeAndValidateCategory(v1::Category& category, std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  check.Text(category.mutable_display_name(), "display_name", CatalogLimits::kCategoryName, true);
  category.set_parent(api::Trim(category.parent()));
  if (!category.parent().empty() && !api::ParseResourceId(category.parent(), "categories").ok()) {
    check.Add("parent", "must be a category name like \"categories/3\" or empty");
  }
  return violations.ToStatus("invalid category");
}

absl::Status NormalizeAndValidateProduct(v1::Product& product, std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  product.set_sku(api::Trim(product.sku()));
  if (!ValidSku(product.sku())) {
    check.Add("sku", "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-'");
  }
  check.Text(product.mutable_display_name(), "display_name", CatalogLimits::kDisplayName, true);
  check.Text(product.mutable_description(), "description", CatalogLimits::kDescription, false,
             /*multiline=*/true);
  product.set_category(api::Trim(product.category()));
  if (product.category().empty()) {
    check.Add("category", "is required");
  } else if (!api::ParseResourceId(product.category(), "categories").ok()) {
    check.Add("category", "must be a category name like \"categories/3\"");
  }
  check.Text(product.mutable_unit(), "unit", CatalogLimits::kUnit, true);
  CheckList(product.mutable_features(), "features", check);
  CheckList(product.mutable_advantages(), "advantages", check);
  CheckList(product.mutable_use_cases(), "use_cases", check);
  check.Text(product.mutable_external_id(), "external_id", CatalogLimits::kExternalId, false);
  return violations.ToStatus("invalid product");
}

absl::StatusOr<std::map<std::string, int64_t>> ValidateInitialPrices(const v1::Product& product,
                                                                     std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  check.Count(product.list_prices_size(), "list_prices", CatalogLimits::kInitialPrices,
              "prices");
  std::map<std::string, int64_t> prices;
  for (int i = 0; i < product.list_prices_size(); ++i) {
    const std::string field = absl::StrCat("list_prices[", i, "]");
    const common::v1::Money& money = product.list_prices(i);
    std::optional<int64_t> minor = api::ToMinorUnits(money, check, field);
    if (!minor) continue;
    if (!prices.emplace(money.currency_code(), *minor).second) {
      check.Add(field, absl::StrCat("a second price in ", money.currency_code()));
    }
  }
  CRM_RETURN_IF_ERROR(violations.ToStatus("invalid product"));
  return prices;
}

absl::StatusOr<int64_t> ValidatePrice(const v1::ProductPrice& price, std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  std::optional<int64_t> minor;
  if (!price.has_price()) {
    check.Add("price", "is required");
  } else {
    minor = api::ToMinorUnits(price.price(), check, "price");
  }
  if (price.has_effective_time()) CheckMoment(price.effective_time(), "effective_time", check);
  CRM_RETURN_IF_ERROR(violations.ToStatus("invalid price"));
  return *minor;
}

void CheckMoment(const google::protobuf::Timestamp& time, std::string_view field,
                 api::FieldChecker& check) {
  constexpr int64_t kEndOf9999 = 253402300799;  // 9999-12-31T23:59:59Z
  if (time.seconds() < 0 || time.seconds() > kEndOf9999 || time.nanos() < 0 ||
      time.nanos() > 999'999'999) {
    check.Add(field, "must be a time between 1970 and 9999");
  }
}

std::string LookupCurrency(const std::string& code, bool required, std::string_view field,
                           api::FieldChecker& check) {
  std::string currency = api::Trim(code);
  if (currency.empty()) {
    if (required) check.Add(field, "is required");
  } else if (!api::WellFormedCurrency(currency)) {
    check.Add(field, "must be an ISO 4217 currency code: three upper-case letters");
  }
  return currency;
}

}  // namespace crm::knowledge
