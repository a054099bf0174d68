// TLS of ServerRunner and ServiceChannel (tls.h) with certificates made by tools/dev-certs, and
// the trace context carried from a call into the calls its handler makes (trace.h).
#include "libs/grpc/tls.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "crm/auth/v1/auth.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/grpc/channel.h"
#include "libs/grpc/executor.h"
#include "libs/grpc/server.h"
#include "libs/grpc/trace.h"

namespace crm {
namespace {

namespace fs = std::filesystem;
using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// A fresh directory with a CA and certificates for `names` (tools/dev-certs).
std::string MakeCertificates(const std::string& names) {
  const std::string dir = fs::temp_directory_path() /
                          absl::StrCat("crm-tls-test-", getpid(), "-", absl::ToUnixNanos(absl::Now()));
  const std::string command = absl::StrCat(CRM_SOURCE_DIR "/tools/dev-certs ", dir, " ", names);
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return dir;
}

grpc::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel) {
  HealthCheckRequest request;
  HealthCheckResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  return Health::NewStub(channel)->Check(&ctx, request, &response);
}

// A channel with connections of its own: gRPC would otherwise share a connection between
// channels that look alike, and a test of handshakes needs a new one each time.
std::shared_ptr<grpc::Channel> Dial(int port, const TlsOptions& tls) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port), ChannelCredentials(tls),
                                   args);
}

