// The customer timeline against a real MariaDB schema: activities and the other services'
// events (opportunities, orders, merges, from the feeds) in one list newest first and in
// pages, each event once however often it is delivered, merges moving the entries along and
// back, and the customers' record rules: a rep or manager of another team never sees the
// customer's timeline (NOT_FOUND, like a customer that does not exist).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "crm/customers/v1/customers.pb.h"
#include "crm/opportunities/v1/opportunities.pb.h"
#include "crm/orders/v1/orders.pb.h"
#include "libs/grpc/status.h"
#include "services/activities/event_types.h"
#include "services/activities/service_testing.h"
#include "services/activities/timeline_feed.h"
#include "services/activities/timeline_service.h"

namespace crm::activities {
namespace {

class TimelineTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    if (HasFatalFailure()) return;
    timeline_ = std::make_unique<TimelineStore>(test_->kit().pool);
    timeline_service_ = std::make_unique<TimelineService>(test_->kit(), *timeline_, customers_);
    timeline_feed_ = std::make_unique<TimelineFeed>(*timeline_);
    feeds_->Also(*timeline_feed_);
  }

  absl::StatusOr<v1::GetCustomerTimelineResponse> Timeline(const auth::Caller& who,
                                                           int64_t customer, int page_size = 0,
                                                           const std::string& page_token = "") {
    v1::GetCustomerTimelineRequest request;
    request.set_customer(absl::StrCat("customers/", customer));
    request.set_page_size(page_size);
    request.set_page_token(page_token);
    v1::GetCustomerTimelineResponse out;
    CRM_RETURN_IF_ERROR(timeline_service_->DoGetCustomerTimeline(who, request, &out));
    return out;
  }

  // Every entry of the customer's timeline, read `page_size` at a time: each entry's title.
  std::vector<std::string> AllTitles(const auth::Caller& who, int64_t customer, int page_size) {
    std::vector<std::string> titles;
    std::string token;
    do {
      absl::StatusOr<v1::GetCustomerTimelineResponse> page =
          Timeline(who, customer, page_size, token);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      EXPECT_LE(page->entries_size(), page_size);
      for (const v1::TimelineEntry& e : page->entries()) titles.push_back(e.title());
      token = page->next_page_token();
    } while (!token.empty());
    return titles;
  }

  static opportunities::v1::Opportunity Opportunity(int64_t id, int64_t customer) {
    opportunities::v1::Opportunity o;
    o.set_name(absl::StrCat("opportunities/", id));
    o.set_title(absl::StrCat("打印机采购 ", id));
    o.set_customer(absl::StrCat("customers/", customer));
    o.set_stage("pipelines/1/stages/2");
    o.set_probability(20);
    o.mutable_amount()->set_currency_code("CNY");
    o.mutable_amount()->set_units(120000);
    return o;
  }
  static orders::v1::StatusChangeEvent Shipped(int64_t id, int64_t customer) {
    orders::v1::StatusChangeEvent change;
    change.mutable_order()->set_name(absl::StrCat("orders/", id));
    change.mutable_order()->set_customer(absl::StrCat("customers/", customer));
    change.set_from_status(orders::v1::CONFIRMED);
    change.set_to_status(orders::v1::SHIPPED);
    change.set_reason("快递已发出");
    return change;
  }
  absl::Status Merge(const std::string& event_id, int64_t survivor, int64_t merged, bool undo,
                     int minutes) {
    customers::v1::CustomerMerge merge;
    merge.set_name(absl::StrCat("customers/", survivor, "/merges/1"));
    merge.set_survivor(absl::StrCat("customers/", survivor));
    merge.add_merged(absl::StrCat("customers/", merged));
    return Deliver(event_id, undo ? kCustomerUnmergedEvent : kCustomerMergedEvent, merge,
                   merge.survivor(), "users/10", minutes);
  }
  std::unique_ptr<TimelineStore> timeline_;
  std::unique_ptr<TimelineService> timeline_service_;
  std::unique_ptr<TimelineFeed> timeline_feed_;
};

