// What crm-analytics keeps of the other services' events (analytics.proto says what a sale
// is), applied by the event consumer (libs/events/consumer.h) as services/analytics, each
// event exactly once in the transaction that records it:
//   customers      CustomerCreated, CustomerUpdated   the customer's industry and province;
//                                                     its won deals move to the new ones
//   opportunities  OpportunityCreated, …Updated,      the deal as it is now: what it added to
//                  …StageChanged, …Won, …Lost,        won_daily is taken out and what it adds
//                  …Reopened, …Deleted                now put in (to won_daily when won, to
//                                                     open_pipeline when open)
//                  PipelineCreated, PipelineUpdated   the stages' names
//                  and, through FunnelModel (funnel_model.h), Lead* and QuotaSet: the funnel,
//                  forecast and win/loss aggregates
//   and more of the customers and opportunities feeds, and the orders and activities
//   feeds, for the distribution and the staff ranking (performance_model.h)
//   and the activities feed's campaigns and what the opportunities feed attributes to
//   their codes, for the campaign report (campaign_model.h)
// Every row of `opportunities` records exactly what it added, so the aggregates never depend
// on the order in which the two feeds arrive: replaying them from zero (ConsumerAdmin's
// rewind, which calls Reset) ends with the same figures as the live model.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crm/events/v1/events.pb.h"
#include "libs/db/db.h"
#include "libs/events/consumer.h"
#include "services/analytics/campaign_model.h"
#include "services/analytics/funnel_model.h"
#include "services/analytics/performance_model.h"

namespace crm::analytics {

class ReadModel final : public events::EventHandler {
 public:
  // `zone`: the company's time zone, whose calendar days the funnel and the performance
  // figures (a customer's creation, an order's, an activity's) count in.
  explicit ReadModel(absl::TimeZone zone = absl::UTCTimeZone())
      : funnel_(zone), performance_(zone) {}

  // The event types it needs from each feed.
  static std::vector<std::string> CustomerTypes();
  static std::vector<std::string> OpportunityTypes();
  // The orders and activities feeds.
  static std::vector<std::string> OrderTypes() { return PerformanceModel::OrderTypes(); }
  static std::vector<std::string> ActivityTypes();

  absl::Status Apply(db::Transaction& tx, const events::v1::Event& event) override;
  absl::Status Reset(db::Transaction& tx, std::string_view feed) override;

 private:
  absl::Status ApplyCustomer(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyOpportunity(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyPipeline(db::Transaction& tx, const events::v1::Event& event);

  FunnelModel funnel_;  // leads, stays in stages, forecast, closings, quotas
  // Customer distribution and staff ranking figures (performance_model.h).
  PerformanceModel performance_;
  CampaignModel campaigns_;  // campaigns and their attributions (campaign_model.h)
};

}  // namespace crm::analytics
