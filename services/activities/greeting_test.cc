// Greetings against a real MariaDB schema and a real SMTP server (aiosmtpd): planned once per
// person, occasion and year from the upcoming dates, sent on the day in the company's time
// zone with the rendered template, exactly once with two schedulers racing and across a
// sender that died mid-send, never again when the server may have accepted it. (The rep's
// edits and skips: greeting_api_test.cc.)
#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/grpc/status.h"
#include "libs/service/testing.h"
#include "services/activities/greeting_job.h"
#include "services/activities/greeting_testing.h"
#include "tests/support/smtp_sink.h"

namespace crm::activities {
namespace {

using crm::testing::SmtpSink;
using testing::FakeDates;

class GreetingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto test = service::testing::TestKit::Create("activities", CRM_ACTIVITIES_SCHEMA_DIR);
    ASSERT_TRUE(test.ok()) << test.status();
    test_ = std::move(*test);
    auto sink = SmtpSink::Start();
    ASSERT_TRUE(sink.ok()) << sink.status();
    sink_ = std::move(*sink);
    // 2026-09-14 23:30 in Shanghai is still 15:30 UTC: the company's date is what counts.
    test_->clock().Set(
        absl::FromCivil(absl::CivilSecond(2026, 9, 14, 15, 30, 0), absl::UTCTimeZone()));
    store_ = std::make_unique<GreetingStore>(test_->pool(), test_->clock());
    mailer_ = NewMailer();
    scheduler_ = NewScheduler(*mailer_);
  }

  std::unique_ptr<mail::SmtpMailer> NewMailer() {
    return std::make_unique<mail::SmtpMailer>(
        mail::SmtpSettings{
            .url = sink_->url(), .from_address = "greetings@example.cn", .require_tls = false},
        test_->clock());
  }
  std::unique_ptr<GreetingScheduler> NewScheduler(mail::Mailer& mailer) {
    auto scheduler = GreetingScheduler::Create(*store_, dates_, mailer, test_->clock(),
                                               {.claim_lease = absl::Minutes(2)});
    EXPECT_TRUE(scheduler.ok()) << scheduler.status();
    return std::move(*scheduler);
  }

  // Contact `contact` of customer 5 (owned by users/11), with a birthday on `day`.
  static UpcomingDate Birthday(int64_t contact, absl::CivilDay day,
                               std::string email = "zhang.wei@example.cn") {
    return {.customer_id = 5,
            .contact_id = contact,
            .occasion = Occasion::kBirthday,
            .next_date = day,
            .years = 40,
            .owner = "users/11",
            .customer_name = "杭州西湖科技有限公司",
            .contact_name = absl::StrCat("张伟", contact),
            .emails = {std::move(email)}};
  }

  Greeting Only() {
    auto all = store_->Upcoming("", absl::CivilDay(2000, 1, 1), 100);
    EXPECT_TRUE(all.ok()) << all.status();
    EXPECT_EQ(all->size(), 1u);
    return all->empty() ? Greeting{} : all->front();
  }
  int SendDue() {
    absl::StatusOr<int> sent = scheduler_->SendDue();
    EXPECT_TRUE(sent.ok()) << sent.status();
    return sent.ok() ? *sent : -1;
  }

  std::unique_ptr<service::testing::TestKit> test_;
  std::unique_ptr<SmtpSink> sink_;
  FakeDates dates_;
  std::unique_ptr<GreetingStore> store_;
  std::unique_ptr<mail::SmtpMailer> mailer_;
  std::unique_ptr<GreetingScheduler> scheduler_;
};

