// The demo follow-up records and tasks that `crmctl demo-load` creates after the customers:
// each seller's calls, visits and notes on their own customers, and a few open tasks, so the
// activities service has a history and a to-do list to show on a fresh stack.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "crm/activities/v1/activities.pb.h"

namespace crm::crmctl {

// One activity, recorded by the customer's owner (DemoOwnerOf). Found again on a later run by
// customer, kind and time.
struct DemoActivity {
  std::string_view key;   // request id "demo-activity-<key>"
  size_t customer_index;  // into DemoCustomerRequests()
  activities::v1::ActivityKind kind;
  activities::v1::Direction direction;
  std::string_view time;  // RFC 3339
  int duration_seconds;
  std::string_view outcome;
  std::string_view summary;
  std::string_view next_step;
};
const std::vector<DemoActivity>& DemoActivities();

// One open task of the customer's owner, on that customer. Found again by title.
struct DemoTask {
  std::string_view key;  // request id "demo-task-<key>"
  size_t customer_index;
  std::string_view title;
  std::string_view due_time;  // RFC 3339
  activities::v1::Priority priority;
};
const std::vector<DemoTask>& DemoTasks();

}  // namespace crm::crmctl
