// SearchKnowledge against a real MariaDB schema: Chinese and English queries over products and
// published articles, ranking, filters, paging, and the read rules (drafts, archived articles
// and inactive products found only by those who may see them).
#include <set>

#include "services/knowledge/article_testing.h"
#include "services/knowledge/catalog_service.h"
#include "services/knowledge/search_service.h"

namespace crm::knowledge {
namespace {

class SearchTest : public testing::ArticleTest {
 protected:
  void SetUp() override {
    ArticleTest::SetUp();
    if (HasFatalFailure()) return;
    catalog_store_ = std::make_unique<CatalogStore>(test_->pool(), test_->clock());
    catalog_ = std::make_unique<CatalogService>(test_->kit(), *catalog_store_);
    search_store_ = std::make_unique<SearchStore>(test_->pool());
    search_ = std::make_unique<KnowledgeSearchService>(test_->kit(), *search_store_,
                                                       *catalog_store_, *store_);
    v1::CreateCategoryRequest category;
    category.mutable_category()->set_display_name("设备");
    v1::Category created;
    ASSERT_TRUE(catalog_->DoCreateCategory(admin_, category, &created).ok());
    category_ = created.name();
  }

  std::string NewProduct(const std::string& sku, const std::string& name,
                         const std::string& description = "", bool active = true) {
    v1::CreateProductRequest req;
    req.mutable_product()->set_sku(sku);
    req.mutable_product()->set_display_name(name);
    req.mutable_product()->set_description(description);
    req.mutable_product()->set_category(category_);
    req.mutable_product()->set_unit("台");
    req.mutable_product()->set_active(active);
    v1::Product out;
    absl::Status st = catalog_->DoCreateProduct(admin_, req, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out.name();
  }

  std::string Published(v1::ArticleKind kind, const std::string& title, const std::string& body,
                        std::vector<std::string> tags = {}, std::vector<std::string> products = {}) {
    auto draft = Create(manager_, kind, title, body, std::move(tags), std::move(products));
    EXPECT_TRUE(draft.ok()) << draft.status();
    if (!draft.ok()) return "";
    EXPECT_TRUE(Publish(manager_, draft->name()).ok());
    return draft->name();
  }

  // The names of every hit for `query` as `caller` finds them, page by page (2 a page).
  std::vector<std::string> Find(const auth::Caller& caller, const std::string& query,
                                std::vector<v1::SearchScope> scopes = {},
                                const std::string& tag = "", const std::string& product = "") {
    std::vector<std::string> names;
    v1::SearchKnowledgeRequest req;
    req.set_query(query);
    for (v1::SearchScope s : scopes) req.add_scopes(s);
    req.set_tag(tag);
    req.set_product(product);
    req.set_page_size(2);
    for (int guard = 0; guard < 20; ++guard) {
      v1::SearchKnowledgeResponse resp;
      absl::Status st = search_->Search(caller, req, &resp);
      EXPECT_TRUE(st.ok()) << query << ": " << st;
      if (!st.ok()) break;
      for (const v1::SearchHit& hit : resp.hits()) {
        names.push_back(hit.has_product() ? hit.product().name() : hit.article().name());
      }
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return names;
  }

  std::unique_ptr<CatalogStore> catalog_store_;
  std::unique_ptr<CatalogService> catalog_;
  std::unique_ptr<SearchStore> search_store_;
  std::unique_ptr<KnowledgeSearchService> search_;
  std::string category_;
};

TEST_F(SearchTest, ChineseAndEnglishFindProductsAndArticlesRankedByWhereTheyMatch) {
  const std::string printer = NewProduct("LJ-2200", "激光打印机 LJ-2200", "适合小型办公室");
  const std::string sensor = NewProduct("SENS-T100", "温度传感器", "用于激光设备的冷却监控");
  const std::string tip = Published(v1::SALES_TIP, "如何向客户介绍激光打印机",
                                    "先问每月打印量。", {"打印"}, {printer});
  const std::string faq = Published(v1::FAQ, "How do I clear a paper jam?",
                                    "Open the laser printer's front cover.", {"printer"});

  // A title match ranks above a match in the description or body.
  std::vector<std::string> laser = Find(rep_, "激光");
  ASSERT_EQ(std::set<std::string>(laser.begin(), laser.end()),
            (std::set<std::string>{printer, sensor, tip}));
  EXPECT_NE(laser.back(), printer) << "the printer's name matches; the sensor's description only";
  EXPECT_EQ(laser.back(), sensor);
  std::vector<std::string> printers = Find(rep_, "打印机");
  EXPECT_EQ(std::set<std::string>(printers.begin(), printers.end()),
            (std::set<std::string>{printer, tip}));
  EXPECT_EQ(printers.front(), tip) << "its title and its tag match";
  EXPECT_EQ(Find(rep_, "paper jam"), std::vector<std::string>{faq});
  EXPECT_EQ(Find(rep_, "PRINTER"), std::vector<std::string>{faq}) << "case-insensitive";
  EXPECT_EQ(Find(rep_, "lj-2200"), std::vector<std::string>{printer});
  EXPECT_TRUE(Find(rep_, "扫描仪").empty());

  // Scopes, tags and products narrow it.
  EXPECT_EQ(Find(rep_, "激光", {v1::PRODUCTS}), (std::vector<std::string>{printer, sensor}));
  EXPECT_EQ(Find(rep_, "激光", {v1::SALES_TIP_ARTICLES}), std::vector<std::string>{tip});
  EXPECT_EQ(Find(rep_, "激光", {}, "打印"), std::vector<std::string>{tip});
  EXPECT_EQ(Find(rep_, "激光", {}, "", printer), (std::vector<std::string>{printer, tip}));
}

TEST_F(SearchTest, OnlyWhatTheCallerMayReadIsFound) {
  const std::string hidden = NewProduct("OLD-1", "旧款投影仪", "", /*active=*/false);
  auto draft = Create(rep_, v1::SALES_TIP, "投影仪的卖点", "亮度和噪音。");
  ASSERT_TRUE(draft.ok()) << draft.status();
  const std::string archived = Published(v1::PRODUCT_KNOWLEDGE, "投影仪保养", "每年清洁滤网。");
  ASSERT_TRUE(Archive(manager_, archived).ok());
  const std::string live = Published(v1::FAQ, "投影仪多亮？", "3600 流明。");

  EXPECT_EQ(Find(other_rep_, "投影仪"), std::vector<std::string>{live})
      << "no drafts, no archived articles, no inactive products";
  EXPECT_EQ(Find(rep_, "投影仪"), std::vector<std::string>{live})
      << "search covers what is published, not even one's own draft";
  std::vector<std::string> editor = Find(manager_, "投影仪");
  EXPECT_EQ(std::set<std::string>(editor.begin(), editor.end()),
            (std::set<std::string>{hidden, live}))
      << "a catalog editor also finds inactive products";

  // Publishing the draft makes it findable; its edits are not, until published again.
  ASSERT_TRUE(Publish(manager_, draft->name()).ok());
  ASSERT_TRUE(SetTitle(rep_, draft->name(), "激光电视的卖点").ok());
  EXPECT_EQ(Find(other_rep_, "激光电视"), std::vector<std::string>{});
  EXPECT_EQ(Find(other_rep_, "投影仪 卖点").size(), 1u);
}

TEST_F(SearchTest, BadQueriesAreFieldViolations) {
  v1::SearchKnowledgeResponse resp;
  v1::SearchKnowledgeRequest empty;
  absl::Status st = search_->Search(rep_, empty, &resp);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_FALSE(FieldViolations(st).empty());
  EXPECT_EQ(FieldViolations(st)[0].field, "query");
  v1::SearchKnowledgeRequest bad;
  bad.set_query("ok");
  bad.add_scopes(static_cast<v1::SearchScope>(99));
  bad.set_product("articles/1");
  st = search_->Search(rep_, bad, &resp);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolations(st).size(), 2u) << st;
}

}  // namespace
}  // namespace crm::knowledge
