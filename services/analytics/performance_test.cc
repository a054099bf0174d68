// The performance reports (trends) over the read model, against a real MariaDB
// schema: a fixed data set delivered as the feeds deliver it, each report checked against
// figures worked out by hand in the comments; what each role sees; filters; bad requests.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "crm/activities/v1/activities.pb.h"
#include "crm/customers/v1/customers.pb.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "crm/orders/v1/orders.pb.h"
#include "libs/api/periods.h"
#include "libs/auth/testing.h"
#include "libs/grpc/status.h"
#include "libs/service/testing.h"
#include "services/analytics/event_types.h"
#include "services/analytics/gauges.h"
#include "services/analytics/performance_reports.h"
#include "services/analytics/read_model.h"
#include "services/analytics/report_service.h"
#include "services/analytics/testing.h"

namespace crm::analytics {
namespace {

namespace opps = opportunities::v1;
using Rows = std::vector<std::string>;

google::type::Date Date(int year, int month, int day) {
  return api::ToDate(absl::CivilDay(year, month, day));
}

// "12.50" from a Money in minor units of two digits.
std::string Units(const common::v1::Money& m) {
  return absl::StrCat(m.units(), ".", absl::StrFormat("%02d", m.nanos() / 10000000));
}
std::string Bp(bool has, int64_t bp) { return has ? absl::StrCat(bp) : "-"; }

// "key CUR amount deals | prev amount deals Δamount Δdeals | year-ago amount deals Δ Δ".
Rows Lines(const v1::TrendReport& report) {
  Rows lines;
  for (const v1::TrendRow& r : report.rows()) {
    lines.push_back(absl::StrCat(
        r.key(), " ", r.amount().currency_code(), " ", Units(r.amount()), " ", r.won_deals(), " | ",
        r.previous_key(), " ", Units(r.previous_amount()), " ", r.previous_won_deals(), " ",
        Bp(r.has_amount_change_bp(), r.amount_change_bp()), " ",
        Bp(r.has_deals_change_bp(), r.deals_change_bp()), " | ", r.year_ago_key(), " ",
        Units(r.year_ago_amount()), " ", r.year_ago_won_deals(), " ",
        Bp(r.has_year_ago_amount_change_bp(), r.year_ago_amount_change_bp()), " ",
        Bp(r.has_year_ago_deals_change_bp(), r.year_ago_deals_change_bp())));
  }
  return lines;
}

// The statements of schema/`file` that fill `table` ("INSERT INTO <table> ...;", without the
// semicolon), in their order.
std::vector<std::string> SchemaFills(const std::string& file, const std::string& table) {
  std::ifstream in(std::string(CRM_ANALYTICS_SCHEMA_DIR) + "/" + file);
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> fills;
  std::string statement;
  for (absl::string_view line : absl::StrSplit(text.str(), '\n')) {
    if (absl::StartsWith(line, "--")) continue;
    absl::StrAppend(&statement, line, "\n");
    if (!absl::EndsWith(line, ";")) continue;
    const absl::string_view text = absl::StripAsciiWhitespace(statement);
    if (absl::StartsWith(text, absl::StrCat("INSERT INTO ", table, " "))) {
      fills.emplace_back(text.substr(0, text.size() - 1));  // without the ';'
    }
    statement.clear();
  }
  return fills;
}

TEST(BucketsTest, CalendarBucketsAndTheirComparisons) {
  // ISO weeks: 2021-01-01 (a Friday) is in 2020's week 53; 2026-01-01 (a Thursday) in 2026-W01.
  Bucket w = BucketOf(absl::CivilDay(2021, 1, 1), v1::WEEK);
  EXPECT_EQ(w.key, "2020-W53");
  EXPECT_EQ(w.first, absl::CivilDay(2020, 12, 28));
  EXPECT_EQ(w.last, absl::CivilDay(2021, 1, 3));
  EXPECT_EQ(BucketOf(absl::CivilDay(2026, 1, 1), v1::WEEK).key, "2026-W01");
  EXPECT_EQ(BucketOf(absl::CivilDay(2025, 12, 29), v1::WEEK).key, "2026-W01");
  // A week a year earlier is 52 weeks earlier (same weekdays).
  const Bucket w10 = BucketOf(absl::CivilDay(2026, 3, 4), v1::WEEK);
  EXPECT_EQ(w10.key, "2026-W10");
  EXPECT_EQ(YearAgoBucket(w10, v1::WEEK).key, "2025-W10");
  EXPECT_EQ(YearAgoBucket(w10, v1::WEEK).first, absl::CivilDay(2025, 3, 3));
  EXPECT_EQ(PreviousBucket(w10, v1::WEEK).key, "2026-W09");
  // 29 February compares with 28 February; the day before 1 March 2024 is the 29th.
  const Bucket leap = BucketOf(absl::CivilDay(2024, 2, 29), v1::DAY);
  EXPECT_EQ(YearAgoBucket(leap, v1::DAY).key, "2023-02-28");
  EXPECT_EQ(PreviousBucket(BucketOf(absl::CivilDay(2024, 3, 1), v1::DAY), v1::DAY).key,
            "2024-02-29");
  const Bucket q1 = BucketOf(absl::CivilDay(2026, 2, 14), v1::QUARTER);
  EXPECT_EQ(q1.key, "2026-Q1");
  EXPECT_EQ(q1.last, absl::CivilDay(2026, 3, 31));
  EXPECT_EQ(PreviousBucket(q1, v1::QUARTER).key, "2025-Q4");
  EXPECT_EQ(YearAgoBucket(q1, v1::QUARTER).key, "2025-Q1");
  EXPECT_EQ(PreviousBucket(BucketOf(absl::CivilDay(2026, 1, 9), v1::MONTH), v1::MONTH).key,
            "2025-12");
}

TEST(BucketsTest, ChangesAreBasisPointsRoundedHalfAwayFromZero) {
  EXPECT_EQ(ChangeBasisPoints(3500, 2000), 7500);
  EXPECT_EQ(ChangeBasisPoints(0, 2000), -10000);
  EXPECT_EQ(ChangeBasisPoints(1, 3), -6667);          // -6666.67
  EXPECT_EQ(ChangeBasisPoints(30001, 20000), 5001);   // 5000.5 up
  EXPECT_EQ(ChangeBasisPoints(10001, 20000), -5000);  // -4999.5 away from zero
  EXPECT_EQ(ChangeBasisPoints(2, 3), -3333);          // -3333.33
  EXPECT_EQ(ChangeBasisPoints(5, 0), std::nullopt);   // growth from nothing: absent
  EXPECT_EQ(ChangeBasisPoints(0, 0), std::nullopt);
  // Amounts near the int64 range do not overflow.
  EXPECT_EQ(
      ChangeBasisPoints(int64_t{4'000'000'000'000'000'000}, int64_t{2'000'000'000'000'000'000}),
      10000);
}

class PerformanceTest : public testing::ReadModelTest {
 protected:
  // The company's calendar is UTC+8 (a creation day is the day there).
  PerformanceTest() : ReadModelTest(absl::FixedTimeZone(8 * 3600)) {}
  void SetUp() override {
    ReadModelTest::SetUp();
    service_ = std::make_unique<ReportService>(test_->kit(), *store_);
  }