TEST(Tls, MutualTlsRefusesPlaintextAndCertificatelessClientsAndProbesStayPlain) {
  const std::string dir = MakeCertificates("customers client");
  ServerRunner runner(ServerOptions{
      .service_name = "test",
      .listen_address = "127.0.0.1:0",
      .metrics_address = "127.0.0.1:0",
      .tls = {.server_cert = dir + "/customers.pem",
              .server_key = dir + "/customers-key.pem",
              .client_ca = dir + "/ca.pem"},
      .health_address = "127.0.0.1:0",
  });
  ASSERT_TRUE(runner.Start().ok());

  EXPECT_EQ(CheckHealth(Dial(runner.port(), {})).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(CheckHealth(Dial(runner.port(), {.ca = dir + "/ca.pem"})).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  const TlsOptions client{.ca = dir + "/ca.pem",
                          .client_cert = dir + "/client.pem",
                          .client_key = dir + "/client-key.pem"};
  grpc::Status with_certificate = CheckHealth(Dial(runner.port(), client));
  EXPECT_TRUE(with_certificate.ok()) << with_certificate.error_message();
  // The kubelet's probes: plaintext, on the health port only.
  EXPECT_NE(runner.health_port(), 0);
  grpc::Status probe = CheckHealth(Dial(runner.health_port(), {}));
  EXPECT_TRUE(probe.ok()) << probe.error_message();
}

TEST(Tls, MissingFilesStopTheStart) {
  ServerRunner runner(ServerOptions{.service_name = "test",
                                    .listen_address = "127.0.0.1:0",
                                    .metrics_address = "127.0.0.1:0",
                                    .tls = {.server_cert = "/nonexistent/cert.pem",
                                            .server_key = "/nonexistent/key.pem"}});
  absl::Status started = runner.Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(started.message().find("cannot read /nonexistent/cert.pem"), std::string::npos);
}

// A renewed certificate (cert-manager rewriting the Secret's files) is served without a
// restart: a client that trusts only the new certificate's CA gets through once the server
// has read the new files.
TEST(Tls, ServesANewCertificateOnceItsFilesChange) {
  const std::string old_dir = MakeCertificates("gateway");
  const std::string new_dir = MakeCertificates("gateway");
  const std::string live = old_dir + "/live";
  fs::create_directories(live);
  auto install = [&](const std::string& from) {
    for (const char* file : {"gateway.pem", "gateway-key.pem"}) {
      fs::copy_file(from + "/" + file, live + "/" + file + ".tmp",
                    fs::copy_options::overwrite_existing);
      fs::rename(live + "/" + file + ".tmp", live + "/" + file);
    }
  };
  install(old_dir);
  ServerRunner runner(ServerOptions{.service_name = "test",
                                    .listen_address = "127.0.0.1:0",
                                    .metrics_address = "127.0.0.1:0",
                                    .tls = {.server_cert = live + "/gateway.pem",
                                            .server_key = live + "/gateway-key.pem",
                                            .reload_seconds = 1}});
  ASSERT_TRUE(runner.Start().ok());
  EXPECT_TRUE(CheckHealth(Dial(runner.port(), {.ca = old_dir + "/ca.pem"})).ok());
  EXPECT_FALSE(CheckHealth(Dial(runner.port(), {.ca = new_dir + "/ca.pem"})).ok());

  install(new_dir);
  // Waits for the file watcher's next look (every second here); each try is a new
  // connection, so a new handshake.
  grpc::Status renewed(grpc::StatusCode::UNKNOWN, "not tried yet");
  for (int i = 0; i < 300 && !renewed.ok(); ++i) {
    renewed = CheckHealth(Dial(runner.port(), {.ca = new_dir + "/ca.pem"}));
    if (!renewed.ok()) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(renewed.ok()) << renewed.error_message();
  EXPECT_FALSE(CheckHealth(Dial(runner.port(), {.ca = old_dir + "/ca.pem"})).ok());
}

// Stands in for two services: "front" serves GetPublicKeys by calling "back" with ClientCall
// from its handler (on the executor, as every service handler runs); "back" records the
// traceparent it was called with.
class Back final : public auth::v1::AuthService::CallbackService {
 public:
  grpc::ServerUnaryReactor* GetPublicKeys(grpc::CallbackServerContext* ctx,
                                          const auth::v1::GetPublicKeysRequest*,
                                          auth::v1::GetPublicKeysResponse*) override {
    auto it = ctx->client_metadata().find(kTraceparentKey);
    {
      absl::MutexLock lock(&mu_);
      received_ = it == ctx->client_metadata().end()
                      ? std::nullopt
                      : ParseTraceparent(std::string_view(it->second.data(), it->second.size()));
    }
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  std::optional<log::TraceContext> received() {
    absl::MutexLock lock(&mu_);
    return received_;
  }

 private:
  absl::Mutex mu_;
  std::optional<log::TraceContext> received_ ABSL_GUARDED_BY(mu_);
};

class Front final : public auth::v1::AuthService::CallbackService {
 public:
  Front(Executor& executor, std::shared_ptr<grpc::Channel> back)
      : executor_(executor), back_(auth::v1::AuthService::NewStub(std::move(back))) {}
  grpc::ServerUnaryReactor* GetPublicKeys(grpc::CallbackServerContext* ctx,
                                          const auth::v1::GetPublicKeysRequest* request,
                                          auth::v1::GetPublicKeysResponse* response) override {
    return RunBlocking(ctx, executor_, "front", [this, request, response] {
      {
        absl::MutexLock lock(&mu_);
        span_ = log::CurrentTrace();
      }
      auto call = ClientCall(absl::Seconds(5));
      grpc::Status status = back_->GetPublicKeys(call.get(), *request, response);
      return status.ok() ? absl::OkStatus() : absl::UnavailableError(status.error_message());
    });
  }
  log::TraceContext span() {
    absl::MutexLock lock(&mu_);
    return span_;
  }

 private:
  Executor& executor_;
  std::unique_ptr<auth::v1::AuthService::Stub> back_;
  absl::Mutex mu_;
  log::TraceContext span_ ABSL_GUARDED_BY(mu_);
};

class TraceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A plain gRPC server, without the suite's interceptor (which would replace the header
    // with its own span): it sees the traceparent exactly as the front server sent it.
    grpc::ServerBuilder builder;
    int back_port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &back_port);
    builder.RegisterService(&back_);
    back_server_ = builder.BuildAndStart();
    ASSERT_NE(back_port, 0);
    front_ = std::make_unique<Front>(executor_,
                                     ServiceChannel(absl::StrCat("127.0.0.1:", back_port)));
    front_runner_.builder().RegisterService(front_.get());
    ASSERT_TRUE(front_runner_.Start().ok());
    stub_ = auth::v1::AuthService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", front_runner_.port()), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Call(const std::string& traceparent) {
    grpc::ClientContext ctx;
    if (!traceparent.empty()) ctx.AddMetadata(kTraceparentKey, traceparent);
    auth::v1::GetPublicKeysRequest request;
    auth::v1::GetPublicKeysResponse response;
    return stub_->GetPublicKeys(&ctx, request, &response);
  }

  static ServerOptions Options(const char* name) {
    return {.service_name = name,
            .listen_address = "127.0.0.1:0",
            .metrics_address = "127.0.0.1:0"};
  }

  Executor executor_{2};
  Back back_;
  std::unique_ptr<grpc::Server> back_server_;
  std::unique_ptr<Front> front_;
  ServerRunner front_runner_{Options("front")};
  std::unique_ptr<auth::v1::AuthService::Stub> stub_;
};

TEST_F(TraceTest, TheCallersTraceReachesTheNextServiceWithTheHandlersSpanAsParent) {
  const std::string client = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  ASSERT_TRUE(Call(client).ok());
  const log::TraceContext front = front_->span();
  EXPECT_EQ(front.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_NE(front.span_id, "00f067aa0ba902b7");  // the front server's own span
  std::optional<log::TraceContext> back = back_.received();
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(back->span_id, front.span_id);  // the parent the back server was given
  EXPECT_TRUE(back->sampled);
}

TEST_F(TraceTest, ACallWithoutTraceparentStartsATraceThatTheNextServiceContinues) {
  for (const std::string sent : {"", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                                 "garbage"}) {
    ASSERT_TRUE(Call(sent).ok()) << sent;
    const log::TraceContext front = front_->span();
    EXPECT_EQ(front.trace_id.size(), 32u) << sent;
    EXPECT_NE(front.trace_id, "00000000000000000000000000000000");
    std::optional<log::TraceContext> back = back_.received();
    ASSERT_TRUE(back.has_value()) << sent;
    EXPECT_EQ(back->trace_id, front.trace_id) << sent;
    EXPECT_EQ(back->span_id, front.span_id) << sent;
  }
}

TEST(Traceparent, ParsesTheW3cFormatAndRefusesWhatItRejects) {
  auto parsed = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(parsed->span_id, "00f067aa0ba902b7");
  EXPECT_TRUE(parsed->sampled);
  EXPECT_FALSE(
      ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")->sampled);
  EXPECT_EQ(FormatTraceparent(*parsed), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  // A later version may add fields; version 00 may not.
  EXPECT_TRUE(
      ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra").has_value());
  for (const char* bad : {"", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                          "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
                          "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}) {
    EXPECT_FALSE(ParseTraceparent(bad).has_value()) << bad;
  }
  const log::TraceContext fresh = NewTrace();
  EXPECT_TRUE(ParseTraceparent(FormatTraceparent(fresh)).has_value());
  EXPECT_EQ(ChildSpan(fresh).trace_id, fresh.trace_id);
  EXPECT_NE(ChildSpan(fresh).span_id, fresh.span_id);
}

}  // namespace
}  // namespace crm
