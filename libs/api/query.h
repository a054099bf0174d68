// Turning a List request's `filter`, `order_by` and `page_token` into parameterised SQL.
//
// A resource declares which fields clients may filter and order by (ResourceFields);
// nothing outside that whitelist ever reaches SQL, and every literal is bound as a
// parameter, never spliced. The filter language is the AIP-160 subset described in
// libs/api/README.md.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include <google/protobuf/descriptor.h>
#include "libs/db/value.h"

namespace crm::api {

enum class FieldType {
  kString,     // compared as text; ':' means "contains" (LIKE with escaping)
  kInt64,      // integer literal
  kEnum,       // an enum value name, mapped through FieldSpec::enum_values
  kBool,       // true / false
  kTimestamp,  // RFC 3339 literal ("2026-01-01T00:00:00Z"); bound as UTC DATETIME(6) text
};

struct FieldSpec {
  std::string name;    // API path as clients write it, e.g. "region.province"
  FieldType type = FieldType::kString;
  // SQL expression for comparisons and ordering, e.g. "c.province". Empty when the field
  // is only usable with ':' through has_sql.
  std::string column;
  // For repeated fields kept in a child table: an SQL predicate with exactly one '?',
  // used for "field:value" (membership), e.g.
  // "EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id AND t.tag = ?)".
  std::string has_sql;
  bool orderable = false;
  std::map<std::string, int64_t> enum_values;  // kEnum: API name -> stored integer
};

// The enum_values of a kEnum field, from the proto enum itself: every value name to its
// number, without the zero ("..._UNSPECIFIED") value unless `with_zero`.
std::map<std::string, int64_t> EnumValues(const google::protobuf::EnumDescriptor& descriptor,
                                          bool with_zero = false);

// The whitelist for one resource. `id_column` (e.g. "c.id", an integer) breaks ties in
// ordering so keyset paging is total and stable.
class ResourceFields final {
 public:
  ResourceFields(std::vector<FieldSpec> fields, std::string id_column);
  const FieldSpec* Find(std::string_view name) const;  // nullptr when not whitelisted
  const std::string& id_column() const { return id_column_; }

 private:
  std::vector<FieldSpec> fields_;
  std::string id_column_;
};

// A piece of SQL with '?' placeholders and the values to bind, in order.
struct SqlFragment {
  std::string sql;
  std::vector<db::Value> params;
};

// Compiles a filter. An empty filter yields {"TRUE", {}}. Errors are INVALID_ARGUMENT
// with reason INVALID_FILTER and a field violation on "filter" saying what is wrong and
// where (e.g. unknown field, bad literal, unbalanced parenthesis). Inputs longer than
// 2000 characters or nested deeper than 32 levels are rejected.
absl::StatusOr<SqlFragment> CompileFilter(std::string_view filter, const ResourceFields& fields);

struct OrderTerm {
  std::string field;   // API name, e.g. "create_time"; "" for the id tie-breaker
  std::string column;  // SQL expression
  bool descending = false;
};

// Parses "a, b desc" (AIP-132). Always appends the id tie-breaker (ascending unless the
// first term is descending, in which case it follows that direction). `default_order`
// is used when `order_by` is empty. Unknown or non-orderable fields are INVALID_ARGUMENT
// with reason INVALID_ORDER_BY on field "order_by".
absl::StatusOr<std::vector<OrderTerm>> ParseOrderBy(std::string_view order_by,
                                                    std::string_view default_order,
                                                    const ResourceFields& fields);

// "c.create_time DESC, c.id DESC"
std::string OrderByClause(const std::vector<OrderTerm>& order);

// The keyset condition selecting rows strictly after `last` (one value per order term,
// in order), e.g. "(c.create_time < ? OR (c.create_time = ? AND c.id < ?))".
SqlFragment KeysetAfter(const std::vector<OrderTerm>& order, const std::vector<db::Value>& last);

// The tail of a keyset-paged SELECT whose WHERE clause is already written: " AND <keyset>"
// when `after` is given, then " ORDER BY ..." and " LIMIT ?" bound to page_size + 1 (the
// extra row tells whether another page follows).
void AppendPageClauses(std::string& query, std::vector<db::Value>& params,
                       const std::vector<OrderTerm>& order, const std::vector<db::Value>* after,
                       int page_size);

// Cuts the rows of such a query to the page: true when another page follows, and then
// `last_key` holds the last kept row's order values (the columns that follow
// `first_order_column`, one per order term).
template <typename Rows>
bool TakePage(Rows& rows, int page_size, const std::vector<OrderTerm>& order,
              size_t first_order_column, std::vector<db::Value>* last_key) {
  if (rows.size() <= static_cast<size_t>(page_size)) return false;
  rows.erase(rows.begin() + page_size, rows.end());
  for (size_t i = 0; i < order.size(); ++i) {
    last_key->push_back(rows.back().at(first_order_column + i));
  }
  return true;
}

// Opaque, tamper-evident page tokens. A token carries the keyset position and is bound
// (by HMAC-SHA256 with the service's secret) to the exact filter and order_by strings and
// to a caller scope (e.g. the user id), so it cannot be edited or reused with another
// query. Anything else is INVALID_ARGUMENT with reason INVALID_PAGE_TOKEN on field
// "page_token".
class PageTokenCodec final {
 public:
  explicit PageTokenCodec(std::string secret);
  std::string Encode(std::string_view binding, const std::vector<db::Value>& last) const;
  absl::StatusOr<std::vector<db::Value>> Decode(std::string_view token,
                                                std::string_view binding) const;

 private:
  std::string secret_;
};

// A List request's page_token decoded: none for the first page, else the keyset position,
// which must have `terms` values (one per order term; a token made for another ordering
// is INVALID_PAGE_TOKEN like a tampered one).
absl::StatusOr<std::optional<std::vector<db::Value>>> DecodePageToken(
    const PageTokenCodec& codec, std::string_view token, std::string_view binding,
    size_t terms);

// Binding for PageTokenCodec from the request parts that must not change between pages.
std::string PageBinding(std::string_view filter, std::string_view order_by,
                        std::string_view scope);

// AIP page_size rules: 0 -> default_size, above max_size -> max_size, negative -> error
// (INVALID_ARGUMENT on "page_size").
absl::StatusOr<int> EffectivePageSize(int requested, int default_size, int max_size);

}  // namespace crm::api
