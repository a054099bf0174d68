#include "services/knowledge/search_index.h"

#include "absl/strings/str_join.h"

namespace crm::knowledge {
namespace {

constexpr int kNameWeight = 10;
constexpr int kCodeWeight = 8;    // SKU, external id
constexpr int kPointsWeight = 3;  // features, advantages, use cases; article tags
constexpr int kBodyWeight = 1;

}  // namespace

const search::IndexTable& ProductIndex() {
  static const auto* table = new search::IndexTable("product_search");
  return *table;
}

const search::IndexTable& ArticleIndex() {
  static const auto* table = new search::IndexTable("article_search");
  return *table;
}

std::vector<search::SearchField> ProductSearchFields(const v1::Product& product,
                                                     std::vector<std::string>& scratch) {
  scratch = {absl::StrJoin(product.features(), "\n"), absl::StrJoin(product.advantages(), "\n"),
             absl::StrJoin(product.use_cases(), "\n")};
  return {{product.display_name(), kNameWeight},
          {product.sku(), kCodeWeight},
          {product.external_id(), kCodeWeight},
          {scratch[0], kPointsWeight},
          {scratch[1], kPointsWeight},
          {scratch[2], kPointsWeight},
          {product.description(), kBodyWeight}};
}

std::vector<search::SearchField> ArticleSearchFields(const std::string& title,
                                                     const std::string& tags,
                                                     const std::string& body) {
  return {{title, kNameWeight}, {tags, kPointsWeight}, {body, kBodyWeight}};
}

}  // namespace crm::knowledge
