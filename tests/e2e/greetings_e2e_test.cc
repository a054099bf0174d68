// Issue 13's greeting test, with real processes: auth, customers and activities on real
// MariaDB behind the gateway, two more activities replicas running the greeting scheduler
// against a real SMTP server (aiosmtpd, tests/support/smtp_sink) and one replica killed
// (SIGKILL) in the middle of sending. The customer's contact has their birthday today in the
// company's time zone; in the end the server has the greeting exactly once, the ledger says
// SENT, and the rep sees that through ListUpcomingGreetings, and nothing of another team's.
//
// Which crash this drives, and why it is deterministic: replica A reaches the mail server
// through a TcpProxy that holds the server's answers from the start, so A's claim is taken
// (SENDING, seen through the gateway) and its SMTP conversation cannot get past the server's
// greeting line, long before the commit point (the final "." of the message): A is killed
// holding a claim that had not committed. Replica B, started once A holds the claim, cannot
// take a live claim; once A's lease lapses it takes the greeting over and sends it. (A kill
// after the commit point, which makes the greeting UNCERTAIN and never re-sent, is
// services/activities/greeting_test.cc's, where the hook between the two is reachable.)
#include <gtest/gtest.h>

#include <csignal>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "crm/activities/v1/activities.grpc.pb.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/db/db.h"
#include "libs/grpc/status.h"
#include "tests/support/proxy.h"
#include "tests/support/smtp_sink.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

namespace v1 = activities::v1;
using testing::Session;
using testing::Stack;

// A bound for what other processes do in their own time (polled, never a measurement).
constexpr absl::Duration kPatience = absl::Seconds(90);
constexpr absl::Duration kPause = absl::Milliseconds(200);
constexpr char kZone[] = "Asia/Shanghai";

class GreetingsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    auto team = stack_->CreateTeam("寿星组");
    ASSERT_TRUE(team.ok()) << team.status();
    ASSERT_TRUE(stack_->CreateUser("g.rep", auth::v1::SALES_REP, team->name()).ok());
    auto other_team = stack_->CreateTeam("另一组");
    ASSERT_TRUE(other_team.ok()) << other_team.status();
    ASSERT_TRUE(stack_->CreateUser("g.other", auth::v1::SALES_REP, other_team->name()).ok());
    for (const char* name : {"g.rep", "g.other"}) {
      auto session = stack_->Login(name, Stack::kTestPassword);
      ASSERT_TRUE(session.ok()) << session.status();
      sessions_[name] = *session;
    }
    absl::TimeZone zone;
    ASSERT_TRUE(absl::LoadTimeZone(kZone, &zone));
    today_ = absl::ToCivilDay(absl::Now(), zone);
  }
  void TearDown() override {
    if (HasFailure() && stack_ != nullptr) {
      std::cerr << stack_->Logs();
      for (auto* replica : {&replica_a_, &replica_b_}) {
        if (replica->process != nullptr) std::cerr << replica->process->LogTail() << "\n";
      }
    }
  }

  // A company of `who`'s with one contact, whose birthday is on `birthday` every year and
  // whose address is `email`.
  absl::Status NewCompanyWithContact(const std::string& who, const std::string& company,
                                     const std::string& contact, absl::CivilDay birthday,
                                     const std::string& email) {
    const Session& session = sessions_.at(who);
    customers::v1::CreateCustomerRequest create;
    create.mutable_customer()->set_display_name(company);
    create.mutable_customer()->set_kind(customers::v1::COMPANY);
    customers::v1::Customer customer;
    CRM_RETURN_IF_ERROR(FromGrpcStatus(customers::v1::CustomerService::NewStub(stack_->gateway())
                                           ->CreateCustomer(session.Context().get(), create,
                                                            &customer)));
    customers::v1::CreateContactRequest add;
    add.set_parent(customer.name());
    customers::v1::Contact& c = *add.mutable_contact();
    c.set_display_name(contact);
    c.add_emails(email);
    customers::v1::RelationshipDate& date = *c.add_dates();
    date.set_kind(customers::v1::BIRTHDAY);
    date.set_calendar(customers::v1::GREGORIAN);
    date.set_year(1980);
    date.set_month(birthday.month());
    date.set_day(birthday.day());
    date.set_yearly(true);
    customers::v1::Contact out;
    return FromGrpcStatus(customers::v1::ContactService::NewStub(stack_->gateway())
                              ->CreateContact(session.Context().get(), add, &out));
  }

  // `who`'s greetings from today on, through the gateway.
  absl::StatusOr<std::vector<v1::Greeting>> Greetings(const std::string& who) {
    v1::ListUpcomingGreetingsRequest request;
    v1::ListUpcomingGreetingsResponse response;
    CRM_RETURN_IF_ERROR(
        FromGrpcStatus(v1::GreetingService::NewStub(stack_->gateway())
                           ->ListUpcomingGreetings(sessions_.at(who).Context().get(), request,
                                                   &response)));
    return std::vector<v1::Greeting>(response.greetings().begin(), response.greetings().end());
  }
  // Polls `who`'s list until its first greeting is in `state` (false when kPatience passes).
  bool WaitForState(const std::string& who, v1::Greeting::State state) {
    for (absl::Time end = absl::Now() + kPatience; absl::Now() < end; absl::SleepFor(kPause)) {
      absl::StatusOr<std::vector<v1::Greeting>> list = Greetings(who);
      if (list.ok() && !list->empty() && list->front().state() == state) return true;
    }
    return false;
  }

  // Replica flags: the scheduler every second, feeds left to the Stack's own process.
  static std::vector<std::string> SchedulerFlags(int smtp_port, const std::string& lease,
                                                 const std::string& smtp_timeout) {
    return {"--follow_feeds=false",        "--greeting_interval=1s",
            absl::StrCat("--smtp_url=smtp://127.0.0.1:", smtp_port),
            "--smtp_require_tls=false",    "--smtp_from=greetings@crm.example.cn",
            "--greeting_claim_lease=" + lease, "--smtp_timeout=" + smtp_timeout,
            std::string("--company_time_zone=") + kZone};
  }

  std::unique_ptr<Stack> stack_;
  std::map<std::string, Session> sessions_;
  absl::CivilDay today_;
  testing::ServerProcess replica_a_, replica_b_;
};