TEST_F(GreetingTest, TheRenderedChineseGreetingArrivesOnTheDayInTheCompanyZone) {
  EXPECT_EQ(scheduler_->Today(), absl::CivilDay(2026, 9, 14));
  dates_.Add(Birthday(7, absl::CivilDay(2026, 9, 15)));
  ASSERT_EQ(*scheduler_->Plan(), 1);
  EXPECT_EQ(dates_.last_within_days(), 3);
  EXPECT_EQ(dates_.last_time_zone(), "Asia/Shanghai");
  EXPECT_EQ(SendDue(), 0);  // planned a day ahead, not sent

  test_->clock().Advance(absl::Hours(1));  // 00:30 on the 15th in Shanghai, 16:30 UTC the 14th
  EXPECT_EQ(SendDue(), 1);
  ASSERT_TRUE(sink_->WaitForCount(1));
  const auto mail = sink_->Received().at(0);
  EXPECT_EQ(mail.rcpt_to, std::vector<std::string>{"zhang.wei@example.cn"});
  EXPECT_EQ(mail.subject, "祝张伟7生日快乐");
  EXPECT_TRUE(absl::StartsWith(mail.body, "张伟7您好：")) << mail.body;
  EXPECT_TRUE(absl::StrContains(mail.body, "生日之际")) << mail.body;
  EXPECT_EQ(Only().state, GreetingState::kSent);

  // Planned and sent again, the ledger keeps it at one.
  EXPECT_EQ(*scheduler_->Plan(), 0);
  EXPECT_EQ(SendDue(), 0);
  EXPECT_EQ(sink_->Received().size(), 1u);
}

TEST_F(GreetingTest, EnglishWhenTheContactIsEnglishWithYears) {
  UpcomingDate d = Birthday(7, absl::CivilDay(2026, 9, 14));
  d.occasion = Occasion::kFirstDealAnniversary;
  d.years = 3;
  d.language = "en-GB";
  dates_.Add(d);
  ASSERT_EQ(*scheduler_->Plan(), 1);
  EXPECT_EQ(SendDue(), 1);
  ASSERT_TRUE(sink_->WaitForCount(1));
  EXPECT_EQ(sink_->Received().at(0).subject, "3 years together with 杭州西湖科技有限公司");
}

TEST_F(GreetingTest, TwoSchedulersAtOnceSendEachGreetingOnce) {
  constexpr int kGreetings = 12;
  for (int i = 1; i <= kGreetings; ++i) {
    dates_.Add(Birthday(i, absl::CivilDay(2026, 9, 14), absl::StrCat("c", i, "@example.cn")));
  }
  ASSERT_EQ(*scheduler_->Plan(), kGreetings);
  auto other_mailer = NewMailer();
  auto other = NewScheduler(*other_mailer);
  absl::StatusOr<int> sent_here, sent_there;
  std::thread a([&] { sent_here = scheduler_->SendDue(); });
  std::thread b([&] { sent_there = other->SendDue(); });
  a.join();
  b.join();
  ASSERT_TRUE(sent_here.ok()) << sent_here.status();
  ASSERT_TRUE(sent_there.ok()) << sent_there.status();
  EXPECT_EQ(*sent_here + *sent_there, kGreetings);
  const auto received = sink_->Received();
  ASSERT_EQ(received.size(), static_cast<size_t>(kGreetings));
  std::set<std::string> recipients;
  for (const auto& mail : received) recipients.insert(mail.rcpt_to.at(0));
  EXPECT_EQ(recipients.size(), static_cast<size_t>(kGreetings));
}

TEST_F(GreetingTest, AClaimLeftByADeadSenderIsTakenOverAfterItsLease) {
  dates_.Add(Birthday(7, absl::CivilDay(2026, 9, 14)));
  ASSERT_EQ(*scheduler_->Plan(), 1);
  // A replica claimed it and died before handing anything to the SMTP server.
  GreetingClaim dead;
  ASSERT_TRUE(*store_->Claim(Only().id, absl::Minutes(2), &dead));
  EXPECT_EQ(SendDue(), 0);  // its lease still holds
  EXPECT_TRUE(sink_->Received().empty());

  test_->clock().Advance(absl::Minutes(3));
  EXPECT_EQ(SendDue(), 1);
  EXPECT_EQ(sink_->Received().size(), 1u);
  const Greeting g = Only();
  EXPECT_EQ(g.state, GreetingState::kSent);
  EXPECT_EQ(g.attempts, 2);
  // The dead replica's claim can no longer move it.
  EXPECT_EQ(store_->BeginCommit(dead).code(), absl::StatusCode::kAborted);
}

