// SQL for the catalog: categories (a tree with its ancestors table), products and their
// append-only price history. Every statement is a named constant in catalog_sql.h; every write
// runs in one transaction with its outbox event and idempotency record.
//
// Who may see what is the service's decision (CatalogService); the store takes it as
// `ProductScope` so that an inactive product is filtered out by the same query that reads it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "crm/knowledge/v1/knowledge.pb.h"
#include "libs/api/list.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"

namespace crm::knowledge {

// Which products a reader sees: active ones, or (catalog editors) inactive ones as well.
enum class ProductScope { kActive, kAll };

// A price range in minor units of one currency, for ListProducts.
struct PriceBounds {
  std::string currency;
  int64_t min = 0;
  int64_t max = INT64_MAX;
};

class CatalogStore final {
 public:
  CatalogStore(db::Pool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

  static const api::ListSpec& CategoryListSpec();
  static const api::ListSpec& ProductListSpec();
  static const api::ListSpec& PriceListSpec();

  // ---- Categories. In every write `actor` ("users/7") is who acts, for the event.
  absl::StatusOr<v1::Category> CreateCategory(const v1::Category& category,
                                              std::string_view actor,
                                              const db::IdempotencyKey& key);
  absl::StatusOr<v1::Category> GetCategory(int64_t id);
  absl::StatusOr<api::Page<v1::Category>> ListCategories(const api::ListQuery& query);
  // Locks the category, checks the version, lets `mutate` change display_name and parent,
  // checks the new place (no cycle, depth) and rewrites the paths below it.
  using CategoryMutation = std::function<absl::Status(v1::Category&)>;
  absl::StatusOr<v1::Category> UpdateCategory(int64_t id, std::optional<int64_t> expected_version,
                                              const CategoryMutation& mutate,
                                              std::string_view actor,
                                              const db::IdempotencyKey& key);
  // Deletes an empty category (CATEGORY_NOT_EMPTY otherwise).
  absl::Status DeleteCategory(int64_t id, std::optional<int64_t> expected_version,
                              std::string_view actor, const db::IdempotencyKey& key);

  // ---- Products.
  // Inserts a validated product created by `actor` with its first prices (minor units by
  // currency), effective now.
  absl::StatusOr<v1::Product> CreateProduct(const v1::Product& product,
                                            const std::map<std::string, int64_t>& prices,
                                            std::string_view actor, const db::IdempotencyKey& key);
  // PRODUCT_NOT_FOUND when missing or outside `scope`.
  absl::StatusOr<v1::Product> GetProduct(ProductScope scope, int64_t id);
  absl::StatusOr<api::Page<v1::Product>> ListProducts(ProductScope scope,
                                                      const api::ListQuery& query,
                                                      const std::optional<PriceBounds>& price);
  using ProductMutation = std::function<absl::Status(v1::Product&)>;
  absl::StatusOr<v1::Product> UpdateProduct(int64_t id, std::optional<int64_t> expected_version,
                                            const ProductMutation& mutate, std::string_view actor,
                                            const db::IdempotencyKey& key);

  // ---- Prices.
  // Appends `amount_minor` of `currency` from `effective` on to a product in `scope`
  // (PRODUCT_NOT_FOUND otherwise).
  absl::StatusOr<v1::ProductPrice> SetPrice(ProductScope scope, int64_t product_id,
                                            const std::string& currency, int64_t amount_minor,
                                            absl::Time effective, std::string_view actor,
                                            const db::IdempotencyKey& key);
  // The history of any product, active or not, newest effective time first; only
  // `currency` when not empty. PRODUCT_NOT_FOUND when there is no such product.
  absl::StatusOr<api::Page<v1::ProductPrice>> ListPrices(int64_t product_id,
                                                         const std::string& currency,
                                                         const api::ListQuery& query);
  // The entry in force at `at` of a product in `scope` (PRODUCT_NOT_FOUND otherwise;
  // PRICE_NOT_FOUND when there is none).
  absl::StatusOr<v1::ProductPrice> PriceAt(ProductScope scope, int64_t product_id,
                                           const std::string& currency, absl::Time at);

 private:
  // The live product row within `scope`, optionally locked; PRODUCT_NOT_FOUND otherwise.
  absl::StatusOr<db::Row> ProductRow(db::Session& session, ProductScope scope, int64_t id,
                                     bool lock);
  // Fills list_prices of each product with its prices in force at `now`.
  absl::Status AttachCurrentPrices(db::Session& session, std::vector<v1::Product*> products,
                                   absl::Time now);
  // The category row (locked when `lock`); CATEGORY_NOT_FOUND otherwise.
  absl::StatusOr<db::Row> CategoryRow(db::Session& session, int64_t id, bool lock);
  // The row of category `name`, which a write places something in, share-locked to the end
  // of `tx` (sql::kShareCategory); INVALID_ARGUMENT on `field` unless it exists.
  absl::StatusOr<db::Row> ShareCategory(db::Transaction& tx, const std::string& name,
                                        std::string_view field);
  // Rewrites the ancestors of `id` (at `depth`, with `path`), and the path, depth and
  // ancestors of its descendants, after it moved or was renamed. A level below
  // CatalogLimits::kCategoryDepth is INVALID_ARGUMENT, so the recursion is bounded even if
  // the tree were not one.
  absl::Status RewriteSubtree(db::Transaction& tx, int64_t id, const std::string& path,
                              int depth, const std::vector<std::string>& ancestors);
  // ALREADY_EXISTS (SKU_TAKEN / EXTERNAL_ID_TAKEN) when another product has them.
  absl::Status CheckUnique(db::Session& session, const v1::Product& product, int64_t self);

  db::Pool& pool_;
  const Clock& clock_;
};

}  // namespace crm::knowledge
