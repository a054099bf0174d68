// The /metrics of the real processes, read over HTTP as Prometheus would: label sets stay
// bounded whatever method names clients send (through the gateway, signed in or not, and
// straight to a service), proxied calls carry their method's real type, a signed-in call
// to a method no service has is UNIMPLEMENTED, and the pool-size and build-info gauges are
// there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "crm/auth/v1/auth.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/grpc/build_info.h"
#include "libs/grpc/status.h"
#include "libs/grpc/testing.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

namespace av1 = auth::v1;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using testing::Stack;

constexpr int kPoolSize = 5;  // customers' --db_pool_size in this test

// Method names nobody declared, of every shape a client can send: a made-up method of a real
// service, a made-up service in a routed package, a package nobody routes, and no package.
class MadeUpMethods final {
 public:
  std::string Next() {
    const uint64_t n = rng_();
    switch (count_++ % 4) {
      case 0:
        return absl::StrFormat("/crm.customers.v1.CustomerService/Made%016x", n);
      case 1:
        return absl::StrFormat("/crm.auth.v1.Made%016xService/GetUser", n);
      case 2:
        return absl::StrFormat("/crm.made%016x.v1.Service/Get", n);
      default:
        return absl::StrFormat("/made%016x/Get", n);
    }
  }

 private:
  std::mt19937_64 rng_{std::random_device{}()};
  int count_ = 0;
};

// The /metrics of `server`; empty (and a test failure) when it cannot be read.
std::string Metrics(const testing::ServerProcess& server) {
  absl::StatusOr<std::string> body = testing::ScrapeMetrics(server.metrics_port);
  EXPECT_TRUE(body.ok()) << body.status();
  return body.value_or("");
}

class MetricsE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::StackOptions options;
    options.flags["customers"] = {absl::StrCat("--db_pool_size=", kPoolSize)};
    auto stack = Stack::Start(options);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack).release();
    auto admin = stack_->LoginAdmin();
    ASSERT_TRUE(admin.ok()) << admin.status();
    token_ = new std::string(admin->access_token);
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
    delete token_;
    token_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(stack_, nullptr) << "the stack did not start";
    ASSERT_NE(token_, nullptr) << "the admin could not sign in";
  }
  void TearDown() override {
    if (HasFailure() && stack_ != nullptr) std::cerr << stack_->Logs();
  }

  static Stack* stack_;
  static std::string* token_;
};

Stack* MetricsE2eTest::stack_ = nullptr;
std::string* MetricsE2eTest::token_ = nullptr;

// The reason and domain of the ErrorInfo in a status's details.
std::pair<std::string, std::string> ErrorInfoOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return {};
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return {info.reason(), info.domain()};
  }
  return {};
}

// Whether `server` answers a call of `method` without a token with `anonymous` and one
// with `token` with `signed_in`; a test failure when not.
bool Answers(const testing::ServerProcess& server, const std::string& method,
             const std::string& token, grpc::StatusCode anonymous, grpc::StatusCode signed_in) {
  const auto channel = grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials());
  const grpc::StatusCode without = testing::CallMethod(channel, method).error_code();
  const grpc::StatusCode with = testing::CallMethod(channel, method, token).error_code();
  EXPECT_EQ(without, anonymous) << method << " without a token";
  EXPECT_EQ(with, signed_in) << method << " with a token";
  return without == anonymous && with == signed_in;
}

// Calls `server` with 8 made-up method names (two of each shape, so that every series such
// calls can create exists), counts its series, calls it with 1,000 more names and returns
// its /metrics, after checking that the count has not moved and that the last name appears
// nowhere. Each name is called without and with `token`, which must be answered with
// `anonymous` and `signed_in`.
std::string ExpectSeriesStayFlat(const testing::ServerProcess& server, const std::string& token,
                                 grpc::StatusCode anonymous, grpc::StatusCode signed_in) {
  MadeUpMethods names;
  for (int i = 0; i < 8; ++i) {
    if (!Answers(server, names.Next(), token, anonymous, signed_in)) return "";
  }
  const std::string before = Metrics(server);
  const size_t series_before = testing::SeriesLines(before).size();
  EXPECT_GT(series_before, 0u) << before;

  std::string method;
  for (int i = 0; i < 1000; ++i) {
    method = names.Next();
    if (!Answers(server, method, token, anonymous, signed_in)) return "";
  }
  const std::string after = Metrics(server);
  EXPECT_EQ(testing::SeriesLines(after).size(), series_before) << "before:\n"
                                                               << before << "\nafter:\n"
                                                               << after;
  EXPECT_THAT(after, Not(HasSubstr(method.substr(1, 20))));
  EXPECT_THAT(after, HasSubstr("grpc_server_handled_total{grpc_code=\"UNIMPLEMENTED\","
                               "grpc_method=\"unknown\",grpc_service=\"unknown\","
                               "grpc_type=\"unknown\"}"));
  return after;
}

