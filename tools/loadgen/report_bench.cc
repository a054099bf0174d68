// crm-reportbench: how the analytics reports' latency grows with the data. For each size (deals
// in the read model) it fills a throw-away analytics schema, then times each report as the
// service computes it (ReportService's handler: the caller's rule, the aggregate query, the
// protobuf answer) against the same report as a plain GROUP BY over the raw deal rows, in the
// same run, and checks that both give the same rows. `tools/dev reportbench` runs it.
//
// The data are synthetic and deterministic: 200 owners, 100,000 customers in 20 industries and
// 31 provinces, three currencies (90 % CNY), close dates over 2024-2026, 40 % of the deals won.
// The rows are made by MariaDB itself from the SEQUENCE engine, and won_daily is filled with
// what the feeds would have left in it (one INSERT ... SELECT ... GROUP BY), so the load takes
// minutes, not hours, at 10M deals. Each size adds to the previous one.
// (won_daily and won_cube are filled alike, in steps of kLoadStep deals.)
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
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

// Adds deals `first`..`last` to won_daily and won_cube as the feeds would have (won_cube as
// schema/004_won_cube.sql fills it from the deals).
absl::Status Aggregate(db::Pool& pool, int64_t first, int64_t last) {
  CRM_ASSIGN_OR_RETURN(auto session, pool.Borrow());
  const std::vector<db::Value> range = {first, last};
  CRM_RETURN_IF_ERROR(
      session
          ->Execute("INSERT INTO won_cube (dim, grain, owner, period, dim_value, currency, "
                    "amount_minor, deals) "
                    "SELECT d.dim, g.grain, IF(e.everyone = 1, '', w.owner), IF(g.grain = 'D', "
                    "w.close_date, w.close_date - INTERVAL DAYOFMONTH(w.close_date) - 1 DAY), "
                    "CASE d.dim WHEN 'I' THEN w.industry WHEN 'P' THEN w.province ELSE '' END, "
                    "w.currency, SUM(w.amount_minor), COUNT(*) "
                    "FROM (SELECT close_date, owner, currency, amount_minor, industry, province "
                    "FROM opportunities WHERE won = 1 AND id BETWEEN ? AND ?) w "
                    "CROSS JOIN (SELECT '-' AS dim UNION ALL SELECT 'I' UNION ALL SELECT 'P') d "
                    "CROSS JOIN (SELECT 'D' AS grain UNION ALL SELECT 'M') g "
                    "CROSS JOIN (SELECT 0 AS everyone UNION ALL SELECT 1) e "
                    "GROUP BY 1, 2, 3, 4, 5, 6 ON DUPLICATE KEY UPDATE "
                    "amount_minor = won_cube.amount_minor + VALUES(amount_minor), "
                    "deals = won_cube.deals + VALUES(deals)",
                    range)
          .status());
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

int Run(int argc, char** argv) {
  std::vector<int64_t> sizes = {100'000, 1'000'000};
  int repeat = 11;
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
    } else {
      std::cerr << "usage: crm-reportbench [--sizes=100000,1000000,10000000] [--repeat=11]\n";
      return 2;
    }
  }

  auto test = service::testing::TestKit::Create("analytics", CRM_ANALYTICS_SCHEMA_DIR, 2);
  if (!test.ok()) {
    std::cerr << "crm-reportbench: " << test.status() << "\n";
    return 1;
  }
  db::Pool& pool = (*test)->pool();
  ReportStore store(pool);
  ReportService service((*test)->kit(), store);
  (*test)->users().Add(1, auth::v1::ADMIN, "");
  (*test)->users().Add(7, auth::v1::SALES_REP, "teams/1");
  const auth::Caller admin = auth::testing::MakeCaller(1, auth::v1::ADMIN);
  const auth::Caller rep = auth::testing::MakeCaller(7, auth::v1::SALES_REP, "teams/1");

  std::cout << "| deals | won_cube rows | report | caller | aggregates p50 (p90) ms | "
               "GROUP BY raw p50 (p90) ms | raw ÷ aggregates |\n|---|---|---|---|---|---|---|\n";
  int64_t loaded = 0;
  for (int64_t size : sizes) {
    std::cerr << "reportbench: loading " << size << " deals\n";
    // In steps that each stay well within the pool's 60 s statement limit on a busy machine.
    for (; loaded < size; loaded = std::min(size, loaded + kLoadStep)) {
      const int64_t last = std::min(size, loaded + kLoadStep);
      absl::Status status = AddDeals(pool, loaded + 1, last);
      if (status.ok()) status = Aggregate(pool, loaded + 1, last);
      if (!status.ok()) {
        std::cerr << "crm-reportbench: loading: " << status << "\n";
        return 1;
      }
    }
    const int64_t groups = Count(pool, "won_cube").value_or(-1);
    for (v1::SalesGrouping g : {v1::OWNER, v1::MONTH, v1::INDUSTRY}) {
      for (const auth::Caller* who : {&admin, &rep}) {
        const std::string owner = who == &rep ? "users/7" : "";
        v1::GetSalesReportRequest request;
        request.mutable_start_date()->set_year(2025);
        request.mutable_start_date()->set_month(1);
        request.mutable_start_date()->set_day(1);
        request.mutable_end_date()->set_year(2025);
        request.mutable_end_date()->set_month(12);
        request.mutable_end_date()->set_day(31);
        request.set_group_by(g);
        v1::SalesReport report;
        absl::StatusOr<Measure> fast = Time(repeat, [&] {
          report.Clear();
          return service.DoGetSalesReport(*who, request, &report);
        });
        std::vector<std::string> raw_lines;
        absl::StatusOr<Measure> raw = Time(repeat, [&]() -> absl::Status {
          CRM_ASSIGN_OR_RETURN(raw_lines, RawReport(pool, g, owner));
          return absl::OkStatus();
        });
        if (!fast.ok() || !raw.ok()) {
          std::cerr << "crm-reportbench: " << fast.status() << " " << raw.status() << "\n";
          return 1;
        }
        if (Lines(report) != raw_lines) {
          std::cerr << "crm-reportbench: the report and the raw GROUP BY disagree for "
                    << v1::SalesGrouping_Name(g) << "\n";
          return 1;
        }
        std::cout << absl::StrFormat(
            "| %d | %d | sales by %s | %s | %.2f (%.2f) | %.2f (%.2f) | %.1f |\n", size, groups,
            v1::SalesGrouping_Name(g), who == &rep ? "rep" : "admin", fast->p50_ms, fast->p90_ms,
            raw->p50_ms, raw->p90_ms, raw->p50_ms / fast->p50_ms);
        std::cout.flush();
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace crm::analytics

int main(int argc, char** argv) { return crm::analytics::Run(argc, argv); }
