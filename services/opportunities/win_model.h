// The learned win probability shown beside a rep's own (Evaluation.learned_probability):
// naive Bayes over a pipeline's closed deals, in the manner of Odoo's predictive lead scoring.
// The method, with its features, smoothing and minimum sample, is documented in
// proto/crm/opportunities/v1/opportunities.proto (WIN PROBABILITY); this is its arithmetic,
// kept free of the database so a fixed history can be checked by hand.
//
// The store keeps the counts (win_stats: per pipeline, feature and value, how many won and
// lost deals had it) and updates them in the transaction that closes or reopens a deal.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "crm/opportunities/v1/opportunities.pb.h"

namespace crm::opportunities {

// A feature and one of its values, as stored in win_stats: {"stage", "12"}, {"source", "2"},
// {"industry", "制造业"}, {"size", "3"}, {"amount", "1"}.
using FeatureValue = std::pair<std::string, std::string>;

// What the model knows about one deal.
struct DealFeatures {
  int64_t stage_id = 0;
  int source = 0;              // Source; 0: none
  std::string industry;        // the customer's; "": none
  int size_band = 0;           // the customer's crm.customers.v1.SizeBand; 0: none
  std::string currency;        // "": no amount
  int64_t amount_units = 0;    // whole units of the amount
};

// The band of an amount in whole units of its currency: 0 under 10,000, 1 under 100,000,
// 2 under 1,000,000, 3 from there.
int AmountBand(int64_t units);

// The values a deal is judged by: its current stage and the other features it has.
std::vector<FeatureValue> PredictionValues(const DealFeatures& deal);

// The values a closed deal is counted under: every feature it has, and for the stage the open
// stages it reached — all of `open_stage_ids` (in pipeline order) for a won deal, those up to
// and including `closed_from` for a lost one (all of them when `closed_from` is not among
// them, e.g. a stage since removed).
std::vector<FeatureValue> TrainingValues(const DealFeatures& deal, bool won,
                                         const std::vector<int64_t>& open_stage_ids,
                                         int64_t closed_from);

// Won and lost deals with a feature value; the totals under the key {"", ""}.
struct WinCounts {
  int64_t won = 0;
  int64_t lost = 0;
};
using WinStats = std::map<FeatureValue, WinCounts>;

struct WinEstimate {
  double probability = 0;  // percent
  v1::Evaluation::Basis basis = v1::Evaluation::STAGE_DEFAULT;
  int64_t sample_size = 0;  // closed deals in the counts
};

// P(won | values) in percent, or `stage_default` (basis STAGE_DEFAULT) while the counts hold
// fewer than `min_sample` closed deals, or no won or no lost one.
WinEstimate EstimateWin(const std::vector<FeatureValue>& values, const WinStats& stats,
                        int stage_default, int64_t min_sample);

// The closed-deal features as stored on the opportunity ("feature=value" lines) and back.
std::string EncodeFeatureValues(const std::vector<FeatureValue>& values);
std::vector<FeatureValue> DecodeFeatureValues(const std::string& text);

}  // namespace crm::opportunities
