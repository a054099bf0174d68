// The proxy between a real client and a real backend over loopback: a fake grpc.health.v1
// backend (its package routed like any crm.* package) behind a gateway server that only has
// the proxy registered. Health.Check is unary and Health.Watch server-streaming, and both are
// in this binary's descriptor pool, so with both offered for the unary path Check calls take
// it (Watch is not registered: it streams) and Watch calls the stream path; every gateway
// test also runs with no unary methods, where Check calls take the stream path too.
#include "services/gateway/proxy.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/grpc/interceptors.h"

namespace crm::gateway {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

constexpr int kSequenceField = 1000;  // unknown field carrying a stream position

std::string View(const grpc::string_ref& s) { return std::string(s.data(), s.size()); }

std::multimap<std::string, std::string> Copy(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  std::multimap<std::string, std::string> out;
  for (const auto& [key, value] : metadata) out.emplace(View(key), View(value));
  return out;
}

std::string ArchivedDetails() {
  google::rpc::ErrorInfo info;
  info.set_reason("CUSTOMER_ARCHIVED");
  info.set_domain("customers.crm");
  (*info.mutable_metadata())["resource"] = "customers/42";
  google::rpc::Status status;
  status.set_code(grpc::StatusCode::FAILED_PRECONDITION);
  status.set_message("customer is archived");
  status.add_details()->PackFrom(info);
  return status.SerializeAsString();
}

// What the backend saw of a "slow" call.
struct SlowCallReport {
  bool started = false;
  bool finished = false;
  bool saw_cancel = false;
  bool had_deadline = false;
  absl::Duration deadline_remaining;  // at the moment the backend took the call
};

// Check: echoes x-* and authorization metadata back as trailing "echo-<key>"; "fail" answers
// FAILED_PRECONDITION with details; "slow" waits until cancelled (at most 3 s).
// Watch: service "N" streams N responses numbered 0..N-1 in an unknown field.
class FakeHealth final : public Health::Service {
 public:
  grpc::Status Check(grpc::ServerContext* ctx, const HealthCheckRequest* request,
                     HealthCheckResponse* response) override {
    ctx->AddInitialMetadata("x-backend", "fake-health");
    for (const auto& [key, value] : ctx->client_metadata()) {
      const std::string k = View(key);
      if (k.rfind("x-", 0) == 0 || k == "authorization") {
        ctx->AddTrailingMetadata("echo-" + k, View(value));
      }
    }
    if (request->service() == "fail") {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "customer is archived",
                          ArchivedDetails());
    }
    if (request->service() == "slow") return Slow(ctx);
    response->set_status(HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }

  grpc::Status Watch(grpc::ServerContext* /*ctx*/, const HealthCheckRequest* request,
                     grpc::ServerWriter<HealthCheckResponse>* writer) override {
    int count = 0;
    if (!absl::SimpleAtoi(request->service(), &count)) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "service must be a count");
    }
    int written = 0;
    for (; written < count; ++written) {
      HealthCheckResponse response;
      response.set_status(HealthCheckResponse::SERVING);
      response.GetReflection()->MutableUnknownFields(&response)->AddVarint(kSequenceField, written);
      if (!writer->Write(response)) break;
    }
    absl::MutexLock lock(&mu_);
    watch_written_ = written;
    return grpc::Status::OK;
  }

  // How many responses the last finished Watch wrote; -1 while none finished in `timeout`.
  int AwaitWatchWritten(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto finished = [this] {
      mu_.AssertHeld();
      return watch_written_ >= 0;
    };
    mu_.AwaitWithTimeout(absl::Condition(&finished), timeout);
    return watch_written_;
  }

  // Waits until a slow call has finished in the backend (or `timeout` passes).
  SlowCallReport AwaitSlowCall(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&slow_.finished), timeout);
    return slow_;
  }
  bool AwaitSlowStart(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&slow_.started), timeout);
  }

 private:
  grpc::Status Slow(grpc::ServerContext* ctx) {
    {
      absl::MutexLock lock(&mu_);
      slow_.started = true;
      slow_.had_deadline = ctx->raw_deadline().tv_sec != gpr_inf_future(GPR_CLOCK_REALTIME).tv_sec;
      slow_.deadline_remaining =
          absl::FromChrono(ctx->deadline() - std::chrono::system_clock::now());
    }
    const absl::Time give_up = absl::Now() + absl::Seconds(3);
    while (!ctx->IsCancelled() && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(2));
    absl::MutexLock lock(&mu_);
    slow_.saw_cancel = ctx->IsCancelled();
    slow_.finished = true;
    return grpc::Status(grpc::StatusCode::INTERNAL, "slow call was not cancelled");
  }

  absl::Mutex mu_;
  SlowCallReport slow_ ABSL_GUARDED_BY(mu_);
  int watch_written_ ABSL_GUARDED_BY(mu_) = -1;
};

