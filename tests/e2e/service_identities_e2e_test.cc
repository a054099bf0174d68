// Service identities through the real processes: every service account of the suite gets a
// real token from crm-auth's IssueServiceToken and is refused every method of the policy
// table its row does not grant, through the gateway and straight at the service that owns
// the method; the services granted the event feeds read them with the credentials plugin a
// service uses; no user token, of any role, reads a feed; a wrong secret gets no token; and
// an account dropped from --service_accounts gets none after a restart.
//
// A refused call always ends in PERMISSION_DENIED, never UNAUTHENTICATED: the token is
// valid, and the policy row is checked before anything else, so the empty requests sent
// here are never looked at (methods that act for a user, like GetCurrentUser, are refused
// the same way, since no row that needs a user names a service).
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "crm/auth/v1/auth.grpc.pb.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "crm/events/v1/events.grpc.pb.h"
#include "libs/auth/policy.h"
#include "libs/auth/principal.h"
#include "libs/auth/service_token.h"
#include "libs/base/hash.h"
#include "libs/grpc/status.h"
#include "tests/support/built_servers.h"
#include "tests/support/process.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

namespace av1 = auth::v1;
using testing::Session;
using testing::Stack;

constexpr char kSubscribe[] = "/crm.events.v1.EventFeed/Subscribe";

std::string AuthBinary() {
  for (const testing::BuiltServer& server : testing::kBuiltServices) {
    if (std::string_view(server.name) == "auth") return server.binary;
  }
  return "crm-auth";
}

bool Grants(const auth::MethodRule& rule, std::string_view service) {
  return rule.access != auth::Access::kRoles ||
         std::find(rule.services.begin(), rule.services.end(), service) != rule.services.end();
}

// `method` with an empty request, as the holder of `token`. Server-streaming methods are
// called the same way: a refusal comes before any message.
grpc::Status CallEmpty(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                       const std::string& token) {
  grpc::GenericStub stub(channel);
  auto ctx = testing::ContextWithToken(token);
  grpc::Slice nothing{std::string()};
  grpc::ByteBuffer request(&nothing, 1);
  grpc::ByteBuffer response;
  absl::Mutex mu;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(ctx.get(), method, {}, &request, &response, [&](grpc::Status st) {
    absl::MutexLock lock(&mu);
    status = std::move(st);
    done = true;
  });
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(&done));
  return status;
}

class ServiceIdentitiesE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack).release();
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  void TearDown() override {
    if (HasFailure() && stack_ != nullptr) std::cerr << stack_->Logs();
  }

  // The processes in this stack that serve `method`: the service of crm.<name>.v1, every
  // service for crm.events.v1 (each serves its own feed and consumer admin), none for a
  // service this build lacks (its rows are then checked at the gateway only).
  static std::vector<std::pair<std::string, std::shared_ptr<grpc::Channel>>> Owners(
      std::string_view method) {
    std::vector<std::pair<std::string, std::shared_ptr<grpc::Channel>>> owners;
    for (const std::string& service : stack_->services()) {
      if (method.starts_with("/crm.events.v1.") ||
          method.starts_with(absl::StrCat("/crm.", service, ".v1."))) {
        owners.emplace_back(service, stack_->channel(service));
      }
    }
    return owners;
  }

  static Stack* stack_;
};

Stack* ServiceIdentitiesE2eTest::stack_ = nullptr;

