// Field history: what changed between two versions of a customer or a contact, as the text
// ListCustomerHistory shows (HistoryEntry in customers.proto documents the forms), and the
// rows that record it (history_store.h writes them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "crm/customers/v1/customers.pb.h"

namespace crm::customers {

// Why a change is being made, for every history row (and event) it causes.
struct ChangeContext {
  std::string actor;  // "users/{id}" or "services/{name}"
  v1::ChangeSource source = v1::API;
  std::string operation;  // "imports/{id}", "customers/{id}/merges/{id}" or ""
  absl::Time time;
};

// One history row to write.
struct HistoryRow {
  int64_t customer_id = 0;
  int64_t contact_id = 0;  // 0: the customer itself
  v1::HistoryAction action = v1::UPDATED;
  std::string field;
  std::string old_value;
  std::string new_value;
};

// The fields that differ, one UPDATED row each, in the order of the API's field paths:
// display_name, kind, industry, size_band, region.country, region.province, region.city,
// address, tags, emails, phones, source, owner, notes, external_id, dates.
std::vector<HistoryRow> CustomerChanges(int64_t customer_id, const v1::Customer& before,
                                        const v1::Customer& after);
// The same for a contact: display_name, title, department, phones, emails, dates, notes,
// primary.
std::vector<HistoryRow> ContactChanges(int64_t customer_id, int64_t contact_id,
                                       const v1::Contact& before, const v1::Contact& after);

// The top-level field paths of `updated` that differ from `before` (for events).
std::vector<std::string> ChangedTopLevelPaths(const v1::Customer& before,
                                              const v1::Customer& after);

}  // namespace crm::customers
