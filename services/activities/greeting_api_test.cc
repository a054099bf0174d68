// The rep's greetings API (GreetingService) against a real MariaDB schema: who sees which
// greeting (the record rules of the customer's owner, following the customer when it changes
// hands), the list's filters and pages, rewording with a mask and an etag, no change once a
// sender has claimed it, and a skip that holds however often planning runs again; the
// GreetingSent and GreetingSkipped events in the ledger's transaction.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/grpc/status.h"
#include "services/activities/event_types.h"
#include "services/activities/greeting_service.h"
#include "services/activities/greeting_store.h"
#include "services/activities/greeting_testing.h"
#include "services/activities/service_testing.h"

namespace crm::activities {
namespace {

class GreetingApiTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    if (HasFatalFailure()) return;
    service::Kit& kit = test_->kit();
    // 2026-09-14 10:00 in Shanghai.
    test_->clock().Set(
        absl::FromCivil(absl::CivilSecond(2026, 9, 14, 2, 0, 0), absl::UTCTimeZone()));
    ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &zone_));
    store_ = std::make_unique<GreetingStore>(kit.pool, kit.clock);
    records_ = std::make_unique<GreetingRecords>(kit.pool, kit.clock);
    service_ = std::make_unique<GreetingService>(kit, *records_, zone_);
    auto scheduler = GreetingScheduler::Create(*store_, dates_, mailer_, kit.clock, {});
    ASSERT_TRUE(scheduler.ok()) << scheduler.status();
    scheduler_ = std::move(*scheduler);
  }

  // Customer N's own birthday on `day` (owned by users/N, see service_testing.h), planned by
  // the scheduler; its greeting's name.
  std::string Plan(int64_t customer, absl::CivilDay day) {
    dates_.Add({.customer_id = customer,
                .occasion = Occasion::kBirthday,
                .next_date = day,
                .owner = absl::StrCat("users/", customer),
                .customer_name = absl::StrCat("客户", customer),
                .emails = {absl::StrCat("c", customer, "@example.cn")}});
    EXPECT_EQ(*scheduler_->Plan(), 1);
    auto ids = db::testing::QueryInts(
        test_->pool(), absl::StrCat("SELECT id FROM greetings WHERE customer_id = ", customer));
    EXPECT_TRUE(ids.ok() && ids->size() == 1u);
    return ids.ok() && !ids->empty() ? absl::StrCat("greetings/", ids->front()) : "";
  }

  absl::StatusOr<v1::ListUpcomingGreetingsResponse> List(
      const auth::Caller& who, v1::ListUpcomingGreetingsRequest request = {}) {
    v1::ListUpcomingGreetingsResponse out;
    CRM_RETURN_IF_ERROR(service_->DoListUpcomingGreetings(who, request, &out));
    return out;
  }
  // The customers of the greetings `who` lists (today on, every state).
  std::vector<std::string> Customers(const auth::Caller& who) {
    absl::StatusOr<v1::ListUpcomingGreetingsResponse> page = List(who);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> out;
    if (page.ok()) {
      for (const v1::Greeting& g : page->greetings()) out.push_back(g.customer());
    }
    return out;
  }
  absl::StatusOr<v1::Greeting> Get(const auth::Caller& who, const std::string& name) {
    v1::GetGreetingRequest request;
    request.set_name(name);
    v1::Greeting out;
    CRM_RETURN_IF_ERROR(service_->DoGetGreeting(who, request, &out));
    return out;
  }
  absl::StatusOr<v1::Greeting> Update(const auth::Caller& who, const std::string& name,
                                      const std::string& etag, const std::string& subject,
                                      const std::string& body, std::vector<std::string> paths,
                                      const std::string& request_id = "") {
    v1::UpdateGreetingRequest request;
    request.mutable_greeting()->set_name(name);
    request.mutable_greeting()->set_etag(etag);
    request.mutable_greeting()->set_subject(subject);
    request.mutable_greeting()->set_body(body);
    for (const std::string& p : paths) request.mutable_update_mask()->add_paths(p);
    request.set_request_id(request_id);
    v1::Greeting out;
    CRM_RETURN_IF_ERROR(service_->DoUpdateGreeting(who, request, &out));
    return out;
  }
  absl::StatusOr<v1::Greeting> Skip(const auth::Caller& who, const std::string& name,
                                    const std::string& etag = "",
                                    const std::string& reason = "") {
    v1::SkipGreetingRequest request;
    request.set_name(name);
    request.set_etag(etag);
    request.set_reason(reason);
    v1::Greeting out;
    CRM_RETURN_IF_ERROR(service_->DoSkipGreeting(who, request, &out));
    return out;
  }
  int64_t Events(const std::string& type) {
    return Count(absl::StrCat("SELECT COUNT(*) FROM outbox WHERE event_type = '", type, "'"));
  }
  int64_t Id(const std::string& name) { return *api::ParseResourceId(name, "greetings"); }

  absl::TimeZone zone_;
  testing::FakeDates dates_;
  testing::CountingMailer mailer_;
  std::unique_ptr<GreetingStore> store_;
  std::unique_ptr<GreetingRecords> records_;
  std::unique_ptr<GreetingService> service_;
  std::unique_ptr<GreetingScheduler> scheduler_;
};