TEST_F(MetricsE2eTest, GatewaySeriesStayFlatWhateverMethodNamesClientsSend) {
  const std::string after =
      ExpectSeriesStayFlat(stack_->process("gateway"), *token_, grpc::StatusCode::UNAUTHENTICATED,
                           grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_THAT(after, HasSubstr("crm_gateway_rejected_calls_total{reason=\"METHOD_NOT_FOUND\"}"));
}

TEST_F(MetricsE2eTest, ServiceSeriesStayFlatWhateverMethodNamesClientsSend) {
  // The service has no handler for these: gRPC answers UNIMPLEMENTED before any token check.
  ExpectSeriesStayFlat(stack_->process("customers"), *token_, grpc::StatusCode::UNIMPLEMENTED,
                       grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(MetricsE2eTest, SignedInCallToAMethodNoServiceHasIsUnimplemented) {
  const grpc::Status status = testing::CallMethod(
      stack_->gateway(), "/crm.customers.v1.CustomerService/GetCustomr", *token_);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << status.error_message();
  EXPECT_EQ(ErrorInfoOf(status),
            std::make_pair(std::string("METHOD_NOT_FOUND"), std::string("gateway.crm")));
  // The same without a token: nothing is said about the method before the caller signs in.
  const grpc::Status anonymous =
      testing::CallMethod(stack_->gateway(), "/crm.customers.v1.CustomerService/GetCustomr");
  EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(MetricsE2eTest, ProxiedUnaryCallIsLabelledUnary) {
  auto stub = av1::AuthService::NewStub(stack_->gateway());
  av1::User me;
  const grpc::Status status =
      stub->GetCurrentUser(testing::ContextWithToken(*token_).get(), {}, &me);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // The gateway's generic proxy receives the call as a bidi stream; the label says what the
  // method is.
  const std::string body = Metrics(stack_->process("gateway"));
  std::vector<std::string> lines;
  for (const std::string& line : testing::SeriesLines(body)) {
    if (absl::StrContains(line, "grpc_method=\"GetCurrentUser\"")) lines.push_back(line);
  }
  EXPECT_THAT(lines, Not(SizeIs(0))) << body;
  EXPECT_THAT(lines, Each(HasSubstr("grpc_type=\"unary\""))) << body;
  EXPECT_THAT(body, HasSubstr("grpc_server_handled_total{grpc_code=\"OK\","
                              "grpc_method=\"GetCurrentUser\","
                              "grpc_service=\"crm.auth.v1.AuthService\",grpc_type=\"unary\"}"));
}

TEST_F(MetricsE2eTest, PoolSizeAndBuildInfoAreExported) {
  EXPECT_THAT(testing::SeriesOf(Metrics(stack_->process("customers")), "crm_db_pool_size"),
              ::testing::ElementsAre(absl::StrCat("crm_db_pool_size{pool=\"main\"} ", kPoolSize)));
  // The servers were built from the same sources as this test.
  const BuildInfo& build = CurrentBuild();
  for (auto [name, server] : {std::pair{"gateway", &stack_->process("gateway")},
                              std::pair{"customers", &stack_->process("customers")},
                              std::pair{"auth", &stack_->process("auth")}}) {
    EXPECT_THAT(testing::SeriesOf(Metrics(*server), "crm_build_info"),
                ::testing::ElementsAre(
                    absl::StrCat("crm_build_info{build_type=\"", std::string(build.build_type),
                                 "\",compiler=\"", std::string(build.compiler), "\",service=\"",
                                 name, "\",version=\"", std::string(build.version), "\"} 1")))
        << name;
  }
}

}  // namespace
}  // namespace crm
