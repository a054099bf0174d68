#include "libs/grpc/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/grpc/executor.h"

namespace crm {
namespace {

std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, n);
  close(fd);
  return out;
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
  std::string body = HttpGet(runner_->metrics_port(), "/metrics");
  EXPECT_NE(body.find("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Check\","
                      "grpc_service=\"grpc.health.v1.Health\"}"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("grpc_server_handling_seconds_bucket"), std::string::npos);
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

TEST(Executor, RunsEveryTaskBeforeItIsDestroyed) {
  std::atomic<int> done{0};
  {
    Executor executor(3);
    for (int i = 0; i < 100; ++i) executor.Submit([&] { done++; });
  }
  EXPECT_EQ(done.load(), 100);
}

}  // namespace
}  // namespace crm
