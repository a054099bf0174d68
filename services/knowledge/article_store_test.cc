// ArticleService and ArticleStore against a real MariaDB schema of their own: the draft →
// publish → edit → publish workflow and its revisions, votes, views, validation, idempotent
// retries, etags, filters and events. article_access_test.cc covers who may do what.
#include <google/protobuf/any.pb.h>

#include <atomic>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "services/knowledge/article_event_types.h"
#include "services/knowledge/article_testing.h"

namespace crm::knowledge {
namespace {

using testing::Outcome;

class ArticleStoreTest : public testing::ArticleTest {
 protected:
  // The articles/{id}/revisions/{n} of `name`, newest first, as `caller` pages through them
  // one at a time.
  std::vector<v1::ArticleRevision> Revisions(const auth::Caller& caller, const std::string& name) {
    std::vector<v1::ArticleRevision> all;
    v1::ListArticleRevisionsRequest req;
    req.set_article(name);
    req.set_page_size(1);
    for (int guard = 0; guard < 50; ++guard) {
      v1::ListArticleRevisionsResponse resp;
      absl::Status st = service_->ListRevisions(caller, req, &resp);
      EXPECT_TRUE(st.ok()) << st;
      if (!st.ok()) break;
      for (const auto& r : resp.revisions()) all.push_back(r);
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return all;
  }

  // The payload of the last event of `type`.
  v1::Article LastEvent(const std::string& type) {
    auto session = test_->pool().Borrow();
    EXPECT_TRUE(session.ok());
    v1::Article article;
    if (!session.ok()) return article;
    auto rows = (*session)->Query(
        "SELECT payload FROM outbox WHERE event_type = ? ORDER BY sequence DESC LIMIT 1", {type});
    EXPECT_TRUE(rows.ok() && !rows->empty()) << type;
    if (!rows.ok() || rows->empty()) return article;
    google::protobuf::Any any;
    EXPECT_TRUE(any.ParseFromString((*rows)[0].Str(0)));
    EXPECT_TRUE(any.UnpackTo(&article));
    return article;
  }
};

TEST_F(ArticleStoreTest, ReadersSeeTheLatestPublishedRevisionUntilTheNextPublish) {
  const std::string printer = AddProduct("HP-M404");
  auto draft = Create(marketing_, v1::PRODUCT_KNOWLEDGE, "M404 卡纸怎么办", "先关机，再取纸。",
                      {"Printer", "售后"}, {printer});
  ASSERT_TRUE(draft.ok()) << draft.status();
  EXPECT_TRUE(draft->name().starts_with("articles/"));
  EXPECT_EQ(draft->state(), v1::DRAFT);
  EXPECT_EQ(draft->author(), "users/30");
  EXPECT_EQ(draft->revision(), 0);
  EXPECT_TRUE(draft->has_unpublished_changes());
  EXPECT_EQ(draft->tags(0), "printer");
  EXPECT_FALSE(draft->has_publish_time());
  EXPECT_EQ(Outcome(Get(rep_, draft->name())), "NOT_FOUND/ARTICLE_NOT_FOUND");

  test_->clock().Advance(absl::Minutes(1));
  auto first = Publish(marketing_, draft->name(), draft->etag());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->state(), v1::PUBLISHED);
  EXPECT_EQ(first->revision(), 1);
  EXPECT_FALSE(first->has_unpublished_changes());
  EXPECT_EQ(first->publish_time().seconds(), absl::ToUnixSeconds(test_->clock().Now()));
  EXPECT_NE(first->etag(), draft->etag());

  // The author edits; readers keep seeing revision 1, editors see the working copy.
  test_->clock().Advance(absl::Minutes(1));
  v1::Article changes;
  changes.set_name(draft->name());
  changes.set_title("M404 卡纸的三种处理办法");
  changes.set_body("1. 关机\n2. 打开后盖\n3. 轻拉纸张");
  changes.add_tags("打印机");
  auto edited = Update(marketing_, changes, {"title", "body", "tags"});
  ASSERT_TRUE(edited.ok()) << edited.status();
  EXPECT_EQ(edited->state(), v1::PUBLISHED);
  EXPECT_EQ(edited->revision(), 1);
  EXPECT_TRUE(edited->has_unpublished_changes());
  EXPECT_EQ(edited->products(0), printer);  // not in the mask: kept

