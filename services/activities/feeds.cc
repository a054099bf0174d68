#include "services/activities/feeds.h"

#include <algorithm>
#include <initializer_list>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "crm/customers/v1/customers.pb.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "crm/orders/v1/orders.pb.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/events/payload.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"
#include "services/activities/event_types.h"
#include "services/activities/links.h"
#include "services/activities/notification_store.h"
#include "services/activities/campaign_feed.h"
#include "services/activities/timeline_feed.h"

namespace crm::activities {
namespace {

// How an order reads in a notification's title: its customer, or its name.
std::string OrderLabel(const orders::v1::Order& order) {
  return absl::StrCat("Order ", order.name(),
                      order.customer_display_name().empty()
                          ? ""
                          : absl::StrCat(" for ", order.customer_display_name()));
}

// A notification about `order` caused by `event`.
NewNotification AboutOrder(const events::v1::Event& event, const orders::v1::Order& order,
                           std::string recipient, v1::NotificationKind kind, std::string title,
                           std::string body) {
  return {.recipient = std::move(recipient),
          .kind = kind,
          .title = std::move(title),
          .body = std::move(body),
          .resource = order.name().empty() ? event.resource() : order.name(),
          .actor = event.actor(),
          .source_event = event.id(),
          .time = FromTimestamp(event.time())};
}

// `types` and those of the further handlers (the timeline, timeline_feed.h; the campaigns,
// campaign_feed.h) not among them.
std::vector<std::string> WithMore(std::vector<std::string> types,
                                  std::initializer_list<std::vector<std::string>> more) {
  for (const std::vector<std::string>& list : more) {
    for (const std::string& type : list) {
      if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(type);
    }
  }
  return types;
}

}  // namespace

std::vector<std::string> Feeds::CustomerTypes() {
  return WithMore({kCustomerCreatedEvent, kCustomerUpdatedEvent, kCustomerMergedEvent,
                   kCustomerUnmergedEvent},
                  {TimelineFeed::CustomerTypes()});
}

std::vector<std::string> Feeds::OpportunityTypes() {
  return WithMore({kFollowUpDueEvent},
                  {TimelineFeed::OpportunityTypes(), CampaignFeed::OpportunityTypes()});
}

std::vector<std::string> Feeds::OrderTypes() {
  return WithMore({kOrderStatusChangedEvent, kOrderSubmittedForApprovalEvent,
                   kOrderApprovalEscalatedEvent, kOrderApprovedEvent, kOrderRejectedEvent,
                   kReturnRequestedEvent, kReturnResolvedEvent},
                  {TimelineFeed::OrderTypes()});
}

absl::Status Feeds::Apply(db::Transaction& tx, const events::v1::Event& event) {
  CRM_RETURN_IF_ERROR(ApplyOwn(tx, event));
  for (events::EventHandler* handler : also_) CRM_RETURN_IF_ERROR(handler->Apply(tx, event));
  return absl::OkStatus();
}

absl::Status Feeds::ApplyOwn(db::Transaction& tx, const events::v1::Event& event) {
  if (event.type() == kFollowUpDueEvent) return ApplyFollowUpDue(tx, event);
  if (event.type() == kOrderStatusChangedEvent) return ApplyStatusChange(tx, event);
  if (event.type() == kOrderSubmittedForApprovalEvent ||
      event.type() == kOrderApprovalEscalatedEvent || event.type() == kOrderApprovedEvent ||
      event.type() == kOrderRejectedEvent) {
    return ApplyApproval(tx, event);
  }
  if (event.type() == kReturnRequestedEvent || event.type() == kReturnResolvedEvent) {
    return ApplyReturn(tx, event);
  }
  if (event.type() == kCustomerMergedEvent) return ApplyMerge(tx, event, /*undo=*/false);
  if (event.type() == kCustomerUnmergedEvent) return ApplyMerge(tx, event, /*undo=*/true);
  if (event.type() == kCustomerCreatedEvent || event.type() == kCustomerUpdatedEvent) {
    customers::v1::Customer after;
    if (!event.payload().UnpackTo(&after)) return events::CorruptEvent(event, "customer");
    absl::StatusOr<int64_t> id = api::ParseResourceId(after.name(), "customers");
    if (!id.ok()) return events::CorruptEvent(event, "customer's name");
    return activities_.SetCustomerOwner(tx, {.customer_id = *id, .owner = after.owner()});
  }
  return absl::OkStatus();
}

absl::Status Feeds::ApplyMerge(db::Transaction& tx, const events::v1::Event& event, bool undo) {
  customers::v1::CustomerMerge merge;
  if (!event.payload().UnpackTo(&merge)) return events::CorruptEvent(event, "merge");
  absl::StatusOr<int64_t> survivor = api::ParseResourceId(merge.survivor(), "customers");
  if (!survivor.ok()) return events::CorruptEvent(event, "survivor");
  for (const std::string& name : merge.merged()) {
    absl::StatusOr<int64_t> merged = api::ParseResourceId(name, "customers");
    if (!merged.ok() || *merged == *survivor) continue;
    CRM_RETURN_IF_ERROR(undo ? activities_.Unrepoint(tx, *survivor, *merged, actor_)
                             : activities_.Repoint(tx, *survivor, *merged, actor_));
  }
  return absl::OkStatus();
}

absl::Status Feeds::ApplyFollowUpDue(db::Transaction& tx, const events::v1::Event& event) {
  opportunities::v1::FollowUp follow_up;
  if (!event.payload().UnpackTo(&follow_up)) return events::CorruptEvent(event, "follow-up");
  if (follow_up.owner().empty()) {
    // Nobody to give it to: an opportunity without an owner does not exist in practice.
    log::Warn("FollowUpDue without an owner", {{"event", event.id()}});
    return absl::OkStatus();
  }
  v1::Task task;
  task.set_title(Shortened(absl::StrCat("Follow up: ", follow_up.opportunity_title())));
  task.set_description(follow_up.reason());
  task.set_assignee(follow_up.owner());
  *task.mutable_due_time() = follow_up.due_time();
  task.set_priority(v1::HIGH);
  task.set_opportunity(follow_up.opportunity());
  task.set_origin(follow_up.name());
  return tasks_.CreateFromEvent(tx, task, event.id(), actor_).status();
}

absl::Status Feeds::ApplyStatusChange(db::Transaction& tx, const events::v1::Event& event) {
  orders::v1::StatusChangeEvent change;
  if (!event.payload().UnpackTo(&change)) return events::CorruptEvent(event, "status change");
  const orders::v1::Order& order = change.order();
  const orders::v1::OrderStatus to = change.to_status();
  NewNotification n = AboutOrder(
      event, order, order.owner(), v1::ORDER_STATUS_CHANGED,
      absl::StrCat(OrderLabel(order), " is ", orders::v1::OrderStatus_Name(to)), change.reason());
  CRM_RETURN_IF_ERROR(Notify(tx, n).status());
  // The owner's manager follows their team's orders, except into approval: the approval's
  // own event tells whoever must approve (APPROVAL_WANTED), and a second row would say the
  // same thing twice.
  if (!order.owner().empty() && to != orders::v1::PENDING_APPROVAL) {
    CRM_ASSIGN_OR_RETURN(n.recipient, people_.ManagerOf(order.owner()));
    CRM_RETURN_IF_ERROR(Notify(tx, n).status());
  }
  // Support handles what happens after the sale: deliveries (returns start from them), and
  // orders stopped or held, which customers call about.
  if (to == orders::v1::DELIVERED || to == orders::v1::CANCELLED || to == orders::v1::ON_HOLD) {
    return NotifySupport(tx, std::move(n));
  }
  return absl::OkStatus();
}

absl::Status Feeds::ApplyReturn(db::Transaction& tx, const events::v1::Event& event) {
  orders::v1::Return rma;
  if (!event.payload().UnpackTo(&rma)) return events::CorruptEvent(event, "return");
  const bool resolved = event.type() == kReturnResolvedEvent;
  NewNotification n{
      .recipient = rma.order_owner(),
      .kind = v1::ORDER_RETURN,
      .title = resolved
                   ? absl::StrCat("Return ", rma.name(), " of ", rma.order(), " was resolved: ",
                                  orders::v1::ReturnResolution_Name(rma.resolution()))
                   : absl::StrCat("Return ", rma.name(), " of ", rma.order(), " was requested"),
      .body = resolved ? rma.comment() : rma.reason(),
      .resource = rma.name().empty() ? event.resource() : rma.name(),
      .actor = event.actor(),
      .source_event = event.id(),
      .time = FromTimestamp(event.time())};
  CRM_RETURN_IF_ERROR(Notify(tx, n).status());
  return NotifySupport(tx, std::move(n));
}

absl::Status Feeds::NotifySupport(db::Transaction& tx, NewNotification n) {
  CRM_ASSIGN_OR_RETURN(const std::vector<std::string> desk, people_.SupportDesk());
  for (const std::string& person : desk) {
    n.recipient = person;
    CRM_RETURN_IF_ERROR(Notify(tx, n).status());
  }
  return absl::OkStatus();
}

absl::Status Feeds::ApplyApproval(db::Transaction& tx, const events::v1::Event& event) {
  orders::v1::ApprovalEvent payload;
  if (!event.payload().UnpackTo(&payload)) return events::CorruptEvent(event, "approval");
  const orders::v1::Order& order = payload.order();
  const orders::v1::Approval& approval = payload.approval();
  const std::string owner = order.owner().empty() ? approval.owner() : order.owner();
  const std::string label = OrderLabel(order);
  if (event.type() == kOrderApprovedEvent || event.type() == kOrderRejectedEvent) {
    const bool approved = event.type() == kOrderApprovedEvent;
    return Notify(tx, AboutOrder(event, order, owner, v1::APPROVAL_DECIDED,
                                 absl::StrCat(label, approved ? " was approved" : " was rejected"),
                                 approval.comment()))
        .status();
  }
  // Wanted, or escalated: the one approver the approval names. When it names none, any admin
  // may approve (they find it in ListPendingApprovals); the owner hears where it went.
  const bool escalated = event.type() == kOrderApprovalEscalatedEvent;
  const v1::NotificationKind kind = escalated ? v1::APPROVAL_ESCALATED : v1::APPROVAL_WANTED;
  const std::string reasons = absl::StrJoin(approval.reasons(), "\n");
  if (!approval.approver().empty()) {
    return Notify(tx, AboutOrder(event, order, approval.approver(), kind,
                                 absl::StrCat(label, escalated ? " was escalated to you for approval"
                                                               : " needs your approval"),
                                 reasons))
        .status();
  }
  return Notify(tx, AboutOrder(event, order, owner, kind,
                               absl::StrCat(label, escalated ? " was escalated to the admins"
                                                             : " waits for an admin's approval"),
                               reasons))
      .status();
}

}  // namespace crm::activities
