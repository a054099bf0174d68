// The index against a real MariaDB, composed the way a store uses it: a `docs` table as the
// source of truth, the index written in the same transaction, and searches joined back to
// the live, visible documents and ordered by score, then recency.
#include "libs/search/search.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "libs/db/testing.h"
#include "libs/grpc/status.h"

namespace crm::search {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kSchemaDir[] = CRM_SEARCH_TEST_SCHEMA_DIR;
constexpr int kTitleWeight = 10;
constexpr int kBodyWeight = 1;

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto migrated = db::testing::CreateMigrated(kSchemaDir, /*pool_size=*/4);
    ASSERT_TRUE(migrated.ok()) << migrated.status();
    db_ = std::move(*migrated);
  }

  // Writes the record and its index entry in one transaction, as a store does.
  void Put(int64_t id, std::string_view title, std::string_view body,
           std::string_view update_time = "2026-01-01 00:00:00", bool hidden = false) {
    absl::Status status = db_.pool->InTransaction([&](db::Transaction& tx) -> absl::Status {
      CRM_RETURN_IF_ERROR(tx.Execute("REPLACE INTO docs (id, title, body, hidden, update_time) "
                                     "VALUES (?, ?, ?, ?, ?)",
                                     {id, std::string(title), std::string(body), int64_t{hidden},
                                      std::string(update_time)})
                              .status());
      const SearchField fields[] = {{title, kTitleWeight}, {body, kBodyWeight}};
      return Index(tx, table_, id, fields);
    });
    ASSERT_TRUE(status.ok()) << status;
  }

  // The ids a store would return, best first.
  std::vector<int64_t> Search(std::string_view query) {
    absl::StatusOr<SearchMatch> match = Match(query, table_);
    EXPECT_TRUE(match.ok()) << query << ": " << match.status();
    if (!match.ok()) return {};
    auto session = db_.pool->Borrow();
    EXPECT_TRUE(session.ok());
    if (!session.ok()) return {};
    absl::StatusOr<db::Rows> rows =
        (*session)->Query(absl::StrCat("SELECT d.id FROM (", match->sql.sql,
                                       ") m JOIN docs d ON d.id = m.doc_id WHERE d.hidden = 0 "
                                       "ORDER BY m.score DESC, d.update_time DESC, d.id DESC"),
                          match->sql.params);
    EXPECT_TRUE(rows.ok()) << query << ": " << rows.status();
    std::vector<int64_t> ids;
    if (rows.ok()) {
      for (const db::Row& row : *rows) ids.push_back(row.Int(0));
    }
    return ids;
  }

  int64_t IndexRows(int64_t doc_id) {
    auto session = db_.pool->Borrow();
    EXPECT_TRUE(session.ok());
    auto rows = (*session)->Query(
        absl::StrCat("SELECT COUNT(*) FROM ", table_.name(), " WHERE doc_id = ?"), {doc_id});
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? (*rows)[0].Int(0) : -1;
  }

  db::testing::MigratedDatabase db_;
  const IndexTable table_{"doc_search"};
};

TEST_F(SearchTest, TheMigrationsTableIsTheOneCreateTableSqlGives) {
  std::ifstream file(absl::StrCat(kSchemaDir, "/001_doc_search.sql"));
  std::stringstream text;
  text << file.rdbuf();
  std::string ddl, line;
  while (std::getline(text, line)) {
    if (!line.starts_with("--") && !line.empty()) ddl += line + "\n";
  }
  EXPECT_EQ(ddl, table_.CreateTableSql() + ";\n");
}

TEST_F(SearchTest, ChineseNamesPhonesAndSingleCharacters) {
  Put(1, "杭州某某科技有限公司", "联系人 王芳 电话 +8657188886666");
  Put(2, "苏州精工机械", "精密轴承 供应商 0512-6666 8888");
  Put(3, "上海精密仪器有限公司", "wang@example.com");
  EXPECT_THAT(Search("杭州"), ElementsAre(1));
  EXPECT_THAT(Search("精工"), ElementsAre(2));
  EXPECT_THAT(Search("88886666"), ElementsAre(1));
  EXPECT_THAT(Search("0571-8888 6666"), ElementsAre(1));
  EXPECT_THAT(Search("+86 571 8888 6666"), ElementsAre(1));
  EXPECT_THAT(Search("0512 66668888"), ElementsAre(2));
  EXPECT_THAT(Search("杭"), ElementsAre(1));
  EXPECT_THAT(Search("械"), ElementsAre(2));  // the last character of a run
  EXPECT_THAT(Search("有限公司"), UnorderedElementsAre(1, 3));
  EXPECT_THAT(Search("苏州精工机械"), ElementsAre(2));
  EXPECT_THAT(Search("ＷＡＮＧ＠example"), ElementsAre(3));
  EXPECT_THAT(Search("北京"), IsEmpty());
}

