// The knowledge service as a real process behind the gateway, on real MariaDB: the catalog's
// price history as clients see it, who may change the catalog, money rules, and its events.
// A service made only from the service kit (libs/service): this test also shows the kit's
// start-up migrating, serving, enforcing the policy table and emitting events.
#include <gtest/gtest.h>

#include "crm/events/v1/events.grpc.pb.h"
#include "crm/knowledge/v1/knowledge.grpc.pb.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

namespace v1 = knowledge::v1;
using testing::Session;
using testing::Stack;

common::v1::Money Yuan(int64_t units) {
  common::v1::Money m;
  m.set_currency_code("CNY");
  m.set_units(units);
  return m;
}

class KnowledgeE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();
    auto team = stack_->CreateTeam("知识库测试组");
    ASSERT_TRUE(team.ok()) << team.status();
    for (auto [name, role] : {std::pair{"k.manager", auth::v1::SALES_MANAGER},
                              std::pair{"k.rep", auth::v1::SALES_REP},
                              std::pair{"k.marketing", auth::v1::MARKETING},
                              std::pair{"k.support", auth::v1::SUPPORT}}) {
      ASSERT_TRUE(stack_->CreateUser(name, role, team->name()).ok()) << name;
    }
    sessions_ = new std::map<std::string, Session>();
    auto admin = stack_->LoginAdmin();
    ASSERT_TRUE(admin.ok()) << admin.status();
    (*sessions_)["admin"] = *admin;
    for (const char* name : {"k.manager", "k.rep", "k.marketing", "k.support"}) {
      auto session = stack_->Login(name, Stack::kTestPassword);
      ASSERT_TRUE(session.ok()) << session.status();
      (*sessions_)[name] = *session;
    }
  }
  static void TearDownTestSuite() {
    delete sessions_;
    delete stack_;
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << stack_->Logs();
  }

  static const Session& As(const std::string& who) { return sessions_->at(who); }
  static std::unique_ptr<v1::CatalogService::Stub> Catalog() {
    return v1::CatalogService::NewStub(stack_->gateway());
  }

  static absl::StatusOr<v1::Category> NewCategory(const std::string& name) {
    v1::CreateCategoryRequest req;
    req.mutable_category()->set_display_name(name);
    v1::Category out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(Catalog()->CreateCategory(As("admin").Context().get(), req, &out)));
    return out;
  }

  static absl::StatusOr<v1::Product> NewProduct(const std::string& sku, const std::string& category,
                                                const std::string& who = "k.manager") {
    v1::CreateProductRequest req;
    req.mutable_product()->set_sku(sku);
    req.mutable_product()->set_display_name("产品 " + sku);
    req.mutable_product()->set_category(category);
    req.mutable_product()->set_unit("台");
    v1::Product out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(Catalog()->CreateProduct(As(who).Context().get(), req, &out)));
    return out;
  }

  static absl::Status SetPrice(const std::string& product, int64_t yuan, absl::Time effective,
                               const std::string& who = "admin") {
    v1::SetProductPriceRequest req;
    req.set_product(product);
    *req.mutable_price()->mutable_price() = Yuan(yuan);
    *req.mutable_price()->mutable_effective_time() = ToTimestamp(effective);
    v1::ProductPrice out;
    return FromGrpcStatus(Catalog()->SetProductPrice(As(who).Context().get(), req, &out));
  }

  // The CNY price of `product` at `at`, as a rep asks for it through the gateway; -1 when
  // there is none (PRICE_NOT_FOUND).
  static int64_t YuanAt(const std::string& product, absl::Time at) {
    v1::GetProductPriceRequest req;
    req.set_product(product);
    req.set_currency_code("CNY");
    *req.mutable_at_time() = ToTimestamp(at);
    v1::ProductPrice out;
    absl::Status st = FromGrpcStatus(Catalog()->GetProductPrice(As("k.rep").Context().get(), req, &out));
    if (ErrorReason(st) == "PRICE_NOT_FOUND") return -1;
    EXPECT_TRUE(st.ok()) << st;
    return out.price().units();
  }

  static std::unique_ptr<v1::ArticleService::Stub> Articles() {
    return v1::ArticleService::NewStub(stack_->gateway());
  }

  static absl::StatusOr<v1::Article> NewArticle(const std::string& who, v1::ArticleKind kind,
                                                const std::string& title,
                                                const std::string& body) {
    v1::CreateArticleRequest req;
    req.mutable_article()->set_kind(kind);
    req.mutable_article()->set_title(title);
    req.mutable_article()->set_body(body);
    v1::Article out;
    CRM_RETURN_IF_ERROR(FromGrpcStatus(Articles()->CreateArticle(As(who).Context().get(), req, &out)));
    return out;
  }
  static absl::StatusOr<v1::Article> Publish(const std::string& who, const std::string& name) {
    v1::PublishArticleRequest req;
    req.set_name(name);
    v1::Article out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(Articles()->PublishArticle(As(who).Context().get(), req, &out)));
    return out;
  }
  static absl::StatusOr<v1::Article> Archive(const std::string& who, const std::string& name) {
    v1::ArchiveArticleRequest req;
    req.set_name(name);
    v1::Article out;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(Articles()->ArchiveArticle(As(who).Context().get(), req, &out)));
    return out;
  }
  static absl::Status GetArticle(const std::string& who, const std::string& name,
                                 v1::Article* out = nullptr) {
    v1::GetArticleRequest req;
    req.set_name(name);
    v1::Article ignored;
    return FromGrpcStatus(
        Articles()->GetArticle(As(who).Context().get(), req, out ? out : &ignored));
  }
  static absl::Status EditTitle(const std::string& who, const std::string& name,
                                const std::string& title) {
    v1::UpdateArticleRequest req;
    req.mutable_article()->set_name(name);
    req.mutable_article()->set_title(title);
    req.mutable_update_mask()->add_paths("title");
    v1::Article out;
    return FromGrpcStatus(Articles()->UpdateArticle(As(who).Context().get(), req, &out));
  }
  // Names of the hits for `query` as `who` finds them (first page of 100).
  static std::vector<std::string> Search(const std::string& who, const std::string& query) {
    v1::SearchKnowledgeRequest req;
    req.set_query(query);
    req.set_page_size(100);
    v1::SearchKnowledgeResponse resp;
    grpc::Status st = v1::KnowledgeService::NewStub(stack_->gateway())
                          ->SearchKnowledge(As(who).Context().get(), req, &resp);
    EXPECT_TRUE(st.ok()) << query << ": " << st.error_message();
    std::vector<std::string> names;
    for (const v1::SearchHit& hit : resp.hits()) {
      names.push_back(hit.has_product() ? hit.product().name() : hit.article().name());
    }
    return names;
  }

  static Stack* stack_;
  static std::map<std::string, Session>* sessions_;
};

