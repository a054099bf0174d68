// Forecasts, quotas, the pipeline summary and snapshots against a real MariaDB schema, on a
// data set whose totals are worked out by hand below. The test clock's today is 2027-01-15, so
// the period is the first quarter of 2027.
#include <gtest/gtest.h>

#include "libs/grpc/status.h"
#include "services/opportunities/scheduler.h"
#include "services/opportunities/service_testing.h"

namespace crm::opportunities {
namespace {

using testing::kNegotiation;
using testing::kProposal;

class ForecastStoreTest : public testing::ServiceTest {
 protected:
  // Creates an opportunity of `who` worth `units` and `nanos` of `currency`, expected to close
  // on `close`, in `stage` (Prospecting when empty).
  v1::Opportunity Deal(const auth::Caller& who, const char* currency, int64_t units, int32_t nanos,
                       absl::CivilDay close, const std::string& stage = "",
                       v1::ForecastCategory category = v1::FORECAST_CATEGORY_UNSPECIFIED) {
    v1::CreateOpportunityRequest request;
    v1::Opportunity& o = *request.mutable_opportunity();
    o.set_title("deal");
    o.set_customer("customers/1");
    o.mutable_amount()->set_currency_code(currency);
    o.mutable_amount()->set_units(units);
    o.mutable_amount()->set_nanos(nanos);
    *o.mutable_expected_close_date() = api::ToDate(close);
    o.set_stage(stage);
    o.set_forecast_category(category);
    v1::Opportunity out;
    absl::Status st = opportunity_service_->DoCreateOpportunity(who, request, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  absl::Status SetQuota(const auth::Caller& who, const std::string& owner, const char* currency,
                        int64_t units) {
    v1::SetQuotaRequest request;
    request.mutable_quota()->set_owner(owner);
    request.mutable_quota()->set_period("2027-Q1");
    request.mutable_quota()->mutable_amount()->set_currency_code(currency);
    request.mutable_quota()->mutable_amount()->set_units(units);
    v1::Quota out;
    return forecast_service_->DoSetQuota(who, request, &out);
  }

  absl::StatusOr<v1::Forecast> Forecast(const auth::Caller& who, const std::string& owner,
                                        const std::string& team) {
    v1::GetForecastRequest request;
    request.set_owner(owner);
    request.set_team(team);
    request.set_period("2027-Q1");
    v1::Forecast out;
    CRM_RETURN_IF_ERROR(forecast_service_->DoGetForecast(who, request, &out));
    return out;
  }

  // The data set (amounts in yuan / dollars):
  //   A rep 11  CNY 100,000.00  Prospecting (10%, pipeline)   closes 2027-02-10
  //   B rep 11  CNY     333.33  Proposal (60%, best case)     closes 2027-03-31
  //   C rep 12  CNY 250,000.00  Negotiation (80%, commit)     closes 2027-01-20
  //   D rep 12  CNY  50,000.00  won today
  //   E rep 11  CNY  70,000.00  lost today                    (not counted)
  //   F rep 11  CNY  10,000.00  Proposal                      closes 2027-04-05 (next quarter)
  //   G rep 12  USD   1,000.00  Negotiation (80%, commit)     closes 2027-03-01
  //   H rep 11  CNY  20,000.00  Prospecting, forecast category OMITTED  (not counted)
  //   I rep 21  CNY     999.00  Prospecting (another team)    closes 2027-02-01
  // Quotas for 2027-Q1: rep 11 CNY 300,000; rep 12 CNY 200,000 and USD 5,000.
  void LoadDataSet() {
    Deal(rep_, "CNY", 100'000, 0, absl::CivilDay(2027, 2, 10));
    Deal(rep_, "CNY", 333, 330'000'000, absl::CivilDay(2027, 3, 31), kProposal);
    Deal(teammate_, "CNY", 250'000, 0, absl::CivilDay(2027, 1, 20), kNegotiation);
    ASSERT_TRUE(Win(teammate_, Deal(teammate_, "CNY", 50'000, 0, absl::CivilDay(2027, 6, 1)).name()).ok());
    ASSERT_TRUE(Lose(rep_, Deal(rep_, "CNY", 70'000, 0, absl::CivilDay(2027, 2, 1)).name()).ok());
    Deal(rep_, "CNY", 10'000, 0, absl::CivilDay(2027, 4, 5), kProposal);
    Deal(teammate_, "USD", 1'000, 0, absl::CivilDay(2027, 3, 1), kNegotiation);
    Deal(rep_, "CNY", 20'000, 0, absl::CivilDay(2027, 2, 1), "", v1::OMITTED);
    Deal(other_rep_, "CNY", 999, 0, absl::CivilDay(2027, 2, 1));
    ASSERT_TRUE(SetQuota(manager_, "users/11", "CNY", 300'000).ok());
    ASSERT_TRUE(SetQuota(manager_, "users/12", "CNY", 200'000).ok());
    ASSERT_TRUE(SetQuota(manager_, "users/12", "USD", 5'000).ok());
  }
};

// Money in minor units, for comparing totals.
int64_t Minor(const common::v1::Money& m) { return m.units() * 100 + m.nanos() / 10'000'000; }

TEST_F(ForecastStoreTest, ATeamsForecastIsTheHandComputedTotals) {
  LoadDataSet();
  auto forecast = Forecast(manager_, "", "teams/1");
  ASSERT_TRUE(forecast.ok()) << forecast.status();
  EXPECT_EQ(forecast->period(), "2027-Q1");
  EXPECT_EQ(forecast->start_date().month(), 1);
  EXPECT_EQ(forecast->end_date().day(), 31);
  ASSERT_EQ(forecast->currencies_size(), 2);
  const v1::CurrencyForecast& cny = forecast->currencies(0);
  EXPECT_EQ(cny.currency_code(), "CNY");
  EXPECT_EQ(Minor(cny.closed_won()), 5'000'000);  // D
  EXPECT_EQ(Minor(cny.commit()), 25'000'000);     // C
  EXPECT_EQ(Minor(cny.best_case()), 33'333);      // B
  EXPECT_EQ(Minor(cny.pipeline()), 10'000'000);   // A
  // A 10,000,000 x 10% = 1,000,000; B 33,333 x 60% = 19,999.8 -> 20,000;
  // C 25,000,000 x 80% = 20,000,000.
  EXPECT_EQ(Minor(cny.weighted()), 21'020'000);
  EXPECT_EQ(Minor(cny.quota()), 50'000'000);
  EXPECT_EQ(cny.won_count(), 1);
  EXPECT_EQ(cny.open_count(), 3);
  const v1::CurrencyForecast& usd = forecast->currencies(1);
  EXPECT_EQ(usd.currency_code(), "USD");
  EXPECT_EQ(Minor(usd.commit()), 100'000);
  EXPECT_EQ(Minor(usd.weighted()), 80'000);
  EXPECT_EQ(Minor(usd.quota()), 500'000);
  EXPECT_EQ(Minor(usd.closed_won()), 0);

  auto mine = Forecast(rep_, "", "");
  ASSERT_TRUE(mine.ok()) << mine.status();
  ASSERT_EQ(mine->currencies_size(), 1);
  EXPECT_EQ(Minor(mine->currencies(0).pipeline()), 10'000'000);
  EXPECT_EQ(Minor(mine->currencies(0).best_case()), 33'333);
  EXPECT_EQ(Minor(mine->currencies(0).weighted()), 1'020'000);
  EXPECT_EQ(Minor(mine->currencies(0).quota()), 30'000'000);
  EXPECT_EQ(mine->currencies(0).open_count(), 2);
}

TEST_F(ForecastStoreTest, EachCallerSeesOnlyTheNumbersTheyMay) {
  LoadDataSet();
  EXPECT_EQ(Forecast(rep_, "users/12", "").status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Forecast(rep_, "", "teams/1").status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Forecast(other_manager_, "", "teams/1").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Forecast(other_manager_, "users/11", "").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Forecast(manager_, "users/12", "").ok());
  auto all = Forecast(admin_, "", "teams/2");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Minor(all->currencies(0).pipeline()), 99'900);
  // Quotas: managers set their members', not their own; reps set none.
  EXPECT_EQ(SetQuota(manager_, "users/10", "CNY", 1).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(SetQuota(manager_, "users/21", "CNY", 1).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(SetQuota(rep_, "users/11", "CNY", 1).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(SetQuota(admin_, "users/10", "CNY", 400'000).ok());
  EXPECT_EQ(SetQuota(admin_, "users/404", "CNY", 1).code(), absl::StatusCode::kInvalidArgument);
  v1::ListQuotasRequest list;
  list.set_team("teams/1");
  v1::ListQuotasResponse quotas;
  ASSERT_TRUE(forecast_service_->DoListQuotas(manager_, list, &quotas).ok());
  EXPECT_EQ(quotas.quotas_size(), 4);
}

TEST_F(ForecastStoreTest, ThePipelineSummaryCountsAndAveragesByStage) {
  LoadDataSet();
  test_->clock().Advance(absl::Hours(48));
  v1::GetPipelineSummaryRequest request;
  request.set_team("teams/1");
  v1::PipelineSummary summary;
  ASSERT_TRUE(forecast_service_->DoGetPipelineSummary(manager_, request, &summary).ok());
  ASSERT_EQ(summary.stages_size(), 7);
  const v1::StageSummary& prospecting = summary.stages(0);
  EXPECT_EQ(prospecting.display_name(), "Prospecting");
  EXPECT_EQ(prospecting.count(), 2);  // A and H (the other team's I is not counted)
  ASSERT_EQ(prospecting.amounts_size(), 1);
  EXPECT_EQ(prospecting.amounts(0).units(), 120'000);
  EXPECT_DOUBLE_EQ(prospecting.average_days_in_stage(), 2.0);
  const v1::StageSummary& proposal = summary.stages(3);
  EXPECT_EQ(proposal.count(), 2);  // B and F
  const v1::StageSummary& negotiation = summary.stages(4);
  EXPECT_EQ(negotiation.count(), 2);
  EXPECT_EQ(negotiation.amounts_size(), 2) << "CNY and USD apart";
  EXPECT_EQ(summary.stages(5).count(), 1) << "won in the last 90 days";
  EXPECT_EQ(summary.stages(6).count(), 1);
  // D and E stayed in Prospecting from their creation until they closed, two days ago.
  EXPECT_DOUBLE_EQ(prospecting.average_days_before_leaving(), 0.0);
  // A rep's summary without a subject is their own; marketing sees campaign deals only.
  ASSERT_TRUE(forecast_service_->DoGetPipelineSummary(rep_, v1::GetPipelineSummaryRequest(),
                                                       &summary)
                  .ok());
  EXPECT_EQ(summary.stages(0).count(), 2);
  ASSERT_TRUE(forecast_service_->DoGetPipelineSummary(marketing_, v1::GetPipelineSummaryRequest(),
                                                       &summary)
                  .ok());
  int total = 0;
  for (const auto& s : summary.stages()) total += s.count();
  EXPECT_EQ(total, 0);
}

TEST_F(ForecastStoreTest, SnapshotsAreTakenOncePerPeriodAndDayWhateverRunsThem) {
  LoadDataSet();
  auto first = forecasts_->TakeSnapshots(test_->clock().Now());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 2) << "the month and the quarter";
  EXPECT_EQ(forecasts_->TakeSnapshots(test_->clock().Now()).value(), 0);
  // Two schedulers, as on two replicas, on the same day: nothing more.
  Scheduler a(test_->pool(), *follow_ups_, *forecasts_, {.clock = &test_->clock()});
  Scheduler b(test_->pool(), *follow_ups_, *forecasts_, {.clock = &test_->clock()});
  EXPECT_EQ(a.RunOnce().value().snapshots, 0);
  EXPECT_EQ(b.RunOnce().value().snapshots, 0);
  const int64_t rows = Count("SELECT COUNT(*) FROM forecast_snapshots");
  test_->clock().Advance(absl::Hours(24));
  EXPECT_EQ(b.RunOnce().value().snapshots, 2) << "the next day";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM forecast_snapshots"), 2 * rows);

  v1::ListForecastSnapshotsRequest list;
  list.set_team("teams/1");
  list.set_period("2027-Q1");
  v1::ListForecastSnapshotsResponse response;
  ASSERT_TRUE(forecast_service_->DoListForecastSnapshots(manager_, list, &response).ok());
  ASSERT_EQ(response.snapshots_size(), 2);
  EXPECT_EQ(response.snapshots(0).snapshot_date().day(), 15);
  EXPECT_EQ(response.snapshots(1).snapshot_date().day(), 16);
  ASSERT_EQ(response.snapshots(0).currencies_size(), 2);
  EXPECT_EQ(Minor(response.snapshots(0).currencies(0).weighted()), 21'020'000);
  EXPECT_EQ(Minor(response.snapshots(0).currencies(0).quota()), 50'000'000);
}

TEST_F(ForecastStoreTest, TheSchedulerSkipsARunWhileAnotherReplicaHoldsTheLock) {
  auto session = test_->pool().Borrow();
  ASSERT_TRUE(session.ok());
  auto lock = db::NamedLock::ForSchema(**session, "crm_opps_scheduler_");
  ASSERT_TRUE(lock.ok());
  ASSERT_TRUE((*lock)->Acquire(absl::ZeroDuration()).value());
  Scheduler scheduler(test_->pool(), *follow_ups_, *forecasts_, {.clock = &test_->clock()});
  EXPECT_FALSE(scheduler.RunOnce().value().ran);
  lock->reset();
  EXPECT_TRUE(scheduler.RunOnce().value().ran);
}

}  // namespace
}  // namespace crm::opportunities
