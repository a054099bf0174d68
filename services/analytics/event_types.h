// The events crm-analytics reads (it emits none: a read model changes nothing anyone follows).
#pragma once

namespace crm::analytics {

inline constexpr char kCustomerCreatedEvent[] = "crm.customers.v1.CustomerCreated";
inline constexpr char kCustomerUpdatedEvent[] = "crm.customers.v1.CustomerUpdated";

inline constexpr char kOpportunityCreatedEvent[] = "crm.opportunities.v1.OpportunityCreated";
inline constexpr char kOpportunityUpdatedEvent[] = "crm.opportunities.v1.OpportunityUpdated";
inline constexpr char kOpportunityDeletedEvent[] = "crm.opportunities.v1.OpportunityDeleted";
inline constexpr char kOpportunityStageChangedEvent[] =
    "crm.opportunities.v1.OpportunityStageChanged";
inline constexpr char kOpportunityWonEvent[] = "crm.opportunities.v1.OpportunityWon";
inline constexpr char kOpportunityLostEvent[] = "crm.opportunities.v1.OpportunityLost";
inline constexpr char kOpportunityReopenedEvent[] = "crm.opportunities.v1.OpportunityReopened";
inline constexpr char kPipelineCreatedEvent[] = "crm.opportunities.v1.PipelineCreated";
inline constexpr char kPipelineUpdatedEvent[] = "crm.opportunities.v1.PipelineUpdated";

// Leads and quotas, for the funnel and the forecast (funnel_model.h).
inline constexpr char kLeadCreatedEvent[] = "crm.opportunities.v1.LeadCreated";
inline constexpr char kLeadUpdatedEvent[] = "crm.opportunities.v1.LeadUpdated";
inline constexpr char kLeadDeletedEvent[] = "crm.opportunities.v1.LeadDeleted";
inline constexpr char kLeadDisqualifiedEvent[] = "crm.opportunities.v1.LeadDisqualified";
inline constexpr char kLeadConvertedEvent[] = "crm.opportunities.v1.LeadConverted";
inline constexpr char kQuotaSetEvent[] = "crm.opportunities.v1.QuotaSet";

// The customer distribution and the owners' daily figures (performance_model.h).
inline constexpr char kCustomerDeletedEvent[] = "crm.customers.v1.CustomerDeleted";
inline constexpr char kCustomerMergedEvent[] = "crm.customers.v1.CustomerMerged";
inline constexpr char kCustomerUnmergedEvent[] = "crm.customers.v1.CustomerUnmerged";
inline constexpr char kOrderCreatedEvent[] = "crm.orders.v1.OrderCreated";
inline constexpr char kOrderUpdatedEvent[] = "crm.orders.v1.OrderUpdated";
inline constexpr char kOrderStatusChangedEvent[] = "crm.orders.v1.OrderStatusChanged";
inline constexpr char kActivityLoggedEvent[] = "crm.activities.v1.ActivityLogged";
inline constexpr char kActivityUpdatedEvent[] = "crm.activities.v1.ActivityUpdated";
inline constexpr char kActivityDeletedEvent[] = "crm.activities.v1.ActivityDeleted";

// The campaigns, for the campaign report (campaign_model.h); what the opportunities
// feed attributes to them is libs/campaigns/attribution.h's.
inline constexpr char kCampaignCreatedEvent[] = "crm.activities.v1.CampaignCreated";
inline constexpr char kCampaignUpdatedEvent[] = "crm.activities.v1.CampaignUpdated";
inline constexpr char kCampaignStartedEvent[] = "crm.activities.v1.CampaignStarted";
inline constexpr char kCampaignClosedEvent[] = "crm.activities.v1.CampaignClosed";
inline constexpr char kCampaignCancelledEvent[] = "crm.activities.v1.CampaignCancelled";

}  // namespace crm::analytics
