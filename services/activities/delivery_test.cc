// Notification delivery against a real MariaDB schema, a real SMTP server (aiosmtpd) and a
// real HTTP receiver that verifies signatures: a notification whose topic has e-mail on
// arrives once, in Chinese, and one with e-mail off never; a replayed event and a second
// sender send nothing twice; a busy server is retried after a backoff, a refusal and too many
// attempts give up (DEAD); a signed webhook arrives once per notification and verifies with
// the endpoint's secret; the endpoint API refuses bad URLs and other users' endpoints.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"
#include "libs/webhook/testing.h"
#include "services/activities/delivery_job.h"
#include "services/activities/service_testing.h"
#include "tests/support/smtp_sink.h"

namespace crm::activities {
namespace {

using crm::testing::SmtpSink;

constexpr char kSecret[] = "a-secret-of-24-characters";

// Addresses as the auth service would answer them: "user{id}@example.cn", except those the
// test gives (the sink refuses local parts starting "refused", answers 451 to "busy").
class Addresses final : public People {
 public:
  void Set(const std::string& user, std::string address) {
    absl::MutexLock lock(&mu_);
    addresses_[user] = std::move(address);
  }
  absl::StatusOr<std::string> EmailOf(std::string_view user) override {
    absl::MutexLock lock(&mu_);
    auto it = addresses_.find(std::string(user));
    if (it != addresses_.end()) return it->second;
    return absl::StrCat("user", std::string(user.substr(user.find('/') + 1)), "@example.cn");
  }
  absl::StatusOr<std::string> ManagerOf(std::string_view) override { return std::string(); }
  absl::StatusOr<std::vector<std::string>> SupportDesk() override {
    return std::vector<std::string>();
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::string> addresses_ ABSL_GUARDED_BY(mu_);
};

class DeliveryTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    if (HasFatalFailure()) return;
    // The receiver checks signatures against the real time: the test's clock is set to it.
    now_ = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
    test_->clock().Set(now_);
    auto sink = SmtpSink::Start();
    ASSERT_TRUE(sink.ok()) << sink.status();
    sink_ = std::move(*sink);
    mailer_ = std::make_unique<mail::SmtpMailer>(
        mail::SmtpSettings{.url = sink_->url(),
                           .from_address = "crm@example.cn",
                           .require_tls = false,
                           .timeout = absl::Seconds(20)},
        test_->clock());
    sender_ = NewSender();
  }

  std::unique_ptr<NotificationSender> NewSender(absl::Duration backoff = absl::Minutes(1)) {
    return std::make_unique<NotificationSender>(
        *deliveries_, addresses_, *mailer_, test_->clock(),
        DeliverySettings{.max_attempts = 3,
                         .initial_backoff = backoff,
                         .max_backoff = backoff,
                         .webhook_timeout = absl::Seconds(20)},
        nullptr);
  }

  void Turn(const auth::Caller& who, v1::NotificationTopic topic, v1::NotificationChannel channel,
            bool on) {
    v1::UpdateNotificationPreferencesRequest request;
    v1::NotificationPreference* p = request.add_preferences();
    p->set_topic(topic);
    p->set_channel(channel);
    p->set_enabled(on);
    v1::NotificationPreferences out;
    ASSERT_TRUE(notification_service_->DoUpdateNotificationPreferences(who, request, &out).ok());
  }

  // A task given to `recipient` by the manager, written as the task store writes it.
  void Notify(const std::string& recipient, const std::string& source,
              const std::string& title = "Call 杭州贸易 about the spring order") {
    ASSERT_TRUE(test_->pool()
                    .InTransaction([&](db::Transaction& tx) -> absl::Status {
                      return activities::Notify(tx, {.recipient = recipient,
                                                     .kind = v1::TASK_ASSIGNED,
                                                     .title = title,
                                                     .body = "Due 2026-03-02 10:00",
                                                     .resource = "tasks/7",
                                                     .actor = "users/10",
                                                     .source_event = source,
                                                     .time = now_})
                          .status();
                    })
                    .ok());
  }

  std::string State(const std::string& recipient, v1::NotificationChannel channel) {
    absl::StatusOr<std::vector<int64_t>> states = db::testing::QueryInts(
        test_->pool(), absl::StrCat("SELECT state FROM notification_deliveries WHERE recipient = '",
                                    recipient, "' AND channel = ", int{channel}, " ORDER BY id"));
    EXPECT_TRUE(states.ok()) << states.status();
    std::string out;
    for (int64_t s : states.ok() ? *states : std::vector<int64_t>()) {
      static const char* kNames[] = {"?", "PENDING", "SENDING", "SENT", "DEAD", "UNCERTAIN"};
      absl::StrAppend(&out, out.empty() ? "" : ",", kNames[s]);
    }
    return out;
  }

