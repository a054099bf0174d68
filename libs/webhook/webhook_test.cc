// Webhook signatures (a known vector, every way a delivery can be forged or replayed) and
// POST through libcurl to a real HTTP server on loopback.
#include "libs/webhook/webhook.h"

#include <civetweb.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "absl/synchronization/mutex.h"
#include "libs/grpc/status.h"

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

// A receiver on loopback that checks each delivery as a real one would and answers with the
// status the test chose.
class Receiver {
 public:
  explicit Receiver(int answer) : answer_(answer) {
    const char* options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "2", nullptr};
    mg_callbacks callbacks;
    std::memset(&callbacks, 0, sizeof(callbacks));
    ctx_ = mg_start(&callbacks, nullptr, options);
    mg_set_request_handler(ctx_, "/hook", &Receiver::Handle, this);
    mg_server_port ports[1];
    mg_get_server_ports(ctx_, 1, ports);
    port_ = ports[0].port;
  }
  ~Receiver() { mg_stop(ctx_); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  absl::Status last_check() {
    absl::MutexLock lock(&mu_);
    return last_check_;
  }
  std::string last_event_id() {
    absl::MutexLock lock(&mu_);
    return last_event_id_;
  }

 private:
  static int Handle(mg_connection* conn, void* data) {
    auto* self = static_cast<Receiver*>(data);
    std::string body;
    char buffer[4096];
    for (int n; (n = mg_read(conn, buffer, sizeof(buffer))) > 0;) body.append(buffer, n);
    auto header = [&](const char* name) {
      const char* value = mg_get_header(conn, name);
      return std::string(value == nullptr ? "" : value);
    };
    {
      absl::MutexLock lock(&self->mu_);
      self->last_check_ = Verify(kSecret, header(kTimestampHeader), header(kSignatureHeader),
                                 body, absl::Now(), kWindow);
      self->last_event_id_ = header(kEventIdHeader);
    }
    const std::string answer = R"({"reference":"R-1"})";
    mg_printf(conn, "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
              self->answer_, answer.size(), answer.c_str());
    return self->answer_;
  }

  const int answer_;
  mg_context* ctx_ = nullptr;
  int port_ = 0;
  absl::Mutex mu_;
  absl::Status last_check_ ABSL_GUARDED_BY(mu_) = absl::UnknownError("nothing received");
  std::string last_event_id_ ABSL_GUARDED_BY(mu_);
};

TEST(WebhookPost, ASignedDeliveryVerifiesAtTheReceiver) {
  Receiver receiver(200);
  const Headers headers = SignedHeaders(kSecret, "orders.crm/7", kBody, absl::Now());
  absl::StatusOr<HttpResponse> response = Post(receiver.url(), kBody, headers, absl::Seconds(5));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"reference":"R-1"})");
  EXPECT_TRUE(receiver.last_check().ok()) << receiver.last_check();
  EXPECT_EQ(receiver.last_event_id(), "orders.crm/7");
}

TEST(WebhookPost, AnErrorAnswerIsAResponseAndNoAnswerIsUnavailable) {
  Receiver receiver(503);
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

}  // namespace
}  // namespace crm::webhook
