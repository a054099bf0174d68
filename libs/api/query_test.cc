#include "libs/api/query.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/api/filter_parser.h"
#include "libs/grpc/status.h"

namespace crm::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTagsHas[] =
    "EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id AND t.tag = ?)";

// Designated initializers would leave members out, which -Wextra flags on GCC 12.
FieldSpec Field(std::string name, FieldType type, std::string column, bool orderable = false) {
  FieldSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.column = std::move(column);
  spec.orderable = orderable;
  return spec;
}

ResourceFields CustomerFields() {
  FieldSpec tags = Field("tags", FieldType::kString, "");
  tags.has_sql = kTagsHas;
  FieldSpec kind = Field("kind", FieldType::kEnum, "c.kind");
  kind.enum_values = {{"COMPANY", 1}, {"PERSON", 2}};
  return ResourceFields(
      {
          Field("display_name", FieldType::kString, "c.display_name", true),
          Field("industry", FieldType::kString, "c.industry", true),
          Field("region.province", FieldType::kString, "c.province", true),
          Field("region.city", FieldType::kString, "c.city"),
          tags,
          kind,
          Field("employee_count", FieldType::kInt64, "c.employee_count", true),
          Field("archived", FieldType::kBool, "c.archived"),
          Field("create_time", FieldType::kTimestamp, "c.create_time", true),
      },
      "c.id");
}

db::Value Int(int64_t n) { return db::Value(n); }
db::Value Str(std::string s) { return db::Value(std::move(s)); }

class FilterTest : public ::testing::Test {
 protected:
  SqlFragment Compile(std::string_view filter) {
    absl::StatusOr<SqlFragment> result = CompileFilter(filter, fields_);
    EXPECT_TRUE(result.ok()) << filter << " -> " << result.status();
    return result.ok() ? *result : SqlFragment{};
  }

  // The description of the single "filter" violation; fails the test unless the error is
  // INVALID_ARGUMENT / INVALID_FILTER.
  std::string Error(std::string_view filter) {
    absl::StatusOr<SqlFragment> result = CompileFilter(filter, fields_);
    if (result.ok()) {
      ADD_FAILURE() << filter << " compiled to " << result->sql;
      return "";
    }
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ErrorReason(result.status()), "INVALID_FILTER");
    std::vector<FieldViolation> violations = FieldViolations(result.status());
    EXPECT_EQ(violations.size(), 1u);
    if (violations.empty()) return "";
    EXPECT_EQ(violations[0].field, "filter");
    return violations[0].description;
  }

  ResourceFields fields_ = CustomerFields();
};

TEST_F(FilterTest, EmptyFilterMatchesEverything) {
  for (std::string_view filter : {"", "   ", "\t\n"}) {
    SqlFragment f = Compile(filter);
    EXPECT_EQ(f.sql, "TRUE");
    EXPECT_TRUE(f.params.empty());
  }
}

TEST_F(FilterTest, StringComparisonsBindTheLiteral) {
  SqlFragment f = Compile(R"(display_name = "Acme Ltd")");
  EXPECT_EQ(f.sql, "(c.display_name = ?)");
  EXPECT_THAT(f.params, ElementsAre(Str("Acme Ltd")));

  EXPECT_EQ(Compile("display_name != Acme").sql, "(c.display_name <> ?)");
  EXPECT_EQ(Compile("display_name < b").sql, "(c.display_name < ?)");
  EXPECT_EQ(Compile("display_name <= b").sql, "(c.display_name <= ?)");
  EXPECT_EQ(Compile("display_name > b").sql, "(c.display_name > ?)");
  EXPECT_EQ(Compile("display_name>=b").sql, "(c.display_name >= ?)");
  EXPECT_THAT(Compile("region.city='Hangzhou'").params, ElementsAre(Str("Hangzhou")));
}

TEST_F(FilterTest, QuotedStringsUnescapeBackslashes) {
  EXPECT_THAT(Compile(R"(display_name = 'O\'Brien')").params, ElementsAre(Str("O'Brien")));
  EXPECT_THAT(Compile(R"(display_name = "say \"hi\" \\ bye")").params,
              ElementsAre(Str(R"(say "hi" \ bye)")));
  EXPECT_THAT(Compile(R"(display_name = "a\nb")").params, ElementsAre(Str("a\nb")));
  EXPECT_THAT(Compile(R"(display_name = "a AND b = c")").params, ElementsAre(Str("a AND b = c")));
}