  auto read = Get(rep_, draft->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->title(), "M404 卡纸怎么办");
  EXPECT_EQ(read->body(), "先关机，再取纸。");
  EXPECT_EQ(read->revision(), 1);
  EXPECT_FALSE(read->has_unpublished_changes());
  EXPECT_EQ(read->update_time().seconds(), first->publish_time().seconds());
  auto managed = Get(manager_, draft->name());
  ASSERT_TRUE(managed.ok());
  EXPECT_EQ(managed->title(), "M404 卡纸的三种处理办法");
  EXPECT_TRUE(managed->has_unpublished_changes());
  EXPECT_GT(managed->update_time().seconds(), first->publish_time().seconds());
  // Filters see what the caller sees: the reader's copy has the old title and tags.
  EXPECT_EQ(Titles(rep_, R"(title:"三种")"), std::vector<std::string>{});
  EXPECT_EQ(Titles(rep_, R"(tags:"printer")"), std::vector<std::string>{"M404 卡纸怎么办"});
  EXPECT_EQ(Titles(rep_, R"(tags:"打印机")"), std::vector<std::string>{});
  EXPECT_EQ(Titles(manager_, R"(tags:"打印机")"),
            std::vector<std::string>{"M404 卡纸的三种处理办法"});

  test_->clock().Advance(absl::Minutes(1));
  auto second = Publish(marketing_, draft->name());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->revision(), 2);
  read = Get(rep_, draft->name());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->title(), "M404 卡纸的三种处理办法");
  EXPECT_EQ(read->revision(), 2);
  EXPECT_EQ(Titles(rep_, R"(tags:"打印机")"), std::vector<std::string>{read->title()});

  // Both revisions stay readable, each with its own content, newest first.
  std::vector<v1::ArticleRevision> revisions = Revisions(rep_, draft->name());
  ASSERT_EQ(revisions.size(), 2u);
  EXPECT_EQ(revisions[0].name(), draft->name() + "/revisions/2");
  EXPECT_EQ(revisions[0].title(), "M404 卡纸的三种处理办法");
  EXPECT_EQ(revisions[0].tags(0), "打印机");
  EXPECT_EQ(revisions[1].revision(), 1);
  EXPECT_EQ(revisions[1].body(), "先关机，再取纸。");
  ASSERT_EQ(revisions[1].tags_size(), 2);
  EXPECT_EQ(revisions[1].tags(0), "printer");
  EXPECT_EQ(revisions[1].products(0), printer);
  EXPECT_EQ(revisions[1].publisher(), "users/30");
  EXPECT_EQ(revisions[1].publish_time().seconds(), first->publish_time().seconds());

  EXPECT_EQ(Outcome(Publish(marketing_, draft->name())), "FAILED_PRECONDITION/NOTHING_TO_PUBLISH");
  EXPECT_EQ(CountEvents(kArticleCreatedEvent), 1);
  EXPECT_EQ(CountEvents(kArticleUpdatedEvent), 1);
  EXPECT_EQ(CountEvents(kArticlePublishedEvent), 2);
  EXPECT_EQ(LastEvent(kArticlePublishedEvent).title(), "M404 卡纸的三种处理办法");
}

TEST_F(ArticleStoreTest, EditingBackToThePublishedTextLeavesNothingToPublish) {
  auto article = Create(manager_, v1::SALES_TIP, "先问预算", "预算决定方案。");
  ASSERT_TRUE(article.ok());
  ASSERT_TRUE(Publish(manager_, article->name()).ok());
  auto changed = SetTitle(manager_, article->name(), "先问预算和时间");
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(changed->has_unpublished_changes());
  auto back = SetTitle(manager_, article->name(), "先问预算");
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->has_unpublished_changes());
  EXPECT_EQ(Outcome(Publish(manager_, article->name())), "FAILED_PRECONDITION/NOTHING_TO_PUBLISH");
}

