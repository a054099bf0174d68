// The staff ranking over the read model, against a real MariaDB schema: a fixed
// data set delivered as the feeds deliver it, every figure and rank checked against numbers
// worked out by hand in the comments; ties, the previous period's ranks, what each role sees,
// bad requests; the ranking as CSV and as a bar chart.
#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "crm/activities/v1/activities.pb.h"
#include "crm/customers/v1/customers.pb.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "crm/orders/v1/orders.pb.h"
#include "libs/api/periods.h"
#include "libs/auth/testing.h"
#include "libs/grpc/status.h"
#include "libs/service/testing.h"
#include "services/analytics/event_types.h"
#include "services/analytics/read_model.h"
#include "services/analytics/report_output.h"
#include "services/analytics/report_service.h"
#include "services/analytics/staff_ranking.h"
#include "services/analytics/team_roster.h"
#include "services/analytics/testing.h"

namespace crm::analytics {
namespace {

namespace opps = opportunities::v1;
using auth::testing::MakeCaller;
using Rows = std::vector<std::string>;

google::type::Date Date(int year, int month, int day) {
  return api::ToDate(absl::CivilDay(year, month, day));
}

google::protobuf::Timestamp At(absl::CivilSecond utc) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(absl::FromCivil(utc, absl::UTCTimeZone())));
  return t;
}

// "12.50" from a Money in minor units of two digits.
std::string Units(const common::v1::Money& m) {
  return absl::StrCat(m.units(), ".", absl::StrFormat("%02d", m.nanos() / 10000000));
}

// "rank owner revenue won new leads activities completed cancelled rate quota attainment |
// previous change", "-" for what is unset.
Rows Lines(const v1::StaffRanking& ranking) {
  Rows lines;
  for (const v1::StaffRankingRow& r : ranking.rows()) {
    lines.push_back(absl::StrCat(
        r.rank(), " ", r.owner(), " ", Units(r.revenue()), " ", r.won_deals(), " ",
        r.new_customers(), " ", r.leads_converted(), " ", r.activities(), " ", r.orders_completed(),
        " ", r.orders_cancelled(), " ",
        r.has_order_completion_rate_bp() ? absl::StrCat(r.order_completion_rate_bp()) : "-", " ",
        r.has_quota() ? Units(r.quota()) : "-", " ",
        r.has_quota_attainment_bp() ? absl::StrCat(r.quota_attainment_bp()) : "-", " | ",
        r.previous_rank(), " ", r.rank_change()));
  }
  return lines;
}

// "rank owner | previous change" only.
Rows Places(const v1::StaffRanking& ranking) {
  Rows lines;
  for (const v1::StaffRankingRow& r : ranking.rows()) {
    lines.push_back(
        absl::StrCat(r.rank(), " ", r.owner(), " | ", r.previous_rank(), " ", r.rank_change()));
  }
  return lines;
}

// A team's members as the auth service would list them to this service; records each ask.
class FakeRoster final : public TeamRoster {
 public:
  explicit FakeRoster(auth::testing::FakeUserDirectory& users) : users_(users) {}
  absl::StatusOr<std::vector<std::string>> ActiveMembers(std::string_view team) override {
    asked.emplace_back(team);
    return users_.ActiveMembers(team, "");
  }
  std::vector<std::string> asked;

 private:
  auth::testing::FakeUserDirectory& users_;
};

