// Activities linked to campaigns and visit plans (Activity.campaign) against a real MariaDB
// schema: only a campaign the caller may read is linked (a hidden one is the same
// INVALID_ARGUMENT as a missing one, and nothing is written), a cancelled one takes no links and
// a closed one only late records within its window, lists filter by campaign, a retry links
// once, and a visit plan's effectiveness counts its visits against its target customers at
// read time (a deleted activity is out at once), computed by hand.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libs/api/money.h"
#include "libs/grpc/status.h"
#include "services/activities/campaign_service.h"
#include "services/activities/service_testing.h"

namespace crm::activities {
namespace {

constexpr int kDay = 24 * 60;

class CampaignLinkTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    if (HasFatalFailure()) return;
    campaigns_ = std::make_unique<CampaignStore>(test_->kit().pool, test_->kit().clock);
    campaign_service_ = std::make_unique<CampaignService>(test_->kit(), *campaigns_, customers_);
  }

  // A visit plan of the manager's (users/10) from 2026-03-01 09:00 UTC for three days, with
  // the rep (users/11) taking part, for customers 10, 11 and 12.
  std::string Plan(const std::string& code) {
    v1::CreateCampaignRequest request;
    v1::Campaign& c = *request.mutable_campaign();
    c.set_code(code);
    c.set_title("三月客户拜访计划");
    c.set_type(v1::Campaign::CUSTOMER_VISIT_PLAN);
    *c.mutable_start_time() = At(0);
    *c.mutable_end_time() = At(3 * kDay);
    c.add_participants("users/11");
    *c.mutable_budget() = api::FromMinorUnits("CNY", 100'000);
    for (const char* customer : {"customers/10", "customers/11", "customers/12"}) {
      c.add_target_customers(customer);
    }
    v1::Campaign out;
    absl::Status st = campaign_service_->DoCreateCampaign(manager_, request, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out.name();
  }
  absl::Status Step(const std::string& name, v1::Campaign::State to) {
    v1::CampaignStepRequest request;
    request.set_name(name);
    v1::Campaign out;
    if (to == v1::Campaign::RUNNING) {
      return campaign_service_->DoStartCampaign(manager_, request, &out);
    }
    if (to == v1::Campaign::CANCELLED) {
      return campaign_service_->DoCancelCampaign(manager_, request, &out);
    }
    v1::CloseCampaignRequest close;
    close.set_name(name);
    return campaign_service_->DoCloseCampaign(manager_, close, &out);
  }

  // An activity of `kind` on `customer` at `minutes` past 2026-03-01 09:00 UTC, linked to
  // `campaign`.
  absl::StatusOr<v1::Activity> LogFor(const auth::Caller& who, const std::string& campaign,
                                      int64_t customer, v1::ActivityKind kind = v1::VISIT,
                                      int minutes = 60, const std::string& request_id = "") {
    v1::CreateActivityRequest request;
    v1::Activity& a = *request.mutable_activity();
    a.set_kind(kind);
    a.set_customer(absl::StrCat("customers/", customer));
    *a.mutable_activity_time() = At(minutes);
    a.set_summary("上门拜访，介绍新款打印机。");
    a.set_campaign(campaign);
    request.set_request_id(request_id);
    v1::Activity out;
    CRM_RETURN_IF_ERROR(activity_service_->DoCreateActivity(who, request, &out));
    return out;
  }
  absl::StatusOr<v1::Activity> Relink(const auth::Caller& who, const std::string& activity,
                                      const std::string& campaign) {
    v1::UpdateActivityRequest request;
    request.mutable_activity()->set_name(activity);
    request.mutable_activity()->set_campaign(campaign);
    request.mutable_update_mask()->add_paths("campaign");
    v1::Activity out;
    CRM_RETURN_IF_ERROR(activity_service_->DoUpdateActivity(who, request, &out));
    return out;
  }
  absl::StatusOr<v1::Activity> UpdateSummary(const std::string& activity,
                                             const std::string& summary) {
    v1::UpdateActivityRequest request;
    request.mutable_activity()->set_name(activity);
    request.mutable_activity()->set_summary(summary);
    request.mutable_update_mask()->add_paths("summary");
    v1::Activity out;
    CRM_RETURN_IF_ERROR(activity_service_->DoUpdateActivity(rep_, request, &out));
    return out;
  }
  absl::Status Delete(const auth::Caller& who, const std::string& activity) {
    v1::DeleteActivityRequest request;
    request.set_name(activity);
    google::protobuf::Empty out;
    return activity_service_->DoDeleteActivity(who, request, &out);
  }
  absl::StatusOr<v1::CampaignEffectiveness> Effect(const auth::Caller& who,
                                                   const std::string& name) {
    v1::GetCampaignEffectivenessRequest request;
    request.set_campaign(name);
    v1::CampaignEffectiveness out;
    CRM_RETURN_IF_ERROR(campaign_service_->DoGetCampaignEffectiveness(who, request, &out));
    return out;
  }
  std::vector<std::string> Listed(const auth::Caller& who, const std::string& filter) {
    absl::StatusOr<v1::ListActivitiesResponse> listed = List(who, filter);
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<std::string> names;
    if (listed.ok()) {
      for (const v1::Activity& a : listed->activities()) names.push_back(a.name());
    }
    return names;
  }

  std::unique_ptr<CampaignStore> campaigns_;
  std::unique_ptr<CampaignService> campaign_service_;
};

TEST_F(CampaignLinkTest, ACampaignTheCallerMayNotReadIsAnInvalidArgumentAndNothingIsWritten) {
  const std::string plan = Plan("visits-2026-03");
  // The teammate (users/12) takes no part in it: refused exactly as a campaign that does not
  // exist, on activity.campaign.
  absl::Status hidden = LogFor(teammate_, plan, 12).status();
  EXPECT_EQ(hidden.code(), absl::StatusCode::kInvalidArgument) << hidden;
  ASSERT_EQ(FieldViolations(hidden).size(), 1u) << hidden;
  EXPECT_EQ(FieldViolations(hidden)[0].field, "activity.campaign");
  absl::Status missing = LogFor(teammate_, "campaigns/999", 12).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument) << missing;
  ASSERT_EQ(FieldViolations(missing).size(), 1u) << missing;
  EXPECT_EQ(FieldViolations(missing)[0].description, FieldViolations(hidden)[0].description);
  absl::Status malformed = LogFor(rep_, "campaign/1", 11).status();
  EXPECT_EQ(malformed.code(), absl::StatusCode::kInvalidArgument) << malformed;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM activities"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE event_type LIKE '%Activity%'"), 0);

  // Linking an existing record by an update is refused alike, and changes nothing.
  absl::StatusOr<v1::Activity> own = LogFor(teammate_, "", 12);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->campaign(), "");
  absl::Status relink = Relink(teammate_, own->name(), plan).status();
  EXPECT_EQ(relink.code(), absl::StatusCode::kInvalidArgument) << relink;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM activities WHERE campaign_id <> 0"), 0);

  // The participant and a planner link theirs; it reads back and its event carries it.
  absl::StatusOr<v1::Activity> visit = LogFor(rep_, plan, 11);
  ASSERT_TRUE(visit.ok()) << visit.status();
  EXPECT_EQ(visit->campaign(), plan);
  absl::StatusOr<v1::Activity> read = Get(manager_, visit->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->campaign(), plan);
  absl::StatusOr<v1::Activity> linked = Relink(manager_, own->name(), plan);
  ASSERT_TRUE(linked.ok()) << linked.status();
  EXPECT_EQ(linked->campaign(), plan);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM activities WHERE campaign_id <> 0"), 2);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM outbox WHERE event_type = "
                               "'crm.activities.v1.ActivityUpdated' AND resource = '",
                               own->name(), "' AND changed_paths LIKE '%campaign%'")),
            1);
}