TEST_F(ArticleStoreTest, AFaqNeedsAnAnswerToBePublished) {
  auto faq = Create(support_, v1::FAQ, "发票多久能开？");
  ASSERT_TRUE(faq.ok()) << faq.status();
  EXPECT_EQ(Outcome(Publish(manager_, faq->name())), "FAILED_PRECONDITION/BODY_REQUIRED");
  v1::Article answer;
  answer.set_name(faq->name());
  answer.set_body("付款后三个工作日内。");
  ASSERT_TRUE(Update(support_, answer, {"body"}).ok());
  auto published = Publish(manager_, faq->name());
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(published->revision(), 1);
  // The publisher is recorded, not the author.
  EXPECT_EQ(Revisions(support_, faq->name())[0].publisher(), "users/10");
}

TEST_F(ArticleStoreTest, OnlyAPublishedArticleIsArchivedAndAnArchivedOneNeverChanges) {
  auto article = Create(marketing_, v1::PRODUCT_KNOWLEDGE, "旧款报价", "每台 3000 元");
  ASSERT_TRUE(article.ok());
  EXPECT_EQ(Outcome(Archive(marketing_, article->name())), "FAILED_PRECONDITION/NOT_PUBLISHED");
  ASSERT_TRUE(Publish(marketing_, article->name()).ok());
  ASSERT_TRUE(SetTitle(marketing_, article->name(), "旧款报价（草稿）").ok());

  auto archived = Archive(marketing_, article->name());
  ASSERT_TRUE(archived.ok()) << archived.status();
  EXPECT_EQ(archived->state(), v1::ARCHIVED);
  // The event carries what was in circulation, not the unpublished edit.
  v1::Article event = LastEvent(kArticleArchivedEvent);
  EXPECT_EQ(event.title(), "旧款报价");
  EXPECT_EQ(event.state(), v1::ARCHIVED);

  EXPECT_EQ(Outcome(SetTitle(marketing_, article->name(), "x")),
            "FAILED_PRECONDITION/ARTICLE_ARCHIVED");
  EXPECT_EQ(Outcome(SetTitle(admin_, article->name(), "x")),
            "FAILED_PRECONDITION/ARTICLE_ARCHIVED");
  EXPECT_EQ(Outcome(Publish(admin_, article->name())), "FAILED_PRECONDITION/ARTICLE_ARCHIVED");
  EXPECT_EQ(Outcome(Archive(admin_, article->name())), "FAILED_PRECONDITION/NOT_PUBLISHED");
  EXPECT_EQ(Outcome(Rate(admin_, article->name(), true)), "FAILED_PRECONDITION/NOT_PUBLISHED");
  // Out of circulation for reps, still there for marketing with its revision.
  EXPECT_EQ(Outcome(Get(rep_, article->name())), "NOT_FOUND/ARTICLE_NOT_FOUND");
  EXPECT_EQ(Revisions(marketing_, article->name()).size(), 1u);
  EXPECT_EQ(CountRows("article_revisions"), 1);
}

