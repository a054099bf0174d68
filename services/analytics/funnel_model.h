// The funnel, forecast and win/loss part of the read model (schema/003_funnel.sql), fed by the
// opportunities feed through ReadModel (read_model.h), each event in the transaction that
// records it:
//   LeadCreated, …Updated, …Disqualified,    the lead as it is now (status, owner, campaign)
//   …Converted, …Deleted                     and the days it counts under in lead_daily:
//                                            created, first QUALIFIED (or converted without
//                                            it: its conversion day), converted
//   OpportunityCreated, …StageChanged, …Won, a stay per stage entered: entered at the event's
//   …Lost, …Reopened, …Updated, …Deleted     time, left at the next stage change's, into
//                                            stage_daily; the deal's forecast figures into
//                                            open_forecast; how it closed into closed_daily
//   PipelineCreated, PipelineUpdated         the stages' order and type, the default pipeline
//   QuotaSet                                 quotas
// Days are calendar days in the company's time zone. Whatever a lead or a stay adds to
// lead_daily or stage_daily it adds in the same transaction to lead_cube or
// stage_cube (schema/008_funnel_cube.sql): the rows of its day and month, for its owner and
// for everyone, which the funnel report reads.
//
// TIME IN STAGE is kept as a histogram per stage_daily group, buckets b0..b9 with upper
// bounds 1 h, 1 d, 3 d, 7 d, 14 d, 30 d, 60 d, 90 d, 180 d and none (kBucketBounds); a
// percentile read from it is exact to its bucket's bounds.
//
// EXACTNESS. Every lead and deal row keeps the sequence of the last event applied to it; an
// event not newer than that (a repeat, or an older one arriving late) changes nothing; a
// deleted lead or deal stays as a tombstone adding nothing, so that its older events cannot
// bring it back. And each row says what it added, so a change takes out precisely that before
// adding what it adds now. Replaying the feed from zero after Reset ends with the same tables.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "crm/events/v1/events.pb.h"
#include "libs/db/db.h"

namespace crm::analytics {

// The upper bounds of the time-in-stage buckets, in seconds; the last bucket has none.
inline constexpr std::array<int64_t, 9> kBucketBounds = {
    3600, 86400, 3 * 86400, 7 * 86400, 14 * 86400, 30 * 86400, 60 * 86400, 90 * 86400, 180 * 86400};
inline constexpr int kBuckets = 10;

// The bucket of a stay of `seconds`.
int BucketOf(int64_t seconds);

class FunnelModel final {
 public:
  explicit FunnelModel(absl::TimeZone zone) : zone_(zone) {}

  // The opportunities feed's event types it reads besides ReadModel's.
  static std::vector<std::string> OpportunityTypes();

  absl::Status Apply(db::Transaction& tx, const events::v1::Event& event);
  // Clears everything it built from the opportunities feed.
  absl::Status Reset(db::Transaction& tx, std::string_view feed);

 private:
  absl::Status ApplyLead(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyDeal(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyPipeline(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyQuota(db::Transaction& tx, const events::v1::Event& event);

  absl::TimeZone zone_;
};

}  // namespace crm::analytics
