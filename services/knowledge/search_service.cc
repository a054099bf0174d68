#include "services/knowledge/search_service.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/api/resource.h"
#include "libs/api/text.h"
#include "libs/grpc/status.h"
#include "libs/search/search.h"
#include "services/knowledge/article_rules.h"
#include "services/knowledge/catalog_service.h"
#include "services/knowledge/search_index.h"

namespace crm::knowledge {
namespace {

constexpr int kDefaultPageSize = 20;
constexpr int kMaxPageSize = 100;

// Rank order over the union of both kinds of hit (u): best score, then the most recently
// changed, then a fixed order, so paging is total and stable.
const std::vector<api::OrderTerm>& RankOrder() {
  static const auto* order = new std::vector<api::OrderTerm>{
      {.field = "score", .column = "u.score", .descending = true},
      {.field = "time", .column = "u.t", .descending = true},
      {.field = "kind", .column = "u.kind", .descending = true},
      {.field = "", .column = "u.id", .descending = true}};
  return *order;
}

v1::ArticleKind KindOf(v1::SearchScope scope) {
  switch (scope) {
    case v1::PRODUCT_KNOWLEDGE_ARTICLES:
      return v1::PRODUCT_KNOWLEDGE;
    case v1::SALES_TIP_ARTICLES:
      return v1::SALES_TIP;
    case v1::FAQ_ARTICLES:
      return v1::FAQ;
    default:
      return v1::ARTICLE_KIND_UNSPECIFIED;
  }
}

}  // namespace

absl::StatusOr<api::Page<SearchStore::Hit>> SearchStore::Search(const Query& query) {
  std::vector<std::string> branches;
  std::vector<db::Value> params;
  if (query.products) {
    CRM_ASSIGN_OR_RETURN(search::SearchMatch match, search::Match(query.text, ProductIndex()));
    std::string branch = absl::StrCat(
        "SELECT 'p' AS kind, p.id AS id, CAST(m.score AS SIGNED) AS score, p.update_time AS t "
        "FROM (",
        match.sql.sql, ") m JOIN products p ON p.id = m.doc_id WHERE ",
        query.product_scope == ProductScope::kActive ? "p.active = 1" : "TRUE");
    params.insert(params.end(), match.sql.params.begin(), match.sql.params.end());
    if (query.product_id != 0) {
      branch += " AND p.id = ?";
      params.push_back(query.product_id);
    }
    branches.push_back(std::move(branch));
  }
  if (!query.kinds.empty()) {
    CRM_ASSIGN_OR_RETURN(search::SearchMatch match, search::Match(query.text, ArticleIndex()));
    std::string kinds;
    for (v1::ArticleKind kind : query.kinds) absl::StrAppend(&kinds, kinds.empty() ? "" : ", ", int{kind});
    std::string branch = absl::StrCat(
        "SELECT 'a' AS kind, a.id AS id, CAST(m.score AS SIGNED) AS score, "
        "a.public_update_time AS t FROM (",
        match.sql.sql, ") m JOIN articles a ON a.id = m.doc_id WHERE a.state = ",
        int{v1::PUBLISHED}, " AND a.kind IN (", kinds, ") AND (", query.article_rule.sql, ")");
    params.insert(params.end(), match.sql.params.begin(), match.sql.params.end());
    params.insert(params.end(), query.article_rule.params.begin(), query.article_rule.params.end());
    if (!query.tag.empty()) {
      branch +=
          " AND EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND "
          "t.revision = a.revision AND t.tag = ?)";
      params.push_back(query.tag);
    }
    if (query.product_id != 0) {
      branch +=
          " AND EXISTS (SELECT 1 FROM article_products ap WHERE ap.article_id = a.id AND "
          "ap.revision = a.revision AND ap.product = ?)";
      params.push_back(api::ResourceName("products", query.product_id));
    }
    branches.push_back(std::move(branch));
  }
  api::Page<Hit> page;
  if (branches.empty()) return page;
  std::string text = absl::StrCat("SELECT u.score, u.t, u.kind, u.id FROM (",
                                  absl::StrJoin(branches, " UNION ALL "), ") u WHERE TRUE");
  api::AppendPageClauses(text, params, RankOrder(), query.after ? &*query.after : nullptr,
                         query.page_size);
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(text, params));
  page.has_more = api::TakePage(rows, query.page_size, RankOrder(), 0, &page.last_key);
  for (const db::Row& row : rows) {
    page.items.push_back({.is_product = row.Str(2) == "p", .id = row.Int(3), .score = row.Int(0)});
  }
  return page;
}

