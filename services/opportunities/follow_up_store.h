// SQL for follow-up rules and the follow-ups they fire (follow_up_sql.h). Rules are plain
// configuration (the service lets admins and managers change them); follow-ups are read under
// the caller's opportunity rule, so a rep sees their own and a manager their teams'.
//
// Fire is the scheduler's work: every active rule against the open opportunities, each
// follow-up inserted at most once per rule, opportunity and occurrence (a unique key, so two
// replicas or a retried run cannot fire one twice) with its FollowUpDue event in the same
// transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "libs/api/list.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"
#include "libs/records/access.h"
#include "services/opportunities/opportunity_store.h"

namespace crm::opportunities {

class FollowUpStore final {
 public:
  // `opportunities` gives the table whose read rule narrows ListDue; `zone` what "today" is.
  FollowUpStore(db::Pool& pool, const Clock& clock, absl::TimeZone zone,
                const OpportunityStore& opportunities)
      : pool_(pool), clock_(clock), zone_(zone), opportunities_(opportunities) {}

  static const api::ListSpec& RuleListSpec();
  static const api::ListSpec& DueListSpec();

  // A validated rule whose stage (if any) is an open stage of a pipeline (INVALID_ARGUMENT on
  // rule.stage otherwise).
  absl::StatusOr<v1::FollowUpRule> CreateRule(const v1::FollowUpRule& rule, std::string_view actor,
                                              const db::IdempotencyKey& key);
  // FOLLOW_UP_RULE_NOT_FOUND when missing or deleted.
  absl::StatusOr<v1::FollowUpRule> GetRule(int64_t id);
  absl::StatusOr<api::Page<v1::FollowUpRule>> ListRules(const api::ListQuery& query);
  using Mutation = std::function<absl::Status(v1::FollowUpRule&)>;
  absl::StatusOr<v1::FollowUpRule> UpdateRule(int64_t id, std::optional<int64_t> expected_version,
                                              const Mutation& mutate, std::string_view actor,
                                              const db::IdempotencyKey& key);
  absl::Status DeleteRule(int64_t id, std::optional<int64_t> expected_version,
                          std::string_view actor, const db::IdempotencyKey& key);

  // The follow-ups due now on the opportunities the caller may read.
  absl::StatusOr<api::Page<v1::FollowUp>> ListDue(const records::Access& access,
                                                  const api::ListQuery& query);

  // Fires every active rule as of `now`, as `actor` (the service). How many follow-ups fired.
  absl::StatusOr<int> Fire(absl::Time now, std::string_view actor);

 private:
  absl::StatusOr<v1::FollowUpRule> ReadRule(db::Session& session, int64_t id, bool lock);
  // INVALID_ARGUMENT unless the rule's stage is an open stage of its pipeline; its id (0: none).
  absl::StatusOr<int64_t> StageOf(db::Session& session, const v1::FollowUpRule& rule);
  absl::StatusOr<int> FireRule(const v1::FollowUpRule& rule, absl::Time now,
                               std::string_view actor);

  db::Pool& pool_;
  const Clock& clock_;
  const absl::TimeZone zone_;
  const OpportunityStore& opportunities_;
};

}  // namespace crm::opportunities