Stack* KnowledgeE2eTest::stack_ = nullptr;
std::map<std::string, Session>* KnowledgeE2eTest::sessions_ = nullptr;

TEST_F(KnowledgeE2eTest, APriceIsTheOneValidOnTheDayAskedAbout) {
  auto category = NewCategory("价格历史");
  ASSERT_TRUE(category.ok()) << category.status();
  auto product = NewProduct("HIST-1", category->name());
  ASSERT_TRUE(product.ok()) << product.status();
  const absl::Time now = absl::Now();
  const absl::Duration day = absl::Hours(24);
  // Three entries in the past: from 90 days ago, a change 60 days ago and one 30 days ago.
  ASSERT_TRUE(SetPrice(product->name(), 3000, now - 90 * day).ok());
  ASSERT_TRUE(SetPrice(product->name(), 2800, now - 60 * day).ok());
  ASSERT_TRUE(SetPrice(product->name(), 2500, now - 30 * day).ok());

  EXPECT_EQ(YuanAt(product->name(), now - 100 * day), -1) << "before the first price";
  EXPECT_EQ(YuanAt(product->name(), now - 75 * day), 3000) << "between the first and the change";
  EXPECT_EQ(YuanAt(product->name(), now - 45 * day), 2800) << "between the two changes";
  EXPECT_EQ(YuanAt(product->name(), now - 10 * day), 2500) << "after the second change";
  EXPECT_EQ(YuanAt(product->name(), now - 60 * day), 2800) << "from the moment it takes effect";
}

