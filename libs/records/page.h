// One page of any List query, for tables with or without owners: the SELECT that
// api::PrepareList's ListQuery describes, run and cut to the page.
//
//   CRM_ASSIGN_OR_RETURN(api::Page<v1::Category> page,
//                        records::ListPage<v1::Category>(*session, sql::kSelectCategoryColumns,
//                                                        sql::kCategoryColumnCount,
//                                                        sql::kFromCategories, {}, query,
//                                                        FromCategoryRow));
#pragma once

#include <cstddef>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/api/list.h"
#include "libs/db/db.h"

namespace crm::records {

// The statement of one page: `select_columns` ("SELECT <columns>"), the order keys,
// `from_where` (" FROM t x WHERE <condition>"), " AND (<condition>)" when `condition` is not
// empty, " AND (<the query's filter>)", the keyset position, ORDER BY and LIMIT page_size + 1.
// (tools/loadgen runs it raw as the ceiling of a List.)
api::SqlFragment PageStatement(std::string_view select_columns, std::string_view from_where,
                               const api::SqlFragment& condition, const api::ListQuery& query);

// Runs PageStatement.
absl::StatusOr<db::Rows> QueryPage(db::Session& session, std::string_view select_columns,
                                   std::string_view from_where, const api::SqlFragment& condition,
                                   const api::ListQuery& query);

// QueryPage cut to the page (`column_count` columns before the order keys) and mapped by
// `map` (db::Row → T).
template <typename T, typename Map>
absl::StatusOr<api::Page<T>> ListPage(db::Session& session, std::string_view select_columns,
                                      size_t column_count, std::string_view from_where,
                                      const api::SqlFragment& condition,
                                      const api::ListQuery& query, Map&& map) {
  absl::StatusOr<db::Rows> rows = QueryPage(session, select_columns, from_where, condition, query);
  if (!rows.ok()) return rows.status();
  api::Page<T> page;
  page.has_more = api::TakePage(*rows, query.page_size, query.order, column_count, &page.last_key);
  page.items.reserve(rows->size());
  for (const db::Row& row : *rows) page.items.push_back(map(row));
  return page;
}

}  // namespace crm::records
