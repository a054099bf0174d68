// The AIP-160 subset compiler behind crm::api::CompileFilter. A hand-written recursive
// descent parser over the raw text: it emits SQL as it goes, drawing column names only
// from the ResourceFields whitelist and binding every literal as a '?' parameter, so no
// byte of user text can reach the SQL string.
#include "libs/api/filter_parser.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/api/internal.h"
#include "libs/api/query.h"
#include "libs/grpc/status.h"

namespace crm::api {
namespace {

using internal::kMaxFilterChars;
using internal::kMaxFilterComparisons;
using internal::kMaxFilterDepth;

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kHas };

struct Literal {
  std::string text;
  bool quoted = false;
  size_t pos = 0;  // byte offset of the literal, for error messages
};

bool IsIdentStart(char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Counts code points; nullopt when `text` is not valid UTF-8 (it would be rejected by the
// database's utf8mb4 columns anyway, with a far less helpful error).
std::optional<size_t> CountCodePoints(absl::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t len;
    uint32_t cp;
    if (lead < 0x80) {
      len = 1;
      cp = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      len = 2;
      cp = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      len = 3;
      cp = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      len = 4;
      cp = lead & 0x07;
    } else {
      return std::nullopt;
    }
    if (i + len > text.size()) return std::nullopt;
    for (size_t k = 1; k < len; ++k) {
      if (!IsContinuationByte(text[i + k])) return std::nullopt;
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    // Reject overlong forms, surrogates and values beyond U+10FFFF.
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return std::nullopt;
    }
    i += len;
    ++count;
  }
  return count;
}

absl::string_view OpText(Op op) {
  switch (op) {
    case Op::kEq:
      return "=";
    case Op::kNe:
      return "!=";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kHas:
      return ":";
  }
  return "?";
}

absl::string_view OpSql(Op op) { return op == Op::kNe ? "<>" : OpText(op); }

bool IsOrdering(Op op) { return op == Op::kLt || op == Op::kLe || op == Op::kGt || op == Op::kGe; }

absl::string_view TypeName(FieldType type) {
  switch (type) {
    case FieldType::kString:
      return "string";
    case FieldType::kInt64:
      return "integer";
    case FieldType::kEnum:
      return "enum";
    case FieldType::kBool:
      return "boolean";
    case FieldType::kTimestamp:
      return "timestamp";
  }
  return "unknown";
}

// '!' rather than the customary backslash as the LIKE escape: a backslash inside the SQL
// literal ESCAPE '\\' means one or two characters depending on NO_BACKSLASH_ESCAPES,
// whereas ESCAPE '!' means the same under every sql_mode.
constexpr char kLikeEscape[] = "'!'";

std::string EscapeLike(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('%');
  for (char c : text) {
    if (c == '%' || c == '_' || c == '!') out.push_back('!');
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

class FilterCompiler final {
 public:
  FilterCompiler(std::string_view text, const ResourceFields& fields)
      : text_(internal::AsAbsl(text)), fields_(fields) {}

  absl::StatusOr<SqlFragment> Compile() {
    const std::optional<size_t> chars = CountCodePoints(text_);
    if (!chars.has_value()) return Invalid("not valid UTF-8");
    if (*chars > kMaxFilterChars) {
      return Invalid(absl::StrCat("longer than ", kMaxFilterChars, " characters"));
    }
    SkipSpace();
    if (AtEnd()) return SqlFragment{"TRUE", {}};
    std::string sql;
    CRM_RETURN_IF_ERROR(ParseExpression(0, &sql));
    // ParseExpression stops only at the end or at a ')' it did not open.
    if (!AtEnd()) return FailAt(pos_, "unbalanced ')' with no matching '('");
    return SqlFragment{std::move(sql), std::move(params_)};
  }

 private:
  // expression := factor { "AND" factor }
  absl::Status ParseExpression(int depth, std::string* out) {
    std::vector<std::string> factors(1);
    CRM_RETURN_IF_ERROR(ParseFactor(depth, &factors.back()));
    while (true) {
      SkipSpace();
      if (AtEnd() || Peek() == ')') break;
      if (!ConsumeKeyword("AND")) return JuxtapositionError();
      factors.emplace_back();
      CRM_RETURN_IF_ERROR(ParseFactor(depth, &factors.back()));
    }
    *out = factors.size() == 1 ? std::move(factors[0])
                               : absl::StrCat("(", absl::StrJoin(factors, " AND "), ")");
    return absl::OkStatus();
  }

  // factor := term { "OR" term }. AIP-160 makes OR bind tighter than AND.
  absl::Status ParseFactor(int depth, std::string* out) {
    std::vector<std::string> terms(1);
    CRM_RETURN_IF_ERROR(ParseTerm(depth, &terms.back()));
    while (true) {
      SkipSpace();
      if (!ConsumeKeyword("OR")) break;
      terms.emplace_back();
      CRM_RETURN_IF_ERROR(ParseTerm(depth, &terms.back()));
    }
    *out = terms.size() == 1 ? std::move(terms[0])
                             : absl::StrCat("(", absl::StrJoin(terms, " OR "), ")");
    return absl::OkStatus();
  }

  // term := { "NOT" | "-" } simple
  absl::Status ParseTerm(int depth, std::string* out) {
    SkipSpace();
    const size_t start = pos_;
    bool negate = ConsumeKeyword("NOT");
    if (!negate && !AtEnd() && Peek() == '-') {
      ++pos_;
      negate = true;
    }
    if (!negate) return ParseSimple(depth, out);
    if (depth + 1 > kMaxFilterDepth) return TooDeep(start);
    std::string inner;
    // Stricter AIP-160 allows one negation per term; "NOT NOT a = 1" costs nothing to accept.
    CRM_RETURN_IF_ERROR(ParseTerm(depth + 1, &inner));
    *out = absl::StrCat("(NOT ", inner, ")");
    return absl::OkStatus();
  }

  // simple := "(" expression ")" | restriction
  absl::Status ParseSimple(int depth, std::string* out) {
    SkipSpace();
    if (AtEnd()) return FailAt(pos_, "expected a condition but the filter ended");
    if (Peek() != '(') return ParseRestriction(out);
    const size_t open = pos_++;
    if (depth + 1 > kMaxFilterDepth) return TooDeep(open);
    SkipSpace();
    if (!AtEnd() && Peek() == ')') return FailAt(open, "empty parentheses");
    CRM_RETURN_IF_ERROR(ParseExpression(depth + 1, out));
    if (AtEnd()) return FailAt(open, "unbalanced '(' with no matching ')'");
    ++pos_;  // ParseExpression stopped at ')'
    return absl::OkStatus();
  }

  // restriction := field comparator value
  absl::Status ParseRestriction(std::string* out) {
    const size_t field_pos = pos_;
    if (!IsIdentStart(Peek())) {
      return FailAt(pos_, absl::StrCat("expected a field name, found ", Describe(pos_)));
    }
    while (true) {
      while (!AtEnd() && IsIdentChar(Peek())) ++pos_;
      if (AtEnd() || Peek() != '.' || pos_ + 1 >= text_.size() || !IsIdentStart(text_[pos_ + 1])) {
        break;
      }
      ++pos_;
    }
    const absl::string_view name = text_.substr(field_pos, pos_ - field_pos);
    const FieldSpec* spec = fields_.Find(internal::AsStd(name));
    if (spec == nullptr) return FailAt(field_pos, absl::StrCat("unknown field \"", name, "\""));

    SkipSpace();
    const size_t op_pos = pos_;
    const std::optional<Op> op = ConsumeOperator();
    if (!op.has_value()) {
      return FailAt(op_pos, absl::StrCat("expected an operator (=, !=, <, <=, >, >=, :) after \"",
                                         name, "\", found ", Describe(op_pos)));
    }
    SkipSpace();
    Literal literal;
    CRM_RETURN_IF_ERROR(ParseLiteral(*op, &literal));
    if (++comparisons_ > kMaxFilterComparisons) {
      return FailAt(field_pos, absl::StrCat("more than ", kMaxFilterComparisons, " comparisons"));
    }
    return EmitComparison(*spec, *op, op_pos, literal, out);
  }

  absl::Status EmitComparison(const FieldSpec& spec, Op op, size_t op_pos, const Literal& literal,
                              std::string* out) {
    if (op == Op::kHas) {
      if (!spec.has_sql.empty()) {
        db::Value value;
        CRM_RETURN_IF_ERROR(ConvertLiteral(spec, literal, &value));
        params_.push_back(std::move(value));
        *out = absl::StrCat("(", spec.has_sql, ")");
        return absl::OkStatus();
      }
      if (spec.type == FieldType::kString && !spec.column.empty()) {
        params_.push_back(EscapeLike(literal.text));
        *out = absl::StrCat("(", spec.column, " LIKE ? ESCAPE ", kLikeEscape, ")");
        return absl::OkStatus();
      }
      return FailAt(op_pos,
                    absl::StrCat("operator ':' is not supported on field \"", spec.name, "\""));
    }
    if (spec.column.empty()) {
      return FailAt(op_pos, absl::StrCat("field \"", spec.name, "\" supports only ':' (e.g. ",
                                         spec.name, ":\"value\")"));
    }
    const bool ordering_allowed = spec.type == FieldType::kString ||
                                  spec.type == FieldType::kInt64 ||
                                  spec.type == FieldType::kTimestamp;
    if (IsOrdering(op) && !ordering_allowed) {
      return FailAt(op_pos,
                    absl::StrCat("operator '", OpText(op), "' is not supported on ",
                                 TypeName(spec.type), " field \"", spec.name, "\"; use = or !="));
    }
    db::Value value;
    CRM_RETURN_IF_ERROR(ConvertLiteral(spec, literal, &value));
    params_.push_back(std::move(value));
    *out = absl::StrCat("(", spec.column, " ", OpSql(op), " ?)");
    return absl::OkStatus();
  }

  absl::Status ConvertLiteral(const FieldSpec& spec, const Literal& literal, db::Value* value) {
    const std::string& text = literal.text;
    switch (spec.type) {
      case FieldType::kString:
        *value = text;
        return absl::OkStatus();
      case FieldType::kInt64: {
        int64_t number;
        if (literal.quoted || !absl::SimpleAtoi(text, &number)) {
          return FailAt(literal.pos, absl::StrCat("field \"", spec.name,
                                                  "\" expects an integer, got \"", text, "\""));
        }
        *value = number;
        return absl::OkStatus();
      }
      case FieldType::kBool:
        if (!literal.quoted && (text == "true" || text == "false")) {
          *value = int64_t{text == "true" ? 1 : 0};
          return absl::OkStatus();
        }
        return FailAt(literal.pos, absl::StrCat("field \"", spec.name,
                                                "\" expects true or false, got \"", text, "\""));
      case FieldType::kEnum: {
        auto it = spec.enum_values.find(text);
        if (it != spec.enum_values.end()) {
          *value = it->second;
          return absl::OkStatus();
        }
        std::vector<absl::string_view> names;
        for (const auto& [name, unused] : spec.enum_values) names.push_back(name);
        return FailAt(literal.pos,
                      absl::StrCat("field \"", spec.name, "\" has no value \"", text,
                                   "\"; expected one of ", absl::StrJoin(names, ", ")));
      }
      case FieldType::kTimestamp: {
        absl::Time time;
        std::string error;
        // DATETIME(6) holds years 1000-9999; ParseTime also accepts "infinite-future".
        if (absl::ParseTime(absl::RFC3339_full, text, &time, &error) &&
            time != absl::InfiniteFuture() && time != absl::InfinitePast()) {
          const int64_t year = absl::ToCivilSecond(time, absl::UTCTimeZone()).year();
          if (year >= 1000 && year <= 9999) {
            *value = absl::FormatTime("%Y-%m-%d %H:%M:%E6S", time, absl::UTCTimeZone());
            return absl::OkStatus();
          }
        }
        return FailAt(literal.pos,
                      absl::StrCat("field \"", spec.name,
                                   "\" expects an RFC 3339 timestamp such as "
                                   "\"2026-01-31T08:00:00Z\" (years 1000-9999), got \"",
                                   text, "\""));
      }
    }
    return FailAt(literal.pos, "unsupported field type");
  }

  // value := quoted-string | bare-word. A bare word runs to the next space or parenthesis,
  // so unquoted timestamps ("2026-01-01T00:00:00Z") and negative numbers need no quotes.
  absl::Status ParseLiteral(Op op, Literal* literal) {
    literal->pos = pos_;
    if (AtEnd()) {
      return FailAt(pos_, absl::StrCat("expected a value after '", OpText(op), "'"));
    }
    const char quote = Peek();
    if (quote == '"' || quote == '\'') {
      literal->quoted = true;
      ++pos_;
      while (true) {
        if (AtEnd()) return FailAt(literal->pos, "unterminated quoted string");
        char c = text_[pos_++];
        if (c == quote) return absl::OkStatus();
        if (c == '\\') {
          if (AtEnd()) return FailAt(literal->pos, "unterminated quoted string");
          c = text_[pos_++];
          if (c == 'n') c = '\n';
          if (c == 't') c = '\t';
          if (c == 'r') c = '\r';
        }
        literal->text.push_back(c);
      }
    }
    while (!AtEnd() && !IsSpace(Peek()) && Peek() != '(' && Peek() != ')') {
      if (Peek() == '"' || Peek() == '\'') {
        return FailAt(pos_, "quote inside an unquoted value; quote the whole value");
      }
      ++pos_;
    }
    literal->text = std::string(text_.substr(literal->pos, pos_ - literal->pos));
    // "a == b" or "a = AND ..." are typos, not comparisons with the text "=" or "AND".
    if (literal->text.empty() ||
        absl::string_view("=<>!:").find(literal->text[0]) != absl::string_view::npos ||
        literal->text == "AND" || literal->text == "OR" || literal->text == "NOT") {
      return FailAt(literal->pos, absl::StrCat("expected a value after '", OpText(op), "', found ",
                                               Describe(literal->pos)));
    }
    return absl::OkStatus();
  }

  std::optional<Op> ConsumeOperator() {
    static constexpr std::pair<absl::string_view, Op> kOperators[] = {
        {"<=", Op::kLe}, {">=", Op::kGe}, {"!=", Op::kNe}, {"<", Op::kLt},
        {">", Op::kGt},  {"=", Op::kEq},  {":", Op::kHas},
    };
    for (const auto& [text, op] : kOperators) {
      if (absl::StartsWith(text_.substr(pos_), text)) {
        pos_ += text.size();
        return op;
      }
    }
    return std::nullopt;
  }

  // Keywords are upper case (AIP-160) and must stand alone: "ORDER" is not "OR".
  bool ConsumeKeyword(absl::string_view keyword) {
    if (!absl::StartsWith(text_.substr(pos_), keyword)) return false;
    const size_t end = pos_ + keyword.size();
    if (end < text_.size() && !IsSpace(text_[end]) && text_[end] != '(') return false;
    pos_ = end;
    return true;
  }

  absl::Status JuxtapositionError() {
    size_t end = pos_;
    while (end < text_.size() && IsIdentChar(text_[end])) ++end;
    const std::string word = absl::AsciiStrToUpper(text_.substr(pos_, end - pos_));
    if (word == "AND" || word == "OR" || word == "NOT") {
      return FailAt(pos_, absl::StrCat("logical operators must be upper case: write ", word));
    }
    return FailAt(pos_, absl::StrCat("expected AND, OR or ')', found ", Describe(pos_),
                                     " (conditions side by side are not implicitly ANDed; "
                                     "join them with AND)"));
  }

  // "'x'" for the code point at `pos`, or "the end of the filter".
  std::string Describe(size_t pos) const {
    if (pos >= text_.size()) return "the end of the filter";
    size_t end = pos + 1;
    while (end < text_.size() && IsContinuationByte(text_[end])) ++end;
    return absl::StrCat("'", text_.substr(pos, end - pos), "'");
  }

  absl::Status TooDeep(size_t pos) const {
    return FailAt(pos, absl::StrCat("nested deeper than ", kMaxFilterDepth, " levels"));
  }

  absl::Status FailAt(size_t pos, absl::string_view what) const {
    // 1-based, in code points, as an editor would show the column.
    size_t column = 1;
    for (size_t i = 0; i < pos && i < text_.size(); ++i) {
      if (!IsContinuationByte(text_[i])) ++column;
    }
    return Invalid(absl::StrCat(what, " at position ", column));
  }

  static absl::Status Invalid(absl::string_view description) {
    return internal::InvalidInput("INVALID_FILTER", "filter", internal::AsStd(description));
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(Peek())) ++pos_;
  }

  const absl::string_view text_;
  const ResourceFields& fields_;
  size_t pos_ = 0;
  int comparisons_ = 0;
  std::vector<db::Value> params_;
};

}  // namespace

absl::StatusOr<SqlFragment> CompileFilter(std::string_view filter, const ResourceFields& fields) {
  return FilterCompiler(filter, fields).Compile();
}

}  // namespace crm::api