TEST_F(KnowledgeE2eTest, AFuturePriceWaitsForItsDate) {
  auto category = NewCategory("预定价格");
  ASSERT_TRUE(category.ok()) << category.status();
  auto product = NewProduct("SCHED-1", category->name());
  ASSERT_TRUE(product.ok()) << product.status();
  const absl::Time now = absl::Now();
  ASSERT_TRUE(SetPrice(product->name(), 1000, now - absl::Hours(1)).ok());
  ASSERT_TRUE(SetPrice(product->name(), 1200, now + absl::Hours(24 * 7)).ok());
  EXPECT_EQ(YuanAt(product->name(), now), 1000);
  EXPECT_EQ(YuanAt(product->name(), now + absl::Hours(24 * 7) - absl::Seconds(1)), 1000);
  EXPECT_EQ(YuanAt(product->name(), now + absl::Hours(24 * 8)), 1200);
  // What a client reads as the product's price today is still the current one.
  v1::GetProductRequest get;
  get.set_name(product->name());
  v1::Product read;
  ASSERT_TRUE(Catalog()->GetProduct(As("k.rep").Context().get(), get, &read).ok());
  ASSERT_EQ(read.list_prices_size(), 1);
  EXPECT_EQ(read.list_prices(0).units(), 1000);
}

TEST_F(KnowledgeE2eTest, OnlyAdminsAndManagersChangeProductsAndPrices) {
  auto category = NewCategory("权限");
  ASSERT_TRUE(category.ok()) << category.status();
  auto product = NewProduct("PERM-1", category->name());
  ASSERT_TRUE(product.ok()) << product.status();
  for (const char* who : {"admin", "k.manager", "k.rep", "k.marketing", "k.support"}) {
    const bool editor = std::string(who) == "admin" || std::string(who) == "k.manager";
    absl::Status create = NewProduct(std::string("PERM-") + who, category->name(), who).status();
    absl::Status price = SetPrice(product->name(), 10, absl::Now(), who);
    if (editor) {
      EXPECT_TRUE(create.ok()) << who << ": " << create;
      EXPECT_TRUE(price.ok()) << who << ": " << price;
    } else {
      EXPECT_EQ(create.code(), absl::StatusCode::kPermissionDenied) << who;
      EXPECT_EQ(price.code(), absl::StatusCode::kPermissionDenied) << who;
    }
    // Everyone reads the catalog.
    v1::GetProductRequest get;
    get.set_name(product->name());
    v1::Product read;
    EXPECT_TRUE(Catalog()->GetProduct(As(who).Context().get(), get, &read).ok()) << who;
  }
}

TEST_F(KnowledgeE2eTest, InvalidMoneyIsAFieldViolation) {
  auto category = NewCategory("金额");
  ASSERT_TRUE(category.ok()) << category.status();
  auto product = NewProduct("MONEY-1", category->name());
  ASSERT_TRUE(product.ok()) << product.status();
  struct Case {
    std::string currency;
    int64_t units;
    int32_t nanos;
    std::string field;
  };
  for (const Case& c : {Case{"CNY", -1, 0, "price.price"},
                        Case{"ZZZ", 1, 0, "price.price.currency_code"},
                        Case{"CNY", 1, 1'000'000, "price.price"}}) {
    v1::SetProductPriceRequest req;
    req.set_product(product->name());
    req.mutable_price()->mutable_price()->set_currency_code(c.currency);
    req.mutable_price()->mutable_price()->set_units(c.units);
    req.mutable_price()->mutable_price()->set_nanos(c.nanos);
    v1::ProductPrice out;
    absl::Status st =
        FromGrpcStatus(Catalog()->SetProductPrice(As("admin").Context().get(), req, &out));
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.currency;
    ASSERT_EQ(FieldViolations(st).size(), 1u) << st;
    EXPECT_EQ(FieldViolations(st)[0].field, c.field);
  }
  v1::ListProductPricesRequest history;
  history.set_product(product->name());
  v1::ListProductPricesResponse listed;
  ASSERT_TRUE(Catalog()->ListProductPrices(As("admin").Context().get(), history, &listed).ok());
  EXPECT_EQ(listed.prices_size(), 0) << "nothing was written";
}