using Names = std::vector<std::string>;

TEST_F(GreetingApiTest, EachRoleSeesTheGreetingsOfTheCustomersItMaySee) {
  const std::string mine = Plan(11, absl::CivilDay(2026, 9, 15));
  Plan(12, absl::CivilDay(2026, 9, 16));
  const std::string other_team = Plan(21, absl::CivilDay(2026, 9, 17));

  EXPECT_EQ(Customers(rep_), Names{"customers/11"});
  EXPECT_EQ(Customers(manager_), (Names{"customers/11", "customers/12"}));
  EXPECT_EQ(Customers(other_manager_), Names{"customers/21"});
  EXPECT_EQ(Customers(admin_), (Names{"customers/11", "customers/12", "customers/21"}));
  EXPECT_EQ(Customers(marketing_), (Names{"customers/11", "customers/12", "customers/21"}));
  // Support has no part in greetings: the policy table refuses the call itself.
  EXPECT_EQ(List(support_).status().code(), absl::StatusCode::kPermissionDenied);

  // Another team's greeting is not there at all; marketing reads it but may not change it.
  EXPECT_EQ(ErrorReason(Get(rep_, other_team).status()), "GREETING_NOT_FOUND");
  EXPECT_EQ(ErrorReason(Skip(rep_, other_team).status()), "GREETING_NOT_FOUND");
  ASSERT_TRUE(Get(marketing_, other_team).ok());
  EXPECT_EQ(Skip(marketing_, other_team).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Get(rep_, mine)->owner(), "users/11");

  // The customer is handed to the teammate (the customers feed): its greeting goes along.
  customers::v1::Customer handed;
  handed.set_name("customers/11");
  handed.set_display_name("客户11");
  handed.set_owner("users/12");
  ASSERT_TRUE(Deliver("customers.crm/1", kCustomerUpdatedEvent, handed, "customers/11").ok());
  EXPECT_EQ(Customers(rep_), Names{});
  EXPECT_EQ(ErrorReason(Get(rep_, mine).status()), "GREETING_NOT_FOUND");
  EXPECT_EQ(Get(teammate_, mine)->owner(), "users/12");
}

