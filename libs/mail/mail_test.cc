// SmtpMailer against a real SMTP server (python3-aiosmtpd, tests/support/smtp_sink.h):
// what arrives is what a mail client would show.
#include "libs/mail/mail.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "libs/grpc/status.h"
#include "tests/support/smtp_sink.h"

namespace crm::mail {
namespace {

using crm::testing::SmtpSink;

class SmtpMailerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sink = SmtpSink::Start();
    ASSERT_TRUE(sink.ok()) << sink.status();
    sink_ = std::move(*sink);
    settings_.url = sink_->url();
    settings_.from_address = "crm@example.cn";
    settings_.from_name = "华东销售一组";
    settings_.require_tls = false;  // the sink speaks plain SMTP on loopback
  }

  std::unique_ptr<SmtpSink> sink_;
  SmtpSettings settings_;
};

TEST_F(SmtpMailerTest, ChineseSubjectAndBodyArriveIntact) {
  SmtpMailer mailer(settings_);
  // Long enough that the subject takes several encoded words and the body several base64
  // lines, so a character split across either would show.
  const std::string subject =
      "祝张伟先生生日快乐！杭州西湖科技有限公司全体同仁敬上，愿您万事如意、身体健康";
  const std::string body =
      "张伟先生：\n\n值此生日之际，谨代表杭州西湖科技有限公司全体同仁，向您致以最诚挚的祝福。\n"
      ".这一行以句点开头\n感谢一直以来的支持！\n\n李雷 敬上\n";
  ASSERT_TRUE(mailer
                  .Send({.to = "zhang.wei@example.cn",
                         .to_name = "张伟",
                         .subject = subject,
                         .body = body,
                         .message_id = "greetings-7@example.cn"})
                  .ok());

  ASSERT_TRUE(sink_->WaitForCount(1));
  const auto received = sink_->Received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].subject, subject);
  EXPECT_EQ(received[0].body, absl::StrReplaceAll(body, {{"\n", "\r\n"}}));
  EXPECT_EQ(received[0].mail_from, "crm@example.cn");
  EXPECT_EQ(received[0].rcpt_to, std::vector<std::string>{"zhang.wei@example.cn"});
  EXPECT_EQ(received[0].to, "张伟 <zhang.wei@example.cn>");
  EXPECT_EQ(received[0].from, "华东销售一组 <crm@example.cn>");
  EXPECT_EQ(received[0].message_id, "<greetings-7@example.cn>");
  // Nothing but ASCII on the wire, and no header line longer than RFC 5322's 78.
  for (unsigned char c : received[0].raw) EXPECT_LT(c, 0x80);
  for (absl::string_view line : absl::StrSplit(received[0].raw, "\r\n")) {
    EXPECT_LE(line.size(), 78u) << line;
  }
}

TEST_F(SmtpMailerTest, EveryMessageGetsItsOwnIdWhenNoneIsGiven) {
  SmtpMailer mailer(settings_);
  ASSERT_TRUE(mailer.Send({.to = "a@example.cn", .subject = "hello", .body = "one"}).ok());
  ASSERT_TRUE(mailer.Send({.to = "a@example.cn", .subject = "hello", .body = "two"}).ok());
  ASSERT_TRUE(sink_->WaitForCount(2));
  const auto received = sink_->Received();
  EXPECT_EQ(received[0].subject, "hello");
  EXPECT_TRUE(absl::EndsWith(received[0].message_id, "@example.cn>")) << received[0].message_id;
  EXPECT_NE(received[0].message_id, received[1].message_id);
}

TEST_F(SmtpMailerTest, ARefusedRecipientIsNotTransient) {
  SmtpMailer mailer(settings_);
  const absl::Status sent = mailer.Send({.to = "refused@example.cn", .subject = "x", .body = "y"});
  EXPECT_EQ(sent.code(), absl::StatusCode::kFailedPrecondition) << sent;
  EXPECT_EQ(ErrorReason(sent), kRejectedReason);
  EXPECT_FALSE(IsTransient(sent));
}

TEST_F(SmtpMailerTest, TryAgainLaterIsTransient) {
  SmtpMailer mailer(settings_);
  const absl::Status sent = mailer.Send({.to = "busy@example.cn", .subject = "x", .body = "y"});
  EXPECT_EQ(sent.code(), absl::StatusCode::kUnavailable) << sent;
  EXPECT_EQ(ErrorReason(sent), kUnavailableReason);
  EXPECT_TRUE(IsTransient(sent));
  EXPECT_TRUE(sink_->Received().empty());
}