TEST_F(KnowledgeE2eTest, EveryPublishedRevisionStaysReadable) {
  auto article = NewArticle("k.marketing", v1::PRODUCT_KNOWLEDGE, "投影仪选型", "看亮度。");
  ASSERT_TRUE(article.ok()) << article.status();
  ASSERT_TRUE(Publish("k.marketing", article->name()).ok());
  ASSERT_TRUE(EditTitle("k.marketing", article->name(), "投影仪选型指南").ok());
  v1::Article seen;
  ASSERT_TRUE(GetArticle("k.rep", article->name(), &seen).ok());
  EXPECT_EQ(seen.title(), "投影仪选型") << "readers see revision 1 until the next publish";
  auto second = Publish("k.marketing", article->name());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->revision(), 2);

  v1::ListArticleRevisionsRequest req;
  req.set_article(article->name());
  v1::ListArticleRevisionsResponse revisions;
  ASSERT_TRUE(Articles()->ListArticleRevisions(As("k.rep").Context().get(), req, &revisions).ok());
  ASSERT_EQ(revisions.revisions_size(), 2);
  EXPECT_EQ(revisions.revisions(0).revision(), 2);
  EXPECT_EQ(revisions.revisions(0).title(), "投影仪选型指南");
  EXPECT_EQ(revisions.revisions(1).revision(), 1);
  EXPECT_EQ(revisions.revisions(1).title(), "投影仪选型");
}

TEST_F(KnowledgeE2eTest, SearchFindsChineseAndEnglishAsEachCallerMaySee) {
  auto category = NewCategory("搜索");
  ASSERT_TRUE(category.ok()) << category.status();
  auto machine = NewProduct("JG-5000", category->name());
  ASSERT_TRUE(machine.ok()) << machine.status();
  v1::UpdateProductRequest rename;
  rename.mutable_product()->set_name(machine->name());
  rename.mutable_product()->set_display_name("苏州精工机械 数控车床");
  rename.mutable_update_mask()->add_paths("display_name");
  v1::Product renamed;
  ASSERT_TRUE(Catalog()->UpdateProduct(As("admin").Context().get(), rename, &renamed).ok());
  auto faq = NewArticle("k.support", v1::FAQ, "What is the warranty on lathes?",
                        "Two years, parts and labour.");
  ASSERT_TRUE(faq.ok()) << faq.status();
  ASSERT_TRUE(Publish("k.manager", faq->name()).ok());
  auto draft = NewArticle("k.rep", v1::SALES_TIP, "精工客户的砍价习惯", "月底前最好谈。");
  ASSERT_TRUE(draft.ok()) << draft.status();

  EXPECT_EQ(Search("k.rep", "精工"), (std::vector<std::string>{machine->name()}))
      << "the rep's own draft is not published, so not searchable";
  EXPECT_EQ(Search("k.marketing", "warranty"), std::vector<std::string>{faq->name()});
  EXPECT_EQ(Search("k.support", "LATHES"), std::vector<std::string>{faq->name()});
  EXPECT_EQ(Search("k.support", "JG-5000"), std::vector<std::string>{machine->name()});
}

