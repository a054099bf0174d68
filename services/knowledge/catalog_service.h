// crm.knowledge.v1.CatalogService: request rules and API semantics for categories, products
// and prices. SQL lives in CatalogStore. Who may call which method is the policy table
// (checked at the RPC edge and again in each handler); who sees inactive products is decided
// here, once per call (Scope), and applied by the store in the query that reads them.
#pragma once

#include <google/protobuf/empty.pb.h>

#include "crm/knowledge/v1/knowledge.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/knowledge/catalog_store.h"

namespace crm::knowledge {

class CatalogService final : public v1::CatalogService::CallbackService {
 public:
#define CRM_CATALOG_METHOD(name) "/crm.knowledge.v1.CatalogService/" #name
  static constexpr char kCreateCategory[] = CRM_CATALOG_METHOD(CreateCategory);
  static constexpr char kGetCategory[] = CRM_CATALOG_METHOD(GetCategory);
  static constexpr char kListCategories[] = CRM_CATALOG_METHOD(ListCategories);
  static constexpr char kUpdateCategory[] = CRM_CATALOG_METHOD(UpdateCategory);
  static constexpr char kDeleteCategory[] = CRM_CATALOG_METHOD(DeleteCategory);
  static constexpr char kCreateProduct[] = CRM_CATALOG_METHOD(CreateProduct);
  static constexpr char kGetProduct[] = CRM_CATALOG_METHOD(GetProduct);
  static constexpr char kListProducts[] = CRM_CATALOG_METHOD(ListProducts);
  static constexpr char kUpdateProduct[] = CRM_CATALOG_METHOD(UpdateProduct);
  static constexpr char kSetProductPrice[] = CRM_CATALOG_METHOD(SetProductPrice);
  static constexpr char kListProductPrices[] = CRM_CATALOG_METHOD(ListProductPrices);
  static constexpr char kGetProductPrice[] = CRM_CATALOG_METHOD(GetProductPrice);
#undef CRM_CATALOG_METHOD

  CatalogService(const service::Kit& kit, CatalogStore& store)
      : rpc_(kit.rpc),
        page_tokens_(kit.page_tokens),
        clock_(kit.clock),
        store_(store) {}

#define CRM_SERVE(Method, Handler, Request, Response)                                     \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx,                     \
                                   const v1::Request* request, Response* response) override { \
    return rpc_.Serve(ctx, k##Method, this, &CatalogService::Handler, request, response); \
  }
  CRM_SERVE(CreateCategory, DoCreateCategory, CreateCategoryRequest, v1::Category)
  CRM_SERVE(GetCategory, DoGetCategory, GetCategoryRequest, v1::Category)
  CRM_SERVE(ListCategories, DoListCategories, ListCategoriesRequest, v1::ListCategoriesResponse)
  CRM_SERVE(UpdateCategory, DoUpdateCategory, UpdateCategoryRequest, v1::Category)
  CRM_SERVE(DeleteCategory, DoDeleteCategory, DeleteCategoryRequest, google::protobuf::Empty)
  CRM_SERVE(CreateProduct, DoCreateProduct, CreateProductRequest, v1::Product)
  CRM_SERVE(GetProduct, DoGetProduct, GetProductRequest, v1::Product)
  CRM_SERVE(ListProducts, DoListProducts, ListProductsRequest, v1::ListProductsResponse)
  CRM_SERVE(UpdateProduct, DoUpdateProduct, UpdateProductRequest, v1::Product)
  CRM_SERVE(SetProductPrice, DoSetProductPrice, SetProductPriceRequest, v1::ProductPrice)
  CRM_SERVE(ListProductPrices, DoListProductPrices, ListProductPricesRequest,
            v1::ListProductPricesResponse)
  CRM_SERVE(GetProductPrice, DoGetProductPrice, GetProductPriceRequest, v1::ProductPrice)
#undef CRM_SERVE

  // The handlers proper, synchronous: the RPC edge runs them on the executor, tests call
  // them directly.
  absl::Status DoCreateCategory(const auth::Caller& caller, const v1::CreateCategoryRequest& request,
                                v1::Category* response);
  absl::Status DoGetCategory(const auth::Caller& caller, const v1::GetCategoryRequest& request,
                             v1::Category* response);
  absl::Status DoListCategories(const auth::Caller& caller,
                                const v1::ListCategoriesRequest& request,
                                v1::ListCategoriesResponse* response);
  absl::Status DoUpdateCategory(const auth::Caller& caller, const v1::UpdateCategoryRequest& request,
                                v1::Category* response);
  absl::Status DoDeleteCategory(const auth::Caller& caller, const v1::DeleteCategoryRequest& request,
                                google::protobuf::Empty* response);
  absl::Status DoCreateProduct(const auth::Caller& caller, const v1::CreateProductRequest& request,
                               v1::Product* response);
  absl::Status DoGetProduct(const auth::Caller& caller, const v1::GetProductRequest& request,
                            v1::Product* response);
  absl::Status DoListProducts(const auth::Caller& caller, const v1::ListProductsRequest& request,
                              v1::ListProductsResponse* response);
  absl::Status DoUpdateProduct(const auth::Caller& caller, const v1::UpdateProductRequest& request,
                               v1::Product* response);
  absl::Status DoSetProductPrice(const auth::Caller& caller,
                                 const v1::SetProductPriceRequest& request,
                                 v1::ProductPrice* response);
  absl::Status DoListProductPrices(const auth::Caller& caller,
                                   const v1::ListProductPricesRequest& request,
                                   v1::ListProductPricesResponse* response);
  absl::Status DoGetProductPrice(const auth::Caller& caller,
                                 const v1::GetProductPriceRequest& request,
                                 v1::ProductPrice* response);

  // Which products `principal` sees: catalog editors (ADMIN, SALES_MANAGER) see inactive ones
  // too; everyone else, including service identities, only active ones.
  static ProductScope Scope(const auth::Principal& principal);

 private:
  service::Rpc& rpc_;
  const api::PageTokenCodec& page_tokens_;
  const Clock& clock_;
  CatalogStore& store_;
};

}  // namespace crm::knowledge
