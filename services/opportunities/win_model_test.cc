// The win model's arithmetic on counts small enough to check by hand.
#include "services/opportunities/win_model.h"

#include <gtest/gtest.h>

namespace crm::opportunities {
namespace {

TEST(AmountBand, IsTheOrderOfMagnitudeInWholeUnits) {
  EXPECT_EQ(AmountBand(0), 0);
  EXPECT_EQ(AmountBand(9'999), 0);
  EXPECT_EQ(AmountBand(10'000), 1);
  EXPECT_EQ(AmountBand(99'999), 1);
  EXPECT_EQ(AmountBand(100'000), 2);
  EXPECT_EQ(AmountBand(1'000'000), 3);
}

TEST(TrainingValues, AWonDealCountsForEveryOpenStageALostOneUpToWhereItWasLost) {
  DealFeatures deal{.stage_id = 3, .source = 2, .industry = "制造业", .size_band = 4,
                    .currency = "CNY", .amount_units = 50'000};
  const std::vector<int64_t> open = {1, 2, 3, 4, 5};
  EXPECT_EQ(TrainingValues(deal, /*won=*/true, open, 3),
            (std::vector<FeatureValue>{{"stage", "1"}, {"stage", "2"}, {"stage", "3"},
                                       {"stage", "4"}, {"stage", "5"}, {"source", "2"},
                                       {"industry", "制造业"}, {"size", "4"}, {"amount", "1"}}));
  EXPECT_EQ(TrainingValues(deal, /*won=*/false, open, 2),
            (std::vector<FeatureValue>{{"stage", "1"}, {"stage", "2"}, {"source", "2"},
                                       {"industry", "制造业"}, {"size", "4"}, {"amount", "1"}}));
  // Features without a value are left out.
  EXPECT_EQ(PredictionValues(DealFeatures{.stage_id = 7}),
            (std::vector<FeatureValue>{{"stage", "7"}}));
}

TEST(FeatureValues, RoundTripThroughTheirStoredForm) {
  const std::vector<FeatureValue> values = {{"stage", "1"}, {"industry", "a=b"}};
  EXPECT_EQ(DecodeFeatureValues(EncodeFeatureValues(values)), values);
  EXPECT_TRUE(DecodeFeatureValues("").empty());
}

TEST(EstimateWin, IsNaiveBayesWithAddOneSmoothing) {
  // 3 won and 2 lost deals; of the won, 2 reached stage 3 and 1 came by referral (source 2);
  // of the lost, 1 reached stage 3 and 2 came by referral.
  WinStats stats = {{{"", ""}, {3, 2}},
                    {{"stage", "3"}, {2, 1}},
                    {{"source", "2"}, {1, 2}},
                    {{"source", "1"}, {2, 0}}};
  const std::vector<FeatureValue> deal = {{"stage", "3"}, {"source", "2"}};
  const WinEstimate estimate = EstimateWin(deal, stats, /*stage_default=*/40, /*min_sample=*/5);
  // won:  (3+1)/(5+2) * (2+1)/(3+2) * (1+1)/(3+2) = 24/175 = 192/1400
  // lost: (2+1)/(5+2) * (1+1)/(2+2) * (2+1)/(2+2) = 9/56   = 225/1400
  EXPECT_NEAR(estimate.probability, 100.0 * 192 / 417, 1e-9);
  EXPECT_EQ(estimate.basis, v1::Evaluation::LEARNED);
  EXPECT_EQ(estimate.sample_size, 5);
  // A value no closed deal had counts zero for both classes.
  const WinEstimate unseen = EstimateWin({{"stage", "9"}}, stats, 40, 5);
  // won: 4/7 * 1/5; lost: 3/7 * 1/4.
  EXPECT_NEAR(unseen.probability, 100.0 * (4.0 / 35) / (4.0 / 35 + 3.0 / 28), 1e-9);
}

TEST(EstimateWin, FallsBackToTheStageDefaultBelowTheMinimumOrWithoutBothOutcomes) {
  WinStats stats = {{{"", ""}, {3, 2}}};
  WinEstimate few = EstimateWin({{"stage", "3"}}, stats, 40, /*min_sample=*/6);
  EXPECT_EQ(few.basis, v1::Evaluation::STAGE_DEFAULT);
  EXPECT_EQ(few.probability, 40);
  EXPECT_EQ(few.sample_size, 5);
  WinStats all_won = {{{"", ""}, {20, 0}}};
  EXPECT_EQ(EstimateWin({}, all_won, 60, 10).basis, v1::Evaluation::STAGE_DEFAULT);
  EXPECT_EQ(EstimateWin({}, WinStats{}, 10, 10).probability, 10);
}

}  // namespace
}  // namespace crm::opportunities