TEST_F(ArticleStoreTest, OneVotePerUserAndASecondVoteReplacesTheFirst) {
  auto article = Create(manager_, v1::SALES_TIP, "报价后第二天回访");
  ASSERT_TRUE(article.ok());
  EXPECT_EQ(Outcome(Rate(rep_, article->name(), true)), "NOT_FOUND/ARTICLE_NOT_FOUND");
  EXPECT_EQ(Outcome(Rate(manager_, article->name(), true)), "FAILED_PRECONDITION/NOT_PUBLISHED");
  auto published = Publish(manager_, article->name());
  ASSERT_TRUE(published.ok());

  auto rated = Rate(rep_, article->name(), true);
  ASSERT_TRUE(rated.ok()) << rated.status();
  EXPECT_EQ(rated->helpful_count(), 1);
  EXPECT_EQ(rated->not_helpful_count(), 0);
  EXPECT_EQ(rated->etag(), published->etag());  // votes do not make editors' etags stale
  rated = Rate(rep_, article->name(), true);
  ASSERT_TRUE(rated.ok());
  EXPECT_EQ(rated->helpful_count(), 1);
  rated = Rate(rep_, article->name(), false);
  ASSERT_TRUE(rated.ok());
  EXPECT_EQ(rated->helpful_count(), 0);
  EXPECT_EQ(rated->not_helpful_count(), 1);
  rated = Rate(support_, article->name(), true);
  ASSERT_TRUE(rated.ok());
  EXPECT_EQ(rated->helpful_count(), 1);
  EXPECT_EQ(rated->not_helpful_count(), 1);

  EXPECT_EQ(CountRows("article_votes"), 2);
  EXPECT_EQ(CountEvents(kArticleRatedEvent), 3);  // the repeated vote changed nothing
  auto got = Get(other_rep_, article->name());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->helpful_count(), 1);
  EXPECT_EQ(got->not_helpful_count(), 1);
  EXPECT_EQ(Titles(rep_, "helpful_count = 1"), std::vector<std::string>{"报价后第二天回访"});
}

TEST_F(ArticleStoreTest, ViewsCountPublishedReadsByAnyoneButTheAuthor) {
  auto article = Create(marketing_, v1::SALES_TIP, "展会上先加微信");
  ASSERT_TRUE(article.ok());
  auto draft_read = Get(manager_, article->name(), /*record_view=*/true);
  ASSERT_TRUE(draft_read.ok());
  EXPECT_EQ(draft_read->view_count(), 0);  // a draft is not in circulation
  auto published = Publish(marketing_, article->name());
  ASSERT_TRUE(published.ok());

  auto by_author = Get(marketing_, article->name(), /*record_view=*/true);
  ASSERT_TRUE(by_author.ok());
  EXPECT_EQ(by_author->view_count(), 0);
  auto by_rep = Get(rep_, article->name(), /*record_view=*/true);
  ASSERT_TRUE(by_rep.ok());
  EXPECT_EQ(by_rep->view_count(), 1);  // the response counts its own view
  EXPECT_EQ(by_rep->etag(), published->etag());
  ASSERT_TRUE(Get(support_, article->name(), /*record_view=*/true).ok());
  auto quiet = Get(rep_, article->name());
  ASSERT_TRUE(quiet.ok());
  EXPECT_EQ(quiet->view_count(), 2);

  ASSERT_TRUE(Archive(marketing_, article->name()).ok());
  auto archived = Get(manager_, article->name(), /*record_view=*/true);
  ASSERT_TRUE(archived.ok());
  EXPECT_EQ(archived->view_count(), 2);
  // An invisible article is not counted either.
  EXPECT_EQ(Outcome(Get(rep_, article->name(), /*record_view=*/true)),
            "NOT_FOUND/ARTICLE_NOT_FOUND");
  EXPECT_EQ(Count("SELECT view_count FROM articles"), 2);
}

