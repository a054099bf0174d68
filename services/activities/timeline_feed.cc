#include "services/activities/timeline_feed.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "crm/customers/v1/customers.pb.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "crm/orders/v1/orders.pb.h"
#include "libs/api/fields.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"
#include "services/activities/event_types.h"
#include "libs/events/payload.h"
#include "services/activities/links.h"

namespace crm::activities {
namespace {

// An entry caused by `event`, on the customer `customer` names; nullopt when it names none
// (nothing to show it on).
std::optional<NewTimelineEntry> EntryFor(const events::v1::Event& event,
                                         const std::string& customer, v1::TimelineEntry::Kind kind,
                                         std::string title, std::string detail,
                                         std::string resource) {
  absl::StatusOr<int64_t> id = api::ParseResourceId(customer, "customers");
  if (!id.ok()) {
    log::Warn("a timeline event without a customer", {{"event", event.id()}});
    return std::nullopt;
  }
  return NewTimelineEntry{.customer_id = *id,
                          .kind = kind,
                          .time = FromTimestamp(event.time()),
                          .title = Shortened(std::move(title), 300),
                          .detail = std::move(detail),
                          .resource = std::move(resource),
                          .actor = event.actor(),
                          .source_event = event.id()};
}

// `money` on `entry`, when it is a whole amount of a known currency.
void SetAmount(const common::v1::Money& money, NewTimelineEntry& entry) {
  if (money.currency_code().empty()) return;
  std::optional<int64_t> minor = events::CheckedMinorUnits(money);
  if (!minor) return;
  entry.currency = money.currency_code();
  entry.amount_minor = *minor;
}

}  // namespace

std::vector<std::string> TimelineFeed::CustomerTypes() {
  return {kCustomerMergedEvent, kCustomerUnmergedEvent};
}

std::vector<std::string> TimelineFeed::OpportunityTypes() {
  return {kOpportunityCreatedEvent, kOpportunityStageChangedEvent, kOpportunityWonEvent,
          kOpportunityLostEvent, kOpportunityReopenedEvent};
}

std::vector<std::string> TimelineFeed::OrderTypes() {
  return {kOrderCreatedEvent, kOrderStatusChangedEvent};
}

absl::Status TimelineFeed::Apply(db::Transaction& tx, const events::v1::Event& event) {
  const std::vector<std::string> opportunity_types = OpportunityTypes();
  if (std::find(opportunity_types.begin(), opportunity_types.end(), event.type()) !=
      opportunity_types.end()) {
    return ApplyOpportunity(tx, event);
  }
  if (event.type() == kOrderCreatedEvent || event.type() == kOrderStatusChangedEvent) {
    return ApplyOrder(tx, event);
  }
  if (event.type() == kCustomerMergedEvent) return ApplyMerge(tx, event, /*undo=*/false);
  if (event.type() == kCustomerUnmergedEvent) return ApplyMerge(tx, event, /*undo=*/true);
  return absl::OkStatus();
}

absl::Status TimelineFeed::ApplyOpportunity(db::Transaction& tx, const events::v1::Event& event) {
  opportunities::v1::Opportunity o;
  if (!event.payload().UnpackTo(&o)) return events::CorruptEvent(event, "opportunity");
  v1::TimelineEntry::Kind kind = v1::TimelineEntry::OPPORTUNITY_CREATED;
  std::string title;
  std::string detail;
  const std::string stage = absl::StrCat("stage ", o.stage(), ", probability ",
                                         o.has_probability() ? o.probability() : 0, "%");
  if (event.type() == kOpportunityCreatedEvent) {
    title = absl::StrCat("Opportunity created: ", o.title());
    detail = stage;
  } else if (event.type() == kOpportunityStageChangedEvent) {
    kind = v1::TimelineEntry::OPPORTUNITY_STAGE_CHANGED;
    title = absl::StrCat("Opportunity moved: ", o.title());
    detail = stage;
  } else if (event.type() == kOpportunityWonEvent) {
    kind = v1::TimelineEntry::OPPORTUNITY_WON;
    title = absl::StrCat("Opportunity won: ", o.title());
  } else if (event.type() == kOpportunityLostEvent) {
    kind = v1::TimelineEntry::OPPORTUNITY_LOST;
    title = absl::StrCat("Opportunity lost: ", o.title());
    detail = o.lost_to().empty() ? o.loss_reason()
                                 : absl::StrCat(o.loss_reason(), " (to ", o.lost_to(), ")");
  } else {
    kind = v1::TimelineEntry::OPPORTUNITY_REOPENED;
    title = absl::StrCat("Opportunity reopened: ", o.title());
    detail = stage;
  }
  std::optional<NewTimelineEntry> entry =
      EntryFor(event, o.customer(), kind, std::move(title), std::move(detail),
               o.name().empty() ? event.resource() : o.name());
  if (!entry) return absl::OkStatus();
  if (kind == v1::TimelineEntry::OPPORTUNITY_CREATED || kind == v1::TimelineEntry::OPPORTUNITY_WON)
    SetAmount(o.amount(), *entry);
  return store_.Add(tx, *entry);
}

absl::Status TimelineFeed::ApplyOrder(db::Transaction& tx, const events::v1::Event& event) {
  orders::v1::Order order;
  std::string title;
  std::string detail;
  v1::TimelineEntry::Kind kind = v1::TimelineEntry::ORDER_CREATED;
  if (event.type() == kOrderCreatedEvent) {
    if (!event.payload().UnpackTo(&order)) return events::CorruptEvent(event, "order");
    title = absl::StrCat("Order created: ", order.name());
  } else {
    orders::v1::StatusChangeEvent change;
    if (!event.payload().UnpackTo(&change)) return events::CorruptEvent(event, "status change");
    order = change.order();
    kind = v1::TimelineEntry::ORDER_STATUS_CHANGED;
    title = absl::StrCat("Order ", order.name(), ": ",
                         orders::v1::OrderStatus_Name(change.from_status()), " → ",
                         orders::v1::OrderStatus_Name(change.to_status()));
    detail = change.reason();
  }
  std::optional<NewTimelineEntry> entry =
      EntryFor(event, order.customer(), kind, std::move(title), std::move(detail),
               order.name().empty() ? event.resource() : order.name());
  if (!entry) return absl::OkStatus();
  if (kind == v1::TimelineEntry::ORDER_CREATED) SetAmount(order.total(), *entry);
  return store_.Add(tx, *entry);
}

absl::Status TimelineFeed::ApplyMerge(db::Transaction& tx, const events::v1::Event& event,
                                      bool undo) {
  customers::v1::CustomerMerge merge;
  if (!event.payload().UnpackTo(&merge)) return events::CorruptEvent(event, "merge");
  absl::StatusOr<int64_t> survivor = api::ParseResourceId(merge.survivor(), "customers");
  if (!survivor.ok()) return events::CorruptEvent(event, "survivor");
  for (const std::string& name : merge.merged()) {
    absl::StatusOr<int64_t> merged = api::ParseResourceId(name, "customers");
    if (!merged.ok() || *merged == *survivor) continue;
    CRM_RETURN_IF_ERROR(undo ? store_.Unrepoint(tx, *survivor, *merged)
                             : store_.Repoint(tx, *survivor, *merged));
  }
  std::optional<NewTimelineEntry> entry =
      EntryFor(event, merge.survivor(),
               undo ? v1::TimelineEntry::CUSTOMER_UNMERGED : v1::TimelineEntry::CUSTOMER_MERGED,
               undo ? "Merge undone" : "Customers merged into this one",
               absl::StrJoin(merge.merged(), ", "), merge.name());
  if (!entry) return absl::OkStatus();
  return store_.Add(tx, *entry);
}

}  // namespace crm::activities
