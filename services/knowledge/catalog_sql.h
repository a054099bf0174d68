// The catalog store's statement texts. Every value is bound.
#pragma once

#include <cstddef>

namespace crm::knowledge::sql {

// ---- Categories: columns in FromCategoryRow's order.
#define CRM_CATEGORY_COLUMNS \
  "k.id, k.version, k.display_name, k.parent_id, k.path, k.depth, k.create_time, k.update_time"
inline constexpr size_t kCategoryColumnCount = 8;
inline constexpr char kSelectCategory[] =
    "SELECT " CRM_CATEGORY_COLUMNS " FROM categories k WHERE k.id = ?";
// Exclusive: the category itself changes (update, move, delete).
inline constexpr char kLockCategory[] =
    "SELECT " CRM_CATEGORY_COLUMNS " FROM categories k WHERE k.id = ? FOR UPDATE";
// Shared: a write depends on the category staying where it is (a product or a subcategory
// placed in it). It conflicts with kLockCategory, so a DeleteCategory or a move of it waits
// for the write to commit, or the write for them, and never runs on a stale read.
inline constexpr char kShareCategory[] =
    "SELECT " CRM_CATEGORY_COLUMNS " FROM categories k WHERE k.id = ? LOCK IN SHARE MODE";
inline constexpr char kSelectCategoryColumns[] = "SELECT " CRM_CATEGORY_COLUMNS;
inline constexpr char kFromCategories[] = " FROM categories k WHERE TRUE";
#undef CRM_CATEGORY_COLUMNS
inline constexpr char kInsertCategory[] =
    "INSERT INTO categories (display_name, parent_id, path, depth, create_time, update_time) "
    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
inline constexpr char kUpdateCategory[] =
    "UPDATE categories SET display_name = ?, parent_id = ?, path = ?, depth = ?, "
    "update_time = ?, version = version + 1 WHERE id = ?";
// A descendant whose path changed because an ancestor was renamed or moved.
inline constexpr char kRewriteCategoryPlace[] =
    "UPDATE categories SET path = ?, depth = ? WHERE id = ?";
inline constexpr char kDeleteCategory[] = "DELETE FROM categories WHERE id = ?";
inline constexpr char kChildCategories[] =
    "SELECT id, display_name FROM categories WHERE parent_id = ? ORDER BY id";
inline constexpr char kCountChildCategories[] =
    "SELECT COUNT(*) FROM categories WHERE parent_id = ?";
inline constexpr char kCountProductsInCategory[] =
    "SELECT COUNT(*) FROM products WHERE category_id = ?";
// The deepest level below a category (its own depth when it has no descendants).
inline constexpr char kSubtreeDepth[] =
    "SELECT COALESCE(MAX(k.depth), 0) FROM categories k JOIN category_ancestors a "
    "ON a.category_id = k.id WHERE a.ancestor = ?";
inline constexpr char kAncestorsOf[] =
    "SELECT ancestor FROM category_ancestors WHERE category_id = ?";
inline constexpr char kDeleteAncestors[] = "DELETE FROM category_ancestors WHERE category_id = ?";
inline constexpr char kInsertAncestor[] =
    "INSERT INTO category_ancestors (category_id, ancestor) VALUES (?, ?)";

// ---- Products: columns in FromProductRow's order.
#define CRM_PRODUCT_COLUMNS                                                                    \
  "p.id, p.version, p.sku, p.display_name, p.description, p.category_id, p.unit, p.active, " \
  "p.features, p.advantages, p.use_cases, p.external_id, p.creator, p.create_time, "          \
  "p.update_time"
inline constexpr size_t kProductColumnCount = 15;
inline constexpr size_t kProductActiveIndex = 7;
inline constexpr char kSelectProduct[] =
    "SELECT " CRM_PRODUCT_COLUMNS " FROM products p WHERE p.id = ?";
inline constexpr char kLockProduct[] =
    "SELECT " CRM_PRODUCT_COLUMNS " FROM products p WHERE p.id = ? FOR UPDATE";
inline constexpr char kSelectProductColumns[] = "SELECT " CRM_PRODUCT_COLUMNS;
inline constexpr char kFromProducts[] = " FROM products p WHERE TRUE";
#undef CRM_PRODUCT_COLUMNS
inline constexpr char kInsertProduct[] =
    "INSERT INTO products (sku, display_name, description, category_id, unit, active, "
    "features, advantages, use_cases, external_id, creator, create_time, update_time) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
inline constexpr char kUpdateProduct[] =
    "UPDATE products SET sku = ?, display_name = ?, description = ?, category_id = ?, unit = ?, "
    "active = ?, features = ?, advantages = ?, use_cases = ?, external_id = ?, "
    "update_time = ?, version = version + 1 WHERE id = ?";
inline constexpr char kProductWithSku[] = "SELECT id FROM products WHERE sku = ?";
inline constexpr char kProductWithExternalId[] = "SELECT id FROM products WHERE external_id = ?";

// ---- Prices.
#define CRM_PRICE_COLUMNS \
  "pp.id, pp.product_id, pp.currency, pp.amount_minor, pp.effective_time, pp.creator, pp.create_time"
inline constexpr char kInsertPrice[] =
    "INSERT INTO product_prices (product_id, currency, amount_minor, effective_time, creator, "
    "create_time) VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
// The entry valid at a moment: the latest effective_time not after it (the later entry for a
// tie).
inline constexpr char kPriceAt[] =
    "SELECT " CRM_PRICE_COLUMNS " FROM product_prices pp WHERE pp.product_id = ? AND "
    "pp.currency = ? AND pp.effective_time <= ? ORDER BY pp.effective_time DESC, pp.id DESC "
    "LIMIT 1";
inline constexpr char kSelectPriceColumns[] = "SELECT " CRM_PRICE_COLUMNS;
inline constexpr size_t kPriceColumnCount = 7;
#undef CRM_PRICE_COLUMNS
// Whether `pp` is the entry in force at the bound moment ("? x 1"): no later entry of the
// same product and currency has taken over by then.
#define CRM_PRICE_IN_FORCE                                                                  \
  "pp.effective_time <= ? AND NOT EXISTS (SELECT 1 FROM product_prices q WHERE "            \
  "q.product_id = pp.product_id AND q.currency = pp.currency AND q.effective_time <= ? AND " \
  "(q.effective_time > pp.effective_time OR (q.effective_time = pp.effective_time AND "     \
  "q.id > pp.id)))"
// The prices in force now of the products listed in the IN (...) that follows (bound: now,
// now, ids...).
inline constexpr char kCurrentPricesOf[] =
    "SELECT pp.product_id, pp.currency, pp.amount_minor FROM product_prices pp WHERE "
    CRM_PRICE_IN_FORCE " AND pp.product_id IN (";
// ListProducts' price range (bound: currency, now, now, min, max).
inline constexpr char kCurrentPriceInRange[] =
    "EXISTS (SELECT 1 FROM product_prices pp WHERE pp.product_id = p.id AND pp.currency = ? AND "
    CRM_PRICE_IN_FORCE " AND pp.amount_minor BETWEEN ? AND ?)";
#undef CRM_PRICE_IN_FORCE

}  // namespace crm::knowledge::sql
