// The Stack is driven by services/services.list: it runs every listed service this build has,
// auth first, each answering on its own channel, and refuses options for servers it does not run.
#include <algorithm>
#include <string>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/support/built_servers.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

using testing::Stack;

TEST(StackE2eTest, RunsEveryBuiltServiceAuthFirstAndEachAnswers) {
  auto stack = Stack::Start();
  ASSERT_TRUE(stack.ok()) << stack.status();

  std::vector<std::string> expected = {"auth"};
  for (const testing::BuiltServer& service : testing::kBuiltServices) {
    if (service.name != std::string("auth")) expected.push_back(service.name);
  }
  EXPECT_EQ((*stack)->services(), expected);
  EXPECT_NE(std::find(expected.begin(), expected.end(), "customers"), expected.end())
      << "customers is listed and built, so the stack must run it";

  std::vector<std::string> servers = expected;
  servers.push_back("gateway");
  for (const std::string& name : servers) {
    auto health = grpc::health::v1::Health::NewStub((*stack)->channel(name));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status st = health->Check(testing::ContextWithToken("").get(), request, &response);
    ASSERT_TRUE(st.ok()) << name << ": " << st.error_message() << "\n" << (*stack)->Logs();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING) << name;
    EXPECT_TRUE((*stack)->process(name).process->Running()) << name;
  }
  // Each service has a schema of its own.
  EXPECT_NE((*stack)->db("auth").schema, (*stack)->db("customers").schema);
}

TEST(StackE2eTest, OptionsNamingNoServerOfTheStackAreRefused) {
  testing::StackOptions typo;
  typo.flags["custmers"] = {"--workers=2"};
  auto stack = Stack::Start(typo);
  ASSERT_FALSE(stack.ok());
  EXPECT_EQ(stack.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(stack.status().message().find("custmers"), std::string::npos) << stack.status();

  testing::StackOptions gateway_db;
  gateway_db.databases["gateway"] = db::PoolOptions{};
  EXPECT_EQ(Stack::Start(gateway_db).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm
