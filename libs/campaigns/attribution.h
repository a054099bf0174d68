// A campaign's results, defined once for every service that counts them (the activities
// service's CampaignEffectiveness, the analytics service's campaign report): what the
// opportunities feed attributes to a campaign `code`, and the cost figures and ROI worked out
// from the counts.
//
// Attribution, by the code leads and opportunities carry (Lead.campaign, Opportunity.campaign):
//   LeadCreated, LeadUpdated           the lead counts (once, however often it changes)
//   LeadConverted                      the lead, and the customer its conversion created or
//                                      linked (the event does not say which)
//   LeadDeleted                        the lead no longer counts (its customer still does)
//   OpportunityCreated, …Updated       the opportunity counts, and its amount as won revenue
//                                      while it is won
//   OpportunityWon                     the opportunity, and its amount as won revenue
//   OpportunityReopened                the won amount is taken back (won again, counted again)
//   OpportunityDeleted                 neither counts any more
// A lead or an opportunity counts under its current code only: its created, updated,
// converted and won events first take back what it counted under any other code, so a record
// whose code changes moves to the new code, and one whose code is cleared counts nowhere. (A
// converted lead's customer stays with the code it was converted under: the campaign won it.)
// A won amount is taken back under every code by each of the opportunity's events and counted
// again as the event has it, so the revenue follows the amount as it is now.
// A consumer keeps one row per code, kind and resource, so that a change counted twice (a
// repeated event, an update after creation) counts once: adding a row that is there already
// changes nothing. Each event sets what its record counts to what the record is now, so
// applying the events in order again ends with the same rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crm/events/v1/events.pb.h"

namespace crm::campaigns {

// What is counted for a code (the consumers store it as a number: keep the values).
enum class AttributionKind : int64_t { kLead = 1, kCustomer = 2, kOpportunity = 3, kWon = 4 };

// What a change does to a consumer's rows.
enum class Effect {
  kCount,               // adds the row of `code`, `kind` and `resource` unless it is there
  kTakeBackOtherCodes,  // removes the rows of `kind` and `resource` under any code but `code`
                        // (under every code when `code` is empty)
};

// One change an event makes to what a code counts.
struct AttributionChange {
  Effect effect = Effect::kCount;
  std::string code;
  AttributionKind kind = AttributionKind::kLead;
  std::string resource;  // "leads/{id}", "customers/{id}", "opportunities/{id}"
  std::string currency;  // kWon being counted: the amount's
  int64_t amount_minor = 0;
};

// The opportunities feed's event types that attribute anything.
std::vector<std::string> AttributionEventTypes();

// What `event` changes, in order (empty for other types);
// DATA_LOSS (CORRUPT_EVENT) when its payload is not what its type promises.
absl::StatusOr<std::vector<AttributionChange>> AttributionChanges(const events::v1::Event& event);

// `num` / `den` (den > 0) rounded half away from zero.
int64_t DivideRounded(__int128 num, __int128 den);

// What a campaign's cost bought, in the budget's currency (minor units):
//   cost per lead, per opportunity = actual cost / count, rounded half away from zero; unset
//                                    while the count is zero
//   ROI = (won revenue − actual cost) / actual cost × 10,000 basis points, rounded half away
//         from zero
// All unset while no actual cost is recorded or it is zero or less.
struct CostFigures {
  std::optional<int64_t> cost_per_lead;
  std::optional<int64_t> cost_per_opportunity;
  std::optional<int64_t> roi_basis_points;
};
// `actual_cost`: nullopt while none is recorded; `won_revenue`: in the budget's currency only.
CostFigures WorkOutCosts(std::optional<int64_t> actual_cost, int64_t leads, int64_t opportunities,
                         int64_t won_revenue);

}  // namespace crm::campaigns
