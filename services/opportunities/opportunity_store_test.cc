// Opportunities against a real MariaDB schema through their handlers: defaults from the stage,
// every legal and illegal stage change, the stage history, updates, references checked with the
// caller's rights, and the learned win probability on a closed history computed by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/api/resource.h"
#include "libs/grpc/status.h"
#include "services/opportunities/customer_feed.h"
#include "services/opportunities/service_testing.h"

namespace crm::opportunities {
namespace {

using testing::kLostStage;
using testing::kNegotiation;
using testing::kNeedsAnalysis;
using testing::kProposal;
using testing::kProspecting;
using testing::kQualification;
using testing::kWonStage;

class OpportunityStoreTest : public testing::ServiceTest {};

// The pipeline the schema seeds is told on the feed, so that its followers (analytics' funnel)
// know its stages by name: once, even when two replicas start together, and never again once
// told; a pipeline made through the API was told when it was made.
TEST_F(OpportunityStoreTest, TheSeededPipelineIsAnnouncedOnceOnTheFeed) {
  std::atomic<int> announced{0};
  std::vector<std::thread> replicas;
  for (int i = 0; i < 2; ++i) {
    replicas.emplace_back([&] {
      absl::StatusOr<int> n = pipelines_->AnnounceSeeded("services/opportunities");
      EXPECT_TRUE(n.ok()) << n.status();
      if (n.ok()) announced += *n;
    });
  }
  for (std::thread& t : replicas) t.join();
  EXPECT_EQ(announced.load(), 1);
  constexpr char kCreated[] =
      "SELECT COUNT(*) FROM outbox WHERE event_type = 'crm.opportunities.v1.PipelineCreated'";
  EXPECT_EQ(Count(absl::StrCat(kCreated, " AND resource = 'pipelines/1' AND "
                               "LOCATE('Needs Analysis', payload) > 0")),
            1)
      << "the event carries the stages";

  v1::CreatePipelineRequest create;
  create.mutable_pipeline()->set_display_name("Renewals");
  for (auto [name, type] : {std::pair{"Due", v1::OPEN}, std::pair{"Renewed", v1::WON},
                            std::pair{"Churned", v1::LOST}}) {
    v1::Stage* s = create.mutable_pipeline()->add_stages();
    s->set_display_name(name);
    s->set_probability(type == v1::WON ? 100 : type == v1::OPEN ? 50 : 0);
    s->set_type(type);
  }
  v1::Pipeline renewals;
  ASSERT_TRUE(pipeline_service_->DoCreatePipeline(admin_, create, &renewals).ok());
  absl::StatusOr<int> again = pipelines_->AnnounceSeeded("services/opportunities");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(Count(kCreated), 2) << "the seeded pipeline once, the new one once";
}

TEST_F(OpportunityStoreTest, ANewOpportunityTakesItsStagesDefaults) {
  v1::Opportunity o = NewOpportunity(rep_, "ERP 升级", 120'000);
  EXPECT_EQ(o.stage(), kProspecting);
  EXPECT_EQ(o.pipeline(), "pipelines/1");
  EXPECT_EQ(o.state(), v1::OPEN);
  EXPECT_EQ(o.probability(), 10);
  EXPECT_FALSE(o.probability_overridden());
  EXPECT_EQ(o.forecast_category(), v1::PIPELINE);
  EXPECT_EQ(o.owner(), "users/11");
  EXPECT_EQ(o.creator(), "users/11");
  // The test clock's today is 2027-01-15: the default close date ends its quarter.
  EXPECT_EQ(o.expected_close_date().year(), 2027);
  EXPECT_EQ(o.expected_close_date().month(), 3);
  EXPECT_EQ(o.expected_close_date().day(), 31);
  // ¥120,000 at 10%.
  EXPECT_EQ(o.evaluation().weighted_amount().units(), 12'000);
  EXPECT_EQ(o.evaluation().basis(), v1::Evaluation::STAGE_DEFAULT);
  EXPECT_EQ(o.evaluation().learned_probability(), 10);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM stage_history"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE event_type = "
                  "'crm.opportunities.v1.OpportunityCreated'"),
            1);
}

TEST_F(OpportunityStoreTest, AGivenProbabilityOverridesUntilTheNextStageChange) {
  v1::CreateOpportunityRequest request;
  request.mutable_opportunity()->set_title("Override");
  request.mutable_opportunity()->set_customer("customers/1");
  request.mutable_opportunity()->set_stage(kProposal);
  request.mutable_opportunity()->set_probability(35);
  v1::Opportunity o;
  ASSERT_TRUE(opportunity_service_->DoCreateOpportunity(rep_, request, &o).ok());
  EXPECT_EQ(o.probability(), 35);
  EXPECT_TRUE(o.probability_overridden());
  EXPECT_EQ(o.forecast_category(), v1::BEST_CASE);
  ASSERT_TRUE(Advance(rep_, o.name(), kNegotiation, &o).ok());
  EXPECT_EQ(o.probability(), 80);
  EXPECT_FALSE(o.probability_overridden());
  EXPECT_EQ(o.forecast_category(), v1::COMMIT);
  // Clearing the override in an update goes back to the stage's.
  v1::UpdateOpportunityRequest update;
  update.mutable_opportunity()->set_name(o.name());
  update.mutable_opportunity()->set_probability(55);
  update.mutable_update_mask()->add_paths("probability");
  ASSERT_TRUE(opportunity_service_->DoUpdateOpportunity(rep_, update, &o).ok());
  EXPECT_EQ(o.probability(), 55);
  EXPECT_TRUE(o.probability_overridden());
  update.mutable_opportunity()->clear_probability();
  ASSERT_TRUE(opportunity_service_->DoUpdateOpportunity(rep_, update, &o).ok());
  EXPECT_EQ(o.probability(), 80);
  EXPECT_FALSE(o.probability_overridden());
}

TEST_F(OpportunityStoreTest, TheLegalPathIsRecordedInTheStageHistory) {
  v1::Opportunity o = NewOpportunity(rep_, "Path", 10'000);
  ASSERT_TRUE(Advance(rep_, o.name(), kQualification).ok());
  ASSERT_TRUE(Advance(rep_, o.name(), kProposal).ok());
  ASSERT_TRUE(Advance(rep_, o.name(), kQualification).ok()) << "a deal may move back";
  ASSERT_TRUE(Lose(rep_, o.name(), "预算不足", &o).ok());
  EXPECT_EQ(o.state(), v1::LOST);
  EXPECT_EQ(o.stage(), kLostStage);
  EXPECT_EQ(o.probability(), 0);
  EXPECT_EQ(o.loss_reason(), "预算不足");
  EXPECT_EQ(o.forecast_category(), v1::OMITTED);
  EXPECT_EQ(o.close_date().day(), 15);
  ASSERT_TRUE(Reopen(rep_, o.name(), "", &o).ok());
  EXPECT_EQ(o.stage(), kQualification) << "back where it was lost";
  EXPECT_TRUE(o.loss_reason().empty());
  EXPECT_FALSE(o.has_close_date());
  ASSERT_TRUE(Win(rep_, o.name(), &o).ok());
  EXPECT_EQ(o.state(), v1::WON);
  EXPECT_EQ(o.probability(), 100);
  EXPECT_EQ(o.forecast_category(), v1::CLOSED);

  v1::ListStageHistoryRequest list;
  list.set_parent(o.name());
  list.set_page_size(3);
  std::vector<std::string> stages;
  for (int page = 0; page < 5; ++page) {
    v1::ListStageHistoryResponse response;
    ASSERT_TRUE(opportunity_service_->DoListStageHistory(rep_, list, &response).ok());
    for (const auto& change : response.stage_changes()) {
      stages.push_back(change.to_stage_display_name());
      EXPECT_EQ(change.actor(), "users/11");
      EXPECT_EQ(change.amount().units(), 10'000);
    }
    if (response.next_page_token().empty()) break;
    list.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(stages, (std::vector<std::string>{"Prospecting", "Qualification", "Proposal",
                                              "Qualification", "Lost", "Qualification", "Won"}));
  for (const char* type : {"OpportunityStageChanged", "OpportunityLost", "OpportunityReopened",
                           "OpportunityWon"}) {
    EXPECT_GE(Count(absl::StrCat("SELECT COUNT(*) FROM outbox WHERE event_type = "
                                 "'crm.opportunities.v1.",
                                 type, "'")),
              1)
        << type;
  }
}

TEST_F(OpportunityStoreTest, EveryIllegalTransitionIsAFailedPreconditionAndChangesNothing) {
  v1::Opportunity open = NewOpportunity(rep_, "Open");
  v1::Opportunity won = NewOpportunity(rep_, "Won");
  ASSERT_TRUE(Win(rep_, won.name()).ok());
  v1::Opportunity lost = NewOpportunity(rep_, "Lost");
  ASSERT_TRUE(Lose(rep_, lost.name()).ok());
  const int64_t history = Count("SELECT COUNT(*) FROM stage_history");
  const int64_t events = Count("SELECT COUNT(*) FROM outbox");

  struct Case {
    std::string what;
    std::function<absl::Status()> call;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"advance to the same stage", [&] { return Advance(rep_, open.name(), kProspecting); },
       "SAME_STAGE"},
      {"advance into won", [&] { return Advance(rep_, open.name(), kWonStage); }, "CLOSING_STAGE"},
      {"advance into lost", [&] { return Advance(rep_, open.name(), kLostStage); },
       "CLOSING_STAGE"},
      {"reopen an open one", [&] { return Reopen(rep_, open.name()); }, "OPPORTUNITY_OPEN"},
      {"advance a won one", [&] { return Advance(rep_, won.name(), kProposal); },
       "OPPORTUNITY_CLOSED"},
      {"win a won one", [&] { return Win(rep_, won.name()); }, "OPPORTUNITY_CLOSED"},
      {"lose a won one", [&] { return Lose(rep_, won.name()); }, "OPPORTUNITY_CLOSED"},
      {"advance a lost one", [&] { return Advance(rep_, lost.name(), kProposal); },
       "OPPORTUNITY_CLOSED"},
      {"win a lost one", [&] { return Win(rep_, lost.name()); }, "OPPORTUNITY_CLOSED"},
      {"lose a lost one", [&] { return Lose(rep_, lost.name()); }, "OPPORTUNITY_CLOSED"},
      {"reopen into won", [&] { return Reopen(rep_, won.name(), kWonStage); },
       "REOPEN_TO_CLOSED_STAGE"},
      {"reopen into lost", [&] { return Reopen(rep_, lost.name(), kLostStage); },
       "REOPEN_TO_CLOSED_STAGE"},
  };
  for (const Case& c : cases) {
    absl::Status st = c.call();
    EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << c.what << ": " << st;
    EXPECT_EQ(ErrorReason(st), c.reason) << c.what;
  }
  // A stage of another pipeline, or none at all, is bad input rather than a transition.
  v1::CreatePipelineRequest create;
  v1::Pipeline* p = create.mutable_pipeline();
  p->set_display_name("Renewals");
  for (auto [name, probability, type] : {std::tuple{"Due", 50, v1::OPEN},
                                         std::tuple{"Renewed", 100, v1::WON},
                                         std::tuple{"Churned", 0, v1::LOST}}) {
    v1::Stage* s = p->add_stages();
    s->set_display_name(name);
    s->set_probability(probability);
    s->set_type(type);
  }
  v1::Pipeline renewals;
  ASSERT_TRUE(pipeline_service_->DoCreatePipeline(admin_, create, &renewals).ok());
  absl::Status foreign = Advance(rep_, open.name(), renewals.stages(0).name());
  EXPECT_EQ(foreign.code(), absl::StatusCode::kInvalidArgument) << foreign;
  EXPECT_EQ(FieldViolations(foreign).at(0).field, "stage");
  EXPECT_EQ(Advance(rep_, open.name(), "pipelines/1/stages/99").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM stage_history"), history) << "nothing was recorded";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), events + 1) << "only the pipeline's event";
  // Closed deals keep their probability and forecast category.
  v1::UpdateOpportunityRequest update;
  update.mutable_opportunity()->set_name(won.name());
  update.mutable_opportunity()->set_probability(50);
  update.mutable_update_mask()->add_paths("probability");
  v1::Opportunity out;
  EXPECT_EQ(ErrorReason(opportunity_service_->DoUpdateOpportunity(rep_, update, &out)),
            "OPPORTUNITY_CLOSED");
  update.mutable_update_mask()->set_paths(0, "next_step");
  update.mutable_opportunity()->set_next_step("Send the invoice");
  EXPECT_TRUE(opportunity_service_->DoUpdateOpportunity(rep_, update, &out).ok())
      << "other fields of a closed deal may change";
}

TEST_F(OpportunityStoreTest, CloseWonTakesAFinalAmountInTheDealsCurrency) {
  v1::Opportunity o = NewOpportunity(rep_, "Final", 100'000);
  v1::CloseWonRequest request;
  request.set_name(o.name());
  request.mutable_amount()->set_currency_code("USD");
  request.mutable_amount()->set_units(90'000);
  v1::Opportunity out;
  absl::Status st = opportunity_service_->DoCloseWon(rep_, request, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  request.mutable_amount()->set_currency_code("CNY");
  ASSERT_TRUE(opportunity_service_->DoCloseWon(rep_, request, &out).ok());
  EXPECT_EQ(out.amount().units(), 90'000);
  EXPECT_EQ(out.evaluation().weighted_amount().units(), 90'000);
}

TEST_F(OpportunityStoreTest, TheCustomerAndProductsAreCheckedWithTheCallersRights) {
  customers_.Hide("customers/7");
  catalog_.Hide("products/5");
  v1::CreateOpportunityRequest request;
  request.mutable_opportunity()->set_title("Refs");
  request.mutable_opportunity()->set_customer("customers/7");
  request.mutable_opportunity()->add_products("products/4");
  request.mutable_opportunity()->add_products("products/5");
  v1::Opportunity out;
  absl::Status st = opportunity_service_->DoCreateOpportunity(rep_, request, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolations(st).at(0).field, "opportunity.customer");
  request.mutable_opportunity()->set_customer("customers/2");
  st = opportunity_service_->DoCreateOpportunity(rep_, request, &out);
  EXPECT_EQ(FieldViolations(st).at(0).field, "opportunity.products[1]");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM opportunities"), 0);
  request.mutable_opportunity()->mutable_products()->RemoveLast();
  ASSERT_TRUE(opportunity_service_->DoCreateOpportunity(rep_, request, &out).ok());
  // An update naming a customer the caller cannot see changes nothing.
  v1::UpdateOpportunityRequest update;
  update.mutable_opportunity()->set_name(out.name());
  update.mutable_opportunity()->set_customer("customers/7");
  update.mutable_update_mask()->add_paths("customer");
  EXPECT_EQ(opportunity_service_->DoUpdateOpportunity(rep_, update, &out).code(),
            absl::StatusCode::kInvalidArgument);
  update.mutable_opportunity()->set_customer("customers/3");
  ASSERT_TRUE(opportunity_service_->DoUpdateOpportunity(rep_, update, &out).ok());
  EXPECT_EQ(out.customer(), "customers/3");
}

TEST_F(OpportunityStoreTest, ListsFilterOnStageOwnerCloseDateAmountAndCustomer) {
  v1::Opportunity a = NewOpportunity(rep_, "A", 5'000, "customers/1");
  v1::Opportunity b = NewOpportunity(rep_, "B", 500'000, "customers/2");
  v1::Opportunity c = NewOpportunity(teammate_, "C", 50'000, "customers/2");
  ASSERT_TRUE(Advance(rep_, b.name(), kProposal).ok());
  auto titles = [&](const std::string& filter, const std::string& order = "title") {
    v1::ListOpportunitiesRequest request;
    request.set_filter(filter);
    request.set_order_by(order);
    v1::ListOpportunitiesResponse response;
    absl::Status st = opportunity_service_->DoListOpportunities(manager_, request, &response);
    EXPECT_TRUE(st.ok()) << filter << ": " << st;
    std::vector<std::string> out;
    for (const auto& o : response.opportunities()) out.push_back(o.title());
    return out;
  };
  EXPECT_EQ(titles(absl::StrCat("stage = \"", kProposal, "\"")), std::vector<std::string>{"B"});
  EXPECT_EQ(titles("owner = \"users/12\""), std::vector<std::string>{"C"});
  EXPECT_EQ(titles("amount.units >= 50000"), (std::vector<std::string>{"B", "C"}));
  EXPECT_EQ(titles("customer = \"customers/2\" AND state = OPEN"),
            (std::vector<std::string>{"B", "C"}));
  EXPECT_EQ(titles("expected_close_date <= \"2027-03-31\"", "amount.units desc"),
            (std::vector<std::string>{"B", "C", "A"}));
  EXPECT_TRUE(titles("expected_close_date < \"2027-01-01\"").empty());
}

TEST_F(OpportunityStoreTest, TheLearnedProbabilityOnAFixedClosedHistoryIsTheHandComputedOne) {
  // Ten closed deals in the default pipeline (open stages 1-5), all for customers without an
  // industry or size band, so the features are the stage, the source and the amount band.
  struct Deal {
    v1::Source source;
    int64_t amount;
    const char* lost_from;  // nullptr: won
  };
  const std::vector<Deal> history = {
      {v1::REFERRAL, 50'000, nullptr},      {v1::REFERRAL, 50'000, nullptr},
      {v1::REFERRAL, 5'000, nullptr},       {v1::WEBSITE, 50'000, nullptr},
      {v1::WEBSITE, 500'000, nullptr},      {v1::COLD_CALL, 50'000, nullptr},
      {v1::COLD_CALL, 50'000, kProspecting}, {v1::COLD_CALL, 5'000, kQualification},
      {v1::WEBSITE, 50'000, kNeedsAnalysis}, {v1::REFERRAL, 500'000, kProposal},
  };
  auto create = [&](v1::Source source, int64_t amount) {
    v1::CreateOpportunityRequest request;
    request.mutable_opportunity()->set_title("deal");
    request.mutable_opportunity()->set_customer("customers/1");
    request.mutable_opportunity()->set_source(source);
    request.mutable_opportunity()->mutable_amount()->set_currency_code("CNY");
    request.mutable_opportunity()->mutable_amount()->set_units(amount);
    v1::Opportunity o;
    EXPECT_TRUE(opportunity_service_->DoCreateOpportunity(rep_, request, &o).ok());
    return o;
  };
  v1::Opportunity probe = create(v1::REFERRAL, 80'000);
  ASSERT_TRUE(Advance(rep_, probe.name(), kNeedsAnalysis).ok());
  for (size_t i = 0; i < history.size(); ++i) {
    const Deal& d = history[i];
    v1::Opportunity o = create(d.source, d.amount);
    if (d.lost_from == nullptr) {
      ASSERT_TRUE(Win(rep_, o.name()).ok());
    } else {
      if (std::string(d.lost_from) != kProspecting) {
        ASSERT_TRUE(Advance(rep_, o.name(), d.lost_from).ok());
      }
      ASSERT_TRUE(Lose(rep_, o.name()).ok());
    }
    if (i == history.size() - 2) {
      auto nine = Get(rep_, probe.name());
      ASSERT_TRUE(nine.ok());
      EXPECT_EQ(nine->evaluation().basis(), v1::Evaluation::STAGE_DEFAULT) << "9 < 10 closed";
      EXPECT_EQ(nine->evaluation().learned_probability(), 40);
    }
  }
  auto evaluated = Get(rep_, probe.name());
  ASSERT_TRUE(evaluated.ok()) << evaluated.status();
  const v1::Evaluation& e = evaluated->evaluation();
  EXPECT_EQ(e.basis(), v1::Evaluation::LEARNED);
  EXPECT_EQ(e.sample_size(), 10);
  // The probe: stage 3 (Needs Analysis), REFERRAL, ¥80,000 (band 1). W = 6, L = 4.
  //   stage 3:  won 6 (every won deal), lost 2 (lost from Needs Analysis and from Proposal)
  //   REFERRAL: won 3, lost 1
  //   band 1:   won 4, lost 2
  // won:  (6+1)/(10+2) * (6+1)/(6+2) * (3+1)/(6+2) * (4+1)/(6+2) = 980/6144 = 735/4608
  // lost: (4+1)/(10+2) * (2+1)/(4+2) * (1+1)/(4+2) * (2+1)/(4+2) = 90/2592  = 160/4608
  EXPECT_NEAR(e.learned_probability(), 100.0 * 735 / 895, 1e-9);
  EXPECT_EQ(evaluated->probability(), 40) << "the rep's own stays beside it";

  // Reopening a deal takes exactly what it added out of the counts again.
  v1::ListOpportunitiesRequest list;
  list.set_filter("state = LOST AND amount.units = 500000");
  v1::ListOpportunitiesResponse lost;
  ASSERT_TRUE(opportunity_service_->DoListOpportunities(rep_, list, &lost).ok());
  ASSERT_EQ(lost.opportunities_size(), 1);
  ASSERT_TRUE(Reopen(rep_, lost.opportunities(0).name()).ok());
  EXPECT_EQ(Get(rep_, probe.name())->evaluation().basis(), v1::Evaluation::STAGE_DEFAULT);
  ASSERT_TRUE(Lose(rep_, lost.opportunities(0).name()).ok());
  EXPECT_NEAR(Get(rep_, probe.name())->evaluation().learned_probability(), 100.0 * 735 / 895,
              1e-9);
}

TEST_F(OpportunityStoreTest, ACustomerMergeRepointsAndAnUnmergePutsBackExactlyThose) {
  v1::Opportunity a = NewOpportunity(rep_, "A", 0, "customers/5");
  v1::Opportunity b = NewOpportunity(rep_, "B", 0, "customers/6");
  v1::Opportunity c = NewOpportunity(rep_, "C", 0, "customers/8");
  CustomerFeed feed(*leads_, *opportunities_, "services/opportunities");
  // As the customers feed delivers them: the merge, survivor first, as the event's payload.
  auto apply = [&](int64_t survivor, std::vector<int64_t> merged, bool undo) {
    const std::string type =
        undo ? "crm.customers.v1.CustomerUnmerged" : "crm.customers.v1.CustomerMerged";
    const std::vector<std::string> followed = CustomerFeed::Types();
    EXPECT_NE(std::find(followed.begin(), followed.end(), type), followed.end());
    customers::v1::CustomerMerge merge;
    merge.set_survivor(absl::StrCat("customers/", survivor));
    for (int64_t id : merged) merge.add_merged(absl::StrCat("customers/", id));
    events::v1::Event event;
    event.set_id(absl::StrCat("customers.crm/", undo ? 2 : 1));
    event.set_type(type);
    event.set_resource(merge.survivor());
    event.mutable_payload()->PackFrom(merge);
    return test_->pool().InTransaction(
        [&](db::Transaction& tx) { return feed.Apply(tx, event); });
  };
  ASSERT_TRUE(apply(8, {5, 6}, false).ok());
  EXPECT_EQ(Get(admin_, a.name())->customer(), "customers/8");
  EXPECT_EQ(Get(admin_, b.name())->customer(), "customers/8");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE actor = 'services/opportunities' AND "
                  "changed_paths = 'customer'"),
            2);
  // Later, an opportunity created for the survivor itself; the unmerge leaves it alone.
  v1::Opportunity d = NewOpportunity(rep_, "D", 0, "customers/8");
  ASSERT_TRUE(apply(8, {5, 6}, true).ok());
  EXPECT_EQ(Get(admin_, a.name())->customer(), "customers/5");
  EXPECT_EQ(Get(admin_, b.name())->customer(), "customers/6");
  EXPECT_EQ(Get(admin_, c.name())->customer(), "customers/8");
  EXPECT_EQ(Get(admin_, d.name())->customer(), "customers/8");
}

TEST_F(OpportunityStoreTest, ADeletedCustomersOpenOpportunitiesAreFlagged) {
  v1::Opportunity open = NewOpportunity(rep_, "open", 0, "customers/9");
  v1::Opportunity won = NewOpportunity(rep_, "won", 0, "customers/9");
  ASSERT_TRUE(Win(rep_, won.name()).ok());
  CustomerFeed feed(*leads_, *opportunities_, "services/opportunities");
  events::v1::Event event;
  event.set_id("customers.crm/77");
  event.set_type("crm.customers.v1.CustomerDeleted");
  event.set_resource("customers/9");
  customers::v1::Customer deleted;
  deleted.set_name("customers/9");
  event.mutable_payload()->PackFrom(deleted);
  ASSERT_TRUE(test_->pool().InTransaction([&](db::Transaction& tx) { return feed.Apply(tx, event); }).ok());
  EXPECT_TRUE(Get(rep_, open.name())->customer_deleted());
  EXPECT_FALSE(Get(rep_, won.name())->customer_deleted());
  v1::ListOpportunitiesRequest list;
  list.set_filter("customer_deleted = true");
  v1::ListOpportunitiesResponse response;
  ASSERT_TRUE(opportunity_service_->DoListOpportunities(rep_, list, &response).ok());
  ASSERT_EQ(response.opportunities_size(), 1);
  EXPECT_EQ(response.opportunities(0).name(), open.name());
}

}  // namespace
}  // namespace crm::opportunities