// A raw bidi call through the gateway, below what a generated stub allows: it may send no
// request at all, and may never half-close.
class RawCall final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  // Sends `request` unless it is null; half-closes if `half_close`.
  RawCall(grpc::GenericStub& stub, const std::string& method,
          const google::protobuf::Message* request, bool half_close) {
    ctx_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    stub.PrepareBidiStreamingCall(&ctx_, method, grpc::StubOptions(), this);
    if (request != nullptr) {
      grpc::Slice slice(request->SerializeAsString());
      request_ = grpc::ByteBuffer(&slice, 1);
      if (half_close) {
        StartWriteLast(&request_, grpc::WriteOptions());
      } else {
        StartWrite(&request_);
      }
    } else if (half_close) {
      StartWritesDone();
    }
    StartRead(&response_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;
    {
      absl::MutexLock lock(&mu_);
      ++responses_;
    }
    response_.Clear();
    StartRead(&response_);
  }
  void OnDone(const grpc::Status& status) override {
    absl::MutexLock lock(&mu_);
    status_ = status;
    done_ = true;
  }

  // The final status and the number of responses; DEADLINE_EXCEEDED-like "hang" if not done.
  void Cancel() { ctx_.TryCancel(); }

  std::pair<grpc::Status, int> Await() {
    absl::MutexLock lock(&mu_);
    if (!mu_.AwaitWithTimeout(absl::Condition(&done_), absl::Seconds(3))) {
      return {grpc::Status(grpc::StatusCode::UNKNOWN, "call did not finish"), responses_};
    }
    return {status_, responses_};
  }

 private:
  grpc::ClientContext ctx_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  int responses_ ABSL_GUARDED_BY(mu_) = 0;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

// The grpc_server_handled_total series of Health/Check with `code`.
double HandledChecks(prometheus::Registry& registry, const std::string& code) {
  for (const auto& family : registry.Collect()) {
    if (family.name != "grpc_server_handled_total") continue;
    for (const auto& metric : family.metric) {
      std::map<std::string, std::string> labels;
      for (const auto& label : metric.label) labels[label.name] = label.value;
      if (labels["grpc_method"] == "Check" && labels["grpc_code"] == code &&
          labels["grpc_type"] == "unary") {
        return metric.counter.value;
      }
    }
  }
  return 0;
}

double CounterValue(prometheus::Registry& registry, const std::string& backend,
                    const std::string& code) {
  for (const auto& family : registry.Collect()) {
    if (family.name != "crm_gateway_backend_calls_total") continue;
    for (const auto& metric : family.metric) {
      std::map<std::string, std::string> labels;
      for (const auto& label : metric.label) labels[label.name] = label.value;
      if (labels["backend"] == backend && labels["code"] == code) return metric.counter.value;
    }
  }
  return 0;
}

std::string ToCodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

std::string Loopback(int port) { return absl::StrCat("127.0.0.1:", port); }

// A loopback port nothing listens on: bound (so the kernel picks it), then closed unlistened.
int UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// The parameter: whether the unary fast path is on.
class GatewayTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &backend_port_);
    builder.RegisterService(&backend_);
    backend_server_ = builder.BuildAndStart();
    ASSERT_NE(backend_server_, nullptr);
    StartGateway({{"grpc.health.v1", Loopback(backend_port_)}});
  }

  void TearDown() override {
    StopGateway();
    backend_server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  }

  void StartGateway(const std::vector<Route>& routes) {
    ProxyOptions options;
    options.calls = &observer_;
    if (GetParam()) {
      options.unary_methods = {"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"};
    }
    proxy_ = std::make_unique<Proxy>(routes, registry_, options);
    EXPECT_EQ(proxy_->unary_methods().size(), GetParam() ? 1u : 0u);
    int port = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    proxy_->RegisterWith(builder);
    gateway_ = builder.BuildAndStart();
    ASSERT_NE(gateway_, nullptr);
    channel_ = grpc::CreateChannel(Loopback(port), grpc::InsecureChannelCredentials());
    health_ = Health::NewStub(channel_);
  }

  void StopGateway() {
    if (gateway_ == nullptr) return;
    gateway_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    gateway_.reset();  // the server must be gone before the proxy it calls into
    proxy_.reset();
  }

  static void SetDeadline(grpc::ClientContext& ctx, std::chrono::milliseconds timeout) {
    ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  }

  grpc::Status Check(const std::string& service, grpc::ClientContext& ctx) {
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    return health_->Check(&ctx, request, &response);
  }

  FakeHealth backend_;
  int backend_port_ = 0;
  std::unique_ptr<grpc::Server> backend_server_;
  prometheus::Registry registry_;
  CallObserver observer_{registry_};
  std::unique_ptr<Proxy> proxy_;
  std::unique_ptr<grpc::Server> gateway_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<Health::Stub> health_;
};

