// Input rules for activities and tasks: what a valid record is and the normal form it is
// stored in, with the limits proto/crm/activities/v1/activities.proto documents. Every
// violation is reported at once, with paths under `prefix` ("activity.attachments[1]").
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "crm/activities/v1/activities.pb.h"

namespace crm::activities {

struct Limits {
  static constexpr int kOutcome = 200;
  static constexpr int kSummary = 5000;
  static constexpr int kNextStep = 500;
  static constexpr int kAttachments = 20;
  static constexpr int kAttachment = 500;
  static constexpr int kMaxDurationSeconds = 86'400;
  static constexpr int kTitle = 200;
  static constexpr int kDescription = 5000;
  static constexpr int kReminders = 10;
};

// Clears what clients do not set (name, etag, customer_owner, creator, times).
void ClearOutputOnly(v1::Activity& activity);
void ClearOutputOnly(v1::Task& task);

// Normalises (trimmed text) and checks an activity's input fields.
absl::Status NormalizeAndValidateActivity(v1::Activity& activity, std::string_view prefix);

// Normalises (trimmed text; NORMAL for an unset priority; reminders sorted, without repeats)
// and checks a task's input fields. The status is the caller's business.
absl::Status NormalizeAndValidateTask(v1::Task& task, std::string_view prefix);

}  // namespace crm::activities
