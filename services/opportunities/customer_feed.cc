#include "services/opportunities/customer_feed.h"

#include "crm/customers/v1/customers.pb.h"
#include "libs/api/resource.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"
#include "services/opportunities/event_types.h"

namespace crm::opportunities {

std::vector<std::string> CustomerFeed::Types() {
  return {kCustomerMergedEvent, kCustomerUnmergedEvent, kCustomerUpdatedEvent,
          kCustomerDeletedEvent};
}

absl::Status CustomerFeed::ApplyMerge(db::Transaction& tx, int64_t survivor,
                                      const std::vector<int64_t>& merged, bool undo) {
  for (int64_t id : merged) {
    if (id == survivor) continue;
    if (undo) {
      CRM_RETURN_IF_ERROR(leads_.Unrepoint(tx, survivor, id, actor_));
      CRM_RETURN_IF_ERROR(opportunities_.Unrepoint(tx, survivor, id, actor_));
    } else {
      CRM_RETURN_IF_ERROR(leads_.Repoint(tx, survivor, id, actor_));
      CRM_RETURN_IF_ERROR(opportunities_.Repoint(tx, survivor, id, actor_));
    }
  }
  return absl::OkStatus();
}

absl::Status CustomerFeed::Apply(db::Transaction& tx, const events::v1::Event& event) {
  absl::StatusOr<int64_t> customer = api::ParseResourceId(event.resource(), "customers");
  if (!customer.ok()) {
    // Not a customer's event: nothing here refers to it.
    log::Warn("customers feed: event without a customer", {{"event", event.id()}});
    return absl::OkStatus();
  }
  if (event.type() == kCustomerMergedEvent || event.type() == kCustomerUnmergedEvent) {
    customers::v1::CustomerMerge merge;
    if (!event.payload().UnpackTo(&merge)) {
      return Error(absl::StatusCode::kDataLoss, "CORRUPT_EVENT",
                   "a customer merge event without its merge");
    }
    std::vector<int64_t> merged;
    for (const std::string& name : merge.merged()) {
      CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(name, "customers"));
      merged.push_back(id);
    }
    return ApplyMerge(tx, *customer, merged, event.type() == kCustomerUnmergedEvent);
  }
  if (event.type() == kCustomerDeletedEvent) {
    return opportunities_.FlagCustomerDeleted(tx, *customer, actor_);
  }
  if (event.type() == kCustomerUpdatedEvent) {
    customers::v1::Customer after;
    if (!event.payload().UnpackTo(&after)) {
      return Error(absl::StatusCode::kDataLoss, "CORRUPT_EVENT",
                   "a CustomerUpdated event without its customer");
    }
    return opportunities_.RefreshCustomerFacts(
        tx, *customer,
        CustomerFacts{.industry = after.industry(), .size_band = static_cast<int>(after.size_band())});
  }
  return absl::OkStatus();
}

}  // namespace crm::opportunities
