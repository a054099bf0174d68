#include "services/knowledge/article_validation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "libs/grpc/status.h"

namespace crm::knowledge {
namespace {

std::vector<std::string> Fields(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolations(status)) fields.push_back(v.field);
  return fields;
}

v1::Article Valid() {
  v1::Article a;
  a.set_kind(v1::FAQ);
  a.set_title("  退货流程怎么走？ ");
  a.set_body("1. 登录\n2. 申请退货\n");
  a.add_tags(" Pricing ");
  a.add_tags("售后");
  a.add_products("products/7");
  return a;
}

TEST(ArticleValidationTest, KeepsAValidArticleInItsStoredForm) {
  v1::Article a = Valid();
  ASSERT_TRUE(NormalizeArticle(a, "article").ok());
  EXPECT_EQ(a.title(), "退货流程怎么走？");
  EXPECT_EQ(a.body(), "1. 登录\n2. 申请退货");
  EXPECT_EQ(a.tags(0), "pricing");
  EXPECT_EQ(a.tags(1), "售后");
  EXPECT_EQ(a.products(0), "products/7");
}

TEST(ArticleValidationTest, ReportsEveryBadFieldAtOnce) {
  v1::Article a;
  a.set_title(std::string(201, 'x'));
  a.set_body(std::string(20001, 'y'));
  a.add_tags("pricing");
  a.add_tags("PRICING");
  a.add_tags(std::string(33, 't'));
  a.add_products("products/7");
  a.add_products("customers/7");
  a.add_products("products/7");
  absl::Status st = NormalizeArticle(a, "article");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Fields(st), (std::vector<std::string>{"article.kind", "article.title", "article.body",
                                                  "article.tags[1]", "article.tags[2]",
                                                  "article.products[1]", "article.products[2]"}));
}

TEST(ArticleValidationTest, LimitsCountsOfTagsAndProducts) {
  v1::Article a = Valid();
  a.clear_tags();
  a.clear_products();
  for (int i = 0; i < 11; ++i) a.add_tags("t" + std::to_string(i));
  for (int i = 1; i <= 21; ++i) a.add_products("products/" + std::to_string(i));
  std::vector<std::string> fields = Fields(NormalizeArticle(a, "article"));
  EXPECT_NE(std::find(fields.begin(), fields.end(), "article.tags"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "article.products"), fields.end());
}

TEST(ArticleValidationTest, TitleIsRequiredAndBodyIsNot) {
  v1::Article a = Valid();
  a.set_title("   ");
  a.clear_body();
  EXPECT_EQ(Fields(NormalizeArticle(a, "article")), std::vector<std::string>{"article.title"});
  a.set_title("A\ttab");
  EXPECT_EQ(Fields(NormalizeArticle(a, "article")), std::vector<std::string>{"article.title"});
}

}  // namespace
}  // namespace crm::knowledge