TEST_P(GatewayTest, UnaryCallPassesThrough) {
  grpc::ClientContext ctx;
  SetDeadline(ctx, std::chrono::seconds(5));
  HealthCheckRequest request;
  HealthCheckResponse response;
  const grpc::Status status = health_->Check(&ctx, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
}

TEST_P(GatewayTest, MetadataTravelsBothWays) {
  grpc::ClientContext ctx;
  SetDeadline(ctx, std::chrono::seconds(5));
  const std::string trace("\x00\x01\xfe\xff", 4);
  ctx.AddMetadata("authorization", "Bearer t0k3n");
  ctx.AddMetadata("x-request-id", "req-123");
  ctx.AddMetadata("x-tenant", "acme");
  ctx.AddMetadata("x-trace-bin", trace);
  ASSERT_TRUE(Check("", ctx).ok());

  const auto initial = Copy(ctx.GetServerInitialMetadata());
  EXPECT_EQ(initial.count("x-backend"), 1u);
  EXPECT_EQ(initial.find("x-backend")->second, "fake-health");

  const auto trailing = Copy(ctx.GetServerTrailingMetadata());
  ASSERT_EQ(trailing.count("echo-x-request-id"), 1u);  // kept, not replaced or doubled
  EXPECT_EQ(trailing.find("echo-x-request-id")->second, "req-123");
  ASSERT_EQ(trailing.count("echo-authorization"), 1u);
  EXPECT_EQ(trailing.find("echo-authorization")->second, "Bearer t0k3n");
  ASSERT_EQ(trailing.count("echo-x-tenant"), 1u);
  EXPECT_EQ(trailing.find("echo-x-tenant")->second, "acme");
  ASSERT_EQ(trailing.count("echo-x-trace-bin"), 1u);
  EXPECT_EQ(trailing.find("echo-x-trace-bin")->second, trace);
}

TEST_P(GatewayTest, MissingRequestIdIsAdded) {
  grpc::ClientContext ctx;
  SetDeadline(ctx, std::chrono::seconds(5));
  ASSERT_TRUE(Check("", ctx).ok());
  const auto trailing = Copy(ctx.GetServerTrailingMetadata());
  ASSERT_EQ(trailing.count("echo-x-request-id"), 1u);
  const std::string sent = trailing.find("echo-x-request-id")->second;
  EXPECT_EQ(sent.size(), 36u);  // UUID form
  if (GetParam()) {
    // The unary path returns the id it gave the backend (on the stream path the server's
    // interceptor does, which this test server does not have).
    ASSERT_EQ(trailing.count("x-request-id"), 1u);
    EXPECT_EQ(trailing.find("x-request-id")->second, sent);
  }
}

TEST_P(GatewayTest, AnUnusableRequestIdIsReplaced) {
  grpc::ClientContext ctx;
  SetDeadline(ctx, std::chrono::seconds(5));
  ctx.AddMetadata("x-request-id", std::string(200, 'r'));
  ASSERT_TRUE(Check("", ctx).ok());
  const auto trailing = Copy(ctx.GetServerTrailingMetadata());
  ASSERT_EQ(trailing.count("echo-x-request-id"), 1u);
  if (GetParam()) {
    EXPECT_EQ(trailing.find("echo-x-request-id")->second.size(), 36u);
  }
}

TEST_P(GatewayTest, ErrorStatusAndDetailsArePreservedByteForByte) {
  grpc::ClientContext ctx;
  SetDeadline(ctx, std::chrono::seconds(5));
  ctx.AddMetadata("x-request-id", "req-fail");
  const grpc::Status status = Check("fail", ctx);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "customer is archived");
  EXPECT_EQ(status.error_details(), ArchivedDetails());
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  google::rpc::ErrorInfo info;
  ASSERT_EQ(details.details_size(), 1);
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "CUSTOMER_ARCHIVED");
  // Trailing metadata of failed calls is forwarded too.
  const auto trailing = Copy(ctx.GetServerTrailingMetadata());
  ASSERT_EQ(trailing.count("echo-x-request-id"), 1u);
  EXPECT_EQ(trailing.find("echo-x-request-id")->second, "req-fail");
}