TEST_F(ServiceIdentitiesE2eTest, EveryServiceIsRefusedEveryMethodItsRowDoesNotGrant) {
  int refusals_checked = 0;
  for (std::string_view name : auth::kServiceNames) {
    auto token = stack_->ServiceToken(std::string(name));
    ASSERT_TRUE(token.ok()) << name << ": " << token.status();
    for (const auth::MethodRule& rule : auth::Policy::Default().rules()) {
      if (Grants(rule, name)) continue;
      const std::string method(rule.method);
      auto paths = Owners(method);
      paths.insert(paths.begin(), {"gateway", stack_->gateway()});
      for (const auto& [via, channel] : paths) {
        grpc::Status st = CallEmpty(channel, method, *token);
        EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << "services/" << name << " " << method << " via " << via << ": " << st.error_message();
        EXPECT_EQ(ErrorReason(FromGrpcStatus(st)), "PERMISSION_DENIED") << method << " via " << via;
        ++refusals_checked;
      }
    }
  }
  // Every service is refused the admin methods, at least: the loop cannot pass empty.
  EXPECT_GT(refusals_checked, 7 * 2 * 10);
}

TEST_F(ServiceIdentitiesE2eTest, GrantedServicesReadTheFeedsWithTheirOwnCredentials) {
  auto admin = stack_->LoginAdmin();
  ASSERT_TRUE(admin.ok()) << admin.status();
  auto customers = customers::v1::CustomerService::NewStub(stack_->gateway());
  customers::v1::CreateCustomerRequest create;
  create.mutable_customer()->set_display_name("Feed Reader Co");
  create.mutable_customer()->set_kind(customers::v1::COMPANY);
  create.mutable_customer()->mutable_region()->set_country("CN");
  customers::v1::Customer created;
  ASSERT_TRUE(customers->CreateCustomer(admin->Context().get(), create, &created).ok());

  const auth::MethodRule* feed_row = auth::Policy::Default().Find(kSubscribe);
  ASSERT_NE(feed_row, nullptr);
  ASSERT_FALSE(feed_row->services.empty());
  for (std::string_view name : feed_row->services) {
    // What a service does: call credentials from its secret, tokens from crm-auth.
    auth::AuthClientOptions options;
    options.service_secret = stack_->service_secret(std::string(name));
    auto credentials = auth::ServiceCallCredentials(options, name, stack_->channel("auth"));
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    for (const auto& [via, channel, first_type] :
         {std::tuple{"customers", stack_->channel("customers"), "crm.customers.v1.CustomerCreated"},
          std::tuple{"auth", stack_->channel("auth"), "crm.auth.v1.UserCreated"}}) {
      auto feed = events::v1::EventFeed::NewStub(channel);
      grpc::ClientContext ctx;
      ctx.set_credentials(*credentials);
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
      auto stream = feed->Subscribe(&ctx, {});
      events::v1::Event event;
      ASSERT_TRUE(stream->Read(&event))
          << "services/" << name << " on " << via << ": " << stream->Finish().error_message();
      EXPECT_EQ(event.type(), first_type) << name << " on " << via;
      ctx.TryCancel();
      EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
    }
  }
}

TEST_F(ServiceIdentitiesE2eTest, NoUserTokenOfAnyRoleReadsAFeed) {
  std::vector<Session> users;
  auto admin = stack_->LoginAdmin();
  ASSERT_TRUE(admin.ok()) << admin.status();
  users.push_back(*admin);
  for (av1::Role role : {av1::SALES_MANAGER, av1::SALES_REP, av1::MARKETING, av1::SUPPORT}) {
    const std::string username = absl::StrCat("feed.", absl::AsciiStrToLower(av1::Role_Name(role)));
    ASSERT_TRUE(stack_->CreateUser(username, role).ok()) << username;
    auto session = stack_->Login(username, Stack::kTestPassword);
    ASSERT_TRUE(session.ok()) << username << ": " << session.status();
    users.push_back(*session);
  }
  for (const Session& user : users) {
    for (const auto& [via, channel] :
         {std::pair{"gateway", stack_->gateway()}, std::pair{"auth", stack_->channel("auth")},
          std::pair{"customers", stack_->channel("customers")}}) {
      grpc::Status st = CallEmpty(channel, kSubscribe, user.access_token);
      EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << av1::Role_Name(user.user.role()) << " via " << via << ": " << st.error_message();
    }
  }
}

