// The article rules of knowledge.proto, role by role, as in-memory checks and as the SQL the
// store ANDs into its statements (article_access_test.cc runs the SQL against MariaDB).
#include "services/knowledge/article_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libs/auth/testing.h"
#include "libs/grpc/status.h"

namespace crm::knowledge {
namespace {

using auth::testing::MakePrincipal;

constexpr char kMe[] = "users/7";
constexpr char kOther[] = "users/99";

ArticleRules RulesOf(auth::Role role) { return ArticleRules(MakePrincipal(7, role)); }

struct Expectation {
  auth::Role role;
  // Read: own DRAFT, other's DRAFT, other's PUBLISHED, own ARCHIVED, other's ARCHIVED.
  bool read[5];
  bool edit_own, edit_other;
  bool publish_own, publish_other;
  bool archive_own, archive_other;
};

// The access rules at the top of knowledge.proto, written out.
const std::vector<Expectation>& Table() {
  static const auto* table = new std::vector<Expectation>{
      {auth::v1::ADMIN, {true, true, true, true, true}, true, true, true, true, true, true},
      {auth::v1::SALES_MANAGER, {true, true, true, true, true}, true, true, true, true, true, true},
      {auth::v1::SALES_REP,
       {true, false, true, true, false},
       true,
       false,
       false,
       false,
       false,
       false},
      {auth::v1::MARKETING, {true, false, true, true, true}, true, false, true, false, true, true},
      {auth::v1::SUPPORT,
       {true, false, true, true, false},
       true,
       false,
       false,
       false,
       false,
       false},
  };
  return *table;
}

TEST(ArticleRulesTest, EachRoleReadsEditsPublishesAndArchivesWhatTheContractSays) {
  for (const Expectation& e : Table()) {
    SCOPED_TRACE(auth::RoleName(e.role));
    const ArticleRules rules = RulesOf(e.role);
    EXPECT_EQ(rules.Can(ArticleAction::kRead, {kMe, v1::DRAFT}), e.read[0]);
    EXPECT_EQ(rules.Can(ArticleAction::kRead, {kOther, v1::DRAFT}), e.read[1]);
    EXPECT_EQ(rules.Can(ArticleAction::kRead, {kOther, v1::PUBLISHED}), e.read[2]);
    EXPECT_TRUE(rules.Can(ArticleAction::kRead, {kMe, v1::PUBLISHED}));
    EXPECT_EQ(rules.Can(ArticleAction::kRead, {kMe, v1::ARCHIVED}), e.read[3]);
    EXPECT_EQ(rules.Can(ArticleAction::kRead, {kOther, v1::ARCHIVED}), e.read[4]);
    EXPECT_EQ(rules.Can(ArticleAction::kEdit, {kMe, v1::DRAFT}), e.edit_own);
    EXPECT_EQ(rules.Can(ArticleAction::kEdit, {kOther, v1::DRAFT}), e.edit_other);
    EXPECT_EQ(rules.Can(ArticleAction::kPublish, {kMe, v1::DRAFT}), e.publish_own);
    EXPECT_EQ(rules.Can(ArticleAction::kPublish, {kOther, v1::DRAFT}), e.publish_other);
    EXPECT_EQ(rules.Can(ArticleAction::kArchive, {kMe, v1::PUBLISHED}), e.archive_own);
    EXPECT_EQ(rules.Can(ArticleAction::kArchive, {kOther, v1::PUBLISHED}), e.archive_other);
  }
}

TEST(ArticleRulesTest, WithoutARoleNothingIsReadableNorWritable) {
  const ArticleRules rules = RulesOf(auth::v1::ROLE_UNSPECIFIED);
  for (v1::ArticleState state : {v1::DRAFT, v1::PUBLISHED, v1::ARCHIVED}) {
    EXPECT_FALSE(rules.Can(ArticleAction::kRead, {kMe, state}));
  }
  EXPECT_FALSE(rules.Can(ArticleAction::kEdit, {kMe, v1::DRAFT}));
  EXPECT_EQ(rules.Rows(ArticleAction::kRead).sql, "FALSE");
  EXPECT_EQ(rules.Rows(ArticleAction::kEdit).sql, "FALSE");
  EXPECT_FALSE(rules.MayCreate(v1::SALES_TIP));
}

TEST(ArticleRulesTest, SqlConditionsNameTheCallerAndNothingElse) {
  // Managers and admins read and edit every article: no condition at all.
  for (auth::Role role : {auth::v1::ADMIN, auth::v1::SALES_MANAGER}) {
    EXPECT_EQ(RulesOf(role).Rows(ArticleAction::kRead).sql, "TRUE");
    EXPECT_EQ(RulesOf(role).Rows(ArticleAction::kEdit).sql, "TRUE");
  }
  // A rep reads published articles and their own drafts and archived ones.
  const api::SqlFragment rep = RulesOf(auth::v1::SALES_REP).Rows(ArticleAction::kRead);
  EXPECT_EQ(rep.sql,
            "(a.state = 2 OR (a.state = 1 AND a.author = ?) OR (a.state = 3 AND a.author = ?))");
  EXPECT_EQ(rep.params, (std::vector<db::Value>{std::string(kMe), std::string(kMe)}));
  // Marketing reads every archived article.
  const api::SqlFragment marketing = RulesOf(auth::v1::MARKETING).Rows(ArticleAction::kRead);
  EXPECT_EQ(marketing.sql, "(a.state = 2 OR (a.state = 1 AND a.author = ?) OR a.state = 3)");
  EXPECT_EQ(marketing.params, (std::vector<db::Value>{std::string(kMe)}));
  EXPECT_EQ(RulesOf(auth::v1::MARKETING).Rows(ArticleAction::kPublish).sql, "a.author = ?");
  EXPECT_EQ(RulesOf(auth::v1::MARKETING).Rows(ArticleAction::kArchive).sql, "TRUE");
  EXPECT_EQ(RulesOf(auth::v1::SUPPORT).Rows(ArticleAction::kPublish).sql, "FALSE");
}

TEST(ArticleRulesTest, KindsEachRoleMayCreate) {
  for (auth::Role role : {auth::v1::ADMIN, auth::v1::SALES_MANAGER, auth::v1::MARKETING}) {
    SCOPED_TRACE(auth::RoleName(role));
    EXPECT_TRUE(RulesOf(role).MayCreate(v1::SALES_TIP));
    EXPECT_TRUE(RulesOf(role).MayCreate(v1::PRODUCT_KNOWLEDGE));
    EXPECT_TRUE(RulesOf(role).MayCreate(v1::FAQ));
  }
  EXPECT_TRUE(RulesOf(auth::v1::SALES_REP).MayCreate(v1::SALES_TIP));
  EXPECT_FALSE(RulesOf(auth::v1::SALES_REP).MayCreate(v1::PRODUCT_KNOWLEDGE));
  EXPECT_FALSE(RulesOf(auth::v1::SALES_REP).MayCreate(v1::FAQ));
  EXPECT_TRUE(RulesOf(auth::v1::SUPPORT).MayCreate(v1::SALES_TIP));
  EXPECT_TRUE(RulesOf(auth::v1::SUPPORT).MayCreate(v1::FAQ));
  EXPECT_FALSE(RulesOf(auth::v1::SUPPORT).MayCreate(v1::PRODUCT_KNOWLEDGE));
  EXPECT_FALSE(RulesOf(auth::v1::ADMIN).MayCreate(v1::ARTICLE_KIND_UNSPECIFIED));
}

TEST(ArticleRulesTest, OnlyCatalogEditorsMayNameInactiveProducts) {
  EXPECT_EQ(RulesOf(auth::v1::ADMIN).NameableProducts().sql, "TRUE");
  EXPECT_EQ(RulesOf(auth::v1::SALES_MANAGER).NameableProducts().sql, "TRUE");
  EXPECT_EQ(RulesOf(auth::v1::MARKETING).NameableProducts().sql, "p.active = 1");
}

TEST(ArticleRulesTest, AllowSaysPermissionDeniedAndNamesTheArticle) {
  absl::Status denied = RulesOf(auth::v1::MARKETING)
                            .Allow(ArticleAction::kPublish, {kOther, v1::PUBLISHED}, "articles/5");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorReason(denied), "PERMISSION_DENIED");
  EXPECT_NE(denied.message().find("articles/5"), std::string_view::npos);
  EXPECT_TRUE(RulesOf(auth::v1::MARKETING)
                  .Allow(ArticleAction::kPublish, {kMe, v1::PUBLISHED}, "articles/5")
                  .ok());
}

TEST(ArticleRulesTest, StateRulesUseTheContractsReasons) {
  EXPECT_EQ(ErrorReason(CheckEditable("articles/1", v1::ARCHIVED)), "ARTICLE_ARCHIVED");
  EXPECT_TRUE(CheckEditable("articles/1", v1::PUBLISHED).ok());

  EXPECT_EQ(ErrorReason(CheckPublishable("articles/1", v1::ARCHIVED, v1::SALES_TIP, true, true)),
            "ARTICLE_ARCHIVED");
  EXPECT_EQ(ErrorReason(CheckPublishable("articles/1", v1::PUBLISHED, v1::SALES_TIP, true, false)),
            "NOTHING_TO_PUBLISH");
  absl::Status no_answer = CheckPublishable("articles/1", v1::DRAFT, v1::FAQ, false, true);
  EXPECT_EQ(no_answer.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(no_answer), "BODY_REQUIRED");
  EXPECT_TRUE(CheckPublishable("articles/1", v1::DRAFT, v1::SALES_TIP, false, true).ok());
  EXPECT_TRUE(CheckPublishable("articles/1", v1::PUBLISHED, v1::FAQ, true, true).ok());

  for (v1::ArticleState state : {v1::DRAFT, v1::ARCHIVED}) {
    absl::Status st = CheckPublished("articles/1", state);
    EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(ErrorReason(st), "NOT_PUBLISHED");
  }
  EXPECT_TRUE(CheckPublished("articles/1", v1::PUBLISHED).ok());
}

}  // namespace
}  // namespace crm::knowledge
