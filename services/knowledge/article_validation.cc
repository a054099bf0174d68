#include "services/knowledge/article_validation.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "libs/api/fields.h"
#include "libs/api/resource.h"
#include "libs/grpc/status.h"

namespace crm::knowledge {

absl::Status NormalizeArticle(v1::Article& article, std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);

  if (article.kind() == v1::ARTICLE_KIND_UNSPECIFIED) {
    check.Add("kind", "is required (PRODUCT_KNOWLEDGE, SALES_TIP or FAQ)");
  } else if (!v1::ArticleKind_IsValid(article.kind())) {
    check.Add("kind", "is not a known kind");
  }
  check.Text(article.mutable_title(), "title", ArticleLimits::kTitle, /*required=*/true);
  check.Text(article.mutable_body(), "body", ArticleLimits::kBody, /*required=*/false,
             /*multiline=*/true);
  check.Tags(article.mutable_tags(), "tags", ArticleLimits::kTags, ArticleLimits::kTag);

  check.Count(article.products_size(), "products", ArticleLimits::kProducts, "products");
  std::set<int64_t> seen;
  for (int i = 0; i < article.products_size(); ++i) {
    const std::string field = absl::StrCat("products[", i, "]");
    absl::StatusOr<int64_t> id = api::ParseResourceId(article.products(i), "products");
    if (!id.ok()) {
      check.Add(field, "must be a product name like \"products/7\"");
    } else if (!seen.insert(*id).second) {
      check.Add(field, "duplicate product");
    }
  }
  return violations.ToStatus("invalid article");
}

}  // namespace crm::knowledge