TEST_F(ServiceIdentitiesE2eTest, AWrongSecretGetsNoToken) {
  for (const auto& [via, channel] :
       {std::pair{"gateway", stack_->gateway()}, std::pair{"auth", stack_->channel("auth")}}) {
    auto stub = av1::AuthService::NewStub(channel);
    for (const auto& [service, secret] :
         {std::pair{std::string("services/analytics"), stack_->service_secret("orders")},
          std::pair{std::string("services/analytics"), std::string("not the secret")},
          std::pair{std::string("services/billing"), stack_->service_secret("analytics")}}) {
      av1::IssueServiceTokenRequest request;
      request.set_service(service);
      request.set_secret(secret);
      av1::ServiceToken token;
      grpc::Status st =
          stub->IssueServiceToken(testing::ContextWithToken("").get(), request, &token);
      EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << service << " via " << via;
      EXPECT_EQ(ErrorReason(FromGrpcStatus(st)), "INVALID_SERVICE_CREDENTIALS") << via;
      EXPECT_TRUE(token.access_token().empty());
    }
  }
}

TEST(ServiceAccountsE2eTest, AnAccountDroppedFromTheFlagGetsNoTokenAfterARestart) {
  auto stack = Stack::Start();
  ASSERT_TRUE(stack.ok()) << stack.status();
  ASSERT_TRUE((*stack)->ServiceToken("orders").ok());

  // crm-auth again on the same database, with every account but orders.
  auto& auth = (*stack)->process("auth");
  auth.process->Signal(SIGTERM);
  ASSERT_TRUE(auth.process->Wait(absl::Seconds(30)).ok());
  std::string accounts;
  for (std::string_view name : auth::kServiceNames) {
    if (name == "orders") continue;
    absl::StrAppend(&accounts, accounts.empty() ? "" : ",", std::string(name), "=",
                    Sha256Hex((*stack)->service_secret(std::string(name))));
  }
  std::vector<std::string> args = testing::DbFlags((*stack)->db("auth"));
  args.insert(args.end(), {"--signing_key_passphrase=" + (*stack)->signing_key_passphrase(),
                           "--page_token_secret=e2e-auth-pages", "--service_accounts=" + accounts});
  testing::TempDir dir;
  auto restarted = testing::StartServer(AuthBinary(), "auth-restarted", dir, args);
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  auto stub = av1::AuthService::NewStub(
      grpc::CreateChannel(restarted->target(), grpc::InsecureChannelCredentials()));

  auto issue = [&](const std::string& name) {
    av1::IssueServiceTokenRequest request;
    request.set_service("services/" + name);
    request.set_secret((*stack)->service_secret(name));
    av1::ServiceToken token;
    return stub->IssueServiceToken(testing::ContextWithToken("").get(), request, &token);
  };
  grpc::Status dropped = issue("orders");
  EXPECT_EQ(dropped.error_code(), grpc::StatusCode::UNAUTHENTICATED) << dropped.error_message();
  EXPECT_EQ(ErrorReason(FromGrpcStatus(dropped)), "INVALID_SERVICE_CREDENTIALS");
  EXPECT_TRUE(issue("analytics").ok());

  // The admin sees it deactivated, not gone.
  av1::LoginRequest login;
  login.set_username("admin");
  login.set_password((*stack)->admin_password());
  av1::LoginResponse admin;
  ASSERT_TRUE(stub->Login(testing::ContextWithToken("").get(), login, &admin).ok());
  av1::ListServiceAccountsResponse listed;
  ASSERT_TRUE(
      stub->ListServiceAccounts(testing::ContextWithToken(admin.access_token()).get(), {}, &listed)
          .ok());
  std::map<std::string, bool> active;
  for (const auto& account : listed.service_accounts()) active[account.name()] = account.active();
  EXPECT_EQ(active.size(), auth::kServiceNames.size());
  EXPECT_FALSE(active["services/orders"]);
  EXPECT_TRUE(active["services/analytics"]);
}

}  // namespace
}  // namespace crm
