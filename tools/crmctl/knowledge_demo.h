// The demo catalog and knowledge base that `crmctl demo-load` creates: categories, about
// twenty products priced in CNY (some also in USD) with a price change in the past, and
// articles and FAQs in Chinese and English, so the knowledge service has something to show.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace crm::crmctl {

struct DemoCategory {
  std::string_view key;     // request ids: "demo-category-<key>"; found by parent and name
  std::string_view name;
  std::string_view parent;  // key of the parent, "" at the top
};
// Parents come before their children.
const std::vector<DemoCategory>& DemoCategories();

// One price entry: `days_ago` days before kDemoPriceAnchor (0: from the anchor on).
struct DemoPrice {
  std::string_view currency;
  int64_t minor_units;
  int days_ago;
};

// The day the demo's price history is counted back from, 2026-11-01T00:00:00Z. Fixed, so a
// second load sends the very same prices and finds them already there, whenever it runs;
// in the past, so every demo price is in force or history on any stack loaded since.
absl::Time DemoPriceAnchor();
// When `price` takes effect: DemoPriceAnchor() minus its days_ago.
absl::Time DemoEffectiveTime(const DemoPrice& price);

struct DemoProduct {
  // Found by SKU on a second load. Request ids: "demo-product-<sku>", prices
  // "demo-price-<sku>-<n>-<effective day, YYYYMMDD>".
  std::string_view sku;
  std::string_view name;
  std::string_view category;  // key
  std::string_view unit;
  std::string_view description;
  std::vector<std::string_view> features;
  std::vector<DemoPrice> prices;  // oldest first, no two of a currency on the same day
};
const std::vector<DemoProduct>& DemoProducts();

// An article, created by `author` (a demo username) and published by `publisher`; found by
// its title and author on a second load.
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
