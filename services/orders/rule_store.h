// SQL for the discount approval rules (ApprovalRuleService). Rules are soft-deleted: the
// approvals they caused keep their reasons.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "crm/orders/v1/orders.pb.h"
#include "libs/api/list.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"

namespace crm::orders {

class RuleStore final {
 public:
  RuleStore(db::Pool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

  // ListApprovalRules: in id order.
  static const api::ListSpec& ListSpec();

  // A validated rule, created by `actor`.
  absl::StatusOr<v1::ApprovalRule> Create(const v1::ApprovalRule& rule, std::string_view actor,
                                          const db::IdempotencyKey& key);
  absl::StatusOr<api::Page<v1::ApprovalRule>> List(const api::ListQuery& query);
  // APPROVAL_RULE_NOT_FOUND when there is no such (live) rule.
  absl::Status Delete(int64_t id, std::string_view actor, const db::IdempotencyKey& key);

 private:
  db::Pool& pool_;
  const Clock& clock_;
};

}  // namespace crm::orders