TEST(StaffRankingTest, ThePreviousPeriodIsTheCalendarOneBeforeOrAsManyDaysBefore) {
  using D = absl::CivilDay;
  auto previous = [](D first, D last) {
    const auto [from, to] = PreviousPeriod(first, last);
    return absl::StrCat(api::DateText(from), " ", api::DateText(to));
  };
  EXPECT_EQ(previous(D(2026, 3, 1), D(2026, 3, 31)), "2026-02-01 2026-02-28");  // a month
  EXPECT_EQ(previous(D(2024, 3, 1), D(2024, 3, 31)), "2024-02-01 2024-02-29");
  EXPECT_EQ(previous(D(2026, 1, 1), D(2026, 1, 31)), "2025-12-01 2025-12-31");
  EXPECT_EQ(previous(D(2026, 4, 1), D(2026, 6, 30)), "2026-01-01 2026-03-31");   // a quarter
  EXPECT_EQ(previous(D(2026, 1, 1), D(2026, 12, 31)), "2025-01-01 2025-12-31");  // a year
  // Anything else: the same number of days just before.
  EXPECT_EQ(previous(D(2026, 3, 10), D(2026, 3, 16)), "2026-03-03 2026-03-09");
  EXPECT_EQ(previous(D(2026, 2, 1), D(2026, 3, 31)), "2025-12-04 2026-01-31");  // two months
  EXPECT_EQ(previous(D(2026, 3, 1), D(2026, 3, 1)), "2026-02-28 2026-02-28");

  EXPECT_EQ(QuotaPeriodKey(D(2026, 3, 1), D(2026, 3, 31)), "2026-03");
  EXPECT_EQ(QuotaPeriodKey(D(2026, 4, 1), D(2026, 6, 30)), "2026-Q2");
  EXPECT_EQ(QuotaPeriodKey(D(2026, 1, 1), D(2026, 12, 31)), "2026");
  EXPECT_EQ(QuotaPeriodKey(D(2026, 2, 1), D(2026, 4, 30)), "");  // not a calendar quarter
  EXPECT_EQ(QuotaPeriodKey(D(2026, 3, 1), D(2026, 3, 30)), "");
}

TEST(StaffRankingTest, CompetitionRanksShareTiesAndPutTheFigurelessLast) {
  const auto ranks = CompetitionRanks({{"users/1", 50},
                                       {"users/2", 70},
                                       {"users/3", 50},
                                       {"users/4", std::nullopt},
                                       {"users/5", 10},
                                       {"users/6", std::nullopt}});
  EXPECT_EQ(ranks, (std::map<std::string, int32_t>{{"users/1", 2},
                                                   {"users/2", 1},
                                                   {"users/3", 2},
                                                   {"users/4", 5},
                                                   {"users/5", 4},
                                                   {"users/6", 5}}));
  EXPECT_EQ(ShareBasisPoints(2, 3), 6667);  // 6666.67
  EXPECT_EQ(ShareBasisPoints(1, 3), 3333);
  EXPECT_EQ(ShareBasisPoints(1, 20000), 1);  // 0.5 rounds away from zero
  EXPECT_EQ(ShareBasisPoints(0, 5), 0);
  EXPECT_EQ(ShareBasisPoints(5, 0), std::nullopt);
  EXPECT_EQ(ShareBasisPoints(int64_t{1} << 50, 1), std::numeric_limits<int32_t>::max());
}

TEST(StaffRankingTest, ALongRankingChartsItsTopAndExportsEveryRow) {
  v1::GetStaffRankingRequest request;
  *request.mutable_start_date() = Date(2026, 3, 1);
  *request.mutable_end_date() = Date(2026, 3, 31);
  request.set_currency_code("CNY");
  v1::StaffRanking report;
  report.set_currency_code("CNY");
  for (int i = 1; i <= 250; ++i) {
    v1::StaffRankingRow& row = *report.add_rows();
    row.set_owner(absl::StrCat("users/", i));
    row.mutable_revenue()->set_currency_code("CNY");
    row.mutable_revenue()->set_units(1000 - i);
    row.set_rank(i);
  }
  ReportView view = RankingView(request, report, Language::kZh);
  EXPECT_EQ(view.rows.size(), 250u);
  ASSERT_EQ(view.chart.categories.size(), chart::kMaxCategories);
  EXPECT_EQ(view.chart.categories.back(), "200. users/200");
  EXPECT_EQ(view.chart.series[0].values.back(), 800);
  EXPECT_EQ(view.chart.title, "员工排名 2026-03-01 至 2026-03-31（按成交额 CNY）");
  v1::RenderChartRequest draw;
  EXPECT_TRUE(DrawChart(std::move(view), draw).ok());
}