  int RunOnce(NotificationSender& sender) {
    absl::StatusOr<int> sent = sender.RunOnce();
    EXPECT_TRUE(sent.ok()) << sent.status();
    return sent.ok() ? *sent : -1;
  }

  absl::Time now_;
  Addresses addresses_;
  std::unique_ptr<SmtpSink> sink_;
  std::unique_ptr<mail::SmtpMailer> mailer_;
  std::unique_ptr<NotificationSender> sender_;
};

TEST_F(DeliveryTest, AnEmailArrivesOnceInChineseOnlyForWhoTurnedEmailOn) {
  Turn(rep_, v1::NOTIFICATION_TOPIC_TASKS, v1::NOTIFICATION_CHANNEL_EMAIL, true);
  Notify("users/11", "tasks/7@2");
  Notify("users/12", "tasks/7@2");  // the teammate left e-mail off
  Notify("users/11", "tasks/7@2");  // the same event again (a rewound feed)

  EXPECT_EQ(RunOnce(*sender_), 1);
  ASSERT_TRUE(sink_->WaitForCount(1));
  EXPECT_EQ(RunOnce(*sender_), 0);  // nothing is due any more

  const std::vector<crm::testing::ReceivedMail> mail = sink_->Received();
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0].rcpt_to, std::vector<std::string>{"user11@example.cn"});
  EXPECT_EQ(mail[0].subject, "【CRM】新任务：Call 杭州贸易 about the spring order");
  EXPECT_TRUE(absl::StrContains(mail[0].body, "您好：")) << mail[0].body;
  EXPECT_TRUE(absl::StrContains(mail[0].body, "相关记录：tasks/7")) << mail[0].body;
  EXPECT_TRUE(absl::StrContains(mail[0].body, "Due 2026-03-02 10:00")) << mail[0].body;
  EXPECT_EQ(State("users/11", v1::NOTIFICATION_CHANNEL_EMAIL), "SENT");
  EXPECT_EQ(State("users/12", v1::NOTIFICATION_CHANNEL_EMAIL), "");
  // The inbox has it too (its default), for both.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications"), 2);
}

TEST_F(DeliveryTest, TheInboxOffAndEmailOnStillMails) {
  Turn(rep_, v1::NOTIFICATION_TOPIC_TASKS, v1::NOTIFICATION_CHANNEL_EMAIL, true);
  Turn(rep_, v1::NOTIFICATION_TOPIC_TASKS, v1::NOTIFICATION_CHANNEL_INBOX, false);
  Notify("users/11", "tasks/7@2");
  EXPECT_EQ(RunOnce(*sender_), 1);
  ASSERT_TRUE(sink_->WaitForCount(1));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications"), 0);
}

TEST_F(DeliveryTest, TwoSendersRacingSendEachNotificationOnce) {
  Turn(rep_, v1::NOTIFICATION_TOPIC_TASKS, v1::NOTIFICATION_CHANNEL_EMAIL, true);
  constexpr int kNotifications = 12;
  for (int i = 0; i < kNotifications; ++i) Notify("users/11", absl::StrCat("tasks/", i, "@1"));
  std::unique_ptr<NotificationSender> other = NewSender();
  int sent_here = 0, sent_there = 0;
  std::thread there([&] { sent_there = RunOnce(*other); });
  sent_here = RunOnce(*sender_);
  there.join();
  EXPECT_EQ(sent_here + sent_there, kNotifications);
  ASSERT_TRUE(sink_->WaitForCount(kNotifications));
  std::set<std::string> ids;
  for (const auto& m : sink_->Received()) ids.insert(m.message_id);
  EXPECT_EQ(sink_->Received().size(), size_t{kNotifications});
  EXPECT_EQ(ids.size(), size_t{kNotifications});
}

