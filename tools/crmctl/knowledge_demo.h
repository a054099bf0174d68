// The demo catalog and knowledge base that `crmctl demo-load` creates: categories, about
// twenty products priced in CNY (some also in USD) with a price change in the past, and
// articles and FAQs in Chinese and English, so the knowledge service has something to show.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace crm::crmctl {

struct DemoCategory {
  std::string_view key;     // request ids: "demo-category-<key>"
  std::string_view name;
  std::string_view parent;  // key of the parent, "" at the top
};
// Parents come before their children.
const std::vector<DemoCategory>& DemoCategories();

// One price entry: `days_ago` before the load (0: now).
struct DemoPrice {
  std::string_view currency;
  int64_t minor_units;
  int days_ago;
};

struct DemoProduct {
  std::string_view sku;  // request ids: "demo-product-<sku>", prices "demo-price-<sku>-<n>"
  std::string_view name;
  std::string_view category;  // key
  std::string_view unit;
  std::string_view description;
  std::vector<std::string_view> features;
  std::vector<DemoPrice> prices;  // oldest first
};
const std::vector<DemoProduct>& DemoProducts();

// An article, created by `author` (a demo username) and published by `publisher`.
struct DemoArticle {
  std::string_view key;  // request ids: "demo-article-<key>", "demo-publish-<key>"
  int kind;              // crm.knowledge.v1.ArticleKind
  std::string_view title;
  std::string_view body;
  std::vector<std::string_view> tags;
  std::vector<std::string_view> skus;  // the products it is about
  std::string_view author;
  std::string_view publisher;
};
const std::vector<DemoArticle>& DemoArticles();

}  // namespace crm::crmctl
