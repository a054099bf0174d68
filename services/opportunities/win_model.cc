#include "services/opportunities/win_model.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace crm::opportunities {
namespace {

constexpr char kStage[] = "stage";
const FeatureValue kTotals = {"", ""};

// The features other than the stage.
void AppendAttributes(const DealFeatures& deal, std::vector<FeatureValue>& out) {
  if (deal.source != 0) out.push_back({"source", absl::StrCat(deal.source)});
  if (!deal.industry.empty()) out.push_back({"industry", deal.industry});
  if (deal.size_band != 0) out.push_back({"size", absl::StrCat(deal.size_band)});
  if (!deal.currency.empty()) out.push_back({"amount", absl::StrCat(AmountBand(deal.amount_units))});
}

}  // namespace

int AmountBand(int64_t units) {
  if (units < 10'000) return 0;
  if (units < 100'000) return 1;
  if (units < 1'000'000) return 2;
  return 3;
}

std::vector<FeatureValue> PredictionValues(const DealFeatures& deal) {
  std::vector<FeatureValue> values = {{kStage, absl::StrCat(deal.stage_id)}};
  AppendAttributes(deal, values);
  return values;
}

std::vector<FeatureValue> TrainingValues(const DealFeatures& deal, bool won,
                                         const std::vector<int64_t>& open_stage_ids,
                                         int64_t closed_from) {
  std::vector<FeatureValue> values;
  const auto reached = std::find(open_stage_ids.begin(), open_stage_ids.end(), closed_from);
  const auto end = won || reached == open_stage_ids.end() ? open_stage_ids.end() : reached + 1;
  for (auto it = open_stage_ids.begin(); it != end; ++it) {
    values.push_back({kStage, absl::StrCat(*it)});
  }
  AppendAttributes(deal, values);
  return values;
}

WinEstimate EstimateWin(const std::vector<FeatureValue>& values, const WinStats& stats,
                        int stage_default, int64_t min_sample) {
  WinCounts totals;
  if (auto it = stats.find(kTotals); it != stats.end()) totals = it->second;
  WinEstimate estimate;
  estimate.sample_size = totals.won + totals.lost;
  if (estimate.sample_size < min_sample || totals.won == 0 || totals.lost == 0) {
    estimate.probability = stage_default;
    estimate.basis = v1::Evaluation::STAGE_DEFAULT;
    return estimate;
  }
  const double n = static_cast<double>(estimate.sample_size);
  const double won = static_cast<double>(totals.won);
  const double lost = static_cast<double>(totals.lost);
  double a = (won + 1) / (n + 2);
  double b = (lost + 1) / (n + 2);
  for (const FeatureValue& value : values) {
    WinCounts counts;
    if (auto it = stats.find(value); it != stats.end()) counts = it->second;
    a *= (static_cast<double>(counts.won) + 1) / (won + 2);
    b *= (static_cast<double>(counts.lost) + 1) / (lost + 2);
  }
  estimate.probability = 100.0 * a / (a + b);
  estimate.basis = v1::Evaluation::LEARNED;
  return estimate;
}

std::string EncodeFeatureValues(const std::vector<FeatureValue>& values) {
  std::string out;
  for (const auto& [feature, value] : values) {
    absl::StrAppend(&out, out.empty() ? "" : "\n", feature, "=", value);
  }
  return out;
}

std::vector<FeatureValue> DecodeFeatureValues(const std::string& text) {
  std::vector<FeatureValue> values;
  if (text.empty()) return values;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::pair<std::string, std::string> parts = absl::StrSplit(line, absl::MaxSplits('=', 1));
    values.push_back(std::move(parts));
  }
  return values;
}

}  // namespace crm::opportunities