TEST_P(GatewayTest, DeadlineReachesTheBackend) {
  grpc::ClientContext ctx;
  SetDeadline(ctx, std::chrono::milliseconds(200));
  const absl::Time start = absl::Now();
  const grpc::Status status = Check("slow", ctx);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(700));

  const SlowCallReport report = backend_.AwaitSlowCall(absl::Seconds(1));
  ASSERT_TRUE(report.finished) << "the backend kept working after the deadline";
  EXPECT_TRUE(report.had_deadline);
  EXPECT_GT(report.deadline_remaining, absl::ZeroDuration());
  // Clock conversions between the processes' views of the deadline leave some jitter.
  EXPECT_LE(report.deadline_remaining, absl::Milliseconds(220));
  EXPECT_TRUE(report.saw_cancel);
}

TEST_P(GatewayTest, ClientCancellationReachesTheBackend) {
  grpc::ClientContext ctx;  // no deadline: only the cancellation can stop the backend
  grpc::Status status;
  std::thread caller([&] { status = Check("slow", ctx); });
  ASSERT_TRUE(backend_.AwaitSlowStart(absl::Seconds(2)));
  const absl::Time cancelled_at = absl::Now();
  ctx.TryCancel();
  caller.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);

  const SlowCallReport report = backend_.AwaitSlowCall(absl::Seconds(1));
  ASSERT_TRUE(report.finished) << "the backend never learnt of the cancellation";
  EXPECT_TRUE(report.saw_cancel);
  EXPECT_FALSE(report.had_deadline);
  EXPECT_LT(absl::Now() - cancelled_at, absl::Milliseconds(500));
}

TEST_P(GatewayTest, ServerStreamArrivesCompleteAndInOrder) {
  grpc::ClientContext ctx;
  SetDeadline(ctx, std::chrono::seconds(5));
  HealthCheckRequest request;
  request.set_service("100");
  auto reader = health_->Watch(&ctx, request);
  HealthCheckResponse response;
  std::vector<uint64_t> sequence;
  while (reader->Read(&response)) {
    const auto& unknown = response.GetReflection()->GetUnknownFields(response);
    ASSERT_EQ(unknown.field_count(), 1);
    ASSERT_EQ(unknown.field(0).number(), kSequenceField);
    sequence.push_back(unknown.field(0).varint());
  }
  const grpc::Status status = reader->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(sequence.size(), 100u);
  for (uint64_t i = 0; i < sequence.size(); ++i) EXPECT_EQ(sequence[i], i);
}

TEST_P(GatewayTest, ClientCancellingMidStreamStopsTheBackend) {
  constexpr int kEndless = 1000000;  // far more than flow control lets through unread
  grpc::ClientContext ctx;
  SetDeadline(ctx, std::chrono::seconds(5));
  HealthCheckRequest request;
  request.set_service(absl::StrCat(kEndless));
  auto reader = health_->Watch(&ctx, request);
  HealthCheckResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ctx.TryCancel();
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);

  const int written = backend_.AwaitWatchWritten(absl::Seconds(1));
  EXPECT_GE(written, 1) << "the backend stream did not end after the client cancelled";
  EXPECT_LT(written, kEndless);
}

TEST_P(GatewayTest, BackendCanFinishBeforeTheClientHalfCloses) {
  grpc::GenericStub stub(channel_);
  HealthCheckRequest request;
  request.set_service("3");
  RawCall call(stub, "/grpc.health.v1.Health/Watch", &request, /*half_close=*/false);
  const auto [status, responses] = call.Await();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(responses, 3);
}