TEST_F(DeliveryTest, ABusyServerIsRetriedAfterTheBackoffAndGivenUpAfterMaxAttempts) {
  Turn(rep_, v1::NOTIFICATION_TOPIC_TASKS, v1::NOTIFICATION_CHANNEL_EMAIL, true);
  Turn(teammate_, v1::NOTIFICATION_TOPIC_TASKS, v1::NOTIFICATION_CHANNEL_EMAIL, true);
  addresses_.Set("users/11", "busy.rep@example.cn");         // 451: later
  addresses_.Set("users/12", "refused.teammate@example.cn");  // 550: never
  Notify("users/11", "tasks/7@2");
  Notify("users/12", "tasks/7@2");

  EXPECT_EQ(RunOnce(*sender_), 0);
  EXPECT_EQ(State("users/11", v1::NOTIFICATION_CHANNEL_EMAIL), "PENDING");
  EXPECT_EQ(State("users/12", v1::NOTIFICATION_CHANNEL_EMAIL), "DEAD");
  // Not due again before the backoff.
  EXPECT_EQ(RunOnce(*sender_), 0);
  EXPECT_EQ(Count("SELECT attempts FROM notification_deliveries WHERE recipient = 'users/11'"), 1);
  test_->clock().Advance(absl::Minutes(2));
  EXPECT_EQ(RunOnce(*sender_), 0);
  EXPECT_EQ(Count("SELECT attempts FROM notification_deliveries WHERE recipient = 'users/11'"), 2);
  test_->clock().Advance(absl::Minutes(2));
  EXPECT_EQ(RunOnce(*sender_), 0);  // the third of three attempts
  EXPECT_EQ(State("users/11", v1::NOTIFICATION_CHANNEL_EMAIL), "DEAD");
  test_->clock().Advance(absl::Minutes(2));
  EXPECT_EQ(RunOnce(*sender_), 0);
  EXPECT_EQ(Count("SELECT attempts FROM notification_deliveries WHERE recipient = 'users/11'"), 3);
  EXPECT_TRUE(sink_->Received().empty());
}

TEST_F(DeliveryTest, AMailThatMayHaveBeenAcceptedIsNeverSentAgain) {
  Turn(rep_, v1::NOTIFICATION_TOPIC_TASKS, v1::NOTIFICATION_CHANNEL_EMAIL, true);
  addresses_.Set("users/11", "vanish.rep@example.cn");  // kept, connection dropped
  Notify("users/11", "tasks/7@2");
  EXPECT_EQ(RunOnce(*sender_), 0);
  EXPECT_EQ(State("users/11", v1::NOTIFICATION_CHANNEL_EMAIL), "UNCERTAIN");
  ASSERT_TRUE(sink_->WaitForCount(1));  // the sink kept it
  test_->clock().Advance(absl::Hours(1));
  EXPECT_EQ(RunOnce(*sender_), 0);
  EXPECT_EQ(State("users/11", v1::NOTIFICATION_CHANNEL_EMAIL), "UNCERTAIN");
  EXPECT_EQ(sink_->Received().size(), 1u);
}

// ---- Webhooks

class WebhookDeliveryTest : public DeliveryTest {
 protected:
  absl::StatusOr<v1::NotificationWebhook> SetHook(const auth::Caller& who, const std::string& url,
                                                  const std::string& secret = "",
                                                  const std::string& user = "") {
    v1::SetNotificationWebhookRequest request;
    request.set_user(user);
    request.set_url(url);
    request.set_secret(secret);
    v1::NotificationWebhook out;
    CRM_RETURN_IF_ERROR(notification_service_->DoSetNotificationWebhook(who, request, &out));
    return out;
  }
  absl::StatusOr<v1::NotificationWebhook> GetHook(const auth::Caller& who,
                                                  const std::string& user = "") {
    v1::GetNotificationWebhookRequest request;
    request.set_user(user);
    v1::NotificationWebhook out;
    CRM_RETURN_IF_ERROR(notification_service_->DoGetNotificationWebhook(who, request, &out));
    return out;
  }

  webhook::testing::Receiver receiver_{kSecret};
};

TEST_F(WebhookDeliveryTest, EachNotificationIsPostedOnceSignedWithTheEndpointsSecret) {
  ASSERT_TRUE(SetHook(rep_, receiver_.url(), kSecret).ok());
  Turn(rep_, v1::NOTIFICATION_TOPIC_TASKS, v1::NOTIFICATION_CHANNEL_WEBHOOK, true);
  Notify("users/11", "tasks/7@2", "First");
  Notify("users/11", "tasks/8@2", "Second");
  Notify("users/11", "tasks/7@2", "First");  // replayed
  Notify("users/12", "tasks/7@2");           // webhooks off

  EXPECT_EQ(RunOnce(*sender_), 2);
  EXPECT_EQ(RunOnce(*sender_), 0);
  const std::vector<webhook::testing::Receiver::Delivery> got = receiver_.Received();
  ASSERT_EQ(got.size(), 2u);
  std::set<std::string> ids;
  for (const auto& d : got) {
    EXPECT_TRUE(d.check.ok()) << d.check;
    EXPECT_TRUE(absl::StartsWith(d.event_id, "notificationDeliveries/")) << d.event_id;
    EXPECT_TRUE(absl::StrContains(d.body, R"("recipient":"users/11")")) << d.body;
    EXPECT_TRUE(absl::StrContains(d.body, R"("kind":"TASK_ASSIGNED")")) << d.body;
    ids.insert(d.event_id);
  }
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_TRUE(absl::StrContains(got[0].body, R"("title":"First")")) << got[0].body;
  EXPECT_TRUE(absl::StrContains(got[1].body, R"("title":"Second")")) << got[1].body;
  EXPECT_EQ(State("users/11", v1::NOTIFICATION_CHANNEL_WEBHOOK), "SENT,SENT");
  EXPECT_TRUE(sink_->Received().empty());  // e-mail was off
}

