#include "services/knowledge/catalog_store.h"

#include <google/protobuf/empty.pb.h>

#include <algorithm>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/db/lists.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "libs/records/page.h"
#include "services/knowledge/catalog_sql.h"
#include "services/knowledge/catalog_validation.h"
#include "services/knowledge/event_types.h"
#include "services/knowledge/search_index.h"

namespace crm::knowledge {
namespace {

constexpr char kCategories[] = "categories";
constexpr char kProducts[] = "products";
constexpr char kPathSeparator[] = " / ";

absl::Status CategoryNotFound(int64_t id) {
  return Error(absl::StatusCode::kNotFound, "CATEGORY_NOT_FOUND",
               absl::StrCat("categories/", id, " does not exist"));
}
absl::Status ProductNotFound(int64_t id) {
  return Error(absl::StatusCode::kNotFound, "PRODUCT_NOT_FOUND",
               absl::StrCat("products/", id, " does not exist"));
}

v1::Category FromCategoryRow(const db::Row& row) {
  v1::Category c;
  c.set_name(api::ResourceName(kCategories, row.Int(0)));
  c.set_etag(api::EtagFromVersion(row.Int(1)));
  c.set_display_name(row.Str(2));
  if (row.Int(3) != 0) c.set_parent(api::ResourceName(kCategories, row.Int(3)));
  c.set_path(row.Str(4));
  *c.mutable_create_time() = TimestampFromDateTime(row.Str(6));
  *c.mutable_update_time() = TimestampFromDateTime(row.Str(7));
  return c;
}

v1::Product FromProductRow(const db::Row& row) {
  v1::Product p;
  p.set_name(api::ResourceName(kProducts, row.Int(0)));
  p.set_etag(api::EtagFromVersion(row.Int(1)));
  p.set_sku(row.Str(2));
  p.set_display_name(row.Str(3));
  p.set_description(row.Str(4));
  p.set_category(api::ResourceName(kCategories, row.Int(5)));
  p.set_unit(row.Str(6));
  p.set_active(row.Int(sql::kProductActiveIndex) != 0);
  db::SplitLines(row.Str(8), p.mutable_features());
  db::SplitLines(row.Str(9), p.mutable_advantages());
  db::SplitLines(row.Str(10), p.mutable_use_cases());
  p.set_external_id(row.Str(11));
  p.set_creator(row.Str(12));
  *p.mutable_create_time() = TimestampFromDateTime(row.Str(13));
  *p.mutable_update_time() = TimestampFromDateTime(row.Str(14));
  return p;
}

v1::ProductPrice FromPriceRow(const db::Row& row) {
  v1::ProductPrice price;
  price.set_name(absl::StrCat("products/", row.Int(1), "/prices/", row.Int(0)));
  *price.mutable_price() = api::FromMinorUnits(row.Str(2), row.Int(3));
  *price.mutable_effective_time() = TimestampFromDateTime(row.Str(4));
  price.set_creator(row.Str(5));
  *price.mutable_create_time() = TimestampFromDateTime(row.Str(6));
  return price;
}

// The column values of a product, in kInsertProduct's / kUpdateProduct's order (after the
// SKU up to external_id).
db::Value ExternalId(const v1::Product& p) {
  return p.external_id().empty() ? db::Value() : db::Value(p.external_id());
}

const api::ResourceFields& CategoryFields() {
  static const auto* fields = new api::ResourceFields(
      {{.name = "path", .column = "k.path", .orderable = true}}, "k.id");
  return *fields;
}

const api::ResourceFields& ProductFields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "sku", .column = "p.sku", .orderable = true},
          {.name = "display_name", .column = "p.display_name", .orderable = true},
          {.name = "category", .column = "CONCAT('categories/', p.category_id)"},
          {.name = "categories",
           .has_sql = "EXISTS (SELECT 1 FROM category_ancestors a WHERE a.category_id = "
                      "p.category_id AND a.ancestor = ?)"},
          {.name = "unit", .column = "p.unit"},
          {.name = "active", .type = api::FieldType::kBool, .column = "p.active"},
          {.name = "external_id", .column = "p.external_id"},
          {.name = "creator", .column = "p.creator"},
          {.name = "create_time",
           .type = api::FieldType::kTimestamp,
           .column = "p.create_time",
           .orderable = true},
          {.name = "update_time",
           .type = api::FieldType::kTimestamp,
           .column = "p.update_time",
           .orderable = true},
      },
      "p.id");
  return *fields;
}