TEST_P(GatewayTest, BackendDownIsUnavailableNamingTheBackend) {
  const int dead_port = UnusedPort();
  ASSERT_GT(dead_port, 0);
  StopGateway();
  StartGateway({{"grpc.health.v1", Loopback(dead_port)}});

  grpc::ClientContext ctx;
  SetDeadline(ctx, std::chrono::seconds(5));
  const absl::Time start = absl::Now();
  const grpc::Status status = Check("", ctx);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("health backend unavailable"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1)) << "the call waited for the backend";
  EXPECT_EQ(CounterValue(registry_, "health", "UNAVAILABLE"), 1);
}

TEST_P(GatewayTest, UnroutedPackageIsUnimplemented) {
  grpc::GenericStub stub(channel_);
  grpc::ClientContext ctx;
  SetDeadline(ctx, std::chrono::seconds(5));
  grpc::Slice empty_message("");
  grpc::ByteBuffer request(&empty_message, 1);
  grpc::ByteBuffer response;
  absl::Mutex mu;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(&ctx, "/crm.nowhere.v1.NoService/Get", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   absl::MutexLock lock(&mu);
                   status = std::move(s);
                   done = true;
                 });
  absl::MutexLock lock(&mu);
  ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&done), absl::Seconds(3)));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_THAT(status.error_message(), HasSubstr("crm.nowhere.v1"));
}

TEST_P(GatewayTest, FiftyConcurrentCallsAllSucceed) {
  constexpr int kCalls = 50;
  struct Call {
    grpc::ClientContext ctx;
    HealthCheckRequest request;
    HealthCheckResponse response;
  };
  std::vector<std::unique_ptr<Call>> calls;
  absl::Mutex mu;
  int finished = 0;
  int succeeded = 0;
  for (int i = 0; i < kCalls; ++i) {
    auto& call = *calls.emplace_back(std::make_unique<Call>());
    SetDeadline(call.ctx, std::chrono::seconds(5));
    health_->async()->Check(&call.ctx, &call.request, &call.response,
                            [&mu, &finished, &succeeded, c = &call](grpc::Status s) {
                              absl::MutexLock lock(&mu);
                              ++finished;
                              if (s.ok() && c->response.status() == HealthCheckResponse::SERVING) {
                                ++succeeded;
                              }
                            });
  }
  absl::MutexLock lock(&mu);
  auto all_finished = [&] {
    mu.AssertHeld();
    return finished == kCalls;
  };
  ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&all_finished), absl::Seconds(5)));
  EXPECT_EQ(succeeded, kCalls);
  EXPECT_EQ(CounterValue(registry_, "health", "OK"), kCalls);
}

TEST_P(GatewayTest, CallsAreCountedByBackendAndCode) {
  for (const char* service : {"", "", "fail"}) {
    grpc::ClientContext ctx;
    SetDeadline(ctx, std::chrono::seconds(5));
    Check(service, ctx);
  }
  EXPECT_EQ(CounterValue(registry_, "health", "OK"), 2);
  EXPECT_EQ(CounterValue(registry_, "health", "FAILED_PRECONDITION"), 1);
}

TEST_P(GatewayTest, TheUnaryPathRecordsItsOwnCallMetrics) {
  for (const char* service : {"", "", "fail"}) {
    grpc::ClientContext ctx;
    SetDeadline(ctx, std::chrono::seconds(5));
    Check(service, ctx);
  }
  // On the stream path the server's interceptor records calls (this test server has none).
  EXPECT_EQ(HandledChecks(registry_, "OK"), GetParam() ? 2 : 0);
  EXPECT_EQ(HandledChecks(registry_, "FAILED_PRECONDITION"), GetParam() ? 1 : 0);
}

TEST_P(GatewayTest, UnaryCallWithoutRequestFails) {
  grpc::GenericStub stub(channel_);
  RawCall call(stub, "/grpc.health.v1.Health/Check", /*request=*/nullptr, /*half_close=*/true);
  const auto [status, responses] = call.Await();
  EXPECT_EQ(responses, 0);
  if (GetParam()) {
    // The method is registered as unary: the gateway answers without troubling the backend.
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
    EXPECT_THAT(status.error_message(), HasSubstr("without a request message"));
    EXPECT_EQ(CounterValue(registry_, "health", "INTERNAL"), 0);
  } else {
    // Forwarded as a stream, the backend's gRPC library rejects it.
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(CounterValue(registry_, "health", ToCodeName(status.error_code())), 1);
  }
}

