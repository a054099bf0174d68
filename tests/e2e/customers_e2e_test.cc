// The auth and customers services and the gateway as real processes over loopback, against
// real MariaDB: what a client of the suite sees.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

// Each customer of a test gets its own phone: the service refuses duplicates.
v1::Customer NewCustomer(const std::string& display_name,
                         const std::string& phone = "0571-8888 6666") {
  v1::Customer c;
  c.set_display_name(display_name);
  c.set_kind(v1::COMPANY);
  c.set_industry("制造业");
  c.mutable_region()->set_country("CN");
  c.mutable_region()->set_province("浙江");
  c.mutable_region()->set_city("杭州");
  c.add_phones(phone);
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
    *more.mutable_customer() =
        NewCustomer("Customer " + std::to_string(i), "0571-8888 60" + std::to_string(10 + i));
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

// Search (the issue's Chinese examples and a phone fragment), the duplicate rule, and a merge
// undone by an unmerge, all through the gateway.
TEST_F(GatewayE2eTest, SearchDuplicatesMergeAndUnmergeThroughTheGateway) {
  auto create = [&](v1::Customer customer, bool allow_duplicate, v1::Customer* out) {
    v1::CreateCustomerRequest request;
    *request.mutable_customer() = std::move(customer);
    request.set_allow_duplicate(allow_duplicate);
    return stub_->CreateCustomer(Context().get(), request, out);
  };
  v1::Customer hangzhou, suzhou, twin;
  ASSERT_TRUE(create(NewCustomer("杭州某某科技有限公司", "0571-8888 6666"), false, &hangzhou).ok());
  v1::Customer jinggong = NewCustomer("苏州精工机械", "0512-6666 8888");
  jinggong.mutable_region()->set_province("江苏");
  jinggong.mutable_region()->set_city("苏州");
  ASSERT_TRUE(create(jinggong, false, &suzhou).ok());

  auto search = [&](const std::string& query) {
    v1::SearchCustomersRequest request;
    request.set_query(query);
    v1::SearchCustomersResponse response;
    grpc::Status st = stub_->SearchCustomers(Context().get(), request, &response);
    EXPECT_TRUE(st.ok()) << query << ": " << st.error_message();
    std::vector<std::string> names;
    for (const auto& r : response.results()) names.push_back(r.customer().name());
    return names;
  };
  EXPECT_EQ(search("杭州"), std::vector<std::string>{hangzhou.name()});
  EXPECT_EQ(search("精工"), std::vector<std::string>{suzhou.name()});
  EXPECT_EQ(search("88886666"), std::vector<std::string>{hangzhou.name()});

  // The same company under its legal suffix's other spelling is a duplicate.
  v1::Customer look_alike = NewCustomer("杭州某某科技（有限公司）", "0571-8888 6001");
  grpc::Status duplicate = create(look_alike, false, &twin);
  EXPECT_EQ(duplicate.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  ASSERT_TRUE(create(look_alike, true, &twin).ok());

  v1::MergeCustomersRequest merge;
  merge.set_survivor(hangzhou.name());
  merge.add_merged(twin.name());
  merge.set_request_id("e2e-merge-1");
  v1::CustomerMerge merged;
  grpc::Status merge_status = stub_->MergeCustomers(Context().get(), merge, &merged);
  ASSERT_TRUE(merge_status.ok()) << merge_status.error_message();
  v1::GetCustomerRequest get;
  get.set_name(twin.name());
  v1::Customer got;
  EXPECT_EQ(stub_->GetCustomer(Context().get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND)
      << "the merged customer is gone";
  get.set_name(hangzhou.name());
  ASSERT_TRUE(stub_->GetCustomer(Context().get(), get, &got).ok());
  EXPECT_EQ(got.phones_size(), 2) << "the survivor took over the twin's phone";

  v1::UnmergeCustomersRequest unmerge;
  unmerge.set_name(merged.name());
  v1::CustomerMerge unmerged;
  grpc::Status unmerge_status = stub_->UnmergeCustomers(Context().get(), unmerge, &unmerged);
  ASSERT_TRUE(unmerge_status.ok()) << unmerge_status.error_message();
  EXPECT_EQ(unmerged.state(), v1::CustomerMerge::UNMERGED);
  get.set_name(twin.name());
  ASSERT_TRUE(stub_->GetCustomer(Context().get(), get, &got).ok());
  EXPECT_EQ(got.display_name(), twin.display_name());
  EXPECT_EQ(got.etag(), twin.etag()) << "the twin is back as it was";
  get.set_name(hangzhou.name());
  ASSERT_TRUE(stub_->GetCustomer(Context().get(), get, &got).ok());
  EXPECT_EQ(got.phones_size(), 1);
  EXPECT_EQ(got.etag(), hangzhou.etag()) << "the survivor is back as it was";
}

// A streamed import with a bad row, its rollback, and a CSV export, through the gateway.
TEST_F(GatewayE2eTest, ImportRollbackAndExportStreamThroughTheGateway) {
  auto bulk = v1::CustomerBulkService::NewStub(stack_->gateway());
  auto ctx = Context();
  auto stream = bulk->ImportCustomers(ctx.get());
  v1::ImportCustomersRequest options;
  options.mutable_options()->set_label("e2e");
  ASSERT_TRUE(stream->Write(options));
  v1::ImportCustomersRequest rows;
  for (int i = 1; i <= 5; ++i) {
    v1::ImportRow* row = rows.mutable_rows()->add_rows();
    row->set_row_number(i);
    *row->mutable_customer() =
        NewCustomer(absl::StrCat("导入客户 ", i), absl::StrCat("0571-8777 60", 10 + i));
    row->mutable_customer()->set_external_id(absl::StrCat("e2e-", i));
  }
  rows.mutable_rows()->mutable_rows(2)->mutable_customer()->set_phones(0, "12345");
  ASSERT_TRUE(stream->Write(rows));
  ASSERT_TRUE(stream->WritesDone());
  v1::ImportBatch batch;
  std::vector<v1::ImportRowResult> results;
  v1::ImportCustomersResponse response;
  while (stream->Read(&response)) {
    if (response.has_batch()) batch = response.batch();
    if (response.has_summary()) batch = response.summary();
    for (const auto& r : response.results().results()) results.push_back(r);
  }
  grpc::Status finished = stream->Finish();
  ASSERT_TRUE(finished.ok()) << finished.error_message();
  ASSERT_EQ(results.size(), 5u);
  std::vector<std::string> created;
  for (const auto& r : results) {
    if (r.row_number() == 3) {
      EXPECT_EQ(r.outcome(), v1::ImportRowResult::FAILED);
      ASSERT_EQ(r.field_violations_size(), 1);
      EXPECT_EQ(r.field_violations(0).field(), "customer.phones[0]");
    } else {
      EXPECT_EQ(r.outcome(), v1::ImportRowResult::CREATED) << r.row_number();
      created.push_back(r.customer());
    }
  }
  EXPECT_EQ(batch.state(), v1::ImportBatch::COMPLETED);
  EXPECT_EQ(batch.created(), 4);
  EXPECT_EQ(batch.failed(), 1);

  // The export sees the four, as RFC 4180 CSV with a header.
  v1::ExportCustomersRequest export_request;
  export_request.set_filter(R"(industry = "制造业")");
  auto export_ctx = Context();
  auto reader = bulk->ExportCustomers(export_ctx.get(), export_request);
  std::string csv;
  v1::ExportCustomersResponse chunk;
  while (reader->Read(&chunk)) csv += chunk.csv();
  ASSERT_TRUE(reader->Finish().ok());
  std::vector<std::string> lines = absl::StrSplit(csv, "\r\n", absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 5u) << csv;
  EXPECT_TRUE(absl::StrContains(lines[0], "display_name")) << lines[0];
  EXPECT_FALSE(absl::StrContains(csv, "导入客户 3")) << "the bad row wrote nothing";

  v1::RollbackImportRequest rollback;
  rollback.set_name(batch.name());
  v1::ImportBatch rolled_back;
  grpc::Status undone = bulk->RollbackImport(Context().get(), rollback, &rolled_back);
  ASSERT_TRUE(undone.ok()) << undone.error_message();
  EXPECT_EQ(rolled_back.state(), v1::ImportBatch::ROLLED_BACK);
  for (const std::string& name : created) {
    v1::GetCustomerRequest get;
    get.set_name(name);
    v1::Customer got;
    EXPECT_EQ(stub_->GetCustomer(Context().get(), get, &got).error_code(),
              grpc::StatusCode::NOT_FOUND)
        << name;
  }
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
  // The wait below is half the drain timeout: a server held by the stream would still be
  // draining when it ends (no assertion on how long the stop took).
  customers_process().Signal(SIGTERM);
  while (stream->Read(&event)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  auto rc = customers_process().Wait(absl::Seconds(15));
  ASSERT_TRUE(rc.ok()) << "the open feed kept the server from stopping";
  EXPECT_EQ(*rc, 0);
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
  int calls = 0;
  auto call = [&](const std::string& name) {
    v1::CreateCustomerRequest req;
    *req.mutable_customer() = NewCustomer(name, "0571-8888 70" + std::to_string(10 + ++calls));
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
