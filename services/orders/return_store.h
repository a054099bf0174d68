// SQL for returns and exchanges (ReturnService). A return is visible to whoever may read its
// order (the orders' record rules, joined in every statement), and each step checks the
// return's state machine:
//   REQUESTED ─approve─▶ APPROVED ─receive─▶ RECEIVED ─resolve─▶ RESOLVED;  REQUESTED,
//   APPROVED ─reject─▶ REJECTED.
// Resolving moves the received units onto the order lines' returned quantities and asks
// finance for a credit note (REFUND) or creates a confirmed replacement order at no charge
// (REPLACEMENT), all in one transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crm/orders/v1/orders.pb.h"
#include "libs/api/list.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"
#include "libs/records/access.h"
#include "libs/records/owned.h"

namespace crm::orders {

class ReturnStore final {
 public:
  ReturnStore(db::Pool& pool, const Clock& clock, std::string event_id_prefix);

  static const api::ListSpec& ListSpec();

  // A validated request against an order the caller may read: each line's quantity at most
  // what was delivered and is not already returned or in another open return
  // (NOT_RETURNABLE).
  absl::StatusOr<v1::Return> Create(const records::Access& access, const v1::Return& request,
                                    const db::IdempotencyKey& key);
  absl::StatusOr<v1::Return> Get(const records::Access& access, int64_t id);
  absl::StatusOr<api::Page<v1::Return>> List(const records::Access& access,
                                             const api::ListQuery& query);

  enum class Step { kApprove, kReject, kReceive, kResolve };
  struct StepInput {
    Step step = Step::kApprove;
    std::string comment;
    // kReceive: units received per line number (empty: everything requested).
    std::vector<std::pair<int, int64_t>> received;
    // kResolve: RETURN_RESOLUTION_UNSPECIFIED for the requested one.
    v1::ReturnResolution resolution = v1::RETURN_RESOLUTION_UNSPECIFIED;
  };
  absl::StatusOr<v1::Return> Advance(const records::Access& access, int64_t id,
                                     const StepInput& input, const db::IdempotencyKey& key);

 private:
  db::Pool& pool_;
  const Clock& clock_;
  const std::string event_id_prefix_;
  const records::OwnedRecords orders_;
};

}  // namespace crm::orders