const api::ResourceFields& PriceFields() {
  static const auto* fields = new api::ResourceFields(
      {{.name = "effective_time",
        .type = api::FieldType::kTimestamp,
        .column = "pp.effective_time",
        .orderable = true}},
      "pp.id");
  return *fields;
}

// (Re)indexes a product for SearchKnowledge, in the transaction that writes it. Inactive
// products stay indexed: the search hides them from whoever the catalog hides them from.
absl::Status IndexForSearch(db::Transaction& tx, const v1::Product& product) {
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(product.name(), kProducts));
  std::vector<std::string> scratch;
  const std::vector<search::SearchField> fields = ProductSearchFields(product, scratch);
  return search::Index(tx, ProductIndex(), id, fields);
}

// The condition that hides inactive products from readers who may not see them.
std::string ScopeCondition(ProductScope scope) {
  return scope == ProductScope::kActive ? " AND p.active = 1" : "";
}

}  // namespace

const api::ListSpec& CatalogStore::CategoryListSpec() {
  static const api::ListSpec spec{.fields = &CategoryFields(),
                                  .default_order = "path",
                                  .default_page_size = 200};
  return spec;
}
const api::ListSpec& CatalogStore::ProductListSpec() {
  static const api::ListSpec spec{.fields = &ProductFields(), .default_order = "display_name"};
  return spec;
}
const api::ListSpec& CatalogStore::PriceListSpec() {
  static const api::ListSpec spec{.fields = &PriceFields(),
                                  .default_order = "effective_time desc"};
  return spec;
}

// ---- Categories -----------------------------------------------------------------------

absl::StatusOr<db::Row> CatalogStore::CategoryRow(db::Session& session, int64_t id, bool lock) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session.Query(lock ? sql::kLockCategory : sql::kSelectCategory, {id}));
  if (rows.empty()) return CategoryNotFound(id);
  return std::move(rows[0]);
}

absl::StatusOr<db::Row> CatalogStore::ShareCategory(db::Transaction& tx,
                                                    const std::string& name,
                                                    std::string_view field) {
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(name, kCategories, field));
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kShareCategory, {id}));
  if (rows.empty()) return InvalidField(field, "is not an existing category");
  return std::move(rows[0]);
}

absl::StatusOr<v1::Category> CatalogStore::CreateCategory(const v1::Category& input,
                                                          std::string_view actor,
                                                          const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Category>(
      pool_, key, [&](db::Transaction& tx, v1::Category& created) -> absl::Status {
        int64_t parent_id = 0;
        std::string path = input.display_name();
        int depth = 1;
        std::vector<std::string> ancestors;
        if (!input.parent().empty()) {
          // Locked before its place is read: a move or delete of the parent waits for this.
          CRM_ASSIGN_OR_RETURN(db::Row parent,
                               ShareCategory(tx, input.parent(), "category.parent"));
          parent_id = parent.Int(0);
          depth = static_cast<int>(parent.Int(5)) + 1;
          if (depth > CatalogLimits::kCategoryDepth) {
            return InvalidField("category.parent", "categories nest at most 8 levels deep");
          }
          path = absl::StrCat(parent.Str(4), kPathSeparator, input.display_name());
          CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kAncestorsOf, {parent_id}));
          for (const db::Row& row : rows) ancestors.push_back(row.Str(0));
        }
        const std::string now = db::FormatDateTime(clock_.Now());
        absl::StatusOr<db::Rows> inserted = tx.Query(
            sql::kInsertCategory,
            {input.display_name(), parent_id, path, int64_t{depth}, now, now});
        if (inserted.status().code() == absl::StatusCode::kAlreadyExists) {
          return Error(absl::StatusCode::kAlreadyExists, "CATEGORY_NAME_TAKEN",
                       absl::StrCat("a category named \"", input.display_name(),
                                    "\" already exists there"));
        }
        CRM_RETURN_IF_ERROR(inserted.status());
        const int64_t id = (*inserted)[0].Int(0);
        ancestors.push_back(api::ResourceName(kCategories, id));
        for (const std::string& ancestor : ancestors) {
          CRM_RETURN_IF_ERROR(tx.Execute(sql::kInsertAncestor, {id, ancestor}).status());
        }
        CRM_ASSIGN_OR_RETURN(db::Row row, CategoryRow(tx, id, /*lock=*/false));
        created = FromCategoryRow(row);
        return events::Append(
            tx, {.type = kCategoryCreatedEvent, .resource = created.name(), .actor = actor},
            created);
      });
}

