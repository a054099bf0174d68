// Campaigns and visit plans against a real MariaDB schema: who sees and changes a campaign
// (planners every one, anyone else the ones they take part in), its states from planned to
// closed, participants' feedback, and its effectiveness from leads and opportunities the
// opportunities feed brings (each counted once, a reopened deal's revenue taken back), with
// ROI and costs per lead and opportunity computed by hand.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "libs/api/money.h"
#include "libs/grpc/status.h"
#include "services/activities/campaign_feed.h"
#include "services/activities/campaign_service.h"
#include "services/activities/campaign_validation.h"
#include "services/activities/event_types.h"
#include "services/activities/service_testing.h"

namespace crm::activities {
namespace {

common::v1::Money Yuan(int64_t fen) { return api::FromMinorUnits("CNY", fen); }

class CampaignTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    if (HasFatalFailure()) return;
    campaigns_ = std::make_unique<CampaignStore>(test_->kit().pool, test_->kit().clock);
    campaign_service_ = std::make_unique<CampaignService>(test_->kit(), *campaigns_, customers_);
    campaign_feed_ = std::make_unique<CampaignFeed>(*campaigns_);
    feeds_->Also(*campaign_feed_);
  }

  // An exhibition with the rep (users/11) taking part, budget ¥50,000.00.
  absl::StatusOr<v1::Campaign> Plan(const auth::Caller& who, const std::string& code,
                                    const std::string& request_id = "",
                                    const std::string& customer_filter = "") {
    v1::CreateCampaignRequest request;
    v1::Campaign& c = *request.mutable_campaign();
    c.set_code(code);
    c.set_title("2026 春季工业展");
    c.set_type(v1::Campaign::EXHIBITION);
    c.set_goal("新客户线索 10 条");
    *c.mutable_start_time() = At(0);
    *c.mutable_end_time() = At(3 * 24 * 60);
    c.set_place("上海国家会展中心");
    c.add_participants("users/11");
    *c.mutable_budget() = Yuan(5'000'000);
    c.add_target_customers("customers/11");
    c.add_target_customers("customers/10");
    c.set_customer_filter(customer_filter);
    c.mutable_expected()->set_leads(10);
    c.mutable_expected()->set_opportunities(3);
    *c.mutable_expected()->mutable_revenue() = Yuan(20'000'000);
    request.set_request_id(request_id);
    v1::Campaign out;
    CRM_RETURN_IF_ERROR(campaign_service_->DoCreateCampaign(who, request, &out));
    return out;
  }
  absl::StatusOr<v1::Campaign> Get(const auth::Caller& who, const std::string& name) {
    v1::GetCampaignRequest request;
    request.set_name(name);
    v1::Campaign out;
    CRM_RETURN_IF_ERROR(campaign_service_->DoGetCampaign(who, request, &out));
    return out;
  }
  absl::StatusOr<int> CountListed(const auth::Caller& who, const std::string& filter = "") {
    v1::ListCampaignsRequest request;
    request.set_filter(filter);
    v1::ListCampaignsResponse out;
    CRM_RETURN_IF_ERROR(campaign_service_->DoListCampaigns(who, request, &out));
    return out.campaigns_size();
  }
  absl::StatusOr<v1::Campaign> SetFilter(const auth::Caller& who, const std::string& name,
                                         const std::string& filter) {
    v1::UpdateCampaignRequest request;
    request.mutable_campaign()->set_name(name);
    request.mutable_campaign()->set_customer_filter(filter);
    request.mutable_update_mask()->add_paths("customer_filter");
    v1::Campaign out;
    CRM_RETURN_IF_ERROR(campaign_service_->DoUpdateCampaign(who, request, &out));
    return out;
  }
  absl::StatusOr<v1::Campaign> Start(const auth::Caller& who, const std::string& name) {
    v1::CampaignStepRequest request;
    request.set_name(name);
    v1::Campaign out;
    CRM_RETURN_IF_ERROR(campaign_service_->DoStartCampaign(who, request, &out));
    return out;
  }
  absl::StatusOr<v1::Campaign> Close(const auth::Caller& who, const std::string& name,
                                     int64_t cost_fen, int attendance) {
    v1::CloseCampaignRequest request;
    request.set_name(name);
    *request.mutable_actual_cost() = Yuan(cost_fen);
    request.set_actual_attendance(attendance);
    v1::Campaign out;
    CRM_RETURN_IF_ERROR(campaign_service_->DoCloseCampaign(who, request, &out));
    return out;
  }
  absl::StatusOr<v1::CampaignFeedback> Feedback(const auth::Caller& who, const std::string& name,
                                                int64_t customer, bool attended, int rating) {
    v1::RecordCampaignFeedbackRequest request;
    request.set_campaign(name);
    request.mutable_feedback()->set_customer(absl::StrCat("customers/", customer));
    request.mutable_feedback()->set_attended(attended);
    request.mutable_feedback()->set_rating(rating);
    request.mutable_feedback()->set_feedback("对新款打印机很感兴趣");
    v1::CampaignFeedback out;
    CRM_RETURN_IF_ERROR(campaign_service_->DoRecordCampaignFeedback(who, request, &out));
    return out;
  }
  absl::StatusOr<v1::CampaignEffectiveness> Effect(const auth::Caller& who,
                                                   const std::string& name) {
    v1::GetCampaignEffectivenessRequest request;
    request.set_campaign(name);
    v1::CampaignEffectiveness out;
    CRM_RETURN_IF_ERROR(campaign_service_->DoGetCampaignEffectiveness(who, request, &out));
    return out;
  }

