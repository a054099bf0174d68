// The owner checks of one write that may give records to new owners, split so that no row
// lock is held across a call to the auth service: Prepare every owner the write may name
// before its transaction (the blocking half, Access::CheckNewOwner), then Check each change
// under the lock (the local rule, Access::CheckOwnerRule, with the prepared verdict):
//
//   records::OwnerChecks owners(access, "customer.owner");
//   owners.Prepare(request_owner);                       // may call the auth service
//   pool.InTransaction([&](db::Transaction& tx) {        // rows locked from here: no I/O
//     ... CRM_RETURN_IF_ERROR(owners.Check(current.owner(), updated.owner())); ...
//   });
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "libs/records/access.h"

namespace crm::records {

class OwnerChecks final {
 public:
  // `access` must outlive this; `field` names the owner field in violations.
  OwnerChecks(const Access& access, std::string field)
      : access_(access), field_(std::move(field)) {}

  // Blocking: looks `owner` up unless its verdict is known (a lookup that failed for now,
  // UNAVAILABLE, is asked again). An empty name needs no lookup.
  void Prepare(std::string_view owner);

  // Whether the caller may move a record from `from` to `to`: the role's rule, then the
  // verdict prepared for `to`. Never blocks. INTERNAL when `to` was not prepared (a bug).
  absl::Status Check(std::string_view from, std::string_view to) const;

  // How many verdicts are kept, and forgetting them, for a long run (an import) to bound
  // its memory.
  size_t size() const { return verdicts_.size(); }
  void Clear() { verdicts_.clear(); }

 private:
  const Access& access_;
  const std::string field_;
  std::map<std::string, absl::Status, std::less<>> verdicts_;
};

}  // namespace crm::records