TEST_F(ArticleStoreTest, InvalidInputIsRefusedFieldByFieldAndWritesNothing) {
  const std::string active = AddProduct("ACTIVE-1");
  const std::string inactive = AddProduct("OLD-1", /*active=*/false);

  auto bad = Create(marketing_, v1::ARTICLE_KIND_UNSPECIFIED, "", "", {"ok", "OK"}, {"products/x"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolations(bad.status())) fields.push_back(v.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"article.kind", "article.title", "article.tags[1]",
                                              "article.products[0]"}));

  // Products must exist, and be ones the caller can see in the catalog.
  auto unknown =
      Create(marketing_, v1::PRODUCT_KNOWLEDGE, "新品", "", {}, {active, "products/999", inactive});
  ASSERT_FALSE(unknown.ok());
  fields.clear();
  for (const FieldViolation& v : FieldViolations(unknown.status())) fields.push_back(v.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"article.products[1]", "article.products[2]"}));
  EXPECT_EQ(CountRows("articles"), 0);
  EXPECT_EQ(CountRows("article_tags"), 0);
  EXPECT_EQ(CountRows("outbox"), 0);

  // A manager sees inactive products, so may name them.
  auto managed = Create(manager_, v1::PRODUCT_KNOWLEDGE, "停产型号的替代品", "", {}, {inactive});
  ASSERT_TRUE(managed.ok()) << managed.status();
  // An article keeps naming a product deactivated after it was named.
  auto marketed = Create(marketing_, v1::PRODUCT_KNOWLEDGE, "新品卖点", "", {}, {active});
  ASSERT_TRUE(marketed.ok()) << marketed.status();
  ASSERT_EQ(Count("SELECT COUNT(*) FROM products WHERE active = 1"), 1);
  {
    auto session = test_->pool().Borrow();
    ASSERT_TRUE(session.ok());
    ASSERT_TRUE((*session)->Execute("UPDATE products SET active = 0", {}).ok());
  }
  auto kept = SetTitle(marketing_, marketed->name(), "新品卖点（更新）");
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->products(0), active);

  // Kinds by role: a rep writes sales tips only.
  EXPECT_EQ(Outcome(Create(rep_, v1::PRODUCT_KNOWLEDGE, "参数")),
            "PERMISSION_DENIED/PERMISSION_DENIED");
  EXPECT_EQ(Outcome(Create(rep_, v1::FAQ, "问")), "PERMISSION_DENIED/PERMISSION_DENIED");
  EXPECT_TRUE(Create(support_, v1::FAQ, "问").ok());

  v1::Article changes;
  changes.set_name(managed->name());
  changes.set_kind(v1::FAQ);
  EXPECT_EQ(Outcome(Update(admin_, changes, {"kind"})), "INVALID_ARGUMENT/INVALID_ARGUMENT");
  EXPECT_EQ(Outcome(Update(admin_, changes, {})), "INVALID_ARGUMENT/INVALID_ARGUMENT");
  changes.add_products(active);
  changes.add_products("products/999");
  auto bad_update = Update(admin_, changes, {"products"});
  ASSERT_FALSE(bad_update.ok());
  ASSERT_EQ(FieldViolations(bad_update.status()).size(), 1u);
  EXPECT_EQ(FieldViolations(bad_update.status())[0].field, "article.products[1]");
  EXPECT_EQ(Outcome(Get(admin_, "articles/abc")), "INVALID_ARGUMENT/INVALID_ARGUMENT");
  EXPECT_EQ(Outcome(Get(admin_, "articles/12345")), "NOT_FOUND/ARTICLE_NOT_FOUND");
}

TEST_F(ArticleStoreTest, RetriesWithTheSameRequestIdReturnTheFirstResult) {
  auto first = Create(rep_, v1::SALES_TIP, "电话先报名字", "", {}, {}, "create-1");
  auto again = Create(rep_, v1::SALES_TIP, "电话先报名字", "", {}, {}, "create-1");
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(again->name(), first->name());
  EXPECT_EQ(CountRows("articles"), 1);
  EXPECT_EQ(Outcome(Create(rep_, v1::SALES_TIP, "别的", "", {}, {}, "create-1")),
            "ALREADY_EXISTS/REQUEST_ID_REUSED");
  // Another user's request id never replays this user's result.
  EXPECT_EQ(Outcome(Create(other_rep_, v1::SALES_TIP, "电话先报名字", "", {}, {}, "create-1")),
            "ALREADY_EXISTS/REQUEST_ID_REUSED");

  auto published = Publish(admin_, first->name(), "", "publish-1");
  auto republished = Publish(admin_, first->name(), "", "publish-1");
  ASSERT_TRUE(published.ok() && republished.ok()) << republished.status();
  EXPECT_EQ(republished->revision(), 1);
  EXPECT_EQ(CountRows("article_revisions"), 1);

  // A late retry of an earlier vote does not undo the newer one.
  ASSERT_TRUE(Rate(other_rep_, first->name(), true, "vote-1").ok());
  ASSERT_TRUE(Rate(other_rep_, first->name(), false, "vote-2").ok());
  auto late = Rate(other_rep_, first->name(), true, "vote-1");
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->helpful_count(), 1);  // the first call's result, replayed
  auto now = Get(other_rep_, first->name());
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->helpful_count(), 0);
  EXPECT_EQ(now->not_helpful_count(), 1);

  auto archived = Archive(admin_, first->name(), "", "archive-1");
  ASSERT_TRUE(archived.ok());
  auto rearchived = Archive(admin_, first->name(), "", "archive-1");
  ASSERT_TRUE(rearchived.ok()) << rearchived.status();
  EXPECT_EQ(CountEvents(kArticleArchivedEvent), 1);
}