  // The opportunities feed's events.
  absl::Status Lead(const std::string& event_id, const std::string& type, int64_t id,
                    const std::string& code, int64_t customer = 0) {
    opportunities::v1::Lead lead;
    lead.set_name(absl::StrCat("leads/", id));
    lead.set_campaign(code);
    if (customer != 0) lead.set_customer(absl::StrCat("customers/", customer));
    return Deliver(event_id, type, lead, lead.name(), "users/30");
  }
  // `won`: the opportunity is won (an update of a won one; OpportunityWon says so itself).
  absl::Status Deal(const std::string& event_id, const std::string& type, int64_t id,
                    const std::string& code, const common::v1::Money& amount, bool won = false) {
    opportunities::v1::Opportunity o;
    o.set_name(absl::StrCat("opportunities/", id));
    o.set_customer("customers/11");
    o.set_campaign(code);
    *o.mutable_amount() = amount;
    if (won) o.set_state(opportunities::v1::WON);
    return Deliver(event_id, type, o, o.name(), "users/11");
  }

  std::unique_ptr<CampaignStore> campaigns_;
  std::unique_ptr<CampaignService> campaign_service_;
  std::unique_ptr<CampaignFeed> campaign_feed_;
};

std::vector<std::string> Targets(const v1::Campaign& c) {
  return {c.target_customers().begin(), c.target_customers().end()};
}

// A customer filter is checked when the campaign is planned, and the customers it matches
// then (not when planned) join the listed targets when it starts, or at once when a running
// campaign's filter changes; planned visits count them.
TEST_F(CampaignTest, ACustomerFilterNamesTargetsWhenTheCampaignStarts) {
  absl::StatusOr<v1::Campaign> bad = Plan(marketing_, "filter-bad", "", "industry ~ \"x\"");
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << bad.status();
  ASSERT_EQ(FieldViolations(bad.status()).size(), 1u);
  EXPECT_EQ(FieldViolations(bad.status())[0].field, "campaign.customer_filter");

  customers_.Add(119, "users/12");  // two match when it is planned: only checked then
  absl::StatusOr<v1::Campaign> c = Plan(marketing_, "filter-visits", "", "owner = \"users/12\"");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(Targets(*c), (std::vector<std::string>{"customers/11", "customers/10"}));
  customers_.Add(120, "users/12");  // after planning: matched when it starts
  customers_.Add(121, "users/12");
  customers_.Add(122, "users/12");
  customers_.Hide(122);  // one the starter cannot see is not a target

  absl::StatusOr<v1::Campaign> started = Start(marketing_, c->name());
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(Targets(*started),
            (std::vector<std::string>{"customers/11", "customers/10", "customers/12",
                                      "customers/119", "customers/120", "customers/121"}));
  absl::StatusOr<v1::CampaignEffectiveness> e = Effect(marketing_, c->name());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->planned_visits(), 6);

  // A new filter on a running campaign adds its matches at once, after the others.
  absl::StatusOr<v1::Campaign> widened = SetFilter(manager_, c->name(), "owner = \"users/21\"");
  ASSERT_TRUE(widened.ok()) << widened.status();
  EXPECT_EQ(widened->target_customers_size(), 7);
  EXPECT_EQ(widened->target_customers(6), "customers/21");

  // One that would take it past the limit is refused, and nothing changes.
  for (int64_t id = 1000; id < 1000 + kMaxCampaignTargets; ++id) customers_.Add(id, "users/20");
  absl::StatusOr<v1::Campaign> too_many = SetFilter(manager_, c->name(), "owner = \"users/20\"");
  EXPECT_EQ(ErrorReason(too_many.status()), "TOO_MANY_TARGETS") << too_many.status();
  absl::StatusOr<v1::Campaign> after = Get(marketing_, c->name());
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->customer_filter(), "owner = \"users/21\"");
  EXPECT_EQ(after->target_customers_size(), 7);
  // A planner hears of a filter too wide when they set it, not only when the plan starts.
  EXPECT_EQ(ErrorReason(Plan(marketing_, "filter-wide", "", "owner = \"users/20\"").status()),
            "TOO_MANY_TARGETS");
}

