// The part of the read model behind the campaign report, called by ReadModel in
// the transaction that applies each event:
//   activities     CampaignCreated, …Updated,    the campaign as it is now (title, type,
//                  …Started, …Closed, …Cancelled state, window, budget, actual cost,
//                                                participants)
//   opportunities  Lead*, Opportunity*           what libs/campaigns/attribution.h counts for
//                                                the record's current code, taken back from
//                                                any other (the activities service's rules):
//                                                campaign_attributions, one row per thing
//                                                counted, and their sums in campaign_figures
// Each campaign row keeps the sequence of the last event applied to it, each attribution row
// is added or taken back once, so applying an event twice changes nothing and a replay from
// zero (Reset) ends with the same tables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "crm/events/v1/events.pb.h"
#include "libs/db/db.h"

namespace crm::analytics {

class CampaignModel final {
 public:
  // The activities feed's campaign events; the opportunities feed's are
  // campaigns::AttributionEventTypes().
  static std::vector<std::string> ActivityTypes();
  static std::vector<std::string> OpportunityTypes();

  // Events of other types change nothing here.
  absl::Status Apply(db::Transaction& tx, const events::v1::Event& event);
  // Clears what `feed` built here: the campaigns (activities), the attributions (opportunities).
  absl::Status Reset(db::Transaction& tx, std::string_view feed);

 private:
  absl::Status ApplyCampaign(db::Transaction& tx, const events::v1::Event& event);
  absl::Status ApplyAttributions(db::Transaction& tx, const events::v1::Event& event);
};

}  // namespace crm::analytics
