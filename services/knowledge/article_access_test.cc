// Who may do what to which article (the access rules of knowledge.proto), against a real
// MariaDB schema: every role × its own and someone else's article in every state × every
// method, with the exact outcome, including which copy (working copy or published revision)
// a read shows; and the gRPC edge refusing calls without a valid token.
#include <grpcpp/grpcpp.h>

#include <array>
#include <map>

#include "services/knowledge/article_testing.h"

namespace crm::knowledge {
namespace {

using testing::Outcome;

enum Column {
  kOwnDraft,
  kOwnPublished,
  kOwnArchived,
  kOtherDraft,
  kOtherPublished,
  kOtherArchived
};
constexpr int kColumns = 6;
constexpr char kOtherAuthor[] = "users/99";

enum Method { kGet, kList, kUpdate, kPublish, kArchive, kRate };
constexpr int kMethods = 6;
constexpr std::array<const char*, kMethods> kMethodNames = {"get",     "list",    "update",
                                                            "publish", "archive", "rate"};

// The expected outcome of one cell:
//   W   OK, showing the working copy          R   OK, showing the latest published revision
//   OK  OK                                    NF  NOT_FOUND (ARTICLE_NOT_FOUND); absent from lists
//   PD  PERMISSION_DENIED                     AR  FAILED_PRECONDITION (ARTICLE_ARCHIVED)
//   NP  FAILED_PRECONDITION (NOT_PUBLISHED)
using Cells = std::array<std::array<const char*, kColumns>, kMethods>;

// Columns: own draft, own published, own archived, other's draft, other's published, other's
// archived. Every published and archived article has unpublished edits in its working copy.
const Cells kManagerOrAdmin = {{
    {"W", "W", "W", "W", "W", "W"},        // get
    {"W", "W", "W", "W", "W", "W"},        // list
    {"OK", "OK", "AR", "OK", "OK", "AR"},  // update
    {"OK", "OK", "AR", "OK", "OK", "AR"},  // publish
    {"NP", "OK", "NP", "NP", "OK", "NP"},  // archive
    {"NP", "OK", "NP", "NP", "OK", "NP"},  // rate
}};
const Cells kRepOrSupport = {{
    {"W", "W", "W", "NF", "R", "NF"},      // get
    {"W", "W", "W", "NF", "R", "NF"},      // list
    {"OK", "OK", "AR", "NF", "PD", "NF"},  // update
    {"PD", "PD", "PD", "PD", "PD", "PD"},  // publish: not their role's method
    {"PD", "PD", "PD", "PD", "PD", "PD"},  // archive: not their role's method
    {"NP", "OK", "NP", "NF", "OK", "NF"},  // rate
}};
const Cells kMarketing = {{
    {"W", "W", "W", "NF", "R", "R"},       // get
    {"W", "W", "W", "NF", "R", "R"},       // list
    {"OK", "OK", "AR", "NF", "PD", "PD"},  // update
    {"OK", "OK", "AR", "NF", "PD", "PD"},  // publish
    {"NP", "OK", "NP", "NF", "OK", "NP"},  // archive
    {"NP", "OK", "NP", "NF", "OK", "NP"},  // rate
}};

class ArticleAccessTest : public testing::ArticleTest {
 protected:
  struct Seeded {
    v1::Article article;
    std::string published_title;  // what readers see ("" for a draft)
    std::string working_title;    // what editors see
  };

  // An article by `author` in the state of `column`, set up by the admin and then given to
  // its author in the database (authors never change through the API). Published and
  // archived ones carry an unpublished edit.
  Seeded Seed(const std::string& author, Column column) {
    Seeded seeded;
    const std::string title = absl::StrCat("article ", ++seeds_);
    auto created = Create(admin_, v1::SALES_TIP, title, "body");
    EXPECT_TRUE(created.ok()) << created.status();
    if (!created.ok()) return seeded;
    seeded.working_title = title;
    const bool draft = column == kOwnDraft || column == kOtherDraft;
    if (!draft) {
      EXPECT_TRUE(Publish(admin_, created->name()).ok());
      seeded.published_title = title;
      seeded.working_title = title + " (edited)";
      EXPECT_TRUE(SetTitle(admin_, created->name(), seeded.working_title).ok());
    }
    if (column == kOwnArchived || column == kOtherArchived) {
      EXPECT_TRUE(Archive(admin_, created->name()).ok());
    }
    auto id = api::ParseResourceId(created->name(), "articles");
    auto session = test_->pool().Borrow();
    EXPECT_TRUE(id.ok() && session.ok());
    EXPECT_TRUE(
        (*session)->Execute("UPDATE articles SET author = ? WHERE id = ?", {author, *id}).ok());
    seeded.article = *created;
    return seeded;
  }

  // What `caller` gets from `method` on `seeded`, in the code of the table above.
  std::string Try(const auth::Caller& caller, Method method, const Seeded& seeded) {
    const std::string& name = seeded.article.name();
    auto shown = [&](const absl::StatusOr<v1::Article>& got) -> std::string {
      if (!got.ok()) return Short(got);
      if (got->title() == seeded.working_title) return "W";
      if (got->title() == seeded.published_title) return "R";
      return "OK but showing " + got->title();
    };
    switch (method) {
      case kGet:
        return shown(Get(caller, name));
      case kList: {
        auto all = ListAll(caller, "", "", /*page_size=*/1000);
        if (!all.ok()) return "list failed: " + Outcome(all);
        for (const v1::Article& a : *all) {
          if (a.name() == name) return shown(a);
        }
        return "NF";
      }
      case kUpdate:
        return Short(SetTitle(caller, name, "changed"));
      case kPublish:
        return Short(Publish(caller, name));
      case kArchive:
        return Short(Archive(caller, name));
      case kRate:
        return Short(Rate(caller, name, true));
    }
    return "?";
  }

