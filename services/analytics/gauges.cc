#include "services/analytics/gauges.h"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <cmath>

#include "libs/api/money.h"
#include "libs/api/periods.h"
#include "services/analytics/performance_sql.h"
#include "services/analytics/store_sql.h"

namespace crm::analytics {
namespace {

using Labels = std::map<std::string, std::string>;

// Minor units as major units of the currency (¥1234.50 from 123450 fen).
double Major(const std::string& currency, int64_t minor) {
  const int digits = api::CurrencyDigits(currency).value_or(2);
  return static_cast<double>(minor) / std::pow(10.0, digits);
}

prometheus::Family<prometheus::Gauge>& Gauge(prometheus::Registry& registry, const char* name,
                                             const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}

}  // namespace

BusinessGauges::BusinessGauges(db::Pool& pool, const Clock& clock, absl::TimeZone zone,
                               prometheus::Registry& registry)
    : pool_(pool),
      clock_(clock),
      zone_(zone),
      pipeline_amount_(Gauge(registry, "crm_business_pipeline_amount",
                             "Open deals' amount by pipeline, stage and currency (major units)")),
      pipeline_deals_(
          Gauge(registry, "crm_business_pipeline_deals", "Open deals by pipeline and stage")),
      won_amount_(Gauge(registry, "crm_business_won_amount_month",
                        "Revenue won this calendar month (company time zone) by currency, "
                        "major units")),
      won_deals_(Gauge(registry, "crm_business_won_deals_month",
                       "Deals won this calendar month (company time zone)")),
      // Orders by status (the orders feed).
      orders_(Gauge(registry, "crm_business_orders", "Orders now by status")) {}

absl::Status BusinessGauges::Refresh() {
  const absl::CivilDay today = api::DayIn(clock_.Now(), zone_);
  const api::Period month = api::MonthOf(today);
  std::map<Labels, double> amounts, deals, won_amounts, orders;
  double won_deals = 0;
  {
    CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
    CRM_ASSIGN_OR_RETURN(db::Rows pipeline, session->Query(sql::kGaugePipeline, {}));
    for (const db::Row& row : pipeline) {
      const Labels stage = {{"pipeline", row.Str(0)}, {"stage", row.Str(1)}};
      deals[stage] += static_cast<double>(row.Int(4));
      if (row.Str(2).empty()) continue;  // deals without an amount count, but add nothing
      Labels with_currency = stage;
      with_currency["currency"] = row.Str(2);
      amounts[with_currency] += Major(row.Str(2), row.Int(3));
    }
    CRM_ASSIGN_OR_RETURN(db::Rows won, session->Query(sql::kGaugeWon, {api::DateText(month.first),
                                                                       api::DateText(today)}));
    for (const db::Row& row : won) {
      won_amounts[{{"currency", row.Str(0)}}] = Major(row.Str(0), row.Int(1));
      won_deals += static_cast<double>(row.Int(2));
    }
    CRM_ASSIGN_OR_RETURN(db::Rows by_status, session->Query(sql::kGaugeOrders, {}));
    for (const db::Row& row : by_status) {
      orders[{{"status", row.Str(0)}}] = static_cast<double>(row.Int(1));
    }
  }
  Publish(pipeline_amount_, amounts, seen_amount_);
  Publish(pipeline_deals_, deals, seen_deals_);
  Publish(won_amount_, won_amounts, seen_won_);
  won_deals_.Add({}).Set(won_deals);
  Publish(orders_, orders, seen_orders_);
  return absl::OkStatus();
}

void BusinessGauges::Publish(prometheus::Family<prometheus::Gauge>& family,
                             const std::map<Labels, double>& values, std::vector<Labels>& seen) {
  for (const Labels& labels : seen) {
    if (!values.contains(labels)) family.Add(labels).Set(0);
  }
  for (const auto& [labels, value] : values) {
    family.Add(labels).Set(value);
    if (std::find(seen.begin(), seen.end(), labels) == seen.end()) seen.push_back(labels);
  }
}

}  // namespace crm::analytics