TEST_F(GreetingApiTest, FiltersByStateAndDatesAndPages) {
  // Admin's view: one yesterday (late, still PENDING), three from today on.
  const std::string late = Plan(10, absl::CivilDay(2026, 9, 13));
  const std::string today = Plan(11, absl::CivilDay(2026, 9, 14));
  const std::string tomorrow = Plan(12, absl::CivilDay(2026, 9, 15));
  const std::string later = Plan(21, absl::CivilDay(2026, 9, 17));
  ASSERT_TRUE(Skip(admin_, tomorrow, "", "客户出国").ok());

  auto names = [&](v1::ListUpcomingGreetingsRequest request) {
    absl::StatusOr<v1::ListUpcomingGreetingsResponse> page = List(admin_, request);
    EXPECT_TRUE(page.ok()) << page.status();
    Names out;
    if (page.ok()) {
      for (const v1::Greeting& g : page->greetings()) out.push_back(g.name());
    }
    return out;
  };
  v1::ListUpcomingGreetingsRequest request;
  EXPECT_EQ(names(request), (Names{today, tomorrow, later}));  // from today, soonest first
  request.set_start_date("2026-09-13");
  EXPECT_EQ(names(request), (Names{late, today, tomorrow, later}));
  request.set_end_date("2026-09-15");
  EXPECT_EQ(names(request), (Names{late, today, tomorrow}));
  request.set_state(v1::Greeting::PENDING);
  EXPECT_EQ(names(request), (Names{late, today}));
  request.set_state(v1::Greeting::SKIPPED);
  EXPECT_EQ(names(request), Names{tomorrow});

  // Pages of one, each token bound to its filters.
  v1::ListUpcomingGreetingsRequest paged;
  paged.set_page_size(1);
  Names seen;
  std::string first_token;
  do {
    absl::StatusOr<v1::ListUpcomingGreetingsResponse> page = List(admin_, paged);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_LE(page->greetings_size(), 1);
    for (const v1::Greeting& g : page->greetings()) seen.push_back(g.name());
    if (first_token.empty()) first_token = page->next_page_token();
    paged.set_page_token(page->next_page_token());
  } while (!paged.page_token().empty());
  EXPECT_EQ(seen, (Names{today, tomorrow, later}));
  v1::ListUpcomingGreetingsRequest other_filter;
  other_filter.set_page_token(first_token);
  other_filter.set_state(v1::Greeting::PENDING);
  EXPECT_EQ(ErrorReason(List(admin_, other_filter).status()), "INVALID_PAGE_TOKEN");

  v1::ListUpcomingGreetingsRequest bad;
  bad.set_start_date("2026-9-1");
  EXPECT_EQ(FieldViolations(List(admin_, bad).status()).at(0).field, "start_date");
  bad.set_start_date("2026-09-20");
  bad.set_end_date("2026-09-19");
  EXPECT_EQ(FieldViolations(List(admin_, bad).status()).at(0).field, "end_date");
}

