#include "services/analytics/read_model.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "crm/customers/v1/customers.pb.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "libs/api/periods.h"
#include "libs/api/resource.h"
#include "libs/events/payload.h"
#include "libs/grpc/status.h"
#include "services/analytics/cube_rows.h"
#include "services/analytics/event_types.h"
#include "services/analytics/store_sql.h"

namespace crm::analytics {
namespace {

namespace opps = opportunities::v1;

// What one won deal adds to won_daily.
struct Contribution {
  std::string day;  // "2026-03-01"
  std::string owner;
  std::string currency;
  int64_t amount_minor = 0;
  std::string industry;
  std::string province;
};

// The fourteen won_cube rows a won deal adds to, in one statement: its day and month with no
// dimension, by industry and by province, for its owner and for everyone (schema/004), and by
// industry and province together for everyone only (schema/009).
absl::Status AddToCube(db::Transaction& tx, const Contribution& c, int sign) {
  static const std::string statement =
      MultiRowStatement(sql::kAddCubeHead, sql::kCubeRow, 14, sql::kAddCubeTail);
  const std::string month = MonthOf(c.day);
  const std::pair<const char*, std::string> grains[] = {{"D", c.day}, {"M", month}};
  std::vector<db::Value> params;
  params.reserve(14 * 8);
  auto add = [&](const char* dim, const std::string& value, const std::string& owner) {
    for (const auto& [grain, period] : grains) {
      params.insert(params.end(), {dim, grain, owner, period, value, c.currency,
                                   sign * c.amount_minor, int64_t{sign}});
    }
  };
  const std::string everyone;
  for (const std::string* owner : {&c.owner, &everyone}) {
    add("-", "", *owner);
    add("I", c.industry, *owner);
    add("P", c.province, *owner);
  }
  add("B", IndustryAndProvince(c.industry, c.province), everyone);
  return tx.Execute(statement, params).status();
}

// Adds the contribution once (`sign` 1) or takes it out (-1), dropping a group left empty.
absl::Status AddWon(db::Transaction& tx, const Contribution& c, int sign) {
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kAddWon, {c.day, c.owner, c.currency, c.industry, c.province,
                                                sign * c.amount_minor, sign})
                          .status());
  CRM_RETURN_IF_ERROR(AddToCube(tx, c, sign));
  if (sign > 0) return absl::OkStatus();
  return tx.Execute(sql::kDropEmptyWon, {c.day, c.owner, c.currency, c.industry, c.province})
      .status();
}

// Adds one open deal of `amount_minor` in `stage` and `currency` (`sign` 1), or takes it out.
absl::Status AddOpen(db::Transaction& tx, const std::string& stage, const std::string& currency,
                     int64_t amount_minor, int sign) {
  CRM_RETURN_IF_ERROR(
      tx.Execute(sql::kAddOpen, {stage, currency, sign * amount_minor, sign}).status());
  if (sign > 0) return absl::OkStatus();
  return tx.Execute(sql::kDropEmptyOpen, {stage, currency}).status();
}

// Row of kLockOpportunity / kLockWonOfCustomer from column `first` on: close_date, owner,
// currency, amount_minor, industry, province.
Contribution FromRow(const db::Row& row, size_t first) {
  return {.day = row.Str(first),
          .owner = row.Str(first + 1),
          .currency = row.Str(first + 2),
          .amount_minor = row.Int(first + 3),
          .industry = row.Str(first + 4),
          .province = row.Str(first + 5)};
}

}  // namespace

std::vector<std::string> ReadModel::CustomerTypes() {
  std::vector<std::string> types = {kCustomerCreatedEvent, kCustomerUpdatedEvent};
  for (std::string& type : PerformanceModel::MoreCustomerTypes()) types.push_back(std::move(type));
  return types;
}

std::vector<std::string> ReadModel::OpportunityTypes() {
  std::vector<std::string> types = {
      kOpportunityCreatedEvent,      kOpportunityUpdatedEvent, kOpportunityDeletedEvent,
      kOpportunityStageChangedEvent, kOpportunityWonEvent,     kOpportunityLostEvent,
      kOpportunityReopenedEvent,     kPipelineCreatedEvent,    kPipelineUpdatedEvent};
  // The funnel's and the performance figures' types, each once (both read LeadConverted).
  for (const std::vector<std::string>& more :
       {FunnelModel::OpportunityTypes(), PerformanceModel::MoreOpportunityTypes(),
        CampaignModel::OpportunityTypes()}) {
    for (const std::string& type : more) {
      if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(type);
    }
  }
  return types;
}

std::vector<std::string> ReadModel::ActivityTypes() {
  std::vector<std::string> types = PerformanceModel::ActivityTypes();
  for (std::string& type : CampaignModel::ActivityTypes()) types.push_back(std::move(type));
  return types;
}

absl::Status ReadModel::Apply(db::Transaction& tx, const events::v1::Event& event) {
  CRM_RETURN_IF_ERROR(funnel_.Apply(tx, event));
  CRM_RETURN_IF_ERROR(performance_.Apply(tx, event));
  CRM_RETURN_IF_ERROR(campaigns_.Apply(tx, event));
  if (event.type() == kCustomerCreatedEvent || event.type() == kCustomerUpdatedEvent) {
    return ApplyCustomer(tx, event);
  }
  if (absl::StartsWith(event.type(), "crm.opportunities.v1.Opportunity")) {
    return ApplyOpportunity(tx, event);
  }
  if (event.type() == kPipelineCreatedEvent || event.type() == kPipelineUpdatedEvent) {
    return ApplyPipeline(tx, event);
  }
  return absl::OkStatus();
}