TEST_F(SearchTest, EnglishWordsByPrefixAnyCase) {
  Put(1, "Precision Bearings", "Ball bearings for industrial pumps");
  Put(2, "Pump Catalogue", "Centrifugal pumps and spare parts");
  EXPECT_THAT(Search("bearing"), ElementsAre(1));
  EXPECT_THAT(Search("PUMPS"), UnorderedElementsAre(1, 2));
  EXPECT_THAT(Search("centri"), ElementsAre(2));
  EXPECT_THAT(Search("ｐｒｅｃｉｓｉｏｎ"), ElementsAre(1));
  EXPECT_THAT(Search("gearbox"), IsEmpty());
}

TEST_F(SearchTest, EveryTermMustMatch) {
  Put(1, "杭州精工机械", "precision pumps");
  Put(2, "杭州某某科技", "precision bearings");
  Put(3, "苏州精工机械", "industrial pumps");
  EXPECT_THAT(Search("杭州 机械"), ElementsAre(1));
  EXPECT_THAT(Search("precision pumps"), ElementsAre(1));
  EXPECT_THAT(Search("精工 pumps"), UnorderedElementsAre(1, 3));
  EXPECT_THAT(Search("杭州 industrial"), IsEmpty());
}

TEST_F(SearchTest, TitleOutranksBodyAndTiesGoToTheMostRecent) {
  Put(1, "Annual report", "mentions 杭州 once", "2026-01-01 00:00:00");
  Put(2, "杭州 office", "nothing else", "2025-01-01 00:00:00");
  Put(3, "Older note", "杭州 again", "2024-01-01 00:00:00");
  Put(4, "杭州 plant", "and 杭州 in the body too", "2023-01-01 00:00:00");
  // 4: title and body (11); 2: title (10); then the body-only ones, newest first.
  EXPECT_THAT(Search("杭州"), ElementsAre(4, 2, 1, 3));
}

TEST_F(SearchTest, TheStoresOwnConditionsStillApply) {
  Put(1, "杭州分公司", "", "2026-01-01 00:00:00", /*hidden=*/true);
  Put(2, "杭州总部", "");
  EXPECT_THAT(Search("杭州"), ElementsAre(2));
}

TEST_F(SearchTest, ReindexReplacesTheOldTerms) {
  Put(1, "苏州精工", "old note about pumps");
  Put(1, "无锡精工", "new note about valves");
  EXPECT_THAT(Search("苏州"), IsEmpty());
  EXPECT_THAT(Search("pumps"), IsEmpty());
  EXPECT_THAT(Search("无锡"), ElementsAre(1));
  EXPECT_THAT(Search("valves"), ElementsAre(1));
}

TEST_F(SearchTest, ARolledBackWriteLeavesNoTrace) {
  Put(1, "苏州精工", "");
  {
    auto tx = db_.pool->Begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    const SearchField fields[] = {{"无锡精工", kTitleWeight}};
    ASSERT_TRUE(Index(**tx, table_, 1, fields).ok());
    const SearchField other[] = {{"无锡新厂", kTitleWeight}};
    ASSERT_TRUE(Index(**tx, table_, 2, other).ok());
    // Destroyed without Commit: rolled back with the record it belonged to.
  }
  EXPECT_THAT(Search("苏州"), ElementsAre(1));
  EXPECT_THAT(Search("无锡"), IsEmpty());
}

TEST_F(SearchTest, RemoveTakesTheDocumentOut) {
  Put(1, "苏州精工", "");
  Put(2, "苏州新厂", "");
  absl::Status status =
      db_.pool->InTransaction([&](db::Transaction& tx) { return Remove(tx, table_, 1); });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(IndexRows(1), 0);
  EXPECT_THAT(Search("苏州"), ElementsAre(2));
  // Removing what is not there is fine.
  EXPECT_TRUE(
      db_.pool->InTransaction([&](db::Transaction& tx) { return Remove(tx, table_, 9); }).ok());
}

