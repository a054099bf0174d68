// crm.knowledge.v1.ArticleService: request rules and API semantics (names, masks, etags,
// paging, idempotency) of the knowledge base. Who may see and change which article is
// ArticleRules' (the policy row of the method, then the rules of the caller's role), decided
// once per call and enforced by ArticleStore in every statement.
#pragma once

#include "crm/knowledge/v1/knowledge.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/knowledge/article_store.h"

namespace crm::knowledge {

class ArticleService final : public v1::ArticleService::CallbackService {
 public:
  // Full gRPC method names, as in the policy table.
  static constexpr char kCreateMethod[] = "/crm.knowledge.v1.ArticleService/CreateArticle";
  static constexpr char kGetMethod[] = "/crm.knowledge.v1.ArticleService/GetArticle";
  static constexpr char kListMethod[] = "/crm.knowledge.v1.ArticleService/ListArticles";
  static constexpr char kUpdateMethod[] = "/crm.knowledge.v1.ArticleService/UpdateArticle";
  static constexpr char kPublishMethod[] = "/crm.knowledge.v1.ArticleService/PublishArticle";
  static constexpr char kArchiveMethod[] = "/crm.knowledge.v1.ArticleService/ArchiveArticle";
  static constexpr char kListRevisionsMethod[] =
      "/crm.knowledge.v1.ArticleService/ListArticleRevisions";
  static constexpr char kRateMethod[] = "/crm.knowledge.v1.ArticleService/RateArticle";

  // The kit and the store must outlive the service.
  ArticleService(const service::Kit& kit, ArticleStore& store)
      : rpc_(kit.rpc),
        page_tokens_(kit.page_tokens),
        store_(store) {}

  grpc::ServerUnaryReactor* CreateArticle(grpc::CallbackServerContext* ctx,
                                          const v1::CreateArticleRequest* request,
                                          v1::Article* response) override {
    return rpc_.Serve(ctx, kCreateMethod, this, &ArticleService::Create, request, response);
  }
  grpc::ServerUnaryReactor* GetArticle(grpc::CallbackServerContext* ctx,
                                       const v1::GetArticleRequest* request,
                                       v1::Article* response) override {
    return rpc_.Serve(ctx, kGetMethod, this, &ArticleService::Get, request, response);
  }
  grpc::ServerUnaryReactor* ListArticles(grpc::CallbackServerContext* ctx,
                                         const v1::ListArticlesRequest* request,
                                         v1::ListArticlesResponse* response) override {
    return rpc_.Serve(ctx, kListMethod, this, &ArticleService::List, request, response);
  }
  grpc::ServerUnaryReactor* UpdateArticle(grpc::CallbackServerContext* ctx,
                                          const v1::UpdateArticleRequest* request,
                                          v1::Article* response) override {
    return rpc_.Serve(ctx, kUpdateMethod, this, &ArticleService::Update, request, response);
  }
  grpc::ServerUnaryReactor* PublishArticle(grpc::CallbackServerContext* ctx,
                                           const v1::PublishArticleRequest* request,
                                           v1::Article* response) override {
    return rpc_.Serve(ctx, kPublishMethod, this, &ArticleService::Publish, request, response);
  }
  grpc::ServerUnaryReactor* ArchiveArticle(grpc::CallbackServerContext* ctx,
                                           const v1::ArchiveArticleRequest* request,
                                           v1::Article* response) override {
    return rpc_.Serve(ctx, kArchiveMethod, this, &ArticleService::Archive, request, response);
  }
  grpc::ServerUnaryReactor* ListArticleRevisions(
      grpc::CallbackServerContext* ctx, const v1::ListArticleRevisionsRequest* request,
      v1::ListArticleRevisionsResponse* response) override {
    return rpc_.Serve(ctx, kListRevisionsMethod, this, &ArticleService::ListRevisions, request,
                      response);
  }
  grpc::ServerUnaryReactor* RateArticle(grpc::CallbackServerContext* ctx,
                                        const v1::RateArticleRequest* request,
                                        v1::Article* response) override {
    return rpc_.Serve(ctx, kRateMethod, this, &ArticleService::Rate, request, response);
  }

  // The handlers proper, synchronous: the RPC edge runs them on the executor, tests call
  // them directly. Each asks for the caller's ArticleRules for its method first.
  absl::Status Create(const auth::Caller& caller, const v1::CreateArticleRequest& request,
                      v1::Article* response);
  absl::Status Get(const auth::Caller& caller, const v1::GetArticleRequest& request,
                   v1::Article* response);
  absl::Status List(const auth::Caller& caller, const v1::ListArticlesRequest& request,
                    v1::ListArticlesResponse* response);
  absl::Status Update(const auth::Caller& caller, const v1::UpdateArticleRequest& request,
                      v1::Article* response);
  absl::Status Publish(const auth::Caller& caller, const v1::PublishArticleRequest& request,
                       v1::Article* response);
  absl::Status Archive(const auth::Caller& caller, const v1::ArchiveArticleRequest& request,
                       v1::Article* response);
  absl::Status ListRevisions(const auth::Caller& caller,
                             const v1::ListArticleRevisionsRequest& request,
                             v1::ListArticleRevisionsResponse* response);
  absl::Status Rate(const auth::Caller& caller, const v1::RateArticleRequest& request,
                    v1::Article* response);

 private:
  service::Rpc& rpc_;
  const api::PageTokenCodec& page_tokens_;
  ArticleStore& store_;
};

}  // namespace crm::knowledge