TEST_F(SmtpMailerTest, NoAnswerToTheFinalDotIsAnUnknownOutcome) {
  SmtpMailer mailer(settings_);
  const absl::Status sent = mailer.Send({.to = "vanish@example.cn", .subject = "x", .body = "y"});
  EXPECT_EQ(sent.code(), absl::StatusCode::kUnavailable) << sent;
  EXPECT_EQ(ErrorReason(sent), kOutcomeUnknownReason);
  // It did arrive: this is why a sender must not simply send it again.
  EXPECT_EQ(sink_->Received().size(), 1u);
}

TEST_F(SmtpMailerTest, NoServerIsTransient) {
  settings_.url = "smtp://127.0.0.1:" + std::to_string(crm::testing::FreePort());
  SmtpMailer mailer(settings_);
  const absl::Status sent = mailer.Send({.to = "a@example.cn", .subject = "x", .body = "y"});
  EXPECT_EQ(sent.code(), absl::StatusCode::kUnavailable) << sent;
  EXPECT_TRUE(IsTransient(sent));
}

TEST_F(SmtpMailerTest, TlsRequiredRefusesAServerWithoutStartTls) {
  settings_.require_tls = true;
  SmtpMailer mailer(settings_);
  const absl::Status sent = mailer.Send({.to = "a@example.cn", .subject = "x", .body = "y"});
  EXPECT_EQ(sent.code(), absl::StatusCode::kUnavailable) << sent;
  EXPECT_TRUE(sink_->Received().empty());
}

TEST_F(SmtpMailerTest, AFailingCommitHookAbandonsTheMessage) {
  SmtpMailer mailer(settings_);
  bool called = false;
  const absl::Status sent =
      mailer.Send({.to = "a@example.cn", .subject = "x", .body = "y"}, [&called] {
        called = true;
        return absl::AbortedError("the claim was lost");
      });
  EXPECT_TRUE(called);
  EXPECT_EQ(sent.code(), absl::StatusCode::kAborted) << sent;
  // The server never got the final ".": a later message is the first it accepts.
  ASSERT_TRUE(mailer.Send({.to = "a@example.cn", .subject = "after", .body = "z"}).ok());
  ASSERT_TRUE(sink_->WaitForCount(1));
  const auto received = sink_->Received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].subject, "after");
}

TEST_F(SmtpMailerTest, ASucceedingCommitHookRunsOnceBeforeAcceptance) {
  SmtpMailer mailer(settings_);
  int calls = 0;
  size_t received_when_called = 99;
  ASSERT_TRUE(mailer
                  .Send({.to = "a@example.cn", .subject = "x", .body = std::string(200000, 'a')},
                        [&] {
                          ++calls;
                          received_when_called = sink_->Received().size();
                          return absl::OkStatus();
                        })
                  .ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(received_when_called, 0u);
  EXPECT_EQ(sink_->Received().size(), 1u);
}

TEST(MailFormatTest, HeaderInjectionIsRefused) {
  SmtpSettings settings{.from_address = "crm@example.cn"};
  for (const Message& message :
       {Message{.to = "a@example.cn\r\nBcc: b@example.cn"},
        Message{.to = "a@example.cn", .subject = "hi\r\nBcc: b@example.cn"},
        Message{.to = "a@example.cn", .to_name = "x\nBcc: b@example.cn"}, Message{.to = ""}}) {
    const auto text = Format(message, settings, absl::UnixEpoch());
    EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument) << message.to;
  }
}

TEST(MailFormatTest, EncodedWordsNeverSplitACharacter) {
  // 4-byte characters put a boundary inside a character at every byte offset modulo 4.
  const std::string text = "a😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀";
  const std::string encoded = EncodeHeaderText(text);
  std::string decoded;
  for (absl::string_view word : absl::StrSplit(encoded, "\r\n ")) {
    ASSERT_TRUE(absl::StartsWith(word, "=?UTF-8?B?")) << word;
    ASSERT_TRUE(absl::EndsWith(word, "?=")) << word;
    EXPECT_LE(word.size(), 75u);
    std::string part;
    ASSERT_TRUE(absl::Base64Unescape(word.substr(10, word.size() - 12), &part));
    // Each word is whole UTF-8: it never starts with a continuation byte.
    EXPECT_NE(static_cast<unsigned char>(part[0]) & 0xc0, 0x80);
    decoded += part;
  }
  EXPECT_EQ(decoded, text);
  EXPECT_EQ(EncodeHeaderText("plain ascii"), "plain ascii");
}

}  // namespace
}  // namespace crm::mail
