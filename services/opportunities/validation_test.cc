// Input rules for leads, opportunities, pipelines and follow-up rules, and the lead score.
#include "services/opportunities/validation.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "libs/grpc/status.h"

namespace crm::opportunities {
namespace {

std::vector<std::string> ViolatedFields(const absl::Status& status) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolations(status)) out.push_back(v.field);
  return out;
}

bool Has(const std::vector<std::string>& fields, const std::string& field) {
  return std::find(fields.begin(), fields.end(), field) != fields.end();
}

TEST(Lead, IsNormalisedAndNewByDefault) {
  v1::Lead lead;
  lead.set_company("  苏州精工机械有限公司 ");
  lead.set_contact_name("王伟");
  lead.add_phones("0512-6666 8888");
  lead.add_emails("Wang.Wei@JingGong.CN");
  lead.set_country("cn");
  lead.set_campaign("2026-spring-expo");
  ASSERT_TRUE(NormalizeAndValidateLead(lead, "lead", "CN").ok());
  EXPECT_EQ(lead.company(), "苏州精工机械有限公司");
  EXPECT_EQ(lead.phones(0), "+8651266668888");
  EXPECT_EQ(lead.emails(0), "Wang.Wei@jinggong.cn");
  EXPECT_EQ(lead.country(), "CN");
  EXPECT_EQ(lead.status(), v1::NEW);
}

TEST(Lead, ReportsEveryBadFieldAtOnce) {
  v1::Lead lead;
  lead.set_country("CHN");
  lead.add_phones("12345");
  lead.add_emails("nope");
  lead.set_campaign("spring expo!");
  lead.set_status(v1::CONVERTED);
  lead.set_owner("bob");
  const auto fields = ViolatedFields(NormalizeAndValidateLead(lead, "lead", "CN"));
  EXPECT_EQ(fields, (std::vector<std::string>{"lead.company", "lead.country", "lead.campaign",
                                              "lead.status", "lead.owner", "lead.phones[0]",
                                              "lead.emails[0]"}));
  v1::Lead disqualified;
  disqualified.set_contact_name("x");
  disqualified.set_status(v1::DISQUALIFIED);
  EXPECT_EQ(ViolatedFields(NormalizeAndValidateLead(disqualified, "lead", "CN")),
            std::vector<std::string>{"lead.status"});
}

TEST(LeadScore, AddsCompletenessSourceAndEngagement) {
  v1::Lead lead;
  lead.set_contact_name("王伟");
  EXPECT_EQ(LeadScore(lead), 10);
  lead.set_company("精工");
  lead.add_phones("+8651266668888");
  lead.add_emails("a@b.cn");
  EXPECT_EQ(LeadScore(lead), 40);
  lead.set_source(v1::REFERRAL);
  EXPECT_EQ(LeadScore(lead), 70);
  lead.set_status(v1::CONTACTED);
  EXPECT_EQ(LeadScore(lead), 80);
  lead.set_status(v1::QUALIFIED);
  lead.set_campaign("expo");
  EXPECT_EQ(LeadScore(lead), 100);
  lead.set_source(v1::COLD_CALL);
  lead.set_status(v1::DISQUALIFIED);
  EXPECT_EQ(LeadScore(lead), 50);
}

TEST(Opportunity, ReportsEveryBadFieldAtOnce) {
  v1::Opportunity o;
  o.set_customer("accounts/3");
  o.mutable_amount()->set_currency_code("CNY");
  o.mutable_amount()->set_units(-5);
  o.set_probability(101);
  o.set_forecast_category(v1::CLOSED);
  o.mutable_expected_close_date()->set_year(2026);
  o.mutable_expected_close_date()->set_month(2);
  o.mutable_expected_close_date()->set_day(30);
  o.add_competitors();
  o.add_products("products/1");
  o.add_products("products/1");
  o.add_products("skus/1");
  const auto fields = ViolatedFields(NormalizeAndValidateOpportunity(o, "opportunity"));
  for (const char* field : {"opportunity.title", "opportunity.customer", "opportunity.amount",
                            "opportunity.probability", "opportunity.forecast_category",
                            "opportunity.expected_close_date", "opportunity.competitors[0].name",
                            "opportunity.products[1]", "opportunity.products[2]"}) {
    EXPECT_TRUE(Has(fields, field)) << field;
  }
  EXPECT_EQ(fields.size(), 9u);
}