TEST_F(FilterTest, InjectionInALiteralStaysOneParameter) {
  SqlFragment f = Compile(R"(display_name = "x' OR 1=1 --")");
  EXPECT_EQ(f.sql, "(c.display_name = ?)");
  EXPECT_THAT(f.params, ElementsAre(Str("x' OR 1=1 --")));

  f = Compile(R"(display_name = "'; DROP TABLE customers; --")");
  EXPECT_EQ(f.sql, "(c.display_name = ?)");
  EXPECT_THAT(f.params, ElementsAre(Str("'; DROP TABLE customers; --")));

  f = Compile(R"(display_name:"%' OR '1'='1")");
  EXPECT_THAT(f.sql, Not(HasSubstr("'1'")));
}

TEST_F(FilterTest, InjectionOutsideALiteralIsRejected) {
  EXPECT_THAT(Error("display_name = x; DROP TABLE customers"), HasSubstr("join them with AND"));
  EXPECT_THAT(Error(R"(display_name = "x"; DROP TABLE customers)"), HasSubstr("found ';'"));
  EXPECT_THAT(Error("display_name = x' OR '1'='1"), HasSubstr("quote"));
  EXPECT_THAT(Error("c.id = 1"), HasSubstr("unknown field \"c.id\""));
  EXPECT_THAT(Error("display_name) OR (1 = 1"), HasSubstr("expected an operator"));
  EXPECT_THAT(Error("1 = 1"), HasSubstr("expected a field name"));
  EXPECT_THAT(Error("`display_name` = 1"), HasSubstr("expected a field name"));
  EXPECT_THAT(Error("display_name = 1 OR display_name IS NULL"), HasSubstr("found 'I'"));
}

TEST_F(FilterTest, UnknownFieldIsNamedWithItsPosition) {
  EXPECT_EQ(Error("owner_salary > 1"), "unknown field \"owner_salary\" at position 1");
  EXPECT_EQ(Error("industry = x AND region.street = y"),
            "unknown field \"region.street\" at position 18");
}

TEST_F(FilterTest, OperatorsAreCheckedAgainstTheFieldType) {
  EXPECT_THAT(Error("kind > COMPANY"), HasSubstr("'>' is not supported on enum field \"kind\""));
  EXPECT_THAT(Error("archived <= true"), HasSubstr("not supported on boolean field"));
  EXPECT_THAT(Error("create_time:2026"), HasSubstr("':' is not supported"));
  EXPECT_THAT(Error("employee_count:5"), HasSubstr("':' is not supported"));
  EXPECT_THAT(Error("tags = vip"), HasSubstr("supports only ':'"));
  EXPECT_THAT(Error("display_name"), HasSubstr("expected an operator"));
  EXPECT_THAT(Error("display_name =="), HasSubstr("expected a value"));
  EXPECT_THAT(Error("display_name ="), HasSubstr("expected a value after '='"));
  EXPECT_THAT(Error("display_name = AND"), HasSubstr("expected a value"));
}

TEST_F(FilterTest, TypedLiteralsAreBoundAsTheirStoredType) {
  EXPECT_THAT(Compile("employee_count >= -20").params, ElementsAre(Int(-20)));
  EXPECT_THAT(Compile("archived = true").params, ElementsAre(Int(1)));
  EXPECT_THAT(Compile("archived != false").params, ElementsAre(Int(0)));
  EXPECT_THAT(Compile("kind = PERSON").params, ElementsAre(Int(2)));
  EXPECT_THAT(Compile(R"(kind = "COMPANY")").params, ElementsAre(Int(1)));

  SqlFragment f = Compile(R"(create_time >= "2026-01-31T08:00:00+08:00")");
  EXPECT_EQ(f.sql, "(c.create_time >= ?)");
  EXPECT_THAT(f.params, ElementsAre(Str("2026-01-31 00:00:00.000000")));
  EXPECT_THAT(Compile("create_time < 2026-02-01T12:30:15.25Z").params,
              ElementsAre(Str("2026-02-01 12:30:15.250000")));
}

TEST_F(FilterTest, BadLiteralsAreRejected) {
  EXPECT_THAT(Error("employee_count = ten"), HasSubstr("expects an integer"));
  EXPECT_THAT(Error(R"(employee_count = "10")"), HasSubstr("expects an integer"));
  EXPECT_THAT(Error("employee_count = 99999999999999999999"), HasSubstr("expects an integer"));
  EXPECT_THAT(Error("archived = yes"), HasSubstr("expects true or false"));
  EXPECT_THAT(Error("archived = TRUE"), HasSubstr("expects true or false"));
  EXPECT_EQ(Error("kind = ROBOT"),
            "field \"kind\" has no value \"ROBOT\"; expected one of COMPANY, PERSON at position 8");
  EXPECT_THAT(Error(R"(create_time > "yesterday")"), HasSubstr("RFC 3339"));
  EXPECT_THAT(Error(R"(create_time > "2026-01-31")"), HasSubstr("RFC 3339"));
  EXPECT_THAT(Error(R"(create_time > "infinite-future")"), HasSubstr("RFC 3339"));
  EXPECT_THAT(Error(R"(create_time > "0001-01-01T00:00:00Z")"), HasSubstr("years 1000-9999"));
  EXPECT_THAT(Error(R"(display_name = "open)"), HasSubstr("unterminated quoted string"));
  EXPECT_THAT(Error(R"(display_name = "trailing\)"), HasSubstr("unterminated"));
}

TEST_F(FilterTest, OrBindsTighterThanAnd) {
  // AIP-160: "a AND b OR c" is "a AND (b OR c)".
  SqlFragment f = Compile("industry = a AND industry = b OR industry = c");
  EXPECT_EQ(f.sql, "((c.industry = ?) AND ((c.industry = ?) OR (c.industry = ?)))");
  EXPECT_THAT(f.params, ElementsAre(Str("a"), Str("b"), Str("c")));

  EXPECT_EQ(Compile("industry = a OR industry = b AND industry = c").sql,
            "(((c.industry = ?) OR (c.industry = ?)) AND (c.industry = ?))");
  EXPECT_EQ(Compile("(industry = a AND industry = b) OR industry = c").sql,
            "(((c.industry = ?) AND (c.industry = ?)) OR (c.industry = ?))");
}

TEST_F(FilterTest, NegationWithNotOrMinus) {
  EXPECT_EQ(Compile("NOT kind = COMPANY").sql, "(NOT (c.kind = ?))");
  EXPECT_EQ(Compile("-kind = COMPANY").sql, "(NOT (c.kind = ?))");
  EXPECT_EQ(Compile("NOT (kind = COMPANY OR archived = true)").sql,
            "(NOT ((c.kind = ?) OR (c.archived = ?)))");
  EXPECT_EQ(Compile("NOT(archived = true) AND industry = x").sql,
            "((NOT (c.archived = ?)) AND (c.industry = ?))");
  EXPECT_EQ(Compile("NOT NOT archived = true").sql, "(NOT (NOT (c.archived = ?)))");
  // A leading word that merely starts with a keyword is a field name.
  EXPECT_THAT(Error("NOTE = x"), HasSubstr("unknown field \"NOTE\""));
}

TEST_F(FilterTest, JuxtapositionIsNotImplicitAnd) {
  EXPECT_THAT(Error("industry = a industry = b"), HasSubstr("expected AND, OR or ')', found 'i'"));
  EXPECT_THAT(Error("industry = a and industry = b"), HasSubstr("must be upper case: write AND"));
  EXPECT_THAT(Error("industry = a or industry = b"), HasSubstr("write OR"));
  EXPECT_THAT(Error("industry = a AND"), HasSubstr("expected a condition but the filter ended"));
}

TEST_F(FilterTest, UnbalancedParenthesesAreReported) {
  EXPECT_EQ(Error("(industry = a"), "unbalanced '(' with no matching ')' at position 1");
  EXPECT_EQ(Error("industry = a)"), "unbalanced ')' with no matching '(' at position 13");
  EXPECT_THAT(Error("((industry = a) AND archived = true"), HasSubstr("unbalanced '('"));
  EXPECT_THAT(Error("()"), HasSubstr("empty parentheses"));
  EXPECT_THAT(Error("industry = a AND ()"), HasSubstr("empty parentheses"));
  EXPECT_THAT(Error(")"), HasSubstr("expected a field name, found ')'"));
}

TEST_F(FilterTest, ChineseLiteralsAndPositions) {
  SqlFragment f = Compile(R"(industry = "制造业" AND region.province = "浙江")");
  EXPECT_EQ(f.sql, "((c.industry = ?) AND (c.province = ?))");
  EXPECT_THAT(f.params, ElementsAre(Str("制造业"), Str("浙江")));

  EXPECT_THAT(Compile("region.city = 杭州").params, ElementsAre(Str("杭州")));
  EXPECT_THAT(Compile(R"(display_name:"科技")").params, ElementsAre(Str("%科技%")));
  // Positions count characters, not bytes.
  EXPECT_EQ(Error(R"(industry = "制造业" AND 省 = "浙江")"),
            "expected a field name, found '省' at position 22");
}

TEST_F(FilterTest, HasOnRepeatedFieldUsesMembershipPredicate) {
  SqlFragment f = Compile(R"(tags:"vip" AND industry = "制造业")");
  EXPECT_EQ(f.sql, absl::StrCat("((", kTagsHas, ") AND (c.industry = ?))"));
  EXPECT_THAT(f.params, ElementsAre(Str("vip"), Str("制造业")));
  EXPECT_EQ(Compile("NOT tags:lost").sql, absl::StrCat("(NOT (", kTagsHas, "))"));
}

TEST_F(FilterTest, HasOnStringIsContainsWithEscapedWildcards) {
  SqlFragment f = Compile(R"(display_name:"50%_off!\\")");
  EXPECT_EQ(f.sql, "(c.display_name LIKE ? ESCAPE '!')");
  EXPECT_THAT(f.params, ElementsAre(Str(R"(%50!%!_off!!\%)")));
  EXPECT_THAT(Compile("display_name:acme").params, ElementsAre(Str("%acme%")));
}

TEST_F(FilterTest, RejectsInvalidUtf8) {
  EXPECT_EQ(Error("industry = \"\xff\""), "not valid UTF-8");
  EXPECT_EQ(Error("industry = \"\xe5\x88\""), "not valid UTF-8");  // truncated sequence
}

TEST_F(FilterTest, LengthLimitCountsCharacters) {
  const std::string head = "industry = \"";
  const size_t room = internal::kMaxFilterChars - head.size() - 1;
  std::string chinese;
  for (size_t i = 0; i < room; ++i) chinese += "业";
  Compile(head + chinese + "\"");  // exactly at the limit: 3 bytes a character is fine
  EXPECT_EQ(Error(head + chinese + "业\""), "longer than 2000 characters");
}

TEST_F(FilterTest, NestingDepthIsLimited) {
  auto nested = [](int depth) {
    return std::string(depth, '(') + "archived = true" + std::string(depth, ')');
  };
  EXPECT_EQ(Compile(nested(internal::kMaxFilterDepth)).sql, "(c.archived = ?)");
  EXPECT_THAT(Error(nested(internal::kMaxFilterDepth + 1)), HasSubstr("nested deeper than 32"));

  std::string nots;
  for (int i = 0; i <= internal::kMaxFilterDepth; ++i) nots += "NOT ";
  EXPECT_THAT(Error(nots + "archived = true"), HasSubstr("nested deeper than 32"));
  // Far past the limit must fail cleanly rather than exhaust the stack.
  EXPECT_THAT(Error(std::string(1500, '(')), HasSubstr("nested deeper"));
}

TEST_F(FilterTest, ComparisonCountIsLimited) {
  auto conditions = [](int n) {
    std::string filter = "archived = true";
    for (int i = 1; i < n; ++i) filter += " OR archived = true";
    return filter;
  };
  EXPECT_EQ(Compile(conditions(internal::kMaxFilterComparisons)).params.size(), 50u);
  EXPECT_THAT(Error(conditions(internal::kMaxFilterComparisons + 1)),
              HasSubstr("more than 50 comparisons"));
}

// ---------------------------------------------------------------------------------------

TEST(OrderByTest, EmptyUsesDefaultAndAppendsIdInTheFirstDirection) {
  ResourceFields fields = CustomerFields();
  absl::StatusOr<std::vector<OrderTerm>> order = ParseOrderBy("", "create_time desc", fields);
  ASSERT_TRUE(order.ok()) << order.status();
  ASSERT_EQ(order->size(), 2u);
  EXPECT_EQ((*order)[0].field, "create_time");
  EXPECT_TRUE((*order)[0].descending);
  EXPECT_EQ((*order)[1].field, "");
  EXPECT_EQ(OrderByClause(*order), "c.create_time DESC, c.id DESC");

  order = ParseOrderBy("  ", "", fields);
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(OrderByClause(*order), "c.id ASC");
}

TEST(OrderByTest, SeveralTermsWithMixedDirections) {
  ResourceFields fields = CustomerFields();
  absl::StatusOr<std::vector<OrderTerm>> order =
      ParseOrderBy("region.province, create_time DESC ,employee_count asc", "x", fields);
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(OrderByClause(*order),
            "c.province ASC, c.create_time DESC, c.employee_count ASC, c.id ASC");
}

TEST(OrderByTest, RejectsWhatIsNotWhitelisted) {
  ResourceFields fields = CustomerFields();
  for (std::string_view bad :
       {"salary", "region.city", "tags", "display_name, display_name desc", "display_name up",
        "display_name desc nulls", "display_name,,industry", "c.id; DROP TABLE customers",
        "display_name desc,"}) {
    absl::StatusOr<std::vector<OrderTerm>> order = ParseOrderBy(bad, "", fields);
    ASSERT_FALSE(order.ok()) << bad;
    EXPECT_EQ(order.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ErrorReason(order.status()), "INVALID_ORDER_BY") << bad;
    ASSERT_EQ(FieldViolations(order.status()).size(), 1u);
    EXPECT_EQ(FieldViolations(order.status())[0].field, "order_by");
  }
}

// ---------------------------------------------------------------------------------------

TEST(KeysetTest, AscendingTwoTerms) {
  std::vector<OrderTerm> order = {{"create_time", "c.create_time", false}, {"", "c.id", false}};
  SqlFragment f = KeysetAfter(order, {Str("2026-01-01 00:00:00.000000"), Int(7)});
  EXPECT_EQ(f.sql, "(c.create_time > ? OR (c.create_time = ? AND c.id > ?))");
  EXPECT_THAT(f.params, ElementsAre(Str("2026-01-01 00:00:00.000000"),
                                    Str("2026-01-01 00:00:00.000000"), Int(7)));
}

TEST(KeysetTest, DescendingTwoTerms) {
  std::vector<OrderTerm> order = {{"create_time", "c.create_time", true}, {"", "c.id", true}};
  SqlFragment f = KeysetAfter(order, {Str("t"), Int(7)});
  EXPECT_EQ(f.sql, "(c.create_time < ? OR (c.create_time = ? AND c.id < ?))");
}

TEST(KeysetTest, MixedDirectionsExpandTermByTerm) {
  std::vector<OrderTerm> order = {{"industry", "c.industry", false},
                                  {"create_time", "c.create_time", true},
                                  {"", "c.id", false}};
  SqlFragment f = KeysetAfter(order, {Str("x"), Str("t"), Int(5)});
  EXPECT_EQ(f.sql,
            "(c.industry > ? OR (c.industry = ? AND c.create_time < ?) OR "
            "(c.industry = ? AND c.create_time = ? AND c.id > ?))");
  EXPECT_THAT(f.params, ElementsAre(Str("x"), Str("x"), Str("t"), Str("x"), Str("t"), Int(5)));
}

TEST(KeysetTest, NullPositionsFollowMariaDbNullOrdering) {
  std::vector<OrderTerm> asc = {{"industry", "c.industry", false}, {"", "c.id", false}};
  SqlFragment f = KeysetAfter(asc, {db::Value(), Int(5)});
  EXPECT_EQ(f.sql, "(c.industry IS NOT NULL OR (c.industry IS NULL AND c.id > ?))");
  EXPECT_THAT(f.params, ElementsAre(Int(5)));

  std::vector<OrderTerm> desc = {{"industry", "c.industry", true}, {"", "c.id", true}};
  EXPECT_EQ(KeysetAfter(desc, {db::Value(), Int(5)}).sql,
            "(FALSE OR (c.industry IS NULL AND c.id < ?))");
}

// Evaluates the small SQL subset KeysetAfter emits against one row, so paging can be
// checked end to end without a database. Comparisons with NULL are false, as in SQL WHERE.
class KeysetEvaluator final {
 public:
  KeysetEvaluator(const SqlFragment& fragment, const std::map<std::string, db::Value>& row)
      : row_(row), params_(fragment.params) {
    std::string spaced;
    for (char c : fragment.sql) {
      if (c == '(' || c == ')') {
        absl::StrAppend(&spaced, " ", std::string(1, c), " ");
      } else {
        spaced.push_back(c);
      }
    }
    tokens_ = absl::StrSplit(spaced, ' ', absl::SkipEmpty());
  }

  bool Evaluate() {
    const bool result = Or();
    EXPECT_EQ(next_, tokens_.size());
    EXPECT_EQ(param_, params_.size());
    return result;
  }

 private:
  bool Or() {
    bool result = And();
    while (next_ < tokens_.size() && tokens_[next_] == "OR") {
      ++next_;
      result = And() || result;  // evaluate both sides to consume parameters in order
    }
    return result;
  }
  bool And() {
    bool result = Atom();
    while (next_ < tokens_.size() && tokens_[next_] == "AND") {
      ++next_;
      result = Atom() && result;
    }
    return result;
  }
  bool Atom() {
    const std::string token = tokens_[next_++];
    if (token == "(") {
      const bool result = Or();
      EXPECT_EQ(tokens_[next_++], ")");
      return result;
    }
    if (token == "FALSE") return false;
    const db::Value& value = row_.at(token);
    const bool is_null = std::holds_alternative<std::monostate>(value);
    const std::string op = tokens_[next_++];
    if (op == "IS") {
      if (tokens_[next_] == "NOT") {
        next_ += 2;
        return !is_null;
      }
      ++next_;
      return is_null;
    }
    EXPECT_EQ(tokens_[next_++], "?");
    const db::Value& param = params_.at(param_++);
    if (is_null) return false;
    if (op == "=") return value == param;
    if (op == "<") return value < param;
    if (op == ">") return value > param;
    ADD_FAILURE() << "unexpected operator " << op;
    return false;
  }

  const std::map<std::string, db::Value>& row_;
  const std::vector<db::Value>& params_;
  std::vector<std::string> tokens_;
  size_t next_ = 0;
  size_t param_ = 0;
};

TEST(KeysetTest, PagingThroughMixedOrderVisitsEveryRowOnce) {
  const std::vector<OrderTerm> order = {{"industry", "c.industry", false},
                                        {"create_time", "c.create_time", true},
                                        {"employee_count", "c.employee_count", false},
                                        {"", "c.id", true}};
  // Few distinct values per column, so ties at every level are common.
  std::vector<std::map<std::string, db::Value>> rows;
  int64_t id = 1;
  for (const char* industry : {"制造业", "零售", "IT"}) {
    for (const char* time : {"2026-01-01 00:00:00.000000", "2026-02-01 00:00:00.000000"}) {
      for (int64_t count : {5, 50}) {
        for (int copies = 0; copies < 2; ++copies) {
          rows.push_back({{"c.industry", Str(industry)},
                          {"c.create_time", Str(time)},
                          {"c.employee_count", Int(count)},
                          {"c.id", Int(id++)}});
        }
      }
    }
  }
  auto key = [&](const std::map<std::string, db::Value>& row) {
    std::vector<db::Value> values;
    for (const OrderTerm& term : order) values.push_back(row.at(term.column));
    return values;
  };
  auto before = [&](const auto& a, const auto& b) {
    for (const OrderTerm& term : order) {
      const db::Value& x = a.at(term.column);
      const db::Value& y = b.at(term.column);
      if (x != y) return term.descending ? y < x : x < y;
    }
    return false;
  };
  std::sort(rows.begin(), rows.end(), before);

  for (size_t i = 0; i < rows.size(); ++i) {
    const SqlFragment after = KeysetAfter(order, key(rows[i]));
    for (size_t j = 0; j < rows.size(); ++j) {
      EXPECT_EQ(KeysetEvaluator(after, rows[j]).Evaluate(), j > i)
          << "position " << i << ", row " << j << ": " << after.sql;
    }
  }
}

TEST(KeysetTest, PositionThatDoesNotFitTheOrderSelectsNothing) {
  std::vector<OrderTerm> order = {{"create_time", "c.create_time", true}, {"", "c.id", true}};
  SqlFragment f = KeysetAfter(order, {Int(7)});
  EXPECT_EQ(f.sql, "FALSE");
  EXPECT_TRUE(f.params.empty());
}

// ---------------------------------------------------------------------------------------

class PageTokenTest : public ::testing::Test {
 protected:
  void ExpectRejected(std::string_view token, std::string_view binding) {
    absl::StatusOr<std::vector<db::Value>> decoded = codec_.Decode(token, binding);
    ASSERT_FALSE(decoded.ok()) << "accepted token " << token;
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ErrorReason(decoded.status()), "INVALID_PAGE_TOKEN");
    ASSERT_EQ(FieldViolations(decoded.status()).size(), 1u);
    EXPECT_EQ(FieldViolations(decoded.status())[0].field, "page_token");
  }

  PageTokenCodec codec_{"0123456789abcdef0123456789abcdef"};
  std::string binding_ = PageBinding(R"(industry = "制造业")", "create_time desc", "users/7");
};

TEST_F(PageTokenTest, RoundTripsEveryValueKind) {
  const std::vector<db::Value> last = {
      Str("2026-01-31 08:00:00.000000"),
      Str("浙江"),
      Str(""),
      Str(std::string("a\0b", 3)),
      Str(std::string(300, 'x')),
      db::Value(),
      Int(0),
      Int(-1),
      Int(std::numeric_limits<int64_t>::min()),
      Int(std::numeric_limits<int64_t>::max()),
  };
  const std::string token = codec_.Encode(binding_, last);
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos)
      << token;
  absl::StatusOr<std::vector<db::Value>> decoded = codec_.Decode(token, binding_);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, last);
}

TEST_F(PageTokenTest, AnyFlippedCharacterIsRejected) {
  const std::string token = codec_.Encode(binding_, {Str("2026-01-31"), Int(42)});
  for (size_t i = 0; i < token.size(); ++i) {
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    ExpectRejected(tampered, binding_);
  }
  ExpectRejected(token.substr(0, token.size() - 1), binding_);
  ExpectRejected(token + "A", binding_);
}

TEST_F(PageTokenTest, TokenIsBoundToFilterOrderAndScope) {
  const std::string token = codec_.Encode(binding_, {Int(42)});
  ExpectRejected(token, PageBinding(R"(industry = "零售")", "create_time desc", "users/7"));
  ExpectRejected(token, PageBinding(R"(industry = "制造业")", "create_time", "users/7"));
  ExpectRejected(token, PageBinding(R"(industry = "制造业")", "create_time desc", "users/8"));
  EXPECT_THAT(codec_.Decode(token, PageBinding("", "", "")).status().message(),
              HasSubstr("different query"));
  // Moving text between parts must not produce the same binding.
  EXPECT_NE(PageBinding("ab", "c", ""), PageBinding("a", "bc", ""));
}

TEST_F(PageTokenTest, TokenFromAnotherSecretIsRejected) {
  PageTokenCodec other("another secret");
  ExpectRejected(other.Encode(binding_, {Int(42)}), binding_);
}

TEST_F(PageTokenTest, GarbageIsRejected) {
  for (std::string_view garbage : {"", "abc", "!!!!", "not a token",
                                   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                   "c29tZSBiYXNlNjQ=", "' OR 1=1 --"}) {
    ExpectRejected(garbage, binding_);
  }
  ExpectRejected(std::string(5000, 'A'), binding_);
  // Padding is not part of our spelling.
  const std::string token = codec_.Encode(binding_, {Int(1)});
  ExpectRejected(token + "==", binding_);
}

TEST(PageSizeTest, FollowsAipRules) {
  EXPECT_EQ(EffectivePageSize(0, 50, 1000).value(), 50);
  EXPECT_EQ(EffectivePageSize(10, 50, 1000).value(), 10);
  EXPECT_EQ(EffectivePageSize(5000, 50, 1000).value(), 1000);
  absl::StatusOr<int> negative = EffectivePageSize(-1, 50, 1000);
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(FieldViolations(negative.status()).size(), 1u);
  EXPECT_EQ(FieldViolations(negative.status())[0].field, "page_size");
}

}  // namespace
}  // namespace crm::api
