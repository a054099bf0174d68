// The campaign report: the campaigns of campaign_model.h whose window overlaps a
// period, the caller's rule in the WHERE (campaign visibility, not FigureRules: planners see
// every campaign, anyone else those they take part in), their figures, cost figures and ROI
// by libs/campaigns' rules, ordered and totalled per currency.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/analytics/v1/analytics.pb.h"
#include "libs/auth/visibility.h"
#include "libs/db/db.h"
#include "libs/grpc/status.h"
#include "libs/records/access.h"

namespace crm::analytics {

// Who sees which campaigns in the report: ADMIN, SALES_MANAGER and MARKETING all, SALES_REP
// their own (the campaigns they take part in), SUPPORT none.
const auth::RecordRules& CampaignReportRules();

enum class CampaignOrder { kRoi, kWonRevenue, kStartTime };

struct CampaignQuery {
  absl::Time from;  // the period's first instant (the company's first day, 00:00)
  absl::Time to;    // the instant after it
  activities::v1::Campaign::Type type = activities::v1::Campaign::TYPE_UNSPECIFIED;
  activities::v1::Campaign::State state = activities::v1::Campaign::STATE_UNSPECIFIED;
  CampaignOrder order = CampaignOrder::kRoi;
  bool descending = true;
};

// "roi", "won_revenue" or "start_time", optionally followed by " desc" or " asc"; "" for
// "roi desc". Anything else is added to `violations` under "order_by".
void ReadCampaignOrder(const std::string& order_by, Violations& violations, CampaignQuery& query);

class CampaignReports final {
 public:
  explicit CampaignReports(db::Pool& pool) : pool_(pool) {}

  absl::StatusOr<v1::CampaignReport> Report(const records::Access& access,
                                            const CampaignQuery& query);

 private:
  db::Pool& pool_;
};

}  // namespace crm::analytics