TEST_F(GreetingTest, ASenderThatDiedAfterHandingTheMessageOverIsNeverRepeated) {
  dates_.Add(Birthday(7, absl::CivilDay(2026, 9, 14)));
  ASSERT_EQ(*scheduler_->Plan(), 1);
  GreetingClaim dead;
  ASSERT_TRUE(*store_->Claim(Only().id, absl::Minutes(2), &dead));
  ASSERT_TRUE(store_->BeginCommit(dead).ok());  // ... then the process was killed

  test_->clock().Advance(absl::Minutes(3));
  EXPECT_EQ(SendDue(), 0);
  EXPECT_EQ(Only().state, GreetingState::kUncertain);
  test_->clock().Advance(absl::Hours(1));
  EXPECT_EQ(SendDue(), 0);
  EXPECT_TRUE(sink_->Received().empty());
}

TEST_F(GreetingTest, NoAnswerToTheMessageIsUncertainNotRetried) {
  dates_.Add(Birthday(7, absl::CivilDay(2026, 9, 14), "vanish@example.cn"));
  ASSERT_EQ(*scheduler_->Plan(), 1);
  EXPECT_EQ(SendDue(), 0);
  EXPECT_EQ(Only().state, GreetingState::kUncertain);
  test_->clock().Advance(absl::Hours(1));
  EXPECT_EQ(SendDue(), 0);
  EXPECT_EQ(sink_->Received().size(), 1u);  // the server had it: once is right
}

TEST_F(GreetingTest, ARefusedAddressFailsAndABusyServerIsRetried) {
  dates_.Add(Birthday(7, absl::CivilDay(2026, 9, 14), "refused@example.cn"));
  dates_.Add(Birthday(8, absl::CivilDay(2026, 9, 14), "busy@example.cn"));
  dates_.Add(Birthday(9, absl::CivilDay(2026, 9, 14), ""));
  ASSERT_EQ(*scheduler_->Plan(), 3);
  EXPECT_EQ(SendDue(), 0);
  auto all = *store_->Upcoming("users/11", absl::CivilDay(2026, 9, 1), 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].state, GreetingState::kFailed);
  EXPECT_EQ(all[1].state, GreetingState::kPending);
  EXPECT_EQ(all[1].attempts, 1);
  EXPECT_EQ(all[2].state, GreetingState::kFailed);  // no address
  EXPECT_EQ(SendDue(), 0);
  EXPECT_EQ(store_->Get(all[1].id)->attempts, 2);
  EXPECT_EQ(store_->Get(all[0].id)->attempts, 1);
}

TEST_F(GreetingTest, AGreetingMissedByMoreThanTheGraceIsNotSentLate) {
  dates_.Add(Birthday(7, absl::CivilDay(2026, 9, 12)));
  ASSERT_EQ(*scheduler_->Plan(), 1);
  EXPECT_EQ(SendDue(), 0);
  EXPECT_EQ(Only().state, GreetingState::kPending);
}

TEST(GreetingTemplateTest, EveryOccasionInBothLanguagesFillsItsPlaceholders) {
  for (Occasion occasion : {Occasion::kBirthday, Occasion::kCompanyAnniversary,
                            Occasion::kFirstDealAnniversary, Occasion::kCustom}) {
    for (const char* language : {"zh", "en"}) {
      for (int years : {0, 21}) {
        const RenderedGreeting r = RenderGreeting(occasion, language,
                                                  {.contact_name = "王芳",
                                                   .company = "宁波港务",
                                                   .rep_name = "李雷",
                                                   .years = years,
                                                   .label = "签约纪念日"});
        EXPECT_FALSE(absl::StrContains(r.subject + r.body, "{")) << r.subject << r.body;
        EXPECT_TRUE(absl::StrContains(r.body, "李雷")) << r.body;
        if (occasion != Occasion::kCustom) {
          EXPECT_TRUE(absl::StrContains(r.subject + r.body,
                                        occasion == Occasion::kBirthday ? "王芳" : "宁波港务"))
              << r.subject;
        }
      }
    }
  }
  EXPECT_EQ(
      RenderGreeting(Occasion::kCompanyAnniversary, "en", {.company = "ACME", .years = 21}).subject,
      "Congratulations on ACME's 21st anniversary");
  EXPECT_EQ(GreetingLanguage("zh-Hans-CN", "en"), "zh");
  EXPECT_EQ(GreetingLanguage("", "zh"), "zh");
  EXPECT_EQ(GreetingLanguage("fr", "zh"), "zh");
}

}  // namespace
}  // namespace crm::activities
