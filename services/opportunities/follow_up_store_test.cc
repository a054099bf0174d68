// Follow-up rules against a real MariaDB schema: each kind fires once per opportunity and
// occurrence, however many runs (and replicas) look, stays due until its occurrence ends, and
// is listed for the owner and their manager only. The test clock's today is 2027-01-15.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "services/opportunities/service_testing.h"

namespace crm::opportunities {
namespace {

using testing::kProposal;

class FollowUpStoreTest : public testing::ServiceTest {
 protected:
  v1::FollowUpRule Rule(v1::FollowUpKind kind, int days = 0, const std::string& stage = "") {
    v1::CreateFollowUpRuleRequest request;
    request.mutable_rule()->set_display_name("rule");
    request.mutable_rule()->set_kind(kind);
    request.mutable_rule()->set_days(days);
    request.mutable_rule()->set_stage(stage);
    request.mutable_rule()->set_active(true);
    v1::FollowUpRule out;
    absl::Status st = follow_up_service_->DoCreateFollowUpRule(manager_, request, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  v1::Opportunity ClosingOn(const auth::Caller& who, absl::CivilDay day) {
    v1::Opportunity o = NewOpportunity(who, "deal");
    v1::UpdateOpportunityRequest update;
    update.mutable_opportunity()->set_name(o.name());
    *update.mutable_opportunity()->mutable_expected_close_date() = api::ToDate(day);
    update.mutable_update_mask()->add_paths("expected_close_date");
    EXPECT_TRUE(opportunity_service_->DoUpdateOpportunity(who, update, &o).ok());
    return o;
  }

  int Fire() {
    auto fired = follow_ups_->Fire(test_->clock().Now(), "services/opportunities");
    EXPECT_TRUE(fired.ok()) << fired.status();
    return fired.ok() ? *fired : -1;
  }

  std::vector<std::string> Due(const auth::Caller& who) {
    v1::ListFollowUpsDueRequest request;
    v1::ListFollowUpsDueResponse response;
    absl::Status st = follow_up_service_->DoListFollowUpsDue(who, request, &response);
    EXPECT_TRUE(st.ok()) << st;
    std::vector<std::string> out;
    for (const auto& f : response.follow_ups()) out.push_back(f.opportunity());
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_F(FollowUpStoreTest, APassedCloseDateFiresOnceAndStaysDueUntilTheDateMoves) {
  Rule(v1::CLOSE_DATE_PASSED);
  v1::Opportunity late = ClosingOn(rep_, absl::CivilDay(2027, 1, 10));
  v1::Opportunity today = ClosingOn(rep_, absl::CivilDay(2027, 1, 15));
  v1::Opportunity teammates = ClosingOn(teammate_, absl::CivilDay(2027, 1, 14));
  v1::Opportunity others = ClosingOn(other_rep_, absl::CivilDay(2027, 1, 1));
  EXPECT_EQ(Fire(), 3);
  EXPECT_EQ(Fire(), 0) << "fired already";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE event_type = "
                  "'crm.opportunities.v1.FollowUpDue'"),
            3);
  EXPECT_EQ(Due(rep_), std::vector<std::string>{late.name()});
  EXPECT_EQ(Due(manager_), (std::vector<std::string>{late.name(), teammates.name()}));
  EXPECT_EQ(Due(other_manager_), std::vector<std::string>{others.name()});
  EXPECT_EQ(Due(admin_).size(), 3u);

  // A new date ends the occurrence; when that one passes too, it fires again.
  v1::UpdateOpportunityRequest update;
  update.mutable_opportunity()->set_name(late.name());
  *update.mutable_opportunity()->mutable_expected_close_date() = api::ToDate(absl::CivilDay(2027, 1, 20));
  update.mutable_update_mask()->add_paths("expected_close_date");
  v1::Opportunity out;
  ASSERT_TRUE(opportunity_service_->DoUpdateOpportunity(rep_, update, &out).ok());
  EXPECT_TRUE(Due(rep_).empty());
  EXPECT_EQ(Fire(), 0);
  test_->clock().Advance(absl::Hours(24 * 6));  // 2027-01-21; `today` has passed as well
  EXPECT_EQ(Fire(), 2);
  EXPECT_EQ(Due(rep_), (std::vector<std::string>{late.name(), today.name()}));
  // Closing it ends it for good.
  ASSERT_TRUE(Win(rep_, late.name()).ok());
  EXPECT_EQ(Due(rep_), std::vector<std::string>{today.name()});
}

TEST_F(FollowUpStoreTest, StaleAndInactiveRulesCountDaysSinceTheLastUpdateOrActivity) {
  v1::FollowUpRule stale = Rule(v1::STALE_IN_STAGE, 7, kProposal);
  Rule(v1::NO_ACTIVITY, 10);
  v1::Opportunity in_proposal = NewOpportunity(rep_, "proposal");
  ASSERT_TRUE(Advance(rep_, in_proposal.name(), kProposal).ok());
  v1::Opportunity prospecting = NewOpportunity(rep_, "prospecting");
  test_->clock().Advance(absl::Hours(24 * 6));
  EXPECT_EQ(Fire(), 0);
  test_->clock().Advance(absl::Hours(24 * 2));  // day 8: stale in Proposal
  EXPECT_EQ(Fire(), 1);
  test_->clock().Advance(absl::Hours(24 * 3));  // day 11: no activity on either
  EXPECT_EQ(Fire(), 2);
  v1::ListFollowUpsDueRequest request;
  request.set_filter("kind = STALE_IN_STAGE");
  v1::ListFollowUpsDueResponse response;
  ASSERT_TRUE(follow_up_service_->DoListFollowUpsDue(rep_, request, &response).ok());
  ASSERT_EQ(response.follow_ups_size(), 1);
  EXPECT_EQ(response.follow_ups(0).opportunity(), in_proposal.name());
  EXPECT_EQ(response.follow_ups(0).rule(), stale.name());
  EXPECT_EQ(response.follow_ups(0).reason(), "no update for 7 days in Proposal");
  // Logging an activity ends that occurrence; an inactive rule no longer lists or fires.
  v1::UpdateOpportunityRequest update;
  update.mutable_opportunity()->set_name(prospecting.name());
  *update.mutable_opportunity()->mutable_last_activity_time() = ToTimestamp(test_->clock().Now());
  update.mutable_update_mask()->add_paths("last_activity_time");
  v1::Opportunity out;
  ASSERT_TRUE(opportunity_service_->DoUpdateOpportunity(rep_, update, &out).ok());
  EXPECT_EQ(Due(rep_), (std::vector<std::string>{in_proposal.name(), in_proposal.name()}));
  v1::UpdateFollowUpRuleRequest deactivate;
  deactivate.mutable_rule()->set_name(stale.name());
  deactivate.mutable_rule()->set_active(false);
  deactivate.mutable_update_mask()->add_paths("active");
  v1::FollowUpRule rule;
  ASSERT_TRUE(follow_up_service_->DoUpdateFollowUpRule(manager_, deactivate, &rule).ok());
  EXPECT_EQ(Due(rep_), std::vector<std::string>{in_proposal.name()});
  // Reps do not configure rules.
  v1::CreateFollowUpRuleRequest create;
  create.mutable_rule()->set_display_name("mine");
  create.mutable_rule()->set_kind(v1::CLOSE_DATE_PASSED);
  EXPECT_EQ(follow_up_service_->DoCreateFollowUpRule(rep_, create, &rule).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(FollowUpStoreTest, RunsAtTheSameTimeFireEachFollowUpOnce) {
  Rule(v1::CLOSE_DATE_PASSED);
  for (int i = 0; i < 30; ++i) ClosingOn(i % 2 == 0 ? rep_ : teammate_, absl::CivilDay(2027, 1, 2));
  // Two runs at once, without the scheduler's lock: the unique key alone keeps it once.
  std::vector<std::thread> runs;
  std::atomic<int> fired{0};
  for (int i = 0; i < 2; ++i) runs.emplace_back([&] { fired += Fire(); });
  for (std::thread& t : runs) t.join();
  EXPECT_EQ(fired.load(), 30);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM follow_ups"), 30);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE event_type = "
                  "'crm.opportunities.v1.FollowUpDue'"),
            30);
}

}  // namespace
}  // namespace crm::opportunities
