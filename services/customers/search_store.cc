#include "services/customers/search_store.h"

#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"
#include "libs/search/search.h"
#include "services/customers/customer_rows.h"
#include "services/customers/store_sql.h"

namespace crm::customers {

const std::vector<api::OrderTerm>& CustomerSearchStore::Order() {
  static const auto* order = new std::vector<api::OrderTerm>{
      {.field = "score", .column = "m.score", .descending = true},
      {.field = "update_time", .column = "c.update_time", .descending = true},
      {.field = "", .column = "c.id", .descending = true}};
  return *order;
}

absl::StatusOr<api::Page<v1::CustomerSearchResult>> CustomerSearchStore::Search(
    const records::Access& access, const Query& query) {
  CRM_ASSIGN_OR_RETURN(search::SearchMatch match,
                       search::Match(query.text, CustomerIndex(),
                                     {.field = "query", .phone_region = query.phone_region}));
  const api::SqlFragment rule = access.Rows(auth::Operation::kRead, "c.owner");
  // The rule first and on its own: no filter, however written, can widen it.
  std::string text = absl::StrCat(
      sql::kSelectColumns, ", m.score, c.update_time, c.id FROM (SELECT doc_id, CAST(score AS "
      "SIGNED) AS score FROM (", match.sql.sql, ") s) m JOIN customers c ON c.id = m.doc_id "
      "WHERE c.delete_time IS NULL AND (", rule.sql, ") AND (", query.filter.sql, ")");
  std::vector<db::Value> params = match.sql.params;
  params.insert(params.end(), rule.params.begin(), rule.params.end());
  params.insert(params.end(), query.filter.params.begin(), query.filter.params.end());
  api::AppendPageClauses(text, params, Order(), query.after ? &*query.after : nullptr,
                         query.page_size);
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(text, params));
  api::Page<v1::CustomerSearchResult> page;
  page.has_more = api::TakePage(rows, query.page_size, Order(), sql::kColumnCount, &page.last_key);
  for (const db::Row& row : rows) {
    v1::CustomerSearchResult result;
    *result.mutable_customer() = CustomerFromRow(row);
    result.set_score(row.Int(sql::kColumnCount));
    page.items.push_back(std::move(result));
  }
  return page;
}

}  // namespace crm::customers
