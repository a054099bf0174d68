#include "services/knowledge/catalog_service.h"

#include "libs/api/list.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/api/text.h"
#include "libs/base/time.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/knowledge/catalog_validation.h"

namespace crm::knowledge {
namespace {

constexpr char kCategories[] = "categories";
constexpr char kProducts[] = "products";

// The price range of a ListProducts request, in minor units of its currency.
absl::StatusOr<std::optional<PriceBounds>> PriceRangeOf(const v1::ListProductsRequest& request) {
  if (!request.has_price_range()) return std::optional<PriceBounds>();
  const v1::PriceRange& range = request.price_range();
  Violations violations;
  api::FieldChecker check(violations, "price_range");
  PriceBounds bounds;
  if (range.has_min()) {
    bounds.currency = range.min().currency_code();
    if (std::optional<int64_t> min = api::ToMinorUnits(range.min(), check, "min")) bounds.min = *min;
  }
  if (range.has_max()) {
    if (!bounds.currency.empty() && range.max().currency_code() != bounds.currency) {
      check.Add("max.currency_code", "must be the currency of min");
    }
    bounds.currency = range.max().currency_code();
    if (std::optional<int64_t> max = api::ToMinorUnits(range.max(), check, "max")) bounds.max = *max;
  }
  if (!range.has_min() && !range.has_max()) check.Add("", "needs min, max or both");
  if (bounds.min > bounds.max) check.Add("min", "is above max");
  CRM_RETURN_IF_ERROR(violations.ToStatus("invalid price range"));
  return std::optional<PriceBounds>(bounds);
}

}  // namespace

ProductScope CatalogService::Scope(const auth::Principal& principal) {
  return principal.Is(auth::v1::ADMIN) || principal.Is(auth::v1::SALES_MANAGER)
             ? ProductScope::kAll
             : ProductScope::kActive;
}

// ---- Categories -----------------------------------------------------------------------

absl::Status CatalogService::DoCreateCategory(const auth::Caller& caller,
                                              const v1::CreateCategoryRequest& request,
                                              v1::Category* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kCreateCategory));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_category()) return InvalidField("category", "is required");
  v1::Category category = request.category();
  CRM_RETURN_IF_ERROR(NormalizeAndValidateCategory(category, "category"));
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.CreateCategory(category, caller.principal.ActingName(), db::KeyFor("CreateCategory", request,
                                                                  caller.principal.ActingName())));
  return absl::OkStatus();
}

absl::Status CatalogService::DoGetCategory(const auth::Caller& caller,
                                           const v1::GetCategoryRequest& request,
                                           v1::Category* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kGetCategory));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCategories, "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.GetCategory(id));
  return absl::OkStatus();
}

absl::Status CatalogService::DoListCategories(const auth::Caller& caller,
                                              const v1::ListCategoriesRequest& request,
                                              v1::ListCategoriesResponse* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kListCategories));
  // Everyone sees the same tree, so tokens are not bound to a user.
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request.page_size(), "", "", request.page_token(),
                                        CatalogStore::CategoryListSpec(), page_tokens_, ""));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Category> page, store_.ListCategories(query));
  for (v1::Category& c : page.items) *response->add_categories() = std::move(c);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status CatalogService::DoUpdateCategory(const auth::Caller& caller,
                                              const v1::UpdateCategoryRequest& request,
                                              v1::Category* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kUpdateCategory));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(const api::UpdateTarget target,
                       api::ParseUpdateTarget(request.has_category(), request.category(),
                                              request.has_update_mask(), request.update_mask(),
                                              kCategories, "category", CategoryUpdatablePaths()));
  auto mutate = [&](v1::Category& updated) -> absl::Status {
    CRM_RETURN_IF_ERROR(api::ApplyFieldMask(request.update_mask(), request.category(), &updated,
                                            CategoryUpdatablePaths()));
    return NormalizeAndValidateCategory(updated, "category");
  };
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.UpdateCategory(target.id, target.version, mutate,
                                             caller.principal.ActingName(), db::KeyFor("UpdateCategory", request,
                                                        caller.principal.ActingName())));
  return absl::OkStatus();
}

absl::Status CatalogService::DoDeleteCategory(const auth::Caller& caller,
                                              const v1::DeleteCategoryRequest& request,
                                              google::protobuf::Empty*) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kDeleteCategory));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCategories, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, api::OptionalVersion(request.etag()));
  return store_.DeleteCategory(id, version, caller.principal.ActingName(),
                               db::KeyFor("DeleteCategory", request, caller.principal.ActingName()));
}

// ---- Products -------------------------------------------------------------------------

absl::Status CatalogService::DoCreateProduct(const auth::Caller& caller,
                                             const v1::CreateProductRequest& request,
                                             v1::Product* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kCreateProduct));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_product()) return InvalidField("product", "is required");
  v1::Product product = request.product();
  product.clear_name();
  product.clear_etag();
  product.clear_creator();
  product.clear_create_time();
  product.clear_update_time();
  absl::Status fields = NormalizeAndValidateProduct(product, "product");
  absl::StatusOr<std::map<std::string, int64_t>> prices = ValidateInitialPrices(product, "product");
  // Every bad field at once: the product's and its prices'.
  if (!fields.ok() || !prices.ok()) {
    std::vector<FieldViolation> all = FieldViolations(fields);
    for (FieldViolation& v : FieldViolations(prices.status())) all.push_back(std::move(v));
    return InvalidArgument("invalid product", std::move(all));
  }
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.CreateProduct(product, *prices, caller.principal.ActingName(),
                                            db::KeyFor("CreateProduct", request,
                                                       caller.principal.ActingName())));
  return absl::OkStatus();
}

