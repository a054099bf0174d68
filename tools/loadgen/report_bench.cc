// crm-reportbench: how the analytics reports' latency grows with the data. For each size it
// fills a throw-away analytics schema, then times each report as the service computes it
// (ReportService's handler: the caller's rule, the aggregate query, the protobuf answer)
// against the same report as a plain GROUP BY over the raw rows, in the same run, and checks
// that both give the same figures. `tools/dev reportbench` runs it. Reports: sales (by owner,
// month, industry), trends (by month; by week for one industry; by month for one industry and
// province, which a rep reads from won_daily), the customer distribution (by month; by week for
// one industry; for one industry and province) and the funnel.
//
// The data are synthetic and deterministic. A size N is N deals (200 owners, 100,000
// customers in 20 industries and 31 provinces, three currencies (90 % CNY), close dates over
// 2024-2026, 40 % won), N customer rows for the distribution (2 % merged away; industry,
// province and size band spread independently of the owner), N leads (two thirds qualified, a
// third converted) and each deal's stays in the pipeline's stages (one to five: the four open
// stages, then won; all but the last left, advancing). The rows are made by MariaDB itself
// from the SEQUENCE engine, and the aggregates are filled with what the feeds would have left
// in them (INSERT ... SELECT ... GROUP BY; won_cube, customer_cube and customers_new_cube by
// the own statements of schema/004_won_cube.sql, 007_customer_cube.sql,
// 009_industry_and_province.sql and 010_customers_new_by_owner.sql, lead_cube and stage_cube by
// schema/008_funnel_cube.sql's), so the load takes minutes, not hours, at 10M. Each size adds
// to the previous one, in steps of kLoadStep. The funnel is timed twice: from the cubes, as the
// service reads it, and from the daily rows, as it was read before them (the two checked equal
// in every figure).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/message_differencer.h"
#include "libs/auth/testing.h"
#include "libs/grpc/status.h"
#include "libs/service/testing.h"
#include "services/analytics/report_service.h"
#include "services/analytics/report_store.h"

