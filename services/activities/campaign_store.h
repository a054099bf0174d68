// The campaigns' SQL (campaign_sql.h): campaigns with their participants and target
// customers, the feedback participants record, and what the opportunities feed attributed to
// a campaign's code (campaign_feed.h), summed up as its effectiveness. Writes run in one
// transaction with their outbox event and idempotency record.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/activities/v1/activities.pb.h"
#include "libs/api/list.h"
#include "libs/base/clock.h"
#include "libs/campaigns/attribution.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"

namespace crm::activities {

// Who asks, as the campaigns' rules see them: planners (ADMIN, SALES_MANAGER, MARKETING) read
// and change every campaign; anyone else reads, and records feedback on, the campaigns they
// take part in.
struct CampaignCaller {
  std::string actor;  // "users/{id}"
  bool planner = false;
};

// What the feed counts for a campaign code (campaign_attributions.kind).
using AttributionKind = campaigns::AttributionKind;

struct Attribution {
  std::string code;
  AttributionKind kind = AttributionKind::kLead;
  std::string resource;  // "leads/{id}", "customers/{id}", "opportunities/{id}"
  std::string currency;  // kWon: the amount's
  int64_t amount_minor = 0;
  std::string source_event;
};

// What was attributed to one code, and the campaign's feedback in numbers.
struct CampaignResults {
  int64_t leads = 0;
  int64_t customers = 0;
  int64_t opportunities = 0;
  int64_t won = 0;
  std::map<std::string, int64_t> won_revenue;  // currency → minor units
  int64_t feedback = 0;
  int64_t attended = 0;
  int64_t average_rating_x100 = 0;
  // The activities linked to the campaign (CampaignEffectiveness's visit counts).
  int64_t visits = 0;
  int64_t other_activities = 0;
  int64_t visited_targets = 0;
  int64_t unplanned_visited = 0;
};

// The effectiveness of `campaign` with `results` (the rules are in activities.proto,
// CampaignEffectiveness).
v1::CampaignEffectiveness Effectiveness(const v1::Campaign& campaign,
                                        const CampaignResults& results);

// Whether `caller` may link an activity at `activity_time` to campaign `id` (Activity.campaign
// in activities.proto), inside the activity's write `tx`: INVALID_ARGUMENT on `field` when the
// campaign does not exist or the caller may not read it (the same answer for both);
// CAMPAIGN_CLOSED when it is cancelled, or closed and `activity_time` is outside its window.
// The campaign's row stays share-locked until `tx` ends, so a cancel waits for the link.
absl::Status CheckCampaignLink(db::Transaction& tx, const CampaignCaller& caller, int64_t id,
                               absl::Time activity_time, std::string_view field);

class CampaignStore final {
 public:
  CampaignStore(db::Pool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

  static const api::ListSpec& ListSpec();

  // Inserts a validated campaign (PLANNED). CAMPAIGN_CODE_TAKEN when another has its code.
  absl::StatusOr<v1::Campaign> Create(const CampaignCaller& caller, const v1::Campaign& campaign,
                                      const db::IdempotencyKey& key);
  // CAMPAIGN_NOT_FOUND when missing or not readable by the caller.
  absl::StatusOr<v1::Campaign> Get(const CampaignCaller& caller, int64_t id);
  absl::StatusOr<api::Page<v1::Campaign>> List(const CampaignCaller& caller,
                                               const api::ListQuery& query);
  // Locks the campaign (CAMPAIGN_NOT_FOUND; PERMISSION_DENIED for a participant who is not a
  // planner), checks the version, lets `mutate` change it and say which event it is, and
  // writes it back with its participants and targets.
  using Mutation = std::function<absl::StatusOr<std::string>(v1::Campaign&)>;
  absl::StatusOr<v1::Campaign> Change(const CampaignCaller& caller, int64_t id,
                                      std::optional<int64_t> expected_version,
                                      const Mutation& mutate, const db::IdempotencyKey& key);

  // Records (or replaces) the caller's feedback on one customer of a campaign they may read,
  // while it is PLANNED or RUNNING (CAMPAIGN_CLOSED otherwise).
  absl::StatusOr<v1::CampaignFeedback> RecordFeedback(const CampaignCaller& caller,
                                                      int64_t campaign_id,
                                                      const v1::CampaignFeedback& feedback,
                                                      const db::IdempotencyKey& key);
  absl::StatusOr<api::Page<v1::CampaignFeedback>> ListFeedback(const CampaignCaller& caller,
                                                               int64_t campaign_id,
                                                               const api::ListQuery& query);

  // The campaign and what was attributed to its code.
  absl::StatusOr<v1::CampaignEffectiveness> Effectiveness(const CampaignCaller& caller, int64_t id);

  // ---- For the opportunities feed, inside the event's transaction.
  // Counts `what` once (a row per code, kind and resource).
  absl::Status Attribute(db::Transaction& tx, const Attribution& what);
  // Takes back what `resource` counts as `kind` under any code but `code` (every code when
  // `code` is empty): a record moved to another code, or cleared, reopened or deleted.
  absl::Status UnattributeOtherCodes(db::Transaction& tx, std::string_view code,
                                     AttributionKind kind, std::string_view resource);

 private:
  absl::StatusOr<db::Row> Read(db::Session& session, const CampaignCaller& caller, int64_t id,
                               bool lock);
  absl::Status WriteChildren(db::Transaction& tx, int64_t id, const v1::Campaign& campaign);

  db::Pool& pool_;
  const Clock& clock_;
};

}  // namespace crm::activities