TEST_F(KnowledgeE2eTest, ArticleRulesByRoleForOwnAndOthersDraftsAndPublished) {
  // One draft and one published sales tip per author, then every reader against each.
  std::map<std::string, std::string> drafts, published;
  for (const char* author : {"k.rep", "k.marketing"}) {
    auto draft = NewArticle(author, v1::SALES_TIP, std::string("草稿 ") + author, "内容");
    auto live = NewArticle(author, v1::SALES_TIP, std::string("发布 ") + author, "内容");
    ASSERT_TRUE(draft.ok() && live.ok());
    ASSERT_TRUE(Publish("k.manager", live->name()).ok());
    drafts[author] = draft->name();
    published[author] = live->name();
  }
  struct Row {
    const char* who;
    bool reads_others_draft;   // drafts: author, managers, admins
    bool edits_others_published;
    bool publishes;            // the policy row: ADMIN, SALES_MANAGER, MARKETING
  };
  for (const Row& row : {Row{"admin", true, true, true}, Row{"k.manager", true, true, true},
                         Row{"k.rep", false, false, false}, Row{"k.marketing", false, false, true},
                         Row{"k.support", false, false, false}}) {
    const std::string who = row.who;
    const std::string other = who == "k.rep" ? "k.marketing" : "k.rep";
    // Everyone reads every published article.
    EXPECT_TRUE(GetArticle(who, published[other]).ok()) << who;
    // Another's draft: visible or NOT_FOUND, never PERMISSION_DENIED (ids cannot be probed).
    absl::Status draft = GetArticle(who, drafts[other]);
    if (row.reads_others_draft) {
      EXPECT_TRUE(draft.ok()) << who << ": " << draft;
    } else {
      EXPECT_EQ(draft.code(), absl::StatusCode::kNotFound) << who;
      EXPECT_EQ(ErrorReason(draft), "ARTICLE_NOT_FOUND") << who;
      EXPECT_EQ(EditTitle(who, drafts[other], "x").code(), absl::StatusCode::kNotFound) << who;
    }
    // Another's published article: edited by editors, PERMISSION_DENIED for other readers.
    absl::Status edit = EditTitle(who, published[other], "改 " + who);
    if (row.edits_others_published) {
      EXPECT_TRUE(edit.ok()) << who << ": " << edit;
    } else {
      EXPECT_EQ(edit.code(), absl::StatusCode::kPermissionDenied) << who;
    }
    // Publishing is the policy table's first: roles without the row are refused outright.
    if (!row.publishes) {
      EXPECT_EQ(Publish(who, drafts[other]).status().code(), absl::StatusCode::kPermissionDenied)
          << who;
    }
  }
  // Own drafts: the author reads and edits them.
  for (const char* author : {"k.rep", "k.marketing"}) {
    EXPECT_TRUE(GetArticle(author, drafts[author]).ok()) << author;
    EXPECT_TRUE(EditTitle(author, drafts[author], std::string("改过 ") + author).ok()) << author;
  }
}