absl::StatusOr<v1::Category> CatalogStore::GetCategory(int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Row row, CategoryRow(*session, id, /*lock=*/false));
  return FromCategoryRow(row);
}

absl::StatusOr<api::Page<v1::Category>> CatalogStore::ListCategories(
    const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return records::ListPage<v1::Category>(*session, sql::kSelectCategoryColumns,
                                         sql::kCategoryColumnCount, sql::kFromCategories, {},
                                         query, FromCategoryRow);
}

absl::Status CatalogStore::RewriteSubtree(db::Transaction& tx, int64_t id,
                                          const std::string& path, int depth,
                                          const std::vector<std::string>& ancestors) {
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kDeleteAncestors, {id}).status());
  for (const std::string& ancestor : ancestors) {
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kInsertAncestor, {id, ancestor}).status());
  }
  CRM_ASSIGN_OR_RETURN(db::Rows children, tx.Query(sql::kChildCategories, {id}));
  if (!children.empty() && depth >= CatalogLimits::kCategoryDepth) {
    return InvalidField("category.parent", "categories nest at most 8 levels deep");
  }
  for (const db::Row& child : children) {
    const int64_t child_id = child.Int(0);
    const std::string child_path = absl::StrCat(path, kPathSeparator, child.Str(1));
    std::vector<std::string> child_ancestors = ancestors;
    child_ancestors.push_back(api::ResourceName(kCategories, child_id));
    CRM_RETURN_IF_ERROR(
        tx.Execute(sql::kRewriteCategoryPlace, {child_path, int64_t{depth + 1}, child_id})
            .status());
    CRM_RETURN_IF_ERROR(RewriteSubtree(tx, child_id, child_path, depth + 1, child_ancestors));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Category> CatalogStore::UpdateCategory(int64_t id,
                                                          std::optional<int64_t> expected_version,
                                                          const CategoryMutation& mutate,
                                                          std::string_view actor,
                                                          const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Category>(
      pool_, key, [&](db::Transaction& tx, v1::Category& updated) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, CategoryRow(tx, id, /*lock=*/true));
        const v1::Category current = FromCategoryRow(row);
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), row.Int(1), expected_version));
        updated = current;
        CRM_RETURN_IF_ERROR(mutate(updated));

        int64_t parent_id = 0;
        std::string path = updated.display_name();
        int depth = 1;
        std::vector<std::string> ancestors;
        if (!updated.parent().empty()) {
          // The new parent is locked before its place is read. A concurrent move of it (or of
          // an ancestor, which rewrites it) either commits first, and this reads where it is
          // now, or waits for this one; two moves that would close a cycle deadlock, and the
          // retry sees the other's result. So the cycle check and the ancestors written are
          // never stale.
          CRM_ASSIGN_OR_RETURN(db::Row parent,
                               ShareCategory(tx, updated.parent(), "category.parent"));
          parent_id = parent.Int(0);
          CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kAncestorsOf, {parent_id}));
          for (const db::Row& r : rows) ancestors.push_back(r.Str(0));
          if (std::find(ancestors.begin(), ancestors.end(), current.name()) != ancestors.end()) {
            return Error(absl::StatusCode::kFailedPrecondition, "CATEGORY_CYCLE",
                         absl::StrCat(current.name(), " cannot move under itself or one of "
                                                      "its subcategories"));
          }
          depth = static_cast<int>(parent.Int(5)) + 1;
          path = absl::StrCat(parent.Str(4), kPathSeparator, updated.display_name());
        }
        // The subtree keeps its shape: its deepest level moves by as much as this one.
        CRM_ASSIGN_OR_RETURN(db::Rows deepest, tx.Query(sql::kSubtreeDepth, {current.name()}));
        const int64_t below = deepest.empty() ? 0 : deepest[0].Int(0) - row.Int(5);
        if (depth + below > CatalogLimits::kCategoryDepth) {
          return InvalidField("category.parent", "categories nest at most 8 levels deep");
        }
        ancestors.push_back(current.name());
        const std::string now = db::FormatDateTime(clock_.Now());
        absl::StatusOr<uint64_t> written = tx.Execute(
            sql::kUpdateCategory,
            {updated.display_name(), parent_id, path, int64_t{depth}, now, id});
        if (written.status().code() == absl::StatusCode::kAlreadyExists) {
          return Error(absl::StatusCode::kAlreadyExists, "CATEGORY_NAME_TAKEN",
                       absl::StrCat("a category named \"", updated.display_name(),
                                    "\" already exists there"));
        }
        CRM_RETURN_IF_ERROR(written.status());
        CRM_RETURN_IF_ERROR(RewriteSubtree(tx, id, path, depth, ancestors));
        CRM_ASSIGN_OR_RETURN(db::Row after, CategoryRow(tx, id, /*lock=*/false));
        updated = FromCategoryRow(after);
        return events::Append(tx,
                              {.type = kCategoryUpdatedEvent,
                               .resource = updated.name(),
                               .actor = actor,
                               .changed_paths = api::ChangedPaths(current, updated,
                                                                  CategoryUpdatablePaths())},
                              updated);
      });
}