TEST_F(GreetingsE2eTest, AReplicaKilledMidSendLeavesTheGreetingToTheOtherWhoSendsItOnce) {
  ASSERT_TRUE(NewCompanyWithContact("g.rep", "杭州寿星科技有限公司", "王寿星", today_,
                                    "wang.shouxing@example.cn")
                  .ok());
  // Another team's contact, whose birthday is tomorrow: planned, not sent today.
  ASSERT_TRUE(NewCompanyWithContact("g.other", "宁波明日贸易有限公司", "李明日", today_ + 1,
                                    "li.mingri@example.cn")
                  .ok());

  auto sink = testing::SmtpSink::Start();
  ASSERT_TRUE(sink.ok()) << sink.status();
  auto held = testing::TcpProxy::Start((*sink)->port());
  ASSERT_TRUE(held.ok()) << held.status();
  (*held)->HoldAnswers();  // A's SMTP session never gets the server's first line

  // Replica A: its claim lasts 20 s, its SMTP attempt would wait minutes (it is killed first).
  auto a = stack_->StartReplica("activities", SchedulerFlags((*held)->port(), "20s", "5m"));
  ASSERT_TRUE(a.ok()) << a.status();
  replica_a_ = std::move(*a);
  ASSERT_TRUE(WaitForState("g.rep", v1::Greeting::SENDING)) << "replica A never claimed it";

  // Replica B, straight to the server, while A holds the claim.
  auto b = stack_->StartReplica("activities",
                                SchedulerFlags((*sink)->port(), "20s", "10s"));
  ASSERT_TRUE(b.ok()) << b.status();
  replica_b_ = std::move(*b);
  replica_a_.process->Signal(SIGKILL);
  ASSERT_TRUE(replica_a_.process->Wait(absl::Seconds(30)).ok());

  // B takes the lapsed claim over and sends; the rep sees it SENT.
  ASSERT_TRUE(WaitForState("g.rep", v1::Greeting::SENT)) << "replica B never sent it";
  absl::StatusOr<std::vector<v1::Greeting>> mine = Greetings("g.rep");
  ASSERT_TRUE(mine.ok()) << mine.status();
  ASSERT_EQ(mine->size(), 1u);  // nothing of the other team's
  const v1::Greeting& sent = mine->front();
  EXPECT_EQ(sent.state(), v1::Greeting::SENT);
  EXPECT_EQ(sent.send_date(), absl::FormatCivilTime(today_));
  EXPECT_EQ(sent.occasion(), v1::Greeting::BIRTHDAY);
  EXPECT_EQ(sent.recipient_email(), "wang.shouxing@example.cn");
  EXPECT_EQ(sent.attempts(), 2);  // A's claim, then B's
  EXPECT_EQ(sent.owner(), sessions_.at("g.rep").user.name());

  // Exactly once at the server: SENT is final, so nothing can follow.
  ASSERT_TRUE((*sink)->WaitForCount(1));
  const std::vector<testing::ReceivedMail> received = (*sink)->Received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].rcpt_to, std::vector<std::string>{"wang.shouxing@example.cn"});
  EXPECT_EQ(received[0].subject, "祝王寿星生日快乐");
  EXPECT_EQ(received[0].subject, sent.subject());

  // The other rep sees their own (tomorrow's, PENDING), and not this one.
  absl::StatusOr<std::vector<v1::Greeting>> theirs = Greetings("g.other");
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  ASSERT_EQ(theirs->size(), 1u);
  EXPECT_EQ(theirs->front().recipient_email(), "li.mingri@example.cn");
  EXPECT_EQ(theirs->front().state(), v1::Greeting::PENDING);
  v1::GetGreetingRequest get;
  get.set_name(sent.name());
  v1::Greeting out;
  EXPECT_EQ(v1::GreetingService::NewStub(stack_->gateway())
                ->GetGreeting(sessions_.at("g.other").Context().get(), get, &out)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  // One GreetingSent on the activities feed, from the replica that sent it.
  auto pool = db::Pool::Create(stack_->db("activities"), nullptr);
  ASSERT_TRUE(pool.ok()) << pool.status();
  auto session = (*pool)->Borrow();
  ASSERT_TRUE(session.ok()) << session.status();
  auto rows = (*session)->Query(
      "SELECT COUNT(*) FROM outbox WHERE event_type = 'crm.activities.v1.GreetingSent' "
      "AND resource = ?",
      {sent.name()});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ((*rows)[0].Int(0), 1);
}

}  // namespace
}  // namespace crm
