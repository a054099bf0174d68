// The opportunities service's event types, as they appear in Event.type on its feed:
// crm.opportunities.v1.<Thing><Happened>. The payload is the record after the change (before
// it, for a deletion): a Lead, an Opportunity, a Pipeline, a FollowUpRule, a Quota, or for
// FollowUpDue the FollowUp (its resource the opportunity).
#pragma once

namespace crm::opportunities {

inline constexpr char kLeadCreatedEvent[] = "crm.opportunities.v1.LeadCreated";
inline constexpr char kLeadUpdatedEvent[] = "crm.opportunities.v1.LeadUpdated";
inline constexpr char kLeadDeletedEvent[] = "crm.opportunities.v1.LeadDeleted";
inline constexpr char kLeadDisqualifiedEvent[] = "crm.opportunities.v1.LeadDisqualified";
inline constexpr char kLeadConvertedEvent[] = "crm.opportunities.v1.LeadConverted";

inline constexpr char kOpportunityCreatedEvent[] = "crm.opportunities.v1.OpportunityCreated";
inline constexpr char kOpportunityUpdatedEvent[] = "crm.opportunities.v1.OpportunityUpdated";
inline constexpr char kOpportunityDeletedEvent[] = "crm.opportunities.v1.OpportunityDeleted";
// AdvanceStage. Closing and reopening have their own types (and are stage changes too).
inline constexpr char kOpportunityStageChangedEvent[] =
    "crm.opportunities.v1.OpportunityStageChanged";
inline constexpr char kOpportunityWonEvent[] = "crm.opportunities.v1.OpportunityWon";
inline constexpr char kOpportunityLostEvent[] = "crm.opportunities.v1.OpportunityLost";
inline constexpr char kOpportunityReopenedEvent[] = "crm.opportunities.v1.OpportunityReopened";

inline constexpr char kFollowUpDueEvent[] = "crm.opportunities.v1.FollowUpDue";

inline constexpr char kPipelineCreatedEvent[] = "crm.opportunities.v1.PipelineCreated";
inline constexpr char kPipelineUpdatedEvent[] = "crm.opportunities.v1.PipelineUpdated";
inline constexpr char kFollowUpRuleCreatedEvent[] = "crm.opportunities.v1.FollowUpRuleCreated";
inline constexpr char kFollowUpRuleUpdatedEvent[] = "crm.opportunities.v1.FollowUpRuleUpdated";
inline constexpr char kFollowUpRuleDeletedEvent[] = "crm.opportunities.v1.FollowUpRuleDeleted";
inline constexpr char kQuotaSetEvent[] = "crm.opportunities.v1.QuotaSet";

// What this service reads from the customers feed (services/customers/event_types.h names the
// same strings; a service does not link another's code).
inline constexpr char kCustomerUpdatedEvent[] = "crm.customers.v1.CustomerUpdated";
inline constexpr char kCustomerDeletedEvent[] = "crm.customers.v1.CustomerDeleted";
inline constexpr char kCustomerMergedEvent[] = "crm.customers.v1.CustomerMerged";
inline constexpr char kCustomerUnmergedEvent[] = "crm.customers.v1.CustomerUnmerged";

}  // namespace crm::opportunities