absl::Status CatalogStore::DeleteCategory(int64_t id, std::optional<int64_t> expected_version,
                                          std::string_view actor,
                                          const db::IdempotencyKey& key) {
  return db::IdempotentWrite<google::protobuf::Empty>(
             pool_, key,
             [&](db::Transaction& tx, google::protobuf::Empty&) -> absl::Status {
               // Counted only once the category is locked: a write placing a product or a
               // subcategory in it holds a shared lock (kShareCategory) until it commits, so
               // it has committed (and is counted) or waits and then finds no category.
               CRM_ASSIGN_OR_RETURN(db::Row row, CategoryRow(tx, id, /*lock=*/true));
               const v1::Category current = FromCategoryRow(row);
               CRM_RETURN_IF_ERROR(
                   api::CheckVersion(current.name(), row.Int(1), expected_version));
               CRM_ASSIGN_OR_RETURN(db::Rows children, tx.Query(sql::kCountChildCategories, {id}));
               CRM_ASSIGN_OR_RETURN(db::Rows products,
                                    tx.Query(sql::kCountProductsInCategory, {id}));
               if (children[0].Int(0) > 0 || products[0].Int(0) > 0) {
                 return Error(absl::StatusCode::kFailedPrecondition, "CATEGORY_NOT_EMPTY",
                              absl::StrCat(current.name(), " has ", children[0].Int(0),
                                           " subcategories and ", products[0].Int(0),
                                           " products; move or delete them first"));
               }
               CRM_RETURN_IF_ERROR(tx.Execute(sql::kDeleteAncestors, {id}).status());
               CRM_RETURN_IF_ERROR(tx.Execute(sql::kDeleteCategory, {id}).status());
               return events::Append(
                   tx, {.type = kCategoryDeletedEvent, .resource = current.name(), .actor = actor},
                   current);
             })
      .status();
}

// ---- Products -------------------------------------------------------------------------

absl::StatusOr<db::Row> CatalogStore::ProductRow(db::Session& session, ProductScope scope,
                                                 int64_t id, bool lock) {
  const std::string text = absl::StrCat(sql::kSelectProduct, ScopeCondition(scope),
                                        lock ? " FOR UPDATE" : "");
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(text, {id}));
  if (rows.empty()) return ProductNotFound(id);
  return std::move(rows[0]);
}

absl::Status CatalogStore::AttachCurrentPrices(db::Session& session,
                                               std::vector<v1::Product*> products,
                                               absl::Time now) {
  if (products.empty()) return absl::OkStatus();
  const std::string at = db::FormatDateTime(now);
  std::string text = sql::kCurrentPricesOf;
  std::vector<db::Value> params = {at, at};
  absl::flat_hash_map<int64_t, v1::Product*> by_id;
  for (size_t i = 0; i < products.size(); ++i) {
    CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(products[i]->name(), kProducts));
    absl::StrAppend(&text, i == 0 ? "?" : ", ?");
    params.push_back(id);
    by_id[id] = products[i];
    products[i]->clear_list_prices();
  }
  absl::StrAppend(&text, ") ORDER BY pp.product_id, pp.currency");
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(text, params));
  for (const db::Row& row : rows) {
    if (auto it = by_id.find(row.Int(0)); it != by_id.end()) {
      *it->second->add_list_prices() = api::FromMinorUnits(row.Str(1), row.Int(2));
    }
  }
  return absl::OkStatus();
}