class RankingTest : public testing::ReadModelTest {
 protected:
  // The company's calendar is UTC+8 (times below are 02:00 UTC: the same day there).
  RankingTest() : ReadModelTest(absl::FixedTimeZone(8 * 3600)) {}
  void SetUp() override {
    ReadModelTest::SetUp();
    roster_ = std::make_unique<FakeRoster>(test_->users());
    service_ =
        std::make_unique<ReportService>(test_->kit(), *store_, absl::UTCTimeZone(), roster_.get());
    output_ = std::make_unique<ReportOutputService>(test_->kit(), *service_);
  }

  // A deal created open and then won on `day`.
  void WonDeal(int64_t id, int64_t owner, const std::string& currency, int64_t units,
               absl::CivilDay day) {
    opps::Opportunity o;
    o.set_name(absl::StrCat("opportunities/", id));
    o.set_customer("customers/100");
    o.set_owner(absl::StrCat("users/", owner));
    o.mutable_amount()->set_currency_code(currency);
    o.mutable_amount()->set_units(units);
    o.set_state(opps::OPEN);
    o.set_stage("pipelines/1/stages/1");
    ASSERT_TRUE(Deliver(kOpportunityCreatedEvent, o).ok());
    o.set_state(opps::WON);
    *o.mutable_close_date() = api::ToDate(day);
    ASSERT_TRUE(Deliver(kOpportunityWonEvent, o).ok());
  }
  void NewCustomer(int64_t id, int64_t owner, absl::CivilDay day) {
    customers::v1::Customer c;
    c.set_name(absl::StrCat("customers/", id));
    c.set_owner(absl::StrCat("users/", owner));
    *c.mutable_create_time() = At(absl::CivilSecond(day.year(), day.month(), day.day(), 2, 0, 0));
    ASSERT_TRUE(Deliver(kCustomerCreatedEvent, c).ok());
  }
  // An order created on `created` that goes straight to `status` on `ended`.
  void Order(int64_t id, int64_t owner, absl::CivilDay created, orders::v1::OrderStatus status,
             absl::CivilDay ended) {
    orders::v1::Order o;
    o.set_name(absl::StrCat("orders/", id));
    o.set_owner(absl::StrCat("users/", owner));
    o.set_status(orders::v1::DRAFT);
    const absl::CivilSecond c(created.year(), created.month(), created.day(), 2, 0, 0);
    *o.mutable_create_time() = At(c);
    *o.mutable_status_time() = At(c);
    ASSERT_TRUE(Deliver(kOrderCreatedEvent, o).ok());
    o.set_status(status);
    *o.mutable_status_time() =
        At(absl::CivilSecond(ended.year(), ended.month(), ended.day(), 2, 0, 0));
    orders::v1::StatusChangeEvent change;
    *change.mutable_order() = o;
    change.set_to_status(status);
    ASSERT_TRUE(Deliver(kOrderStatusChangedEvent, change).ok());
  }
  void Activity(int64_t id, int64_t performer, absl::CivilDay day) {
    activities::v1::Activity a;
    a.set_name(absl::StrCat("activities/", id));
    a.set_performer(absl::StrCat("users/", performer));
    *a.mutable_activity_time() = At(absl::CivilSecond(day.year(), day.month(), day.day(), 2, 0, 0));
    ASSERT_TRUE(Deliver(kActivityLoggedEvent, a).ok());
  }
  void LeadConverted(int64_t id, int64_t owner, absl::CivilDay day) {
    opps::Lead lead;
    lead.set_name(absl::StrCat("leads/", id));
    lead.set_owner(absl::StrCat("users/", owner));
    lead.set_status(opps::CONVERTED);
    *lead.mutable_convert_time() =
        At(absl::CivilSecond(day.year(), day.month(), day.day(), 2, 0, 0));
    ASSERT_TRUE(Deliver(kLeadConvertedEvent, lead).ok());
  }
  void Quota(int64_t owner, const std::string& period, int64_t units) {
    opps::Quota q;
    q.set_owner(absl::StrCat("users/", owner));
    q.set_period(period);
    q.mutable_amount()->set_currency_code("CNY");
    q.mutable_amount()->set_units(units);
    ASSERT_TRUE(Deliver(kQuotaSetEvent, q).ok());
  }