namespace crm::analytics {
namespace {

constexpr int kOwners = 200;
constexpr int64_t kLoadStep = 50'000;

struct Measure {
  double p50_ms = 0;
  double p90_ms = 0;
};

template <typename Fn>
absl::StatusOr<Measure> Time(int repeat, Fn fn) {
  std::vector<double> ms;
  for (int i = 0; i < repeat; ++i) {
    const absl::Time start = absl::Now();
    CRM_RETURN_IF_ERROR(fn());
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  std::sort(ms.begin(), ms.end());
  return Measure{.p50_ms = ms[ms.size() / 2], .p90_ms = ms[ms.size() * 9 / 10]};
}

// Deals `first`..`last` as the read model holds them (see the file comment for the shape).
absl::Status AddDeals(db::Pool& pool, int64_t first, int64_t last) {
  const std::string statement = absl::StrCat(
      "INSERT INTO opportunities (id, customer_id, owner, won, open, stage, close_date, currency, "
      "amount_minor, industry, province) "
      "SELECT seq, c, CONCAT('users/', 1 + MOD(seq * 31, ",
      kOwners,
      ")), MOD(seq, 5) < 2, MOD(seq, 5) = 2, CONCAT('pipelines/1/stages/', 1 + MOD(seq, 6)), "
      "DATE '2024-01-01' + INTERVAL MOD(seq * 13, 1096) DAY, "
      "CASE MOD(seq, 20) WHEN 0 THEN 'USD' WHEN 1 THEN 'EUR' ELSE 'CNY' END, "
      "100000 + MOD(seq * 7919, 10000000), CONCAT('行业', MOD(c, 20)), CONCAT('省份', MOD(c, 31)) "
      "FROM (SELECT seq, 1 + MOD(seq * 7, 100000) AS c FROM seq_",
      first, "_to_", last, ") s");
  CRM_ASSIGN_OR_RETURN(auto session, pool.Borrow());
  return session->Execute(statement, {}).status();
}

// The statement of schema/`file` that fills `table` from the rows of `source` ("FROM
// opportunities WHERE won = 1)", closing the subquery it reads), narrowed to the source rows
// with ids between two bound parameters and adding `add` to the rows already there: the one
// definition of what a deal or a customer adds to a cube besides the read model's own writes.
absl::StatusOr<std::string> FillStatement(const std::string& file, const std::string& table,
                                          const std::string& source, const std::string& add) {
  std::ifstream in(std::string(CRM_ANALYTICS_SCHEMA_DIR) + "/" + file);
  std::stringstream text;
  text << in.rdbuf();
  const std::string sql = text.str();
  const size_t start = sql.find("INSERT INTO " + table + " ");
  const size_t rows = sql.find(source, start == std::string::npos ? 0 : start);
  const size_t end = sql.find(';', rows == std::string::npos ? 0 : rows);
  if (start == std::string::npos || rows == std::string::npos || end == std::string::npos) {
    return absl::FailedPreconditionError(
        absl::StrCat(file, " no longer holds \"INSERT INTO ", table, " ... ", source,
                     " ...;\": update crm-reportbench's FillStatement"));
  }
  const size_t close = rows + source.size() - 1;  // the subquery's ')'
  return absl::StrCat(sql.substr(start, close - start), " AND id BETWEEN ? AND ?)",
                      sql.substr(close + 1, end - close - 1), " ON DUPLICATE KEY UPDATE ", add);
}

// The statements that fill the cubes from deals and customers `first`..`last`
// (schema/004_won_cube.sql, schema/007_customer_cube.sql, the industry-and-province rows of
// schema/009_industry_and_province.sql and the owners' new customers of
// schema/010_customers_new_by_owner.sql).
struct Fills {
  std::vector<std::string> won_cube;
  std::vector<std::string> customer_cubes;
};

absl::StatusOr<Fills> CubeFills() {
  constexpr char kDeals[] = "FROM opportunities WHERE won = 1)";
  constexpr char kAddWon[] =
      "amount_minor = won_cube.amount_minor + VALUES(amount_minor), "
      "deals = won_cube.deals + VALUES(deals)";
  constexpr char kCustomers[] = "FROM customer_facts WHERE counted = 1)";
  constexpr char kAddCustomers[] = "customers = customer_cube.customers + VALUES(customers)";
  constexpr char kAddNew[] = "customers = customers_new_cube.customers + VALUES(customers)";
  Fills fills;
  for (const char* file : {"004_won_cube.sql", "009_industry_and_province.sql"}) {
    CRM_ASSIGN_OR_RETURN(std::string fill, FillStatement(file, "won_cube", kDeals, kAddWon));
    fills.won_cube.push_back(std::move(fill));
  }
  for (const char* file : {"007_customer_cube.sql", "009_industry_and_province.sql"}) {
    for (const auto& [table, add] :
         {std::pair{"customer_cube", kAddCustomers}, std::pair{"customers_new_cube", kAddNew}}) {
      CRM_ASSIGN_OR_RETURN(std::string fill, FillStatement(file, table, kCustomers, add));
      fills.customer_cubes.push_back(std::move(fill));
    }
  }
  // The owners' rows of customers_new_cube.
  CRM_ASSIGN_OR_RETURN(
      std::string owners,
      FillStatement("010_customers_new_by_owner.sql", "customers_new_cube",
                    "FROM customer_facts WHERE counted = 1 AND owner <> '')", kAddNew));
  fills.customer_cubes.push_back(std::move(owners));
  return fills;
}

// Adds deals `first`..`last` to won_daily and won_cube as the feeds would have.
absl::Status Aggregate(db::Pool& pool, const Fills& fills, int64_t first, int64_t last) {
  CRM_ASSIGN_OR_RETURN(auto session, pool.Borrow());
  const std::vector<db::Value> range = {first, last};
  for (const std::string& fill : fills.won_cube) {
    CRM_RETURN_IF_ERROR(session->Execute(fill, range).status());
  }
  return session
      ->Execute(
          "INSERT INTO won_daily (day, owner, currency, industry, province, amount_minor, deals) "
          "SELECT close_date, owner, currency, industry, province, SUM(amount_minor), COUNT(*) "
          "FROM opportunities WHERE won AND id BETWEEN ? AND ? "
          "GROUP BY close_date, owner, currency, industry, province ON DUPLICATE KEY UPDATE "
          "amount_minor = won_daily.amount_minor + VALUES(amount_minor), "
          "deals = won_daily.deals + VALUES(deals)",
          range)
      .status();
}

// Customers `first`..`last` (customer_facts) and what they add to customer_groups,
// customers_new_daily and, by schema/007_customer_cube.sql's own statements, the cubes.
absl::Status AddCustomers(db::Pool& pool, const Fills& fills, int64_t first, int64_t last) {
  CRM_ASSIGN_OR_RETURN(auto session, pool.Borrow());
  CRM_RETURN_IF_ERROR(
      session
          ->Execute(absl::StrCat(
                        "INSERT INTO customer_facts (id, counted, owner, industry, province, "
                        "size_band, created) SELECT seq, MOD(seq, 50) <> 0, CONCAT('users/', 1 + "
                        "MOD(seq * 31, ",
                        kOwners,
                        ")), CONCAT('行业', MOD(CRC32(CONCAT('i', seq)), 20)), "
                        "CONCAT('省份', MOD(CRC32(CONCAT('p', seq)), 31)), "
                        "ELT(1 + MOD(CRC32(CONCAT('s', seq)), 4), 'MICRO', 'SMALL', 'MEDIUM', "
                        "'LARGE'), DATE '2024-01-01' + INTERVAL MOD(seq * 17, 1096) DAY "
                        "FROM seq_",
                        first, "_to_", last),
                    {})
          .status());
  const std::vector<db::Value> range = {first, last};
  for (const std::string& fill : fills.customer_cubes) {
    CRM_RETURN_IF_ERROR(session->Execute(fill, range).status());
  }
  CRM_RETURN_IF_ERROR(
      session
          ->Execute("INSERT INTO customer_groups (owner, industry, province, size_band, "
                    "customers) SELECT owner, industry, province, size_band, COUNT(*) "
                    "FROM customer_facts WHERE counted AND id BETWEEN ? AND ? "
                    "GROUP BY owner, industry, province, size_band ON DUPLICATE KEY UPDATE "
                    "customers = customer_groups.customers + VALUES(customers)",
                    range)
          .status());
  return session
      ->Execute(
          "INSERT INTO customers_new_daily (day, owner, industry, province, size_band, "
          "customers) SELECT created, owner, industry, province, size_band, COUNT(*) "
          "FROM customer_facts WHERE counted AND id BETWEEN ? AND ? "
          "GROUP BY created, owner, industry, province, size_band ON DUPLICATE KEY UPDATE "
          "customers = customers_new_daily.customers + VALUES(customers)",
          range)
      .status();
}

// The pipeline the funnel shows: four open stages, won and lost.
absl::Status AddPipeline(db::Pool& pool) {
  CRM_ASSIGN_OR_RETURN(auto session, pool.Borrow());
  CRM_RETURN_IF_ERROR(
      session->Execute("INSERT INTO pipelines (name, is_default) VALUES ('pipelines/1', 1)", {})
          .status());
  return session
      ->Execute(
          "INSERT INTO stages (name, pipeline, display_name, pipeline_name, position, type) "
          "SELECT CONCAT('pipelines/1/stages/', seq), '标准流程', CONCAT('阶段', seq), "
          "'pipelines/1', seq - 1, CASE seq WHEN 5 THEN 2 WHEN 6 THEN 3 ELSE 1 END "
          "FROM seq_1_to_6",
          {})
      .status();
}

// Leads `first`..`last` and deals `first`..`last`'s stays in stages, with what they add to
// lead_daily and stage_daily.
absl::Status AddFunnel(db::Pool& pool, int64_t first, int64_t last) {
  CRM_ASSIGN_OR_RETURN(auto session, pool.Borrow());
  CRM_RETURN_IF_ERROR(
      session
          ->Execute(absl::StrCat(
                        "INSERT INTO leads (id, last_sequence, owner, status, campaign, "
                        "created_day, qualified_day, converted_day) "
                        "SELECT seq, seq, CONCAT('users/', 1 + MOD(seq * 31, ",
                        kOwners,
                        ")), 2, '', d, IF(MOD(seq, 3) <> 0, d + INTERVAL MOD(seq, 9) DAY, NULL), "
                        "IF(MOD(seq, 3) = 1, d + INTERVAL MOD(seq, 9) + MOD(seq, 17) DAY, NULL) "
                        "FROM (SELECT seq, DATE '2024-01-01' + INTERVAL MOD(seq * 11, 1096) DAY "
                        "AS d FROM seq_",
                        first, "_to_", last, ") s"),
                    {})
          .status());
  const std::vector<db::Value> range = {first, last};
  for (const auto& [step, day] : {std::pair{1, "created_day"}, std::pair{2, "qualified_day"},
                                  std::pair{3, "converted_day"}}) {
    CRM_RETURN_IF_ERROR(
        session
            ->Execute(absl::StrCat("INSERT INTO lead_daily (day, owner, step, leads) SELECT ", day,
                                   ", owner, ", step, ", COUNT(*) FROM leads WHERE ", day,
                                   " IS NOT NULL AND id BETWEEN ? AND ? GROUP BY ", day,
                                   ", owner ON DUPLICATE KEY UPDATE leads = lead_daily.leads + "
                                   "VALUES(leads)"),
                      range)
            .status());
  }
  // Deal s stays in stages 1..n (n = 1 + s mod 5, stage 5 being won), a week apart; each but
  // the last left after 1 h to 40 days, advancing to the next.
  CRM_RETURN_IF_ERROR(
      session
          ->Execute(absl::StrCat(
                        "INSERT INTO stage_stays (opportunity_id, seq, stage, entry_day, owner, "
                        "currency, amount_minor, entered_us, left_us, advanced, seconds, bucket) "
                        "SELECT id, k, CONCAT('pipelines/1/stages/', k), e, owner, currency, "
                        "amount_minor, UNIX_TIMESTAMP(e) * 1000000, "
                        "IF(k < n, (UNIX_TIMESTAMP(e) + t) * 1000000, NULL), k < n, "
                        "IF(k < n, t, 0), IF(k < n, (t >= 3600) + (t >= 86400) + "
                        "(t >= 259200) + (t >= 604800) + (t >= 1209600) + (t >= 2592000) + "
                        "(t >= 5184000) + (t >= 7776000) + (t >= 15552000), 0) "
                        "FROM (SELECT o.id, o.owner, o.currency, o.amount_minor, o.n, j.seq AS k, "
                        "o.d0 + INTERVAL 7 * (j.seq - 1) DAY AS e, "
                        "3600 * (1 + MOD(o.id * j.seq, 960)) AS t "
                        "FROM (SELECT id, owner, currency, amount_minor, 1 + MOD(id, 5) AS n, "
                        "DATE '2024-01-01' + INTERVAL MOD(id * 13, 1096) DAY AS d0 "
                        "FROM opportunities WHERE id BETWEEN ? AND ?) o "
                        "JOIN seq_1_to_5 j ON j.seq <= o.n) x"),
                    range)
          .status());
  return session
      ->Execute(
          "INSERT INTO stage_daily (stage, day, owner, currency, entries, amount_minor, "
          "advanced, left_count, seconds, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9) "
          "SELECT stage, entry_day, owner, currency, COUNT(*), SUM(amount_minor), "
          "SUM(advanced), SUM(left_us IS NOT NULL), SUM(seconds), "
          "SUM(left_us IS NOT NULL AND bucket = 0), SUM(left_us IS NOT NULL AND bucket = 1), "
          "SUM(left_us IS NOT NULL AND bucket = 2), SUM(left_us IS NOT NULL AND bucket = 3), "
          "SUM(left_us IS NOT NULL AND bucket = 4), SUM(left_us IS NOT NULL AND bucket = 5), "
          "SUM(left_us IS NOT NULL AND bucket = 6), SUM(left_us IS NOT NULL AND bucket = 7), "
          "SUM(left_us IS NOT NULL AND bucket = 8), SUM(left_us IS NOT NULL AND bucket = 9) "
          "FROM stage_stays WHERE opportunity_id BETWEEN ? AND ? "
          "GROUP BY stage, entry_day, owner, currency ON DUPLICATE KEY UPDATE "
          "entries = stage_daily.entries + VALUES(entries), "
          "amount_minor = stage_daily.amount_minor + VALUES(amount_minor), "
          "advanced = stage_daily.advanced + VALUES(advanced), "
          "left_count = stage_daily.left_count + VALUES(left_count), "
          "seconds = stage_daily.seconds + VALUES(seconds), "
          "b0 = stage_daily.b0 + VALUES(b0), b1 = stage_daily.b1 + VALUES(b1), "
          "b2 = stage_daily.b2 + VALUES(b2), b3 = stage_daily.b3 + VALUES(b3), "
          "b4 = stage_daily.b4 + VALUES(b4), b5 = stage_daily.b5 + VALUES(b5), "
          "b6 = stage_daily.b6 + VALUES(b6), b7 = stage_daily.b7 + VALUES(b7), "
          "b8 = stage_daily.b8 + VALUES(b8), b9 = stage_daily.b9 + VALUES(b9)",
          range)
      .status();
}

// schema/008_funnel_cube.sql's statements that fill lead_cube and stage_cube from lead_daily
// and stage_daily, each narrowed to the daily rows between two bound days: the one definition
// of what the daily rows add to the cubes besides the read model's own writes.
absl::StatusOr<std::vector<std::string>> FunnelCubeFills() {
  std::ifstream file(std::string(CRM_ANALYTICS_SCHEMA_DIR) + "/008_funnel_cube.sql");
  std::stringstream text;
  text << file.rdbuf();
  const std::string sql = text.str();
  std::vector<std::string> fills;
  for (const auto& [table, daily] :
       {std::pair{"lead_cube", "lead_daily"}, std::pair{"stage_cube", "stage_daily"}}) {
    const std::string source = absl::StrCat(" FROM ", daily, ")");
    const size_t start = sql.find(absl::StrCat("INSERT INTO ", table, " "));
    const size_t from = sql.find(source, start == std::string::npos ? 0 : start);
    const size_t end = sql.find(";\n", from == std::string::npos ? 0 : from);
    if (start == std::string::npos || from == std::string::npos || end == std::string::npos) {
      return absl::FailedPreconditionError(
          absl::StrCat("008_funnel_cube.sql no longer holds \"INSERT INTO ", table, " ...", source,
                       " ...;\": update crm-reportbench's FunnelCubeFills"));
    }
    fills.push_back(absl::StrCat(sql.substr(start, from + source.size() - 1 - start),
                                 " WHERE day BETWEEN ? AND ?)",
                                 sql.substr(from + source.size(), end - from - source.size())));
  }
  return fills;
}

// Fills lead_cube and stage_cube afresh from the daily rows, a calendar year at a time (whole
// months, so no row is written by two steps).
absl::Status FillFunnelCubes(db::Pool& pool, const std::vector<std::string>& fills) {
  CRM_ASSIGN_OR_RETURN(auto session, pool.Borrow());
  for (const char* table : {"lead_cube", "stage_cube"}) {
    CRM_RETURN_IF_ERROR(session->Execute(absl::StrCat("DELETE FROM ", table), {}).status());
  }
  CRM_ASSIGN_OR_RETURN(db::Rows years,
                       session->Query("SELECT YEAR(LEAST((SELECT MIN(day) FROM lead_daily), "
                                      "(SELECT MIN(day) FROM stage_daily))), "
                                      "YEAR(GREATEST((SELECT MAX(day) FROM lead_daily), "
                                      "(SELECT MAX(day) FROM stage_daily)))",
                                      {}));
  for (int64_t year = years[0].Int(0); year <= years[0].Int(1); ++year) {
    const std::vector<db::Value> range = {absl::StrCat(year, "-01-01"),
                                          absl::StrCat(year, "-12-31")};
    for (const std::string& fill : fills) {
      CRM_RETURN_IF_ERROR(session->Execute(fill, range).status());
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Count(db::Pool& pool, const std::string& table) {
  CRM_ASSIGN_OR_RETURN(auto session, pool.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session->Query(absl::StrCat("SELECT COUNT(*) FROM ", table), {}));
  return rows[0].Int(0);
}

const char* RawKey(v1::SalesGrouping g) {
  switch (g) {
    case v1::OWNER:
      return "o.owner";
    case v1::MONTH:
      return "DATE_FORMAT(o.close_date, '%Y-%m')";
    case v1::INDUSTRY:
      return "o.industry";
    default:
      return "o.province";
  }
}

// The same report straight from the deals: "key CUR minor deals" per row.
absl::StatusOr<std::vector<std::string>> RawReport(db::Pool& pool, v1::SalesGrouping g,
                                                   const std::string& owner) {
  std::string statement = absl::StrCat(
      "SELECT ", RawKey(g),
      " AS k, o.currency, SUM(o.amount_minor), COUNT(*) "
      "FROM opportunities o WHERE o.won AND o.close_date BETWEEN '2025-01-01' AND '2025-12-31'");
  std::vector<db::Value> params;
  if (!owner.empty()) {
    absl::StrAppend(&statement, " AND o.owner = ?");
    params.push_back(owner);
  }
  absl::StrAppend(&statement, " GROUP BY k, o.currency ORDER BY k, o.currency");
  CRM_ASSIGN_OR_RETURN(auto session, pool.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(statement, params));
  std::vector<std::string> lines;
  for (const db::Row& row : rows) {
    lines.push_back(absl::StrCat(row.Str(0), " ", row.Str(1), " ", row.Int(2), " ", row.Int(3)));
  }
  return lines;
}

std::vector<std::string> Lines(const v1::SalesReport& report) {
  std::vector<std::string> lines;
  for (const v1::SalesRow& row : report.rows()) {
    const int64_t minor = row.amount().units() * 100 + row.amount().nanos() / 10'000'000;
    lines.push_back(absl::StrCat(row.key(), " ", row.amount().currency_code(), " ", minor, " ",
                                 row.won_deals()));
  }
  return lines;
}

google::type::Date Day(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

// Raw rows as "a b c ..." lines, in the order the statement gives.
absl::StatusOr<std::vector<std::string>> RawLines(db::Pool& pool, const std::string& statement,
                                                  const std::vector<db::Value>& params) {
  CRM_ASSIGN_OR_RETURN(auto session, pool.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(statement, params));
  std::vector<std::string> lines;
  for (const db::Row& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) absl::StrAppend(&line, i == 0 ? "" : " ", row.Str(i));
    lines.push_back(std::move(line));
  }
  return lines;
}

// A trend case: its bucket, period and filters.
struct TrendCase {
  std::string name;
  v1::SalesGrouping bucket;
  google::type::Date first;
  google::type::Date last;
  std::string industry;
  std::string province;
};

// The trend's buckets that have deals, as "key CUR minor deals", and the same bucket a year
// earlier's, as "year-ago key CUR minor deals" (the raw query's lines, sorted alike).
std::vector<std::string> Lines(const v1::TrendReport& report) {
  std::set<std::string> lines;
  for (const v1::TrendRow& row : report.rows()) {
    auto minor = [](const common::v1::Money& m) {
      return m.units() * 100 + m.nanos() / 10'000'000;
    };
    if (row.won_deals() > 0) {
      lines.insert(absl::StrCat(row.key(), " ", row.amount().currency_code(), " ",
                                minor(row.amount()), " ", row.won_deals()));
    }
    if (row.year_ago_won_deals() > 0) {
      lines.insert(absl::StrCat(row.year_ago_key(), " ", row.amount().currency_code(), " ",
                                minor(row.year_ago_amount()), " ", row.year_ago_won_deals()));
    }
  }
  return {lines.begin(), lines.end()};
}

// The same straight from the deals over the report's buckets and their year-ago twins.
absl::StatusOr<std::vector<std::string>> RawTrend(db::Pool& pool, const TrendCase& c,
                                                  const v1::TrendReport& report,
                                                  const std::string& owner) {
  if (report.rows().empty()) return std::vector<std::string>{};
  const char* key = c.bucket == v1::WEEK ? "DATE_FORMAT(o.close_date, '%x-W%v')"
                                         : "DATE_FORMAT(o.close_date, '%Y-%m')";
  const google::type::Date& first = report.rows(0).first_day();
  const google::type::Date& last = report.rows(report.rows_size() - 1).last_day();
  const std::string from =
      absl::StrFormat("%04d-%02d-%02d", first.year(), first.month(), first.day());
  const std::string to = absl::StrFormat("%04d-%02d-%02d", last.year(), last.month(), last.day());
  // This period and the year before it; the buckets of neither (a week past the year) are
  // dropped below with the keys the report does not name.
  std::string statement = absl::StrCat(
      "SELECT ", key,
      " AS k, o.currency, CAST(SUM(o.amount_minor) AS SIGNED), COUNT(*) FROM opportunities o "
      "WHERE o.won AND ("
      "o.close_date BETWEEN ? AND ? OR o.close_date BETWEEN ? - INTERVAL 1 YEAR - INTERVAL 7 DAY "
      "AND ? - INTERVAL 1 YEAR + INTERVAL 7 DAY)");
  std::vector<db::Value> params = {from, to, from, to};
  for (const auto& [column, value] :
       {std::pair{"o.owner", owner}, std::pair{"o.industry", c.industry},
        std::pair{"o.province", c.province}}) {
    if (value.empty()) continue;
    absl::StrAppend(&statement, " AND ", column, " = ?");
    params.push_back(value);
  }
  absl::StrAppend(&statement, " GROUP BY k, o.currency");
  CRM_ASSIGN_OR_RETURN(std::vector<std::string> raw, RawLines(pool, statement, params));
  std::set<std::string> keys;
  for (const v1::TrendRow& row : report.rows()) {
    keys.insert(row.key());
    keys.insert(row.year_ago_key());
  }
  std::set<std::string> lines;
  for (const std::string& line : raw) {
    if (keys.contains(line.substr(0, line.find(' ')))) lines.insert(line);
  }
  return std::vector<std::string>{lines.begin(), lines.end()};
}

// The distribution as "part key customers" lines (sorted), new customers per bucket with any.
std::vector<std::string> Lines(const v1::CustomerDistribution& report) {
  std::set<std::string> lines;
  for (const auto& [part, counts] :
       {std::pair{"industry", &report.by_industry()}, std::pair{"province", &report.by_province()},
        std::pair{"size_band", &report.by_size_band()}}) {
    for (const v1::CustomerCount& c : *counts) {
      lines.insert(absl::StrCat(part, " ", c.key(), " ", c.customers()));
    }
  }
  for (const v1::NewCustomers& n : report.new_customers()) {
    if (n.customers() > 0) lines.insert(absl::StrCat("new ", n.key(), " ", n.customers()));
  }
  return {lines.begin(), lines.end()};
}

// A distribution case: its bucket, period and filters.
struct DistributionCase {
  std::string name;
  v1::SalesGrouping bucket;
  google::type::Date first;  // the first and last days of whole buckets
  google::type::Date last;
  std::string industry;
  std::string province;
};

std::string DateText(const google::type::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

// The same straight from the customer rows: each part a GROUP BY, new customers per bucket.
absl::StatusOr<std::vector<std::string>> RawDistribution(db::Pool& pool, const DistributionCase& c,
                                                         const std::string& owner) {
  std::string where = "counted";
  std::vector<db::Value> params;
  for (const auto& [column, value] : {std::pair{"owner", owner}, std::pair{"industry", c.industry},
                                      std::pair{"province", c.province}}) {
    if (value.empty()) continue;
    absl::StrAppend(&where, " AND ", column, " = ?");
    params.push_back(value);
  }
  std::set<std::string> lines;
  for (const char* part : {"industry", "province", "size_band"}) {
    CRM_ASSIGN_OR_RETURN(
        std::vector<std::string> raw,
        RawLines(pool,
                 absl::StrCat("SELECT '", part, "', ", part,
                              ", COUNT(*) FROM customer_facts WHERE ", where, " GROUP BY ", part),
                 params));
    lines.insert(raw.begin(), raw.end());
  }
  const char* key =
      c.bucket == v1::WEEK ? "DATE_FORMAT(created, '%x-W%v')" : "DATE_FORMAT(created, '%Y-%m')";
  params.emplace_back(DateText(c.first));
  params.emplace_back(DateText(c.last));
  CRM_ASSIGN_OR_RETURN(
      std::vector<std::string> raw,
      RawLines(pool,
               absl::StrCat("SELECT 'new', ", key, " AS k, COUNT(*) FROM customer_facts WHERE ",
                            where, " AND created BETWEEN ? AND ? GROUP BY k"),
               params));
  lines.insert(raw.begin(), raw.end());
  return std::vector<std::string>{lines.begin(), lines.end()};
}

// The funnel's steps as "step entries advanced left seconds" lines.
std::vector<std::string> Lines(const v1::FunnelReport& report) {
  std::vector<std::string> lines;
  for (const v1::FunnelStep& step : report.steps()) {
    lines.push_back(absl::StrCat(
        step.stage().empty() ? v1::FunnelStepKind_Name(step.kind()) : step.stage(), " ",
        step.entries(), " ", step.advanced(), " ", step.left_count(), " ", step.average_seconds()));
  }
  return lines;
}

// The same straight from the leads and the stays in 2025 (the won stage advances nothing).
absl::StatusOr<std::vector<std::string>> RawFunnel(db::Pool& pool, const std::string& owner) {
  const std::string and_owner = owner.empty() ? "" : " AND owner = ?";
  const std::vector<db::Value> params =
      owner.empty() ? std::vector<db::Value>{} : std::vector<db::Value>{owner};
  CRM_ASSIGN_OR_RETURN(
      std::vector<std::string> leads,
      RawLines(pool,
               absl::StrCat("SELECT CAST(SUM(created_day BETWEEN '2025-01-01' AND '2025-12-31') "
                            "AS SIGNED), CAST(SUM(qualified_day BETWEEN '2025-01-01' AND "
                            "'2025-12-31') AS SIGNED), CAST(SUM(converted_day BETWEEN "
                            "'2025-01-01' AND '2025-12-31') AS SIGNED) FROM leads WHERE TRUE",
                            and_owner),
               params));
  // Every open and won stage of the pipeline, in its order, with or without stays.
  const std::string on_owner = owner.empty() ? "" : " AND s.owner = ?";
  CRM_ASSIGN_OR_RETURN(
      std::vector<std::string> stays,
      RawLines(pool,
               absl::StrCat(
                   "SELECT st.name, COUNT(s.stage), IF(st.type = 2, 0, "
                   "CAST(COALESCE(SUM(s.advanced), 0) AS SIGNED)), "
                   "CAST(COALESCE(SUM(s.left_us IS NOT NULL), 0) AS SIGNED), "
                   "IF(COALESCE(SUM(s.left_us IS NOT NULL), 0) = 0, 0, CAST((2 * SUM(s.seconds) + "
                   "SUM(s.left_us IS NOT NULL)) DIV (2 * SUM(s.left_us IS NOT NULL)) AS SIGNED)) "
                   "FROM stages st LEFT JOIN stage_stays s ON s.stage = st.name AND "
                   "s.entry_day BETWEEN '2025-01-01' AND '2025-12-31'",
                   on_owner,
                   " WHERE st.pipeline_name = 'pipelines/1' AND st.type IN (1, 2) "
                   "GROUP BY st.name, st.type, st.position ORDER BY st.position"),
               params));
  std::vector<std::string> counts = absl::StrSplit(leads.at(0), ' ');
  std::vector<std::string> lines = {
      absl::StrCat("LEADS ", counts.at(0), " ", counts.at(1), " 0 0"),
      absl::StrCat("QUALIFIED_LEADS ", counts.at(1), " ", counts.at(2), " 0 0")};
  lines.insert(lines.end(), stays.begin(), stays.end());
  return lines;
}

// The funnel over calendar 2025 as the service gives it (from lead_cube and stage_cube).
absl::StatusOr<v1::FunnelReport> Funnel(ReportService& service, const auth::Caller& who) {
  v1::GetFunnelReportRequest request;
  *request.mutable_start_date() = Day(2025, 1, 1);
  *request.mutable_end_date() = Day(2025, 12, 31);
  v1::FunnelReport report;
  CRM_RETURN_IF_ERROR(service.DoGetFunnelReport(who, request, &report));
  return report;
}

// The same from lead_daily and stage_daily row by row, under the same rule.
absl::StatusOr<v1::FunnelReport> DailyFunnel(service::Kit& kit, db::Pool& pool,
                                             const auth::Caller& who) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       kit.access.For(who, ReportService::kGetFunnelReport, FigureRules()));
  FunnelStore store(pool);
  return store.Funnel(access, {.first = absl::CivilDay(2025, 1, 1),
                               .last = absl::CivilDay(2025, 12, 31),
                               .daily_rows = true});
}

// The dev server's buffer pool and redo log as they were before the run grew them.
struct ServerSizing {
  int64_t buffer_pool_bytes = 0;
  int64_t log_file_bytes = 0;
};

// Gives the (shared, dev) server a buffer pool of `mb` MiB and a redo log of a quarter of it
// for the run: at 10M the tables outgrow tools/dev's 256 MiB and the load slows down as they
// do. Both settings are dynamic in MariaDB 10.11; RestoreServer puts them back.
absl::StatusOr<ServerSizing> GrowServer(db::Pool& pool, int64_t mb) {
  CRM_ASSIGN_OR_RETURN(auto session, pool.Borrow());
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      session->Query("SELECT @@GLOBAL.innodb_buffer_pool_size, @@GLOBAL.innodb_log_file_size", {}));
  if (rows.empty()) return absl::InternalError("the server's sizes are not readable");
  const ServerSizing before{.buffer_pool_bytes = rows[0].Int(0), .log_file_bytes = rows[0].Int(1)};
  const int64_t bytes = mb * 1024 * 1024;
  CRM_RETURN_IF_ERROR(session->Execute("SET GLOBAL innodb_buffer_pool_size = ?", {bytes}).status());
  CRM_RETURN_IF_ERROR(
      session->Execute("SET GLOBAL innodb_log_file_size = ?", {bytes / 4}).status());
  std::cerr << "reportbench: buffer pool " << mb << " MiB, redo log " << mb / 4
            << " MiB (until the end of the run)\n";
  return before;
}

void RestoreServer(db::Pool& pool, const ServerSizing& sizing) {
  absl::StatusOr<std::unique_ptr<db::Session>> session = pool.Borrow();
  if (!session.ok()) return;
  (void)(*session)->Execute("SET GLOBAL innodb_buffer_pool_size = ?", {sizing.buffer_pool_bytes});
  (void)(*session)->Execute("SET GLOBAL innodb_log_file_size = ?", {sizing.log_file_bytes});
}

// One measured report: the service's handler and the raw GROUP BY, `repeat` times each.
struct Case {
  std::string report;
  std::string caller;
  std::string aggregate;  // the table the report reads, whose rows are counted
  std::function<absl::StatusOr<std::vector<std::string>>()> fast;
  // Runs after `fast`, whose answer a raw trend reads its buckets from.
  std::function<absl::StatusOr<std::vector<std::string>>()> raw;
};

int Run(int argc, char** argv) {
  std::vector<int64_t> sizes = {100'000, 1'000'000};
  int repeat = 11;
  int64_t buffer_pool_mb = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.starts_with("--sizes=")) {
      sizes.clear();
      for (absl::string_view s : absl::StrSplit(arg.substr(8), ',')) {
        int64_t n = 0;
        if (!absl::SimpleAtoi(s, &n) || n <= 0) {
          std::cerr << "crm-reportbench: bad size " << s << "\n";
          return 2;
        }
        sizes.push_back(n);
      }
      std::sort(sizes.begin(), sizes.end());
    } else if (arg.starts_with("--repeat=") && absl::SimpleAtoi(arg.substr(9), &repeat) &&
               repeat > 0) {
    } else if (arg.starts_with("--buffer-pool-mb=") &&
               absl::SimpleAtoi(arg.substr(17), &buffer_pool_mb) && buffer_pool_mb >= 128) {
    } else {
      std::cerr << "usage: crm-reportbench [--sizes=100000,1000000,10000000] [--repeat=11] "
                   "[--buffer-pool-mb=4096]\n";
      return 2;
    }
  }

  absl::StatusOr<Fills> fills = CubeFills();
  absl::StatusOr<std::vector<std::string>> funnel_fills = FunnelCubeFills();
  if (!fills.ok() || !funnel_fills.ok()) {
    std::cerr << "crm-reportbench: " << fills.status() << " " << funnel_fills.status() << "\n";
    return 1;
  }
  auto test = service::testing::TestKit::Create("analytics", CRM_ANALYTICS_SCHEMA_DIR, 2);
  if (!test.ok()) {
    std::cerr << "crm-reportbench: " << test.status() << "\n";
    return 1;
  }
  db::Pool& pool = (*test)->pool();
  service::Kit& kit = (*test)->kit();
  std::optional<ServerSizing> sizing;
  if (buffer_pool_mb > 0) {
    absl::StatusOr<ServerSizing> grown = GrowServer(pool, buffer_pool_mb);
    if (!grown.ok()) {
      std::cerr << "crm-reportbench: " << grown.status() << "\n";
      return 1;
    }
    sizing = *grown;
  }
  absl::Cleanup restore = [&] {
    if (sizing) RestoreServer(pool, *sizing);
  };
  ReportStore store(pool);
  ReportService service((*test)->kit(), store);
  (*test)->users().Add(1, auth::v1::ADMIN, "");
  (*test)->users().Add(7, auth::v1::SALES_REP, "teams/1");
  const auth::Caller admin = auth::testing::MakeCaller(1, auth::v1::ADMIN);
  const auth::Caller rep = auth::testing::MakeCaller(7, auth::v1::SALES_REP, "teams/1");
  if (absl::Status status = AddPipeline(pool); !status.ok()) {
    std::cerr << "crm-reportbench: " << status << "\n";
    return 1;
  }

  // Every case over calendar 2025, for an admin (everyone's figures) and a rep (users/7's).
  std::vector<Case> cases;
  for (const auth::Caller* who : {&admin, &rep}) {
    const std::string caller = who == &rep ? "rep" : "admin";
    const std::string owner = who == &rep ? "users/7" : "";
    for (v1::SalesGrouping g : {v1::OWNER, v1::MONTH, v1::INDUSTRY}) {
      cases.push_back({.report = absl::StrCat("sales by ", v1::SalesGrouping_Name(g)),
                       .caller = caller,
                       .aggregate = "won_cube",
                       .fast = [&service, who, g]() -> absl::StatusOr<std::vector<std::string>> {
                         v1::GetSalesReportRequest request;
                         *request.mutable_start_date() = Day(2025, 1, 1);
                         *request.mutable_end_date() = Day(2025, 12, 31);
                         request.set_group_by(g);
                         v1::SalesReport report;
                         CRM_RETURN_IF_ERROR(service.DoGetSalesReport(*who, request, &report));
                         return Lines(report);
                       },
                       .raw = [&pool, g, owner] { return RawReport(pool, g, owner); }});
    }
    const std::vector<TrendCase> trends = {
        {"trend by MONTH", v1::MONTH, Day(2025, 1, 1), Day(2025, 12, 31), "", ""},
        {"trend by WEEK, one industry", v1::WEEK, Day(2025, 1, 6), Day(2025, 12, 28), "行业3", ""},
        {"trend by MONTH, industry and province", v1::MONTH, Day(2025, 1, 1), Day(2025, 12, 31),
         "行业3", "省份3"}};
    for (const TrendCase& c : trends) {
      auto answer = std::make_shared<v1::TrendReport>();
      cases.push_back(
          {.report = c.name,
           .caller = caller,
           // An industry and a province together: won_cube for everyone only.
           .aggregate = who == &rep && !c.province.empty() ? "won_daily" : "won_cube",
           .fast = [&service, who, c, answer]() -> absl::StatusOr<std::vector<std::string>> {
             v1::GetTrendReportRequest request;
             *request.mutable_start_date() = c.first;
             *request.mutable_end_date() = c.last;
             request.set_bucket(c.bucket);
             request.set_industry(c.industry);
             request.set_province(c.province);
             answer->Clear();
             CRM_RETURN_IF_ERROR(service.DoGetTrendReport(*who, request, answer.get()));
             return Lines(*answer);
           },
           .raw = [&pool, c, answer, owner] { return RawTrend(pool, c, *answer, owner); }});
    }
    // customer_cube answers an admin's, whatever the filter; a rep's reads customer_groups.
    const std::vector<DistributionCase> distributions = {
        {"customer distribution", v1::MONTH, Day(2025, 1, 1), Day(2025, 12, 31), "", ""},
        {"customer distribution by WEEK, one industry", v1::WEEK, Day(2025, 1, 6),
         Day(2025, 12, 28), "行业3", ""},
        {"customer distribution, industry and province", v1::MONTH, Day(2025, 1, 1),
         Day(2025, 12, 31), "行业3", "省份3"}};
    for (const DistributionCase& c : distributions) {
      cases.push_back({.report = c.name,
                       .caller = caller,
                       .aggregate = who == &admin ? "customer_cube" : "customer_groups",
                       .fast = [&service, who, c]() -> absl::StatusOr<std::vector<std::string>> {
                         v1::GetCustomerDistributionRequest request;
                         *request.mutable_start_date() = c.first;
                         *request.mutable_end_date() = c.last;
                         request.set_bucket(c.bucket);
                         request.set_industry(c.industry);
                         request.set_province(c.province);
                         v1::CustomerDistribution report;
                         CRM_RETURN_IF_ERROR(
                             service.DoGetCustomerDistribution(*who, request, &report));
                         return Lines(report);
                       },
                       .raw = [&pool, c, owner] { return RawDistribution(pool, c, owner); }});
    }
    cases.push_back({.report = "funnel",
                     .caller = caller,
                     .aggregate = "stage_cube",
                     .fast = [&service, who]() -> absl::StatusOr<std::vector<std::string>> {
                       CRM_ASSIGN_OR_RETURN(v1::FunnelReport report, Funnel(service, *who));
                       return Lines(report);
                     },
                     .raw = [&pool, owner] { return RawFunnel(pool, owner); }});
    // The same report from the daily rows, as it was read before the cubes.
    cases.push_back({.report = "funnel (daily rows)",
                     .caller = caller,
                     .aggregate = "stage_daily",
                     .fast = [&kit, &pool, who]() -> absl::StatusOr<std::vector<std::string>> {
                       CRM_ASSIGN_OR_RETURN(v1::FunnelReport report, DailyFunnel(kit, pool, *who));
                       return Lines(report);
                     },
                     .raw = [&pool, owner] { return RawFunnel(pool, owner); }});
  }

  std::cout << "| size | aggregate (rows) | report | caller | lines | aggregates p50 (p90) ms | "
               "GROUP BY raw p50 (p90) ms | raw ÷ aggregates |\n"
               "|---|---|---|---|---|---|---|---|\n";
  int64_t loaded = 0;
  for (int64_t size : sizes) {
    std::cerr << "reportbench: loading " << size << " deals, customers and leads\n";
    // In steps that each stay well within the pool's 60 s statement limit on a busy machine.
    for (; loaded < size; loaded = std::min(size, loaded + kLoadStep)) {
      const int64_t last = std::min(size, loaded + kLoadStep);
      absl::Status status = AddDeals(pool, loaded + 1, last);
      if (status.ok()) status = Aggregate(pool, *fills, loaded + 1, last);
      if (status.ok()) status = AddCustomers(pool, *fills, loaded + 1, last);
      if (status.ok()) status = AddFunnel(pool, loaded + 1, last);
      if (!status.ok()) {
        std::cerr << "crm-reportbench: loading: " << status << "\n";
        return 1;
      }
    }
    // The funnel's cubes, and every figure of the funnel from them against the daily rows'.
    if (absl::Status status = FillFunnelCubes(pool, *funnel_fills); !status.ok()) {
      std::cerr << "crm-reportbench: filling the funnel's cubes: " << status << "\n";
      return 1;
    }
    for (const auth::Caller* who : {&admin, &rep}) {
      absl::StatusOr<v1::FunnelReport> cubes = Funnel(service, *who);
      absl::StatusOr<v1::FunnelReport> daily = DailyFunnel(kit, pool, *who);
      if (!cubes.ok() || !daily.ok() ||
          !google::protobuf::util::MessageDifferencer::Equals(*cubes, *daily)) {
        std::cerr << "crm-reportbench: the funnel from the cubes and from the daily rows "
                     "disagree: "
                  << cubes.status() << " " << daily.status() << "\n";
        return 1;
      }
    }
    std::map<std::string, int64_t> rows;
    for (const Case& c : cases) {
      if (!rows.contains(c.aggregate)) rows[c.aggregate] = Count(pool, c.aggregate).value_or(-1);
      std::vector<std::string> fast_lines, raw_lines;
      absl::StatusOr<Measure> fast = Time(repeat, [&]() -> absl::Status {
        CRM_ASSIGN_OR_RETURN(fast_lines, c.fast());
        return absl::OkStatus();
      });
      absl::StatusOr<Measure> raw = Time(repeat, [&]() -> absl::Status {
        CRM_ASSIGN_OR_RETURN(raw_lines, c.raw());
        return absl::OkStatus();
      });
      if (!fast.ok() || !raw.ok()) {
        std::cerr << "crm-reportbench: " << c.report << ": " << fast.status() << " " << raw.status()
                  << "\n";
        return 1;
      }
      if (fast_lines != raw_lines) {
        std::cerr << "crm-reportbench: the report and the raw GROUP BY disagree for " << c.report
                  << " (" << c.caller << "): " << fast_lines.size() << " against "
                  << raw_lines.size() << " lines\n";
        for (size_t i = 0; i < std::max(fast_lines.size(), raw_lines.size()) && i < 10; ++i) {
          std::cerr << "  " << (i < fast_lines.size() ? fast_lines[i] : "-") << "  |  "
                    << (i < raw_lines.size() ? raw_lines[i] : "-") << "\n";
        }
        return 1;
      }
      std::cout << absl::StrFormat(
          "| %d | %s (%d) | %s | %s | %d | %.2f (%.2f) | %.2f (%.2f) | %.1f |\n", size, c.aggregate,
          rows[c.aggregate], c.report, c.caller, fast_lines.size(), fast->p50_ms, fast->p90_ms,
          raw->p50_ms, raw->p90_ms, raw->p50_ms / fast->p50_ms);
      std::cout.flush();
    }
  }
  return 0;
}

}  // namespace
}  // namespace crm::analytics

int main(int argc, char** argv) { return crm::analytics::Run(argc, argv); }
