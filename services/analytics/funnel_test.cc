// The funnel, forecast and win/loss reports and the leads gauge over the read model, against
// a real MariaDB schema: a fixed set of leads, deals, stage changes and quotas delivered as the
// opportunities feed delivers them (each event with its sequence and time), every figure
// checked against numbers worked out by hand below; what each role sees; every event applied
// a second time changing nothing; and the feed replayed from zero ending with the same tables.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "libs/auth/testing.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "libs/service/testing.h"
#include "services/analytics/event_types.h"
#include "services/analytics/funnel_gauge.h"
#include "services/analytics/read_model.h"
#include "services/analytics/report_output.h"
#include "services/analytics/report_service.h"
#include "services/analytics/testing.h"

namespace crm::analytics {
namespace {

namespace opps = opportunities::v1;
using google::protobuf::util::MessageDifferencer;
using Rows = std::vector<std::string>;

const absl::TimeZone kZone = absl::FixedTimeZone(8 * 3600);  // the company's, +08:00

absl::Time At(int month, int day, int hour = 10, int minute = 0) {
  return absl::FromCivil(absl::CivilSecond(2026, month, day, hour, minute, 0), kZone);
}

google::type::Date Date(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

std::string Text(const common::v1::Money& m) {
  return absl::StrCat(m.currency_code(), " ", m.units());
}

// A funnel step as "kind name entries amounts advanced conv left avg p90".
std::string Line(const v1::FunnelStep& s) {
  std::vector<std::string> amounts;
  for (const common::v1::Money& m : s.amounts()) amounts.push_back(Text(m));
  return absl::StrCat(v1::FunnelStepKind_Name(s.kind()), " ", s.display_name(), " ", s.entries(),
                      " [", absl::StrJoin(amounts, ","), "] ", s.advanced(), " ", s.conversion_bp(),
                      " ", s.left_count(), " ", s.average_seconds(), " ", s.p90_seconds(),
                      s.p90_open_ended() ? "+" : "", s.bottleneck() ? " *" : "");
}

// Forecast figures as "owner CUR closed commit best pipeline weighted quota att proj won open".
std::string Line(const v1::ForecastFigures& f) {
  return absl::StrCat(f.owner(), " ", f.currency_code(), " ", f.closed().units(), " ",
                      f.commit().units(), " ", f.best_case().units(), " ", f.pipeline().units(),
                      " ", f.weighted().units(), " ", f.quota().units(), " ", f.attainment_bp(),
                      " ", f.projection().units(), " ", f.won_count(), " ", f.open_count());
}

std::string Line(const v1::WinLossRow& r) {
  return absl::StrCat(r.key(), " ", r.has_amount() ? Text(r.amount()) : "-", " ", r.deals());
}

std::string Line(const v1::WinRate& r) {
  return absl::StrCat(r.owner(), " ", r.won(), " ", r.lost(), " ", r.win_rate_bp());
}

template <typename T>
Rows Lines(const google::protobuf::RepeatedPtrField<T>& items) {
  Rows lines;
  for (const T& item : items) lines.push_back(Line(item));
  return lines;
}

class FunnelTest : public testing::ReadModelTest {
 protected:
  FunnelTest() : ReadModelTest(kZone) {}
  void SetUp() override {
    ReadModelTest::SetUp();
    service_ = std::make_unique<ReportService>(test_->kit(), *store_, kZone);
    test_->clock().Set(At(3, 16, 12));
  }

  // Delivers one event of the opportunities feed at `time`.
  void Feed(const std::string& type, absl::Time time, const google::protobuf::Message& payload) {
    ASSERT_TRUE(Deliver(type, payload, time).ok()) << type;
  }

  void Pipeline() {
    opps::Pipeline p;
    p.set_name("pipelines/1");
    p.set_display_name("标准流程");
    p.set_is_default(true);
    const std::vector<std::pair<const char*, opps::StageType>> stages = {{"初步接洽", opps::OPEN},
                                                                         {"方案报价", opps::OPEN},
                                                                         {"商务谈判", opps::OPEN},
                                                                         {"赢单", opps::WON},
                                                                         {"输单", opps::LOST}};
    for (size_t i = 0; i < stages.size(); ++i) {
      opps::Stage& s = *p.add_stages();
      s.set_name(absl::StrCat("pipelines/1/stages/", i + 1));
      s.set_display_name(stages[i].first);
      s.set_type(stages[i].second);
    }
    Feed(kPipelineCreatedEvent, At(1, 1), p);
  }

  static opps::Lead Lead(int id, int owner, opps::LeadStatus status, absl::Time created) {
    opps::Lead lead;
    lead.set_name(absl::StrCat("leads/", id));
    lead.set_owner(absl::StrCat("users/", owner));
    lead.set_status(status);
    lead.set_campaign("2026-spring-expo");
    *lead.mutable_create_time() = ToTimestamp(created);
    return lead;
  }
  void LeadChange(const std::string& type, opps::Lead lead, opps::LeadStatus status,
                  absl::Time when) {
    lead.set_status(status);
    if (status == opps::CONVERTED) *lead.mutable_convert_time() = ToTimestamp(when);
    Feed(type, when, lead);
  }

  static opps::Opportunity Deal(int id, int owner, const std::string& currency, int64_t units) {
    opps::Opportunity o;
    o.set_name(absl::StrCat("opportunities/", id));
    o.set_customer("customers/1");
    o.set_owner(absl::StrCat("users/", owner));
    o.mutable_amount()->set_currency_code(currency);
    o.mutable_amount()->set_units(units);
    o.set_state(opps::OPEN);
    o.set_stage("pipelines/1/stages/1");
    return o;
  }
  void Move(opps::Opportunity& o, int stage, absl::Time when) {
    o.set_stage(absl::StrCat("pipelines/1/stages/", stage));
    Feed(kOpportunityStageChangedEvent, when, o);
  }
  void Win(opps::Opportunity& o, absl::Time when) {
    o.set_stage("pipelines/1/stages/4");
    o.set_state(opps::WON);
    o.set_forecast_category(opps::CLOSED);
    o.set_probability(100);
    *o.mutable_close_date() = api::ToDate(api::DayIn(when, kZone));
    Feed(kOpportunityWonEvent, when, o);
  }
  void Lose(opps::Opportunity& o, absl::Time when, const std::string& reason,
            const std::string& competitor) {
    o.set_stage("pipelines/1/stages/5");
    o.set_state(opps::LOST);
    o.set_forecast_category(opps::OMITTED);
    o.set_probability(0);
    o.set_loss_reason(reason);
    o.set_lost_to(competitor);
    *o.mutable_close_date() = api::ToDate(api::DayIn(when, kZone));
    Feed(kOpportunityLostEvent, when, o);
  }
  static opps::Quota Quota(int owner, const std::string& period, int64_t units) {
    opps::Quota q;
    q.set_owner(absl::StrCat("users/", owner));
    q.set_period(period);
    q.mutable_amount()->set_currency_code("CNY");
    q.mutable_amount()->set_units(units);
    return q;
  }

  // The data set, in the company's time zone (+08), worked out by hand in the tests:
  //   leads/1 users/11 created 03-01, QUALIFIED 03-03, converted 03-05
  //   leads/2 users/11 created QUALIFIED 03-02, disqualified 03-10
  //   leads/3 users/12 created 03-04, NEW still
  //   leads/4 users/21 created CONTACTED 03-06, converted 03-08 (qualified: on conversion)
  //   leads/5 users/11 created 02-20, QUALIFIED 03-02
  //   leads/6 users/11 created 03-07, deleted 03-09
  //   opportunities/1 users/11 CNY 10000: stage 1 03-02 10:00, 2 03-03 10:00 (1 d), 3 03-10
  //                   10:00 (7 d), won 03-12 10:00 (2 d)
  //   opportunities/2 users/11 CNY 5000: stage 1 03-02 12:00, 2 12:30 (30 min), lost 03-20
  //                   12:30 (18 d) "价格太高" to "竞品A"
  //   opportunities/3 users/12 USD 2000: stage 1 03-05 09:00, lost 03-06 09:00 (1 d) "价格太高"
  //   opportunities/4 users/21 CNY 8000: stage 1 03-09 00:00 (03-08 in UTC), open, COMMIT 60%,
  //                   expected 03-25
  //   opportunities/5 users/11 CNY 3000: stage 1 03-10, straight to 3 03-11 (1 d), open,
  //                   BEST_CASE 40%, expected 03-31
  //   opportunities/6 users/12 CNY 1000: stage 1 03-11, open, PIPELINE 10%, expected 04-15
  //   opportunities/7 users/11 CNY 700: stage 1 03-12, deleted 03-13
  //   quotas: users/11 2026-03 CNY 20000 (first set to 5000), users/21 2026-03 CNY 10000,
  //           users/12 2026-Q1 CNY 50000
  void LoadDataSet() {
    Pipeline();
    opps::Lead l1 = Lead(1, 11, opps::NEW, At(3, 1));
    Feed(kLeadCreatedEvent, At(3, 1), l1);
    LeadChange(kLeadUpdatedEvent, l1, opps::QUALIFIED, At(3, 3));
    LeadChange(kLeadConvertedEvent, l1, opps::CONVERTED, At(3, 5));
    opps::Lead l2 = Lead(2, 11, opps::QUALIFIED, At(3, 2));
    Feed(kLeadCreatedEvent, At(3, 2), l2);
    LeadChange(kLeadDisqualifiedEvent, l2, opps::DISQUALIFIED, At(3, 10));
    Feed(kLeadCreatedEvent, At(3, 4), Lead(3, 12, opps::NEW, At(3, 4)));
    opps::Lead l4 = Lead(4, 21, opps::CONTACTED, At(3, 6));
    Feed(kLeadCreatedEvent, At(3, 6), l4);
    LeadChange(kLeadConvertedEvent, l4, opps::CONVERTED, At(3, 8));
    opps::Lead l5 = Lead(5, 11, opps::NEW, At(2, 20));
    Feed(kLeadCreatedEvent, At(2, 20), l5);
    LeadChange(kLeadUpdatedEvent, l5, opps::QUALIFIED, At(3, 2));
    opps::Lead l6 = Lead(6, 11, opps::NEW, At(3, 7));
    Feed(kLeadCreatedEvent, At(3, 7), l6);
    Feed(kLeadDeletedEvent, At(3, 9), l6);

    opps::Opportunity d1 = Deal(1, 11, "CNY", 10000);
    Feed(kOpportunityCreatedEvent, At(3, 2), d1);
    opps::Opportunity d2 = Deal(2, 11, "CNY", 5000);
    Feed(kOpportunityCreatedEvent, At(3, 2, 12), d2);
    Move(d2, 2, At(3, 2, 12, 30));
    Move(d1, 2, At(3, 3));
    opps::Opportunity d3 = Deal(3, 12, "USD", 2000);
    Feed(kOpportunityCreatedEvent, At(3, 5, 9), d3);
    Lose(d3, At(3, 6, 9), "价格太高", "");
    opps::Opportunity d4 = Deal(4, 21, "CNY", 8000);
    d4.set_forecast_category(opps::COMMIT);
    d4.set_probability(60);
    *d4.mutable_expected_close_date() = Date(2026, 3, 25);
    Feed(kOpportunityCreatedEvent, At(3, 9, 0), d4);
    Move(d1, 3, At(3, 10));
    opps::Opportunity d5 = Deal(5, 11, "CNY", 3000);
    d5.set_forecast_category(opps::BEST_CASE);
    d5.set_probability(40);
    *d5.mutable_expected_close_date() = Date(2026, 3, 31);
    Feed(kOpportunityCreatedEvent, At(3, 10), d5);
    Move(d5, 3, At(3, 11));
    opps::Opportunity d6 = Deal(6, 12, "CNY", 1000);
    d6.set_forecast_category(opps::PIPELINE);
    d6.set_probability(10);
    *d6.mutable_expected_close_date() = Date(2026, 4, 15);
    Feed(kOpportunityCreatedEvent, At(3, 11), d6);
    Win(d1, At(3, 12));
    opps::Opportunity d7 = Deal(7, 11, "CNY", 700);
    Feed(kOpportunityCreatedEvent, At(3, 12), d7);
    Feed(kOpportunityDeletedEvent, At(3, 13), d7);
    Lose(d2, At(3, 20, 12, 30), "价格太高", "竞品A");

    Feed(kQuotaSetEvent, At(3, 1), Quota(11, "2026-03", 5000));
    Feed(kQuotaSetEvent, At(3, 1, 11), Quota(11, "2026-03", 20000));
    Feed(kQuotaSetEvent, At(3, 1), Quota(21, "2026-03", 10000));
    Feed(kQuotaSetEvent, At(3, 1), Quota(12, "2026-Q1", 50000));
  }

  absl::StatusOr<v1::FunnelReport> Funnel(const auth::Caller& who, const std::string& owner = "",
                                          int min_entries = 0,
                                          google::type::Date first = Date(2026, 3, 1),
                                          google::type::Date last = Date(2026, 3, 31)) {
    v1::GetFunnelReportRequest request;
    *request.mutable_start_date() = first;
    *request.mutable_end_date() = last;
    request.set_owner(owner);
    request.set_min_entries(min_entries);
    v1::FunnelReport out;
    CRM_RETURN_IF_ERROR(service_->DoGetFunnelReport(who, request, &out));
    return out;
  }
  absl::StatusOr<v1::ForecastReport> Forecast(const auth::Caller& who, const std::string& period,
                                              const std::string& owner = "") {
    v1::GetForecastReportRequest request;
    request.set_period(period);
    request.set_owner(owner);
    v1::ForecastReport out;
    CRM_RETURN_IF_ERROR(service_->DoGetForecastReport(who, request, &out));
    return out;
  }
  absl::StatusOr<v1::WinLossReport> WinLoss(const auth::Caller& who,
                                            const std::string& owner = "") {
    v1::GetWinLossReportRequest request;
    *request.mutable_start_date() = Date(2026, 3, 1);
    *request.mutable_end_date() = Date(2026, 3, 31);
    request.set_owner(owner);
    v1::WinLossReport out;
    CRM_RETURN_IF_ERROR(service_->DoGetWinLossReport(who, request, &out));
    return out;
  }

  // More around March, for the periods that cross months (+08):
  //   leads/7 users/12 created 02-25, QUALIFIED 04-02
  //   leads/8 users/21 created CONTACTED 04-03, converted 04-05 (qualified: on conversion)
  //   opportunities/8 users/11 CNY 4000: stage 1 02-26 10:00, 2 03-02 10:00 (4 d: a February
  //                   stay that leaves in March), 3 04-01 10:00 (30 d), open
  //   opportunities/9 users/21 USD 900: stage 1 03-30 10:00, won 04-02 10:00 (3 d)
  void LoadAroundMarch() {
    opps::Lead l7 = Lead(7, 12, opps::NEW, At(2, 25));
    Feed(kLeadCreatedEvent, At(2, 25), l7);
    LeadChange(kLeadUpdatedEvent, l7, opps::QUALIFIED, At(4, 2));
    opps::Lead l8 = Lead(8, 21, opps::CONTACTED, At(4, 3));
    Feed(kLeadCreatedEvent, At(4, 3), l8);
    LeadChange(kLeadConvertedEvent, l8, opps::CONVERTED, At(4, 5));
    opps::Opportunity d8 = Deal(8, 11, "CNY", 4000);
    Feed(kOpportunityCreatedEvent, At(2, 26), d8);
    Move(d8, 2, At(3, 2));
    Move(d8, 3, At(4, 1));
    opps::Opportunity d9 = Deal(9, 21, "USD", 900);
    Feed(kOpportunityCreatedEvent, At(3, 30), d9);
    Win(d9, At(4, 2));
  }

  // The funnel as the service gives it from the cubes, for days.
  absl::StatusOr<v1::FunnelReport> Funnel(const auth::Caller& who, const std::string& owner,
                                          absl::CivilDay first, absl::CivilDay last) {
    return Funnel(who, owner, 0, api::ToDate(first), api::ToDate(last));
  }
  // The same funnel read from lead_daily and stage_daily row by row.
  absl::StatusOr<v1::FunnelReport> DailyFunnel(const auth::Caller& who, const std::string& owner,
                                               absl::CivilDay first, absl::CivilDay last) {
    CRM_ASSIGN_OR_RETURN(
        const records::Access access,
        test_->kit().access.For(who, ReportService::kGetFunnelReport, FigureRules()));
    FunnelStore store(test_->pool());
    return store.Funnel(access, {.first = first, .last = last, .owner = owner, .daily_rows = true});
  }

  // Every row of the tables the funnel model writes, as text, each table's rows sorted.
  std::string Tables() {
    std::string text;
    EXPECT_TRUE(test_->pool()
                    .InTransaction([&](db::Transaction& tx) -> absl::Status {
                      for (const char* table :
                           {"leads", "lead_daily", "lead_cube", "lead_status", "funnel_deals",
                            "stage_stays", "stage_daily", "stage_cube", "open_forecast",
                            "closed_daily", "quotas", "pipelines"}) {
                        CRM_ASSIGN_OR_RETURN(db::Rows rows,
                                             tx.Query(absl::StrCat("SELECT * FROM ", table), {}));
                        std::vector<std::string> lines;
                        for (const db::Row& row : rows) {
                          std::string line;
                          for (size_t i = 0; i < row.size(); ++i) {
                            absl::StrAppend(&line, row.Str(i), "|");
                          }
                          lines.push_back(std::move(line));
                        }
                        std::sort(lines.begin(), lines.end());
                        absl::StrAppend(&text, table, ":\n", absl::StrJoin(lines, "\n"), "\n");
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return text;
  }

  std::unique_ptr<ReportService> service_;
};

TEST(FunnelMath, BucketsPercentilesRatesAndProjection) {
  EXPECT_EQ(BucketOf(0), 0);
  EXPECT_EQ(BucketOf(3599), 0);
  EXPECT_EQ(BucketOf(3600), 1);  // bounds are exclusive upper bounds
  EXPECT_EQ(BucketOf(86400), 2);
  EXPECT_EQ(BucketOf(180 * 86400 - 1), 8);
  EXPECT_EQ(BucketOf(400 * 86400), 9);

  bool open_ended = true;
  const int64_t none[10] = {};
  EXPECT_EQ(P90Seconds(none, &open_ended), 0);
  EXPECT_FALSE(open_ended);
  // Ten stays: the 9th shortest is in b2 (1-3 days).
  const int64_t ten[10] = {5, 0, 4, 1};
  EXPECT_EQ(P90Seconds(ten, &open_ended), 3 * 86400);
  const int64_t long_tail[10] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 9};
  EXPECT_EQ(P90Seconds(long_tail, &open_ended), 180 * 86400);
  EXPECT_TRUE(open_ended);

  EXPECT_EQ(BasisPoints(1, 3), 3333);
  EXPECT_EQ(BasisPoints(2, 3), 6667);  // half away from zero
  EXPECT_EQ(BasisPoints(1, 0), 0);

  const api::Period march = api::MonthOf(absl::CivilDay(2026, 3, 1));
  EXPECT_EQ(Projection(10000, march, absl::CivilDay(2026, 3, 16)), 19375);  // x 31 / 16
  EXPECT_EQ(Projection(10000, march, absl::CivilDay(2026, 3, 31)), 10000);  // over
  EXPECT_EQ(Projection(10000, march, absl::CivilDay(2026, 2, 28)), 10000);  // not begun
}

TEST_F(FunnelTest, TheFunnelCountsEachStepAndFlagsTheBottleneck) {
  LoadDataSet();
  absl::StatusOr<v1::FunnelReport> funnel = Funnel(admin_);
  ASSERT_TRUE(funnel.ok()) << funnel.status();
  EXPECT_EQ(funnel->pipeline(), "pipelines/1");
  // Leads created in March: 1, 2, 3, 4 (5 is February's, 6 deleted); qualified in March: 1,
  // 2, 4 (on conversion), 5; converted: 1, 4.
  // Stage 1: deals 1-6 entered, 1, 2 and 5 moved on (3 was lost); stays of 1 d, 30 min, 1 d,
  // 1 d: average 65250 s, p90 the 4th of 4 in the 1-3 d bucket. Stage 2: 1 and 2, 1 moved on;
  // 7 d and 18 d. Stage 3: 1 and 5, 1 won after 2 d. Won: 1. Only stage 1 has 5 entries.
  EXPECT_EQ(Lines(funnel->steps()),
            (Rows{"LEADS  4 [] 4 10000 0 0 0", "QUALIFIED_LEADS  4 [] 2 5000 0 0 0",
                  "STAGE 初步接洽 6 [CNY 27000,USD 2000] 3 5000 4 65250 259200 *",
                  "STAGE 方案报价 2 [CNY 15000] 1 5000 2 1080000 2592000",
                  "STAGE 商务谈判 2 [CNY 13000] 1 5000 1 172800 259200",
                  "WON 赢单 1 [CNY 10000] 0 0 0 0 0"}));

  // With 2 entries enough, four steps tie at 50%: the longest p90 (stage 2) is the bottleneck.
  absl::StatusOr<v1::FunnelReport> two = Funnel(admin_, "", 2);
  ASSERT_TRUE(two.ok()) << two.status();
  for (const v1::FunnelStep& step : two->steps()) {
    EXPECT_EQ(step.bottleneck(), step.display_name() == "方案报价") << Line(step);
  }

  // A shorter period: what entered from 03-09 (deal 4 entered 03-09 in +08, 03-08 in UTC).
  absl::StatusOr<v1::FunnelReport> late =
      Funnel(admin_, "", 0, Date(2026, 3, 9), Date(2026, 3, 31));
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_EQ(Line(late->steps(0)), "LEADS  0 [] 0 0 0 0 0");
  EXPECT_EQ(Line(late->steps(2)), "STAGE 初步接洽 3 [CNY 12000] 1 3333 1 86400 259200");
}

TEST_F(FunnelTest, EachRoleSeesTheFunnelOfTheFiguresItMay) {
  LoadDataSet();
  absl::StatusOr<v1::FunnelReport> rep = Funnel(rep_);
  absl::StatusOr<v1::FunnelReport> filtered = Funnel(admin_, "users/11");
  ASSERT_TRUE(rep.ok() && filtered.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*rep, *filtered));
  // users/11: leads 1 and 2 created, 1, 2 and 5 qualified, 1 converted; deals 1, 2 and 5.
  EXPECT_EQ(Lines(rep->steps()),
            (Rows{"LEADS  2 [] 3 15000 0 0 0", "QUALIFIED_LEADS  3 [] 1 3333 0 0 0",
                  "STAGE 初步接洽 3 [CNY 18000] 3 10000 3 58200 259200",
                  "STAGE 方案报价 2 [CNY 15000] 1 5000 2 1080000 2592000",
                  "STAGE 商务谈判 2 [CNY 13000] 1 5000 1 172800 259200",
                  "WON 赢单 1 [CNY 10000] 0 0 0 0 0"}));
  // Naming someone else narrows to nothing.
  absl::StatusOr<v1::FunnelReport> other = Funnel(rep_, "users/21");
  ASSERT_TRUE(other.ok());
  for (const v1::FunnelStep& step : other->steps()) EXPECT_EQ(step.entries(), 0) << Line(step);
  // The manager sees team 1 (users/10, 11, 12): not lead 4 nor deal 4.
  absl::StatusOr<v1::FunnelReport> team = Funnel(manager_);
  ASSERT_TRUE(team.ok());
  EXPECT_EQ(Line(team->steps(0)), "LEADS  3 [] 3 10000 0 0 0");
  EXPECT_EQ(Line(team->steps(2)), "STAGE 初步接洽 5 [CNY 19000,USD 2000] 3 6000 4 65250 259200 *");
  absl::StatusOr<v1::FunnelReport> marketing = Funnel(marketing_);
  absl::StatusOr<v1::FunnelReport> admin = Funnel(admin_);
  ASSERT_TRUE(marketing.ok() && admin.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*marketing, *admin));
  EXPECT_EQ(Funnel(support_).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Forecast(support_, "2026-03").status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(WinLoss(support_).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(FunnelTest, TheForecastAddsUpClosedOpenAndQuotas) {
  LoadDataSet();
  // Today is 2026-03-16: 16 of March's 31 days, 75 of Q1's 90.
  absl::StatusOr<v1::ForecastReport> march = Forecast(admin_, "2026-03");
  ASSERT_TRUE(march.ok()) << march.status();
  EXPECT_EQ(api::FromDate(march->as_of(), "").value(), absl::CivilDay(2026, 3, 16));
  // users/11: deal 1 won (10000), deal 5 best case 3000 at 40% (1200), quota 20000 (the later
  // QuotaSet): 50% attained, 10000 x 31 / 16 = 19375 projected. users/21: deal 4 commit 8000
  // at 60% (4800), quota 10000. Deal 6 closes in April.
  EXPECT_EQ(Lines(march->rows()), (Rows{"users/11 CNY 10000 0 3000 0 1200 20000 5000 19375 1 1",
                                        "users/21 CNY 0 8000 0 0 4800 10000 0 0 0 1"}));
  EXPECT_EQ(Lines(march->totals()), (Rows{" CNY 10000 8000 3000 0 6000 30000 3333 19375 1 2"}));

  // The quarter: deal 6 still out (April); users/12's quarterly quota counts, the monthly
  // ones do not. 10000 x 90 / 75 = 12000.
  absl::StatusOr<v1::ForecastReport> q1 = Forecast(manager_, "2026-Q1");
  ASSERT_TRUE(q1.ok()) << q1.status();
  EXPECT_EQ(Lines(q1->rows()), (Rows{"users/11 CNY 10000 0 3000 0 1200 0 0 12000 1 1",
                                     "users/12 CNY 0 0 0 0 0 50000 0 0 0 0"}));
  EXPECT_EQ(Lines(q1->totals()), (Rows{" CNY 10000 0 3000 0 1200 50000 2000 12000 1 1"}));
  absl::StatusOr<v1::ForecastReport> q2 = Forecast(admin_, "2026-Q2");
  ASSERT_TRUE(q2.ok()) << q2.status();
  EXPECT_EQ(Lines(q2->rows()), (Rows{"users/12 CNY 0 0 0 1000 100 0 0 0 0 1"}));

  // A rep's forecast is the admin's for the rep.
  absl::StatusOr<v1::ForecastReport> rep = Forecast(rep_, "2026-03");
  absl::StatusOr<v1::ForecastReport> filtered = Forecast(admin_, "2026-03", "users/11");
  ASSERT_TRUE(rep.ok() && filtered.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*rep, *filtered));
  EXPECT_EQ(Lines(rep->totals()), (Rows{" CNY 10000 0 3000 0 1200 20000 5000 19375 1 1"}));
}

TEST_F(FunnelTest, WinLossGroupsLostDealsAndRatesOwners) {
  LoadDataSet();
  absl::StatusOr<v1::WinLossReport> report = WinLoss(admin_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(Lines(report->by_reason()), (Rows{"价格太高 CNY 5000 1", "价格太高 USD 2000 1"}));
  EXPECT_EQ(Lines(report->by_competitor()), (Rows{" USD 2000 1", "竞品A CNY 5000 1"}));
  EXPECT_EQ(Lines(report->owners()), (Rows{"users/11 1 1 5000", "users/12 0 1 0"}));
  EXPECT_EQ(Line(report->total()), " 1 2 3333");

  absl::StatusOr<v1::WinLossReport> rep = WinLoss(rep_);
  absl::StatusOr<v1::WinLossReport> filtered = WinLoss(admin_, "users/11");
  ASSERT_TRUE(rep.ok() && filtered.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*rep, *filtered));
  EXPECT_EQ(Lines(rep->by_reason()), (Rows{"价格太高 CNY 5000 1"}));
  EXPECT_EQ(Line(rep->total()), " 1 1 5000");
}

TEST_F(FunnelTest, ReopeningMovesTheFiguresWithTheDeal) {
  LoadDataSet();
  // Deal 2 reopened into stage 2 on 03-21: its loss leaves win/loss; its stay in LOST ends.
  opps::Opportunity d2 = Deal(2, 11, "CNY", 5000);
  d2.set_stage("pipelines/1/stages/2");
  d2.set_forecast_category(opps::COMMIT);
  d2.set_probability(50);
  *d2.mutable_expected_close_date() = Date(2026, 3, 28);
  Feed(kOpportunityReopenedEvent, At(3, 21), d2);
  absl::StatusOr<v1::WinLossReport> report = WinLoss(admin_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(Lines(report->by_reason()), (Rows{"价格太高 USD 2000 1"}));
  absl::StatusOr<v1::ForecastReport> march = Forecast(admin_, "2026-03", "users/11");
  ASSERT_TRUE(march.ok());
  EXPECT_EQ(Lines(march->totals()), (Rows{" CNY 10000 5000 3000 0 3700 20000 5000 19375 1 2"}));
  // Stage 2 was entered a second time on 03-21.
  absl::StatusOr<v1::FunnelReport> funnel = Funnel(admin_);
  ASSERT_TRUE(funnel.ok());
  EXPECT_EQ(Line(funnel->steps(3)), "STAGE 方案报价 3 [CNY 20000] 1 3333 2 1080000 2592000");
}

TEST_F(FunnelTest, StagesOfAPipelineNoEventDescribedAreLearnedFromTheDeals) {
  // The opportunities service seeds its default pipeline in its schema: no event tells of it.
  // Its stages are placed by their ids and named by their resource names.
  opps::Opportunity d = Deal(1, 11, "CNY", 100);
  d.set_pipeline("pipelines/2");
  d.set_stage("pipelines/2/stages/7");
  Feed(kOpportunityCreatedEvent, At(3, 2), d);
  d.set_stage("pipelines/2/stages/9");
  Feed(kOpportunityStageChangedEvent, At(3, 3), d);
  d.set_state(opps::WON);
  d.set_stage("pipelines/2/stages/11");
  Feed(kOpportunityWonEvent, At(3, 4), d);
  absl::StatusOr<v1::FunnelReport> funnel = Funnel(admin_);  // the only pipeline: the default
  ASSERT_TRUE(funnel.ok()) << funnel.status();
  EXPECT_EQ(funnel->pipeline(), "pipelines/2");
  EXPECT_EQ(Lines(funnel->steps()),
            (Rows{"LEADS  0 [] 0 0 0 0 0", "QUALIFIED_LEADS  0 [] 0 0 0 0 0",
                  "STAGE pipelines/2/stages/7 1 [CNY 100] 1 10000 1 86400 259200",
                  "STAGE pipelines/2/stages/9 1 [CNY 100] 1 10000 1 86400 259200",
                  "WON pipelines/2/stages/11 1 [CNY 100] 0 0 0 0 0"}));
}

TEST_F(FunnelTest, TheFunnelAcrossMonthsAddsUpWholeMonthsAndCutDays) {
  LoadDataSet();
  LoadAroundMarch();
  // 02-15 to 04-10: February's and April's days, March whole.
  const absl::CivilDay first(2026, 2, 15), last(2026, 4, 10);
  // Leads created 1-5, 7, 8; qualified 1, 2, 4, 5, 7 (04-02), 8 (on conversion); converted
  // 1, 4, 8. Stage 1: the March data set's six, deal 8 (02-26, left after 4 d) and deal 9
  // (03-30, won after 3 d): 8 entries, 5 moved on, 6 left (30 min, 1 d x 3, 3 d, 4 d:
  // 865800 s, p90 the 6th in 3-7 d). Stage 2: deals 1, 2 and 8 (7 d, 18 d, 30 d: p90 in
  // 30-60 d), 1 and 8 moved on. Stage 3: deals 1, 5 and 8 (04-01). Won: deals 1 and 9.
  absl::StatusOr<v1::FunnelReport> admin = Funnel(admin_, "", first, last);
  ASSERT_TRUE(admin.ok()) << admin.status();
  EXPECT_EQ(Lines(admin->steps()),
            (Rows{"LEADS  7 [] 6 8571 0 0 0", "QUALIFIED_LEADS  6 [] 3 5000 0 0 0 *",
                  "STAGE 初步接洽 8 [CNY 31000,USD 2900] 5 6250 6 144300 604800",
                  "STAGE 方案报价 3 [CNY 19000] 2 6667 3 1584000 5184000",
                  "STAGE 商务谈判 3 [CNY 17000] 1 3333 1 172800 259200",
                  "WON 赢单 2 [CNY 10000,USD 900] 0 0 0 0 0"}));
  // The manager (team 1: users/10, 11, 12): not leads 4 and 8 nor deals 4 and 9.
  absl::StatusOr<v1::FunnelReport> manager = Funnel(manager_, "", first, last);
  ASSERT_TRUE(manager.ok()) << manager.status();
  EXPECT_EQ(Lines(manager->steps()),
            (Rows{"LEADS  5 [] 4 8000 0 0 0", "QUALIFIED_LEADS  4 [] 1 2500 0 0 0",
                  "STAGE 初步接洽 6 [CNY 23000,USD 2000] 4 6667 5 121320 604800 *",
                  "STAGE 方案报价 3 [CNY 19000] 2 6667 3 1584000 5184000",
                  "STAGE 商务谈判 3 [CNY 17000] 1 3333 1 172800 259200",
                  "WON 赢单 1 [CNY 10000] 0 0 0 0 0"}));
  // The rep (users/11): leads 1, 2 and 5; deals 1, 2, 5 and 8.
  absl::StatusOr<v1::FunnelReport> rep = Funnel(rep_, "", first, last);
  ASSERT_TRUE(rep.ok()) << rep.status();
  EXPECT_EQ(Lines(rep->steps()),
            (Rows{"LEADS  3 [] 3 10000 0 0 0", "QUALIFIED_LEADS  3 [] 1 3333 0 0 0",
                  "STAGE 初步接洽 4 [CNY 22000] 4 10000 4 130050 604800",
                  "STAGE 方案报价 3 [CNY 19000] 2 6667 3 1584000 5184000",
                  "STAGE 商务谈判 3 [CNY 17000] 1 3333 1 172800 259200",
                  "WON 赢单 1 [CNY 10000] 0 0 0 0 0"}));
}

TEST_F(FunnelTest, TheCubesGiveWhatTheDailyRowsGive) {
  LoadDataSet();
  LoadAroundMarch();
  // Whole months, cut days on either side or both, days within one month, one day.
  const std::vector<std::pair<absl::CivilDay, absl::CivilDay>> periods = {
      {absl::CivilDay(2026, 2, 15), absl::CivilDay(2026, 4, 10)},
      {absl::CivilDay(2026, 2, 1), absl::CivilDay(2026, 4, 30)},
      {absl::CivilDay(2026, 3, 1), absl::CivilDay(2026, 3, 31)},
      {absl::CivilDay(2026, 2, 26), absl::CivilDay(2026, 3, 31)},
      {absl::CivilDay(2026, 3, 1), absl::CivilDay(2026, 4, 1)},
      {absl::CivilDay(2026, 2, 27), absl::CivilDay(2026, 3, 2)},
      {absl::CivilDay(2026, 3, 5), absl::CivilDay(2026, 3, 20)},
      {absl::CivilDay(2026, 4, 2), absl::CivilDay(2026, 4, 2)},
      {absl::CivilDay(2025, 1, 1), absl::CivilDay(2026, 12, 31)}};
  const std::vector<std::pair<const auth::Caller*, std::string>> callers = {
      {&admin_, ""},           {&admin_, "users/11"}, {&admin_, "users/21"},
      {&marketing_, ""},       {&manager_, ""},       {&manager_, "users/12"},
      {&manager_, "users/21"}, {&rep_, ""},           {&rep_, "users/21"}};
  for (const auto& [first, last] : periods) {
    for (const auto& [who, owner] : callers) {
      absl::StatusOr<v1::FunnelReport> cubes = Funnel(*who, owner, first, last);
      absl::StatusOr<v1::FunnelReport> daily = DailyFunnel(*who, owner, first, last);
      ASSERT_TRUE(cubes.ok() && daily.ok()) << cubes.status() << " " << daily.status();
      EXPECT_TRUE(MessageDifferencer::Equals(*cubes, *daily))
          << first << ".." << last << " " << who->principal.user << " " << owner << "\n"
          << absl::StrJoin(Lines(cubes->steps()), "\n") << "\nagainst\n"
          << absl::StrJoin(Lines(daily->steps()), "\n");
    }
  }
}

TEST_F(FunnelTest, AStayLeavingInALaterMonthCountsInTheMonthItEntered) {
  Pipeline();
  opps::Opportunity deal = Deal(8, 11, "CNY", 4000);
  Feed(kOpportunityCreatedEvent, At(2, 26), deal);
  // Stage 1 for February as a whole month (its monthly rows), as cut days (its daily rows)
  // and within a longer period, for everyone (admin) and for the rep.
  const auto stage = [&](const auth::Caller& who, int step, absl::CivilDay first,
                         absl::CivilDay last) {
    absl::StatusOr<v1::FunnelReport> funnel = Funnel(who, "", first, last);
    return funnel.ok() ? Line(funnel->steps(step)) : funnel.status().ToString();
  };
  const std::vector<std::pair<absl::CivilDay, absl::CivilDay>> februaries = {
      {absl::CivilDay(2026, 2, 1), absl::CivilDay(2026, 2, 28)},
      {absl::CivilDay(2026, 2, 20), absl::CivilDay(2026, 2, 27)},
      {absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 3, 31)}};
  for (const auth::Caller* who : {&admin_, &rep_}) {
    for (const auto& [first, last] : februaries) {
      EXPECT_EQ(stage(*who, 2, first, last), "STAGE 初步接洽 1 [CNY 4000] 0 0 0 0 0") << first;
    }
  }
  // It leaves on 03-02 after 4 days: February's rows say so, March's gain the entry into
  // stage 2 only.
  Move(deal, 2, At(3, 2));
  for (const auth::Caller* who : {&admin_, &rep_}) {
    for (const auto& [first, last] : februaries) {
      EXPECT_EQ(stage(*who, 2, first, last), "STAGE 初步接洽 1 [CNY 4000] 1 10000 1 345600 604800")
          << first;
    }
    EXPECT_EQ(stage(*who, 2, absl::CivilDay(2026, 3, 1), absl::CivilDay(2026, 3, 31)),
              "STAGE 初步接洽 0 [] 0 0 0 0 0");
    EXPECT_EQ(stage(*who, 3, absl::CivilDay(2026, 3, 1), absl::CivilDay(2026, 3, 31)),
              "STAGE 方案报价 1 [CNY 4000] 0 0 0 0 0");
  }
  // Deleted: every row it added to is gone, daily and monthly, for the owner and everyone.
  Feed(kOpportunityDeletedEvent, At(3, 5), deal);
  for (const auth::Caller* who : {&admin_, &rep_}) {
    EXPECT_EQ(stage(*who, 2, absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 3, 31)),
              "STAGE 初步接洽 0 [] 0 0 0 0 0");
  }
  int64_t rows = -1;
  ASSERT_TRUE(test_->pool()
                  .InTransaction([&](db::Transaction& tx) -> absl::Status {
                    CRM_ASSIGN_OR_RETURN(db::Rows count,
                                         tx.Query("SELECT COUNT(*) FROM stage_cube", {}));
                    rows = count[0].Int(0);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(rows, 0);
}

// schema/008_funnel_cube.sql's statement that fills `table` from the daily rows.
std::string CubeFill(const std::string& table) {
  std::ifstream file(std::string(CRM_ANALYTICS_SCHEMA_DIR) + "/008_funnel_cube.sql");
  std::stringstream text;
  text << file.rdbuf();
  const std::string sql = text.str();
  const size_t start = sql.find(absl::StrCat("INSERT INTO ", table, " "));
  const size_t end = sql.find(";\n", start);
  if (start == std::string::npos || end == std::string::npos) return "";
  return sql.substr(start, end - start);
}

TEST_F(FunnelTest, TheMigrationFillsTheCubesAsTheEventsDo) {
  LoadDataSet();
  LoadAroundMarch();
  const std::string live = Tables();
  for (const char* table : {"lead_cube", "stage_cube"}) {
    const std::string fill = CubeFill(table);
    ASSERT_FALSE(fill.empty()) << table;
    ASSERT_TRUE(test_->pool()
                    .InTransaction([&](db::Transaction& tx) -> absl::Status {
                      CRM_RETURN_IF_ERROR(
                          tx.Execute(absl::StrCat("DELETE FROM ", table), {}).status());
                      return tx.Execute(fill, {}).status();
                    })
                    .ok())
        << table;
  }
  EXPECT_EQ(Tables(), live);
}

TEST_F(FunnelTest, EveryEventAppliedAgainChangesNothing) {
  LoadDataSet();
  LoadAroundMarch();
  const std::string before = Tables();
  for (const events::v1::Event& event : std::vector<events::v1::Event>(delivered_)) {
    ASSERT_TRUE(Apply(event).ok()) << event.type();
  }
  EXPECT_EQ(Tables(), before);
}

TEST_F(FunnelTest, ReplayingTheFeedFromZeroRebuildsTheSameTables) {
  LoadDataSet();
  LoadAroundMarch();
  const std::string live = Tables();
  absl::StatusOr<v1::FunnelReport> funnel = Funnel(admin_);
  ASSERT_TRUE(funnel.ok());
  ASSERT_TRUE(test_->pool()
                  .InTransaction(
                      [&](db::Transaction& tx) { return read_model_.Reset(tx, "opportunities"); })
                  .ok());
  absl::StatusOr<v1::FunnelReport> empty = Funnel(admin_);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->steps_size(), 2);  // no pipeline known: the lead steps only
  EXPECT_EQ(empty->steps(0).entries(), 0);
  for (const events::v1::Event& event : std::vector<events::v1::Event>(delivered_)) {
    ASSERT_TRUE(Apply(event).ok()) << event.type();
  }
  EXPECT_EQ(Tables(), live);
  absl::StatusOr<v1::FunnelReport> again = Funnel(admin_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*again, *funnel));
}

TEST_F(FunnelTest, TheLeadsGaugeShowsEveryStatus) {
  LoadDataSet();
  prometheus::Registry registry;
  LeadGauge gauge(test_->pool(), registry);
  ASSERT_TRUE(gauge.Refresh().ok());
  std::map<std::string, double> by_status;
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != "crm_business_leads") continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      by_status[metric.label.at(0).value] = metric.gauge.value;
    }
  }
  EXPECT_EQ(
      by_status,
      (std::map<std::string, double>{
          {"CONTACTED", 0}, {"CONVERTED", 2}, {"DISQUALIFIED", 1}, {"NEW", 1}, {"QUALIFIED", 1}}));
}

TEST_F(FunnelTest, BadRequestsNameTheirFields) {
  v1::GetFunnelReportRequest funnel;
  funnel.set_pipeline("stages/1");
  funnel.set_min_entries(-1);
  v1::FunnelReport funnel_out;
  absl::Status bad = service_->DoGetFunnelReport(admin_, funnel, &funnel_out);
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolations(bad)) fields.push_back(v.field);
  EXPECT_EQ(fields, (Rows{"start_date", "end_date", "pipeline", "min_entries"}));

  *funnel.mutable_start_date() = Date(2026, 3, 1);
  *funnel.mutable_end_date() = Date(2026, 3, 31);
  funnel.set_pipeline("pipelines/9");
  funnel.set_min_entries(0);
  EXPECT_EQ(service_->DoGetFunnelReport(admin_, funnel, &funnel_out).code(),
            absl::StatusCode::kNotFound);

  for (const char* period : {"", "2026-13", "2026-Q5", "26"}) {
    EXPECT_EQ(Forecast(admin_, period).status().code(), absl::StatusCode::kInvalidArgument)
        << period;
  }
  EXPECT_EQ(Forecast(admin_, "2026-03", "teams/1").status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::GetWinLossReportRequest winloss;
  v1::WinLossReport winloss_out;
  fields.clear();
  for (const FieldViolation& v :
       FieldViolations(service_->DoGetWinLossReport(admin_, winloss, &winloss_out))) {
    fields.push_back(v.field);
  }
  EXPECT_EQ(fields, (Rows{"start_date", "end_date"}));
}

// The forecast and win/loss as CSV through ReportOutputService, for the data set
// above: the same figures the reports give, for the same caller, under the same permission.
class CsvCollector final : public service::StreamWriter<v1::ExportReportResponse> {
 public:
  bool Write(const v1::ExportReportResponse& response) override {
    csv += response.csv();
    return true;
  }
  std::string csv;
};

TEST_F(FunnelTest, TheForecastAndWinLossExportAsCsv) {
  LoadDataSet();
  ReportOutputService output(test_->kit(), *service_);
  auto export_ = [&](const auth::Caller& who,
                     const v1::ReportQuery& query) -> absl::StatusOr<std::string> {
    v1::ExportReportRequest request;
    *request.mutable_report() = query;
    CsvCollector out;
    CRM_RETURN_IF_ERROR(output.Export(who, request, out));
    return out.csv;
  };
  v1::ReportQuery forecast;
  forecast.mutable_forecast()->set_period("2026-03");
  absl::StatusOr<std::string> csv = export_(admin_, forecast);
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(*csv,
            "kind,owner,currency_code,closed,commit,best_case,pipeline,weighted,quota,"
            "attainment_bp,projection,won_count,open_count\r\n"
            "row,users/11,CNY,10000.00,0.00,3000.00,0.00,1200.00,20000.00,5000,19375.00,1,1\r\n"
            "row,users/21,CNY,0.00,8000.00,0.00,0.00,4800.00,10000.00,0,0.00,0,1\r\n"
            "total,,CNY,10000.00,8000.00,3000.00,0.00,6000.00,30000.00,3333,19375.00,1,2\r\n");

  v1::ReportQuery win_loss;
  *win_loss.mutable_win_loss()->mutable_start_date() = Date(2026, 3, 1);
  *win_loss.mutable_win_loss()->mutable_end_date() = Date(2026, 3, 31);
  csv = export_(admin_, win_loss);
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(*csv,
            "part,key,currency_code,amount,deals,won,lost,win_rate_bp\r\n"
            "reason,价格太高,CNY,5000.00,1,,,\r\n"
            "reason,价格太高,USD,2000.00,1,,,\r\n"
            "competitor,,USD,2000.00,1,,,\r\n"
            "competitor,竞品A,CNY,5000.00,1,,,\r\n"
            "owner,users/11,,,,1,1,5000\r\n"
            "owner,users/12,,,,0,1,0\r\n"
            "total,,,,,1,2,3333\r\n");
  // A rep's export is their own figures only.
  csv = export_(rep_, win_loss);
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(csv->find("users/12"), std::string::npos);
  EXPECT_NE(csv->find("owner,users/11,,,,1,1,5000"), std::string::npos);

  // The report's own permission and checks hold: support sees no figures; a bad period is
  // named under its path in the export's request.
  EXPECT_EQ(export_(support_, forecast).status().code(), absl::StatusCode::kPermissionDenied);
  forecast.mutable_forecast()->set_period("2026-13");
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolations(export_(admin_, forecast).status())) {
    fields.push_back(v.field);
  }
  EXPECT_EQ(fields, Rows{"report.forecast.period"});
  win_loss.set_win_loss_part(static_cast<v1::WinLossPart>(99));
  v1::RenderChartRequest render;
  *render.mutable_report() = win_loss;
  v1::Chart chart;
  fields.clear();
  for (const FieldViolation& v : FieldViolations(output.Render(admin_, render, &chart))) {
    fields.push_back(v.field);
  }
  EXPECT_EQ(fields, Rows{"report.win_loss_part"});
}

}  // namespace
}  // namespace crm::analytics
