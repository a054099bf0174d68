// Webhook signatures (a known vector, every way a delivery can be forged or replayed) and
// POST through libcurl to a real HTTP server on loopback.
#include "libs/webhook/webhook.h"

#include <gtest/gtest.h>

#include <string>

#include "libs/grpc/status.h"
#include "libs/webhook/testing.h"

namespace crm::webhook {
namespace {

constexpr char kSecret[] = "shh";
constexpr char kBody[] = R"({"a":1})";
const absl::Time kSent = absl::FromUnixSeconds(1700000000);
const absl::Duration kWindow = absl::Minutes(5);

TEST(WebhookSignature, IsHmacSha256OverTimestampDotBody) {
  // python3: hmac.new(b"shh", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
  EXPECT_EQ(Sign(kSecret, 1700000000, kBody),
            "v1=be310eac0f84daf469d630347a950258de768b365563ab68f29f2f783473d547");
}

TEST(WebhookSignature, VerifyAcceptsOnlyTheSignedBodyTimeAndSecretWithinTheWindow) {
  const std::string signature = Sign(kSecret, 1700000000, kBody);
  EXPECT_TRUE(Verify(kSecret, "1700000000", signature, kBody, kSent, kWindow).ok());
  EXPECT_TRUE(
      Verify(kSecret, "1700000000", signature, kBody, kSent + absl::Minutes(4), kWindow).ok());

  auto reason = [](const absl::Status& st) {
    EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated);
    return ErrorReason(st);
  };
  EXPECT_EQ(reason(Verify(kSecret, "1700000000", signature, R"({"a":2})", kSent, kWindow)),
            "SIGNATURE_INVALID");
  EXPECT_EQ(reason(Verify("other", "1700000000", signature, kBody, kSent, kWindow)),
            "SIGNATURE_INVALID");
  // The timestamp is signed: moving it into the window breaks the signature.
  EXPECT_EQ(reason(Verify(kSecret, "1700000001", signature, kBody, kSent, kWindow)),
            "SIGNATURE_INVALID");
  EXPECT_EQ(reason(Verify(kSecret, "1700000000", "v1=00", kBody, kSent, kWindow)),
            "SIGNATURE_INVALID");
  // A replay after the window, and a clock far ahead, are refused whatever the signature.
  EXPECT_EQ(reason(Verify(kSecret, "1700000000", signature, kBody, kSent + absl::Minutes(6),
                          kWindow)),
            "TIMESTAMP_OUTSIDE_WINDOW");
  EXPECT_EQ(reason(Verify(kSecret, "1700000000", signature, kBody, kSent - absl::Minutes(6),
                          kWindow)),
            "TIMESTAMP_OUTSIDE_WINDOW");
  EXPECT_EQ(reason(Verify(kSecret, "", signature, kBody, kSent, kWindow)),
            "TIMESTAMP_OUTSIDE_WINDOW");
  EXPECT_EQ(reason(Verify(kSecret, "17e8", signature, kBody, kSent, kWindow)),
            "TIMESTAMP_OUTSIDE_WINDOW");
}

using crm::webhook::testing::Receiver;

TEST(WebhookPost, ASignedDeliveryVerifiesAtTheReceiver) {
  Receiver receiver(kSecret);
  const Headers headers = SignedHeaders(kSecret, "orders.crm/7", kBody, absl::Now());
  absl::StatusOr<HttpResponse> response = Post(receiver.url(), kBody, headers, absl::Seconds(5));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"reference":"R-1"})");
  ASSERT_EQ(receiver.Received().size(), 1u);
  EXPECT_TRUE(receiver.Received()[0].check.ok()) << receiver.Received()[0].check;
  EXPECT_EQ(receiver.Received()[0].event_id, "orders.crm/7");
}

TEST(WebhookPost, AnErrorAnswerIsAResponseAndNoAnswerIsUnavailable) {
  Receiver receiver(kSecret, 503);
  absl::StatusOr<HttpResponse> response =
      Post(receiver.url(), kBody, SignedHeaders(kSecret, "e", kBody, absl::Now()), absl::Seconds(5));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 503);

  // Nothing listens on port 1.
  absl::StatusOr<HttpResponse> none =
      Post("http://127.0.0.1:1/hook", kBody, {}, absl::Seconds(5));
  EXPECT_EQ(none.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorReason(none.status()), "WEBHOOK_UNREACHABLE");
}

TEST(WebhookDeliver, TellsARetryableAnswerFromARefusal) {
  Receiver receiver(kSecret, 200);
  auto deliver = [&] {
    return Deliver(receiver.url(), kSecret, "orders.crm/8", kBody, absl::Now(), absl::Seconds(5));
  };
  absl::StatusOr<HttpResponse> ok = deliver();
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->body, R"({"reference":"R-1"})");
  EXPECT_TRUE(receiver.Received().back().check.ok()) << receiver.Received().back().check;

  for (int later : {503, 429, 408}) {
    receiver.SetAnswer(later);
    EXPECT_EQ(deliver().status().code(), absl::StatusCode::kUnavailable) << later;
    EXPECT_EQ(ErrorReason(deliver().status()), kUnavailableReason) << later;
  }
  for (int refused : {400, 401, 410}) {
    receiver.SetAnswer(refused);
    EXPECT_EQ(deliver().status().code(), absl::StatusCode::kFailedPrecondition) << refused;
    EXPECT_EQ(ErrorReason(deliver().status()), kRefusedReason) << refused;
  }
}

}  // namespace
}  // namespace crm::webhook
