// Follow-up records against a real MariaDB schema: the standard methods with their API rules
// (request_id, masks, etags, filters, paging), the linked customer's record rules (a rep of
// another team never sees or touches them), and what the customers feed changes (owners,
// merges and their undoing).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crm/customers/v1/customers.pb.h"
#include "libs/grpc/status.h"
#include "services/activities/event_types.h"
#include "services/activities/service_testing.h"

namespace crm::activities {
namespace {

std::vector<std::string> Names(const v1::ListActivitiesResponse& response) {
  std::vector<std::string> names;
  for (const v1::Activity& a : response.activities()) names.push_back(a.name());
  return names;
}

class ActivityTest : public testing::ServiceTest {
 protected:
  absl::StatusOr<v1::Activity> UpdateSummary(const auth::Caller& who, const std::string& name,
                                             const std::string& summary,
                                             const std::string& etag = "") {
    v1::UpdateActivityRequest request;
    request.mutable_activity()->set_name(name);
    request.mutable_activity()->set_etag(etag);
    request.mutable_activity()->set_summary(summary);
    request.mutable_update_mask()->add_paths("summary");
    v1::Activity out;
    CRM_RETURN_IF_ERROR(activity_service_->DoUpdateActivity(who, request, &out));
    return out;
  }
  absl::Status Delete(const auth::Caller& who, const std::string& name) {
    v1::DeleteActivityRequest request;
    request.set_name(name);
    google::protobuf::Empty out;
    return activity_service_->DoDeleteActivity(who, request, &out);
  }
  absl::Status CustomerChanged(int64_t customer, const std::string& owner) {
    customers::v1::Customer after;
    after.set_name(absl::StrCat("customers/", customer));
    after.set_owner(owner);
    return Deliver(absl::StrCat("customers.crm/", ++events_), kCustomerUpdatedEvent, after,
                   after.name());
  }
  absl::Status Merge(int64_t survivor, int64_t merged, bool undo) {
    customers::v1::CustomerMerge merge;
    merge.set_survivor(absl::StrCat("customers/", survivor));
    merge.add_merged(absl::StrCat("customers/", merged));
    return Deliver(absl::StrCat("customers.crm/", ++events_),
                   undo ? kCustomerUnmergedEvent : kCustomerMergedEvent, merge, merge.survivor());
  }

