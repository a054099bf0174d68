// CustomerService and CustomerStore against a real MariaDB schema of their own, called as
// an ADMIN (who sees everything); access_test.cc covers the other roles.
#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "libs/api/resource.h"
#include "libs/grpc/status.h"
#include "libs/service/testing.h"
#include "services/customers/service.h"

namespace crm::customers {
namespace {

class CustomersDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto test = service::testing::TestKit::Create("customers", CRM_CUSTOMERS_SCHEMA_DIR);
    ASSERT_TRUE(test.ok()) << test.status();
    test_ = std::move(*test);
    pool_ = &test_->pool();
    stores_ = std::make_unique<Stores>(*pool_, test_->clock());
    service_ = std::make_unique<CustomerService>(test_->kit(), *stores_, ServiceOptions{});
  }

  v1::Customer Create(const std::string& display_name, const std::string& industry = "制造业",
                      const std::string& province = "浙江", const std::string& request_id = "") {
    v1::CreateCustomerRequest req;
    req.set_request_id(request_id);
    // These tests are about the record; the duplicate rules are duplicates_test.cc's.
    req.set_allow_duplicate(true);
    auto* c = req.mutable_customer();
    c->set_display_name(display_name);
    c->set_kind(v1::COMPANY);
    c->set_industry(industry);
    c->mutable_region()->set_country("CN");
    c->mutable_region()->set_province(province);
    c->add_tags("vip");
    c->add_phones("0571-8888 6666");
    v1::Customer out;
    absl::Status st = service_->Create(admin_, req, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  int64_t CountRows(const std::string& table) {
    auto session = pool_->Borrow();
    auto rows = (*session)->Query("SELECT COUNT(*) FROM " + table, {});
    return rows.ok() ? (*rows)[0].Int(0) : -1;
  }

  std::vector<std::string> ListAll(const std::string& filter, const std::string& order_by,
                                   int page_size) {
    std::vector<std::string> names;
    v1::ListCustomersRequest req;
    req.set_filter(filter);
    req.set_order_by(order_by);
    req.set_page_size(page_size);
    for (int guard = 0; guard < 100; ++guard) {
      v1::ListCustomersResponse resp;
      absl::Status st = service_->List(admin_, req, &resp);
      EXPECT_TRUE(st.ok()) << st;
      for (const auto& c : resp.customers()) names.push_back(c.display_name());
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return names;
  }

  std::unique_ptr<service::testing::TestKit> test_;
  db::Pool* pool_ = nullptr;
  const auth::Caller admin_ = auth::testing::MakeCaller(1, auth::v1::ADMIN);
  std::unique_ptr<Stores> stores_;
  std::unique_ptr<CustomerService> service_;
};

TEST_F(CustomersDbTest, CreateThenGetReturnsTheNormalisedCustomer) {
  v1::Customer created = Create("杭州某某科技有限公司");
  EXPECT_TRUE(created.name().starts_with("customers/"));
  EXPECT_FALSE(created.etag().empty());
  v1::GetCustomerRequest get;
  get.set_name(created.name());
  v1::Customer got;
  ASSERT_TRUE(service_->Get(admin_, get, &got).ok());
  EXPECT_EQ(got.display_name(), "杭州某某科技有限公司");
  EXPECT_EQ(got.phones(0), "+8657188886666");
  EXPECT_EQ(got.tags(0), "vip");
  EXPECT_EQ(got.create_time().seconds(), created.create_time().seconds());
  EXPECT_EQ(got.etag(), created.etag());
  EXPECT_EQ(CountRows("outbox"), 1);
}

TEST_F(CustomersDbTest, SameRequestIdReturnsTheFirstCustomerAndCreatesNothing) {
  v1::Customer first = Create("Acme", "Software", "CA", "req-1");
  v1::Customer again = Create("Acme", "Software", "CA", "req-1");
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(CountRows("customers"), 1);

  v1::CreateCustomerRequest other;
  other.set_request_id("req-1");
  other.mutable_customer()->set_display_name("Different");
  other.mutable_customer()->set_kind(v1::PERSON);
  v1::Customer out;
  absl::Status st = service_->Create(admin_, other, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorReason(st), "REQUEST_ID_REUSED");
}

// The retry of a change whose first call committed gets the first result, although the change
// itself could not be made again (the etag moved on, the customer is gone).
TEST_F(CustomersDbTest, RetriedUpdateAndDeleteReplayTheFirstResult) {
  v1::Customer c = Create("Retry Ltd");
  v1::UpdateCustomerRequest update;
  update.set_request_id("update-1");
  update.mutable_customer()->set_name(c.name());
  update.mutable_customer()->set_etag(c.etag());
  update.mutable_customer()->set_notes("first");
  update.mutable_update_mask()->add_paths("notes");
  v1::Customer first;
  ASSERT_TRUE(service_->Update(admin_, update, &first).ok());
  v1::Customer again;
  absl::Status st = service_->Update(admin_, update, &again);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(again.etag(), first.etag());
  EXPECT_EQ(again.notes(), "first");

  v1::DeleteCustomerRequest del;
  del.set_request_id("delete-1");
  del.set_name(c.name());
  del.set_etag(first.etag());
  google::protobuf::Empty deleted;
  ASSERT_TRUE(service_->Delete(admin_, del, &deleted).ok());
  st = service_->Delete(admin_, del, &deleted);
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_EQ(CountRows("outbox"), 3);  // created, updated, deleted: once each
  EXPECT_EQ(CountRows("idempotency_keys"), 2);
}

TEST_F(CustomersDbTest, AFailedWriteWithARequestIdStoresNothing) {
  v1::Customer c = Create("Stale Ltd");
  v1::UpdateCustomerRequest update;
  update.set_request_id("update-stale");
  update.mutable_customer()->set_name(c.name());
  update.mutable_customer()->set_etag("\"99\"");
  update.mutable_customer()->set_notes("never");
  update.mutable_update_mask()->add_paths("notes");
  v1::Customer out;
  for (int i = 0; i < 2; ++i) {
    absl::Status st = service_->Update(admin_, update, &out);
    EXPECT_EQ(st.code(), absl::StatusCode::kAborted);
    EXPECT_EQ(ErrorReason(st), "ETAG_MISMATCH");
  }
  EXPECT_EQ(CountRows("idempotency_keys"), 0);
  EXPECT_EQ(CountRows("outbox"), 1);
}

TEST_F(CustomersDbTest, ConcurrentRetriesWithOneRequestIdCreateOneCustomer) {
  std::vector<std::thread> threads;
  std::set<std::string> names;
  absl::Mutex mu;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      v1::Customer c = Create("Racing Co", "Retail", "上海", "same-request");
      absl::MutexLock lock(&mu);
      names.insert(c.name());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(names.size(), 1u);
  EXPECT_EQ(CountRows("customers"), 1);
}

TEST_F(CustomersDbTest, ConcurrentCreatesWithChildRowsAllSucceed) {
  // Creates insert tags and phones past the last id; they must not deadlock each other.
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) Create("c-" + std::to_string(t) + "-" + std::to_string(i));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(CountRows("customers"), 80);
  EXPECT_EQ(CountRows("customer_tags"), 80);
}

TEST_F(CustomersDbTest, InvalidInputWritesNothing) {
  v1::CreateCustomerRequest req;
  req.mutable_customer()->set_display_name("Bad phones");
  req.mutable_customer()->set_kind(v1::COMPANY);
  req.mutable_customer()->add_phones("12345");
  v1::Customer out;
  absl::Status st = service_->Create(admin_, req, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(FieldViolations(st).size(), 1u);
  EXPECT_EQ(FieldViolations(st)[0].field, "customer.phones[0]");
  EXPECT_EQ(CountRows("customers"), 0);
  EXPECT_EQ(CountRows("outbox"), 0);
}

TEST_F(CustomersDbTest, StaleEtagIsAbortedAndOnlyOneConcurrentUpdateWins) {
  v1::Customer c = Create("Etag Ltd");
  std::atomic<int> ok{0}, aborted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      v1::UpdateCustomerRequest req;
      req.mutable_customer()->set_name(c.name());
      req.mutable_customer()->set_etag(c.etag());
      req.mutable_customer()->set_notes("writer " + std::to_string(i));
      req.mutable_update_mask()->add_paths("notes");
      v1::Customer out;
      absl::Status st = service_->Update(admin_, req, &out);
      if (st.ok()) ok++;
      if (st.code() == absl::StatusCode::kAborted && ErrorReason(st) == "ETAG_MISMATCH") aborted++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(aborted.load(), 3);
}

TEST_F(CustomersDbTest, UpdateChangesOnlyMaskedFields) {
  v1::Customer c = Create("Mask Co");
  v1::UpdateCustomerRequest req;
  req.mutable_customer()->set_name(c.name());
  req.mutable_customer()->set_display_name("ignored");
  req.mutable_customer()->mutable_region()->set_city("杭州");
  req.mutable_update_mask()->add_paths("region.city");
  v1::Customer out;
  ASSERT_TRUE(service_->Update(admin_, req, &out).ok());
  EXPECT_EQ(out.display_name(), "Mask Co");
  EXPECT_EQ(out.region().city(), "杭州");
  EXPECT_EQ(out.region().province(), "浙江");
  EXPECT_NE(out.etag(), c.etag());

  req.mutable_update_mask()->set_paths(0, "create_time");
  EXPECT_EQ(service_->Update(admin_, req, &out).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(CustomersDbTest, FiltersOnClassificationFields) {
  Create("A 制造 浙江", "制造业", "浙江");
  Create("B 制造 江苏", "制造业", "江苏");
  Create("C 软件 浙江", "软件", "浙江");
  EXPECT_EQ(ListAll(R"(industry = "制造业" AND region.province = "浙江")", "", 10),
            std::vector<std::string>{"A 制造 浙江"});
  EXPECT_EQ(ListAll(R"(tags:"vip" AND NOT region.province = "浙江")", "", 10),
            std::vector<std::string>{"B 制造 江苏"});
  EXPECT_EQ(ListAll(R"(display_name = "x' OR 1=1 --")", "", 10), std::vector<std::string>{});
  EXPECT_EQ(CountRows("customers"), 3);
}

TEST_F(CustomersDbTest, KeysetPagingStaysCorrectWhileRowsAreInserted) {
  for (int i = 0; i < 10; ++i) Create("name-" + std::to_string(10 + i));
  v1::ListCustomersRequest req;
  req.set_order_by("display_name");
  req.set_page_size(3);
  std::vector<std::string> seen;
  for (int page = 0; page < 20; ++page) {
    v1::ListCustomersResponse resp;
    ASSERT_TRUE(service_->List(admin_, req, &resp).ok());
    for (const auto& c : resp.customers()) seen.push_back(c.display_name());
    // Rows sorting before and after the current position arrive between pages.
    Create("name-0" + std::to_string(page));
    Create("name-9" + std::to_string(page));
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "a row was returned twice";
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(unique.contains("name-" + std::to_string(10 + i)));
}

TEST_F(CustomersDbTest, DefaultOrderIsNewestFirstAcrossPages) {
  for (int i = 0; i < 7; ++i) Create("n" + std::to_string(i));
  EXPECT_EQ(ListAll("", "", 2),
            (std::vector<std::string>{"n6", "n5", "n4", "n3", "n2", "n1", "n0"}));
  EXPECT_EQ(ListAll(R"(industry = "制造业" AND region.province = "浙江")", "", 2).size(), 7u);
  EXPECT_EQ(ListAll("", "create_time", 3),
            (std::vector<std::string>{"n0", "n1", "n2", "n3", "n4", "n5", "n6"}));
}

TEST_F(CustomersDbTest, PageTokensAreBoundToTheirQueryAndTamperEvident) {
  for (int i = 0; i < 3; ++i) Create("p" + std::to_string(i));
  v1::ListCustomersRequest req;
  req.set_page_size(1);
  v1::ListCustomersResponse resp;
  ASSERT_TRUE(service_->List(admin_, req, &resp).ok());
  ASSERT_FALSE(resp.next_page_token().empty());

  v1::ListCustomersRequest tampered = req;
  std::string token = resp.next_page_token();
  token[token.size() / 2] = token[token.size() / 2] == 'A' ? 'B' : 'A';
  tampered.set_page_token(token);
  v1::ListCustomersResponse out;
  EXPECT_EQ(service_->List(admin_, tampered, &out).code(), absl::StatusCode::kInvalidArgument);

  v1::ListCustomersRequest other_filter = req;
  other_filter.set_page_token(resp.next_page_token());
  other_filter.set_filter("industry = \"软件\"");
  EXPECT_EQ(service_->List(admin_, other_filter, &out).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(CustomersDbTest, DeletedCustomersAreGoneFromEveryRead) {
  v1::Customer c = Create("Short-lived");
  v1::DeleteCustomerRequest del;
  del.set_name(c.name());
  del.set_etag("\"99\"");
  google::protobuf::Empty deleted;
  EXPECT_EQ(service_->Delete(admin_, del, &deleted).code(), absl::StatusCode::kAborted);
  del.set_etag(c.etag());
  ASSERT_TRUE(service_->Delete(admin_, del, &deleted).ok());

  v1::GetCustomerRequest get;
  get.set_name(c.name());
  v1::Customer out;
  absl::Status st = service_->Get(admin_, get, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(st), "CUSTOMER_NOT_FOUND");
  EXPECT_TRUE(ListAll("", "", 10).empty());
  EXPECT_EQ(CountRows("outbox"), 2);  // created, deleted
}

TEST_F(CustomersDbTest, BadNamesAreInvalidArguments) {
  v1::GetCustomerRequest get;
  v1::Customer out;
  for (const char* name : {"", "customers/", "customers/abc", "orders/1", "customers/0"}) {
    get.set_name(name);
    absl::Status st = service_->Get(admin_, get, &out);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << name;
  }
}

}  // namespace
}  // namespace crm::customers
