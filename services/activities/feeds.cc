#include "services/activities/feeds.h"

#include "absl/strings/str_cat.h"
#include "crm/customers/v1/customers.pb.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "libs/api/resource.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"
#include "services/activities/event_types.h"

namespace crm::activities {
namespace {

absl::Status Corrupt(const events::v1::Event& event, std::string_view what) {
  return Error(absl::StatusCode::kDataLoss, "CORRUPT_EVENT",
               absl::StrCat("a ", event.type(), " event without its ", std::string(what)));
}

// `text` cut to the title's 200 characters (code points, not bytes).
std::string Shortened(std::string text) {
  size_t characters = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // a continuation byte
    if (++characters > 200) {
      text.resize(i);
      break;
    }
  }
  return text;
}

}  // namespace

std::vector<std::string> Feeds::CustomerTypes() {
  return {kCustomerCreatedEvent, kCustomerUpdatedEvent, kCustomerMergedEvent,
          kCustomerUnmergedEvent};
}

std::vector<std::string> Feeds::OpportunityTypes() { return {kFollowUpDueEvent}; }

absl::Status Feeds::Apply(db::Transaction& tx, const events::v1::Event& event) {
  if (event.type() == kFollowUpDueEvent) return ApplyFollowUpDue(tx, event);
  if (event.type() == kCustomerMergedEvent) return ApplyMerge(tx, event, /*undo=*/false);
  if (event.type() == kCustomerUnmergedEvent) return ApplyMerge(tx, event, /*undo=*/true);
  if (event.type() == kCustomerCreatedEvent || event.type() == kCustomerUpdatedEvent) {
    customers::v1::Customer after;
    if (!event.payload().UnpackTo(&after)) return Corrupt(event, "customer");
    absl::StatusOr<int64_t> id = api::ParseResourceId(after.name(), "customers");
    if (!id.ok()) return Corrupt(event, "customer's name");
    return activities_.SetCustomerOwner(tx, {.customer_id = *id, .owner = after.owner()});
  }
  return absl::OkStatus();
}

absl::Status Feeds::ApplyMerge(db::Transaction& tx, const events::v1::Event& event, bool undo) {
  customers::v1::CustomerMerge merge;
  if (!event.payload().UnpackTo(&merge)) return Corrupt(event, "merge");
  absl::StatusOr<int64_t> survivor = api::ParseResourceId(merge.survivor(), "customers");
  if (!survivor.ok()) return Corrupt(event, "survivor");
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
  if (!event.payload().UnpackTo(&follow_up)) return Corrupt(event, "follow-up");
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

}  // namespace crm::activities