TEST_F(CampaignLinkTest, ACancelledCampaignTakesNoLinksAClosedOneOnlyLateRecordsInItsWindow) {
  const std::string cancelled = Plan("visits-cancelled");
  const std::string closed = Plan("visits-closed");
  const std::string running = Plan("visits-running");
  // A record linked while the plan runs stays linked after it is cancelled.
  ASSERT_TRUE(Step(running, v1::Campaign::RUNNING).ok());
  absl::StatusOr<v1::Activity> early = LogFor(rep_, running, 11);
  ASSERT_TRUE(early.ok()) << early.status();
  ASSERT_TRUE(Step(running, v1::Campaign::CANCELLED).ok());
  absl::StatusOr<v1::Activity> kept = UpdateSummary(early->name(), "补充：客户要报价。");
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->campaign(), running);

  ASSERT_TRUE(Step(cancelled, v1::Campaign::CANCELLED).ok());
  absl::Status refused = LogFor(rep_, cancelled, 11).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_EQ(ErrorReason(refused), "CAMPAIGN_CLOSED");
  EXPECT_EQ(ErrorReason(Relink(rep_, early->name(), cancelled).status()), "CAMPAIGN_CLOSED");

  // A closed plan takes a visit logged a day late that happened within its window, not one
  // after it.
  ASSERT_TRUE(Step(closed, v1::Campaign::RUNNING).ok());
  ASSERT_TRUE(Step(closed, v1::Campaign::CLOSED).ok());
  absl::StatusOr<v1::Activity> late = LogFor(rep_, closed, 11, v1::VISIT, 2 * kDay);
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_EQ(late->campaign(), closed);
  absl::Status after = LogFor(rep_, closed, 11, v1::VISIT, 3 * kDay + 1).status();
  EXPECT_EQ(after.code(), absl::StatusCode::kFailedPrecondition) << after;
  EXPECT_EQ(ErrorReason(after), "CAMPAIGN_CLOSED");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM activities"), 2);
}