TEST_F(CampaignTest, PlannersSeeEveryCampaignOthersOnlyThoseTheyTakePartIn) {
  absl::StatusOr<v1::Campaign> c = Plan(marketing_, "2026-spring-expo", "plan-1");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->state(), v1::Campaign::PLANNED);
  EXPECT_EQ(c->creator(), "users/30");
  EXPECT_EQ(c->participants_size(), 1);
  EXPECT_EQ(c->target_customers(1), "customers/10");
  EXPECT_EQ(c->expected().revenue().units(), 200000);
  // A retry returns the same campaign; another campaign with the code is refused.
  absl::StatusOr<v1::Campaign> retry = Plan(marketing_, "2026-spring-expo", "plan-1");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->name(), c->name());
  absl::Status taken = Plan(manager_, "2026-spring-expo").status();
  EXPECT_EQ(taken.code(), absl::StatusCode::kAlreadyExists) << taken;
  EXPECT_EQ(ErrorReason(taken), "CAMPAIGN_CODE_TAKEN");

  for (const auth::Caller* reader : {&rep_, &manager_, &other_manager_, &marketing_, &admin_}) {
    EXPECT_TRUE(Get(*reader, c->name()).ok());
    EXPECT_EQ(CountListed(*reader).value_or(-1), 1);
  }
  for (const auth::Caller* outsider : {&teammate_, &other_rep_, &support_}) {
    absl::Status hidden = Get(*outsider, c->name()).status();
    EXPECT_EQ(hidden.code(), absl::StatusCode::kNotFound) << hidden;
    EXPECT_EQ(ErrorReason(hidden), "CAMPAIGN_NOT_FOUND");
    EXPECT_EQ(CountListed(*outsider).value_or(-1), 0);
    EXPECT_EQ(Feedback(*outsider, c->name(), 12, true, 3).status().code(),
              absl::StatusCode::kNotFound);
  }
  // A participant who is no planner cannot change it (the policy table stops the call at the
  // edge already).
  EXPECT_EQ(Start(rep_, c->name()).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CountListed(manager_, "state = PLANNED AND type = EXHIBITION").value_or(-1), 1);
  EXPECT_EQ(CountListed(manager_, "state = RUNNING").value_or(-1), 0);

  // Bad input: every problem at once.
  v1::CreateCampaignRequest bad;
  bad.mutable_campaign()->set_code("春季 展");
  *bad.mutable_campaign()->mutable_start_time() = At(10);
  *bad.mutable_campaign()->mutable_end_time() = At(5);
  bad.mutable_campaign()->add_participants("users/11");
  bad.mutable_campaign()->add_participants("users/11");
  *bad.mutable_campaign()->mutable_budget() = Yuan(100);
  *bad.mutable_campaign()->mutable_actual_cost() = api::FromMinorUnits("USD", 100);
  v1::Campaign out;
  absl::Status invalid = campaign_service_->DoCreateCampaign(marketing_, bad, &out);
  EXPECT_EQ(invalid.code(), absl::StatusCode::kInvalidArgument);
  for (const char* field : {"campaign.code", "campaign.title", "campaign.type", "campaign.end_time",
                            "campaign.participants[1]", "campaign.actual_cost"}) {
    EXPECT_TRUE(absl::StrContains(invalid.ToString(), field)) << field << ": " << invalid;
  }
}

