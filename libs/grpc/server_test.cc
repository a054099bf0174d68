#include "libs/grpc/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/grpc/build_info.h"
#include "libs/grpc/executor.h"
#include "libs/grpc/testing.h"

namespace crm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The body of this runner's /metrics; empty (and a test failure) when it cannot be read.
std::string Metrics(const ServerRunner& runner) {
  absl::StatusOr<std::string> body = testing::ScrapeMetrics(runner.metrics_port());
  EXPECT_TRUE(body.ok()) << body.status();
  return body.value_or("");
}

class ServerRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runner_ = std::make_unique<ServerRunner>(ServerOptions{
        .service_name = "test",
        .listen_address = "127.0.0.1:0",
        .metrics_address = "127.0.0.1:0",
    });
    runner_->SetReadinessProbe([this] { return ready_.load(); });
    ASSERT_TRUE(runner_->Start().ok());
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(runner_->port()),
                                   grpc::InsecureChannelCredentials());
    health_ = grpc::health::v1::Health::NewStub(channel_);
  }

  grpc::health::v1::HealthCheckResponse::ServingStatus Check(grpc::ClientContext* ctx) {
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    grpc::Status st = health_->Check(ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.status();
  }

  std::atomic<bool> ready_{true};
  std::unique_ptr<ServerRunner> runner_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

TEST_F(ServerRunnerTest, HealthFollowsTheReadinessProbe) {
  grpc::ClientContext ctx1;
  EXPECT_EQ(Check(&ctx1), grpc::health::v1::HealthCheckResponse::SERVING);
  ready_ = false;
  // The probe is polled every second.
  grpc::health::v1::HealthCheckResponse::ServingStatus status{};
  for (int i = 0; i < 30; ++i) {
    grpc::ClientContext ctx;
    status = Check(&ctx);
    if (status == grpc::health::v1::HealthCheckResponse::NOT_SERVING) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(status, grpc::health::v1::HealthCheckResponse::NOT_SERVING);

  // Liveness does not follow the dependency.
  grpc::ClientContext ctx2;
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(kLivenessService);
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(health_->Check(&ctx2, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(ServerRunnerTest, ReturnsTheClientsRequestIdOrMakesOne) {
  grpc::ClientContext with_id;
  with_id.AddMetadata("x-request-id", "req-123");
  Check(&with_id);
  auto it = with_id.GetServerTrailingMetadata().find("x-request-id");
  ASSERT_NE(it, with_id.GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(it->second.data(), it->second.size()), "req-123");

  grpc::ClientContext without_id;
  Check(&without_id);
  auto made = without_id.GetServerTrailingMetadata().find("x-request-id");
  ASSERT_NE(made, without_id.GetServerTrailingMetadata().end());
  EXPECT_EQ(made->second.size(), 32u);
}

TEST_F(ServerRunnerTest, ExposesCallMetrics) {
  grpc::ClientContext ctx;
  Check(&ctx);
  const std::string body = Metrics(*runner_);
  EXPECT_THAT(body, HasSubstr("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Check\","
                              "grpc_service=\"grpc.health.v1.Health\",grpc_type=\"unary\"} 1"));
  EXPECT_THAT(body, HasSubstr("grpc_server_started_total{grpc_method=\"Check\","
                              "grpc_service=\"grpc.health.v1.Health\",grpc_type=\"unary\"} 1"));
  EXPECT_THAT(body, HasSubstr("grpc_server_handling_seconds_count{grpc_method=\"Check\","
                              "grpc_service=\"grpc.health.v1.Health\",grpc_type=\"unary\"} 1"));
}

TEST_F(ServerRunnerTest, StreamingMethodsAreLabelledWithTheirType) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest request;
  auto reader = health_->Watch(&ctx, request);
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ctx.TryCancel();
  reader->Finish();
  EXPECT_THAT(Metrics(*runner_),
              HasSubstr("grpc_server_started_total{grpc_method=\"Watch\","
                        "grpc_service=\"grpc.health.v1.Health\",grpc_type=\"server_stream\"} 1"));
}

// Any client can send any method name; a series per name would grow this process and
// Prometheus without limit.
TEST_F(ServerRunnerTest, MadeUpMethodNamesShareOneSetOfSeries) {
  std::mt19937_64 rng(std::random_device{}());
  auto made_up = [&rng] {
    return absl::StrFormat("/crm.m%016x.v1.Service/Method%016x", rng(), rng());
  };
  // A method of a real package is not enough to get a label: only methods that exist are.
  const std::vector<std::string> first = {made_up(), made_up(),
                                          "/grpc.health.v1.Health/NoSuchMethod"};
  for (const std::string& method : first) {
    EXPECT_EQ(testing::CallMethod(channel_, method).error_code(), grpc::StatusCode::UNIMPLEMENTED)
        << method;
  }
  const size_t series_before = testing::SeriesLines(Metrics(*runner_)).size();

  std::string last;
  for (int i = 0; i < 1000; ++i) {
    last = made_up();
    ASSERT_EQ(testing::CallMethod(channel_, last).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  }
  const std::string body = Metrics(*runner_);
  EXPECT_EQ(testing::SeriesLines(body).size(), series_before);
  EXPECT_THAT(body, Not(HasSubstr(last.substr(1, 20))));
  EXPECT_THAT(body, Not(HasSubstr("NoSuchMethod")));
  EXPECT_THAT(body, HasSubstr("grpc_server_handled_total{grpc_code=\"UNIMPLEMENTED\","
                              "grpc_method=\"unknown\",grpc_service=\"unknown\","
                              "grpc_type=\"unknown\"} 1003"));
}

TEST_F(ServerRunnerTest, ExportsWhichBuildIsRunning) {
  const BuildInfo& build = CurrentBuild();
  EXPECT_FALSE(build.version.empty());
  EXPECT_FALSE(build.compiler.empty());
  EXPECT_THAT(Metrics(*runner_),
              HasSubstr(absl::StrCat("crm_build_info{build_type=\"", std::string(build.build_type),
                                     "\",compiler=\"", std::string(build.compiler),
                                     "\",service=\"test\",version=\"", std::string(build.version),
                                     "\"} 1")));
}

TEST_F(ServerRunnerTest, ShutdownStopsServing) {
  std::thread waiter([this] { runner_->WaitForShutdown(); });
  runner_->Shutdown();
  waiter.join();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  EXPECT_FALSE(health_->Check(&ctx, req, &resp).ok());
}

TEST_F(ServerRunnerTest, APortInUseIsNotShared) {
  // With SO_REUSEPORT (gRPC's default) this would start and take part of the first server's
  // connections.
  ServerRunner second(ServerOptions{
      .service_name = "second",
      .listen_address = absl::StrCat("127.0.0.1:", runner_->port()),
      .metrics_address = "127.0.0.1:0",
  });
  absl::Status started = second.Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kUnavailable) << started;
  EXPECT_THAT(std::string(started.message()), HasSubstr("cannot listen"));
}

TEST(Executor, RunsEveryTaskBeforeItIsDestroyed) {
  std::atomic<int> done{0};
  {
    Executor executor(3);
    for (int i = 0; i < 100; ++i) executor.Submit([&] { done++; });
  }
  EXPECT_EQ(done.load(), 100);
}

TEST(Executor, QueuedTasksRunWhenAWorkerFreesUp) {
  Executor executor(2);
  absl::Notification release;
  absl::BlockingCounter busy(2);
  std::atomic<int> done{0};
  absl::Notification all_done;
  auto count = [&] {
    if (++done == 7) all_done.Notify();
  };
  // Both workers are held, so the next tasks queue instead of finding an idle worker.
  for (int i = 0; i < 2; ++i) {
    executor.Submit([&] {
      busy.DecrementCount();
      release.WaitForNotification();
      count();
    });
  }
  busy.Wait();
  for (int i = 0; i < 5; ++i) executor.Submit(count);
  EXPECT_EQ(done.load(), 0);
  release.Notify();
  all_done.WaitForNotification();
  EXPECT_EQ(done.load(), 7);
}

TEST(Executor, TasksMaySubmitTasks) {
  std::atomic<int> done{0};
  absl::Notification last;
  {
    Executor executor(2);
    std::function<void(int)> chain = [&](int left) {
      done++;
      if (left == 0) {
        last.Notify();
        return;
      }
      executor.Submit([&chain, left] { chain(left - 1); });
    };
    executor.Submit([&chain] { chain(20); });
    last.WaitForNotification();
  }
  EXPECT_EQ(done.load(), 21);
}

}  // namespace
}  // namespace crm