absl::Status CatalogStore::CheckUnique(db::Session& session, const v1::Product& product,
                                       int64_t self) {
  CRM_ASSIGN_OR_RETURN(db::Rows same_sku, session.Query(sql::kProductWithSku, {product.sku()}));
  if (!same_sku.empty() && same_sku[0].Int(0) != self) {
    return Error(absl::StatusCode::kAlreadyExists, "SKU_TAKEN",
                 absl::StrCat("another product has SKU \"", product.sku(), "\""));
  }
  if (product.external_id().empty()) return absl::OkStatus();
  CRM_ASSIGN_OR_RETURN(db::Rows same_id,
                       session.Query(sql::kProductWithExternalId, {product.external_id()}));
  if (!same_id.empty() && same_id[0].Int(0) != self) {
    return Error(absl::StatusCode::kAlreadyExists, "EXTERNAL_ID_TAKEN",
                 absl::StrCat("another product has external id \"", product.external_id(), "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Product> CatalogStore::CreateProduct(
    const v1::Product& input, const std::map<std::string, int64_t>& prices,
    std::string_view actor, const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Product>(
      pool_, key, [&](db::Transaction& tx, v1::Product& created) -> absl::Status {
        // Share-locked to the commit, so a DeleteCategory waits and then counts this product.
        CRM_ASSIGN_OR_RETURN(db::Row category,
                             ShareCategory(tx, input.category(), "product.category"));
        const int64_t category_id = category.Int(0);
        CRM_RETURN_IF_ERROR(CheckUnique(tx, input, /*self=*/0));
        const absl::Time now = clock_.Now();
        const std::string now_text = db::FormatDateTime(now);
        const bool active = !input.has_active() || input.active();
        CRM_ASSIGN_OR_RETURN(
            db::Rows rows,
            tx.Query(sql::kInsertProduct,
                     {input.sku(), input.display_name(), input.description(), category_id,
                      input.unit(), int64_t{active}, db::JoinLines(input.features()),
                      db::JoinLines(input.advantages()), db::JoinLines(input.use_cases()),
                      ExternalId(input), std::string(actor), now_text, now_text}));
        const int64_t id = rows[0].Int(0);
        for (const auto& [currency, amount] : prices) {
          CRM_RETURN_IF_ERROR(tx.Query(sql::kInsertPrice, {id, currency, amount, now_text,
                                                           std::string(actor), now_text})
                                  .status());
        }
        CRM_ASSIGN_OR_RETURN(db::Row row, ProductRow(tx, ProductScope::kAll, id, false));
        created = FromProductRow(row);
        CRM_RETURN_IF_ERROR(AttachCurrentPrices(tx, {&created}, now));
        CRM_RETURN_IF_ERROR(IndexForSearch(tx, created));
        return events::Append(
            tx, {.type = kProductCreatedEvent, .resource = created.name(), .actor = actor},
            created);
      });
}

absl::StatusOr<v1::Product> CatalogStore::GetProduct(ProductScope scope, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Row row, ProductRow(*session, scope, id, /*lock=*/false));
  v1::Product product = FromProductRow(row);
  CRM_RETURN_IF_ERROR(AttachCurrentPrices(*session, {&product}, clock_.Now()));
  return product;
}

absl::StatusOr<api::Page<v1::Product>> CatalogStore::ListProducts(
    ProductScope scope, const api::ListQuery& query, const std::optional<PriceBounds>& price) {
  const absl::Time now = clock_.Now();
  api::SqlFragment condition{.sql = scope == ProductScope::kActive ? "p.active = 1" : "TRUE"};
  if (price) {
    const std::string at = db::FormatDateTime(now);
    absl::StrAppend(&condition.sql, " AND ", sql::kCurrentPriceInRange);
    condition.params.insert(condition.params.end(),
                            {price->currency, at, at, price->min, price->max});
  }
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Product> page,
                       records::ListPage<v1::Product>(*session, sql::kSelectProductColumns,
                                                      sql::kProductColumnCount,
                                                      sql::kFromProducts, condition, query,
                                                      FromProductRow));
  std::vector<v1::Product*> products;
  for (v1::Product& p : page.items) products.push_back(&p);
  CRM_RETURN_IF_ERROR(AttachCurrentPrices(*session, std::move(products), now));
  return page;
}

absl::StatusOr<v1::Product> CatalogStore::UpdateProduct(int64_t id,
                                                        std::optional<int64_t> expected_version,
                                                        const ProductMutation& mutate,
                                                        std::string_view actor,
                                                        const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Product>(
      pool_, key, [&](db::Transaction& tx, v1::Product& updated) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, ProductRow(tx, ProductScope::kAll, id, /*lock=*/true));
        const v1::Product current = FromProductRow(row);
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), row.Int(1), expected_version));
        updated = current;
        CRM_RETURN_IF_ERROR(mutate(updated));
        CRM_ASSIGN_OR_RETURN(db::Row category,
                             ShareCategory(tx, updated.category(), "product.category"));
        const int64_t category_id = category.Int(0);
        CRM_RETURN_IF_ERROR(CheckUnique(tx, updated, id));
        const absl::Time now = clock_.Now();
        CRM_RETURN_IF_ERROR(
            tx.Execute(sql::kUpdateProduct,
                       {updated.sku(), updated.display_name(), updated.description(),
                        category_id, updated.unit(), int64_t{updated.active()},
                        db::JoinLines(updated.features()), db::JoinLines(updated.advantages()),
                        db::JoinLines(updated.use_cases()), ExternalId(updated),
                        db::FormatDateTime(now), id})
                .status());
        CRM_ASSIGN_OR_RETURN(db::Row after, ProductRow(tx, ProductScope::kAll, id, false));
        updated = FromProductRow(after);
        CRM_RETURN_IF_ERROR(AttachCurrentPrices(tx, {&updated}, now));
        CRM_RETURN_IF_ERROR(IndexForSearch(tx, updated));
        const bool deactivated = current.active() && !updated.active();
        return events::Append(
            tx,
            {.type = deactivated ? kProductDeactivatedEvent : kProductUpdatedEvent,
             .resource = updated.name(),
             .actor = actor,
             .changed_paths = api::ChangedPaths(current, updated, ProductUpdatablePaths())},
            updated);
      });
}