absl::Status CatalogService::DoGetProduct(const auth::Caller& caller,
                                          const v1::GetProductRequest& request,
                                          v1::Product* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kGetProduct));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kProducts, "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.GetProduct(Scope(caller.principal), id));
  return absl::OkStatus();
}

absl::Status CatalogService::DoListProducts(const auth::Caller& caller,
                                            const v1::ListProductsRequest& request,
                                            v1::ListProductsResponse* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kListProducts));
  const ProductScope scope = Scope(caller.principal);
  CRM_ASSIGN_OR_RETURN(std::optional<PriceBounds> price, PriceRangeOf(request));
  // Tokens are bound to what decides the rows: the scope and the price range, besides the
  // filter and order (PrepareList adds those).
  std::string binding_scope = scope == ProductScope::kAll ? "all" : "active";
  if (price) {
    absl::StrAppend(&binding_scope, "|", price->currency, "|", price->min, "|", price->max);
  }
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request, CatalogStore::ProductListSpec(), page_tokens_,
                                        binding_scope));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Product> page, store_.ListProducts(scope, query, price));
  for (v1::Product& p : page.items) *response->add_products() = std::move(p);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status CatalogService::DoUpdateProduct(const auth::Caller& caller,
                                             const v1::UpdateProductRequest& request,
                                             v1::Product* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kUpdateProduct));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(const api::UpdateTarget target,
                       api::ParseUpdateTarget(request.has_product(), request.product(),
                                              request.has_update_mask(), request.update_mask(),
                                              kProducts, "product", ProductUpdatablePaths()));
  auto mutate = [&](v1::Product& updated) -> absl::Status {
    CRM_RETURN_IF_ERROR(api::ApplyFieldMask(request.update_mask(), request.product(), &updated,
                                            ProductUpdatablePaths()));
    return NormalizeAndValidateProduct(updated, "product");
  };
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.UpdateProduct(target.id, target.version, mutate,
                                            caller.principal.ActingName(), db::KeyFor("UpdateProduct", request,
                                                       caller.principal.ActingName())));
  return absl::OkStatus();
}

// ---- Prices ---------------------------------------------------------------------------

absl::Status CatalogService::DoSetProductPrice(const auth::Caller& caller,
                                               const v1::SetProductPriceRequest& request,
                                               v1::ProductPrice* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kSetProductPrice));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t product_id,
                       api::ParseResourceId(request.product(), kProducts, "product"));
  if (!request.has_price()) return InvalidField("price", "is required");
  CRM_ASSIGN_OR_RETURN(int64_t amount, ValidatePrice(request.price(), "price"));
  const absl::Time effective = request.price().has_effective_time()
                                   ? FromTimestamp(request.price().effective_time())
                                   : clock_.Now();
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.SetPrice(Scope(caller.principal), product_id,
                                       request.price().price().currency_code(), amount,
                                       effective, caller.principal.ActingName(),
                                       db::KeyFor("SetProductPrice", request,
                                                  caller.principal.ActingName())));
  return absl::OkStatus();
}

absl::Status CatalogService::DoListProductPrices(const auth::Caller& caller,
                                                 const v1::ListProductPricesRequest& request,
                                                 v1::ListProductPricesResponse* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kListProductPrices));
  CRM_ASSIGN_OR_RETURN(int64_t product_id,
                       api::ParseResourceId(request.product(), kProducts, "product"));
  Violations violations;
  api::FieldChecker check(violations, "");
  const std::string currency =
      LookupCurrency(request.currency_code(), /*required=*/false, "currency_code", check);
  CRM_RETURN_IF_ERROR(violations.ToStatus("invalid price history request"));
  // The history is a record of the past, the same for every reader, inactive product or not.
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request.page_size(), "", "", request.page_token(),
                                        CatalogStore::PriceListSpec(), page_tokens_,
                                        absl::StrCat(request.product(), "|", currency)));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::ProductPrice> page,
                       store_.ListPrices(product_id, currency, query));
  for (v1::ProductPrice& p : page.items) *response->add_prices() = std::move(p);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status CatalogService::DoGetProductPrice(const auth::Caller& caller,
                                               const v1::GetProductPriceRequest& request,
                                               v1::ProductPrice* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kGetProductPrice));
  Violations violations;
  api::FieldChecker check(violations, "");
  absl::StatusOr<int64_t> product_id = api::ParseResourceId(request.product(), kProducts, "product");
  if (!product_id.ok()) {
    for (FieldViolation& v : FieldViolations(product_id.status())) {
      violations.Add(std::move(v.field), std::move(v.description));
    }
  }
  const std::string currency =
      LookupCurrency(request.currency_code(), /*required=*/true, "currency_code", check);
  if (request.has_at_time()) CheckMoment(request.at_time(), "at_time", check);
  CRM_RETURN_IF_ERROR(violations.ToStatus("invalid price lookup"));
  const absl::Time now = clock_.Now();
  const absl::Time at = request.has_at_time() ? FromTimestamp(request.at_time()) : now;
  // What a product cost at a past moment is history, readable after it is deactivated (an
  // order shows the price of its day). Pricing it now or later is the catalog's current
  // state, which hides inactive products from all but its editors: a new order cannot be
  // priced with a deactivated product.
  const ProductScope scope = at < now ? ProductScope::kAll : Scope(caller.principal);
  CRM_ASSIGN_OR_RETURN(*response, store_.PriceAt(scope, *product_id, currency, at));
  return absl::OkStatus();
}

}  // namespace crm::knowledge
