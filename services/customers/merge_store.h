// MergeCustomers and UnmergeCustomers (customers.proto has the rules). A merge keeps, in its
// customer_merges row, every row it changes as it was before (RowSnapshot) and the versions of
// the survivor and its contacts right after it; an unmerge that finds those versions unchanged
// writes the snapshot back, so the customers, contacts and dates are exactly as before the
// merge. Both run in one transaction with their history rows and event.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "absl/status/statusor.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"
#include "libs/records/access.h"

namespace crm::customers {

// The survivor after a merge: its own values, the merged customers' values (in order) for
// fields it has empty (the region only as a whole), and the union of the tags, e-mails (case-
// insensitively), phones and dates (a second birthday is left out). FAILED_PRECONDITION
// (MERGE_TOO_LARGE, metadata "field") when a list would exceed its limit.
absl::StatusOr<v1::Customer> CombineForMerge(const v1::Customer& survivor,
                                             std::span<const v1::Customer> merged);

class MergeStore final {
 public:
  MergeStore(db::Pool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

  // Every customer must be one the caller may change (CUSTOMER_NOT_FOUND / PERMISSION_DENIED
  // otherwise); `survivor_version`, when set, must be the survivor's.
  absl::StatusOr<v1::CustomerMerge> Merge(const records::Access& access, int64_t survivor,
                                          std::span<const int64_t> merged,
                                          std::optional<int64_t> survivor_version,
                                          const db::IdempotencyKey& key);

  // MERGE_NOT_FOUND, ALREADY_UNMERGED, CHANGED_SINCE_MERGE as customers.proto says.
  absl::StatusOr<v1::CustomerMerge> Unmerge(const records::Access& access, int64_t survivor,
                                            int64_t merge_id, const db::IdempotencyKey& key);

 private:
  db::Pool& pool_;
  const Clock& clock_;
};

}  // namespace crm::customers