// Publishing and archiving through the gateway, cell by cell: who may, who is refused by the
// policy table (PERMISSION_DENIED), who may call the method but not act on this article
// (PERMISSION_DENIED), and who cannot see it at all (NOT_FOUND).
TEST_F(KnowledgeE2eTest, ArticlePublishAndArchiveByRole) {
  using Code = absl::StatusCode;
  struct Row {
    const char* who;
    Code publish_own_draft;
    Code publish_reps_draft;      // a draft k.rep wrote
    Code publish_reps_edit;       // k.rep's published tip, edited since
    Code archive_reps_published;  // another's published article
    Code archive_own_published;   // its own, published by a manager
  };
  const Code kOk = Code::kOk, kDenied = Code::kPermissionDenied, kNotFound = Code::kNotFound;
  for (const Row& row : {
           Row{"admin", kOk, kOk, kOk, kOk, kOk},
           Row{"k.manager", kOk, kOk, kOk, kOk, kOk},
           // Marketing publishes only what it wrote, cannot see a rep's draft, and archives
           // any published article.
           Row{"k.marketing", kOk, kNotFound, kDenied, kOk, kOk},
           // Reps and support have no publish or archive row: their tips go out through a
           // manager or an admin.
           Row{"k.rep", kDenied, kDenied, kDenied, kDenied, kDenied},
           Row{"k.support", kDenied, kDenied, kDenied, kDenied, kDenied},
       }) {
    const std::string who = row.who;
    SCOPED_TRACE(who);
    auto own_draft = NewArticle(who, v1::SALES_TIP, "自己的草稿 " + who, "内容");
    auto reps_draft = NewArticle("k.rep", v1::SALES_TIP, "代表的草稿 " + who, "内容");
    auto reps_edit = NewArticle("k.rep", v1::SALES_TIP, "代表的技巧 " + who, "内容");
    auto others_published = NewArticle("k.rep", v1::SALES_TIP, "已发布 " + who, "内容");
    auto own_published = NewArticle(who, v1::SALES_TIP, "自己已发布 " + who, "内容");
    ASSERT_TRUE(own_draft.ok() && reps_draft.ok() && reps_edit.ok() && others_published.ok() &&
                own_published.ok());
    ASSERT_TRUE(Publish("k.manager", reps_edit->name()).ok());
    ASSERT_TRUE(EditTitle("k.rep", reps_edit->name(), "代表的技巧（修订）" + who).ok());
    ASSERT_TRUE(Publish("k.manager", others_published->name()).ok());
    ASSERT_TRUE(Publish("k.manager", own_published->name()).ok());

    auto published_own = Publish(who, own_draft->name());
    EXPECT_EQ(published_own.status().code(), row.publish_own_draft) << published_own.status();
    if (published_own.ok()) {
      EXPECT_EQ(published_own->state(), v1::PUBLISHED);
      EXPECT_EQ(published_own->revision(), 1);
    }
    auto published_reps = Publish(who, reps_draft->name());
    EXPECT_EQ(published_reps.status().code(), row.publish_reps_draft) << published_reps.status();
    if (row.publish_reps_draft == kNotFound) {
      EXPECT_EQ(ErrorReason(published_reps.status()), "ARTICLE_NOT_FOUND");
    }
    auto published_edit = Publish(who, reps_edit->name());
    EXPECT_EQ(published_edit.status().code(), row.publish_reps_edit) << published_edit.status();
    if (published_edit.ok()) {
      EXPECT_EQ(published_edit->revision(), 2);
    }
    auto archived_other = Archive(who, others_published->name());
    EXPECT_EQ(archived_other.status().code(), row.archive_reps_published)
        << archived_other.status();
    if (archived_other.ok()) {
      EXPECT_EQ(archived_other->state(), v1::ARCHIVED);
    }
    auto archived_own = Archive(who, own_published->name());
    EXPECT_EQ(archived_own.status().code(), row.archive_own_published) << archived_own.status();
    if (archived_own.ok()) {
      EXPECT_EQ(archived_own->state(), v1::ARCHIVED);
    }

    // What a refusal left alone is as it was, as its author sees it.
    v1::Article seen;
    ASSERT_TRUE(GetArticle("k.rep", reps_draft->name(), &seen).ok());
    EXPECT_EQ(seen.state(), row.publish_reps_draft == kOk ? v1::PUBLISHED : v1::DRAFT);
    ASSERT_TRUE(GetArticle("k.rep", others_published->name(), &seen).ok());
    EXPECT_EQ(seen.state(), row.archive_reps_published == kOk ? v1::ARCHIVED : v1::PUBLISHED);
  }
  // Only a published article can be archived.
  auto draft = NewArticle("k.marketing", v1::PRODUCT_KNOWLEDGE, "还没发布", "内容");
  ASSERT_TRUE(draft.ok()) << draft.status();
  EXPECT_EQ(ErrorReason(Archive("k.manager", draft->name()).status()), "NOT_PUBLISHED");
}