  // The data set; the ranking is of March 2026 (previous period: February), in CNY:
  //   won     users/11 CNY 3000 03-05, 1000 03-20; 1000 02-10
  //           users/12 CNY 4000 03-10; 3000 02-01, 2000 02-28
  //           users/13 CNY 500 03-15, USD 100 03-16; 2000 02-20; CNY 9999 04-01 (after)
  //           users/21 CNY 6000 03-31; 9999 01-31 (before February)
  //   March:  revenue 21 6000, 11 4000, 12 4000, 13 500 (won deals 1, 2, 1, 2)
  //   Feb:    revenue 12 5000, 13 2000, 11 1000, 21 0
  //   new customers  users/11 03-10 and 02-05; users/12 03-03 and 03-20
  //   leads converted  users/13 03-02 and 03-09; users/11 03-12
  //   activities  users/11 03-01, 03-02, 03-31; users/12 03-04; users/21 03-05, 03-06
  //   orders  users/11: 2 completed (DELIVERED 03-05, COMPLETED 03-06), 1 cancelled 03-07
  //           users/12: 1 DELIVERED 03-09; users/21: 1 cancelled 03-08
  //           completion: 11 6667 (2/3), 12 10000, 21 0, 13 none
  //   quotas 2026-03 CNY: users/11 8000 (attained 5000), users/12 5000 (8000),
  //          users/21 6000 (10000); users/13 none; February: no quotas
  void Load() {
    const auto d = [](int month, int day) { return absl::CivilDay(2026, month, day); };
    WonDeal(1, 11, "CNY", 3000, d(3, 5));
    WonDeal(2, 11, "CNY", 1000, d(3, 20));
    WonDeal(3, 11, "CNY", 1000, d(2, 10));
    WonDeal(4, 12, "CNY", 4000, d(3, 10));
    WonDeal(5, 12, "CNY", 3000, d(2, 1));
    WonDeal(6, 12, "CNY", 2000, d(2, 28));
    WonDeal(7, 13, "CNY", 500, d(3, 15));
    WonDeal(8, 13, "USD", 100, d(3, 16));
    WonDeal(9, 13, "CNY", 2000, d(2, 20));
    WonDeal(10, 13, "CNY", 9999, d(4, 1));
    WonDeal(11, 21, "CNY", 6000, d(3, 31));
    WonDeal(12, 21, "CNY", 9999, d(1, 31));
    NewCustomer(1, 11, d(3, 10));
    NewCustomer(2, 11, d(2, 5));
    NewCustomer(3, 12, d(3, 3));
    NewCustomer(4, 12, d(3, 20));
    LeadConverted(1, 13, d(3, 2));
    LeadConverted(2, 13, d(3, 9));
    LeadConverted(3, 11, d(3, 12));
    Activity(1, 11, d(3, 1));
    Activity(2, 11, d(3, 2));
    Activity(3, 11, d(3, 31));
    Activity(4, 12, d(3, 4));
    Activity(5, 21, d(3, 5));
    Activity(6, 21, d(3, 6));
    Order(1, 11, d(3, 2), orders::v1::DELIVERED, d(3, 5));
    Order(2, 11, d(3, 3), orders::v1::COMPLETED, d(3, 6));
    Order(3, 11, d(3, 4), orders::v1::CANCELLED, d(3, 7));
    Order(4, 12, d(3, 5), orders::v1::DELIVERED, d(3, 9));
    Order(5, 21, d(3, 6), orders::v1::CANCELLED, d(3, 8));
    Quota(11, "2026-03", 8000);
    Quota(12, "2026-03", 5000);
    Quota(21, "2026-03", 6000);
    Quota(13, "2026-Q1", 1000);  // another period: no quota for March
  }

