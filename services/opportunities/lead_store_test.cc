// Leads against a real MariaDB schema through their handlers: capture, the score, statuses,
// imports with per-row results, and conversion — idempotent, all or nothing, safe to retry after
// an interruption — with the customers service answered from memory.
#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "libs/api/resource.h"
#include "libs/grpc/status.h"
#include "services/opportunities/service_testing.h"

namespace crm::opportunities {
namespace {

class LeadStoreTest : public testing::ServiceTest {
 protected:
  v1::Lead NewLead(const auth::Caller& who, const std::string& company,
                   const std::string& campaign = "") {
    v1::CreateLeadRequest request;
    request.mutable_lead()->set_company(company);
    request.mutable_lead()->set_contact_name("王伟");
    request.mutable_lead()->set_job_title("采购经理");
    request.mutable_lead()->add_phones("0512-6666 8888");
    request.mutable_lead()->set_industry("制造业");
    request.mutable_lead()->set_source(v1::TRADE_SHOW);
    request.mutable_lead()->set_campaign(campaign);
    v1::Lead out;
    absl::Status st = lead_service_->DoCreateLead(who, request, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  absl::StatusOr<v1::ConvertLeadResponse> Convert(const auth::Caller& who,
                                                  v1::ConvertLeadRequest request) {
    v1::ConvertLeadResponse out;
    CRM_RETURN_IF_ERROR(lead_service_->DoConvertLead(who, request, &out));
    return out;
  }

  static v1::ConvertLeadRequest ConvertWithOpportunity(const std::string& lead) {
    v1::ConvertLeadRequest request;
    request.set_name(lead);
    request.mutable_opportunity()->mutable_amount()->set_currency_code("CNY");
    request.mutable_opportunity()->mutable_amount()->set_units(80'000);
    request.mutable_opportunity()->add_products("products/3");
    return request;
  }

  absl::StatusOr<v1::ImportLeadsResponse> Import(const auth::Caller& who,
                                                 std::vector<v1::ImportLeadsRequest> messages) {
    v1::ImportLeadsResponse out;
    CRM_RETURN_IF_ERROR(lead_service_->DoImportLeads(who, messages, &out));
    return out;
  }
};

TEST_F(LeadStoreTest, ACapturedLeadIsNormalisedScoredAndOwnedByItsCreator) {
  v1::Lead lead = NewLead(marketing_, "苏州精工机械", "2027-spring-expo");
  EXPECT_EQ(lead.status(), v1::NEW);
  EXPECT_EQ(lead.owner(), "users/30");
  EXPECT_EQ(lead.phones(0), "+8651266668888");
  // company 10, contact 10, phone 10; TRADE_SHOW 20; campaign 5.
  EXPECT_EQ(lead.score(), 55);
  v1::UpdateLeadRequest update;
  update.mutable_lead()->set_name(lead.name());
  update.mutable_lead()->set_status(v1::QUALIFIED);
  update.mutable_update_mask()->add_paths("status");
  ASSERT_TRUE(lead_service_->DoUpdateLead(marketing_, update, &lead).ok());
  EXPECT_EQ(lead.score(), 80);
  update.mutable_lead()->set_status(v1::CONVERTED);
  EXPECT_EQ(lead_service_->DoUpdateLead(marketing_, update, &lead).code(),
            absl::StatusCode::kInvalidArgument);

  v1::DisqualifyLeadRequest disqualify;
  disqualify.set_name(lead.name());
  EXPECT_EQ(lead_service_->DoDisqualifyLead(marketing_, disqualify, &lead).code(),
            absl::StatusCode::kInvalidArgument) << "a reason is required";
  disqualify.set_reason("没有预算");
  ASSERT_TRUE(lead_service_->DoDisqualifyLead(marketing_, disqualify, &lead).ok());
  EXPECT_EQ(lead.status(), v1::DISQUALIFIED);
  EXPECT_EQ(lead.disqualify_reason(), "没有预算");
  EXPECT_EQ(ErrorReason(Convert(marketing_, ConvertWithOpportunity(lead.name())).status()),
            "LEAD_DISQUALIFIED");
  // Back to work: the reason goes.
  update.mutable_lead()->set_status(v1::CONTACTED);
  ASSERT_TRUE(lead_service_->DoUpdateLead(marketing_, update, &lead).ok());
  EXPECT_TRUE(lead.disqualify_reason().empty());
}

TEST_F(LeadStoreTest, AnImportReportsEachRowAndUpsertsByExternalId) {
  v1::ImportLeadsRequest first;
  first.mutable_options()->set_campaign("2027-webinar");
  first.mutable_options()->set_source(v1::CAMPAIGN);
  for (int i = 0; i < 3; ++i) {
    v1::Lead* row = first.add_leads();
    row->set_company("Company " + std::to_string(i));
    row->set_external_id("hub-" + std::to_string(i));
  }
  v1::ImportLeadsRequest second;
  second.add_leads()->set_company("Bad phone");
  second.mutable_leads(0)->add_phones("123");
  second.add_leads();  // neither company nor contact
  second.add_leads()->set_contact_name("Li Na");

  auto imported = Import(marketing_, {first, second});
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->created(), 4);
  EXPECT_EQ(imported->failed(), 2);
  v1::ImportLeadsRequest dry_first = first;
  dry_first.mutable_options()->set_dry_run(true);
  auto dry = Import(marketing_, {dry_first, second});
  ASSERT_TRUE(dry.ok());
  EXPECT_TRUE(dry->batch().empty());
  EXPECT_EQ(dry->results(0).outcome(), v1::LeadImportResult::VALID);
  EXPECT_EQ(dry->failed(), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM leads"), 4) << "the dry run wrote nothing";

  // The same stream again updates what the first import created.
  first.mutable_leads(1)->set_company("Company 1 renamed");
  auto again = Import(marketing_, {first, second});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->created(), 1) << "only the row without an external id";
  EXPECT_EQ(again->updated(), 3);
  EXPECT_EQ(again->failed(), 2);
  ASSERT_EQ(again->results_size(), 6);
  EXPECT_EQ(again->results(3).outcome(), v1::LeadImportResult::FAILED);
  EXPECT_EQ(again->results(3).row(), 3);
  EXPECT_EQ(again->results(3).error().code(), static_cast<int>(absl::StatusCode::kInvalidArgument));
  google::rpc::BadRequest bad;
  ASSERT_TRUE(again->results(3).error().details(1).UnpackTo(&bad));
  EXPECT_EQ(bad.field_violations(0).field(), "leads[3].phones[0]");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM leads"), 5);
  v1::GetLeadRequest get;
  get.set_name(again->results(1).lead());
  v1::Lead renamed;
  ASSERT_TRUE(lead_service_->DoGetLead(support_, get, &renamed).ok());
  EXPECT_EQ(renamed.company(), "Company 1 renamed");
  EXPECT_EQ(renamed.campaign(), "2027-webinar");
  EXPECT_EQ(renamed.import_batch(), again->batch());
  // Reps do not import.
  EXPECT_EQ(Import(rep_, {first}).status().code(), absl::StatusCode::kPermissionDenied);
  v1::ImportLeadsRequest huge;
  for (int i = 0; i <= Limits::kImportRows; ++i) huge.add_leads()->set_contact_name("x");
  EXPECT_EQ(ErrorReason(Import(marketing_, {huge}).status()), "IMPORT_TOO_LARGE");
}

TEST_F(LeadStoreTest, ConversionCreatesTheCustomerAndTheOpportunityOnce) {
  v1::Lead lead = NewLead(rep_, "苏州精工机械", "2027-spring-expo");
  v1::ConvertLeadRequest request = ConvertWithOpportunity(lead.name());
  request.set_request_id("convert-1");
  auto converted = Convert(rep_, request);
  ASSERT_TRUE(converted.ok()) << converted.status();
  EXPECT_TRUE(converted->customer_created());
  EXPECT_EQ(converted->lead().status(), v1::CONVERTED);
  EXPECT_EQ(converted->lead().customer(), converted->customer());
  EXPECT_EQ(converted->lead().opportunity(), converted->opportunity().name());
  const v1::Opportunity& o = converted->opportunity();
  EXPECT_EQ(o.customer(), converted->customer());
  EXPECT_EQ(o.title(), "苏州精工机械");
  EXPECT_EQ(o.source(), v1::TRADE_SHOW);
  EXPECT_EQ(o.campaign(), "2027-spring-expo");
  EXPECT_EQ(o.lead(), lead.name());
  EXPECT_EQ(o.owner(), "users/11");
  // What the customers service was asked for.
  ASSERT_EQ(customers_.requests().size(), 1u);
  const customers::v1::CreateCustomerRequest sent = customers_.requests()[0];
  EXPECT_EQ(sent.customer().display_name(), "苏州精工机械");
  EXPECT_EQ(sent.customer().kind(), customers::v1::COMPANY);
  EXPECT_EQ(sent.customer().phones(0), "+8651266668888");
  EXPECT_EQ(sent.customer().source(), "trade_show");
  EXPECT_EQ(sent.customer().owner(), "users/11");
  EXPECT_EQ(sent.customer().notes(), "Contact: 王伟 (采购经理)");
  EXPECT_TRUE(sent.request_id().starts_with("lead-"));

  // A retry with the request id replays; without it the lead is converted already.
  auto replay = Convert(rep_, request);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(replay->opportunity().name(), o.name());
  request.clear_request_id();
  EXPECT_EQ(ErrorReason(Convert(rep_, request).status()), "LEAD_CONVERTED");
  EXPECT_EQ(customers_.creates(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM opportunities"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM lead_conversions"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE event_type = "
                  "'crm.opportunities.v1.LeadConverted'"),
            1);
}

TEST_F(LeadStoreTest, AConversionInterruptedAfterTheCustomerWasCreatedReusesItOnRetry) {
  v1::Lead lead = NewLead(rep_, "Interrupted Ltd");
  // The first attempt: the customer is created, then the process dies before the lead is
  // marked (here: the customers service answers, but the answer is lost).
  const customers::v1::CreateCustomerRequest proposed =
      LeadService::CustomerRequestFor(lead, lead.owner(), "users/11");
  auto begun = leads_->BeginConversion(
      *api::ParseResourceId(lead.name(), "leads"), "users/11", proposed);
  ASSERT_TRUE(begun.ok());
  ASSERT_TRUE(customers_.CreateCustomer(rep_, begun->request).ok());
  // The lead was edited meanwhile; the retry still sends the recorded request.
  v1::UpdateLeadRequest edit;
  edit.mutable_lead()->set_name(lead.name());
  edit.mutable_lead()->set_notes("called back");
  edit.mutable_update_mask()->add_paths("notes");
  ASSERT_TRUE(lead_service_->DoUpdateLead(rep_, edit, &lead).ok());
  // Another user's attempt cannot replay it and is told why.
  EXPECT_EQ(ErrorReason(Convert(manager_, ConvertWithOpportunity(lead.name())).status()),
            "CONVERSION_PENDING");

  auto retried = Convert(rep_, ConvertWithOpportunity(lead.name()));
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(customers_.creates(), 1) << "the customer of the first attempt, replayed";
  EXPECT_EQ(retried->customer(), "customers/1000");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM opportunities"), 1);
}

TEST_F(LeadStoreTest, ARefusedCustomerLeavesTheLeadAsItWasAndTheNextAttemptStartsOver) {
  v1::Lead lead = NewLead(rep_, "Duplicate Co");
  customers_.FailCreatesWith(Error(absl::StatusCode::kAlreadyExists, "DUPLICATE_CUSTOMER",
                                   "customers/3 looks the same"));
  absl::Status refused = Convert(rep_, ConvertWithOpportunity(lead.name())).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorReason(refused), "DUPLICATE_CUSTOMER");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM lead_conversions"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM opportunities"), 0);
  // The outcome unknown (the customers service unreachable): the record stays for the retry.
  customers_.FailCreatesWith(Error(absl::StatusCode::kUnavailable, "CUSTOMERS_UNAVAILABLE", "down"));
  EXPECT_EQ(Convert(rep_, ConvertWithOpportunity(lead.name())).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM lead_conversions"), 1);
  customers_.FailCreatesWith(absl::OkStatus());
  // Linking an existing customer needs none, and one the caller cannot see is refused.
  customers_.Hide("customers/4");
  v1::ConvertLeadRequest link = ConvertWithOpportunity(lead.name());
  link.set_customer("customers/4");
  absl::Status hidden = Convert(rep_, link).status();
  EXPECT_EQ(hidden.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolations(hidden).at(0).field, "customer");
  link.set_customer("customers/3");
  auto linked = Convert(rep_, link);
  ASSERT_TRUE(linked.ok()) << linked.status();
  EXPECT_FALSE(linked->customer_created());
  EXPECT_EQ(linked->opportunity().customer(), "customers/3");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM lead_conversions"), 0);
}

TEST_F(LeadStoreTest, ABadOpportunityStopsTheConversionBeforeACustomerIsMade) {
  v1::Lead lead = NewLead(rep_, "Careful Co");
  catalog_.Hide("products/3");
  absl::Status st = Convert(rep_, ConvertWithOpportunity(lead.name())).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolations(st).at(0).field, "opportunity.products[0]");
  v1::ConvertLeadRequest other_owner = ConvertWithOpportunity(lead.name());
  other_owner.mutable_opportunity()->clear_products();
  other_owner.mutable_opportunity()->set_owner("users/21");
  EXPECT_EQ(ErrorReason(Convert(rep_, other_owner).status()), "OWNER_CHANGE_DENIED");
  EXPECT_EQ(customers_.creates(), 0);
}

}  // namespace
}  // namespace crm::opportunities