  absl::Status Customer(int64_t id, const std::string& industry, const std::string& province) {
    customers::v1::Customer c;
    c.set_name(absl::StrCat("customers/", id));
    c.set_industry(industry);
    c.mutable_region()->set_province(province);
    return Deliver(kCustomerCreatedEvent, c);
  }

  // A deal created open and then won on `day`.
  absl::Status WonDeal(int64_t id, int64_t customer, int64_t owner, const std::string& currency,
                       int64_t units, absl::CivilDay day) {
    opps::Opportunity o;
    o.set_name(absl::StrCat("opportunities/", id));
    o.set_customer(absl::StrCat("customers/", customer));
    o.set_owner(absl::StrCat("users/", owner));
    o.mutable_amount()->set_currency_code(currency);
    o.mutable_amount()->set_units(units);
    o.set_state(opps::OPEN);
    o.set_stage("pipelines/1/stages/1");
    CRM_RETURN_IF_ERROR(Deliver(kOpportunityCreatedEvent, o));
    o.set_state(opps::WON);
    *o.mutable_close_date() = api::ToDate(day);
    return Deliver(kOpportunityWonEvent, o);
  }

  // The deals every trend test starts from (customers/1 制造业 浙江, customers/2 零售 江苏):
  //   d1 users/11 customers/1 CNY 1000 won 2025-03-10   (a year before March 2026)
  //   d2 users/11 customers/1 CNY 2000 won 2026-02-10
  //   d3 users/12 customers/2 CNY 3000 won 2026-03-05
  //   d4 users/21 customers/2 CNY  500 won 2026-03-20
  //   d5 users/11 customers/1 USD  100 won 2026-03-31
  void LoadDeals() {
    ASSERT_TRUE(Customer(1, "制造业", "浙江").ok());
    ASSERT_TRUE(Customer(2, "零售", "江苏").ok());
    ASSERT_TRUE(WonDeal(1, 1, 11, "CNY", 1000, absl::CivilDay(2025, 3, 10)).ok());
    ASSERT_TRUE(WonDeal(2, 1, 11, "CNY", 2000, absl::CivilDay(2026, 2, 10)).ok());
    ASSERT_TRUE(WonDeal(3, 2, 12, "CNY", 3000, absl::CivilDay(2026, 3, 5)).ok());
    ASSERT_TRUE(WonDeal(4, 2, 21, "CNY", 500, absl::CivilDay(2026, 3, 20)).ok());
    ASSERT_TRUE(WonDeal(5, 1, 11, "USD", 100, absl::CivilDay(2026, 3, 31)).ok());
  }

  // d3 reopened: no longer won.
  void ReopenD3() {
    opps::Opportunity d3;
    d3.set_name("opportunities/3");
    d3.set_customer("customers/2");
    d3.set_owner("users/12");
    d3.mutable_amount()->set_currency_code("CNY");
    d3.mutable_amount()->set_units(3000);
    d3.set_state(opps::OPEN);
    d3.set_stage("pipelines/1/stages/1");
    ASSERT_TRUE(Deliver(kOpportunityReopenedEvent, d3).ok());
  }

  absl::StatusOr<v1::TrendReport> Trend(
      const auth::Caller& who, v1::SalesGrouping bucket, google::type::Date first,
      google::type::Date last,
      const std::function<void(v1::GetTrendReportRequest&)>& more = nullptr) {
    v1::GetTrendReportRequest request;
    *request.mutable_start_date() = first;
    *request.mutable_end_date() = last;
    request.set_bucket(bucket);
    if (more) more(request);
    v1::TrendReport out;
    CRM_RETURN_IF_ERROR(service_->DoGetTrendReport(who, request, &out));
    return out;
  }
  Rows MonthTrend(const auth::Caller& who,
                  const std::function<void(v1::GetTrendReportRequest&)>& more = nullptr) {
    absl::StatusOr<v1::TrendReport> r =
        Trend(who, v1::MONTH, Date(2026, 2, 1), Date(2026, 3, 31), more);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? Lines(*r) : Rows{"error"};
  }