  absl::StatusOr<v1::StaffRanking> Ranking(
      const auth::Caller& who, v1::RankingMetric rank_by = v1::RANK_BY_UNSPECIFIED,
      const std::function<void(v1::GetStaffRankingRequest&)>& more = nullptr) {
    v1::GetStaffRankingRequest request;
    *request.mutable_start_date() = Date(2026, 3, 1);
    *request.mutable_end_date() = Date(2026, 3, 31);
    request.set_currency_code("CNY");
    request.set_rank_by(rank_by);
    if (more) more(request);
    v1::StaffRanking out;
    CRM_RETURN_IF_ERROR(service_->DoGetStaffRanking(who, request, &out));
    return out;
  }

  std::unique_ptr<FakeRoster> roster_;
  std::unique_ptr<ReportService> service_;
  std::unique_ptr<ReportOutputService> output_;
  // The rep whose own ranking the tests ask for.
  const auth::Caller rep12_ = MakeCaller(12, auth::v1::SALES_REP, "teams/1");
};

TEST_F(RankingTest, RanksEveryoneByRevenueWithTiesAndThePreviousPeriod) {
  Load();
  absl::StatusOr<v1::StaffRanking> r = Ranking(admin_);
  ASSERT_TRUE(r.ok()) << r.status();
  // users/11 and users/12 tie at 4000 (rank 2, by id), users/13 comes 4th; in February
  // users/12 led (5000), then 13 (2000), 11 (1000), 21 (nothing).
  EXPECT_EQ(Lines(*r), (Rows{"1 users/21 6000.00 1 0 0 2 0 1 0 6000.00 10000 | 4 3",
                             "2 users/11 4000.00 2 1 1 3 2 1 6667 8000.00 5000 | 3 1",
                             "2 users/12 4000.00 1 2 0 1 1 0 10000 5000.00 8000 | 1 -1",
                             "4 users/13 500.00 2 0 2 0 0 0 - - - | 2 -2"}));
  EXPECT_EQ(r->ranked(), 4);
  EXPECT_EQ(r->rank_by(), v1::RANK_BY_REVENUE);
  EXPECT_EQ(api::DateText(*api::FromDate(r->previous_start_date(), "")), "2026-02-01");
  EXPECT_EQ(api::DateText(*api::FromDate(r->previous_end_date(), "")), "2026-02-28");
  // Marketing sees every figure too.
  absl::StatusOr<v1::StaffRanking> m = Ranking(marketing_);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->SerializeAsString(), r->SerializeAsString());
}

TEST_F(RankingTest, EachFigureRanksItsOwnWay) {
  Load();
  auto places = [&](v1::RankingMetric metric) {
    absl::StatusOr<v1::StaffRanking> r = Ranking(admin_, metric);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? Places(*r) : Rows{"error"};
  };
  // Won deals: 11 and 13 two each, 12 and 21 one; February: 12 two, 11 and 13 one, 21 none.
  EXPECT_EQ(places(v1::RANK_BY_WON_DEALS), (Rows{"1 users/11 | 2 1", "1 users/13 | 2 1",
                                                 "3 users/12 | 1 -2", "3 users/21 | 4 1"}));
  // Attainment: 21 10000, 12 8000, 11 5000, 13 without a quota last; February had no quotas,
  // so everyone shared the rank after nobody (1).
  EXPECT_EQ(places(v1::RANK_BY_QUOTA_ATTAINMENT), (Rows{"1 users/21 | 1 0", "2 users/12 | 1 -1",
                                                        "3 users/11 | 1 -2", "4 users/13 | 1 -3"}));
  // Completion: 12 10000, 11 6667, 21 0, 13 without orders that ended last.
  EXPECT_EQ(
      places(v1::RANK_BY_ORDER_COMPLETION_RATE),
      (Rows{"1 users/12 | 1 0", "2 users/11 | 1 -1", "3 users/21 | 1 -2", "4 users/13 | 1 -3"}));
  // Activities: 11 3, 21 2, 12 1, 13 0. New customers: 12 2, 11 1 (February: 11 1).
  EXPECT_EQ(places(v1::RANK_BY_ACTIVITIES), (Rows{"1 users/11 | 1 0", "2 users/21 | 1 -1",
                                                  "3 users/12 | 1 -2", "4 users/13 | 1 -3"}));
  EXPECT_EQ(places(v1::RANK_BY_NEW_CUSTOMERS), (Rows{"1 users/12 | 2 1", "2 users/11 | 1 -1",
                                                     "3 users/13 | 2 -1", "3 users/21 | 2 -1"}));
  EXPECT_EQ(places(v1::RANK_BY_LEADS_CONVERTED), (Rows{"1 users/13 | 1 0", "2 users/11 | 1 -1",
                                                       "3 users/12 | 1 -2", "3 users/21 | 1 -2"}));
}

