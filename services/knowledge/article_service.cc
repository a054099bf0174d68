#include "services/knowledge/article_service.h"

#include <optional>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/knowledge/article_validation.h"

namespace crm::knowledge {
namespace {

constexpr char kCollection[] = "articles";

// What UpdateArticle may change; "*" means all of these. Kind never changes.
const std::set<std::string>& UpdatablePaths() {
  static const auto* paths = new std::set<std::string>{"title", "body", "tags", "products"};
  return *paths;
}

// The id and the expected version of a Publish or Archive request.
struct Target {
  int64_t id = 0;
  std::optional<int64_t> version;
};
template <typename Request>
absl::StatusOr<Target> ParseTarget(const Request& request) {
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  Target target;
  CRM_ASSIGN_OR_RETURN(target.id, api::ParseResourceId(request.name(), kCollection, "name"));
  CRM_ASSIGN_OR_RETURN(target.version, api::OptionalVersion(request.etag()));
  return target;
}

}  // namespace

absl::Status ArticleService::Create(const auth::Caller& caller,
                                    const v1::CreateArticleRequest& request,
                                    v1::Article* response) {
  CRM_ASSIGN_OR_RETURN(const ArticleRules rules, ArticleRules::For(rpc_, caller, kCreateMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_article()) return InvalidField("article", "is required");
  // Only what a client writes; the rest is the server's to set.
  v1::Article article;
  article.set_kind(request.article().kind());
  article.set_title(request.article().title());
  article.set_body(request.article().body());
  *article.mutable_tags() = request.article().tags();
  *article.mutable_products() = request.article().products();
  CRM_RETURN_IF_ERROR(NormalizeArticle(article, "article"));
  if (!rules.MayCreate(article.kind())) {
    return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                 absl::StrCat("your role may not write ", v1::ArticleKind_Name(article.kind()),
                              " articles"));
  }
  CRM_ASSIGN_OR_RETURN(
      *response,
      store_.Create(rules, article, db::KeyFor("CreateArticle", request, rules.actor())));
  return absl::OkStatus();
}

absl::Status ArticleService::Get(const auth::Caller& caller, const v1::GetArticleRequest& request,
                                 v1::Article* response) {
  CRM_ASSIGN_OR_RETURN(const ArticleRules rules, ArticleRules::For(rpc_, caller, kGetMethod));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCollection, "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.Get(rules, id, request.record_view()));
  return absl::OkStatus();
}

absl::Status ArticleService::List(const auth::Caller& caller,
                                  const v1::ListArticlesRequest& request,
                                  v1::ListArticlesResponse* response) {
  CRM_ASSIGN_OR_RETURN(const ArticleRules rules, ArticleRules::For(rpc_, caller, kListMethod));
  // Page tokens are bound to the user: what one user sees (and the keyset position in a
  // token) differs from what another does.
  CRM_ASSIGN_OR_RETURN(
      const api::ListQuery query,
      api::PrepareList(request, ArticleStore::ListSpec(), page_tokens_, rules.actor()));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Article> page, store_.List(rules, query));
  for (v1::Article& article : page.items) *response->add_articles() = std::move(article);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status ArticleService::Update(const auth::Caller& caller,
                                    const v1::UpdateArticleRequest& request,
                                    v1::Article* response) {
  CRM_ASSIGN_OR_RETURN(const ArticleRules rules, ArticleRules::For(rpc_, caller, kUpdateMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(
      const api::UpdateTarget target,
      api::ParseUpdateTarget(request.has_article(), request.article(), request.has_update_mask(),
                             request.update_mask(), kCollection, "article", UpdatablePaths()));
  // Runs with the article locked, after the store checked that the caller may edit it.
  auto mutate = [&](v1::Article& working_copy) -> absl::Status {
    CRM_RETURN_IF_ERROR(api::ApplyFieldMask(request.update_mask(), request.article(), &working_copy,
                                            UpdatablePaths()));
    return NormalizeArticle(working_copy, "article");
  };
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Update(rules, target.id, target.version, mutate,
                                     db::KeyFor("UpdateArticle", request, rules.actor())));
  return absl::OkStatus();
}

absl::Status ArticleService::Publish(const auth::Caller& caller,
                                     const v1::PublishArticleRequest& request,
                                     v1::Article* response) {
  CRM_ASSIGN_OR_RETURN(const ArticleRules rules,
                       ArticleRules::For(rpc_, caller, kPublishMethod));
  CRM_ASSIGN_OR_RETURN(const Target target, ParseTarget(request));
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Publish(rules, target.id, target.version,
                                      db::KeyFor("PublishArticle", request, rules.actor())));
  return absl::OkStatus();
}

absl::Status ArticleService::Archive(const auth::Caller& caller,
                                     const v1::ArchiveArticleRequest& request,
                                     v1::Article* response) {
  CRM_ASSIGN_OR_RETURN(const ArticleRules rules,
                       ArticleRules::For(rpc_, caller, kArchiveMethod));
  CRM_ASSIGN_OR_RETURN(const Target target, ParseTarget(request));
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Archive(rules, target.id, target.version,
                                      db::KeyFor("ArchiveArticle", request, rules.actor())));
  return absl::OkStatus();
}

absl::Status ArticleService::ListRevisions(const auth::Caller& caller,
                                           const v1::ListArticleRevisionsRequest& request,
                                           v1::ListArticleRevisionsResponse* response) {
  CRM_ASSIGN_OR_RETURN(const ArticleRules rules,
                       ArticleRules::For(rpc_, caller, kListRevisionsMethod));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.article(), kCollection, "article"));
  // Bound to the user and the article: a token continues only the list it came from.
  CRM_ASSIGN_OR_RETURN(
      const api::ListQuery query,
      api::PrepareList(request.page_size(), /*filter=*/"", /*order_by=*/"", request.page_token(),
                       ArticleStore::RevisionListSpec(), page_tokens_,
                       absl::StrCat(rules.actor(), " ", request.article())));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::ArticleRevision> page, store_.ListRevisions(rules, id, query));
  for (v1::ArticleRevision& revision : page.items) {
    *response->add_revisions() = std::move(revision);
  }
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status ArticleService::Rate(const auth::Caller& caller, const v1::RateArticleRequest& request,
                                  v1::Article* response) {
  CRM_ASSIGN_OR_RETURN(const ArticleRules rules, ArticleRules::For(rpc_, caller, kRateMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCollection, "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.Rate(rules, id, request.helpful(),
                                              db::KeyFor("RateArticle", request, rules.actor())));
  return absl::OkStatus();
}

}  // namespace crm::knowledge