  // Every row of `statement` as "a b c" lines, in its order.
  Rows Table(const std::string& statement) {
    Rows out;
    EXPECT_TRUE(test_->pool()
                    .InTransaction([&](db::Transaction& tx) -> absl::Status {
                      CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(statement, {}));
                      for (const db::Row& r : rows) {
                        std::string line;
                        for (size_t i = 0; i < r.size(); ++i) {
                          absl::StrAppend(&line, i == 0 ? "" : " ", r.Str(i));
                        }
                        out.push_back(std::move(line));
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return out;
  }

  // Empties `tables`, then runs `fills` in one transaction: what a migration does to them.
  absl::Status Refill(const std::vector<std::string>& tables,
                      const std::vector<std::string>& fills) {
    return test_->pool().InTransaction([&](db::Transaction& tx) -> absl::Status {
      for (const std::string& table : tables) {
        CRM_RETURN_IF_ERROR(tx.Execute("DELETE FROM " + table, {}).status());
      }
      for (const std::string& fill : fills) CRM_RETURN_IF_ERROR(tx.Execute(fill, {}).status());
      return absl::OkStatus();
    });
  }

  std::unique_ptr<ReportService> service_;
};

TEST_F(PerformanceTest, MonthlyTrendComparesWithTheMonthBeforeAndAYearEarlier) {
  LoadDeals();
  // February: d2 alone, nothing in January or February 2025 (changes absent). March: d3 + d4
  // = 3500 in 2 deals against February's 2000 in 1 (+75 %, +100 %) and March 2025's d1 = 1000
  // in 1 (+250 %, +100 %). USD: d5 in March only. Every currency has a row in every bucket.
  EXPECT_EQ(MonthTrend(admin_),
            (Rows{"2026-02 CNY 2000.00 1 | 2026-01 0.00 0 - - | 2025-02 0.00 0 - -",
                  "2026-02 USD 0.00 0 | 2026-01 0.00 0 - - | 2025-02 0.00 0 - -",
                  "2026-03 CNY 3500.00 2 | 2026-02 2000.00 1 7500 10000 | 2025-03 1000.00 1 "
                  "25000 10000",
                  "2026-03 USD 100.00 1 | 2026-02 0.00 0 - - | 2025-03 0.00 0 - -"}));
  absl::StatusOr<v1::TrendReport> r = Trend(admin_, v1::MONTH, Date(2026, 3, 9), Date(2026, 3, 9));
  ASSERT_TRUE(r.ok()) << r.status();
  // A period inside one month is widened to the whole month.
  ASSERT_EQ(r->rows_size(), 2);
  EXPECT_EQ(r->rows(0).first_day().day(), 1);
  EXPECT_EQ(r->rows(0).last_day().day(), 31);
  EXPECT_EQ(r->rows(0).won_deals(), 2);
}

TEST_F(PerformanceTest, OtherBucketsAddUpTheSameDays) {
  LoadDeals();
  // Q1 2026: d2 + d3 + d4 = 5500 in 3 against Q4 2025's nothing and Q1 2025's d1 (1000, 1):
  // +450 %, +200 %.
  absl::StatusOr<v1::TrendReport> q =
      Trend(admin_, v1::QUARTER, Date(2026, 1, 1), Date(2026, 3, 31),
            [](v1::GetTrendReportRequest& r) { r.set_currency_code("CNY"); });
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(Lines(*q),
            (Rows{"2026-Q1 CNY 5500.00 3 | 2025-Q4 0.00 0 - - | 2025-Q1 1000.00 1 45000 20000"}));
  // Weeks 10 to 12 of 2026: d3 (Thu 5 March, W10), d4 (Fri 20 March, W12); 2025-W11 (10 to 16
  // March 2025) holds d1, the year-ago week of 2026-W11 (9 to 15 March 2026).
  absl::StatusOr<v1::TrendReport> w =
      Trend(admin_, v1::WEEK, Date(2026, 3, 2), Date(2026, 3, 22),
            [](v1::GetTrendReportRequest& r) { r.set_currency_code("CNY"); });
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(Lines(*w),
            (Rows{"2026-W10 CNY 3000.00 1 | 2026-W09 0.00 0 - - | 2025-W10 0.00 0 - -",
                  "2026-W11 CNY 0.00 0 | 2026-W10 3000.00 1 -10000 -10000 | 2025-W11 1000.00 1 "
                  "-10000 -10000",
                  "2026-W12 CNY 500.00 1 | 2026-W11 0.00 0 - - | 2025-W12 0.00 0 - -"}));
  // Days: 2026-03-20 against the 19th and 2025-03-20.
  absl::StatusOr<v1::TrendReport> d = Trend(admin_, v1::DAY, Date(2026, 3, 20), Date(2026, 3, 20));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(Lines(*d),
            (Rows{"2026-03-20 CNY 500.00 1 | 2026-03-19 0.00 0 - - | 2025-03-20 0.00 0 - -"}));
}

TEST_F(PerformanceTest, TrendFiltersNarrowTheDeals) {
  LoadDeals();
  // Team 1 (users 10, 11, 12): d4 of users/21 is out; March CNY 3000 against 2000 and 1000.
  Rows team = MonthTrend(admin_, [](v1::GetTrendReportRequest& r) {
    r.set_team("teams/1");
    r.set_currency_code("CNY");
  });
  EXPECT_EQ(team, (Rows{"2026-02 CNY 2000.00 1 | 2026-01 0.00 0 - - | 2025-02 0.00 0 - -",
                        "2026-03 CNY 3000.00 1 | 2026-02 2000.00 1 5000 0 | 2025-03 1000.00 1 "
                        "20000 0"}));
  // 零售 (customers/2): d3 and d4, March only, no USD row.
  Rows retail = MonthTrend(admin_, [](v1::GetTrendReportRequest& r) { r.set_industry("零售"); });
  EXPECT_EQ(retail, (Rows{"2026-02 CNY 0.00 0 | 2026-01 0.00 0 - - | 2025-02 0.00 0 - -",
                          "2026-03 CNY 3500.00 2 | 2026-02 0.00 0 - - | 2025-03 0.00 0 - -"}));
  EXPECT_EQ(MonthTrend(admin_, [](v1::GetTrendReportRequest& r) { r.set_province("江苏"); }),
            retail);
  // The owner filter: users/12's d3.
  Rows twelve = MonthTrend(admin_, [](v1::GetTrendReportRequest& r) { r.set_owner("users/12"); });
  EXPECT_EQ(twelve, (Rows{"2026-02 CNY 0.00 0 | 2026-01 0.00 0 - - | 2025-02 0.00 0 - -",
                          "2026-03 CNY 3000.00 1 | 2026-02 0.00 0 - - | 2025-03 0.00 0 - -"}));
  // A team nobody is in: no figures at all.
  EXPECT_EQ(MonthTrend(admin_, [](v1::GetTrendReportRequest& r) { r.set_team("teams/9"); }),
            Rows{});
}

// Trends read won_cube (one dimension at a time, daily rows for days and weeks, monthly rows
// for months and quarters, everyone's rows or the owners'), and won_daily only when both
// industry and province are named. Each case below would come out differently from the wrong
// rows: another dimension, another grain, everyone's rows for a caller who may not see them.
TEST_F(PerformanceTest, TrendsFromTheCubeMatchTheDealsForEveryFilter) {
  LoadDeals();
  // 制造业 by week, 2026-W10 and W11: d3 in W10 is 零售 and stays out; d1 (Mon 10 March 2025)
  // is 2025-W11, the year-ago week of 2026-W11. No USD row: d5 is in W14.
  absl::StatusOr<v1::TrendReport> weeks =
      Trend(admin_, v1::WEEK, Date(2026, 3, 2), Date(2026, 3, 15),
            [](v1::GetTrendReportRequest& r) { r.set_industry("制造业"); });
  ASSERT_TRUE(weeks.ok()) << weeks.status();
  EXPECT_EQ(Lines(*weeks),
            (Rows{"2026-W10 CNY 0.00 0 | 2026-W09 0.00 0 - - | 2025-W10 0.00 0 - -",
                  "2026-W11 CNY 0.00 0 | 2026-W10 0.00 0 - - | 2025-W11 1000.00 1 -10000 "
                  "-10000"}));
  // 制造业 by quarter from the monthly rows: d2 in Q1 (d5 is USD), d1 a year earlier.
  absl::StatusOr<v1::TrendReport> quarter =
      Trend(admin_, v1::QUARTER, Date(2026, 2, 14), Date(2026, 2, 14),
            [](v1::GetTrendReportRequest& r) { r.set_industry("制造业"); });
  ASSERT_TRUE(quarter.ok()) << quarter.status();
  EXPECT_EQ(Lines(*quarter),
            (Rows{"2026-Q1 CNY 2000.00 1 | 2025-Q4 0.00 0 - - | 2025-Q1 1000.00 1 10000 0",
                  "2026-Q1 USD 100.00 1 | 2025-Q4 0.00 0 - - | 2025-Q1 0.00 0 - -"}));
  // 江苏 for a manager of team 1: users/12's d3, not users/21's d4 (same province, other team).
  EXPECT_EQ(MonthTrend(manager_, [](v1::GetTrendReportRequest& r) { r.set_province("江苏"); }),
            (Rows{"2026-02 CNY 0.00 0 | 2026-01 0.00 0 - - | 2025-02 0.00 0 - -",
                  "2026-03 CNY 3000.00 1 | 2026-02 0.00 0 - - | 2025-03 0.00 0 - -"}));
  // Days, per owner: users/21's d4 on the 20th only.
  absl::StatusOr<v1::TrendReport> days =
      Trend(admin_, v1::DAY, Date(2026, 3, 19), Date(2026, 3, 20),
            [](v1::GetTrendReportRequest& r) { r.set_owner("users/21"); });
  ASSERT_TRUE(days.ok()) << days.status();
  EXPECT_EQ(Lines(*days),
            (Rows{"2026-03-19 CNY 0.00 0 | 2026-03-18 0.00 0 - - | 2025-03-19 0.00 0 - -",
                  "2026-03-20 CNY 500.00 1 | 2026-03-19 0.00 0 - - | 2025-03-20 0.00 0 - -"}));
  auto both = [](const std::string& industry, const std::string& province) {
    return [=](v1::GetTrendReportRequest& r) {
      r.set_industry(industry);
      r.set_province(province);
    };
  };
  // Both dimensions, for everyone (won_cube's 'B' rows): 零售 in 江苏 is d3 and d4; 制造业 in 江苏
  // is nothing.
  EXPECT_EQ(MonthTrend(admin_, both("零售", "江苏")),
            MonthTrend(admin_, [](v1::GetTrendReportRequest& r) { r.set_industry("零售"); }));
  EXPECT_EQ(MonthTrend(admin_, both("制造业", "江苏")), Rows{});
  // Both for some owners (their won_daily rows): a manager of team 1's 零售 in 江苏 is users/12's
  // d3 alone, as his 江苏; a rep's 制造业 in 浙江 is all of users/11's deals.
  EXPECT_EQ(MonthTrend(manager_, both("零售", "江苏")),
            MonthTrend(manager_, [](v1::GetTrendReportRequest& r) { r.set_province("江苏"); }));
  EXPECT_EQ(MonthTrend(rep_, both("制造业", "浙江")), MonthTrend(rep_));

  // d3 reopened: its rows stay in the cube with no deals and add nothing; the 5th of March has
  // no deal left, so no row at all.
  ReopenD3();
  absl::StatusOr<v1::TrendReport> fifth =
      Trend(admin_, v1::DAY, Date(2026, 3, 5), Date(2026, 3, 5));
  ASSERT_TRUE(fifth.ok()) << fifth.status();
  EXPECT_EQ(Lines(*fifth), Rows{});
  EXPECT_EQ(MonthTrend(admin_, [](v1::GetTrendReportRequest& r) { r.set_currency_code("CNY"); }),
            (Rows{"2026-02 CNY 2000.00 1 | 2026-01 0.00 0 - - | 2025-02 0.00 0 - -",
                  "2026-03 CNY 500.00 1 | 2026-02 2000.00 1 -7500 0 | 2025-03 1000.00 1 -5000 "
                  "0"}));
}

TEST_F(PerformanceTest, TrendsFollowTheRecordRules) {
  LoadDeals();
  auto owner = [](const std::string& o) {
    return [o](v1::GetTrendReportRequest& r) { r.set_owner(o); };
  };
  // A rep's trend is the admin's filtered to the rep; a manager's their team's (not users/21).
  EXPECT_EQ(MonthTrend(rep_), MonthTrend(admin_, owner("users/11")));
  EXPECT_EQ(MonthTrend(rep_, owner("users/12")), Rows{});
  EXPECT_EQ(MonthTrend(manager_),
            MonthTrend(admin_, [](v1::GetTrendReportRequest& r) { r.set_team("teams/1"); }));
  EXPECT_EQ(MonthTrend(marketing_), MonthTrend(admin_));
  EXPECT_EQ(Trend(support_, v1::MONTH, Date(2026, 2, 1), Date(2026, 3, 31)).status().code(),
            absl::StatusCode::kPermissionDenied);
}

// won_cube holds exactly what the won deals add: the statements of 004_won_cube.sql and
// 009_industry_and_province.sql, which filled it from the deals already there, give the rows
// the feed left (those at 0 aside: a deal reopened leaves its rows at 0).
TEST_F(PerformanceTest, TheMigrationsFillWonCubeAsTheFeedDoes) {
  LoadDeals();
  ReopenD3();
  const std::string rows =
      "SELECT dim, grain, owner, DATE_FORMAT(period, '%Y-%m-%d'), dim_value, currency, "
      "amount_minor, deals FROM won_cube WHERE deals <> 0 "
      "ORDER BY dim, grain, owner, period, dim_value, currency";
  const Rows live = Table(rows);
  // d4's monthly row for everyone by industry and province: 零售 in 江苏, March 2026, 500.00.
  EXPECT_NE(std::find(live.begin(), live.end(), "B M  2026-03-01 零售\x1f江苏 CNY 50000 1"),
            live.end());

  std::vector<std::string> fills = SchemaFills("004_won_cube.sql", "won_cube");
  for (std::string& fill : SchemaFills("009_industry_and_province.sql", "won_cube")) {
    fills.push_back(std::move(fill));
  }
  ASSERT_EQ(fills.size(), 2u);
  ASSERT_TRUE(Refill({"won_cube"}, fills).ok());
  EXPECT_EQ(Table(rows), live);
}

TEST_F(PerformanceTest, BadTrendRequestsNameTheirFields) {
  v1::GetTrendReportRequest request;
  v1::TrendReport out;
  auto fields = [&] {
    Rows names;
    for (const FieldViolation& v :
         FieldViolations(service_->DoGetTrendReport(admin_, request, &out))) {
      names.push_back(v.field);
    }
    return names;
  };
  EXPECT_EQ(fields(), (Rows{"start_date", "end_date", "bucket"}));
  *request.mutable_start_date() = Date(2026, 3, 1);
  *request.mutable_end_date() = Date(2026, 2, 1);
  request.set_bucket(v1::YEAR);  // not a trend bucket
  request.set_owner("teams/1");
  request.set_team("users/1");
  request.set_currency_code("yuan");
  EXPECT_EQ(fields(), (Rows{"end_date", "bucket", "owner", "team", "currency_code"}));
}

// ---- Customer distribution ----------------------------------------------------------------

customers::v1::Customer Client(int64_t id, int64_t owner, const std::string& industry,
                               const std::string& province, customers::v1::SizeBand band,
                               absl::CivilSecond created_utc) {
  customers::v1::Customer c;
  c.set_name(absl::StrCat("customers/", id));
  c.set_owner(absl::StrCat("users/", owner));
  c.set_industry(industry);
  c.mutable_region()->set_province(province);
  c.set_size_band(band);
  c.mutable_create_time()->set_seconds(
      absl::ToUnixSeconds(absl::FromCivil(created_utc, absl::UTCTimeZone())));
  return c;
}

std::string Counts(const google::protobuf::RepeatedPtrField<v1::CustomerCount>& counts) {
  std::string out;
  for (const v1::CustomerCount& c : counts) absl::StrAppend(&out, c.key(), "=", c.customers(), " ");
  return out;
}
std::string NewPerBucket(const v1::CustomerDistribution& d) {
  std::string out;
  for (const v1::NewCustomers& n : d.new_customers()) {
    absl::StrAppend(&out, n.key(), "=", n.customers(), " ");
  }
  return out;
}
// "total | industries | provinces | size bands | new per month".
std::string Summary(const v1::CustomerDistribution& d) {
  return absl::StrCat(d.total_customers(), " | ", Counts(d.by_industry()), "| ",
                      Counts(d.by_province()), "| ", Counts(d.by_size_band()), "| ",
                      NewPerBucket(d));
}

class DistributionTest : public PerformanceTest {
 protected:
  // Six customers created, then c5 deleted, c6 merged into c3, c1 handed to users/12 and
  // moved to 上海. What counts afterwards (owner, industry, province, band, creation day):
  //   c1 users/12 制造业 上海 SMALL  2026-03-02
  //   c2 users/11 零售   江苏 MEDIUM 2026-04-01 (created 2026-03-31 17:00 UTC: 01:00 at UTC+8)
  //   c3 users/12 零售   浙江 MEDIUM 2026-02-10
  //   c4 users/21 零售   江苏 LARGE  2026-03-15
  void LoadCustomers() {
    namespace cv1 = customers::v1;
    const cv1::Customer c1 =
        Client(1, 11, "制造业", "浙江", cv1::SMALL, absl::CivilSecond(2026, 3, 2, 2, 0, 0));
    for (const cv1::Customer& c :
         {c1, Client(2, 11, "零售", "江苏", cv1::MEDIUM, absl::CivilSecond(2026, 3, 31, 17, 0, 0)),
          Client(3, 12, "零售", "浙江", cv1::MEDIUM, absl::CivilSecond(2026, 2, 10, 2, 0, 0)),
          Client(4, 21, "零售", "江苏", cv1::LARGE, absl::CivilSecond(2026, 3, 15, 2, 0, 0)),
          Client(5, 21, "制造业", "江苏", cv1::SIZE_BAND_UNSPECIFIED,
                 absl::CivilSecond(2026, 3, 20, 2, 0, 0)),
          Client(6, 12, "零售", "浙江", cv1::SMALL, absl::CivilSecond(2026, 3, 3, 2, 0, 0))}) {
      ASSERT_TRUE(Deliver(kCustomerCreatedEvent, c).ok());
    }
    ASSERT_TRUE(
        Deliver(kCustomerDeletedEvent, Client(5, 21, "制造业", "江苏", cv1::SIZE_BAND_UNSPECIFIED,
                                              absl::CivilSecond(2026, 3, 20, 2, 0, 0)))
            .ok());
    ASSERT_TRUE(Deliver(kCustomerMergedEvent, Merge(cv1::CustomerMerge::MERGED)).ok());
    cv1::Customer moved = c1;
    moved.set_owner("users/12");
    moved.mutable_region()->set_province("上海");
    ASSERT_TRUE(Deliver(kCustomerUpdatedEvent, moved).ok());
  }
  static customers::v1::CustomerMerge Merge(customers::v1::CustomerMerge::State state) {
    customers::v1::CustomerMerge m;
    m.set_name("customers/3/merges/1");
    m.set_survivor("customers/3");
    m.add_merged("customers/6");
    m.set_state(state);
    return m;
  }

  using More = std::function<void(v1::GetCustomerDistributionRequest&)>;
  absl::StatusOr<v1::CustomerDistribution> Report(const auth::Caller& who,
                                                  const More& more = nullptr) {
    v1::GetCustomerDistributionRequest request;
    *request.mutable_start_date() = Date(2026, 2, 1);
    *request.mutable_end_date() = Date(2026, 4, 30);
    request.set_bucket(v1::MONTH);
    if (more) more(request);
    v1::CustomerDistribution out;
    CRM_RETURN_IF_ERROR(service_->DoGetCustomerDistribution(who, request, &out));
    return out;
  }
  std::string Distribution(const auth::Caller& who, const More& more = nullptr) {
    absl::StatusOr<v1::CustomerDistribution> out = Report(who, more);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? Summary(*out) : out.status().ToString();
  }

  // The rows of the cubes that count a customer (rows left at 0 stay there and count nothing).
  Rows Cubes() {
    Rows out = Table(
        "SELECT 'now', slice, slice_value, dim, dim_value, customers FROM customer_cube "
        "WHERE customers <> 0 ORDER BY slice, slice_value, dim, dim_value");
    for (std::string& line :
         Table("SELECT 'new', owner, dim, dim_value, grain, DATE_FORMAT(period, '%Y-%m-%d'), "
               "customers FROM customers_new_cube WHERE customers <> 0 "
               "ORDER BY owner, dim, dim_value, grain, period")) {
      out.push_back(std::move(line));
    }
    return out;
  }
  // Every row the customers feed leaves in the read model: facts, groups, new per day, cubes.
  Rows CustomerTables() {
    Rows out = Cubes();
    for (const char* statement :
         {"SELECT id, counted, owner, industry, province, size_band, "
          "DATE_FORMAT(created, '%Y-%m-%d') FROM customer_facts ORDER BY id",
          "SELECT owner, industry, province, size_band, customers FROM customer_groups "
          "ORDER BY owner, industry, province, size_band",
          "SELECT DATE_FORMAT(day, '%Y-%m-%d'), owner, industry, province, size_band, customers "
          "FROM customers_new_daily ORDER BY day, owner, industry, province, size_band"}) {
      for (std::string& line : Table(statement)) out.push_back(std::move(line));
    }
    return out;
  }
};

// Every figure of a distribution by name: "total", "industry 零售", "new 2026-03", ...
std::map<std::string, int64_t> Figures(const v1::CustomerDistribution& d) {
  std::map<std::string, int64_t> out = {{"total", d.total_customers()}};
  for (const auto& [part, counts] :
       {std::pair{"industry", &d.by_industry()}, std::pair{"province", &d.by_province()},
        std::pair{"size_band", &d.by_size_band()}}) {
    for (const v1::CustomerCount& c : *counts)
      out[absl::StrCat(part, " ", c.key())] += c.customers();
  }
  for (const v1::NewCustomers& n : d.new_customers()) out["new " + n.key()] += n.customers();
  return out;
}

TEST_F(DistributionTest, CountsTheCustomersAsTheyAreNow) {
  LoadCustomers();
  // Largest group first, ties by key (上海 sorts before 浙江 by code point).
  EXPECT_EQ(Distribution(admin_),
            "4 | 零售=3 制造业=1 | 江苏=2 上海=1 浙江=1 | MEDIUM=2 LARGE=1 SMALL=1 | "
            "2026-02=1 2026-03=2 2026-04=1 ");
  // Filters: one industry; one province; a team (users 10, 11, 12: c1, c2, c3).
  EXPECT_EQ(Distribution(admin_, [](auto& r) { r.set_industry("零售"); }),
            "3 | 零售=3 | 江苏=2 浙江=1 | MEDIUM=2 LARGE=1 | 2026-02=1 2026-03=1 2026-04=1 ");
  EXPECT_EQ(Distribution(admin_, [](auto& r) { r.set_province("江苏"); }),
            "2 | 零售=2 | 江苏=2 | LARGE=1 MEDIUM=1 | 2026-02=0 2026-03=1 2026-04=1 ");
  EXPECT_EQ(Distribution(admin_, [](auto& r) { r.set_team("teams/1"); }),
            "3 | 零售=2 制造业=1 | 上海=1 江苏=1 浙江=1 | MEDIUM=2 SMALL=1 | "
            "2026-02=1 2026-03=1 2026-04=1 ");
  // Weeks of March 2026: c1 on Monday 2 March (W10), c4 on Sunday 15 March (W11).
  EXPECT_EQ(Distribution(admin_,
                         [](auto& r) {
                           *r.mutable_start_date() = Date(2026, 3, 2);
                           *r.mutable_end_date() = Date(2026, 3, 22);
                           r.set_bucket(v1::WEEK);
                         }),
            "4 | 零售=3 制造业=1 | 江苏=2 上海=1 浙江=1 | MEDIUM=2 LARGE=1 SMALL=1 | "
            "2026-W10=1 2026-W11=1 2026-W12=0 ");

  // Unmerged: c6 (users/12 零售 浙江 SMALL, 2026-03-03) counts again.
  ASSERT_TRUE(Deliver(kCustomerUnmergedEvent, Merge(customers::v1::CustomerMerge::UNMERGED)).ok());
  EXPECT_EQ(Distribution(admin_),
            "5 | 零售=4 制造业=1 | 江苏=2 浙江=2 上海=1 | MEDIUM=2 SMALL=2 LARGE=1 | "
            "2026-02=1 2026-03=3 2026-04=1 ");
}

TEST_F(DistributionTest, EachRoleCountsTheCustomersItMay) {
  LoadCustomers();
  EXPECT_EQ(Distribution(rep_), "1 | 零售=1 | 江苏=1 | MEDIUM=1 | 2026-02=0 2026-03=0 2026-04=1 ");
  EXPECT_EQ(Distribution(rep_), Distribution(admin_, [](auto& r) { r.set_owner("users/11"); }));
  EXPECT_EQ(Distribution(manager_), Distribution(admin_, [](auto& r) { r.set_team("teams/1"); }));
  EXPECT_EQ(Distribution(marketing_), Distribution(admin_));
  v1::GetCustomerDistributionRequest request;
  *request.mutable_start_date() = Date(2026, 2, 1);
  *request.mutable_end_date() = Date(2026, 4, 30);
  request.set_bucket(v1::MONTH);
  v1::CustomerDistribution out;
  EXPECT_EQ(service_->DoGetCustomerDistribution(support_, request, &out).code(),
            absl::StatusCode::kPermissionDenied);
  request.set_bucket(v1::OWNER);
  EXPECT_EQ(service_->DoGetCustomerDistribution(admin_, request, &out).code(),
            absl::StatusCode::kInvalidArgument);
}

// An admin's distribution reads the rows for everyone (customer_cube, customers_new_cube), an
// owner's customer_groups and the owner's rows of customers_new_cube, or of customers_new_daily
// when filtered on both industry and province: the admin's figures must be the sum of every
// owner's, under every filter, over buckets that cut months (days, weeks across a month's end)
// and whole months (months, quarters, from a period that starts and ends inside a month), as
// customers move industry and owner and a merge is undone and made again.
TEST_F(DistributionTest, EveryonesFiguresAreTheSumOfEachOwnersFigures) {
  LoadCustomers();
  struct Period {
    v1::SalesGrouping bucket;
    google::type::Date first, last;
  };
  const Period periods[] = {{v1::MONTH, Date(2026, 1, 15), Date(2026, 4, 3)},
                            {v1::QUARTER, Date(2026, 2, 1), Date(2026, 4, 30)},
                            {v1::WEEK, Date(2026, 2, 20), Date(2026, 4, 12)},
                            {v1::DAY, Date(2026, 3, 30), Date(2026, 4, 2)},
                            {v1::DAY, Date(2026, 2, 9), Date(2026, 3, 16)}};
  const std::pair<std::string, std::string> filters[] = {
      {"", ""},     {"零售", ""},     {"制造业", ""},     {"", "江苏"},
      {"", "上海"}, {"零售", "江苏"}, {"制造业", "上海"}, {"建筑", ""}};
  auto check = [&](const std::string& when) {
    for (const Period& p : periods) {
      for (const auto& filter : filters) {
        const std::string& industry = filter.first;
        const std::string& province = filter.second;
        auto ask = [&](const std::string& owner) {
          return [&, owner](v1::GetCustomerDistributionRequest& r) {
            r.set_bucket(p.bucket);
            *r.mutable_start_date() = p.first;
            *r.mutable_end_date() = p.last;
            r.set_industry(industry);
            r.set_province(province);
            r.set_owner(owner);
          };
        };
        absl::StatusOr<v1::CustomerDistribution> everyone = Report(admin_, ask(""));
        ASSERT_TRUE(everyone.ok()) << everyone.status();
        std::map<std::string, int64_t> sum;
        for (const char* owner : {"users/11", "users/12", "users/21"}) {
          absl::StatusOr<v1::CustomerDistribution> one = Report(admin_, ask(owner));
          ASSERT_TRUE(one.ok()) << one.status();
          for (const auto& [name, n] : Figures(*one)) sum[name] += n;
        }
        EXPECT_EQ(Figures(*everyone), sum)
            << when << ": " << v1::SalesGrouping_Name(p.bucket) << " from " << p.first.month()
            << "-" << p.first.day() << " " << industry << " " << province;
        // Marketing sees every customer too, and reads the same rows.
        absl::StatusOr<v1::CustomerDistribution> marketing = Report(marketing_, ask(""));
        ASSERT_TRUE(marketing.ok()) << marketing.status();
        EXPECT_EQ(Figures(*marketing), Figures(*everyone)) << when;
      }
    }
  };
  check("loaded");

  // c4 (users/21 零售 江苏 LARGE, created 2026-03-15) moves to 制造业 and to users/12; the merge
  // of c6 into c3 is undone (c6: users/12 零售 浙江 SMALL, 2026-03-03).
  namespace cv1 = customers::v1;
  ASSERT_TRUE(Deliver(kCustomerUpdatedEvent, Client(4, 12, "制造业", "江苏", cv1::LARGE,
                                                    absl::CivilSecond(2026, 3, 15, 2, 0, 0)))
                  .ok());
  ASSERT_TRUE(Deliver(kCustomerUnmergedEvent, Merge(cv1::CustomerMerge::UNMERGED)).ok());
  EXPECT_EQ(Distribution(admin_),
            "5 | 零售=3 制造业=2 | 江苏=2 浙江=2 上海=1 | MEDIUM=2 SMALL=2 LARGE=1 | "
            "2026-02=1 2026-03=3 2026-04=1 ");
  EXPECT_EQ(Distribution(admin_, [](auto& r) { r.set_industry("制造业"); }),
            "2 | 制造业=2 | 上海=1 江苏=1 | LARGE=1 SMALL=1 | 2026-02=0 2026-03=2 2026-04=0 ");
  check("moved and unmerged");

  // Merged again: c6 counts no more.
  ASSERT_TRUE(Deliver(kCustomerMergedEvent, Merge(cv1::CustomerMerge::MERGED)).ok());
  EXPECT_EQ(Distribution(admin_, [](auto& r) { r.set_province("浙江"); }),
            "1 | 零售=1 | 浙江=1 | MEDIUM=1 | 2026-02=1 2026-03=0 2026-04=0 ");
  check("merged again");
}

// The cubes hold exactly what customer_facts says its customers add: the statements of
// 007_customer_cube.sql and 009_industry_and_province.sql, which filled them from the customers
// already there, give the rows the feed left.
TEST_F(DistributionTest, TheMigrationFillsTheCubesAsTheFeedDoes) {
  LoadCustomers();
  ASSERT_TRUE(Deliver(kCustomerUnmergedEvent, Merge(customers::v1::CustomerMerge::UNMERGED)).ok());
  ASSERT_TRUE(Deliver(kCustomerMergedEvent, Merge(customers::v1::CustomerMerge::MERGED)).ok());
  const Rows live = Cubes();
  ASSERT_FALSE(live.empty());

  // The industry-and-province slice is there: c4 (零售, 江苏, LARGE) and c2 (零售, 江苏, MEDIUM).
  EXPECT_NE(std::find(live.begin(), live.end(), "now B 零售\x1f江苏 S LARGE 1"), live.end());
  // users/12's own row: c1, created in March 2026, now in 上海.
  EXPECT_NE(std::find(live.begin(), live.end(), "new users/12 P 上海 M 2026-03-01 1"), live.end());

  std::vector<std::string> fills;
  for (const char* file : {"007_customer_cube.sql", "009_industry_and_province.sql",
                           "010_customers_new_by_owner.sql"}) {
    for (const char* table : {"customer_cube", "customers_new_cube"}) {
      for (std::string& fill : SchemaFills(file, table)) fills.push_back(std::move(fill));
    }
  }
  ASSERT_EQ(fills.size(), 5u);
  ASSERT_TRUE(Refill({"customer_cube", "customers_new_cube"}, fills).ok());
  EXPECT_EQ(Cubes(), live);
}

TEST_F(DistributionTest, ReplayAndRepeatedEventsEndWithTheLiveFigures) {
  LoadCustomers();
  const std::string live = Distribution(admin_);
  const std::string team = Distribution(admin_, [](auto& r) { r.set_team("teams/1"); });
  const Rows tables = CustomerTables();
  // Every event applied a second time changes nothing.
  for (const events::v1::Event& event : std::vector<events::v1::Event>(delivered_)) {
    ASSERT_TRUE(Apply(event).ok());
  }
  EXPECT_EQ(Distribution(admin_), live);
  EXPECT_EQ(CustomerTables(), tables);
  // Rewound and replayed from zero: the same figures, the same rows in every table, the cubes'
  // included.
  ASSERT_TRUE(
      test_->pool()
          .InTransaction([&](db::Transaction& tx) { return read_model_.Reset(tx, "customers"); })
          .ok());
  EXPECT_EQ(Distribution(admin_), "0 | | | | 2026-02=0 2026-03=0 2026-04=0 ");
  EXPECT_EQ(Table("SELECT COUNT(*) FROM customer_cube"), Rows{"0"});
  EXPECT_EQ(Table("SELECT COUNT(*) FROM customers_new_cube"), Rows{"0"});
  for (const events::v1::Event& event : std::vector<events::v1::Event>(delivered_)) {
    ASSERT_TRUE(Apply(event).ok());
  }
  EXPECT_EQ(Distribution(admin_), live);
  EXPECT_EQ(Distribution(admin_, [](auto& r) { r.set_team("teams/1"); }), team);
  EXPECT_EQ(CustomerTables(), tables);
}

// ---- Orders, activities and lead conversions per owner and day --------------------------

google::protobuf::Timestamp At(absl::CivilSecond utc) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(absl::FromCivil(utc, absl::UTCTimeZone())));
  return t;
}

class OwnerDailyTest : public PerformanceTest {
 protected:
  absl::Status Order(const std::string& type, int64_t id, int64_t owner,
                     orders::v1::OrderStatus status, absl::CivilSecond created,
                     absl::CivilSecond status_time) {
    orders::v1::Order o;
    o.set_name(absl::StrCat("orders/", id));
    o.set_owner(absl::StrCat("users/", owner));
    o.set_status(status);
    *o.mutable_create_time() = At(created);
    *o.mutable_status_time() = At(status_time);
    if (type != kOrderStatusChangedEvent) return Deliver(type, o);
    orders::v1::StatusChangeEvent change;
    *change.mutable_order() = o;
    change.set_to_status(status);
    return Deliver(type, change);
  }
  absl::Status Activity(const std::string& type, int64_t id, int64_t performer,
                        absl::CivilSecond when) {
    activities::v1::Activity a;
    a.set_name(absl::StrCat("activities/", id));
    a.set_performer(absl::StrCat("users/", performer));
    *a.mutable_activity_time() = At(when);
    return Deliver(type, a);
  }

