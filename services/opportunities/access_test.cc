// Who may do what to leads and opportunities, against a real MariaDB schema: every role
// against records it owns, its team's and another team's (a permission matrix), lists that
// never show more than Get does, and marketing's campaign-sourced opportunities.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "libs/grpc/status.h"
#include "services/opportunities/service_testing.h"

namespace crm::opportunities {
namespace {

enum Outcome { kOk, kNotFound, kDenied };

Outcome OutcomeOf(const absl::Status& st) {
  if (st.ok()) return kOk;
  if (st.code() == absl::StatusCode::kNotFound) return kNotFound;
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied) << st;
  return kDenied;
}

class AccessTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    if (HasFatalFailure()) return;
    for (auto [key, who] : {std::pair{"rep", &rep_}, std::pair{"teammate", &teammate_},
                            std::pair{"other", &other_rep_}, std::pair{"marketing", &marketing_}}) {
      v1::CreateLeadRequest request;
      request.mutable_lead()->set_company(absl::StrCat("lead of ", key));
      v1::Lead lead;
      ASSERT_TRUE(lead_service_->DoCreateLead(*who, request, &lead).ok());
      leads_by_[key] = lead.name();
    }
    opportunities_by_["rep"] = NewOpportunity(rep_, "rep's").name();
    opportunities_by_["teammate"] = NewOpportunity(teammate_, "teammate's").name();
    opportunities_by_["other"] = NewOpportunity(other_rep_, "other's").name();
    opportunities_by_["campaign"] =
        NewOpportunity(other_rep_, "campaign's", 0, "customers/1", "2027-spring-expo").name();
  }

  Outcome GetLead(const auth::Caller& who, const std::string& key) {
    v1::GetLeadRequest request;
    request.set_name(leads_by_.at(key));
    v1::Lead out;
    return OutcomeOf(lead_service_->DoGetLead(who, request, &out));
  }
  Outcome UpdateLead(const auth::Caller& who, const std::string& key) {
    v1::UpdateLeadRequest request;
    request.mutable_lead()->set_name(leads_by_.at(key));
    request.mutable_lead()->set_notes("touched");
    request.mutable_update_mask()->add_paths("notes");
    v1::Lead out;
    return OutcomeOf(lead_service_->DoUpdateLead(who, request, &out));
  }
  Outcome GetOpportunity(const auth::Caller& who, const std::string& key) {
    return OutcomeOf(Get(who, opportunities_by_.at(key)).status());
  }
  Outcome UpdateOpportunity(const auth::Caller& who, const std::string& key) {
    v1::UpdateOpportunityRequest request;
    request.mutable_opportunity()->set_name(opportunities_by_.at(key));
    request.mutable_opportunity()->set_next_step("call back");
    request.mutable_update_mask()->add_paths("next_step");
    v1::Opportunity out;
    return OutcomeOf(opportunity_service_->DoUpdateOpportunity(who, request, &out));
  }
  // Moves it to a stage other than the one it is in.
  Outcome MoveOpportunity(const auth::Caller& who, const std::string& key) {
    auto current = Get(admin_, opportunities_by_.at(key));
    EXPECT_TRUE(current.ok());
    const char* to = current->stage() == testing::kQualification ? testing::kNeedsAnalysis
                                                                  : testing::kQualification;
    return OutcomeOf(Advance(who, opportunities_by_.at(key), to));
  }

  // The names a caller's lists show, over every page of `page_size`.
  std::set<std::string> ListedLeads(const auth::Caller& who, int page_size) {
    std::set<std::string> names;
    v1::ListLeadsRequest request;
    request.set_page_size(page_size);
    for (int guard = 0; guard < 20; ++guard) {
      v1::ListLeadsResponse response;
      EXPECT_TRUE(lead_service_->DoListLeads(who, request, &response).ok());
      for (const auto& l : response.leads()) names.insert(l.name());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return names;
  }
  std::set<std::string> ListedOpportunities(const auth::Caller& who, int page_size,
                                            const std::string& filter = "") {
    std::set<std::string> names;
    v1::ListOpportunitiesRequest request;
    request.set_page_size(page_size);
    request.set_filter(filter);
    for (int guard = 0; guard < 20; ++guard) {
      v1::ListOpportunitiesResponse response;
      EXPECT_TRUE(opportunity_service_->DoListOpportunities(who, request, &response).ok());
      for (const auto& o : response.opportunities()) names.insert(o.name());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return names;
  }

  std::map<std::string, std::string> leads_by_;
  std::map<std::string, std::string> opportunities_by_;
};

struct Row {
  const char* who;
  std::map<std::string, Outcome> expected;
};

TEST_F(AccessTest, LeadsMatrix) {
  const std::map<std::string, const auth::Caller*> callers = {
      {"admin", &admin_},   {"manager", &manager_},     {"rep", &rep_},
      {"other", &other_rep_}, {"marketing", &marketing_}, {"support", &support_}};
  // Read: the pool is shared but for reps, who see their own.
  const std::vector<Row> reads = {
      {"admin", {{"rep", kOk}, {"teammate", kOk}, {"other", kOk}, {"marketing", kOk}}},
      {"manager", {{"rep", kOk}, {"teammate", kOk}, {"other", kOk}, {"marketing", kOk}}},
      {"rep", {{"rep", kOk}, {"teammate", kNotFound}, {"other", kNotFound}, {"marketing", kNotFound}}},
      {"other", {{"rep", kNotFound}, {"teammate", kNotFound}, {"other", kOk}, {"marketing", kNotFound}}},
      {"marketing", {{"rep", kOk}, {"teammate", kOk}, {"other", kOk}, {"marketing", kOk}}},
      {"support", {{"rep", kOk}, {"teammate", kOk}, {"other", kOk}, {"marketing", kOk}}},
  };
  const std::vector<Row> writes = {
      {"admin", {{"rep", kOk}, {"teammate", kOk}, {"other", kOk}, {"marketing", kOk}}},
      {"manager", {{"rep", kOk}, {"teammate", kOk}, {"other", kOk}, {"marketing", kOk}}},
      {"rep", {{"rep", kOk}, {"teammate", kNotFound}, {"other", kNotFound}, {"marketing", kNotFound}}},
      {"other", {{"rep", kNotFound}, {"teammate", kNotFound}, {"other", kOk}, {"marketing", kNotFound}}},
      {"marketing", {{"rep", kOk}, {"teammate", kOk}, {"other", kOk}, {"marketing", kOk}}},
      {"support", {{"rep", kDenied}, {"teammate", kDenied}, {"other", kDenied}, {"marketing", kDenied}}},
  };
  for (const Row& row : reads) {
    std::set<std::string> visible;
    for (const auto& [key, expected] : row.expected) {
      EXPECT_EQ(GetLead(*callers.at(row.who), key), expected) << row.who << " reads " << key;
      if (expected == kOk) visible.insert(leads_by_.at(key));
    }
    for (int page_size : {1, 3, 50}) {
      EXPECT_EQ(ListedLeads(*callers.at(row.who), page_size), visible) << row.who;
    }
  }
  for (const Row& row : writes) {
    for (const auto& [key, expected] : row.expected) {
      EXPECT_EQ(UpdateLead(*callers.at(row.who), key), expected) << row.who << " writes " << key;
    }
  }
}

TEST_F(AccessTest, OpportunitiesMatrix) {
  const std::map<std::string, const auth::Caller*> callers = {
      {"admin", &admin_},   {"manager", &manager_},     {"rep", &rep_},
      {"other", &other_rep_}, {"marketing", &marketing_}, {"support", &support_}};
  const std::vector<Row> reads = {
      {"admin", {{"rep", kOk}, {"teammate", kOk}, {"other", kOk}, {"campaign", kOk}}},
      {"manager", {{"rep", kOk}, {"teammate", kOk}, {"other", kNotFound}, {"campaign", kNotFound}}},
      {"rep", {{"rep", kOk}, {"teammate", kNotFound}, {"other", kNotFound}, {"campaign", kNotFound}}},
      {"other", {{"rep", kNotFound}, {"teammate", kNotFound}, {"other", kOk}, {"campaign", kOk}}},
      {"marketing", {{"rep", kNotFound}, {"teammate", kNotFound}, {"other", kNotFound}, {"campaign", kOk}}},
      {"support", {{"rep", kOk}, {"teammate", kOk}, {"other", kOk}, {"campaign", kOk}}},
  };
  const std::vector<Row> writes = {
      {"admin", {{"rep", kOk}, {"teammate", kOk}, {"other", kOk}, {"campaign", kOk}}},
      {"manager", {{"rep", kOk}, {"teammate", kOk}, {"other", kNotFound}, {"campaign", kNotFound}}},
      {"rep", {{"rep", kOk}, {"teammate", kNotFound}, {"other", kNotFound}, {"campaign", kNotFound}}},
      {"other", {{"rep", kNotFound}, {"teammate", kNotFound}, {"other", kOk}, {"campaign", kOk}}},
      {"marketing", {{"rep", kDenied}, {"teammate", kDenied}, {"other", kDenied}, {"campaign", kDenied}}},
      {"support", {{"rep", kDenied}, {"teammate", kDenied}, {"other", kDenied}, {"campaign", kDenied}}},
  };
  for (const Row& row : reads) {
    std::set<std::string> visible;
    for (const auto& [key, expected] : row.expected) {
      EXPECT_EQ(GetOpportunity(*callers.at(row.who), key), expected) << row.who << " reads " << key;
      if (expected == kOk) visible.insert(opportunities_by_.at(key));
    }
    for (int page_size : {1, 3, 50}) {
      EXPECT_EQ(ListedOpportunities(*callers.at(row.who), page_size), visible) << row.who;
    }
    // A filter never widens the rule.
    const std::set<std::string> filtered =
        ListedOpportunities(*callers.at(row.who), 10, "owner != \"\"");
    EXPECT_TRUE(std::includes(visible.begin(), visible.end(), filtered.begin(), filtered.end()))
        << row.who;
  }
  for (const Row& row : writes) {
    for (const auto& [key, expected] : row.expected) {
      EXPECT_EQ(UpdateOpportunity(*callers.at(row.who), key), expected)
          << row.who << " writes " << key;
      EXPECT_EQ(MoveOpportunity(*callers.at(row.who), key), expected)
          << row.who << " moves " << key;
    }
  }
}

TEST_F(AccessTest, OwnersAreGivenOnlyWithinReach) {
  v1::CreateOpportunityRequest request;
  request.mutable_opportunity()->set_title("assigned");
  request.mutable_opportunity()->set_customer("customers/1");
  request.mutable_opportunity()->set_owner("users/12");
  v1::Opportunity out;
  EXPECT_TRUE(opportunity_service_->DoCreateOpportunity(manager_, request, &out).ok());
  EXPECT_EQ(ErrorReason(opportunity_service_->DoCreateOpportunity(rep_, request, &out)),
            "OWNER_CHANGE_DENIED");
  request.mutable_opportunity()->set_owner("users/21");
  EXPECT_EQ(ErrorReason(opportunity_service_->DoCreateOpportunity(manager_, request, &out)),
            "OWNER_CHANGE_DENIED");
  // The lead pool: a manager hands marketing's lead to a rep of theirs, not to another team.
  v1::UpdateLeadRequest assign;
  assign.mutable_lead()->set_name(leads_by_.at("marketing"));
  assign.mutable_lead()->set_owner("users/11");
  assign.mutable_update_mask()->add_paths("owner");
  v1::Lead lead;
  ASSERT_TRUE(lead_service_->DoUpdateLead(manager_, assign, &lead).ok());
  EXPECT_EQ(lead.owner(), "users/11");
  EXPECT_EQ(GetLead(rep_, "marketing"), kOk) << "the rep now owns it";
  assign.mutable_lead()->set_owner("users/21");
  EXPECT_EQ(ErrorReason(lead_service_->DoUpdateLead(manager_, assign, &lead)),
            "OWNER_CHANGE_DENIED");
  EXPECT_EQ(ErrorReason(lead_service_->DoUpdateLead(marketing_, assign, &lead)),
            "OWNER_CHANGE_DENIED")
      << "marketing works the pool but assigns nobody";
}

TEST_F(AccessTest, RolesOutsideThePolicyAreRefusedBeforeAnyRecord) {
  v1::CreateOpportunityRequest request;
  request.mutable_opportunity()->set_title("x");
  request.mutable_opportunity()->set_customer("customers/1");
  v1::Opportunity out;
  for (const auth::Caller* who : {&marketing_, &support_}) {
    EXPECT_EQ(opportunity_service_->DoCreateOpportunity(*who, request, &out).code(),
              absl::StatusCode::kPermissionDenied);
  }
  v1::CreatePipelineRequest pipeline;
  v1::Pipeline p;
  EXPECT_EQ(pipeline_service_->DoCreatePipeline(manager_, pipeline, &p).code(),
            absl::StatusCode::kPermissionDenied);
  const auth::Caller service = [] {
    auth::Caller c;
    c.principal.service = "services/analytics";
    return c;
  }();
  v1::GetOpportunityRequest get;
  get.set_name(opportunities_by_.at("rep"));
  EXPECT_EQ(opportunity_service_->DoGetOpportunity(service, get, &out).code(),
            absl::StatusCode::kPermissionDenied)
      << "a service identity reads no records";
}

}  // namespace
}  // namespace crm::opportunities