// ---- Prices ---------------------------------------------------------------------------

absl::StatusOr<v1::ProductPrice> CatalogStore::SetPrice(ProductScope scope, int64_t product_id,
                                                        const std::string& currency,
                                                        int64_t amount_minor,
                                                        absl::Time effective,
                                                        std::string_view actor,
                                                        const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::ProductPrice>(
      pool_, key, [&](db::Transaction& tx, v1::ProductPrice& added) -> absl::Status {
        // Locked so that a price is never added to a product being deactivated unseen.
        CRM_RETURN_IF_ERROR(ProductRow(tx, scope, product_id, /*lock=*/true).status());
        const std::string now = db::FormatDateTime(clock_.Now());
        CRM_ASSIGN_OR_RETURN(
            db::Rows rows, tx.Query(sql::kInsertPrice,
                                    {product_id, currency, amount_minor,
                                     db::FormatDateTime(effective), std::string(actor), now}));
        added.set_name(absl::StrCat("products/", product_id, "/prices/", rows[0].Int(0)));
        *added.mutable_price() = api::FromMinorUnits(currency, amount_minor);
        *added.mutable_effective_time() =
            TimestampFromDateTime(db::FormatDateTime(effective));
        added.set_creator(std::string(actor));
        *added.mutable_create_time() = TimestampFromDateTime(now);
        return events::Append(tx,
                              {.type = kProductPriceChangedEvent,
                               .resource = api::ResourceName(kProducts, product_id),
                               .actor = actor},
                              added);
      });
}

absl::StatusOr<api::Page<v1::ProductPrice>> CatalogStore::ListPrices(
    int64_t product_id, const std::string& currency, const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_RETURN_IF_ERROR(ProductRow(*session, ProductScope::kAll, product_id, /*lock=*/false).status());
  api::SqlFragment condition{.sql = "pp.product_id = ?", .params = {product_id}};
  if (!currency.empty()) {
    condition.sql += " AND pp.currency = ?";
    condition.params.push_back(currency);
  }
  return records::ListPage<v1::ProductPrice>(*session, sql::kSelectPriceColumns,
                                             sql::kPriceColumnCount,
                                             " FROM product_prices pp WHERE TRUE", condition,
                                             query, FromPriceRow);
}

absl::StatusOr<v1::ProductPrice> CatalogStore::PriceAt(ProductScope scope, int64_t product_id,
                                                       const std::string& currency,
                                                       absl::Time at) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_RETURN_IF_ERROR(ProductRow(*session, scope, product_id, /*lock=*/false).status());
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session->Query(sql::kPriceAt, {product_id, currency,
                                                      db::FormatDateTime(at)}));
  if (rows.empty()) {
    return Error(absl::StatusCode::kNotFound, "PRICE_NOT_FOUND",
                 absl::StrCat("products/", product_id, " had no ", currency, " price then"));
  }
  return FromPriceRow(rows[0]);
}

}  // namespace crm::knowledge