  // All times below are UTC; the company's days are UTC+8. Worked out in OwnerDaily():
  //   orders/1 users/11 created 03-02, DELIVERED 03-05, COMPLETED 03-08 (completed on 03-05)
  //   orders/2 users/11 created 03-03, CANCELLED 03-04
  //   orders/3 users/12 created 03-03, CONFIRMED
  //   orders/4 users/12 created 03-06 as a DRAFT, then handed to users/11
  //   activities/1 users/11 03-02; activities/2 users/12 2026-03-02 17:30 (03-03 at UTC+8),
  //   then its performer changed to users/11; activities/3 users/11 03-04, then deleted
  //   leads/1 users/12 converted 03-05 (the event delivered twice)
  void LoadFeeds() {
    using orders::v1::CANCELLED, orders::v1::COMPLETED, orders::v1::CONFIRMED,
        orders::v1::DELIVERED, orders::v1::DRAFT;
    const absl::CivilSecond c1(2026, 3, 2, 2, 0, 0), c2(2026, 3, 3, 2, 0, 0),
        c4(2026, 3, 6, 2, 0, 0);
    ASSERT_TRUE(Order(kOrderCreatedEvent, 1, 11, DRAFT, c1, c1).ok());
    ASSERT_TRUE(Order(kOrderStatusChangedEvent, 1, 11, CONFIRMED, c1,
                      absl::CivilSecond(2026, 3, 3, 2, 0, 0))
                    .ok());
    ASSERT_TRUE(Order(kOrderStatusChangedEvent, 1, 11, DELIVERED, c1,
                      absl::CivilSecond(2026, 3, 5, 2, 0, 0))
                    .ok());
    ASSERT_TRUE(Order(kOrderStatusChangedEvent, 1, 11, COMPLETED, c1,
                      absl::CivilSecond(2026, 3, 8, 2, 0, 0))
                    .ok());
    ASSERT_TRUE(Order(kOrderCreatedEvent, 2, 11, DRAFT, c2, c2).ok());
    ASSERT_TRUE(Order(kOrderStatusChangedEvent, 2, 11, CANCELLED, c2,
                      absl::CivilSecond(2026, 3, 4, 2, 0, 0))
                    .ok());
    ASSERT_TRUE(Order(kOrderCreatedEvent, 3, 12, CONFIRMED, c2, c2).ok());
    ASSERT_TRUE(Order(kOrderCreatedEvent, 4, 12, DRAFT, c4, c4).ok());
    ASSERT_TRUE(Order(kOrderUpdatedEvent, 4, 11, DRAFT, c4, c4).ok());

    ASSERT_TRUE(Activity(kActivityLoggedEvent, 1, 11, absl::CivilSecond(2026, 3, 2, 6, 0, 0)).ok());
    ASSERT_TRUE(
        Activity(kActivityLoggedEvent, 2, 12, absl::CivilSecond(2026, 3, 2, 17, 30, 0)).ok());
    ASSERT_TRUE(
        Activity(kActivityUpdatedEvent, 2, 11, absl::CivilSecond(2026, 3, 2, 17, 30, 0)).ok());
    ASSERT_TRUE(Activity(kActivityLoggedEvent, 3, 11, absl::CivilSecond(2026, 3, 4, 6, 0, 0)).ok());
    ASSERT_TRUE(
        Activity(kActivityDeletedEvent, 3, 11, absl::CivilSecond(2026, 3, 4, 6, 0, 0)).ok());

    opportunities::v1::Lead lead;
    lead.set_name("leads/1");
    lead.set_owner("users/12");
    *lead.mutable_convert_time() = At(absl::CivilSecond(2026, 3, 5, 2, 0, 0));
    ASSERT_TRUE(Deliver(kLeadConvertedEvent, lead).ok());
    ASSERT_TRUE(Deliver(kLeadConvertedEvent, lead).ok());
  }

