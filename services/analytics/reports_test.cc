// The sales report over the read model, against a real MariaDB schema: a fixed set of
// customers and deals delivered as the feeds deliver them, and every grouping checked against
// figures worked out by hand; what each role sees (a rep's report is the admin's filtered to
// the rep, a manager's their team's, support none); deals reopened, deleted, re-owned and
// customers moved; an event applied twice; both feeds replayed from zero in the other order
// ending with the same figures; bad requests; and the business gauges on /metrics.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "crm/customers/v1/customers.pb.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "libs/api/periods.h"
#include "libs/auth/testing.h"
#include "libs/grpc/status.h"
#include "libs/service/testing.h"
#include "services/analytics/event_types.h"
#include "services/analytics/gauges.h"
#include "services/analytics/read_model.h"
#include "services/analytics/report_service.h"
#include "services/analytics/report_store.h"
#include "services/analytics/testing.h"

namespace crm::analytics {
namespace {

namespace opps = opportunities::v1;
using auth::testing::MakeCaller;

// One row of a report as text: "key CUR units.nanos deals".
std::vector<std::string> Lines(const google::protobuf::RepeatedPtrField<v1::SalesRow>& rows) {
  std::vector<std::string> lines;
  for (const v1::SalesRow& row : rows) {
    lines.push_back(absl::StrCat(row.key(), " ", row.amount().currency_code(), " ",
                                 row.amount().units(), ".", row.amount().nanos() / 10000000, " ",
                                 row.won_deals()));
  }
  return lines;
}

google::type::Date Date(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

class ReportsTest : public testing::ReadModelTest {
 protected:
  ReportsTest() : ReadModelTest(absl::UTCTimeZone()) {}
  void SetUp() override {
    ReadModelTest::SetUp();
    service_ = std::make_unique<ReportService>(test_->kit(), *store_);
  }

  absl::Status Customer(int64_t id, const std::string& industry, const std::string& province,
                        const std::string& type = kCustomerCreatedEvent) {
    customers::v1::Customer c;
    c.set_name(absl::StrCat("customers/", id));
    c.set_industry(industry);
    c.mutable_region()->set_province(province);
    return Deliver(type, c);
  }

  static opps::Opportunity Deal(int64_t id, int64_t customer, int64_t owner,
                                const std::string& currency, int64_t units, int32_t nanos = 0) {
    opps::Opportunity o;
    o.set_name(absl::StrCat("opportunities/", id));
    o.set_customer(absl::StrCat("customers/", customer));
    o.set_owner(absl::StrCat("users/", owner));
    o.mutable_amount()->set_currency_code(currency);
    o.mutable_amount()->set_units(units);
    o.mutable_amount()->set_nanos(nanos);
    o.set_state(opps::OPEN);
    o.set_stage("pipelines/1/stages/1");
    return o;
  }
  static opps::Opportunity Won(opps::Opportunity o, int year, int month, int day) {
    o.set_state(opps::WON);
    *o.mutable_close_date() = Date(year, month, day);
    return o;
  }

  // Created open, then won on the day.
  absl::Status WinDeal(const opps::Opportunity& open, int year, int month, int day) {
    CRM_RETURN_IF_ERROR(Deliver(kOpportunityCreatedEvent, open));
    return Deliver(kOpportunityWonEvent, Won(open, year, month, day));
  }

  // The data set every test starts from, worked out by hand in the tests below:
  //   customers/1 制造业 浙江, customers/2 零售 江苏
  //   opportunities/1 users/11 customers/1 CNY 100000.00 won 2026-03-02 (Monday, 2026-W10)
  //   opportunities/2 users/11 customers/2 CNY   2500.50 won 2026-03-09 (2026-W11)
  //   opportunities/3 users/12 customers/1 USD   3000.00 won 2026-04-01 (2026-W14)
  //   opportunities/4 users/21 customers/2 CNY   7000.00 won 2026-03-15 (Sunday, 2026-W11)
  //   opportunities/5 users/11 open CNY 99999 (not a sale)
  //   opportunities/6 users/12 won 2026-03-03 CNY 500, then reopened (not a sale)
  //   opportunities/7 users/21 won 2026-03-04 CNY 800, then deleted (not a sale)
  void LoadDataSet() {
    ASSERT_TRUE(Customer(1, "制造业", "浙江").ok());
    ASSERT_TRUE(Customer(2, "零售", "江苏").ok());
    ASSERT_TRUE(WinDeal(Deal(1, 1, 11, "CNY", 100000), 2026, 3, 2).ok());
    ASSERT_TRUE(WinDeal(Deal(2, 2, 11, "CNY", 2500, 500000000), 2026, 3, 9).ok());
    ASSERT_TRUE(WinDeal(Deal(3, 1, 12, "USD", 3000), 2026, 4, 1).ok());
    ASSERT_TRUE(WinDeal(Deal(4, 2, 21, "CNY", 7000), 2026, 3, 15).ok());
    ASSERT_TRUE(Deliver(kOpportunityCreatedEvent, Deal(5, 1, 11, "CNY", 99999)).ok());
    ASSERT_TRUE(WinDeal(Deal(6, 1, 12, "CNY", 500), 2026, 3, 3).ok());
    ASSERT_TRUE(Deliver(kOpportunityReopenedEvent, Deal(6, 1, 12, "CNY", 500)).ok());
    ASSERT_TRUE(WinDeal(Deal(7, 2, 21, "CNY", 800), 2026, 3, 4).ok());
    ASSERT_TRUE(
        Deliver(kOpportunityDeletedEvent, Won(Deal(7, 2, 21, "CNY", 800), 2026, 3, 4)).ok());
  }

  absl::StatusOr<v1::SalesReport> Report(const auth::Caller& who, v1::SalesGrouping group_by,
                                         const std::string& owner = "",
                                         const std::string& currency = "",
                                         google::type::Date first = Date(2026, 1, 1),
                                         google::type::Date last = Date(2026, 12, 31)) {
    v1::GetSalesReportRequest request;
    *request.mutable_start_date() = first;
    *request.mutable_end_date() = last;
    request.set_group_by(group_by);
    request.set_owner(owner);
    request.set_currency_code(currency);
    v1::SalesReport out;
    CRM_RETURN_IF_ERROR(service_->DoGetSalesReport(who, request, &out));
    return out;
  }
  std::vector<std::string> RowsOf(const auth::Caller& who, v1::SalesGrouping group_by,
                                  const std::string& owner = "") {
    absl::StatusOr<v1::SalesReport> report = Report(who, group_by, owner);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? Lines(report->rows()) : std::vector<std::string>{"error"};
  }

  std::unique_ptr<ReportService> service_;
  const auth::Caller other_rep_ = MakeCaller(21, auth::v1::SALES_REP, "teams/2");
};

using Rows = std::vector<std::string>;

TEST_F(ReportsTest, EveryGroupingAddsUpTheWonDealsOfThePeriod) {
  LoadDataSet();
  EXPECT_EQ(RowsOf(admin_, v1::OWNER),
            (Rows{"users/11 CNY 102500.50 2", "users/12 USD 3000.0 1", "users/21 CNY 7000.0 1"}));
  EXPECT_EQ(RowsOf(admin_, v1::MONTH), (Rows{"2026-03 CNY 109500.50 3", "2026-04 USD 3000.0 1"}));
  EXPECT_EQ(RowsOf(admin_, v1::QUARTER), (Rows{"2026-Q1 CNY 109500.50 3", "2026-Q2 USD 3000.0 1"}));
  EXPECT_EQ(RowsOf(admin_, v1::YEAR), (Rows{"2026 CNY 109500.50 3", "2026 USD 3000.0 1"}));
  EXPECT_EQ(RowsOf(admin_, v1::WEEK),
            (Rows{"2026-W10 CNY 100000.0 1", "2026-W11 CNY 9500.50 2", "2026-W14 USD 3000.0 1"}));
  EXPECT_EQ(RowsOf(admin_, v1::DAY), (Rows{"2026-03-02 CNY 100000.0 1", "2026-03-09 CNY 2500.50 1",
                                           "2026-03-15 CNY 7000.0 1", "2026-04-01 USD 3000.0 1"}));
  EXPECT_EQ(RowsOf(admin_, v1::INDUSTRY),
            (Rows{"制造业 CNY 100000.0 1", "制造业 USD 3000.0 1", "零售 CNY 9500.50 2"}));
  EXPECT_EQ(RowsOf(admin_, v1::PROVINCE),
            (Rows{"江苏 CNY 9500.50 2", "浙江 CNY 100000.0 1", "浙江 USD 3000.0 1"}));

  absl::StatusOr<v1::SalesReport> year = Report(admin_, v1::OWNER);
  ASSERT_TRUE(year.ok()) << year.status();
  EXPECT_EQ(Lines(year->totals()), (Rows{" CNY 109500.50 3", " USD 3000.0 1"}));

  // The period's bounds are inclusive days; the currency filter keeps one currency.
  absl::StatusOr<v1::SalesReport> march =
      Report(admin_, v1::OWNER, "", "CNY", Date(2026, 3, 9), Date(2026, 3, 15));
  ASSERT_TRUE(march.ok()) << march.status();
  EXPECT_EQ(Lines(march->rows()), (Rows{"users/11 CNY 2500.50 1", "users/21 CNY 7000.0 1"}));
  absl::StatusOr<v1::SalesReport> dollars = Report(admin_, v1::OWNER, "", "USD");
  ASSERT_TRUE(dollars.ok()) << dollars.status();
  EXPECT_EQ(Lines(dollars->rows()), (Rows{"users/12 USD 3000.0 1"}));
}

TEST(SplitPeriodTest, WholeMonthsComeFromMonthlyRowsAndTheDaysAroundThemFromDailyRows) {
  using absl::CivilDay;
  auto text = [](const CubeRanges& r) {
    auto range = [](CivilDay a, CivilDay b) {
      return a > b ? std::string("-") : absl::StrCat(api::DateText(a), "..", api::DateText(b));
    };
    return absl::StrCat("months ", range(r.months_first, r.months_last), " head ",
                        range(r.head_first, r.head_last), " tail ",
                        range(r.tail_first, r.tail_last));
  };
  EXPECT_EQ(text(SplitPeriod(CivilDay(2026, 1, 1), CivilDay(2026, 12, 31), false)),
            "months 2026-01-01..2026-12-01 head - tail -");
  EXPECT_EQ(
      text(SplitPeriod(CivilDay(2026, 2, 15), CivilDay(2026, 4, 1), false)),
      "months 2026-03-01..2026-03-01 head 2026-02-15..2026-02-28 tail 2026-04-01..2026-04-01");
  EXPECT_EQ(text(SplitPeriod(CivilDay(2026, 3, 9), CivilDay(2026, 3, 15), false)),
            "months - head 2026-03-09..2026-03-15 tail -");
  EXPECT_EQ(text(SplitPeriod(CivilDay(2026, 3, 1), CivilDay(2026, 3, 30), false)),
            "months - head 2026-03-01..2026-03-30 tail -");
  EXPECT_EQ(text(SplitPeriod(CivilDay(2026, 1, 1), CivilDay(2026, 12, 31), true)),
            "months - head 2026-01-01..2026-12-31 tail -");
}

TEST_F(ReportsTest, PeriodsThatCutMonthsAddTheirDaysToTheWholeMonths) {
  LoadDataSet();
  // 5 March to 30 April: March's days from the 5th (deals 2 and 4, not 1), all of April.
  absl::StatusOr<v1::SalesReport> spring =
      Report(admin_, v1::MONTH, "", "", Date(2026, 3, 5), Date(2026, 4, 30));
  ASSERT_TRUE(spring.ok()) << spring.status();
  EXPECT_EQ(Lines(spring->rows()), (Rows{"2026-03 CNY 9500.50 2", "2026-04 USD 3000.0 1"}));
  // 15 February to 1 April: February's end, all of March, April's first day.
  absl::StatusOr<v1::SalesReport> industries =
      Report(admin_, v1::INDUSTRY, "", "", Date(2026, 2, 15), Date(2026, 4, 1));
  ASSERT_TRUE(industries.ok()) << industries.status();
  EXPECT_EQ(Lines(industries->rows()),
            (Rows{"制造业 CNY 100000.0 1", "制造业 USD 3000.0 1", "零售 CNY 9500.50 2"}));
  // The same period for a rep reads the rep's own rows and agrees with the admin's filter.
  absl::StatusOr<v1::SalesReport> mine =
      Report(rep_, v1::INDUSTRY, "", "", Date(2026, 2, 15), Date(2026, 4, 1));
  absl::StatusOr<v1::SalesReport> filtered =
      Report(admin_, v1::INDUSTRY, "users/11", "", Date(2026, 2, 15), Date(2026, 4, 1));
  ASSERT_TRUE(mine.ok() && filtered.ok()) << mine.status() << filtered.status();
  EXPECT_EQ(Lines(mine->rows()), (Rows{"制造业 CNY 100000.0 1", "零售 CNY 2500.50 1"}));
  EXPECT_EQ(Lines(mine->rows()), Lines(filtered->rows()));
}

TEST_F(ReportsTest, EachRoleSeesTheFiguresItMay) {
  LoadDataSet();
  // A rep's report is the admin's filtered to the rep, whatever the grouping.
  for (v1::SalesGrouping g : {v1::OWNER, v1::MONTH, v1::WEEK, v1::INDUSTRY}) {
    EXPECT_EQ(RowsOf(rep_, g), RowsOf(admin_, g, "users/11")) << v1::SalesGrouping_Name(g);
    EXPECT_EQ(RowsOf(other_rep_, g), RowsOf(admin_, g, "users/21")) << v1::SalesGrouping_Name(g);
  }
  EXPECT_EQ(RowsOf(rep_, v1::OWNER), (Rows{"users/11 CNY 102500.50 2"}));
  // Naming someone else narrows to nothing rather than widening.
  EXPECT_EQ(RowsOf(rep_, v1::OWNER, "users/21"), Rows{});
  // The manager: their team (11 and 12), not team 2.
  EXPECT_EQ(RowsOf(manager_, v1::OWNER),
            (Rows{"users/11 CNY 102500.50 2", "users/12 USD 3000.0 1"}));
  // Marketing reads everyone's; support none.
  EXPECT_EQ(RowsOf(marketing_, v1::OWNER), RowsOf(admin_, v1::OWNER));
  absl::StatusOr<v1::SalesReport> support = Report(support_, v1::OWNER);
  EXPECT_EQ(support.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(ReportsTest, FiguresFollowTheDealsAsTheyAreNow) {
  LoadDataSet();
  // Handed to users/12 with a new amount: out of users/11's figures, into users/12's.
  opps::Opportunity moved = Won(Deal(2, 2, 12, "CNY", 3000), 2026, 3, 9);
  ASSERT_TRUE(Deliver(kOpportunityUpdatedEvent, moved).ok());
  EXPECT_EQ(RowsOf(admin_, v1::OWNER), (Rows{"users/11 CNY 100000.0 1", "users/12 CNY 3000.0 1",
                                             "users/12 USD 3000.0 1", "users/21 CNY 7000.0 1"}));
  // A customer moved to another province takes its won deals along.
  ASSERT_TRUE(Customer(1, "制造业", "上海", kCustomerUpdatedEvent).ok());
  EXPECT_EQ(RowsOf(admin_, v1::PROVINCE),
            (Rows{"上海 CNY 100000.0 1", "上海 USD 3000.0 1", "江苏 CNY 10000.0 2"}));
  // Lost after all: gone from every report.
  opps::Opportunity lost = Deal(4, 2, 21, "CNY", 7000);
  lost.set_state(opps::LOST);
  *lost.mutable_close_date() = Date(2026, 3, 20);
  ASSERT_TRUE(Deliver(kOpportunityLostEvent, lost).ok());
  EXPECT_EQ(RowsOf(admin_, v1::PROVINCE),
            (Rows{"上海 CNY 100000.0 1", "上海 USD 3000.0 1", "江苏 CNY 3000.0 1"}));
  // A group left without deals is gone, not a row of zeros.
  EXPECT_EQ(test_->pool().InTransaction([](db::Transaction& tx) -> absl::Status {
    CRM_ASSIGN_OR_RETURN(db::Rows rows,
                         tx.Query("SELECT COUNT(*) FROM won_daily WHERE deals = 0", {}));
    return rows[0].Int(0) == 0 ? absl::OkStatus() : absl::InternalError("empty groups");
  }),
            absl::OkStatus());
}

TEST_F(ReportsTest, AnEventAppliedTwiceCountsOnce) {
  LoadDataSet();
  const Rows before = RowsOf(admin_, v1::DAY);
  for (const events::v1::Event& event : std::vector<events::v1::Event>(delivered_)) {
    ASSERT_TRUE(Apply(event).ok());
  }
  EXPECT_EQ(RowsOf(admin_, v1::DAY), before);
}

TEST_F(ReportsTest, ReplayingBothFeedsInAnotherOrderGivesTheSameFigures) {
  LoadDataSet();
  ASSERT_TRUE(Customer(2, "零售", "上海", kCustomerUpdatedEvent).ok());
  std::map<v1::SalesGrouping, Rows> live;
  for (int g = v1::OWNER; g <= v1::PROVINCE; ++g) {
    live[v1::SalesGrouping(g)] = RowsOf(admin_, v1::SalesGrouping(g));
  }
  // Rewind both feeds (what ConsumerAdmin's rewind does), then replay the opportunities feed
  // before the customers feed: deals arrive before the customers they belong to.
  ASSERT_TRUE(test_->pool()
                  .InTransaction([&](db::Transaction& tx) -> absl::Status {
                    CRM_RETURN_IF_ERROR(read_model_.Reset(tx, "customers"));
                    return read_model_.Reset(tx, "opportunities");
                  })
                  .ok());
  EXPECT_EQ(RowsOf(admin_, v1::OWNER), Rows{});
  const std::vector<events::v1::Event> events = delivered_;
  for (const events::v1::Event& e : events) {
    if (absl::StartsWith(e.type(), "crm.opportunities.")) {
      ASSERT_TRUE(Apply(e).ok());
    }
  }
  for (const events::v1::Event& e : events) {
    if (absl::StartsWith(e.type(), "crm.customers.")) {
      ASSERT_TRUE(Apply(e).ok());
    }
  }
  for (const auto& [g, rows] : live) {
    EXPECT_EQ(RowsOf(admin_, g), rows) << v1::SalesGrouping_Name(g);
  }
}

TEST_F(ReportsTest, BadRequestsNameTheirFields) {
  v1::GetSalesReportRequest request;
  v1::SalesReport out;
  absl::Status empty = service_->DoGetSalesReport(admin_, request, &out);
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolations(empty)) fields.push_back(v.field);
  EXPECT_EQ(fields, (Rows{"start_date", "end_date", "group_by"}));

  *request.mutable_start_date() = Date(2026, 3, 1);
  *request.mutable_end_date() = Date(2026, 2, 1);
  request.set_group_by(v1::MONTH);
  request.set_owner("teams/1");
  request.set_currency_code("yuan");
  absl::Status bad = service_->DoGetSalesReport(admin_, request, &out);
  fields.clear();
  for (const FieldViolation& v : FieldViolations(bad)) fields.push_back(v.field);
  EXPECT_EQ(fields, (Rows{"end_date", "owner", "currency_code"}));

  *request.mutable_end_date() = Date(2026, 2, 30);
  request.clear_owner();
  request.clear_currency_code();
  absl::Status no_such_day = service_->DoGetSalesReport(admin_, request, &out);
  ASSERT_EQ(FieldViolations(no_such_day).size(), 1u);
  EXPECT_EQ(FieldViolations(no_such_day)[0].field, "end_date");
}

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

TEST_F(ReportsTest, BusinessGaugesShowThePipelineAndThisMonthsSales) {
  opps::Pipeline pipeline;
  pipeline.set_name("pipelines/1");
  pipeline.set_display_name("标准流程");
  for (const auto& [name, display] : {std::pair{"pipelines/1/stages/1", "初步接洽"},
                                      std::pair{"pipelines/1/stages/2", "商务谈判"}}) {
    opps::Stage& stage = *pipeline.add_stages();
    stage.set_name(name);
    stage.set_display_name(display);
  }
  ASSERT_TRUE(Deliver(kPipelineCreatedEvent, pipeline).ok());
  LoadDataSet();
  // Open now: opportunities/5 (CNY 99999) and the reopened opportunities/6 (CNY 500), both in
  // the first stage; one more in the second stage without an amount.
  opps::Opportunity unpriced = Deal(8, 1, 11, "", 0);
  unpriced.clear_amount();
  unpriced.set_stage("pipelines/1/stages/2");
  ASSERT_TRUE(Deliver(kOpportunityCreatedEvent, unpriced).ok());

  prometheus::Registry registry;
  test_->clock().Set(
      absl::FromCivil(absl::CivilSecond(2026, 3, 20, 12, 0, 0), absl::FixedTimeZone(8 * 3600)));
  BusinessGauges gauges(test_->pool(), test_->clock(), absl::FixedTimeZone(8 * 3600), registry);
  ASSERT_TRUE(gauges.Refresh().ok());
  const std::map<std::string, std::string> first = {{"pipeline", "标准流程"},
                                                    {"stage", "初步接洽"}};
  std::map<std::string, std::string> first_cny = first;
  first_cny["currency"] = "CNY";
  EXPECT_EQ(Series(registry, "crm_business_pipeline_amount", first_cny), 100499);
  EXPECT_EQ(Series(registry, "crm_business_pipeline_deals", first), 2);
  EXPECT_EQ(Series(registry, "crm_business_pipeline_deals",
                   {{"pipeline", "标准流程"}, {"stage", "商务谈判"}}),
            1);
  // March: opportunities/1, 2 and 4 (April's is not this month's).
  EXPECT_EQ(Series(registry, "crm_business_won_amount_month", {{"currency", "CNY"}}), 109500.5);
  EXPECT_EQ(Series(registry, "crm_business_won_amount_month", {{"currency", "USD"}}), -1);
  EXPECT_EQ(Series(registry, "crm_business_won_deals_month", {}), 3);

  // opportunities/5 won: out of the pipeline, into the month; a stage left empty shows 0.
  ASSERT_TRUE(Deliver(kOpportunityWonEvent, Won(Deal(5, 1, 11, "CNY", 99999), 2026, 3, 20)).ok());
  ASSERT_TRUE(Deliver(kOpportunityLostEvent,
                      [&] {
                        opps::Opportunity lost = Deal(6, 1, 12, "CNY", 500);
                        lost.set_state(opps::LOST);
                        return lost;
                      }())
                  .ok());
  ASSERT_TRUE(gauges.Refresh().ok());
  EXPECT_EQ(Series(registry, "crm_business_pipeline_amount", first_cny), 0);
  EXPECT_EQ(Series(registry, "crm_business_pipeline_deals", first), 0);
  EXPECT_EQ(Series(registry, "crm_business_won_amount_month", {{"currency", "CNY"}}), 209499.5);
  EXPECT_EQ(Series(registry, "crm_business_won_deals_month", {}), 4);
}

}  // namespace
}  // namespace crm::analytics