TEST_F(SearchTest, LargeDocumentsAreWrittenWhole) {
  // More terms than one INSERT takes.
  const int words = static_cast<int>(kInsertChunk) * 2 + 5;
  std::string body;
  for (int i = 0; i < words; ++i) absl::StrAppend(&body, "word", i, " ");
  Put(1, "", body);
  EXPECT_EQ(IndexRows(1), words);
  EXPECT_THAT(Search("word0"), ElementsAre(1));
  EXPECT_THAT(Search(absl::StrCat("word", words - 1)), ElementsAre(1));
}

TEST_F(SearchTest, RebuildReindexesEveryLiveDocumentFromTheSource) {
  // Records whose index is missing or was built by older rules (a stale term).
  auto session = db_.pool->Borrow();
  ASSERT_TRUE(session.ok());
  for (int64_t id = 1; id <= 5; ++id) {
    ASSERT_TRUE((*session)
                    ->Execute("INSERT INTO docs (id, title, body, update_time) VALUES "
                              "(?, ?, 'rebuilt body', NOW(6))",
                              {id, absl::StrCat("苏州精工 ", id)})
                    .ok());
  }
  ASSERT_TRUE((*session)
                  ->Execute(absl::StrCat("INSERT INTO ", table_.name(),
                                         " (term, doc_id, weight) VALUES ('stale', 3, 1)"),
                            {})
                  .ok());
  EXPECT_THAT(Search("苏州"), IsEmpty());

  int batches = 0;
  LoadDocuments load = [&](db::Transaction& tx, int64_t after_id,
                           int limit) -> absl::StatusOr<std::vector<SourceDocument>> {
    ++batches;
    CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query("SELECT id, title, body FROM docs WHERE id > ? "
                                                 "ORDER BY id LIMIT ? FOR UPDATE",
                                                 {after_id, int64_t{limit}}));
    std::vector<SourceDocument> documents;
    for (const db::Row& row : rows) {
      documents.push_back({row.Int(0), {{row.Str(1), kTitleWeight}, {row.Str(2), kBodyWeight}}});
    }
    return documents;
  };
  absl::StatusOr<int64_t> indexed = Rebuild(*db_.pool, table_, load, /*batch_size=*/2);
  ASSERT_TRUE(indexed.ok()) << indexed.status();
  EXPECT_EQ(*indexed, 5);
  EXPECT_EQ(batches, 3);
  EXPECT_THAT(Search("苏州精工"), UnorderedElementsAre(1, 2, 3, 4, 5));
  EXPECT_THAT(Search("rebuilt"), UnorderedElementsAre(1, 2, 3, 4, 5));
  EXPECT_THAT(Search("stale"), IsEmpty());
}

TEST_F(SearchTest, RebuildRefusesALoaderOutOfOrder) {
  LoadDocuments load = [](db::Transaction&, int64_t,
                          int) -> absl::StatusOr<std::vector<SourceDocument>> {
    return std::vector<SourceDocument>{{2, {{"b", 1}}}, {1, {{"a", 1}}}};
  };
  EXPECT_EQ(Rebuild(*db_.pool, table_, load, 10).status().code(), absl::StatusCode::kInternal);
}

TEST_F(SearchTest, AbusiveQueriesAreRefusedAndInjectionIsJustText) {
  Put(1, "drop table docs", "");
  for (std::string query : {std::string(""), std::string(kMaxQueryChars + 1, 'x'),
                            std::string("a b c d e f g h i"), std::string("%%%___\\")}) {
    absl::StatusOr<SearchMatch> match = Match(query, table_);
    EXPECT_EQ(match.status().code(), absl::StatusCode::kInvalidArgument) << query;
  }
  EXPECT_THAT(Search("'; DROP TABLE docs; --"), ElementsAre(1));
  EXPECT_THAT(Search("dro%"), ElementsAre(1));  // '%' separates words; it is no wildcard
  EXPECT_THAT(Search("d_op"), IsEmpty());
}

}  // namespace
}  // namespace crm::search
