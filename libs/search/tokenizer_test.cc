// The tokenizer's rules: normalisation, CJK bigrams, words, number suffixes and phone
// numbers, and what a query becomes (and which queries are refused).
#include "libs/search/tokenizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"

namespace crm::search {
namespace {

using ::testing::ElementsAre;
using ::testing::IsSupersetOf;
using ::testing::UnorderedElementsAre;

std::map<std::string, int> Terms(std::initializer_list<SearchField> fields) {
  std::map<std::string, int> out;
  for (const IndexTerm& t : DocumentTerms(std::vector<SearchField>(fields))) out[t.term] = t.weight;
  return out;
}

std::set<std::string> TermSet(std::string_view text) {
  std::set<std::string> out;
  for (const auto& [term, weight] : Terms({{text, 1}})) out.insert(term);
  return out;
}

QueryTerm Exact(std::string term) { return {std::move(term), TermMatch::kExact}; }
QueryTerm Prefix(std::string term) { return {std::move(term), TermMatch::kPrefix}; }

std::vector<QueryTerm> Query(std::string_view text) {
  absl::StatusOr<std::vector<QueryTerm>> terms = ParseQuery(text);
  EXPECT_TRUE(terms.ok()) << text << ": " << terms.status();
  return terms.ok() ? *terms : std::vector<QueryTerm>{};
}

TEST(NormalizeTest, FullWidthAndCaseFold) {
  EXPECT_EQ(Normalize("ＡＢＣ　杭州（中国）"), "abc 杭州(中国)");
  EXPECT_EQ(Normalize("Hello WORLD"), "hello world");
  EXPECT_EQ(Normalize("０５７１－８８８８"), "0571-8888");
  EXPECT_EQ(Normalize("Straße"), "strasse");
}

TEST(NormalizeTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(Normalize("a\xff"
                      "b"),
            "a\xEF\xBF\xBD"
            "b");
}

TEST(DocumentTermsTest, HanRunIsBigramsPlusItsLastCharacter) {
  EXPECT_EQ(Terms({{"苏州精工机械", 10}}),
            (std::map<std::string, int>{
                {"苏州", 10}, {"州精", 10}, {"精工", 10}, {"工机", 10}, {"机械", 10}, {"械", 10}}));
  EXPECT_THAT(TermSet("杭"), ElementsAre("杭"));
}

TEST(DocumentTermsTest, PunctuationAndLatinSplitHanRuns) {
  EXPECT_THAT(TermSet("杭州，上海"), UnorderedElementsAre("杭州", "州", "上海", "海"));
  EXPECT_THAT(TermSet("杭州abc科技"), UnorderedElementsAre("杭州", "州", "abc", "科技", "技"));
}

TEST(DocumentTermsTest, KanaAndHangulAreBigramsToo) {
  EXPECT_THAT(TermSet("東京タワー"), UnorderedElementsAre("東京", "京タ", "タワ", "ワー", "ー"));
  EXPECT_THAT(TermSet("서울"), UnorderedElementsAre("서울", "울"));
}

TEST(DocumentTermsTest, WordsAreWholeLowerCaseAndCut) {
  EXPECT_THAT(TermSet("Hello, World! iPhone15 ＡＢＣ"),
              UnorderedElementsAre("hello", "world", "iphone15", "abc"));
  std::string long_word(40, 'x');
  EXPECT_THAT(TermSet(long_word), ElementsAre(std::string(kMaxWordChars, 'x')));
}

TEST(DocumentTermsTest, PhoneNumbersAreIndexedByEverySuffix) {
  std::set<std::string> terms = TermSet("+8657188886666");
  EXPECT_EQ(terms.size(), 13u);
  EXPECT_THAT(terms, IsSupersetOf({"8657188886666", "57188886666", "88886666", "6666", "6"}));
  // Groups written with separators are one number.
  EXPECT_THAT(TermSet("电话 0571-8888 6666"), IsSupersetOf({"057188886666", "88886666"}));
  EXPECT_THAT(TermSet("(0571) 8888-6666"), IsSupersetOf({"057188886666"}));
}

TEST(DocumentTermsTest, NumbersStopAtWordsAndLongRunsArePieces) {
  EXPECT_THAT(TermSet("2024 3rd"), UnorderedElementsAre("2024", "024", "24", "4", "3rd"));
  std::set<std::string> pieces = TermSet(std::string(25, '7'));
  EXPECT_TRUE(pieces.contains(std::string(kMaxNumberDigits, '7')));
  EXPECT_FALSE(pieces.contains(std::string(kMaxNumberDigits + 1, '7')));
}

TEST(DocumentTermsTest, WeightsAddUpOncePerField) {
  EXPECT_EQ(Terms({{"杭州 杭州", 10}, {"杭州 科技", 1}}),
            (std::map<std::string, int>{{"杭州", 11}, {"州", 11}, {"科技", 1}, {"技", 1}}));
}

TEST(DocumentTermsTest, AtMostMaxDocumentTermsFirstFieldsFirst) {
  std::string many;
  for (size_t i = 0; i < kMaxDocumentTerms + 50; ++i) absl::StrAppend(&many, "w", i, " ");
  std::vector<IndexTerm> terms = DocumentTerms(std::vector<SearchField>{{"title", 10}, {many, 1}});
  EXPECT_EQ(terms.size(), kMaxDocumentTerms);
  EXPECT_TRUE(std::any_of(terms.begin(), terms.end(),
                          [](const IndexTerm& t) { return t.term == "title"; }));
}

TEST(ParseQueryTest, HanQueries) {
  EXPECT_THAT(Query("杭州"), ElementsAre(Exact("杭州")));
  EXPECT_THAT(Query("杭"), ElementsAre(Prefix("杭")));
  // Bigrams at even offsets, plus the last for an odd length: they cover the run.
  EXPECT_THAT(Query("苏州精工机械"), ElementsAre(Exact("苏州"), Exact("精工"), Exact("机械")));
  EXPECT_THAT(Query("精工机"), ElementsAre(Exact("精工"), Exact("工机")));
  EXPECT_THAT(Query("杭州（中国）"), ElementsAre(Exact("杭州"), Exact("中国")));
}

TEST(ParseQueryTest, WordsArePrefixesExceptSingleLetters) {
  EXPECT_THAT(Query("Bearing PUMPS a"),
              ElementsAre(Prefix("bearing"), Prefix("pumps"), Exact("a")));
  EXPECT_THAT(Query("ｐｕｍｐ"), ElementsAre(Prefix("pump")));
  EXPECT_THAT(Query("li.lei@example.com"),
              ElementsAre(Prefix("li"), Prefix("lei"), Prefix("example"), Prefix("com")));
}

TEST(ParseQueryTest, PhoneNumbersBecomeTheirNationalNumber) {
  EXPECT_THAT(Query("88886666"), ElementsAre(Prefix("88886666")));
  EXPECT_THAT(Query("0571-8888 6666"), ElementsAre(Prefix("57188886666")));
  EXPECT_THAT(Query("+86 571 8888 6666"), ElementsAre(Prefix("57188886666")));
  EXPECT_THAT(Query("+8657188886666"), ElementsAre(Prefix("57188886666")));
  EXPECT_THAT(Query("138-1234-5678"), ElementsAre(Prefix("13812345678")));
  // Not a phone number: searched as written.
  EXPECT_THAT(Query("2024"), ElementsAre(Prefix("2024")));
}

TEST(ParseQueryTest, DuplicatesAreDropped) {
  EXPECT_THAT(Query("杭州 杭州 Pump pump"), ElementsAre(Exact("杭州"), Prefix("pump")));
}

TEST(ParseQueryTest, EmptyOverLongAndOverComplexQueriesAreRefused) {
  for (std::string query :
       {std::string(""), std::string("  ，。！%_\\"), std::string(kMaxQueryChars + 1, 'a'),
        std::string("one two three four five six seven eight nine"),
        std::string("一二三四五六七八九十甲乙丙丁戊己庚辛")}) {
    absl::StatusOr<std::vector<QueryTerm>> terms = ParseQuery(query, {.field = "request.query"});
    ASSERT_FALSE(terms.ok()) << query;
    EXPECT_EQ(terms.status().code(), absl::StatusCode::kInvalidArgument) << query;
    std::vector<FieldViolation> violations = FieldViolations(terms.status());
    ASSERT_EQ(violations.size(), 1u) << query;
    EXPECT_EQ(violations[0].field, "request.query");
  }
  // The limits themselves are allowed.
  EXPECT_TRUE(ParseQuery(std::string(kMaxQueryChars, 'a')).ok());
  EXPECT_TRUE(ParseQuery("one two three four five six seven eight").ok());
}

}  // namespace
}  // namespace crm::search