TEST_F(CampaignLinkTest, ListsFilterByCampaignAndAnUpdateUnlinks) {
  const std::string plan = Plan("visits-a");
  const std::string other = Plan("visits-b");
  absl::StatusOr<v1::Activity> first = LogFor(rep_, plan, 11, v1::VISIT, 10);
  absl::StatusOr<v1::Activity> second = LogFor(rep_, plan, 11, v1::CALL, 20);
  absl::StatusOr<v1::Activity> elsewhere = LogFor(rep_, other, 11, v1::VISIT, 30);
  absl::StatusOr<v1::Activity> unlinked = LogFor(rep_, "", 11, v1::VISIT, 40);
  ASSERT_TRUE(first.ok() && second.ok() && elsewhere.ok() && unlinked.ok());

  const std::string by_plan = absl::StrCat("campaign = \"", plan, "\"");
  EXPECT_EQ(Listed(rep_, by_plan), (std::vector<std::string>{second->name(), first->name()}));
  EXPECT_EQ(Listed(rep_, absl::StrCat(by_plan, " AND kind = VISIT")),
            std::vector<std::string>{first->name()});
  EXPECT_EQ(Listed(manager_, absl::StrCat("campaign = \"", other, "\"")),
            std::vector<std::string>{elsewhere->name()});
  // The filter is no way around the record rules: another team's rep finds nothing.
  EXPECT_TRUE(Listed(other_rep_, by_plan).empty());

  absl::StatusOr<v1::Activity> off = Relink(rep_, second->name(), "");
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_EQ(off->campaign(), "");
  EXPECT_EQ(Listed(rep_, by_plan), std::vector<std::string>{first->name()});
}

