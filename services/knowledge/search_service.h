// crm.knowledge.v1.KnowledgeService: one ranked search over the catalog and the knowledge
// base. The index (libs/search, schema/003_search.sql) is written with each product and each
// published article; the query joins it to the records with the same rules Get and List apply
// (inactive products only for catalog editors; articles while published and readable), then
// reads each hit through its own store, so a result looks exactly as Get would show it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crm/knowledge/v1/knowledge.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/knowledge/article_store.h"
#include "services/knowledge/catalog_store.h"

namespace crm::knowledge {

// The SQL of one search: which documents match, in rank order, one page at a time.
class SearchStore final {
 public:
  explicit SearchStore(db::Pool& pool) : pool_(pool) {}

  struct Query {
    std::string text;
    bool products = false;                  // search products at all
    ProductScope product_scope = ProductScope::kActive;
    std::vector<v1::ArticleKind> kinds;     // article kinds to search (none: no articles)
    api::SqlFragment article_rule;          // the caller's read rule on alias `a`
    std::string tag;                        // only articles with this tag
    int64_t product_id = 0;                 // only this product and articles about it
    int page_size = 20;
    std::optional<std::vector<db::Value>> after;  // keyset position of the last hit
  };
  struct Hit {
    bool is_product = false;
    int64_t id = 0;
    int64_t score = 0;
  };
  // Hits in rank order (score, then the newest), and the keyset position for the next page.
  absl::StatusOr<api::Page<Hit>> Search(const Query& query);

 private:
  db::Pool& pool_;
};

class KnowledgeSearchService final : public v1::KnowledgeService::CallbackService {
 public:
  static constexpr char kSearchMethod[] = "/crm.knowledge.v1.KnowledgeService/SearchKnowledge";

  KnowledgeSearchService(const service::Kit& kit, SearchStore& search, CatalogStore& catalog,
                         ArticleStore& articles)
      : rpc_(kit.rpc),
        page_tokens_(kit.page_tokens),
        search_(search),
        catalog_(catalog),
        articles_(articles) {}

  grpc::ServerUnaryReactor* SearchKnowledge(grpc::CallbackServerContext* ctx,
                                            const v1::SearchKnowledgeRequest* request,
                                            v1::SearchKnowledgeResponse* response) override {
    return rpc_.Serve(ctx, kSearchMethod, this, &KnowledgeSearchService::Search, request,
                      response);
  }

  // The handler proper, synchronous.
  absl::Status Search(const auth::Caller& caller, const v1::SearchKnowledgeRequest& request,
                      v1::SearchKnowledgeResponse* response);

 private:
  service::Rpc& rpc_;
  const api::PageTokenCodec& page_tokens_;
  SearchStore& search_;
  CatalogStore& catalog_;
  ArticleStore& articles_;
};

}  // namespace crm::knowledge
