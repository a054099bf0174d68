// Input rules for the catalog: what a valid category, product and price are, and the normal
// form they are stored in. The limits are the ones documented in
// proto/crm/knowledge/v1/knowledge.proto.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "crm/knowledge/v1/knowledge.pb.h"
#include "libs/api/fields.h"

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

// The fields an update may change (its update_mask paths; "*" means all of them), which are
// also the paths an update event reports as changed.
const std::set<std::string>& CategoryUpdatablePaths();
const std::set<std::string>& ProductUpdatablePaths();

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

// A moment a client names (a price's effective_time, a lookup's at_time): between 1970 and
// 9999, the times the price history holds. A violation on `field` otherwise.
void CheckMoment(const google::protobuf::Timestamp& time, std::string_view field,
                 api::FieldChecker& check);

// The currency of a price lookup (GetProductPrice, ListProductPrices), trimmed: any
// well-formed ISO 4217 code, retired ones included, since the history keeps what was entered
// in a currency after it is withdrawn (new prices need one in use today: ValidatePrice).
// Violations on `field`; empty fails when `required`.
std::string LookupCurrency(const std::string& code, bool required, std::string_view field,
                           api::FieldChecker& check);

}  // namespace crm::knowledge
