#include "libs/campaigns/attribution.h"

#include <string_view>

#include "crm/opportunities/v1/opportunities.pb.h"
#include "libs/events/payload.h"

namespace crm::campaigns {
namespace {

constexpr char kLeadCreated[] = "crm.opportunities.v1.LeadCreated";
constexpr char kLeadUpdated[] = "crm.opportunities.v1.LeadUpdated";
constexpr char kLeadConverted[] = "crm.opportunities.v1.LeadConverted";
constexpr char kLeadDeleted[] = "crm.opportunities.v1.LeadDeleted";
constexpr char kOpportunityCreated[] = "crm.opportunities.v1.OpportunityCreated";
constexpr char kOpportunityUpdated[] = "crm.opportunities.v1.OpportunityUpdated";
constexpr char kOpportunityWon[] = "crm.opportunities.v1.OpportunityWon";
constexpr char kOpportunityReopened[] = "crm.opportunities.v1.OpportunityReopened";
constexpr char kOpportunityDeleted[] = "crm.opportunities.v1.OpportunityDeleted";

bool IsLeadEvent(std::string_view type) {
  return type == kLeadCreated || type == kLeadUpdated || type == kLeadConverted ||
         type == kLeadDeleted;
}

bool IsOpportunityEvent(std::string_view type) {
  return type == kOpportunityCreated || type == kOpportunityUpdated || type == kOpportunityWon ||
         type == kOpportunityReopened || type == kOpportunityDeleted;
}

AttributionChange Counted(const std::string& code, AttributionKind kind,
                          const std::string& resource) {
  return {.effect = Effect::kCount, .code = code, .kind = kind, .resource = resource};
}

// What `resource` counts as `kind` under any code but `code` ("": under every code).
AttributionChange TakenBackElsewhere(const std::string& code, AttributionKind kind,
                                     const std::string& resource) {
  return {.effect = Effect::kTakeBackOtherCodes, .code = code, .kind = kind, .resource = resource};
}

absl::StatusOr<std::vector<AttributionChange>> LeadChanges(const events::v1::Event& event) {
  opportunities::v1::Lead lead;
  if (!event.payload().UnpackTo(&lead)) return events::CorruptEvent(event, "lead");
  const std::string name = lead.name().empty() ? event.resource() : lead.name();
  if (event.type() == kLeadDeleted) {
    return std::vector<AttributionChange>{TakenBackElsewhere("", AttributionKind::kLead, name)};
  }
  std::vector<AttributionChange> changes = {
      TakenBackElsewhere(lead.campaign(), AttributionKind::kLead, name)};
  if (lead.campaign().empty()) return changes;
  changes.push_back(Counted(lead.campaign(), AttributionKind::kLead, name));
  if (event.type() == kLeadConverted && !lead.customer().empty()) {
    changes.push_back(Counted(lead.campaign(), AttributionKind::kCustomer, lead.customer()));
  }
  return changes;
}

absl::StatusOr<std::vector<AttributionChange>> OpportunityChanges(const events::v1::Event& event) {
  opportunities::v1::Opportunity o;
  if (!event.payload().UnpackTo(&o)) return events::CorruptEvent(event, "opportunity");
  const std::string name = o.name().empty() ? event.resource() : o.name();
  if (event.type() == kOpportunityDeleted) {
    return std::vector<AttributionChange>{
        TakenBackElsewhere("", AttributionKind::kWon, name),
        TakenBackElsewhere("", AttributionKind::kOpportunity, name)};
  }
  if (event.type() == kOpportunityReopened) {
    return std::vector<AttributionChange>{TakenBackElsewhere("", AttributionKind::kWon, name)};
  }
  // The won amount is taken back under every code and counted again as it is now, so that a
  // won opportunity's amount changed by an update changes its revenue too.
  std::vector<AttributionChange> changes = {
      TakenBackElsewhere("", AttributionKind::kWon, name),
      TakenBackElsewhere(o.campaign(), AttributionKind::kOpportunity, name)};
  if (o.campaign().empty()) return changes;
  changes.push_back(Counted(o.campaign(), AttributionKind::kOpportunity, name));
  // Won: by this event, or before it (an update of a won opportunity, which may have moved it
  // to this code or changed its amount).
  const bool won = event.type() == kOpportunityWon || o.state() == opportunities::v1::WON;
  if (!won || o.amount().currency_code().empty()) return changes;
  const std::optional<int64_t> amount = events::CheckedMinorUnits(o.amount());
  if (!amount) return events::CorruptEvent(event, "amount");
  AttributionChange revenue = Counted(o.campaign(), AttributionKind::kWon, name);
  revenue.currency = o.amount().currency_code();
  revenue.amount_minor = *amount;
  changes.push_back(std::move(revenue));
  return changes;
}

}  // namespace

std::vector<std::string> AttributionEventTypes() {
  return {kLeadCreated,    kLeadUpdated,         kLeadConverted,
          kLeadDeleted,    kOpportunityCreated,  kOpportunityUpdated,
          kOpportunityWon, kOpportunityReopened, kOpportunityDeleted};
}

absl::StatusOr<std::vector<AttributionChange>> AttributionChanges(const events::v1::Event& event) {
  if (IsLeadEvent(event.type())) return LeadChanges(event);
  if (IsOpportunityEvent(event.type())) return OpportunityChanges(event);
  return std::vector<AttributionChange>{};
}

int64_t DivideRounded(__int128 num, __int128 den) {
  const bool negative = num < 0;
  const __int128 magnitude = negative ? -num : num;
  const __int128 q = (2 * magnitude + den) / (2 * den);
  return static_cast<int64_t>(negative ? -q : q);
}

CostFigures WorkOutCosts(std::optional<int64_t> actual_cost, int64_t leads, int64_t opportunities,
                         int64_t won_revenue) {
  CostFigures figures;
  if (!actual_cost || *actual_cost <= 0) return figures;
  const int64_t cost = *actual_cost;
  if (leads > 0) figures.cost_per_lead = DivideRounded(cost, leads);
  if (opportunities > 0) figures.cost_per_opportunity = DivideRounded(cost, opportunities);
  figures.roi_basis_points = DivideRounded((__int128{won_revenue} - cost) * 10000, cost);
  return figures;
}

}  // namespace crm::campaigns
