// The activities service's event types, as they appear in Event.type on its feed:
// crm.activities.v1.<Thing><Happened>. The payload is the record after the change (before it,
// for a deletion): an Activity or a Task.
#pragma once

namespace crm::activities {

inline constexpr char kActivityLoggedEvent[] = "crm.activities.v1.ActivityLogged";
inline constexpr char kActivityUpdatedEvent[] = "crm.activities.v1.ActivityUpdated";
inline constexpr char kActivityDeletedEvent[] = "crm.activities.v1.ActivityDeleted";

inline constexpr char kTaskCreatedEvent[] = "crm.activities.v1.TaskCreated";
inline constexpr char kTaskUpdatedEvent[] = "crm.activities.v1.TaskUpdated";
inline constexpr char kTaskCompletedEvent[] = "crm.activities.v1.TaskCompleted";
inline constexpr char kTaskCancelledEvent[] = "crm.activities.v1.TaskCancelled";
// Notification delivery: an overdue task escalated to the assignee's manager (task_scheduler.h).
inline constexpr char kTaskEscalatedEvent[] = "crm.activities.v1.TaskEscalated";

// What this service reads from other feeds (the producers' event_types.h name the same
// strings; a service does not link another's code).
inline constexpr char kCustomerCreatedEvent[] = "crm.customers.v1.CustomerCreated";
inline constexpr char kCustomerUpdatedEvent[] = "crm.customers.v1.CustomerUpdated";
inline constexpr char kCustomerMergedEvent[] = "crm.customers.v1.CustomerMerged";
inline constexpr char kCustomerUnmergedEvent[] = "crm.customers.v1.CustomerUnmerged";
inline constexpr char kFollowUpDueEvent[] = "crm.opportunities.v1.FollowUpDue";
inline constexpr char kOrderStatusChangedEvent[] = "crm.orders.v1.OrderStatusChanged";
inline constexpr char kOrderSubmittedForApprovalEvent[] =
    "crm.orders.v1.OrderSubmittedForApproval";
inline constexpr char kOrderApprovalEscalatedEvent[] = "crm.orders.v1.OrderApprovalEscalated";
inline constexpr char kOrderApprovedEvent[] = "crm.orders.v1.OrderApproved";
inline constexpr char kOrderRejectedEvent[] = "crm.orders.v1.OrderRejected";
inline constexpr char kReturnRequestedEvent[] = "crm.orders.v1.ReturnRequested";
inline constexpr char kReturnResolvedEvent[] = "crm.orders.v1.ReturnResolved";

// ---- Campaigns (campaign_store.h): the Campaign after the change; the CampaignFeedback.
inline constexpr char kCampaignCreatedEvent[] = "crm.activities.v1.CampaignCreated";
inline constexpr char kCampaignUpdatedEvent[] = "crm.activities.v1.CampaignUpdated";
inline constexpr char kCampaignStartedEvent[] = "crm.activities.v1.CampaignStarted";
inline constexpr char kCampaignClosedEvent[] = "crm.activities.v1.CampaignClosed";
inline constexpr char kCampaignCancelledEvent[] = "crm.activities.v1.CampaignCancelled";
inline constexpr char kCampaignFeedbackRecordedEvent[] =
    "crm.activities.v1.CampaignFeedbackRecorded";

// ---- What the timeline and the campaigns read besides (timeline_feed.h, campaign_feed.h).
inline constexpr char kOpportunityCreatedEvent[] = "crm.opportunities.v1.OpportunityCreated";
inline constexpr char kOpportunityStageChangedEvent[] =
    "crm.opportunities.v1.OpportunityStageChanged";
inline constexpr char kOpportunityWonEvent[] = "crm.opportunities.v1.OpportunityWon";
inline constexpr char kOpportunityLostEvent[] = "crm.opportunities.v1.OpportunityLost";
inline constexpr char kOpportunityReopenedEvent[] = "crm.opportunities.v1.OpportunityReopened";
inline constexpr char kLeadCreatedEvent[] = "crm.opportunities.v1.LeadCreated";
inline constexpr char kLeadConvertedEvent[] = "crm.opportunities.v1.LeadConverted";
inline constexpr char kLeadUpdatedEvent[] = "crm.opportunities.v1.LeadUpdated";
inline constexpr char kLeadDeletedEvent[] = "crm.opportunities.v1.LeadDeleted";
inline constexpr char kOpportunityUpdatedEvent[] = "crm.opportunities.v1.OpportunityUpdated";
inline constexpr char kOpportunityDeletedEvent[] = "crm.opportunities.v1.OpportunityDeleted";
inline constexpr char kOrderCreatedEvent[] = "crm.orders.v1.OrderCreated";

// ---- Greetings (greeting_store.h, greeting_records.h): the Greeting after the change.
inline constexpr char kGreetingSentEvent[] = "crm.activities.v1.GreetingSent";
inline constexpr char kGreetingSkippedEvent[] = "crm.activities.v1.GreetingSkipped";

}  // namespace crm::activities