TEST_P(GatewayTest, CancelBeforeTheRequestArrivesEndsTheCall) {
  grpc::GenericStub stub(channel_);
  RawCall call(stub, "/grpc.health.v1.Health/Check", /*request=*/nullptr, /*half_close=*/false);
  absl::SleepFor(absl::Milliseconds(20));  // let the gateway start waiting for the request
  call.Cancel();
  const auto [status, responses] = call.Await();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(responses, 0);
}

INSTANTIATE_TEST_SUITE_P(Paths, GatewayTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "UnaryFastPath" : "StreamPathOnly";
                         });

TEST(IsUnaryMethodTest, AsksTheDescriptorPool) {
  EXPECT_TRUE(IsUnaryMethod("/grpc.health.v1.Health/Check"));
  EXPECT_FALSE(IsUnaryMethod("/grpc.health.v1.Health/Watch"));  // server streaming
  // The crm protos are linked in even though nothing here refers to them.
  EXPECT_TRUE(IsUnaryMethod("/crm.customers.v1.CustomerService/GetCustomer"));
  EXPECT_FALSE(IsUnaryMethod("/crm.events.v1.EventFeed/Subscribe"));
  EXPECT_FALSE(IsUnaryMethod("/crm.customers.v1.CustomerService/NoSuchMethod"));
  EXPECT_FALSE(IsUnaryMethod("/crm.nowhere.v1.NoService/Get"));
  EXPECT_FALSE(IsUnaryMethod("grpc.health.v1.Health/Check"));
  EXPECT_FALSE(IsUnaryMethod("/grpc.health.v1.Health.Check"));
  EXPECT_FALSE(IsUnaryMethod("/grpc.health.v1.Health/Check/x"));
}

TEST(ParseRoutesTest, ReadsPackageAddressPairs) {
  const auto routes =
      ParseRoutes(" crm.customers.v1=127.0.0.1:50061, crm.auth.v1 = dns:///auth:50062 ,");
  ASSERT_TRUE(routes.ok()) << routes.status();
  ASSERT_EQ(routes->size(), 2u);
  EXPECT_EQ((*routes)[0].package, "crm.customers.v1");
  EXPECT_EQ((*routes)[0].address, "127.0.0.1:50061");
  EXPECT_EQ((*routes)[1].package, "crm.auth.v1");
  EXPECT_EQ((*routes)[1].address, "dns:///auth:50062");
}

TEST(ParseRoutesTest, RejectsBadTables) {
  EXPECT_FALSE(ParseRoutes("").ok());
  EXPECT_FALSE(ParseRoutes("crm.customers.v1").ok());
  EXPECT_FALSE(ParseRoutes("crm.customers.v1=").ok());
  EXPECT_FALSE(ParseRoutes("crm..v1=127.0.0.1:1").ok());
  EXPECT_FALSE(ParseRoutes("crm/customers=127.0.0.1:1").ok());
  const auto twice = ParseRoutes("crm.auth.v1=a:1,crm.auth.v1=b:2");
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(std::string(twice.status().message()), HasSubstr("crm.auth.v1"));
}

TEST(BackendNameTest, DropsPrefixAndVersion) {
  EXPECT_EQ(BackendName("crm.customers.v1"), "customers");
  EXPECT_EQ(BackendName("crm.orders.v2beta1"), "orders");
  EXPECT_EQ(BackendName("grpc.health.v1"), "health");
  EXPECT_EQ(BackendName("legacy"), "legacy");
}

TEST(ShouldForwardMetadataTest, KeepsApplicationKeysOnly) {
  for (const char* key : {"authorization", "x-request-id", "x-tenant", "x-trace-bin"}) {
    EXPECT_TRUE(ShouldForwardMetadata(key)) << key;
  }
  for (const char* key :
       {":authority", ":path", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding",
        "grpc-status-details-bin", "te", "content-type", "user-agent", "host"}) {
    EXPECT_FALSE(ShouldForwardMetadata(key)) << key;
  }
}

TEST(NewRequestIdTest, LooksLikeAUuidAndDiffersEachTime) {
  const std::string a = NewRequestId();
  const std::string b = NewRequestId();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[8], '-');
  EXPECT_EQ(a[14], '4');  // version 4
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef-"), std::string::npos);
}

}  // namespace
}  // namespace crm::gateway
