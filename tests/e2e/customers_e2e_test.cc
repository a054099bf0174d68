// The auth and customers services and the gateway as real processes over loopback, against
// real MariaDB: what a client of the suite sees.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "crm/events/v1/events.grpc.pb.h"
#include "libs/db/testing.h"
#include "libs/grpc/status.h"
#include "tests/support/mariadb.h"
#include "tests/support/process.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

namespace v1 = customers::v1;
using testing::ChildProcess;
using testing::Session;
using testing::Stack;
using testing::TempDir;

v1::Customer NewCustomer(const std::string& display_name) {
  v1::Customer c;
  c.set_display_name(display_name);
  c.set_kind(v1::COMPANY);
  c.set_industry("制造业");
  c.mutable_region()->set_country("CN");
  c.mutable_region()->set_province("浙江");
  c.mutable_region()->set_city("杭州");
  c.add_phones("0571-8888 6666");
  return c;
}

// The suite's processes, with calls made as the admin (who may do everything: the rules
// per role are permissions_e2e_test.cc's subject).
class GatewayE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    auto admin = stack_->LoginAdmin();
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_ = *admin;
    stub_ = v1::CustomerService::NewStub(stack_->gateway());
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << stack_->Logs();
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& request_id = "") {
    auto ctx = admin_.Context();
    if (!request_id.empty()) ctx->AddMetadata("x-request-id", request_id);
    return ctx;
  }

  ChildProcess& customers_process() { return *stack_->process("customers").process; }

  std::unique_ptr<Stack> stack_;
  Session admin_;
  std::unique_ptr<v1::CustomerService::Stub> stub_;
};

