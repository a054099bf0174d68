// Input rules for the catalog: what a valid category, product and price are, and the normal
// form they are stored in. The limits are the ones documented in
// proto/crm/knowledge/v1/knowledge.proto.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "crm/knowledge/v1/knowledge.pb.h"

namespace crm::knowledge {

struct CatalogLimits {
  static constexpr int kCategoryName = 64;
  static constexpr int kCategoryDepth = 8;
  static constexpr int kSku = 64;
  static constexpr int kDisplayName = 200;
  static constexpr int kDescription = 4000;
  static constexpr int kUnit = 16;
  static constexpr int kListItems = 20;  // features, advantages, use cases: each
  static constexpr int kListItem = 200;
  static constexpr int kExternalId = 64;
  static constexpr int kInitialPrices = 10;
};

// Normalises and checks a category's own fields (display_name, parent), reporting every
// violation at once under `prefix`.
absl::Status NormalizeAndValidateCategory(v1::Category& category, std::string_view prefix);

// The same for a product's fields (not list_prices: see ValidateInitialPrices).
absl::Status NormalizeAndValidateProduct(v1::Product& product, std::string_view prefix);

// A new product's first prices by currency, in minor units: at most 10, one per currency,
// each a valid non-negative amount. Violations under "<prefix>.list_prices[i]".
absl::StatusOr<std::map<std::string, int64_t>> ValidateInitialPrices(const v1::Product& product,
                                                                     std::string_view prefix);

// A price entry's amount in minor units, checked (violations under "<prefix>.price").
absl::StatusOr<int64_t> ValidatePrice(const v1::ProductPrice& price, std::string_view prefix);

}  // namespace crm::knowledge