absl::Status KnowledgeSearchService::Search(const auth::Caller& caller,
                                            const v1::SearchKnowledgeRequest& request,
                                            v1::SearchKnowledgeResponse* response) {
  CRM_ASSIGN_OR_RETURN(const ArticleRules rules,
                       ArticleRules::For(rpc_, caller, kSearchMethod));
  Violations violations;
  SearchStore::Query query;
  query.text = request.query();
  std::set<v1::SearchScope> scopes;
  for (int i = 0; i < request.scopes_size(); ++i) {
    const v1::SearchScope scope = request.scopes(i);
    if (scope == v1::SEARCH_SCOPE_UNSPECIFIED || !v1::SearchScope_IsValid(scope)) {
      violations.Add(absl::StrCat("scopes[", i, "]"), "is not a search scope");
    }
    scopes.insert(scope);
  }
  const bool everything = scopes.empty();
  query.tag = absl::AsciiStrToLower(api::Trim(request.tag()));
  query.products = (everything || scopes.contains(v1::PRODUCTS)) && query.tag.empty();
  query.product_scope = CatalogService::Scope(caller.principal);
  for (v1::SearchScope scope :
       {v1::PRODUCT_KNOWLEDGE_ARTICLES, v1::SALES_TIP_ARTICLES, v1::FAQ_ARTICLES}) {
    if (everything || scopes.contains(scope)) query.kinds.push_back(KindOf(scope));
  }
  query.article_rule = rules.Rows(ArticleAction::kRead);
  if (!request.product().empty()) {
    absl::StatusOr<int64_t> id = api::ParseResourceId(request.product(), "products", "product");
    if (id.ok()) {
      query.product_id = *id;
    } else {
      violations.Add("product", "must be a product name like \"products/7\"");
    }
  }
  if (request.page_size() < 0) violations.Add("page_size", "must not be negative");
  CRM_RETURN_IF_ERROR(violations.ToStatus("invalid search"));
  query.page_size = request.page_size() == 0 ? kDefaultPageSize
                                             : std::min(request.page_size(), kMaxPageSize);
  // What a page token continues: this search, by this caller (what they may see decides the
  // hits).
  std::vector<std::string> scope_names;
  for (v1::SearchScope s : scopes) scope_names.push_back(v1::SearchScope_Name(s));
  const std::string binding = api::PageBinding(
      request.query(), absl::StrCat(absl::StrJoin(scope_names, ","), "|", query.tag, "|",
                                    request.product()),
      caller.principal.ActingName());
  CRM_ASSIGN_OR_RETURN(query.after, api::DecodePageToken(page_tokens_, request.page_token(),
                                                         binding, 4));
  CRM_ASSIGN_OR_RETURN(api::Page<SearchStore::Hit> page, search_.Search(query));
  for (const SearchStore::Hit& hit : page.items) {
    v1::SearchHit* out = response->add_hits();
    out->set_score(static_cast<double>(hit.score));
    // Read as Get shows it; a hit changed out of sight since the search is left out.
    if (hit.is_product) {
      absl::StatusOr<v1::Product> product = catalog_.GetProduct(query.product_scope, hit.id);
      if (product.ok()) {
        *out->mutable_product() = *std::move(product);
        continue;
      }
      if (product.status().code() != absl::StatusCode::kNotFound) return product.status();
    } else {
      absl::StatusOr<v1::Article> article = articles_.Get(rules, hit.id, /*record_view=*/false);
      if (article.ok()) {
        *out->mutable_article() = *std::move(article);
        continue;
      }
      if (article.status().code() != absl::StatusCode::kNotFound) return article.status();
    }
    response->mutable_hits()->RemoveLast();
  }
  if (page.has_more) response->set_next_page_token(page_tokens_.Encode(binding, page.last_key));
  return absl::OkStatus();
}

}  // namespace crm::knowledge