TEST_F(WebhookDeliveryTest, AnEndpointDownIsRetriedWithTheSameIdAndARefusalIsDead) {
  sender_ = NewSender(absl::ZeroDuration());
  ASSERT_TRUE(SetHook(rep_, receiver_.url(), kSecret).ok());
  Turn(rep_, v1::NOTIFICATION_TOPIC_TASKS, v1::NOTIFICATION_CHANNEL_WEBHOOK, true);
  Turn(teammate_, v1::NOTIFICATION_TOPIC_TASKS, v1::NOTIFICATION_CHANNEL_WEBHOOK, true);
  Notify("users/11", "tasks/7@2");
  Notify("users/12", "tasks/7@2");  // no endpoint

  receiver_.SetAnswer(503);
  EXPECT_EQ(RunOnce(*sender_), 0);
  EXPECT_EQ(State("users/11", v1::NOTIFICATION_CHANNEL_WEBHOOK), "PENDING");
  EXPECT_EQ(State("users/12", v1::NOTIFICATION_CHANNEL_WEBHOOK), "DEAD");
  receiver_.SetAnswer(200);
  EXPECT_EQ(RunOnce(*sender_), 1);
  EXPECT_EQ(State("users/11", v1::NOTIFICATION_CHANNEL_WEBHOOK), "SENT");
  const auto got = receiver_.Received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].event_id, got[1].event_id);  // the receiver can tell it is the same

  Notify("users/11", "tasks/9@2");
  receiver_.SetAnswer(410);  // gone: sending again will not help
  EXPECT_EQ(RunOnce(*sender_), 0);
  EXPECT_EQ(State("users/11", v1::NOTIFICATION_CHANNEL_WEBHOOK), "SENT,DEAD");
  EXPECT_EQ(RunOnce(*sender_), 0);
  EXPECT_EQ(receiver_.Received().size(), 3u);
}

TEST_F(WebhookDeliveryTest, TheEndpointIsTheCallersOwnItsSecretShownOnceAndItsUrlChecked) {
  absl::StatusOr<v1::NotificationWebhook> made = SetHook(rep_, "https://hooks.example.cn/crm");
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(made->user(), "users/11");
  EXPECT_EQ(made->secret().size(), 43u);  // 32 random bytes, base64url
  absl::StatusOr<v1::NotificationWebhook> read = GetHook(rep_);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->url(), "https://hooks.example.cn/crm");
  EXPECT_EQ(read->secret(), "");
  // Given secrets are kept as given.
  made = SetHook(rep_, "http://10.0.0.5:8080/in", kSecret);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(made->secret(), kSecret);

  for (const std::string bad : {"", "ftp://x.example.cn/", "hooks.example.cn/crm", "https:///x",
                                "https://user:pw@x.example.cn/", "https://x.example.cn/a b"}) {
    absl::Status refused = SetHook(rep_, bad).status();
    EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument) << bad;
    ASSERT_EQ(FieldViolations(refused).size(), 1u) << bad;
    EXPECT_EQ(FieldViolations(refused)[0].field, "url") << bad;
  }
  EXPECT_EQ(SetHook(rep_, "https://x.example.cn/", "short").status().code(),
            absl::StatusCode::kInvalidArgument);
  read = GetHook(rep_);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->url(), "http://10.0.0.5:8080/in");  // nothing bad was stored

  // Another's: an admin only.
  EXPECT_EQ(SetHook(teammate_, "https://x.example.cn/", "", "users/11").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(GetHook(manager_, "users/11").status().code(), absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(SetHook(admin_, "https://x.example.cn/12", "", "users/12").ok());
  read = GetHook(teammate_);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->url(), "https://x.example.cn/12");

  v1::DeleteNotificationWebhookRequest remove;
  google::protobuf::Empty empty;
  ASSERT_TRUE(notification_service_->DoDeleteNotificationWebhook(teammate_, remove, &empty).ok());
  absl::Status gone = GetHook(teammate_).status();
  EXPECT_EQ(gone.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(gone), "WEBHOOK_NOT_FOUND");
  EXPECT_EQ(notification_service_->DoDeleteNotificationWebhook(teammate_, remove, &empty).code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace crm::activities