TEST_F(GreetingApiTest, TheRepRewordsAPendingGreetingAtTheVersionTheyRead) {
  const std::string name = Plan(11, absl::CivilDay(2026, 9, 15));
  const v1::Greeting planned = *Get(rep_, name);
  EXPECT_FALSE(planned.edited());

  absl::StatusOr<v1::Greeting> edited =
      Update(rep_, name, planned.etag(), "  王总，生日快乐！ ", "ignored", {"subject"}, "r-1");
  ASSERT_TRUE(edited.ok()) << edited.status();
  EXPECT_EQ(edited->subject(), "王总，生日快乐！");
  EXPECT_EQ(edited->body(), planned.body());  // not in the mask
  EXPECT_TRUE(edited->edited());
  EXPECT_NE(edited->etag(), planned.etag());
  // A retry with the same request id answers the first result and changes nothing again.
  EXPECT_EQ(Update(rep_, name, planned.etag(), "  王总，生日快乐！ ", "ignored", {"subject"}, "r-1")
                ->etag(),
            edited->etag());

  // The version read before is stale now.
  EXPECT_EQ(ErrorReason(Update(rep_, name, planned.etag(), "x", "y", {"*"}).status()),
            "ETAG_MISMATCH");
  // Bad wording: one violation per field, nothing written.
  absl::Status bad = Update(rep_, name, "", " ", std::string(10001, 'x'), {"*"}).status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolations(bad)) fields.push_back(v.field);
  EXPECT_EQ(fields, (Names{"greeting.subject", "greeting.body"}));
  EXPECT_EQ(FieldViolations(Update(rep_, name, "", "a\nb", "x", {"subject"}).status()).at(0).field,
            "greeting.subject");
  EXPECT_EQ(Update(rep_, name, "", "x", "y", {"recipient_email"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Get(rep_, name)->etag(), edited->etag());

  // What the rep wrote is what goes out on the day.
  ASSERT_TRUE(Update(rep_, name, "", "", "王总：\n祝您生日快乐。", {"body"}).ok());
  test_->clock().Advance(absl::Hours(24));
  EXPECT_EQ(*scheduler_->SendDue(), 1);
  ASSERT_EQ(mailer_.sent().size(), 1u);
  EXPECT_EQ(mailer_.sent()[0].subject, "王总，生日快乐！");
  EXPECT_EQ(mailer_.sent()[0].body, "王总：\n祝您生日快乐。");
}

TEST_F(GreetingApiTest, NoChangeOnceASenderHasClaimedIt) {
  const std::string name = Plan(11, absl::CivilDay(2026, 9, 14));
  GreetingClaim claim;
  ASSERT_TRUE(*store_->Claim(Id(name), absl::Minutes(2), &claim));
  const v1::Greeting claimed = *Get(rep_, name);
  EXPECT_EQ(claimed.state(), v1::Greeting::SENDING);

  absl::Status edit = Update(rep_, name, claimed.etag(), "新标题", "", {"subject"}).status();
  EXPECT_EQ(edit.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(edit), "GREETING_NOT_PENDING");
  EXPECT_EQ(ErrorReason(Skip(rep_, name, claimed.etag()).status()), "GREETING_NOT_PENDING");
  EXPECT_EQ(Events(kGreetingSentEvent), 0);

  // Sent: the ledger's SENT and the GreetingSent event together, and still no change.
  ASSERT_TRUE(store_->BeginCommit(claim).ok());
  ASSERT_TRUE(store_->Finish(claim, absl::OkStatus(), 5).ok());
  const v1::Greeting sent = *Get(rep_, name);
  EXPECT_EQ(sent.state(), v1::Greeting::SENT);
  EXPECT_TRUE(sent.has_sent_time());
  EXPECT_EQ(Events(kGreetingSentEvent), 1);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM outbox WHERE event_type = '",
                               kGreetingSentEvent, "' AND resource = '", name,
                               "' AND actor = 'services/activities'")),
            1);
  EXPECT_EQ(ErrorReason(Update(rep_, name, "", "新标题", "", {"subject"}).status()),
            "GREETING_NOT_PENDING");
  // A second Finish by the same (spent) claim changes nothing and tells nobody again.
  ASSERT_TRUE(store_->Finish(claim, absl::OkStatus(), 5).ok());
  EXPECT_EQ(Events(kGreetingSentEvent), 1);
}

TEST_F(GreetingApiTest, ASkippedGreetingStaysSkippedWhenPlanningRunsAgain) {
  const std::string name = Plan(11, absl::CivilDay(2026, 9, 15));
  const v1::Greeting planned = *Get(rep_, name);
  EXPECT_EQ(FieldViolations(Skip(rep_, name, "", std::string(501, 'x')).status()).at(0).field,
            "reason");

  absl::StatusOr<v1::Greeting> skipped = Skip(rep_, name, planned.etag(), "客户要求不再联系");
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->state(), v1::Greeting::SKIPPED);
  EXPECT_EQ(skipped->skip_reason(), "客户要求不再联系");
  EXPECT_EQ(Events(kGreetingSkippedEvent), 1);
  // Again, even with the old etag: the same answer, no second event.
  absl::StatusOr<v1::Greeting> again = Skip(rep_, name, planned.etag());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->etag(), skipped->etag());
  EXPECT_EQ(Events(kGreetingSkippedEvent), 1);
  // Nor can it be reworded any more.
  EXPECT_EQ(ErrorReason(Update(rep_, name, "", "x", "", {"subject"}).status()),
            "GREETING_NOT_PENDING");

  // Planning runs again (the date is still upcoming) and the day comes: nothing is sent.
  EXPECT_EQ(*scheduler_->Plan(), 0);
  test_->clock().Advance(absl::Hours(24));
  EXPECT_EQ(*scheduler_->Plan(), 0);
  EXPECT_EQ(*scheduler_->SendDue(), 0);
  EXPECT_TRUE(mailer_.sent().empty());
  EXPECT_EQ(Get(rep_, name)->state(), v1::Greeting::SKIPPED);
}

}  // namespace
}  // namespace crm::activities