  int events_ = 0;
};

TEST_F(ActivityTest, ALoggedCallReadsBackWithItsCustomersOwnerAndAnEvent) {
  absl::StatusOr<v1::Activity> call = Log(rep_, 11);
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_EQ(call->customer(), "customers/11");
  EXPECT_EQ(call->customer_owner(), "users/11");
  EXPECT_EQ(call->performer(), "users/11");
  EXPECT_EQ(call->creator(), "users/11");
  EXPECT_EQ(call->outcome(), "reached");
  absl::StatusOr<v1::Activity> read = Get(rep_, call->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->summary(), "Talked about the spring order.");
  EXPECT_EQ(read->activity_time().seconds(), At(0).seconds());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE event_type = 'crm.activities.v1.ActivityLogged'"),
            1);
}

TEST_F(ActivityTest, ARetryWithTheSameRequestIdRecordsOnce) {
  absl::StatusOr<v1::Activity> first = Log(rep_, 11, 0, v1::CALL, "call-1");
  absl::StatusOr<v1::Activity> again = Log(rep_, 11, 0, v1::CALL, "call-1");
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first->name(), again->name());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM activities"), 1);
  // The same id for another request is refused.
  EXPECT_EQ(Log(rep_, 11, 5, v1::CALL, "call-1").status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(ActivityTest, ACustomerTheCallerCannotSeeIsAnInvalidArgument) {
  customers_.Hide(12);
  absl::Status st = Log(rep_, 12).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(FieldViolations(st).size(), 1u);
  EXPECT_EQ(FieldViolations(st)[0].field, "activity.customer");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM activities"), 0);
}

TEST_F(ActivityTest, ARepOfAnotherTeamNeitherSeesNorChangesTheRecords) {
  absl::StatusOr<v1::Activity> call = Log(rep_, 11);
  ASSERT_TRUE(call.ok()) << call.status();
  ASSERT_TRUE(Log(other_rep_, 21).ok());

  EXPECT_EQ(Get(other_rep_, call->name()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(Get(other_rep_, call->name()).status()), "ACTIVITY_NOT_FOUND");
  EXPECT_EQ(UpdateSummary(other_rep_, call->name(), "mine now").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Delete(other_rep_, call->name()).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Get(other_manager_, call->name()).status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<v1::ListActivitiesResponse> theirs = List(other_rep_);
  ASSERT_TRUE(theirs.ok());
  ASSERT_EQ(theirs->activities_size(), 1);
  EXPECT_EQ(theirs->activities(0).customer(), "customers/21");
  // Even a filter naming the customer finds nothing.
  theirs = List(other_rep_, "customer = \"customers/11\"");
  ASSERT_TRUE(theirs.ok());
  EXPECT_EQ(theirs->activities_size(), 0);

  // The rep's manager and the admin see and change it; a teammate sees nothing of it.
  EXPECT_TRUE(Get(manager_, call->name()).ok());
  EXPECT_EQ(Get(teammate_, call->name()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(UpdateSummary(manager_, call->name(), "Manager's note").ok());
  EXPECT_EQ(List(admin_)->activities_size(), 2);
  // Support reads every record and changes none.
  EXPECT_TRUE(Get(support_, call->name()).ok());
  EXPECT_EQ(UpdateSummary(support_, call->name(), "x").status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(ActivityTest, NobodyRecordsActivitiesOnACustomerTheyMayOnlyRead) {
  // The customers service lets a manager of another team read this customer (say it was
  // shared), but only its owner's side may change it: recording is refused, nothing written.
  absl::Status st = Log(other_manager_, 11).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied) << st;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM activities"), 0);
}

TEST_F(ActivityTest, ListsFilterByCustomerKindTimeAndPerformerNewestFirstInPages) {
  ASSERT_TRUE(Log(rep_, 11, 0, v1::CALL).ok());
  ASSERT_TRUE(Log(rep_, 11, 10, v1::EMAIL).ok());
  ASSERT_TRUE(Log(rep_, 11, 20, v1::CALL).ok());
  ASSERT_TRUE(Log(manager_, 10, 30, v1::VISIT).ok());

  absl::StatusOr<v1::ListActivitiesResponse> calls =
      List(manager_, "customer = \"customers/11\" AND kind = CALL");
  ASSERT_TRUE(calls.ok()) << calls.status();
  ASSERT_EQ(calls->activities_size(), 2);
  EXPECT_EQ(calls->activities(0).activity_time().seconds(), At(20).seconds());
  EXPECT_EQ(calls->activities(1).activity_time().seconds(), At(0).seconds());

  absl::StatusOr<v1::ListActivitiesResponse> late =
      List(manager_, "activity_time >= 2026-03-01T09:10:00Z AND performer = \"users/11\"");
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_EQ(late->activities_size(), 2);

  std::vector<std::string> seen;
  std::string token;
  do {
    absl::StatusOr<v1::ListActivitiesResponse> page = List(manager_, "", 3, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const std::string& name : Names(*page)) seen.push_back(name);
    token = page->next_page_token();
  } while (!token.empty());
  EXPECT_EQ(seen.size(), 4u);
  EXPECT_EQ(List(manager_, "owner = \"users/1\"").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ActivityTest, UpdatesFollowTheMaskAndTheEtag) {
  absl::StatusOr<v1::Activity> call = Log(rep_, 11);
  ASSERT_TRUE(call.ok());
  absl::StatusOr<v1::Activity> updated =
      UpdateSummary(rep_, call->name(), "They want 40 units.", call->etag());
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->summary(), "They want 40 units.");
  EXPECT_EQ(updated->outcome(), "reached");  // not in the mask
  EXPECT_NE(updated->etag(), call->etag());
  // The old etag is stale now.
  absl::Status stale = UpdateSummary(rep_, call->name(), "again", call->etag()).status();
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ErrorReason(stale), "ETAG_MISMATCH");
  // Moving it to a customer the rep cannot see is refused.
  customers_.Hide(12);
  v1::UpdateActivityRequest move;
  move.mutable_activity()->set_name(call->name());
  move.mutable_activity()->set_customer("customers/12");
  move.mutable_update_mask()->add_paths("customer");
  v1::Activity out;
  EXPECT_EQ(activity_service_->DoUpdateActivity(rep_, move, &out).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ActivityTest, ADeletedActivityIsGone) {
  absl::StatusOr<v1::Activity> call = Log(rep_, 11);
  ASSERT_TRUE(call.ok());
  ASSERT_TRUE(Delete(rep_, call->name()).ok());
  EXPECT_EQ(Get(rep_, call->name()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(List(rep_)->activities_size(), 0);
}

TEST_F(ActivityTest, ANewCustomerOwnerFromTheFeedMovesTheRecordsVisibility) {
  absl::StatusOr<v1::Activity> call = Log(rep_, 11);
  ASSERT_TRUE(call.ok());
  ASSERT_TRUE(CustomerChanged(11, "users/21").ok());
  EXPECT_EQ(Get(rep_, call->name()).status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<v1::Activity> now = Get(other_rep_, call->name());
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_EQ(now->customer_owner(), "users/21");
}

TEST_F(ActivityTest, AMergeMovesActivitiesToTheSurvivorAndAnUnmergeMovesThemBack) {
  absl::StatusOr<v1::Activity> on_merged = Log(rep_, 11);
  absl::StatusOr<v1::Activity> on_survivor = Log(teammate_, 12);
  ASSERT_TRUE(on_merged.ok() && on_survivor.ok());
  ASSERT_TRUE(Merge(12, 11, /*undo=*/false).ok());
  absl::StatusOr<v1::Activity> moved = Get(teammate_, on_merged->name());
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->customer(), "customers/12");
  EXPECT_EQ(moved->customer_owner(), "users/12");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE event_type = "
                  "'crm.activities.v1.ActivityUpdated'"),
            1);

  ASSERT_TRUE(Merge(12, 11, /*undo=*/true).ok());
  absl::StatusOr<v1::Activity> back = Get(rep_, on_merged->name());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->customer(), "customers/11");
  // The survivor's own activity stayed where it was.
  EXPECT_EQ(Get(teammate_, on_survivor->name())->customer(), "customers/12");
}

}  // namespace
}  // namespace crm::activities
