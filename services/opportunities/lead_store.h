// SQL for leads (lead_sql.h) and the local half of a lead conversion. Writes run in one
// transaction with their outbox event and idempotency record; record-level access is the
// owned-record kit's under LeadRules (rules.h).
//
// A conversion (LeadService.ConvertLead) is three steps, and only the last changes the lead:
//   1. BeginConversion records the customer request it is about to send (its request_id
//      derived from the lead), or finds the one an interrupted attempt recorded;
//   2. the service sends that request to the customers service — a retry sends the same one,
//      so the customers service replays the customer it created instead of making another;
//   3. CompleteConversion, in one transaction: the lead CONVERTED with its customer, the
//      opportunity (if any), the record of step 1 removed, the events.
// A crash between any two steps leaves the lead unconverted and the retry safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "crm/customers/v1/customers.pb.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "libs/api/list.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"
#include "libs/records/access.h"
#include "libs/records/owned.h"
#include "services/opportunities/opportunity_store.h"

namespace crm::opportunities {

// A customer request a conversion sends, as step 1 recorded it.
struct PendingConversion {
  std::string actor;  // who sent it: only they can replay it at the customers service
  customers::v1::CreateCustomerRequest request;  // request_id included
};

class LeadStore final {
 public:
  // `opportunities` creates a conversion's opportunity in the same transaction.
  LeadStore(db::Pool& pool, const Clock& clock, OpportunityStore& opportunities);

  static const api::ListSpec& ListSpec();

  // Inserts a validated lead owned by lead.owner(), created by the caller (an owner other than
  // the caller must be one the caller may give records to).
  absl::StatusOr<v1::Lead> Create(const records::Access& access, const v1::Lead& lead,
                                  const db::IdempotencyKey& key);
  // LEAD_NOT_FOUND when missing, deleted or not readable by the caller.
  absl::StatusOr<v1::Lead> Get(const records::Access& access, int64_t id);
  absl::StatusOr<api::Page<v1::Lead>> List(const records::Access& access,
                                           const api::ListQuery& query);
  // Locks the lead (NOT_FOUND / PERMISSION_DENIED), checks the version, refuses a converted
  // lead (LEAD_CONVERTED), lets `mutate` change it and writes it back (score recomputed).
  using Mutation = std::function<absl::Status(v1::Lead&)>;
  absl::StatusOr<v1::Lead> Update(const records::Access& access, int64_t id,
                                  std::optional<int64_t> expected_version, const Mutation& mutate,
                                  const db::IdempotencyKey& key);
  absl::Status Delete(const records::Access& access, int64_t id,
                      std::optional<int64_t> expected_version, const db::IdempotencyKey& key);
  absl::StatusOr<v1::Lead> Disqualify(const records::Access& access, int64_t id,
                                      std::optional<int64_t> expected_version,
                                      const std::string& reason, const db::IdempotencyKey& key);

  // One import row (validated, with `had_status` false when the row named no status): in its
  // own transaction, updates the live lead with its external id or creates one, marked with
  // `batch`; with `dry_run`, only says which it would be. CREATED, UPDATED or VALID and the
  // lead; the row's error otherwise.
  struct ImportOutcome {
    v1::LeadImportResult::Outcome outcome = v1::LeadImportResult::FAILED;
    v1::Lead lead;
  };
  absl::StatusOr<ImportOutcome> ImportRow(const records::Access& access, const v1::Lead& row,
                                          bool had_status, const std::string& batch,
                                          bool dry_run);

  // ---- Conversion (see the top of this file).
  // The stored response of an earlier ConvertLead with `key`, if there was one.
  absl::StatusOr<std::optional<v1::ConvertLeadResponse>> ConversionReplay(
      const db::IdempotencyKey& key);
  // The lead if the caller may write it and it can be converted (LEAD_CONVERTED,
  // LEAD_DISQUALIFIED otherwise). Not locked: step 3 checks again.
  absl::StatusOr<v1::Lead> Convertible(const records::Access& access, int64_t id,
                                       std::optional<int64_t> expected_version);
  // Records `proposed` as the customer request of lead `id`'s conversion, unless an earlier
  // attempt recorded one: then that one, as it was sent.
  absl::StatusOr<PendingConversion> BeginConversion(int64_t id, std::string_view actor,
                                                    const customers::v1::CreateCustomerRequest& proposed);
  // Forgets `actor`'s recorded request (the customers service refused it, so nothing was
  // created and the next attempt starts over).
  absl::Status AbandonConversion(int64_t id, std::string_view actor);
  // Step 3. `opportunity` (validated, customer set) is created when given.
  absl::StatusOr<v1::ConvertLeadResponse> CompleteConversion(
      const records::Access& access, int64_t id, std::optional<int64_t> expected_version,
      const std::string& customer, bool customer_created,
      const std::optional<NewOpportunity>& opportunity, const db::IdempotencyKey& key);

  // ---- For the customers feed, inside its transaction, as the service itself.
  absl::Status Repoint(db::Transaction& tx, int64_t survivor_id, int64_t merged_id,
                       std::string_view actor);
  absl::Status Unrepoint(db::Transaction& tx, int64_t survivor_id, int64_t merged_id,
                         std::string_view actor);

 private:
  absl::Status WriteLead(db::Transaction& tx, const records::Access* access, int64_t id,
                         const v1::Lead& lead);
  absl::Status FeedUpdated(db::Transaction& tx, int64_t id, std::string_view actor);

  db::Pool& pool_;
  const Clock& clock_;
  OpportunityStore& opportunities_store_;
  const records::OwnedRecords leads_;
};

}  // namespace crm::opportunities
