// SQL for opportunities, their stage history and the win model's counts (opportunity_sql.h).
// Writes run in one transaction with their outbox event and idempotency record.
//
// Record-level access is the owned-record kit's under OpportunityRules (rules.h): every read
// and write ANDs in the caller's rule, so an opportunity the caller may not read is
// OPPORTUNITY_NOT_FOUND, one they may read but not write PERMISSION_DENIED, and an owner change
// is checked with the same Access.
//
// Stage changes happen only in Move, which checks the transition against the pipeline as it
// is now, appends to the stage history, and keeps the win model's counts (a deal counts once
// it closes; reopening or deleting it takes it out again).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "libs/api/list.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"
#include "libs/records/access.h"
#include "libs/records/owned.h"
#include "services/opportunities/clients.h"

namespace crm::opportunities {

// A validated opportunity to insert, its owner set.
struct NewOpportunity {
  v1::Opportunity opportunity;
  CustomerFacts customer;
  int64_t lead_id = 0;  // converted from this lead
};

// An opportunity as stored (opportunity_store.cc).
struct OpportunityRecord;

// One of the four stage changes.
struct StageMove {
  enum Kind { kAdvance, kWon, kLost, kReopen };
  Kind kind = kAdvance;
  int64_t stage_id = 0;            // kAdvance: the target; kReopen: the target, or 0
  std::optional<int> probability;  // kAdvance: overrides the stage's
  int64_t stage_pipeline_id = 0;   // the pipeline `stage_id`'s name gave
  // kWon: the final amount (validated); in the opportunity's currency when it has an amount.
  std::optional<common::v1::Money> amount;
  std::string reason;              // kLost
  std::string lost_to;             // kLost
};

class OpportunityStore final {
 public:
  // `zone` says what "today" is (close dates, the default expected close date);
  // `min_learning_sample` is the win model's minimum.
  OpportunityStore(db::Pool& pool, const Clock& clock, absl::TimeZone zone,
                   int64_t min_learning_sample);

  static const api::ListSpec& ListSpec();
  static const api::ListSpec& HistoryListSpec();
  // The owned table, for stores that count opportunities under the caller's rule.
  const records::OwnedRecords& table() const { return opportunities_; }

  // Inserts an open opportunity in its stage (see CreateOpportunity in the proto) created by
  // the caller; an owner other than the caller must be one the caller may give records to.
  absl::StatusOr<v1::Opportunity> Create(const records::Access& access, const NewOpportunity& input,
                                         const db::IdempotencyKey& key);
  // The same inside `tx` (a lead conversion), with the owner already checked.
  absl::StatusOr<v1::Opportunity> Insert(db::Transaction& tx, const records::Access& access,
                                         const NewOpportunity& input);

  absl::StatusOr<v1::Opportunity> Get(const records::Access& access, int64_t id);
  absl::StatusOr<api::Page<v1::Opportunity>> List(const records::Access& access,
                                                  const api::ListQuery& query);

  // Locks the opportunity (NOT_FOUND / PERMISSION_DENIED), checks the version, lets `mutate`
  // change it, and writes it back. `new_customer` is what the customers service said about the
  // customer the update names, when it names one.
  using Mutation = std::function<absl::Status(v1::Opportunity&)>;
  absl::StatusOr<v1::Opportunity> Update(const records::Access& access, int64_t id,
                                         std::optional<int64_t> expected_version,
                                         const Mutation& mutate,
                                         const std::optional<CustomerFacts>& new_customer,
                                         const db::IdempotencyKey& key);
  absl::Status Delete(const records::Access& access, int64_t id,
                      std::optional<int64_t> expected_version, const db::IdempotencyKey& key);

  // AdvanceStage, CloseWon, CloseLost, Reopen. An illegal transition is FAILED_PRECONDITION
  // (OPPORTUNITY_CLOSED, OPPORTUNITY_OPEN, SAME_STAGE, CLOSING_STAGE, REOPEN_TO_CLOSED_STAGE);
  // a stage that is not an open stage of the pipeline is INVALID_ARGUMENT on `stage_field`.
  absl::StatusOr<v1::Opportunity> Move(const records::Access& access, int64_t id,
                                       std::optional<int64_t> expected_version,
                                       const StageMove& move, std::string_view stage_field,
                                       const db::IdempotencyKey& key);

  absl::StatusOr<api::Page<v1::StageChange>> ListHistory(const records::Access& access,
                                                         int64_t id, const api::ListQuery& query);

  // ---- For the customers feed, inside its transaction, as the service itself (`actor`).
  // Moves the live opportunities of customer `merged_id` to `survivor_id`, remembering which.
  absl::Status Repoint(db::Transaction& tx, int64_t survivor_id, int64_t merged_id,
                       std::string_view actor);
  // Puts back the opportunities Repoint moved from `merged_id` that are still on the survivor.
  absl::Status Unrepoint(db::Transaction& tx, int64_t survivor_id, int64_t merged_id,
                         std::string_view actor);
  // Flags the open opportunities of a deleted customer.
  absl::Status FlagCustomerDeleted(db::Transaction& tx, int64_t customer_id,
                                   std::string_view actor);
  // Keeps the win model's customer facts of open opportunities current.
  absl::Status RefreshCustomerFacts(db::Transaction& tx, int64_t customer_id,
                                    const CustomerFacts& facts);

 private:
  // The opportunity `id` whoever asks (for reads after a write, and the customers feed).
  absl::StatusOr<OpportunityRecord> ReadUnchecked(db::Session& session, int64_t id);
  // Fills the evaluation of each record, reading the counts of their pipelines in `session`.
  absl::Status Evaluate(db::Session& session, std::vector<OpportunityRecord*> records);
  // ReadUnchecked, evaluated: what a write returns.
  absl::StatusOr<v1::Opportunity> Evaluated(db::Session& session, int64_t id);
  // Writes every column of `record` back, with the caller's write rule when `access` is given
  // (the customers feed writes as the service).
  absl::Status WriteRecord(db::Transaction& tx, const records::Access* access,
                           const OpportunityRecord& record);
  // Appends an update event for a change the customers feed made.
  absl::Status FeedUpdated(db::Transaction& tx, int64_t id, std::string_view actor,
                           std::vector<std::string> changed);

  db::Pool& pool_;
  const Clock& clock_;
  const absl::TimeZone zone_;
  const int64_t min_learning_sample_;
  const records::OwnedRecords opportunities_;
};

}  // namespace crm::opportunities