TEST_F(ArticleStoreTest, AStaleEtagIsAbortedAndOnlyOneConcurrentEditWins) {
  auto article = Create(marketing_, v1::SALES_TIP, "原标题");
  ASSERT_TRUE(article.ok());
  std::atomic<int> ok{0}, aborted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto st = SetTitle(marketing_, article->name(), "标题 " + std::to_string(i), article->etag());
      if (st.ok()) ok++;
      if (Outcome(st) == "ABORTED/ETAG_MISMATCH") aborted++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(aborted.load(), 3);
  EXPECT_EQ(Outcome(Publish(marketing_, article->name(), article->etag())),
            "ABORTED/ETAG_MISMATCH");
  EXPECT_EQ(Outcome(Publish(marketing_, article->name(), "W/\"1\"")),
            "INVALID_ARGUMENT/INVALID_ARGUMENT");
  auto current = Get(marketing_, article->name());
  ASSERT_TRUE(current.ok());
  EXPECT_TRUE(Publish(marketing_, article->name(), current->etag()).ok());
}

TEST_F(ArticleStoreTest, ListsFilterAndOrderAndPageThroughWhatTheCallerSees) {
  const std::string printer = AddProduct("P-1");
  struct Seed {
    v1::ArticleKind kind;
    std::string title;
    std::vector<std::string> tags;
    std::vector<std::string> products;
    int views;
  };
  const std::vector<Seed> seeds = {
      {v1::PRODUCT_KNOWLEDGE, "A 打印机参数", {"printer"}, {printer}, 3},
      {v1::FAQ, "B 退货多久到账", {"售后"}, {}, 1},
      {v1::SALES_TIP, "C 退货时先道歉", {"售后", "话术"}, {}, 5},
      {v1::SALES_TIP, "D 还没发布", {"售后"}, {}, 0},
  };
  for (const Seed& seed : seeds) {
    test_->clock().Advance(absl::Seconds(1));
    auto a = Create(marketing_, seed.kind, seed.title, "正文", seed.tags, seed.products);
    ASSERT_TRUE(a.ok()) << a.status();
    if (seed.title.starts_with("D")) continue;
    ASSERT_TRUE(Publish(marketing_, a->name()).ok());
    for (int i = 0; i < seed.views; ++i) ASSERT_TRUE(Get(rep_, a->name(), true).ok());
  }

  EXPECT_EQ(Titles(rep_, ""),
            (std::vector<std::string>{"C 退货时先道歉", "B 退货多久到账", "A 打印机参数"}));
  EXPECT_EQ(
      Titles(marketing_, "", "title"),
      (std::vector<std::string>{"A 打印机参数", "B 退货多久到账", "C 退货时先道歉", "D 还没发布"}));
  EXPECT_EQ(Titles(rep_, "", "view_count desc"),
            (std::vector<std::string>{"C 退货时先道歉", "A 打印机参数", "B 退货多久到账"}));
  EXPECT_EQ(Titles(rep_, R"(title:"退货" AND tags:"售后")", "title"),
            (std::vector<std::string>{"B 退货多久到账", "C 退货时先道歉"}));
  EXPECT_EQ(Titles(rep_, "kind = FAQ OR kind = PRODUCT_KNOWLEDGE", "title"),
            (std::vector<std::string>{"A 打印机参数", "B 退货多久到账"}));
  EXPECT_EQ(Titles(rep_, absl::StrCat("products:\"", printer, "\"")),
            std::vector<std::string>{"A 打印机参数"});
  EXPECT_EQ(Titles(marketing_, "state = DRAFT"), std::vector<std::string>{"D 还没发布"});
  EXPECT_EQ(Titles(marketing_, "state != DRAFT", "publish_time desc"),
            (std::vector<std::string>{"C 退货时先道歉", "B 退货多久到账", "A 打印机参数"}));
  // Never published sorts first in ascending publish_time, and every page is complete.
  EXPECT_EQ(Titles(marketing_, "", "publish_time")[0], "D 还没发布");
  EXPECT_EQ(Titles(marketing_, "", "publish_time desc").back(), "D 还没发布");
  EXPECT_EQ(Titles(rep_, "author = \"users/30\" AND title:\"' OR 1=1 --\""),
            std::vector<std::string>{});

  // Page tokens are the caller's own and the query's own.
  v1::ListArticlesRequest req;
  req.set_page_size(1);
  v1::ListArticlesResponse resp;
  ASSERT_TRUE(service_->List(rep_, req, &resp).ok());
  ASSERT_FALSE(resp.next_page_token().empty());
  req.set_page_token(resp.next_page_token());
  v1::ListArticlesResponse other;
  absl::Status stolen = service_->List(other_rep_, req, &other);
  EXPECT_EQ(ErrorReason(stolen), "INVALID_PAGE_TOKEN");
  req.set_filter("kind = FAQ");
  EXPECT_EQ(ErrorReason(service_->List(rep_, req, &other)), "INVALID_PAGE_TOKEN");
  req.clear_page_token();
  req.set_filter("body:\"x\"");
  EXPECT_EQ(ErrorReason(service_->List(rep_, req, &other)), "INVALID_FILTER");
  req.clear_filter();
  req.set_order_by("author");
  EXPECT_EQ(ErrorReason(service_->List(rep_, req, &other)), "INVALID_ORDER_BY");
}