TEST_F(RankingTest, ARepSeesTheirOwnRowRankedAmongTheirTeam) {
  Load();
  absl::StatusOr<v1::StaffRanking> mine = Ranking(rep12_);
  ASSERT_TRUE(mine.ok()) << mine.status();
  // Team 1 is users/10 (no figures), 11, 12, 13: 11 and 12 tie first at 4000; in February 12
  // led. Only users/12's own row comes back.
  EXPECT_EQ(Lines(*mine), (Rows{"1 users/12 4000.00 1 2 0 1 1 0 10000 5000.00 8000 | 1 0"}));
  EXPECT_EQ(mine->ranked(), 4);
  // The team was read as this service, not with the rep's token.
  EXPECT_EQ(roster_->asked, (std::vector<std::string>{"teams/1"}));
  // The admin's ranking of that team has the same row for users/12.
  absl::StatusOr<v1::StaffRanking> team =
      Ranking(admin_, v1::RANK_BY_UNSPECIFIED,
              [](v1::GetStaffRankingRequest& q) { q.set_team("teams/1"); });
  ASSERT_TRUE(team.ok()) << team.status();
  ASSERT_EQ(team->rows_size(), 4);
  EXPECT_EQ(team->rows(1).owner(), "users/12");
  EXPECT_EQ(team->rows(1).SerializeAsString(), mine->rows(0).SerializeAsString());
  EXPECT_EQ(Places(*team), (Rows{"1 users/11 | 3 2", "1 users/12 | 1 0", "3 users/13 | 2 -1",
                                 "4 users/10 | 4 0"}));
  // Naming their own team changes nothing; another is refused.
  absl::StatusOr<v1::StaffRanking> own =
      Ranking(rep12_, v1::RANK_BY_UNSPECIFIED,
              [](v1::GetStaffRankingRequest& q) { q.set_team("teams/1"); });
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->SerializeAsString(), mine->SerializeAsString());
  absl::StatusOr<v1::StaffRanking> other =
      Ranking(rep12_, v1::RANK_BY_UNSPECIFIED,
              [](v1::GetStaffRankingRequest& q) { q.set_team("teams/2"); });
  EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(RankingTest, AManagerRanksThemselfAndTheirTeamWithOrWithoutFigures) {
  Load();
  absl::StatusOr<v1::StaffRanking> r = Ranking(manager_);
  ASSERT_TRUE(r.ok()) << r.status();
  // users/21 is not theirs; users/10 (the manager) has nothing and comes last.
  EXPECT_EQ(Lines(*r), (Rows{"1 users/11 4000.00 2 1 1 3 2 1 6667 8000.00 5000 | 3 2",
                             "1 users/12 4000.00 1 2 0 1 1 0 10000 5000.00 8000 | 1 0",
                             "3 users/13 500.00 2 0 2 0 0 0 - - - | 2 -1",
                             "4 users/10 0.00 0 0 0 0 0 0 - - - | 4 0"}));
  // Another manager's team brings nobody of theirs into view.
  absl::StatusOr<v1::StaffRanking> other =
      Ranking(manager_, v1::RANK_BY_UNSPECIFIED,
              [](v1::GetStaffRankingRequest& q) { q.set_team("teams/2"); });
  if (other.ok()) {
    EXPECT_EQ(other->rows_size(), 0);
  } else {
    EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied);
  }
}