absl::Status ReadModel::ApplyCustomer(db::Transaction& tx, const events::v1::Event& event) {
  customers::v1::Customer customer;
  if (!event.payload().UnpackTo(&customer)) return events::CorruptEvent(event, "customer");
  absl::StatusOr<int64_t> id = api::ParseResourceId(customer.name(), "customers");
  if (!id.ok()) return events::CorruptEvent(event, "customer's name");
  const std::string& industry = customer.industry();
  const std::string& province = customer.region().province();
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kUpsertCustomer, {*id, industry, province}).status());
  // Its won deals move with it (each row says under which industry and province it counts).
  CRM_ASSIGN_OR_RETURN(db::Rows won, tx.Query(sql::kLockWonOfCustomer, {*id}));
  for (const db::Row& row : won) {
    Contribution before = FromRow(row, 1);
    if (before.industry == industry && before.province == province) continue;
    Contribution after = before;
    after.industry = industry;
    after.province = province;
    CRM_RETURN_IF_ERROR(AddWon(tx, before, -1));
    CRM_RETURN_IF_ERROR(AddWon(tx, after, 1));
    CRM_RETURN_IF_ERROR(
        tx.Execute(sql::kMoveOpportunity, {industry, province, row.Int(0)}).status());
  }
  return absl::OkStatus();
}

absl::Status ReadModel::ApplyOpportunity(db::Transaction& tx, const events::v1::Event& event) {
  opps::Opportunity opportunity;
  if (!event.payload().UnpackTo(&opportunity)) return events::CorruptEvent(event, "opportunity");
  absl::StatusOr<int64_t> id = api::ParseResourceId(opportunity.name(), "opportunities");
  if (!id.ok()) return events::CorruptEvent(event, "opportunity's name");

  // Out with what it added so far.
  CRM_ASSIGN_OR_RETURN(db::Rows old, tx.Query(sql::kLockOpportunity, {*id}));
  if (!old.empty() && old[0].Int(0) != 0) CRM_RETURN_IF_ERROR(AddWon(tx, FromRow(old[0], 1), -1));
  if (!old.empty() && old[0].Int(7) != 0) {
    CRM_RETURN_IF_ERROR(AddOpen(tx, old[0].Str(8), old[0].Str(3), old[0].Int(4), -1));
  }
  if (event.type() == kOpportunityDeletedEvent) {
    return tx.Execute(sql::kDeleteOpportunity, {*id}).status();
  }

  // In with what it adds now.
  const int64_t customer_id = api::ParseResourceId(opportunity.customer(), "customers").value_or(0);
  Contribution now{.owner = opportunity.owner(), .currency = opportunity.amount().currency_code()};
  now.amount_minor = events::CheckedMinorUnits(opportunity.amount()).value_or(0);
  const bool won = opportunity.state() == opps::WON && opportunity.has_close_date() &&
                   !now.currency.empty() && !now.owner.empty();
  if (won) {
    absl::StatusOr<absl::CivilDay> day = api::FromDate(opportunity.close_date(), "close_date");
    if (!day.ok()) return events::CorruptEvent(event, "close date");
    now.day = api::DateText(*day);
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kHoldCustomer, {customer_id}).status());
    CRM_ASSIGN_OR_RETURN(db::Rows customer, tx.Query(sql::kSelectCustomer, {customer_id}));
    if (!customer.empty()) {
      now.industry = customer[0].Str(0);
      now.province = customer[0].Str(1);
    }
    CRM_RETURN_IF_ERROR(AddWon(tx, now, 1));
  }
  const bool open = opportunity.state() == opps::OPEN;
  if (open) {
    CRM_RETURN_IF_ERROR(AddOpen(tx, opportunity.stage(), now.currency, now.amount_minor, 1));
  }
  return tx
      .Execute(sql::kUpsertOpportunity,
               {*id, customer_id, now.owner, won ? 1 : 0, open ? 1 : 0, opportunity.stage(),
                now.day, now.currency, now.amount_minor, now.industry, now.province})
      .status();
}

absl::Status ReadModel::ApplyPipeline(db::Transaction& tx, const events::v1::Event& event) {
  opps::Pipeline pipeline;
  if (!event.payload().UnpackTo(&pipeline)) return events::CorruptEvent(event, "pipeline");
  for (const opps::Stage& stage : pipeline.stages()) {
    if (stage.name().empty()) continue;
    CRM_RETURN_IF_ERROR(
        tx.Execute(sql::kUpsertStage, {stage.name(), pipeline.display_name(), stage.display_name()})
            .status());
  }
  return absl::OkStatus();
}

absl::Status ReadModel::Reset(db::Transaction& tx, std::string_view feed) {
  CRM_RETURN_IF_ERROR(funnel_.Reset(tx, feed));
  CRM_RETURN_IF_ERROR(performance_.Reset(tx, feed));
  CRM_RETURN_IF_ERROR(campaigns_.Reset(tx, feed));
  if (feed == "customers") {
    // The deals keep the industry and province they count under until the replayed
    // customers say otherwise.
    return tx.Execute(sql::kClearCustomers, {}).status();
  }
  if (feed == "opportunities") {
    for (const char* statement : {sql::kClearWon, sql::kClearCube, sql::kClearOpen,
                                  sql::kClearStages, sql::kClearOpportunities}) {
      CRM_RETURN_IF_ERROR(tx.Execute(statement, {}).status());
    }
  }
  return absl::OkStatus();
}

}  // namespace crm::analytics
