#include "libs/search/search.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/db/json.h"
#include "libs/grpc/status.h"

namespace crm::search {
namespace {

bool ValidTableName(std::string_view name) {
  if (name.empty() || name.size() > 64 || !absl::ascii_islower(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_';
  });
}

// LIKE pattern for "starts with `prefix`".
std::string PrefixPattern(std::string_view prefix) {
  std::string pattern;
  pattern.reserve(prefix.size() + 1);
  for (char c : prefix) {
    if (c == '\\' || c == '%' || c == '_') pattern.push_back('\\');
    pattern.push_back(c);
  }
  pattern.push_back('%');
  return pattern;
}

// One index row to write.
struct IndexRow {
  std::string_view term;
  int64_t doc_id;
  int weight;
};

// Rows go in as one JSON array parameter per kInsertChunk rows: one round trip and one
// prepared statement whatever the number of rows.
absl::Status InsertRows(db::Session& tx, const IndexTable& table, std::span<const IndexRow> rows) {
  for (size_t start = 0; start < rows.size(); start += kInsertChunk) {
    std::string json = "[";
    for (size_t i = start; i < std::min(rows.size(), start + kInsertChunk); ++i) {
      if (i > start) json.push_back(',');
      json.push_back('[');
      db::AppendJsonString(json, rows[i].term);
      absl::StrAppend(&json, ",", rows[i].doc_id, ",", rows[i].weight, "]");
    }
    json.push_back(']');
    CRM_RETURN_IF_ERROR(tx.Execute(table.insert_sql(), {std::move(json)}).status());
  }
  return absl::OkStatus();
}

void AppendRows(int64_t doc_id, const std::vector<IndexTerm>& terms, std::vector<IndexRow>& rows) {
  for (const IndexTerm& term : terms) rows.push_back({term.term, doc_id, term.weight});
}

}  // namespace

IndexTable::IndexTable(std::string name) : name_(std::move(name)) {
  if (!ValidTableName(name_)) {
    std::cerr << "search::IndexTable: invalid table name \"" << name_ << "\"" << std::endl;
    std::abort();
  }
  delete_doc_ = absl::StrCat("DELETE FROM ", name_, " WHERE doc_id = ?");
  // The id list joined first, rather than "doc_id IN (SELECT ... JSON_TABLE)", which MariaDB
  // 10.11 runs as a scan of the whole index with the subquery per row. STRAIGHT_JOIN: with
  // statistics from when the index was nearly empty, the optimizer would scan it per id.
  delete_docs_ = absl::StrCat(
      "DELETE t FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) j STRAIGHT_JOIN ", name_,
      " t ON t.doc_id = j.id");
  insert_ = absl::StrCat(
      "INSERT INTO ", name_,
      " (term, doc_id, weight) SELECT j.term, j.doc_id, j.weight FROM JSON_TABLE(?, '$[*]' "
      "COLUMNS (term VARCHAR(128) CHARACTER SET utf8mb4 PATH '$[0]', doc_id BIGINT PATH '$[1]', "
      "weight INT PATH '$[2]')) j");
}

std::string IndexTable::CreateTableSql() const {
  return absl::StrCat("CREATE TABLE ", name_,
                      " (\n"
                      "  term VARBINARY(128) NOT NULL,\n"
                      "  doc_id BIGINT NOT NULL,\n"
                      "  weight INT NOT NULL,\n"
                      "  PRIMARY KEY (term, doc_id),\n"
                      "  KEY by_doc (doc_id, term)\n"
                      ") ENGINE=InnoDB");
}

absl::Status Index(db::Session& tx, const IndexTable& table, int64_t doc_id,
                   std::span<const SearchField> fields) {
  CRM_RETURN_IF_ERROR(Remove(tx, table, doc_id));
  std::vector<IndexTerm> terms = DocumentTerms(fields);
  std::vector<IndexRow> rows;
  rows.reserve(terms.size());
  AppendRows(doc_id, terms, rows);
  return InsertRows(tx, table, rows);
}

absl::Status Remove(db::Session& tx, const IndexTable& table, int64_t doc_id) {
  return tx.Execute(table.delete_doc_sql(), {doc_id}).status();
}

absl::Status IndexDocuments(db::Session& tx, const IndexTable& table,
                            std::span<const SourceDocument> documents, bool fresh) {
  if (!fresh) {
    std::vector<int64_t> ids;
    ids.reserve(documents.size());
    for (const SourceDocument& document : documents) ids.push_back(document.doc_id);
    CRM_RETURN_IF_ERROR(RemoveDocuments(tx, table, ids));
  }
  // The rows point into `terms`, which must outlive them.
  std::vector<std::vector<IndexTerm>> terms;
  std::vector<IndexRow> rows;
  terms.reserve(documents.size());
  for (const SourceDocument& document : documents) {
    std::vector<SearchField> fields;
    fields.reserve(document.fields.size());
    for (const SourceField& field : document.fields) fields.push_back({field.text, field.weight});
    terms.push_back(DocumentTerms(fields));
    AppendRows(document.doc_id, terms.back(), rows);
  }
  return InsertRows(tx, table, rows);
}

absl::Status RemoveDocuments(db::Session& tx, const IndexTable& table,
                             std::span<const int64_t> doc_ids) {
  for (size_t start = 0; start < doc_ids.size(); start += kInsertChunk) {
    const size_t end = std::min(doc_ids.size(), start + kInsertChunk);
    std::string json = absl::StrCat("[", absl::StrJoin(doc_ids.subspan(start, end - start), ","),
                                    "]");
    CRM_RETURN_IF_ERROR(tx.Execute(table.delete_docs_sql(), {std::move(json)}).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<SearchMatch> Match(std::string_view query, const IndexTable& table,
                                  const QueryOptions& options) {
  SearchMatch match;
  CRM_ASSIGN_OR_RETURN(match.terms, ParseQuery(query, options));
  // Exact terms first: the statement text then depends only on how many of each kind there
  // are, which keeps the number of prepared statements per connection small.
  std::vector<QueryTerm> ordered = match.terms;
  std::stable_sort(ordered.begin(), ordered.end(), [](const QueryTerm& a, const QueryTerm& b) {
    return a.match == TermMatch::kExact && b.match == TermMatch::kPrefix;
  });
  auto condition = [&](size_t i) {
    const bool exact = ordered[i].match == TermMatch::kExact;
    match.sql.params.emplace_back(exact ? ordered[i].term : PrefixPattern(ordered[i].term));
    return absl::StrCat("s", i, ".term ", exact ? "= ?" : "LIKE ?");
  };
  // Every further term is a join on the same document: InnoDB starts from the term with the
  // fewest rows and probes the others by (term, doc_id) or (doc_id, term), so a rare term
  // keeps the whole AND cheap however common the others are. MAX per alias: a prefix may
  // match several terms of one document, and each query term counts once.
  std::vector<std::string> scores;
  for (size_t i = 0; i < ordered.size(); ++i)
    scores.push_back(absl::StrCat("MAX(s", i, ".weight)"));
  std::string& sql = match.sql.sql;
  sql = absl::StrCat("SELECT s0.doc_id AS doc_id, ", absl::StrJoin(scores, " + "),
                     " AS score FROM ", table.name(), " s0");
  for (size_t i = 1; i < ordered.size(); ++i) {
    absl::StrAppend(&sql, " JOIN ", table.name(), " s", i, " ON s", i, ".doc_id = s0.doc_id AND ",
                    condition(i));
  }
  absl::StrAppend(&sql, " WHERE ", condition(0), " GROUP BY s0.doc_id");
  return match;
}

absl::StatusOr<int64_t> Rebuild(db::Pool& pool, const IndexTable& table, const LoadDocuments& load,
                                int batch_size) {
  if (batch_size <= 0) return absl::InvalidArgumentError("batch_size must be positive");
  int64_t after = std::numeric_limits<int64_t>::min();
  int64_t indexed = 0;
  while (true) {
    std::vector<SourceDocument> documents;
    CRM_RETURN_IF_ERROR(pool.InTransaction([&](db::Transaction& tx) -> absl::Status {
      CRM_ASSIGN_OR_RETURN(documents, load(tx, after, batch_size));
      int64_t previous = after;
      for (const SourceDocument& document : documents) {
        // A loader out of order would make the walk skip records or never end.
        if (document.doc_id <= previous) {
          return absl::InternalError("search::Rebuild: documents not in ascending id order");
        }
        previous = document.doc_id;
      }
      return IndexDocuments(tx, table, documents);
    }));
    indexed += static_cast<int64_t>(documents.size());
    if (documents.size() < static_cast<size_t>(batch_size)) return indexed;
    after = documents.back().doc_id;
  }
}

}  // namespace crm::search