  static std::string Short(const absl::StatusOr<v1::Article>& result) {
    static const auto* codes =
        new std::map<std::string, std::string>{{"OK", "OK"},
                                               {"NOT_FOUND/ARTICLE_NOT_FOUND", "NF"},
                                               {"PERMISSION_DENIED/PERMISSION_DENIED", "PD"},
                                               {"FAILED_PRECONDITION/ARTICLE_ARCHIVED", "AR"},
                                               {"FAILED_PRECONDITION/NOT_PUBLISHED", "NP"}};
    const std::string outcome = Outcome(result);
    auto it = codes->find(outcome);
    return it == codes->end() ? outcome : it->second;
  }

  // Runs every method of the table on fresh articles of every column as `caller`.
  void ExpectTable(const auth::Caller& caller, const Cells& cells) {
    for (int method = 0; method < kMethods; ++method) {
      for (int column = 0; column < kColumns; ++column) {
        const bool own = column < kOtherDraft;
        Seeded seeded =
            Seed(own ? caller.principal.user : kOtherAuthor, static_cast<Column>(column));
        EXPECT_EQ(Try(caller, static_cast<Method>(method), seeded), cells[method][column])
            << auth::RoleName(caller.principal.role) << " " << kMethodNames[method] << " on column "
            << column;
      }
    }
  }

  int seeds_ = 0;
};

TEST_F(ArticleAccessTest, Admin) { ExpectTable(admin_, kManagerOrAdmin); }
TEST_F(ArticleAccessTest, SalesManager) { ExpectTable(manager_, kManagerOrAdmin); }
TEST_F(ArticleAccessTest, SalesRep) { ExpectTable(rep_, kRepOrSupport); }
TEST_F(ArticleAccessTest, Marketing) { ExpectTable(marketing_, kMarketing); }
TEST_F(ArticleAccessTest, Support) { ExpectTable(support_, kRepOrSupport); }

TEST_F(ArticleAccessTest, ListsNeverShowNorMatchWhatTheCallerMayNotRead) {
  Seeded hidden_draft = Seed(kOtherAuthor, kOtherDraft);
  Seeded edited = Seed(kOtherAuthor, kOtherPublished);
  Seeded archived = Seed(kOtherAuthor, kOtherArchived);
  // However the filter is written, a rep's list holds only the published article, as
  // published: its unpublished title matches nothing.
  for (const std::string& filter :
       {std::string(""), std::string("state = DRAFT OR state = ARCHIVED"),
        std::string("title:\"edited\""), absl::StrCat("author = \"", kOtherAuthor, "\""),
        std::string("NOT state = PUBLISHED"),
        std::string("(title:\"article\") OR kind = SALES_TIP")}) {
    auto all = ListAll(rep_, filter);
    ASSERT_TRUE(all.ok()) << filter << ": " << all.status();
    for (const v1::Article& a : *all) {
      EXPECT_EQ(a.name(), edited.article.name()) << filter;
      EXPECT_EQ(a.title(), edited.published_title) << filter;
      EXPECT_FALSE(a.has_unpublished_changes()) << filter;
    }
  }
  EXPECT_EQ(Titles(rep_, "title:\"edited\""), std::vector<std::string>{});
  EXPECT_EQ(Titles(manager_, "title:\"edited\"").size(), 2u);
  EXPECT_EQ(Titles(marketing_, "state = ARCHIVED"),
            std::vector<std::string>{archived.published_title});
  EXPECT_EQ(Outcome(Get(rep_, hidden_draft.article.name())), "NOT_FOUND/ARTICLE_NOT_FOUND");
}

TEST_F(ArticleAccessTest, TheServiceRefusesCallsWithoutAValidToken) {
  auto stub = v1::ArticleService::NewStub(test_->ServeOnLoopback({service_.get()}));
  ASSERT_NE(stub, nullptr);
  Seeded mine = Seed(rep_.principal.user, kOwnDraft);
  Seeded theirs = Seed(kOtherAuthor, kOtherDraft);
  auto get = [&](const std::string& authorization, const std::string& name) {
    grpc::ClientContext ctx;
    if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
    v1::GetArticleRequest req;
    req.set_name(name);
    v1::Article out;
    return FromGrpcStatus(stub->GetArticle(&ctx, req, &out));
  };
  const std::string rep_token = test_->signer().Bearer(rep_.principal);

  EXPECT_EQ(get("", mine.article.name()).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(get("Bearer not-a-token", mine.article.name()).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(get(rep_token, mine.article.name()).ok());
  absl::Status invisible = get(rep_token, theirs.article.name());
  EXPECT_EQ(invisible.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(invisible), "ARTICLE_NOT_FOUND");

  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", rep_token);
  v1::PublishArticleRequest publish;
  publish.set_name(mine.article.name());
  v1::Article out;
  absl::Status denied = FromGrpcStatus(stub->PublishArticle(&ctx, publish, &out));
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CountRows("article_revisions"), 0);
}

}  // namespace
}  // namespace crm::knowledge