TEST_F(CampaignTest, FromPlannedToClosedWithFeedbackAndNothingChangedAfter) {
  absl::StatusOr<v1::Campaign> c = Plan(manager_, "visits-q2");
  ASSERT_TRUE(c.ok()) << c.status();
  // The rep records a visit while it is planned, and again (replacing it) while it runs.
  ASSERT_TRUE(Feedback(rep_, c->name(), 11, false, 2).ok());
  absl::StatusOr<v1::Campaign> running = Start(manager_, c->name());
  ASSERT_TRUE(running.ok()) << running.status();
  EXPECT_EQ(running->state(), v1::Campaign::RUNNING);
  absl::StatusOr<v1::CampaignFeedback> f = Feedback(rep_, c->name(), 11, true, 5);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->participant(), "users/11");
  ASSERT_TRUE(Feedback(manager_, c->name(), 10, false, 4).ok());
  // A customer the participant may not see is refused.
  customers_.Hide(12);
  EXPECT_EQ(Feedback(rep_, c->name(), 12, true, 1).status().code(),
            absl::StatusCode::kInvalidArgument);

  v1::ListCampaignFeedbackRequest list;
  list.set_campaign(c->name());
  v1::ListCampaignFeedbackResponse listed;
  ASSERT_TRUE(campaign_service_->DoListCampaignFeedback(rep_, list, &listed).ok());
  EXPECT_EQ(listed.feedback_size(), 2);

  absl::StatusOr<v1::Campaign> closed = Close(manager_, c->name(), 3'000'000, 42);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->state(), v1::Campaign::CLOSED);
  EXPECT_EQ(closed->actual_cost().units(), 30000);
  EXPECT_EQ(closed->actual_attendance(), 42);
  EXPECT_TRUE(closed->has_close_time());

  absl::Status again = Start(manager_, c->name()).status();
  EXPECT_EQ(ErrorReason(again), "WRONG_CAMPAIGN_STATE") << again;
  EXPECT_EQ(ErrorReason(Feedback(rep_, c->name(), 11, true, 1).status()), "CAMPAIGN_CLOSED");
  v1::UpdateCampaignRequest update;
  update.mutable_campaign()->set_name(c->name());
  update.mutable_campaign()->set_notes("后补");
  update.mutable_update_mask()->add_paths("notes");
  v1::Campaign out;
  EXPECT_EQ(ErrorReason(campaign_service_->DoUpdateCampaign(manager_, update, &out)),
            "CAMPAIGN_CLOSED");
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM outbox WHERE event_type = 'crm.activities.v1.CampaignClosed'"),
      1);
}