TEST(Opportunity, MoneyMustBeWholeMinorUnits) {
  v1::Opportunity o;
  o.set_title("x");
  o.set_customer("customers/1");
  o.mutable_amount()->set_currency_code("CNY");
  o.mutable_amount()->set_units(12);
  o.mutable_amount()->set_nanos(345'000'000);  // ¥12.345
  EXPECT_EQ(ViolatedFields(NormalizeAndValidateOpportunity(o, "opportunity")),
            std::vector<std::string>{"opportunity.amount"});
  o.mutable_amount()->set_nanos(340'000'000);
  EXPECT_TRUE(NormalizeAndValidateOpportunity(o, "opportunity").ok());
}

v1::Pipeline ValidPipeline() {
  v1::Pipeline p;
  p.set_display_name("Channel");
  auto add = [&](const char* name, int probability, v1::StageType type) {
    v1::Stage* s = p.add_stages();
    s->set_display_name(name);
    s->set_probability(probability);
    s->set_type(type);
  };
  add("Found", 20, v1::OPEN);
  add("Signed", 100, v1::WON);
  add("Dropped", 0, v1::LOST);
  return p;
}

TEST(Pipeline, TakesTheTypesDefaultForecastCategories) {
  v1::Pipeline p = ValidPipeline();
  ASSERT_TRUE(NormalizeAndValidatePipeline(p, "pipeline").ok());
  EXPECT_EQ(p.stages(0).forecast_category(), v1::PIPELINE);
  EXPECT_EQ(p.stages(1).forecast_category(), v1::CLOSED);
  EXPECT_EQ(p.stages(2).forecast_category(), v1::OMITTED);
}

TEST(Pipeline, NeedsOpenStagesExactlyOneWonAndOneLostAndUniqueNames) {
  v1::Pipeline p = ValidPipeline();
  p.mutable_stages(1)->set_probability(90);
  p.mutable_stages(2)->set_type(v1::WON);
  p.mutable_stages(2)->set_display_name("found");
  const auto fields = ViolatedFields(NormalizeAndValidatePipeline(p, "pipeline"));
  EXPECT_TRUE(Has(fields, "pipeline.stages[1].probability"));
  EXPECT_TRUE(Has(fields, "pipeline.stages[2].display_name"));
  EXPECT_TRUE(Has(fields, "pipeline.stages"));
  v1::Pipeline small;
  small.set_display_name("x");
  EXPECT_TRUE(Has(ViolatedFields(NormalizeAndValidatePipeline(small, "pipeline")),
                  "pipeline.stages"));
}

TEST(FollowUpRule, DaysAndStageFollowTheKind) {
  v1::FollowUpRule rule;
  rule.set_display_name("Stale proposals");
  rule.set_kind(v1::STALE_IN_STAGE);
  rule.set_days(14);
  rule.set_stage("pipelines/1/stages/4");
  EXPECT_TRUE(NormalizeAndValidateFollowUpRule(rule, "rule").ok());
  rule.set_kind(v1::CLOSE_DATE_PASSED);
  EXPECT_EQ(ViolatedFields(NormalizeAndValidateFollowUpRule(rule, "rule")),
            (std::vector<std::string>{"rule.days", "rule.stage"}));
  rule.set_kind(v1::FOLLOW_UP_KIND_UNSPECIFIED);
  EXPECT_TRUE(Has(ViolatedFields(NormalizeAndValidateFollowUpRule(rule, "rule")), "rule.kind"));
}

TEST(Names, StagesAndSubjects) {
  EXPECT_EQ(ParseStageName("pipelines/2/stages/9", "stage").value(), std::make_pair(2l, 9l));
  for (const char* bad : {"", "pipelines/2", "pipelines/2/stages/", "stages/9",
                          "pipelines/x/stages/1", "pipelines/1/stages/1/x"}) {
    EXPECT_FALSE(ParseStageName(bad, "stage").ok()) << bad;
  }
  EXPECT_EQ(StageName(2, 9), "pipelines/2/stages/9");
  EXPECT_TRUE(ParseSubject("", "").ok());
  EXPECT_TRUE(ParseSubject("users/3", "").ok());
  EXPECT_FALSE(ParseSubject("users/3", "teams/1").ok());
  EXPECT_FALSE(ParseSubject("teams/1", "").ok());
  EXPECT_EQ(ValidReason("   ", "reason").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidReason(" 预算不足 ", "reason").value(), "预算不足");
}

}  // namespace
}  // namespace crm::opportunities