TEST_F(CampaignLinkTest, ARetryWithTheSameRequestIdLinksOnce) {
  const std::string plan = Plan("visits-retry");
  absl::StatusOr<v1::Activity> first = LogFor(rep_, plan, 11, v1::VISIT, 60, "visit-1");
  absl::StatusOr<v1::Activity> again = LogFor(rep_, plan, 11, v1::VISIT, 60, "visit-1");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->name(), first->name());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM activities"), 1);
  absl::StatusOr<v1::CampaignEffectiveness> e = Effect(rep_, plan);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->visits(), 1);
  EXPECT_EQ(e->visited_target_customers(), 1);
}

// The data set, by hand. The plan targets customers 10, 11 and 12 (planned visits 3).
//   1 rep: VISIT customer 11          4 manager: VISIT customer 12, then deleted
//   2 rep: VISIT customer 11 again    5 admin: VISIT customer 21 (no target: unplanned)
//   3 manager: MEETING customer 10    6 rep: CALL customer 11 (other)
//   7 manager: NOTE customer 12 (other)
//   8 manager: VISIT customer 10, first linked to another plan, then moved to this one
//   not counted: an unlinked VISIT on customer 12, a VISIT on customer 12 for the other plan.
// Visits: 1, 2, 3, 5, 8 = 5; other activities: 6, 7 = 2; visited targets: 10 and 11 = 2 (12
// only by the deleted one); unplanned visited customers: 21 = 1.
TEST_F(CampaignLinkTest, AVisitPlansVisitsAgainstItsTargetsComputedByHand) {
  const std::string plan = Plan("visits-2026-03");
  const std::string other = Plan("visits-other");
  ASSERT_TRUE(Step(plan, v1::Campaign::RUNNING).ok());
  ASSERT_TRUE(LogFor(rep_, plan, 11, v1::VISIT, 60).ok());
  ASSERT_TRUE(LogFor(rep_, plan, 11, v1::VISIT, 120).ok());
  ASSERT_TRUE(LogFor(manager_, plan, 10, v1::MEETING, 180).ok());
  absl::StatusOr<v1::Activity> deleted = LogFor(manager_, plan, 12, v1::VISIT, 240);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  ASSERT_TRUE(LogFor(admin_, plan, 21, v1::VISIT, 300).ok());
  ASSERT_TRUE(LogFor(rep_, plan, 11, v1::CALL, 360).ok());
  ASSERT_TRUE(LogFor(manager_, plan, 12, v1::NOTE, 420).ok());
  absl::StatusOr<v1::Activity> moved = LogFor(manager_, other, 10, v1::VISIT, 480);
  ASSERT_TRUE(moved.ok()) << moved.status();
  ASSERT_TRUE(LogFor(manager_, "", 12, v1::VISIT, 540).ok());
  ASSERT_TRUE(LogFor(manager_, other, 12, v1::VISIT, 600).ok());

  // Before the delete and the move: customer 12 counts as visited.
  absl::StatusOr<v1::CampaignEffectiveness> before = Effect(manager_, plan);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->visited_target_customers(), 3);
  EXPECT_EQ(before->visits(), 5);

  ASSERT_TRUE(Delete(manager_, deleted->name()).ok());
  ASSERT_TRUE(Relink(manager_, moved->name(), plan).ok());
  absl::StatusOr<v1::CampaignEffectiveness> e = Effect(rep_, plan);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->planned_visits(), 3);
  EXPECT_EQ(e->visits(), 5);
  EXPECT_EQ(e->visited_target_customers(), 2);
  EXPECT_EQ(e->unplanned_visited_customers(), 1);
  EXPECT_EQ(e->other_activities(), 2);
  // The other plan keeps only its own visit.
  absl::StatusOr<v1::CampaignEffectiveness> theirs = Effect(manager_, other);
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  EXPECT_EQ(theirs->visits(), 1);
  EXPECT_EQ(theirs->visited_target_customers(), 1);
  EXPECT_EQ(theirs->unplanned_visited_customers(), 0);
}

}  // namespace
}  // namespace crm::activities