TEST_F(ArticleStoreTest, RevisionPageTokensBelongToTheirArticle) {
  auto one = Create(admin_, v1::SALES_TIP, "一");
  auto two = Create(admin_, v1::SALES_TIP, "二");
  ASSERT_TRUE(one.ok() && two.ok());
  for (const auto* a : {&*one, &*two}) {
    ASSERT_TRUE(Publish(admin_, a->name()).ok());
    ASSERT_TRUE(SetTitle(admin_, a->name(), a->title() + "!").ok());
    ASSERT_TRUE(Publish(admin_, a->name()).ok());
  }
  v1::ListArticleRevisionsRequest req;
  req.set_article(one->name());
  req.set_page_size(1);
  v1::ListArticleRevisionsResponse resp;
  ASSERT_TRUE(service_->ListRevisions(rep_, req, &resp).ok());
  ASSERT_EQ(resp.revisions_size(), 1);
  EXPECT_EQ(resp.revisions(0).title(), "一!");
  req.set_article(two->name());
  req.set_page_token(resp.next_page_token());
  EXPECT_EQ(ErrorReason(service_->ListRevisions(rep_, req, &resp)), "INVALID_PAGE_TOKEN");

  // A draft has no revisions yet; an invisible one is not found.
  auto draft = Create(rep_, v1::SALES_TIP, "草稿");
  ASSERT_TRUE(draft.ok());
  v1::ListArticleRevisionsRequest of_draft;
  of_draft.set_article(draft->name());
  v1::ListArticleRevisionsResponse none;
  ASSERT_TRUE(service_->ListRevisions(rep_, of_draft, &none).ok());
  EXPECT_EQ(none.revisions_size(), 0);
  absl::Status hidden = service_->ListRevisions(other_rep_, of_draft, &none);
  EXPECT_EQ(hidden.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(hidden), "ARTICLE_NOT_FOUND");
}

}  // namespace
}  // namespace crm::knowledge
