#include "services/activities/validation.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/api/fields.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"

namespace crm::activities {
namespace {

// A resource name of `collection` ("customers/7"), when `value` is not empty.
void CheckName(api::FieldChecker& check, const std::string& value, std::string_view field,
               std::string_view collection, bool required) {
  if (value.empty()) {
    if (required) check.Add(field, "is required");
    return;
  }
  if (!api::ParseResourceId(value, collection).ok()) {
    check.Add(field, absl::StrCat("must be a name like \"", std::string(collection), "/42\""));
  }
}

bool Set(const google::protobuf::Timestamp& ts) { return ts.seconds() != 0 || ts.nanos() != 0; }

}  // namespace

void ClearOutputOnly(v1::Activity& a) {
  a.clear_name();
  a.clear_etag();
  a.clear_customer_owner();
  a.clear_creator();
  a.clear_create_time();
  a.clear_update_time();
}

void ClearOutputOnly(v1::Task& t) {
  t.clear_name();
  t.clear_etag();
  t.clear_origin();
  t.clear_creator();
  t.clear_complete_time();
  t.clear_create_time();
  t.clear_update_time();
}

absl::Status NormalizeAndValidateActivity(v1::Activity& a, std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  if (a.kind() == v1::ACTIVITY_KIND_UNSPECIFIED || !v1::ActivityKind_IsValid(a.kind())) {
    check.Add("kind", "must be CALL, EMAIL, VISIT, MEETING, NOTE or CHAT");
  }
  if (!v1::Direction_IsValid(a.direction())) check.Add("direction", "is not a direction");
  CheckName(check, a.customer(), "customer", "customers", /*required=*/true);
  if (!a.contact().empty()) {
    absl::StatusOr<api::ChildId> contact =
        api::ParseChildResourceId(a.contact(), "customers", "contacts");
    if (!contact.ok()) {
      check.Add("contact", "must be a name like \"customers/7/contacts/42\"");
    } else if (api::ResourceName("customers", contact->parent) != a.customer()) {
      check.Add("contact", "must be a contact of the activity's customer");
    }
  }
  CheckName(check, a.lead(), "lead", "leads", false);
  CheckName(check, a.opportunity(), "opportunity", "opportunities", false);
  CheckName(check, a.order(), "order", "orders", false);
  CheckName(check, a.performer(), "performer", "users", false);
  CheckName(check, a.campaign(), "campaign", "campaigns", false);
  if (!Set(a.activity_time())) check.Add("activity_time", "is required");
  if (a.duration_seconds() < 0 || a.duration_seconds() > Limits::kMaxDurationSeconds) {
    check.Add("duration_seconds", "must be 0 to 86400 (one day)");
  }
  check.Text(a.mutable_outcome(), "outcome", Limits::kOutcome, false);
  check.Text(a.mutable_summary(), "summary", Limits::kSummary, true, /*multiline=*/true);
  check.Text(a.mutable_next_step(), "next_step", Limits::kNextStep, false);
  check.Count(a.attachments_size(), "attachments", Limits::kAttachments, "attachments");
  for (int i = 0; i < a.attachments_size(); ++i) {
    const std::string field = absl::StrCat("attachments[", i, "]");
    check.Text(a.mutable_attachments(i), field, Limits::kAttachment, true);
    if (a.attachments(i).find_first_of(" \t") != std::string::npos) {
      check.Add(field, "must be a reference (a URI or \"files/{id}\") without spaces");
    }
  }
  return violations.ToStatus("invalid activity");
}

absl::Status NormalizeAndValidateTask(v1::Task& t, std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  check.Text(t.mutable_title(), "title", Limits::kTitle, true);
  check.Text(t.mutable_description(), "description", Limits::kDescription, false, true);
  CheckName(check, t.assignee(), "assignee", "users", false);
  CheckName(check, t.customer(), "customer", "customers", false);
  CheckName(check, t.opportunity(), "opportunity", "opportunities", false);
  if (!Set(t.due_time())) check.Add("due_time", "is required");
  if (t.priority() == v1::PRIORITY_UNSPECIFIED) t.set_priority(v1::NORMAL);
  if (!v1::Priority_IsValid(t.priority())) check.Add("priority", "is not a priority");
  if (!v1::TaskStatus_IsValid(t.status())) check.Add("status", "is not a status");
  check.Count(t.reminder_times_size(), "reminder_times", Limits::kReminders, "reminders");
  std::vector<absl::Time> reminders;
  for (int i = 0; i < t.reminder_times_size(); ++i) {
    const absl::Time at = FromTimestamp(t.reminder_times(i));
    if (Set(t.due_time()) && at > FromTimestamp(t.due_time())) {
      check.Add(absl::StrCat("reminder_times[", i, "]"), "must be no later than due_time");
    }
    reminders.push_back(at);
  }
  std::sort(reminders.begin(), reminders.end());
  reminders.erase(std::unique(reminders.begin(), reminders.end()), reminders.end());
  t.clear_reminder_times();
  for (absl::Time at : reminders) *t.add_reminder_times() = ToTimestamp(at);
  return violations.ToStatus("invalid task");
}

}  // namespace crm::activities
