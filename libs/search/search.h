// Ranked full-text search for Chinese and English text, kept in an ordinary InnoDB table of
// the service's own schema and written in the same transaction as the record, so a search is
// never stale and nothing needs rebuilding after a crash. libs/search/README.md has the rules,
// the DDL and the measurements behind the choice (tools/searchbench/RESULTS.md).
//
// In a store:
//
//   const search::IndexTable product_search_("product_search");
//
//   // Create and update: in the record's transaction.
//   const search::SearchField fields[] = {{p.name(), 10}, {p.description(), 1}};
//   CRM_RETURN_IF_ERROR(search::Index(tx, product_search_, id, fields));
//   // Delete (soft or hard): in the same transaction.
//   CRM_RETURN_IF_ERROR(search::Remove(tx, product_search_, id));
//
//   // Search: the match is a derived table (doc_id, score) the store joins to its own
//   // table, with its live and visibility conditions ANDed in as for any read.
//   CRM_ASSIGN_OR_RETURN(search::SearchMatch match, search::Match(request.query(),
//   product_search_)); std::string sql = absl::StrCat(
//       "SELECT p.id, p.name, m.score FROM (", match.sql.sql, ") m ",
//       "JOIN products p ON p.id = m.doc_id WHERE p.delete_time IS NULL AND (", rule.sql, ") ",
//       "ORDER BY m.score DESC, p.update_time DESC, p.id DESC LIMIT ?");
//   params = match.sql.params + rule.params + {page_size + 1}
//
// Thread-safety: IndexTable is immutable; the functions are safe from any thread (each
// session belongs to one thread at a time, as libs/db says).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/api/query.h"
#include "libs/db/db.h"
#include "libs/search/tokenizer.h"

namespace crm::search {

// One searchable resource's index table (e.g. "product_search", "customer_search") in the
// service's schema. The service's migration creates it with CreateTableSql()'s statement
// (copied into the migration file, since applied migrations never change).
class IndexTable final {
 public:
  // `name`: lower-case letters, digits and '_', starting with a letter. Anything else is a
  // programming error (names are constants in the store, never input): the process aborts.
  explicit IndexTable(std::string name);

  const std::string& name() const { return name_; }

  // "CREATE TABLE <name> (term VARBINARY(128), doc_id BIGINT, weight INT, PRIMARY KEY
  // (term, doc_id), KEY (doc_id, term)) ENGINE=InnoDB", spelled out in README.md.
  std::string CreateTableSql() const;

  // Statement texts, fixed per table so each is prepared once per connection.
  const std::string& delete_doc_sql() const { return delete_doc_; }
  // Inserts the rows of one JSON parameter [["term", doc_id, weight], ...] (JSON_TABLE).
  const std::string& insert_sql() const { return insert_; }
  // Deletes the rows of the documents in one JSON array parameter [id, ...].
  const std::string& delete_docs_sql() const { return delete_docs_; }

 private:
  std::string name_;
  std::string delete_doc_;
  std::string delete_docs_;
  std::string insert_;
};

// Index rows per INSERT statement, at most.
inline constexpr size_t kInsertChunk = 1000;

// (Re)indexes document `doc_id` under `fields`: replaces whatever it was indexed under.
// Call it in the transaction that writes the record, so both commit or neither does.
absl::Status Index(db::Session& tx, const IndexTable& table, int64_t doc_id,
                   std::span<const SearchField> fields);

// Removes document `doc_id` from the index (no error when it is not there). In the
// transaction that deletes the record.
absl::Status Remove(db::Session& tx, const IndexTable& table, int64_t doc_id);

struct SearchMatch {
  // "SELECT doc_id, score FROM ... GROUP BY ..." with its parameters: one row per document
  // that contains every query term, score = the sum over the query's terms of the weight
  // the best-matching indexed term has in that document (tokenizer.h: a term's weight is
  // the sum of the weights of the fields it occurs in). Use it as a derived table; order by
  // score descending, then the store's own recency column, then id.
  api::SqlFragment sql;
  std::vector<QueryTerm> terms;  // what the query became (for logs and highlighting)
};

// The match for `query` (ParseQuery's rules and limits: INVALID_ARGUMENT on options.field
// for an empty, over-long or over-complex query).
absl::StatusOr<SearchMatch> Match(std::string_view query, const IndexTable& table,
                                  const QueryOptions& options = {});

// A record as the rebuild sees it: its id and the text of each searchable field.
struct SourceField {
  std::string text;
  int weight = 1;
};
struct SourceDocument {
  int64_t doc_id = 0;
  std::vector<SourceField> fields;
};

// Index() for many documents at once, in a few statements whatever their number (bulk
// imports, Rebuild): replaces what each was indexed under. `fresh` says none of them was
// indexed before (just inserted in this transaction), which skips the delete.
absl::Status IndexDocuments(db::Session& tx, const IndexTable& table,
                            std::span<const SourceDocument> documents, bool fresh = false);

// Remove() for many documents, in one statement per kInsertChunk ids.
absl::Status RemoveDocuments(db::Session& tx, const IndexTable& table,
                             std::span<const int64_t> doc_ids);

// Loads up to `limit` live records with ids above `after_id`, in ascending id order, inside
// the rebuild's transaction `tx`, locking them (SELECT ... FOR UPDATE) so that a concurrent
// update waits rather than being overwritten with older text.
using LoadDocuments = std::function<absl::StatusOr<std::vector<SourceDocument>>(
    db::Transaction& tx, int64_t after_id, int limit)>;

// Re-indexes every record `load` returns, `batch_size` records per transaction (each batch
// retried on deadlock like any InTransaction body), and returns how many were indexed.
// For what a transactional index still needs rebuilding for: a new kTokenizerVersion, a
// field added to what is searched, or back-filling a new index over existing records.
// Rows of documents `load` no longer returns are left alone: the store's join on its live
// records never shows them, and Remove() at delete time keeps them from existing at all.
absl::StatusOr<int64_t> Rebuild(db::Pool& pool, const IndexTable& table, const LoadDocuments& load,
                                int batch_size = 200);

}  // namespace crm::search
