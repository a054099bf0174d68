#include "libs/records/page.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace crm::records {

api::SqlFragment PageStatement(std::string_view select_columns, std::string_view from_where,
                               const api::SqlFragment& condition, const api::ListQuery& query) {
  std::string text(select_columns);
  for (const api::OrderTerm& term : query.order) absl::StrAppend(&text, ", ", term.column);
  text.append(from_where);
  std::vector<db::Value> params;
  if (!condition.sql.empty()) {
    absl::StrAppend(&text, " AND (", condition.sql, ")");
    params = condition.params;
  }
  absl::StrAppend(&text, " AND (", query.filter.sql.empty() ? "TRUE" : query.filter.sql, ")");
  params.insert(params.end(), query.filter.params.begin(), query.filter.params.end());
  api::AppendPageClauses(text, params, query.order, query.after_ptr(), query.page_size);
  return {std::move(text), std::move(params)};
}

absl::StatusOr<db::Rows> QueryPage(db::Session& session, std::string_view select_columns,
                                   std::string_view from_where, const api::SqlFragment& condition,
                                   const api::ListQuery& query) {
  const api::SqlFragment statement = PageStatement(select_columns, from_where, condition, query);
  return session.Query(statement.sql, statement.params);
}

}  // namespace crm::records