TEST_F(GatewayE2eTest, CustomerLifecycleThroughTheGateway) {
  // Create (the request id comes back from the service through the gateway).
  v1::CreateCustomerRequest create;
  *create.mutable_customer() = NewCustomer("杭州某某科技有限公司");
  create.set_request_id("e2e-create-1");
  v1::Customer created;
  auto ctx = Context("trace-abc");
  ASSERT_TRUE(stub_->CreateCustomer(ctx.get(), create, &created).ok());
  EXPECT_EQ(created.phones(0), "+8657188886666");
  auto rid = ctx->GetServerTrailingMetadata().find("x-request-id");
  ASSERT_NE(rid, ctx->GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(rid->second.data(), rid->second.size()), "trace-abc");

  // Get.
  v1::GetCustomerRequest get;
  get.set_name(created.name());
  v1::Customer got;
  ASSERT_TRUE(stub_->GetCustomer(Context().get(), get, &got).ok());
  EXPECT_EQ(got.display_name(), "杭州某某科技有限公司");

  // List across pages.
  for (int i = 0; i < 4; ++i) {
    v1::CreateCustomerRequest more;
    *more.mutable_customer() = NewCustomer("Customer " + std::to_string(i));
    v1::Customer out;
    ASSERT_TRUE(stub_->CreateCustomer(Context().get(), more, &out).ok());
  }
  v1::ListCustomersRequest list;
  list.set_page_size(2);
  list.set_filter(R"(industry = "制造业" AND region.province = "浙江")");
  int seen = 0, pages = 0;
  do {
    v1::ListCustomersResponse resp;
    ASSERT_TRUE(stub_->ListCustomers(Context().get(), list, &resp).ok());
    seen += resp.customers_size();
    ++pages;
    list.set_page_token(resp.next_page_token());
  } while (!list.page_token().empty() && pages < 10);
  EXPECT_EQ(seen, 5);
  EXPECT_EQ(pages, 3);

  // Update with the current etag, then with the stale one.
  v1::UpdateCustomerRequest update;
  update.mutable_customer()->set_name(created.name());
  update.mutable_customer()->set_etag(created.etag());
  update.mutable_customer()->set_notes("met at the trade show");
  update.mutable_update_mask()->add_paths("notes");
  v1::Customer updated;
  ASSERT_TRUE(stub_->UpdateCustomer(Context().get(), update, &updated).ok());
  grpc::Status stale = stub_->UpdateCustomer(Context().get(), update, &updated);
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ErrorReason(FromGrpcStatus(stale)), "ETAG_MISMATCH");

  // Bad input is INVALID_ARGUMENT naming the field, with details intact through the proxy.
  v1::CreateCustomerRequest bad;
  *bad.mutable_customer() = NewCustomer("Bad phone");
  bad.mutable_customer()->set_phones(0, "12345");
  v1::Customer ignored;
  grpc::Status invalid = stub_->CreateCustomer(Context().get(), bad, &ignored);
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto violations = FieldViolations(FromGrpcStatus(invalid));
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "customer.phones[0]");

  // Delete, then Get is NOT_FOUND.
  v1::DeleteCustomerRequest del;
  del.set_name(created.name());
  del.set_etag(updated.etag());
  google::protobuf::Empty empty;
  ASSERT_TRUE(stub_->DeleteCustomer(Context().get(), del, &empty).ok());
  EXPECT_EQ(stub_->GetCustomer(Context().get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// The gateway continues the client's W3C trace and the backend continues the gateway's: the
// log lines of one failed call (the access log writes those) carry the same trace id in both
// processes, each with a span of its own. A call without traceparent gets a trace too.
TEST_F(GatewayE2eTest, LogLinesOfOneCallCarryOneTraceIdAcrossTheGatewayAndTheService) {
  v1::GetCustomerRequest get;
  get.set_name("customers/999999");
  v1::Customer out;
  auto traced = Context("req-traced");
  traced->AddMetadata("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  ASSERT_EQ(stub_->GetCustomer(traced.get(), get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_EQ(stub_->GetCustomer(Context("req-untraced").get(), get, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // The "call finished" line of `request_id` in `server`'s log, once it is written.
  auto line_of = [&](const std::string& server, const std::string& request_id) {
    std::string found;
    for (int i = 0; i < 100 && found.empty(); ++i) {
      for (absl::string_view line :
           absl::StrSplit(stack_->process(server).process->LogTail(1 << 20), '\n')) {
        if (absl::StrContains(line, "\"request_id\":\"" + request_id + "\"") &&
            absl::StrContains(line, "call finished")) {
          found = std::string(line);
        }
      }
      if (found.empty()) absl::SleepFor(absl::Milliseconds(50));
    }
    return found;
  };
  auto field = [](const std::string& line, const std::string& key) {
    const std::string prefix = "\"" + key + "\":\"";
    size_t at = line.find(prefix);
    if (at == std::string::npos) return std::string();
    at += prefix.size();
    return line.substr(at, line.find('"', at) - at);
  };
  for (const std::string request_id : {"req-traced", "req-untraced"}) {
    const std::string gateway = line_of("gateway", request_id);
    const std::string customers = line_of("customers", request_id);
    ASSERT_FALSE(gateway.empty()) << request_id;
    ASSERT_FALSE(customers.empty()) << request_id;
    EXPECT_EQ(field(gateway, "trace_id").size(), 32u) << gateway;
    EXPECT_EQ(field(customers, "trace_id"), field(gateway, "trace_id")) << customers;
    EXPECT_NE(field(customers, "span_id"), field(gateway, "span_id")) << customers;
  }
  EXPECT_EQ(field(line_of("gateway", "req-traced"), "trace_id"),
            "0af7651916cd43dd8448eb211c80319c");
}

TEST_F(GatewayE2eTest, BackendDownIsUnavailableWithAClearMessage) {
  customers_process().Signal(SIGKILL);
  ASSERT_TRUE(customers_process().Wait(absl::Seconds(10)).ok());
  v1::GetCustomerRequest get;
  get.set_name("customers/1");
  v1::Customer out;
  grpc::Status st = stub_->GetCustomer(Context().get(), get, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(st.error_message().find("customers backend unavailable"), std::string::npos)
      << st.error_message();
}

TEST_F(GatewayE2eTest, SigtermLetsInFlightCallsFinish) {
  // Hold a row lock from outside so updates queue up inside the service, provably in flight.
  v1::CreateCustomerRequest create;
  *create.mutable_customer() = NewCustomer("Locked Co");
  v1::Customer c;
  grpc::Status created = stub_->CreateCustomer(Context().get(), create, &c);
  ASSERT_TRUE(created.ok()) << created.error_code() << " " << created.error_message();
  auto pool = db::Pool::Create(stack_->db("customers"), nullptr);
  ASSERT_TRUE(pool.ok());
  auto lock_tx = (*pool)->Begin();
  ASSERT_TRUE(lock_tx.ok());
  int64_t id = std::stoll(c.name().substr(strlen("customers/")));
  ASSERT_TRUE((*lock_tx)->Query("SELECT id FROM customers WHERE id = ? FOR UPDATE", {id}).ok());

  constexpr int kCalls = 8;
  std::atomic<int> ok{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kCalls; ++i) {
    callers.emplace_back([&, i] {
      v1::UpdateCustomerRequest update;
      update.mutable_customer()->set_name(c.name());
      update.mutable_customer()->set_notes("update " + std::to_string(i));
      update.mutable_update_mask()->add_paths("notes");
      v1::Customer out;
      auto ctx = Context();
      ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      grpc::Status st = stub_->UpdateCustomer(ctx.get(), update, &out);
      if (st.ok())
        ok++;
      else
        ADD_FAILURE() << st.error_code() << " " << st.error_message();
    });
  }
  // Wait until every update is blocked on the row lock inside MariaDB (the locking session
  // itself is idle, so it is not counted).
  auto session = (*pool)->Borrow();
  ASSERT_TRUE(session.ok());
  for (int i = 0; i < 500; ++i) {
    auto rows = (*session)->Query(
        "SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE() AND "
        "command = 'Execute' AND info LIKE '%FOR UPDATE'",
        {});
    if (rows.ok() && (*rows)[0].Int(0) >= kCalls) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  customers_process().Signal(SIGTERM);
  absl::SleepFor(absl::Milliseconds(300));
  ASSERT_TRUE((*lock_tx)->Commit().ok());
  for (auto& t : callers) t.join();
  EXPECT_EQ(ok.load(), kCalls);
  auto rc = customers_process().Wait(absl::Seconds(30));
  ASSERT_TRUE(rc.ok());
  EXPECT_EQ(*rc, 0) << customers_process().LogTail();
}

TEST_F(GatewayE2eTest, ChangesArriveOnTheServicesEventFeed) {
  v1::CreateCustomerRequest create;
  *create.mutable_customer() = NewCustomer("Feed Co");
  v1::Customer created;
  ASSERT_TRUE(stub_->CreateCustomer(Context().get(), create, &created).ok());

  // Internal consumers subscribe on the service itself (the gateway routes by package).
  // The feed carries every customer's data: only the services the policy table names read
  // it, as themselves; no user does, not even an admin.
  auto feed = events::v1::EventFeed::NewStub(stack_->channel("customers"));
  events::v1::SubscribeRequest req;
  ASSERT_TRUE(stack_->CreateUser("feed.rep", auth::v1::SALES_REP).ok());
  auto rep = stack_->Login("feed.rep", Stack::kTestPassword);
  ASSERT_TRUE(rep.ok()) << rep.status();
  auto analytics = stack_->ServiceToken("analytics");
  ASSERT_TRUE(analytics.ok()) << analytics.status();
  for (const auto& [token, code] :
       {std::pair{std::string(), grpc::StatusCode::UNAUTHENTICATED},
        std::pair{rep->access_token, grpc::StatusCode::PERMISSION_DENIED},
        std::pair{admin_.access_token, grpc::StatusCode::PERMISSION_DENIED}}) {
    auto refused_ctx = testing::ContextWithToken(token);
    auto refused = feed->Subscribe(refused_ctx.get(), req);
    events::v1::Event ignored;
    EXPECT_FALSE(refused->Read(&ignored)) << "the feed streamed to a caller it must refuse";
    EXPECT_EQ(refused->Finish().error_code(), code);
  }
  auto ctx = testing::ContextWithToken(*analytics);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto stream = feed->Subscribe(ctx.get(), req);
  events::v1::Event event;
  ASSERT_TRUE(stream->Read(&event));
  EXPECT_EQ(event.type(), "crm.customers.v1.CustomerCreated");
  EXPECT_EQ(event.resource(), created.name());
  v1::Customer payload;
  ASSERT_TRUE(event.payload().UnpackTo(&payload));
  EXPECT_EQ(payload.display_name(), "Feed Co");

  // An open stream does not hold a draining server for its whole drain timeout (30 s here):
  // the feed ends it with UNAVAILABLE so the consumer reconnects elsewhere from its cursor.
  absl::Time start = absl::Now();
  customers_process().Signal(SIGTERM);
  while (stream->Read(&event)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  auto rc = customers_process().Wait(absl::Seconds(15));
  ASSERT_TRUE(rc.ok()) << "the open feed kept the server from stopping";
  EXPECT_EQ(*rc, 0);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST(DatabaseRestartE2eTest, ServiceRecoversWithoutRestartingItself) {
  TempDir dir;
  auto mariadb = testing::PrivateMariaDb::Create(dir.path() + "/mariadb");
  ASSERT_TRUE(mariadb.ok()) << mariadb.status();
  db::PoolOptions db;
  db.unix_socket = (*mariadb)->socket();
  db.user = "root";
  db.schema = "crm_customers";
  {
    // The service's schema must exist; the service creates its tables.
    db::PoolOptions admin = db;
    admin.schema = "";
    auto pool = db::Pool::Create(admin, nullptr);
    ASSERT_TRUE(pool.ok()) << pool.status();
    auto session = (*pool)->Borrow();
    ASSERT_TRUE(session.ok());
    ASSERT_TRUE((*session)->Execute("CREATE DATABASE crm_customers", {}).ok());
  }
  testing::StackOptions options;
  options.databases["customers"] = db;
  auto stack = Stack::Start(options);
  ASSERT_TRUE(stack.ok()) << stack.status();
  auto admin = (*stack)->LoginAdmin();
  ASSERT_TRUE(admin.ok()) << admin.status();
  auto stub = v1::CustomerService::NewStub((*stack)->channel("customers"));
  auto call = [&](const std::string& name) {
    v1::CreateCustomerRequest req;
    *req.mutable_customer() = NewCustomer(name);
    v1::Customer out;
    auto ctx = admin->Context();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return stub->CreateCustomer(ctx.get(), req, &out);
  };
  ASSERT_TRUE(call("before restart").ok());

  ASSERT_TRUE((*mariadb)->Stop().ok());
  grpc::Status down = call("while down");
  EXPECT_EQ(down.error_code(), grpc::StatusCode::UNAVAILABLE) << down.error_message();
  EXPECT_EQ(down.error_message().find("SELECT"), std::string::npos) << "SQL leaked";

  ASSERT_TRUE((*mariadb)->Start().ok());
  grpc::Status after = call("after restart");
  for (int i = 0; i < 50 && !after.ok(); ++i) {
    absl::SleepFor(absl::Milliseconds(200));
    after = call("after restart");
  }
  EXPECT_TRUE(after.ok()) << after.error_message() << "\n" << (*stack)->Logs();
  EXPECT_TRUE((*stack)->process("customers").process->Running());
}

}  // namespace
}  // namespace crm
