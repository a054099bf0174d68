// crm-searchbench: the suite's own n-gram index (libs/search, InnoDB) against MariaDB's
// Mroonga engine, on the same generated documents in the same server, in one run: query
// latency, write cost, index size and correctness on the examples. It talks to a
// MariaDB over a unix socket only (tools/searchbench/run starts a throw-away one with
// Mroonga loaded and no TCP listener) and is bounded in documents, runs and seconds.
// See tools/searchbench/README.md.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/config/config.h"
#include "libs/db/db.h"
#include "libs/grpc/status.h"
#include "libs/search/search.h"
#include "tools/searchbench/corpus.h"

namespace crm::searchbench {
namespace {

constexpr int kTitleWeight = 10;
constexpr int kBodyWeight = 1;
constexpr char kSchema[] = "searchbench";
constexpr int kSourceBatch = 1000;    // source rows per transaction while loading
constexpr int kMroongaChunk = 10000;  // rows per INSERT ... SELECT into a Mroonga table
constexpr int kTopN = 20;             // a page of results
constexpr int kWarmupRuns = 3;
// Ids of the documents the write test adds (and removes again), far above any corpus.
constexpr int64_t kWriteIdBase = 1'000'000'000;

void Progress(const std::string& line) { std::cerr << "crm-searchbench: " << line << std::endl; }

const search::IndexTable& OwnIndex() {
  static const search::IndexTable* table = new search::IndexTable("doc_search");
  return *table;
}

struct Engine {
  std::string label;  // column heading
  bool own = false;   // else Mroonga in `schema`.docs_ft
  std::string schema;
  std::string tokenizer;
  std::string table() const { return absl::StrCat(schema, ".docs_ft"); }
};

struct QueryCase {
  std::string label;
  std::string query;          // as a user types it (the own index gets this)
  std::string mroonga_query;  // what a Mroonga-based library would send (see README)
};

// Percentiles by rank over the sorted sample.
struct Latency {
  double p50_ms = 0;
  double p99_ms = 0;
  int runs = 0;
};

Latency Summarize(std::vector<double> ms) {
  Latency out;
  out.runs = static_cast<int>(ms.size());
  if (ms.empty()) return out;
  std::sort(ms.begin(), ms.end());
  out.p50_ms = ms[ms.size() / 2];
  size_t p99 = static_cast<size_t>(std::ceil(0.99 * static_cast<double>(ms.size()))) - 1;
  out.p99_ms = ms[std::min(p99, ms.size() - 1)];
  return out;
}

std::string Ms(double ms) {
  return ms >= 10 ? absl::StrFormat("%.1f", ms) : absl::StrFormat("%.2f", ms);
}

std::string MroongaAgainst(const std::string& query) {
  // *D+: every word must match (the own index's AND); *W1:10,2:1: title counts 10, body 1.
  return absl::StrCat("*D+W1:10,2:1 ", query);
}

// The statement a store would run for one page of results: the match joined back to the
// source table (where a real store ANDs in its visibility rule), best first. Without
// `join`, the index alone: what a search that needs no visibility rule would cost.
absl::StatusOr<api::SqlFragment> PageQuery(const Engine& engine, const QueryCase& q, bool join) {
  const std::string tail = absl::StrCat(" ORDER BY m.score DESC, m.id DESC LIMIT ", kTopN);
  api::SqlFragment inner;
  if (engine.own) {
    CRM_ASSIGN_OR_RETURN(search::SearchMatch match, search::Match(q.query, OwnIndex()));
    inner = std::move(match.sql);
    inner.sql = absl::StrCat("SELECT doc_id AS id, score FROM (", inner.sql, ") x");
  } else {
    const std::string against = MroongaAgainst(q.mroonga_query);
    inner = {absl::StrCat("SELECT id, MATCH(title, body) AGAINST(? IN BOOLEAN MODE) AS score FROM ",
                          engine.table(), " WHERE MATCH(title, body) AGAINST(? IN BOOLEAN MODE)"),
             {against, against}};
  }
  if (!join && !engine.own) {
    // Mroonga's own top-N path: ORDER BY its score with LIMIT on the table itself.
    inner.sql = absl::StrCat(inner.sql, " ORDER BY score DESC, id DESC LIMIT ", kTopN);
    return inner;
  }
  inner.sql = join ? absl::StrCat("SELECT d.id, m.score FROM (", inner.sql,
                                  ") m JOIN docs d ON d.id = m.id", tail)
                   : absl::StrCat("SELECT m.id, m.score FROM (", inner.sql, ") m", tail);
  return inner;
}

// How many documents match; with `doc_id`, whether that one does (0 or 1).
absl::StatusOr<int64_t> CountMatches(db::Session& session, const Engine& engine,
                                     const std::string& query, int64_t doc_id = 0) {
  api::SqlFragment sql;
  if (engine.own) {
    CRM_ASSIGN_OR_RETURN(search::SearchMatch match, search::Match(query, OwnIndex()));
    sql = match.sql;
    sql.sql = absl::StrCat("SELECT COUNT(*) FROM (", sql.sql, ") m");
    if (doc_id != 0) {
      absl::StrAppend(&sql.sql, " WHERE m.doc_id = ?");
      sql.params.emplace_back(doc_id);
    }
  } else {
    sql = {absl::StrCat("SELECT COUNT(*) FROM ", engine.table(),
                        " WHERE MATCH(title, body) AGAINST(? IN BOOLEAN MODE)"),
           {MroongaAgainst(query)}};
    if (doc_id != 0) {
      absl::StrAppend(&sql.sql, " AND id = ?");
      sql.params.emplace_back(doc_id);
    }
  }
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(sql.sql, sql.params));
  return rows.at(0).Int(0);
}

absl::StatusOr<Latency> MeasureQuery(db::Session& session, const api::SqlFragment& sql,
                                     int max_runs, absl::Duration limit) {
  for (int i = 0; i < kWarmupRuns; ++i)
    CRM_RETURN_IF_ERROR(session.Query(sql.sql, sql.params).status());
  std::vector<double> ms;
  const absl::Time deadline = absl::Now() + limit;
  while (static_cast<int>(ms.size()) < max_runs && absl::Now() < deadline) {
    const absl::Time start = absl::Now();
    CRM_RETURN_IF_ERROR(session.Query(sql.sql, sql.params).status());
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  return Summarize(std::move(ms));
}

// --- set-up and loading ----------------------------------------------------------------

absl::Status CreateTables(db::Session& session, const std::vector<Engine>& engines) {
  CRM_RETURN_IF_ERROR(session.Execute("DROP TABLE IF EXISTS docs, doc_search", {}).status());
  CRM_RETURN_IF_ERROR(session
                          .Execute("CREATE TABLE docs (id BIGINT PRIMARY KEY, title TEXT NOT NULL, "
                                   "body TEXT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
                                   {})
                          .status());
  CRM_RETURN_IF_ERROR(session.Execute(OwnIndex().CreateTableSql(), {}).status());
  for (const Engine& engine : engines) {
    if (engine.own) continue;
    CRM_RETURN_IF_ERROR(
        session.Execute(absl::StrCat("DROP DATABASE IF EXISTS ", engine.schema), {}).status());
    CRM_RETURN_IF_ERROR(
        session
            .Execute(absl::StrCat("CREATE DATABASE ", engine.schema, " CHARACTER SET utf8mb4"), {})
            .status());
    CRM_RETURN_IF_ERROR(
        session
            .Execute(absl::StrCat("CREATE TABLE ", engine.table(),
                                  " (id BIGINT PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT "
                                  "NULL, FULLTEXT INDEX ft (title, body) COMMENT 'tokenizer \"",
                                  engine.tokenizer,
                                  "\", normalizer \"NormalizerAuto\"') ENGINE=Mroonga DEFAULT "
                                  "CHARSET=utf8mb4"),
                     {})
            .status());
  }
  return absl::OkStatus();
}

absl::Status InsertSource(db::Session& session, const Document& doc) {
  return session
      .Execute("INSERT INTO docs (id, title, body) VALUES (?, ?, ?)", {doc.id, doc.title, doc.body})
      .status();
}

// Source rows (from, to].
absl::Status LoadSource(db::Pool& pool, int64_t from, int64_t to) {
  for (int64_t start = from; start < to; start += kSourceBatch) {
    const int64_t end = std::min<int64_t>(to, start + kSourceBatch);
    CRM_RETURN_IF_ERROR(pool.InTransaction([&](db::Transaction& tx) -> absl::Status {
      for (int64_t id = start + 1; id <= end; ++id)
        CRM_RETURN_IF_ERROR(InsertSource(tx, MakeDocument(id)));
      return absl::OkStatus();
    }));
  }
  return absl::OkStatus();
}

// The own index of source rows (from, to], through search::Rebuild as a back-fill would.
absl::Status LoadOwn(db::Pool& pool, int64_t from, int64_t to) {
  search::LoadDocuments load =
      [&](db::Transaction& tx, int64_t after_id,
          int limit) -> absl::StatusOr<std::vector<search::SourceDocument>> {
    CRM_ASSIGN_OR_RETURN(db::Rows rows,
                         tx.Query("SELECT id, title, body FROM docs WHERE id > GREATEST(?, ?) AND "
                                  "id <= ? ORDER BY id LIMIT ? FOR UPDATE",
                                  {after_id, from, to, int64_t{limit}}));
    std::vector<search::SourceDocument> documents;
    documents.reserve(rows.size());
    for (const db::Row& row : rows) {
      documents.push_back({row.Int(0), {{row.Str(1), kTitleWeight}, {row.Str(2), kBodyWeight}}});
    }
    return documents;
  };
  return search::Rebuild(pool, OwnIndex(), load, 500).status();
}

absl::Status LoadMroonga(db::Session& session, const Engine& engine, int64_t from, int64_t to) {
  for (int64_t start = from; start < to; start += kMroongaChunk) {
    CRM_RETURN_IF_ERROR(
        session
            .Execute(
                absl::StrCat("INSERT INTO ", engine.table(),
                             " (id, title, body) SELECT id, title, body FROM docs WHERE id > ? "
                             "AND id <= ?"),
                {start, std::min<int64_t>(to, start + kMroongaChunk)})
            .status());
  }
  return absl::OkStatus();
}

// --- sizes -----------------------------------------------------------------------------

// Bytes allocated on disk (not the apparent size: Mroonga's files are sparse).
int64_t DiskBytes(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return 0;
  return static_cast<int64_t>(info.st_blocks) * 512;
}

int64_t MroongaDiskBytes(const std::string& datadir, const std::string& schema) {
  int64_t total = 0;
  const std::string prefix = absl::StrCat(schema, ".mrn");
  if (DIR* dir = opendir(datadir.c_str())) {
    while (struct dirent* entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name.rfind(prefix, 0) == 0) total += DiskBytes(absl::StrCat(datadir, "/", name));
    }
    closedir(dir);
  }
  return total;
}

std::string MiB(int64_t bytes) {
  return absl::StrFormat("%.1f", static_cast<double>(bytes) / (1 << 20));
}

// --- writes ----------------------------------------------------------------------------

// One new document per transaction, as a create would: the record alone (baseline), the
// record and its own-index rows together, or the record and then (after commit) its
// Mroonga row. Removes what it added.
absl::StatusOr<Latency> MeasureWrites(db::Pool& pool, const Engine* engine, int64_t first_id,
                                      int count) {
  CRM_ASSIGN_OR_RETURN(std::unique_ptr<db::Session> session, pool.Borrow());
  std::vector<double> ms;
  for (int i = 0; i < count; ++i) {
    const Document doc = MakeDocument(first_id + i);
    const absl::Time start = absl::Now();
    CRM_RETURN_IF_ERROR(pool.InTransaction([&](db::Transaction& tx) -> absl::Status {
      CRM_RETURN_IF_ERROR(InsertSource(tx, doc));
      if (engine == nullptr || !engine->own) return absl::OkStatus();
      const search::SearchField fields[] = {{doc.title, kTitleWeight}, {doc.body, kBodyWeight}};
      return search::Index(tx, OwnIndex(), doc.id, fields);
    }));
    if (engine != nullptr && !engine->own) {
      CRM_RETURN_IF_ERROR(session
                              ->Execute(absl::StrCat("INSERT INTO ", engine->table(),
                                                     " (id, title, body) VALUES (?, ?, ?)"),
                                        {doc.id, doc.title, doc.body})
                              .status());
    }
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  CRM_RETURN_IF_ERROR(session->Execute("DELETE FROM docs WHERE id >= ?", {first_id}).status());
  if (engine != nullptr && engine->own) {
    CRM_RETURN_IF_ERROR(
        session->Execute("DELETE FROM doc_search WHERE doc_id >= ?", {first_id}).status());
  } else if (engine != nullptr) {
    CRM_RETURN_IF_ERROR(
        session
            ->Execute(absl::StrCat("DELETE FROM ", engine->table(), " WHERE id >= ?"), {first_id})
            .status());
  }
  return Summarize(std::move(ms));
}

// --- the run ---------------------------------------------------------------------------

struct Settings {
  std::vector<int64_t> sizes;
  int query_runs = 100;
  absl::Duration query_time = absl::Seconds(5);
  int writes = 200;
};

std::vector<QueryCase> LatencyQueries() {
  return {
      {"2-character Chinese", "杭州", "杭州"},
      {"4-character Chinese", "精工机械", "精工机械"},
      {"English word", "precision", "precision"},
      {"phone fragment", "88886666", "88886666"},
      {"no hit", "量子计算", "量子计算"},
      {"1-character Chinese", "杭", "杭"},
      {"Chinese + English (AND)", "杭州 precision", "杭州 precision"},
  };
}

struct Example {
  std::string query;
  std::string mroonga_query;
  int64_t doc_id;
};

std::vector<Example> Examples() {
  // A Mroonga-based library would have to do the phone rewrite itself (search::ParseQuery's
  // rule): Mroonga cannot know that 0571-8888 6666 is +86 571 8888 6666.
  return {{"杭州", "杭州", kHangzhouCompanyId},
          {"精工", "精工", kSuzhouJinggongId},
          {"88886666", "88886666", kHangzhouCompanyId},
          {"0571-8888 6666", "57188886666", kHangzhouCompanyId},
          {"0512 6666 8888", "51266668888", kSuzhouJinggongId},
          {"苏州精工机械", "苏州精工机械", kSuzhouJinggongId},
          {"precision bearings", "precision bearings", kHangzhouCompanyId},
          {"ＰＲＥＣＩＳＩＯＮ", "ＰＲＥＣＩＳＩＯＮ", kHangzhouCompanyId}};
}

absl::Status Run(db::Pool& pool, const std::vector<Engine>& engines, const Settings& settings) {
  CRM_ASSIGN_OR_RETURN(std::unique_ptr<db::Session> session, pool.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows facts, session->Query("SELECT @@version, @@datadir, "
                                                      "@@innodb_buffer_pool_size",
                                                      {}));
  const std::string datadir = facts[0].Str(1);
  std::string mroonga_version = "not loaded";
  if (auto rows = session->Query("SELECT @@mroonga_version", {}); rows.ok()) {
    mroonga_version = (*rows)[0].Str(0);
  }
  std::cout << "MariaDB " << facts[0].Str(0) << ", Mroonga " << mroonga_version
            << ", innodb_buffer_pool_size " << MiB(facts[0].Int(2)) << " MiB\n";

  CRM_RETURN_IF_ERROR(CreateTables(*session, engines));
  int64_t loaded = 0;
  for (int64_t size : settings.sizes) {
    std::cout << "\n## " << size << " documents\n\n";
    Progress(absl::StrCat("loading documents ", loaded + 1, "..", size));
    absl::Time start = absl::Now();
    CRM_RETURN_IF_ERROR(LoadSource(pool, loaded, size));
    const double source_s = absl::ToDoubleSeconds(absl::Now() - start);
    std::vector<std::string> load_cells;
    for (const Engine& engine : engines) {
      Progress(absl::StrCat("indexing with ", engine.label));
      start = absl::Now();
      CRM_RETURN_IF_ERROR(engine.own ? LoadOwn(pool, loaded, size)
                                     : LoadMroonga(*session, engine, loaded, size));
      const double s = absl::ToDoubleSeconds(absl::Now() - start);
      load_cells.push_back(absl::StrFormat("%.1f s (%.0f docs/s)", s, (size - loaded) / s));
    }
    std::cout << "Loading documents " << loaded + 1 << ".." << size << ": source table "
              << absl::StrFormat("%.1f s", source_s) << "\n\n";
    loaded = size;

    // Sizes.
    std::cout << "| | source (InnoDB docs) |";
    for (const Engine& e : engines) std::cout << " " << e.label << " |";
    std::cout << "\n|---|---:|";
    for (size_t i = 0; i < engines.size(); ++i) std::cout << "---:|";
    std::cout << "\n| bulk index time (the new documents) | |";
    for (const std::string& cell : load_cells) std::cout << " " << cell << " |";
    std::cout << "\n| on disk, MiB | "
              << MiB(DiskBytes(absl::StrCat(datadir, "/", kSchema, "/docs.ibd"))) << " |";
    for (const Engine& e : engines) {
      const int64_t bytes = e.own
                                ? DiskBytes(absl::StrCat(datadir, "/", kSchema, "/doc_search.ibd"))
                                : MroongaDiskBytes(datadir, e.schema);
      std::cout << " " << MiB(bytes) << " |";
    }
    CRM_ASSIGN_OR_RETURN(db::Rows index_rows,
                         session->Query("SELECT COUNT(*) FROM doc_search", {}));
    std::cout << "\n\nOwn index rows: " << index_rows[0].Int(0) << " ("
              << absl::StrFormat("%.1f", static_cast<double>(index_rows[0].Int(0)) / size)
              << " per document).\n\n";

    // Query latency.
    Progress("queries");
    std::cout << "Query latency, one page of " << kTopN
              << " joined to the source table: p50 / p99 ms (documents matched)\n\n| query |";
    for (const Engine& e : engines) std::cout << " " << e.label << " |";
    if (engines.size() > 1) std::cout << " own p50 ÷ " << engines[1].label << " p50 |";
    std::cout << "\n|---|";
    for (size_t i = 0; i < engines.size(); ++i) std::cout << "---:|";
    if (engines.size() > 1) std::cout << "---:|";
    std::cout << "\n";
    for (const QueryCase& q : LatencyQueries()) {
      std::cout << "| " << q.label << " `" << q.query << "`"
                << (q.mroonga_query != q.query ? absl::StrCat(" (Mroonga: `", q.mroonga_query, "`)")
                                               : "")
                << " |";
      std::vector<double> p50s;
      for (const Engine& engine : engines) {
        CRM_ASSIGN_OR_RETURN(api::SqlFragment sql, PageQuery(engine, q, /*join=*/true));
        CRM_ASSIGN_OR_RETURN(Latency latency,
                             MeasureQuery(*session, sql, settings.query_runs, settings.query_time));
        CRM_ASSIGN_OR_RETURN(
            int64_t hits, CountMatches(*session, engine, engine.own ? q.query : q.mroonga_query));
        p50s.push_back(latency.p50_ms);
        std::cout << " " << Ms(latency.p50_ms) << " / " << Ms(latency.p99_ms) << " (" << hits
                  << ") |";
      }
      if (p50s.size() > 1) {
        std::cout << " " << absl::StrFormat("%.2f", p50s[0] / std::max(p50s[1], 1e-3)) << " |";
      }
      std::cout << "\n";
    }

    std::cout << "\nThe index alone (no join, so no visibility rule): p50 / p99 ms\n\n| query |";
    for (const Engine& e : engines) std::cout << " " << e.label << " |";
    std::cout << "\n|---|";
    for (size_t i = 0; i < engines.size(); ++i) std::cout << "---:|";
    std::cout << "\n";
    for (const QueryCase& q : LatencyQueries()) {
      std::cout << "| " << q.label << " `" << q.query << "` |";
      for (const Engine& engine : engines) {
        CRM_ASSIGN_OR_RETURN(api::SqlFragment sql, PageQuery(engine, q, /*join=*/false));
        CRM_ASSIGN_OR_RETURN(Latency latency,
                             MeasureQuery(*session, sql, settings.query_runs, settings.query_time));
        std::cout << " " << Ms(latency.p50_ms) << " / " << Ms(latency.p99_ms) << " |";
      }
      std::cout << "\n";
    }

    // Correctness.
    Progress("examples");
    std::cout << "\nThe issue's examples: does the query find its document?\n\n| query |";
    for (const Engine& e : engines) std::cout << " " << e.label << " |";
    std::cout << "\n|---|";
    for (size_t i = 0; i < engines.size(); ++i) std::cout << "---|";
    std::cout << "\n";
    for (const Example& example : Examples()) {
      std::cout << "| `" << example.query << "`"
                << (example.mroonga_query != example.query
                        ? absl::StrCat(" (Mroonga: `", example.mroonga_query, "`)")
                        : "")
                << " → " << example.doc_id << " |";
      for (const Engine& engine : engines) {
        CRM_ASSIGN_OR_RETURN(
            int64_t found,
            CountMatches(*session, engine, engine.own ? example.query : example.mroonga_query,
                         example.doc_id));
        std::cout << (found == 1 ? " found |" : " **missed** |");
      }
      std::cout << "\n";
    }

    // Writes.
    Progress("writes");
    std::cout << "\nWrite cost: create one document (one transaction; Mroonga's row after the "
                 "commit), p50 / p99 ms over "
              << settings.writes << " documents\n\n| record only |";
    for (const Engine& e : engines) std::cout << " " << e.label << " |";
    std::cout << "\n|---:|";
    for (size_t i = 0; i < engines.size(); ++i) std::cout << "---:|";
    CRM_ASSIGN_OR_RETURN(Latency baseline,
                         MeasureWrites(pool, nullptr, kWriteIdBase, settings.writes));
    std::cout << "\n| " << Ms(baseline.p50_ms) << " / " << Ms(baseline.p99_ms) << " |";
    for (size_t i = 0; i < engines.size(); ++i) {
      CRM_ASSIGN_OR_RETURN(
          Latency latency,
          MeasureWrites(pool, &engines[i], kWriteIdBase + static_cast<int64_t>(i + 1) * 1'000'000,
                        settings.writes));
      std::cout << " " << Ms(latency.p50_ms) << " / " << Ms(latency.p99_ms) << " |";
    }
    std::cout << "\n" << std::flush;
  }
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  config::Flags flags(argc, argv, "crm-searchbench");
  db::PoolOptions db;
  db.unix_socket = flags.Required("db_socket", "MariaDB unix socket (the benchmark uses no TCP)");
  db.user = flags.String("db_user", "root", "MariaDB user that may create databases");
  db.password = flags.String("db_password", "", "MariaDB password");
  db.size = 4;  // the measuring session, a write transaction and its after-commit session
  db.pool_name = "searchbench";
  const std::string sizes_text =
      flags.String("sizes", "10000,100000", "corpus sizes, ascending (each at most 200000)");
  Settings settings;
  settings.query_runs =
      flags.Int("query_runs", 200, "measured runs per query and engine", 1, 10000);
  settings.query_time = absl::Seconds(
      flags.Int("query_seconds", 5, "measured seconds per query and engine, at most", 1, 60));
  settings.writes =
      flags.Int("writes", 200, "documents created per engine in the write test", 1, 10000);
  const bool mroonga =
      flags.Bool("mroonga", true, "also measure Mroonga (the server must load it)");
  flags.Finish();

  int64_t previous = 0;
  for (absl::string_view part : absl::StrSplit(sizes_text, ',')) {
    int64_t size = 0;
    if (!absl::SimpleAtoi(part, &size) || size <= previous || size > 200000) {
      std::cerr << "crm-searchbench: --sizes must be ascending numbers up to 200000\n";
      return 2;
    }
    settings.sizes.push_back(size);
    previous = size;
  }

  std::vector<Engine> engines = {{.label = "own n-gram (InnoDB)", .own = true}};
  if (mroonga) {
    engines.push_back({.label = "Mroonga TokenBigram",
                       .schema = "searchbench_mroonga_bigram",
                       .tokenizer = "TokenBigram"});
    engines.push_back({.label = "Mroonga TokenBigramSplitSymbolAlphaDigit",
                       .schema = "searchbench_mroonga_split",
                       .tokenizer = "TokenBigramSplitSymbolAlphaDigit"});
  }

  // The pool's schema must exist before it connects.
  {
    db::PoolOptions admin = db;
    absl::StatusOr<std::unique_ptr<db::Pool>> pool = db::Pool::Create(admin, nullptr);
    if (!pool.ok()) {
      std::cerr << "crm-searchbench: " << pool.status() << "\n";
      return 1;
    }
    auto session = (*pool)->Borrow();
    if (!session.ok() || !(*session)
                              ->Execute(absl::StrCat("CREATE DATABASE IF NOT EXISTS ", kSchema,
                                                     " CHARACTER SET utf8mb4"),
                                        {})
                              .ok()) {
      std::cerr << "crm-searchbench: cannot create the database " << kSchema << "\n";
      return 1;
    }
  }
  db.schema = kSchema;
  absl::StatusOr<std::unique_ptr<db::Pool>> pool = db::Pool::Create(db, nullptr);
  if (!pool.ok()) {
    std::cerr << "crm-searchbench: " << pool.status() << "\n";
    return 1;
  }
  if (absl::Status status = Run(**pool, engines, settings); !status.ok()) {
    std::cerr << "crm-searchbench: " << status << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace crm::searchbench

int main(int argc, char** argv) { return crm::searchbench::Main(argc, argv); }