TEST_F(TimelineTest, ActivitiesAndOtherServicesEventsNewestFirstInPagesEachEventOnce) {
  ASSERT_TRUE(Log(rep_, 11, /*minutes=*/10).ok());
  ASSERT_TRUE(Deliver("opportunities.crm/1", kOpportunityCreatedEvent, Opportunity(5, 11),
                      "opportunities/5", "users/11", /*minutes=*/20)
                  .ok());
  ASSERT_TRUE(Log(rep_, 11, /*minutes=*/30, v1::VISIT).ok());
  opportunities::v1::Opportunity won = Opportunity(5, 11);
  won.mutable_amount()->set_units(150000);
  ASSERT_TRUE(Deliver("opportunities.crm/2", kOpportunityWonEvent, won, "opportunities/5",
                      "users/11", /*minutes=*/40)
                  .ok());
  ASSERT_TRUE(Deliver("orders.crm/1", kOrderStatusChangedEvent, Shipped(9, 11), "orders/9",
                      "users/11", /*minutes=*/50)
                  .ok());
  // The same minute as the order's event: both are shown, in a stable order.
  ASSERT_TRUE(Log(rep_, 11, /*minutes=*/50, v1::NOTE).ok());
  // Delivered again (a rewound feed): nothing more.
  ASSERT_TRUE(Deliver("opportunities.crm/2", kOpportunityWonEvent, won, "opportunities/5",
                      "users/11", /*minutes=*/40)
                  .ok());
  // Another customer's events stay on theirs.
  ASSERT_TRUE(Deliver("opportunities.crm/3", kOpportunityCreatedEvent, Opportunity(6, 12),
                      "opportunities/6", "users/12", /*minutes=*/60)
                  .ok());

  absl::StatusOr<v1::GetCustomerTimelineResponse> all = Timeline(rep_, 11);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->entries_size(), 6);
  EXPECT_TRUE(all->next_page_token().empty());
  std::vector<v1::TimelineEntry::Kind> kinds;
  for (const v1::TimelineEntry& e : all->entries()) kinds.push_back(e.kind());
  // At minute 50 the note (an activity) and the status change (an event) share the time.
  EXPECT_EQ(kinds[2], v1::TimelineEntry::OPPORTUNITY_WON);
  EXPECT_EQ(kinds[3], v1::TimelineEntry::ACTIVITY);
  EXPECT_EQ(kinds[4], v1::TimelineEntry::OPPORTUNITY_CREATED);
  EXPECT_EQ(kinds[5], v1::TimelineEntry::ACTIVITY);
  EXPECT_EQ((std::vector<v1::TimelineEntry::Kind>{kinds[0], kinds[1]} ==
             std::vector<v1::TimelineEntry::Kind>{v1::TimelineEntry::ACTIVITY,
                                                  v1::TimelineEntry::ORDER_STATUS_CHANGED}) ||
                (std::vector<v1::TimelineEntry::Kind>{kinds[0], kinds[1]} ==
                 std::vector<v1::TimelineEntry::Kind>{v1::TimelineEntry::ORDER_STATUS_CHANGED,
                                                      v1::TimelineEntry::ACTIVITY}),
            true);
  for (int i = 1; i < all->entries_size(); ++i) {
    EXPECT_GE(all->entries(i - 1).time().seconds(), all->entries(i).time().seconds());
  }
  const v1::TimelineEntry& won_entry = all->entries(2);
  EXPECT_EQ(won_entry.title(), "Opportunity won: 打印机采购 5");
  EXPECT_EQ(won_entry.resource(), "opportunities/5");
  EXPECT_EQ(won_entry.amount().currency_code(), "CNY");
  EXPECT_EQ(won_entry.amount().units(), 150000);
  EXPECT_EQ(won_entry.actor(), "users/11");
  const v1::TimelineEntry& visit = all->entries(3);
  EXPECT_EQ(visit.activity_kind(), v1::VISIT);
  EXPECT_EQ(visit.title(), "VISIT: reached");
  EXPECT_EQ(visit.detail(), "Talked about the spring order.");
  EXPECT_TRUE(absl::StartsWith(visit.resource(), "activities/"));

  // Pages of two and of four give the same list as one page.
  std::vector<std::string> whole;
  for (const v1::TimelineEntry& e : all->entries()) whole.push_back(e.title());
  EXPECT_EQ(AllTitles(rep_, 11, 2), whole);
  EXPECT_EQ(AllTitles(rep_, 11, 4), whole);
  absl::StatusOr<v1::GetCustomerTimelineResponse> first = Timeline(rep_, 11, 2);
  ASSERT_TRUE(first.ok());
  // A page token is the caller's, for this customer.
  EXPECT_EQ(Timeline(manager_, 11, 2, first->next_page_token()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Timeline(admin_, 12, 2, first->next_page_token()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TimelineTest, ARepOrManagerOfAnotherTeamNeverSeesTheCustomersTimeline) {
  ASSERT_TRUE(Log(rep_, 11).ok());
  ASSERT_TRUE(
      Deliver("orders.crm/1", kOrderStatusChangedEvent, Shipped(9, 11), "orders/9", "users/11", 5)
          .ok());
  for (const auth::Caller* outsider : {&other_rep_, &other_manager_, &teammate_}) {
    absl::Status refused = Timeline(*outsider, 11).status();
    EXPECT_EQ(refused.code(), absl::StatusCode::kNotFound) << refused;
    EXPECT_EQ(ErrorReason(refused), "CUSTOMER_NOT_FOUND");
  }
  for (const auth::Caller* reader : {&rep_, &manager_, &admin_, &support_, &marketing_}) {
    absl::StatusOr<v1::GetCustomerTimelineResponse> seen = Timeline(*reader, 11);
    ASSERT_TRUE(seen.ok()) << seen.status();
    EXPECT_EQ(seen->entries_size(), 2);
  }
  // A customer the feeds have not told about yet is asked of the customers service with the
  // caller's rights: visible, an empty timeline; hidden, NOT_FOUND.
  customers_.Add(77, "users/21");
  absl::StatusOr<v1::GetCustomerTimelineResponse> fresh = Timeline(other_rep_, 77);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(fresh->entries_size(), 0);
  customers_.Hide(77);
  EXPECT_EQ(Timeline(rep_, 77).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Timeline(rep_, 404).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(TimelineTest, AMergeMovesTheEntriesToTheSurvivorAndAnUnmergeMovesThemBack) {
  ASSERT_TRUE(Log(rep_, 11).ok());
  ASSERT_TRUE(Log(teammate_, 12, 1).ok());
  ASSERT_TRUE(
      Deliver("orders.crm/1", kOrderStatusChangedEvent, Shipped(9, 12), "orders/9", "users/12", 2)
          .ok());
  ASSERT_TRUE(Merge("customers.crm/1", 11, 12, /*undo=*/false, 3).ok());
  absl::StatusOr<v1::GetCustomerTimelineResponse> merged = Timeline(manager_, 11);
  ASSERT_TRUE(merged.ok()) << merged.status();
  ASSERT_EQ(merged->entries_size(), 4);  // both activities, the order, the merge
  EXPECT_EQ(merged->entries(0).kind(), v1::TimelineEntry::CUSTOMER_MERGED);
  EXPECT_EQ(merged->entries(0).detail(), "customers/12");
  EXPECT_EQ(merged->entries(1).kind(), v1::TimelineEntry::ORDER_STATUS_CHANGED);
  EXPECT_EQ(Timeline(manager_, 12)->entries_size(), 0);

  ASSERT_TRUE(Merge("customers.crm/2", 11, 12, /*undo=*/true, 4).ok());
  absl::StatusOr<v1::GetCustomerTimelineResponse> survivor = Timeline(manager_, 11);
  ASSERT_TRUE(survivor.ok());
  std::vector<v1::TimelineEntry::Kind> kinds;
  for (const v1::TimelineEntry& e : survivor->entries()) kinds.push_back(e.kind());
  EXPECT_EQ(kinds, (std::vector<v1::TimelineEntry::Kind>{v1::TimelineEntry::CUSTOMER_UNMERGED,
                                                         v1::TimelineEntry::CUSTOMER_MERGED,
                                                         v1::TimelineEntry::ACTIVITY}));
  absl::StatusOr<v1::GetCustomerTimelineResponse> back = Timeline(manager_, 12);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->entries_size(), 2);
  EXPECT_EQ(back->entries(0).kind(), v1::TimelineEntry::ORDER_STATUS_CHANGED);
  EXPECT_EQ(back->entries(1).kind(), v1::TimelineEntry::ACTIVITY);
}

}  // namespace
}  // namespace crm::activities
