// SQL for orders and everything that happens to them before returns: drafts, submission and
// discount approval, the status machine, escalation, and the shipments and payments the
// external systems report. Every write is one transaction with its status history, audit
// rows, outbox events and the deliveries of its effects (order_data.h).
//
// Record rules are the owned-record kit's (libs/records): reads and locks AND in the caller's
// rule, so an order the caller may not read is ORDER_NOT_FOUND and one they may read but not
// change is PERMISSION_DENIED. Approving needs read access and being the approver; the
// system's own steps (escalation, reports from services/inventory and services/finance) lock
// orders without a caller.
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
#include "services/orders/order_data.h"
#include "services/orders/rules.h"

namespace crm::orders {

// Who a submission goes to, decided by the service before the transaction (it may have to
// ask the auth service for the owner's manager).
struct SubmitPlan {
  Requirement requirement;  // what the rules asked for, as the service evaluated them
  bool needs_approval = false;
  auth::v1::Role approver_role = auth::v1::ROLE_UNSPECIFIED;
  std::string approver;  // "users/{id}", or "" for any admin
  absl::Duration escalate_after = absl::Hours(24);
};

// The actor of what the service does on its own (escalations).
inline constexpr char kOrdersService[] = "services/orders";

class OrderStore final {
 public:
  // `event_id_prefix` is the orders feed's id prefix ("orders.crm"): effect keys are event ids.
  OrderStore(db::Pool& pool, const Clock& clock, std::string event_id_prefix);

  // ListOrders: the filter/order whitelist, default order and page sizes.
  static const api::ListSpec& ListSpec();
  // ListPendingApprovals: oldest request first.
  static const api::ListSpec& PendingSpec();

  // Inserts a priced draft (owner checked by the caller). A retry with the same key returns
  // the first result.
  absl::StatusOr<v1::Order> Create(const records::Access& access, const OrderRecord& order,
                                   const db::IdempotencyKey& key);

  // The order with its lines and latest approval, if the caller may read it.
  absl::StatusOr<OrderRecord> Read(const records::Access& access, int64_t id);
  absl::StatusOr<v1::Order> Get(const records::Access& access, int64_t id, v1::OrderView view);
  absl::StatusOr<api::Page<v1::Order>> List(const records::Access& access,
                                            const api::ListQuery& query, v1::OrderView view);
  // The orders whose pending approval waits for the caller: a manager's own, an admin's the
  // ADMIN-level ones (every pending one with `all`).
  absl::StatusOr<api::Page<v1::Order>> ListPendingApprovals(const records::Access& access,
                                                            const api::ListQuery& query,
                                                            bool all);

  // Writes a draft the service edited: `updated` is the order as read at `updated.version`
  // with the caller's changes (new lines priced). ABORTED when the order changed since it
  // was read (ETAG_MISMATCH against `expected_version`, else CONCURRENT_UPDATE: read again).
  absl::StatusOr<v1::Order> UpdateDraft(const records::Access& access, const OrderRecord& updated,
                                        std::optional<int64_t> expected_version,
                                        std::vector<std::string> changed_paths,
                                        const db::IdempotencyKey& key);

  // DRAFT → PENDING_APPROVAL (an approval for plan.approver) or APPROVED. `seen_version` is
  // the version the plan was made from; the rules are evaluated again under the lock and
  // must agree with the plan (else ABORTED CONCURRENT_UPDATE).
  absl::StatusOr<v1::Order> Submit(const records::Access& access, int64_t id,
                                   int64_t seen_version, std::optional<int64_t> expected_version,
                                   const SubmitPlan& plan, const db::IdempotencyKey& key);

  // The pending approval's approver, or an admin: approves (→ APPROVED) or rejects (→ DRAFT).
  absl::StatusOr<v1::Order> Decide(const records::Access& access, int64_t id, bool approve,
                                   const std::string& comment, const db::IdempotencyKey& key);

  enum class Step { kConfirm, kHold, kResume, kCancel, kComplete };
  absl::StatusOr<v1::Order> Transition(const records::Access& access, int64_t id, Step step,
                                       std::optional<int64_t> expected_version,
                                       const std::string& reason, const db::IdempotencyKey& key);

  // Escalation (escalator.h): pending manager approvals due at `now`, and one escalation to
  // ADMIN, done once: false when someone decided or escalated it first.
  absl::StatusOr<std::vector<int64_t>> DueEscalations(absl::Time now, int limit);
  absl::StatusOr<bool> Escalate(int64_t approval_id, absl::Time now);

  // What the inventory and finance systems report, idempotent by external reference.
  absl::StatusOr<v1::Shipment> RecordShipment(std::string_view recorder,
                                              const v1::RecordShipmentRequest& request);
  absl::StatusOr<v1::Payment> RecordPayment(std::string_view recorder,
                                            const v1::RecordPaymentRequest& request);

  // The current approval rules, for the service's evaluation before a submission.
  absl::StatusOr<std::vector<ApprovalRuleSpec>> Rules();

 private:
  EffectContext Effects(std::string_view actor) const;

  db::Pool& pool_;
  const Clock& clock_;
  const std::string event_id_prefix_;
  const records::OwnedRecords orders_;
};

// The facts the approval rules look at.
OrderFacts FactsOf(const OrderRecord& order);
// Every active rule, in id order (for the service's evaluation and the store's re-check).
absl::StatusOr<std::vector<ApprovalRuleSpec>> LoadRules(db::Session& session);

}  // namespace crm::orders