  // "day owner created completed cancelled activities leads" of every owner_daily row.
  Rows OwnerDaily() {
    Rows out;
    EXPECT_TRUE(test_->pool()
                    .InTransaction([&](db::Transaction& tx) -> absl::Status {
                      CRM_ASSIGN_OR_RETURN(
                          db::Rows rows,
                          tx.Query("SELECT DATE_FORMAT(day, '%Y-%m-%d'), owner, orders_created, "
                                   "orders_completed, orders_cancelled, activities, "
                                   "leads_converted FROM owner_daily ORDER BY day, owner",
                                   {}));
                      for (const db::Row& r : rows) {
                        out.push_back(absl::StrCat(r.Str(0), " ", r.Str(1), " ", r.Int(2), " ",
                                                   r.Int(3), " ", r.Int(4), " ", r.Int(5), " ",
                                                   r.Int(6)));
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return out;
  }
};

// The value of the series of `name` with exactly `labels`; -1 when there is none.
double Series(prometheus::Registry& registry, const std::string& name,
              const std::map<std::string, std::string>& labels) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::map<std::string, std::string> have;
      for (const prometheus::ClientMetric::Label& l : metric.label) have[l.name] = l.value;
      if (have == labels) return metric.gauge.value;
    }
  }
  return -1;
}

TEST_F(OwnerDailyTest, OrdersActivitiesAndConversionsPerOwnerAndDay) {
  LoadFeeds();
  EXPECT_EQ(OwnerDaily(), (Rows{"2026-03-02 users/11 1 0 0 1 0",     // orders/1, activities/1
                                "2026-03-03 users/11 1 0 0 1 0",     // orders/2, activities/2
                                "2026-03-03 users/12 1 0 0 0 0",     // orders/3
                                "2026-03-04 users/11 0 0 1 0 0",     // orders/2 cancelled
                                "2026-03-05 users/11 0 1 0 0 0",     // orders/1 delivered
                                "2026-03-05 users/12 0 0 0 0 1",     // leads/1, once
                                "2026-03-06 users/11 1 0 0 0 0"}));  // orders/4, moved

  // The orders gauge: one order per status now; DELIVERED, left behind, reads 0.
  prometheus::Registry registry;
  BusinessGauges gauges(test_->pool(), test_->clock(), absl::FixedTimeZone(8 * 3600), registry);
  ASSERT_TRUE(gauges.Refresh().ok());
  for (const char* status : {"COMPLETED", "CANCELLED", "CONFIRMED", "DRAFT"}) {
    EXPECT_EQ(Series(registry, "crm_business_orders", {{"status", status}}), 1) << status;
  }
  EXPECT_EQ(Series(registry, "crm_business_orders", {{"status", "DELIVERED"}}), 0);
  EXPECT_EQ(Series(registry, "crm_business_orders", {{"status", "ON_HOLD"}}), -1);
}

TEST_F(OwnerDailyTest, ReplayFromZeroAndRepeatedEventsEndWithTheLiveFigures) {
  LoadFeeds();
  const Rows live = OwnerDaily();
  for (const events::v1::Event& event : std::vector<events::v1::Event>(delivered_)) {
    ASSERT_TRUE(Apply(event).ok());
  }
  EXPECT_EQ(OwnerDaily(), live);
  // Each feed rewound on its own clears only its measures.
  ASSERT_TRUE(
      test_->pool()
          .InTransaction([&](db::Transaction& tx) { return read_model_.Reset(tx, "orders"); })
          .ok());
  EXPECT_EQ(OwnerDaily(), (Rows{"2026-03-02 users/11 0 0 0 1 0", "2026-03-03 users/11 0 0 0 1 0",
                                "2026-03-05 users/12 0 0 0 0 1"}));
  ASSERT_TRUE(test_->pool()
                  .InTransaction([&](db::Transaction& tx) -> absl::Status {
                    CRM_RETURN_IF_ERROR(read_model_.Reset(tx, "activities"));
                    return read_model_.Reset(tx, "opportunities");
                  })
                  .ok());
  EXPECT_EQ(OwnerDaily(), Rows{});
  for (const events::v1::Event& event : std::vector<events::v1::Event>(delivered_)) {
    ASSERT_TRUE(Apply(event).ok());
  }
  EXPECT_EQ(OwnerDaily(), live);
}

}  // namespace
}  // namespace crm::analytics