// The orders service prices an order with GetProductPrice as itself: the price of the order's
// day stays readable after the product is deactivated; a new order (now) cannot be priced.
TEST_F(KnowledgeE2eTest, TheOrdersServiceReadsThePriceOfTheDayAfterADeactivation) {
  auto category = NewCategory("订单定价");
  ASSERT_TRUE(category.ok()) << category.status();
  auto product = NewProduct("ORDER-1", category->name());
  ASSERT_TRUE(product.ok()) << product.status();
  const absl::Time now = absl::Now();
  const absl::Duration day = absl::Hours(24);
  ASSERT_TRUE(SetPrice(product->name(), 1000, now - 20 * day).ok());
  ASSERT_TRUE(SetPrice(product->name(), 900, now - 10 * day).ok());

  auto orders = stack_->ServiceToken("orders");
  ASSERT_TRUE(orders.ok()) << orders.status();
  auto knowledge = v1::CatalogService::NewStub(stack_->channel("knowledge"));
  // The CNY price in whole yuan as the orders service reads it, at `at` (now when unset).
  auto price = [&](std::optional<absl::Time> at) -> absl::StatusOr<int64_t> {
    v1::GetProductPriceRequest req;
    req.set_product(product->name());
    req.set_currency_code("CNY");
    if (at) *req.mutable_at_time() = ToTimestamp(*at);
    v1::ProductPrice out;
    auto ctx = testing::ContextWithToken(*orders);
    CRM_RETURN_IF_ERROR(FromGrpcStatus(knowledge->GetProductPrice(ctx.get(), req, &out)));
    return out.price().units();
  };
  EXPECT_EQ(price(now - 15 * day).value_or(-1), 1000) << "an order placed 15 days ago";
  EXPECT_EQ(price(std::nullopt).value_or(-1), 900) << "an order placed now";

  v1::UpdateProductRequest deactivate;
  deactivate.mutable_product()->set_name(product->name());
  deactivate.mutable_product()->set_active(false);
  deactivate.mutable_update_mask()->add_paths("active");
  v1::Product updated;
  ASSERT_TRUE(Catalog()->UpdateProduct(As("admin").Context().get(), deactivate, &updated).ok());
  ASSERT_FALSE(updated.active());

  EXPECT_EQ(price(now - 15 * day).value_or(-1), 1000) << "the old order still shows its price";
  EXPECT_EQ(price(now - 5 * day).value_or(-1), 900);
  // Now (unset) and later. An explicit "now" from here would be a moment ago by the time the
  // service reads its clock, which is history.
  for (std::optional<absl::Time> at :
       {std::optional<absl::Time>(), std::optional(absl::Now() + day)}) {
    absl::Status refused = price(at).status();
    EXPECT_EQ(refused.code(), absl::StatusCode::kNotFound) << refused;
    EXPECT_EQ(ErrorReason(refused), "PRODUCT_NOT_FOUND");
  }
  // Its identity reads active products only (what an order line may name): this one is gone.
  v1::GetProductRequest get;
  get.set_name(product->name());
  v1::Product read;
  auto ctx = testing::ContextWithToken(*orders);
  EXPECT_EQ(knowledge->GetProduct(ctx.get(), get, &read).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(KnowledgeE2eTest, TheServiceKitServesChecksAndPublishesEvents) {
  // Without a token the service itself refuses (not only the gateway).
  auto direct = v1::CatalogService::NewStub(stack_->channel("knowledge"));
  v1::ListCategoriesRequest list;
  v1::ListCategoriesResponse categories;
  grpc::ClientContext anonymous;
  EXPECT_EQ(direct->ListCategories(&anonymous, list, &categories).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // The policy table at the service: a rep may read but not create.
  v1::CreateCategoryRequest create;
  create.mutable_category()->set_display_name("不行");
  v1::Category refused;
  EXPECT_EQ(direct->CreateCategory(As("k.rep").Context().get(), create, &refused).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(direct->ListCategories(As("k.rep").Context().get(), list, &categories).ok());

  // A created category appears on the service's event feed, read as a service identity the
  // policy table grants feeds, with its actor.
  auto category = NewCategory("事件");
  ASSERT_TRUE(category.ok()) << category.status();
  auto analytics = stack_->ServiceToken("analytics");
  ASSERT_TRUE(analytics.ok()) << analytics.status();
  auto feed = events::v1::EventFeed::NewStub(stack_->channel("knowledge"));
  events::v1::SubscribeRequest subscribe;
  subscribe.add_types("crm.knowledge.v1.CategoryCreated");
  auto ctx = testing::ContextWithToken(*analytics);
  auto stream = feed->Subscribe(ctx.get(), subscribe);
  events::v1::Event event;
  bool found = false;
  while (!found && stream->Read(&event)) {
    found = event.resource() == category->name();
  }
  ASSERT_TRUE(found) << "no CategoryCreated for " << category->name();
  EXPECT_EQ(event.type(), "crm.knowledge.v1.CategoryCreated");
  EXPECT_EQ(event.actor(), As("admin").user.name());
  v1::Category payload;
  ASSERT_TRUE(event.payload().UnpackTo(&payload));
  EXPECT_EQ(payload.display_name(), "事件");
  ctx->TryCancel();
}

}  // namespace
}  // namespace crm