TEST_F(RankingTest, SupportSeesNoRankingAndBadRequestsNameTheirFields) {
  Load();
  EXPECT_EQ(Ranking(support_).status().code(), absl::StatusCode::kPermissionDenied);

  v1::GetStaffRankingRequest request;
  request.set_team("team-1");
  request.set_rank_by(static_cast<v1::RankingMetric>(42));
  v1::StaffRanking out;
  absl::Status status = service_->DoGetStaffRanking(admin_, request, &out);
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolations(status)) fields.push_back(v.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"start_date", "end_date", "team", "currency_code",
                                              "rank_by"}));
  // Through the chart, the field is named under its path.
  v1::RenderChartRequest chart;
  *chart.mutable_report()->mutable_ranking()->mutable_start_date() = Date(2026, 3, 1);
  *chart.mutable_report()->mutable_ranking()->mutable_end_date() = Date(2026, 3, 31);
  v1::Chart svg;
  status = output_->Render(admin_, chart, &svg);
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(FieldViolations(status).size(), 1u);
  EXPECT_EQ(FieldViolations(status)[0].field, "report.ranking.currency_code");
}

TEST_F(RankingTest, TheRankingExportsEveryFigureAndChartsTheRankedOne) {
  Load();
  v1::GetStaffRankingRequest request;
  *request.mutable_start_date() = Date(2026, 3, 1);
  *request.mutable_end_date() = Date(2026, 3, 31);
  request.set_currency_code("CNY");
  request.set_rank_by(v1::RANK_BY_QUOTA_ATTAINMENT);
  v1::StaffRanking report;
  ASSERT_TRUE(service_->DoGetStaffRanking(admin_, request, &report).ok());

  ReportView view = RankingView(request, report, Language::kEn);
  EXPECT_EQ(absl::StrJoin(view.columns, ","),
            "rank,owner,currency_code,revenue,won_deals,new_customers,leads_converted,activities,"
            "orders_completed,orders_cancelled,order_completion_rate_bp,quota,"
            "quota_attainment_bp,previous_rank,rank_change");
  Rows csv;
  for (const auto& row : view.rows) csv.push_back(absl::StrJoin(row, ","));
  EXPECT_EQ(csv, (Rows{"1,users/21,CNY,6000.00,1,0,0,2,0,1,0,6000.00,10000,1,0",
                       "2,users/12,CNY,4000.00,1,2,0,1,1,0,10000,5000.00,8000,1,-1",
                       "3,users/11,CNY,4000.00,2,1,1,3,2,1,6667,8000.00,5000,1,-2",
                       "4,users/13,CNY,500.00,2,0,2,0,0,0,,,,1,-3"}));
  // One bar per owner in rank order, the attainment in percent (none reads 0).
  EXPECT_EQ(view.chart.categories,
            (Rows{"1. users/21", "2. users/12", "3. users/11", "4. users/13"}));
  ASSERT_EQ(view.chart.series.size(), 1u);
  EXPECT_EQ(view.chart.series[0].values, (std::vector<double>{100, 80, 50, 0}));
  EXPECT_EQ(view.chart.title, "Staff ranking 2026-03-01 to 2026-03-31 by quota attainment %");
  EXPECT_EQ(view.kinds, (std::vector<v1::ChartKind>{v1::BAR_CHART}));

  // Through the service: an SVG bar chart with the Chinese title; a pie is refused.
  v1::RenderChartRequest chart;
  *chart.mutable_report()->mutable_ranking() = request;
  v1::Chart svg;
  ASSERT_TRUE(output_->Render(admin_, chart, &svg).ok());
  EXPECT_EQ(svg.content_type(), "image/svg+xml");
  EXPECT_NE(svg.svg().find("员工排名 2026-03-01 至 2026-03-31（按配额达成率 %）"),
            std::string::npos);
  EXPECT_NE(svg.svg().find("users/21"), std::string::npos);
  EXPECT_NE(svg.svg().find("class=\"bar\""), std::string::npos);
  chart.set_kind(v1::PIE_CHART);
  EXPECT_EQ(output_->Render(admin_, chart, &svg).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::analytics