// The data set, by hand. Budget ¥50,000.00; actual cost ¥30,000.00 = 3,000,000 fen.
//   leads with the code: 7 (leads/1..7; leads/8 has another code; leads/1 delivered twice and
//     updated once); leads/2 and leads/3 converted, to customers/11 and customers/12.
//   opportunities with the code: 4 — opportunities/1 won ¥80,000.00, /2 won ¥25,000.50, /3 won
//     ¥9,999.00 and then reopened (taken back), /4 won $1,000.00 (listed, not converted).
//   won revenue in CNY: 8,000,000 + 2,500,050 = 10,500,050 fen.
//   ROI = (10,500,050 − 3,000,000) / 3,000,000 × 10,000 = 25,000.1666… → 25,000 bp (250.00 %).
//   cost per lead = 3,000,000 / 7 = 428,571.43 → 428,571 fen (¥4,285.71);
//   cost per opportunity = 3,000,000 / 4 = 750,000 fen (¥7,500.00).
TEST_F(CampaignTest, EffectivenessOfAKnownDataSetComputedByHand) {
  absl::StatusOr<v1::Campaign> c = Plan(marketing_, "2026-spring-expo");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(Start(marketing_, c->name()).ok());
  int event = 0;
  auto next = [&] { return absl::StrCat("opportunities.crm/", ++event); };
  for (int64_t id = 1; id <= 7; ++id) {
    ASSERT_TRUE(Lead(next(), kLeadCreatedEvent, id, "2026-spring-expo").ok());
  }
  ASSERT_TRUE(Lead("opportunities.crm/1", kLeadCreatedEvent, 1, "2026-spring-expo").ok());
  ASSERT_TRUE(Lead(next(), kLeadUpdatedEvent, 1, "2026-spring-expo").ok());
  ASSERT_TRUE(Lead(next(), kLeadCreatedEvent, 8, "other-campaign").ok());
  ASSERT_TRUE(Lead(next(), kLeadConvertedEvent, 2, "2026-spring-expo", 11).ok());
  ASSERT_TRUE(Lead(next(), kLeadConvertedEvent, 3, "2026-spring-expo", 12).ok());
  for (int64_t id = 1; id <= 4; ++id) {
    ASSERT_TRUE(Deal(next(), kOpportunityCreatedEvent, id, "2026-spring-expo", Yuan(0)).ok());
  }
  ASSERT_TRUE(Deal(next(), kOpportunityWonEvent, 1, "2026-spring-expo", Yuan(8'000'000)).ok());
  const std::string won2 = next();
  ASSERT_TRUE(Deal(won2, kOpportunityWonEvent, 2, "2026-spring-expo", Yuan(2'500'050)).ok());
  ASSERT_TRUE(Deal(won2, kOpportunityWonEvent, 2, "2026-spring-expo", Yuan(2'500'050)).ok());
  ASSERT_TRUE(Deal(next(), kOpportunityWonEvent, 3, "2026-spring-expo", Yuan(999'900)).ok());
  ASSERT_TRUE(Deal(next(), kOpportunityReopenedEvent, 3, "2026-spring-expo", Yuan(999'900)).ok());
  ASSERT_TRUE(
      Deal(next(), kOpportunityWonEvent, 4, "2026-spring-expo", api::FromMinorUnits("USD", 100'000))
          .ok());
  ASSERT_TRUE(Feedback(rep_, c->name(), 11, true, 5).ok());
  ASSERT_TRUE(Feedback(marketing_, c->name(), 10, false, 4).ok());

  // Before the cost is recorded: counts, no ROI.
  absl::StatusOr<v1::CampaignEffectiveness> open = Effect(rep_, c->name());
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_EQ(open->leads(), 7);
  EXPECT_FALSE(open->has_roi_basis_points());
  EXPECT_FALSE(open->has_cost_per_lead());

  ASSERT_TRUE(Close(marketing_, c->name(), 3'000'000, 120).ok());
  absl::StatusOr<v1::CampaignEffectiveness> e = Effect(manager_, c->name());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->state(), v1::Campaign::CLOSED);
  EXPECT_EQ(e->expected().leads(), 10);
  EXPECT_EQ(e->budget().units(), 50000);
  EXPECT_EQ(e->leads(), 7);
  EXPECT_EQ(e->new_customers(), 2);
  EXPECT_EQ(e->opportunities(), 4);
  EXPECT_EQ(e->won_opportunities(), 3);
  ASSERT_EQ(e->won_revenue_size(), 2);
  EXPECT_EQ(e->won_revenue(0).currency_code(), "CNY");
  EXPECT_EQ(e->won_revenue(0).units(), 105000);
  EXPECT_EQ(e->won_revenue(0).nanos(), 500'000'000);
  EXPECT_EQ(e->won_revenue(1).currency_code(), "USD");
  EXPECT_EQ(e->won_revenue(1).units(), 1000);
  EXPECT_EQ(e->actual_cost().units(), 30000);
  EXPECT_EQ(e->actual_attendance(), 120);
  EXPECT_EQ(e->roi_basis_points(), 25000);
  EXPECT_EQ(e->cost_per_lead().units(), 4285);
  EXPECT_EQ(e->cost_per_lead().nanos(), 710'000'000);
  EXPECT_EQ(e->cost_per_opportunity().units(), 7500);
  EXPECT_EQ(e->cost_per_opportunity().nanos(), 0);
  EXPECT_EQ(e->feedback_count(), 2);
  EXPECT_EQ(e->attended_count(), 1);
  EXPECT_EQ(e->average_rating_x100(), 450);
  // Who does not take part sees none of it.
  EXPECT_EQ(Effect(other_rep_, c->name()).status().code(), absl::StatusCode::kNotFound);
}

// A lead or an opportunity whose code changes counts under the new code only, a won one with
// its revenue; one whose code is cleared counts nowhere.
TEST_F(CampaignTest, ALeadOrAnOpportunityMovedToAnotherCodeCountsThereOnly) {
  absl::StatusOr<v1::Campaign> a = Plan(marketing_, "expo-a");
  absl::StatusOr<v1::Campaign> b = Plan(marketing_, "expo-b");
  ASSERT_TRUE(a.ok() && b.ok()) << a.status() << b.status();
  int event = 0;
  auto next = [&] { return absl::StrCat("opportunities.crm/", ++event); };
  ASSERT_TRUE(Lead(next(), kLeadCreatedEvent, 1, "expo-a").ok());
  ASSERT_TRUE(Lead(next(), kLeadCreatedEvent, 2, "expo-a").ok());
  ASSERT_TRUE(Deal(next(), kOpportunityCreatedEvent, 1, "expo-a", Yuan(0)).ok());
  ASSERT_TRUE(Deal(next(), kOpportunityWonEvent, 1, "expo-a", Yuan(100'000)).ok());
  ASSERT_TRUE(Deal(next(), kOpportunityCreatedEvent, 2, "expo-a", Yuan(0)).ok());
  absl::StatusOr<v1::CampaignEffectiveness> before = Effect(marketing_, a->name());
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->leads(), 2);
  EXPECT_EQ(before->opportunities(), 2);
  EXPECT_EQ(before->won_opportunities(), 1);

  ASSERT_TRUE(Lead(next(), kLeadUpdatedEvent, 1, "expo-b").ok());
  ASSERT_TRUE(Lead(next(), kLeadUpdatedEvent, 2, "").ok());
  ASSERT_TRUE(Deal(next(), kOpportunityUpdatedEvent, 1, "expo-b", Yuan(100'000), true).ok());
  ASSERT_TRUE(Deal(next(), kOpportunityUpdatedEvent, 2, "", Yuan(0)).ok());
  absl::StatusOr<v1::CampaignEffectiveness> old_code = Effect(marketing_, a->name());
  absl::StatusOr<v1::CampaignEffectiveness> new_code = Effect(marketing_, b->name());
  ASSERT_TRUE(old_code.ok() && new_code.ok()) << old_code.status() << new_code.status();
  EXPECT_EQ(old_code->leads(), 0);
  EXPECT_EQ(old_code->opportunities(), 0);
  EXPECT_EQ(old_code->won_opportunities(), 0);
  EXPECT_EQ(old_code->won_revenue_size(), 0);
  EXPECT_EQ(new_code->leads(), 1);
  EXPECT_EQ(new_code->opportunities(), 1);
  EXPECT_EQ(new_code->won_opportunities(), 1);
  ASSERT_EQ(new_code->won_revenue_size(), 1);
  EXPECT_EQ(new_code->won_revenue(0).units(), 1000);

  // The won amount changed afterwards: the revenue follows it.
  ASSERT_TRUE(Deal(next(), kOpportunityUpdatedEvent, 1, "expo-b", Yuan(120'000), true).ok());
  new_code = Effect(marketing_, b->name());
  ASSERT_TRUE(new_code.ok()) << new_code.status();
  EXPECT_EQ(new_code->won_opportunities(), 1);
  ASSERT_EQ(new_code->won_revenue_size(), 1);
  EXPECT_EQ(new_code->won_revenue(0).units(), 1200);
}

// The rounding rule (half away from zero), on both sides of zero.
TEST(CampaignRoiTest, RoundsHalfAwayFromZero) {
  auto roi = [](int64_t revenue, int64_t cost) {
    v1::Campaign c;
    *c.mutable_budget() = Yuan(0);
    *c.mutable_actual_cost() = Yuan(cost);
    CampaignResults r;
    if (revenue != 0) r.won_revenue["CNY"] = revenue;
    v1::CampaignEffectiveness e = Effectiveness(c, r);
    return e.has_roi_basis_points() ? e.roi_basis_points() : int64_t{-999999};
  };
  EXPECT_EQ(roi(0, 3), -10000);         // nothing won: all of the cost lost
  EXPECT_EQ(roi(8, 7), 1429);           // 1428.57…
  EXPECT_EQ(roi(2, 3), -3333);          // −3333.33…
  EXPECT_EQ(roi(10001, 20000), -5000);  // −4999.5
  EXPECT_EQ(roi(30001, 20000), 5001);   // 5000.5
  EXPECT_EQ(roi(5, 0), -999999);        // no cost, no ROI
}

}  // namespace
}  // namespace crm::activities
