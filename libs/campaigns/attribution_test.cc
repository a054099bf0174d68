// The counting rules and the cost figures every campaign report shares (attribution.h).
#include "libs/campaigns/attribution.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "crm/opportunities/v1/opportunities.pb.h"

namespace crm::campaigns {
namespace {

namespace opps = opportunities::v1;

events::v1::Event EventOf(const std::string& type, const google::protobuf::Message& payload) {
  events::v1::Event event;
  event.set_id("e1");
  event.set_type(absl::StrCat("crm.opportunities.v1.", type));
  event.mutable_payload()->PackFrom(payload);
  return event;
}

// "+ code kind resource currency amount" for a count, "- but code kind resource" for what is
// taken back under the other codes ("- but  kind resource": under every code).
std::vector<std::string> Lines(const std::vector<AttributionChange>& changes) {
  std::vector<std::string> lines;
  for (const AttributionChange& c : changes) {
    lines.push_back(
        c.effect == Effect::kCount
            ? absl::StrCat("+ ", c.code, " ", static_cast<int>(c.kind), " ", c.resource, " ",
                           c.currency, " ", c.amount_minor)
            : absl::StrCat("- but ", c.code, " ", static_cast<int>(c.kind), " ", c.resource));
  }
  return lines;
}

std::vector<std::string> Apply(const std::string& type, const google::protobuf::Message& payload) {
  absl::StatusOr<std::vector<AttributionChange>> changes =
      AttributionChanges(EventOf(type, payload));
  EXPECT_TRUE(changes.ok()) << changes.status();
  return changes.ok() ? Lines(*changes) : std::vector<std::string>{"error"};
}

TEST(AttributionTest, LeadsCountWithTheirCodeAndAConversionAddsItsCustomer) {
  opps::Lead lead;
  lead.set_name("leads/7");
  lead.set_campaign("expo");
  EXPECT_EQ(Apply("LeadCreated", lead),
            (std::vector<std::string>{"- but expo 1 leads/7", "+ expo 1 leads/7  0"}));
  lead.set_customer("customers/3");
  EXPECT_EQ(Apply("LeadConverted", lead),
            (std::vector<std::string>{"- but expo 1 leads/7", "+ expo 1 leads/7  0",
                                      "+ expo 2 customers/3  0"}));
  EXPECT_EQ(Apply("LeadDeleted", lead), (std::vector<std::string>{"- but  1 leads/7"}));
}

TEST(AttributionTest, ALeadWhoseCodeChangesOrIsClearedCountsUnderItsCurrentCodeOnly) {
  opps::Lead lead;
  lead.set_name("leads/7");
  lead.set_campaign("fair");
  EXPECT_EQ(Apply("LeadUpdated", lead),
            (std::vector<std::string>{"- but fair 1 leads/7", "+ fair 1 leads/7  0"}));
  lead.clear_campaign();
  EXPECT_EQ(Apply("LeadUpdated", lead), (std::vector<std::string>{"- but  1 leads/7"}));
  // Converted without a code: its customer counts nowhere.
  lead.set_customer("customers/3");
  EXPECT_EQ(Apply("LeadConverted", lead), (std::vector<std::string>{"- but  1 leads/7"}));
}

TEST(AttributionTest, AWonOpportunityCountsItsAmountUntilReopenedOrDeleted) {
  opps::Opportunity o;
  o.set_name("opportunities/9");
  o.set_campaign("expo");
  o.mutable_amount()->set_currency_code("CNY");
  o.mutable_amount()->set_units(2000);
  const std::vector<std::string> elsewhere = {"- but  4 opportunities/9",
                                              "- but expo 3 opportunities/9"};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> lines = elsewhere;
    lines.insert(lines.end(), more.begin(), more.end());
    return lines;
  };
  EXPECT_EQ(Apply("OpportunityCreated", o), with({"+ expo 3 opportunities/9  0"}));
  EXPECT_EQ(Apply("OpportunityWon", o),
            with({"+ expo 3 opportunities/9  0", "+ expo 4 opportunities/9 CNY 200000"}));
  EXPECT_EQ(Apply("OpportunityReopened", o),
            (std::vector<std::string>{"- but  4 opportunities/9"}));
  EXPECT_EQ(Apply("OpportunityDeleted", o),
            (std::vector<std::string>{"- but  4 opportunities/9", "- but  3 opportunities/9"}));
  // Won without an amount: the opportunity counts, no revenue.
  o.clear_amount();
  EXPECT_EQ(Apply("OpportunityWon", o), with({"+ expo 3 opportunities/9  0"}));
}

TEST(AttributionTest, AnOpportunityWhoseCodeChangesTakesItsWonRevenueAlong) {
  opps::Opportunity o;
  o.set_name("opportunities/9");
  o.set_campaign("fair");
  o.set_state(opps::WON);
  o.mutable_amount()->set_currency_code("CNY");
  o.mutable_amount()->set_units(2000);
  // An update of a won opportunity: it counts under its code only, and its revenue as it is now.
  EXPECT_EQ(Apply("OpportunityUpdated", o),
            (std::vector<std::string>{"- but  4 opportunities/9", "- but fair 3 opportunities/9",
                                      "+ fair 3 opportunities/9  0",
                                      "+ fair 4 opportunities/9 CNY 200000"}));
  // Open: no revenue; cleared: it counts nowhere.
  o.set_state(opps::OPEN);
  o.clear_campaign();
  EXPECT_EQ(Apply("OpportunityUpdated", o),
            (std::vector<std::string>{"- but  4 opportunities/9", "- but  3 opportunities/9"}));
}

TEST(AttributionTest, APayloadOfTheWrongTypeIsACorruptEvent) {
  opps::Lead lead;
  lead.set_campaign("expo");
  EXPECT_EQ(AttributionChanges(EventOf("OpportunityWon", lead)).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_TRUE(AttributionChanges(EventOf("OpportunityLost", lead))->empty());
}

// The activities e2e campaign: cost ¥800, won ¥2,000, 2 leads, 2 opportunities.
TEST(AttributionTest, CostFiguresRoundHalfAwayFromZero) {
  CostFigures f = WorkOutCosts(80000, 2, 2, 200000);
  EXPECT_EQ(f.cost_per_lead, 40000);
  EXPECT_EQ(f.cost_per_opportunity, 40000);
  EXPECT_EQ(f.roi_basis_points, 15000);
  // 3 / 2 = 1.5 → 2; (1 − 3) / 3 × 10,000 = −6,666.67 → −6,667; no opportunity, no cost per one.
  f = WorkOutCosts(3, 2, 0, 1);
  EXPECT_EQ(f.cost_per_lead, 2);
  EXPECT_FALSE(f.cost_per_opportunity.has_value());
  EXPECT_EQ(f.roi_basis_points, -6667);
  // (20,001 − 20,000) / 20,000 × 10,000 = 0.5 → 1, and −0.5 → −1.
  EXPECT_EQ(WorkOutCosts(20000, 0, 0, 20001).roi_basis_points, 1);
  EXPECT_EQ(WorkOutCosts(20000, 0, 0, 19999).roi_basis_points, -1);
  // No cost recorded, or zero: nothing to divide by.
  EXPECT_FALSE(WorkOutCosts(std::nullopt, 5, 5, 100).roi_basis_points.has_value());
  EXPECT_FALSE(WorkOutCosts(0, 5, 5, 100).cost_per_lead.has_value());
}

}  // namespace
}  // namespace crm::campaigns
