// SQL for activities (store_sql.h). Writes run in one transaction with their outbox event and
// idempotency record. Record access is the owned-record kit's on the linked customer's owner
// (customer_owners, joined), which every write that names a customer refreshes from the
// customers service's answer and the customers feed keeps current (customer_feed.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "crm/activities/v1/activities.pb.h"
#include "libs/api/list.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"
#include "libs/records/access.h"
#include "libs/records/owned.h"
#include "services/activities/campaign_store.h"

namespace crm::activities {

// A customer as the customers service showed it to the caller.
struct CustomerOwner {
  int64_t customer_id = 0;
  std::string owner;  // "users/{id}"
};

class ActivityStore final {
 public:
  ActivityStore(db::Pool& pool, const Clock& clock);

  static const api::ListSpec& ListSpec();

  // Inserts a validated activity on `customer` (its owner recorded), performed by
  // activity.performer(). PERMISSION_DENIED when the caller may read the customer but not
  // change its records. Its campaign, when it names one, is checked in the same transaction
  // with `linker`, the caller as the campaigns' rules see them (CheckCampaignLink).
  absl::StatusOr<v1::Activity> Create(const records::Access& access, const v1::Activity& activity,
                                      const CustomerOwner& customer, const CampaignCaller& linker,
                                      const db::IdempotencyKey& key);
  // ACTIVITY_NOT_FOUND when missing, deleted or not readable by the caller.
  absl::StatusOr<v1::Activity> Get(const records::Access& access, int64_t id);
  absl::StatusOr<api::Page<v1::Activity>> List(const records::Access& access,
                                               const api::ListQuery& query);
  // Locks the activity (NOT_FOUND / PERMISSION_DENIED), checks the version, lets `mutate`
  // change it and writes it back. `new_customer`, when the update moves the activity to
  // another customer: its owner, which the caller must be able to change as well. A campaign
  // the update links to (a new or another one) is checked with `linker`, as by Create.
  using Mutation = std::function<absl::Status(v1::Activity&)>;
  absl::StatusOr<v1::Activity> Update(const records::Access& access, int64_t id,
                                      std::optional<int64_t> expected_version,
                                      const Mutation& mutate,
                                      const std::optional<CustomerOwner>& new_customer,
                                      const CampaignCaller& linker, const db::IdempotencyKey& key);
  absl::Status Delete(const records::Access& access, int64_t id,
                      std::optional<int64_t> expected_version, const db::IdempotencyKey& key);

  // ---- For the customers feed, inside its transaction, as the service itself.
  absl::Status SetCustomerOwner(db::Transaction& tx, const CustomerOwner& customer);
  // Moves the activities of `merged_id` to `survivor_id` (remembered), or back when undoing.
  absl::Status Repoint(db::Transaction& tx, int64_t survivor_id, int64_t merged_id,
                       std::string_view actor);
  absl::Status Unrepoint(db::Transaction& tx, int64_t survivor_id, int64_t merged_id,
                         std::string_view actor);

 private:
  absl::StatusOr<v1::Activity> Read(db::Transaction& tx, int64_t id);
  absl::Status Repointed(db::Transaction& tx, int64_t id, int64_t customer_id,
                         std::string_view actor);

  db::Pool& pool_;
  const Clock& clock_;
  const records::OwnedRecords activities_;
};

}  // namespace crm::activities
