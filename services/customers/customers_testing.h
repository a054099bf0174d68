// The fixture of the customers service's integration tests: a migrated throw-away schema
// (libs/service/testing.h), the service's stores and its three gRPC services, callers of every
// role in two teams, and in-memory streams for the streaming handlers.
//
//   class ContactsTest : public customers::testing::CustomersTest {};
//   TEST_F(ContactsTest, ...) { v1::Customer c = CreateCompany(rep1_, "杭州云帆科技有限公司"); }
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/auth/testing.h"
#include "libs/db/testing.h"
#include "libs/grpc/status.h"
#include "libs/service/stream.h"
#include "libs/service/testing.h"
#include "services/customers/bulk_service.h"
#include "services/customers/contact_service.h"
#include "services/customers/service.h"
#include "services/customers/stores.h"

namespace crm::customers::testing {

inline constexpr char kTeam1[] = "teams/1";
inline constexpr char kTeam2[] = "teams/2";

// A client stream held in memory: the messages a test queued, then the end.
template <typename Request>
class QueuedReader final : public service::StreamReader<Request> {
 public:
  void Add(Request request) { queue_.push_back(std::move(request)); }
  bool Read(Request* request) override {
    if (queue_.empty()) return false;
    *request = std::move(queue_.front());
    queue_.pop_front();
    return true;
  }

 private:
  std::deque<Request> queue_;
};

// A server stream collected in memory; it can be told to fail after some writes, as when the
// client goes away.
template <typename Response>
class CollectingWriter final : public service::StreamWriter<Response> {
 public:
  explicit CollectingWriter(int fail_after = -1) : fail_after_(fail_after) {}
  bool Write(const Response& response) override {
    if (fail_after_ >= 0 && static_cast<int>(written.size()) >= fail_after_) return false;
    written.push_back(response);
    return true;
  }
  std::vector<Response> written;

 private:
  int fail_after_;
};

class CustomersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto test = service::testing::TestKit::Create("customers", CRM_CUSTOMERS_SCHEMA_DIR);
    ASSERT_TRUE(test.ok()) << test.status();
    test_ = std::move(*test);
    pool_ = &test_->pool();
    stores_ = std::make_unique<Stores>(*pool_, test_->clock());
    customers_ = std::make_unique<CustomerService>(test_->kit(), *stores_, ServiceOptions{});
    contacts_ = std::make_unique<ContactService>(test_->kit(), *stores_, ServiceOptions{});
    bulk_ = std::make_unique<CustomerBulkService>(test_->kit(), *stores_, ServiceOptions{});
    test_->users().Add(1, auth::v1::ADMIN, "");
    test_->users().Add(10, auth::v1::SALES_MANAGER, kTeam1);
    test_->users().Add(11, auth::v1::SALES_REP, kTeam1);
    test_->users().Add(12, auth::v1::SALES_REP, kTeam1);
    test_->users().Add(20, auth::v1::SALES_MANAGER, kTeam2);
    test_->users().Add(21, auth::v1::SALES_REP, kTeam2);
    test_->users().Add(30, auth::v1::MARKETING, "");
    test_->users().Add(40, auth::v1::SUPPORT, "");
  }

  // A COMPANY owned by the caller, with the given phones and e-mails.
  absl::StatusOr<v1::Customer> TryCreate(const auth::Caller& caller, const std::string& name,
                                         std::vector<std::string> phones = {},
                                         std::vector<std::string> emails = {},
                                         bool allow_duplicate = false,
                                         v1::CustomerKind kind = v1::COMPANY) {
    v1::CreateCustomerRequest request;
    request.set_allow_duplicate(allow_duplicate);
    v1::Customer* c = request.mutable_customer();
    c->set_display_name(name);
    c->set_kind(kind);
    c->mutable_region()->set_country("CN");
    c->mutable_region()->set_province("浙江");
    for (std::string& phone : phones) c->add_phones(std::move(phone));
    for (std::string& email : emails) c->add_emails(std::move(email));
    v1::Customer out;
    CRM_RETURN_IF_ERROR(customers_->Create(caller, request, &out));
    return out;
  }
  v1::Customer CreateCompany(const auth::Caller& caller, const std::string& name,
                             std::vector<std::string> phones = {},
                             std::vector<std::string> emails = {}) {
    absl::StatusOr<v1::Customer> created =
        TryCreate(caller, name, std::move(phones), std::move(emails));
    EXPECT_TRUE(created.ok()) << name << ": " << created.status();
    return created.ok() ? *created : v1::Customer();
  }

  absl::StatusOr<v1::Contact> TryAddContact(const auth::Caller& caller,
                                            const std::string& customer, v1::Contact contact) {
    v1::CreateContactRequest request;
    request.set_parent(customer);
    *request.mutable_contact() = std::move(contact);
    v1::Contact out;
    CRM_RETURN_IF_ERROR(contacts_->Create(caller, request, &out));
    return out;
  }
  v1::Contact AddContact(const auth::Caller& caller, const std::string& customer,
                         const std::string& name, std::vector<std::string> phones = {}) {
    v1::Contact contact;
    contact.set_display_name(name);
    for (std::string& phone : phones) contact.add_phones(std::move(phone));
    absl::StatusOr<v1::Contact> added = TryAddContact(caller, customer, contact);
    EXPECT_TRUE(added.ok()) << name << ": " << added.status();
    return added.ok() ? *added : v1::Contact();
  }

  absl::StatusOr<v1::Customer> Get(const auth::Caller& caller, const std::string& name) {
    v1::GetCustomerRequest request;
    request.set_name(name);
    v1::Customer out;
    CRM_RETURN_IF_ERROR(customers_->Get(caller, request, &out));
    return out;
  }

  absl::StatusOr<v1::Customer> Update(const auth::Caller& caller, const v1::Customer& changes,
                                      std::vector<std::string> paths, bool allow_duplicate = false) {
    v1::UpdateCustomerRequest request;
    *request.mutable_customer() = changes;
    for (std::string& path : paths) request.mutable_update_mask()->add_paths(std::move(path));
    request.set_allow_duplicate(allow_duplicate);
    v1::Customer out;
    CRM_RETURN_IF_ERROR(customers_->Update(caller, request, &out));
    return out;
  }

  // Every history entry of `customer` as `caller` sees it, newest first.
  absl::StatusOr<std::vector<v1::HistoryEntry>> History(const auth::Caller& caller,
                                                        const std::string& customer,
                                                        const std::string& filter = "",
                                                        int page_size = 0) {
    std::vector<v1::HistoryEntry> entries;
    v1::ListCustomerHistoryRequest request;
    request.set_parent(customer);
    request.set_filter(filter);
    request.set_page_size(page_size);
    for (int guard = 0; guard < 1000; ++guard) {
      v1::ListCustomerHistoryResponse response;
      CRM_RETURN_IF_ERROR(customers_->History(caller, request, &response));
      for (const v1::HistoryEntry& entry : response.entries()) entries.push_back(entry);
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return entries;
  }

  int64_t Count(const std::string& sql) {
    absl::StatusOr<std::vector<int64_t>> values = db::testing::QueryInts(*pool_, sql);
    EXPECT_TRUE(values.ok()) << sql << ": " << values.status();
    return values.ok() && !values->empty() ? (*values)[0] : -1;
  }
  int64_t Events(const std::string& type) {
    return Count(absl::StrCat("SELECT COUNT(*) FROM outbox WHERE event_type = '", type, "'"));
  }

  std::unique_ptr<service::testing::TestKit> test_;
  db::Pool* pool_ = nullptr;
  std::unique_ptr<Stores> stores_;
  std::unique_ptr<CustomerService> customers_;
  std::unique_ptr<ContactService> contacts_;
  std::unique_ptr<CustomerBulkService> bulk_;

  const auth::Caller admin_ = auth::testing::MakeCaller(1, auth::v1::ADMIN);
  const auth::Caller manager1_ =
      auth::testing::MakeCaller(10, auth::v1::SALES_MANAGER, kTeam1, {kTeam1});
  const auth::Caller rep1_ = auth::testing::MakeCaller(11, auth::v1::SALES_REP, kTeam1);
  const auth::Caller rep1b_ = auth::testing::MakeCaller(12, auth::v1::SALES_REP, kTeam1);
  const auth::Caller manager2_ =
      auth::testing::MakeCaller(20, auth::v1::SALES_MANAGER, kTeam2, {kTeam2});
  const auth::Caller rep2_ = auth::testing::MakeCaller(21, auth::v1::SALES_REP, kTeam2);
  const auth::Caller marketing_ = auth::testing::MakeCaller(30, auth::v1::MARKETING);
  const auth::Caller support_ = auth::testing::MakeCaller(40, auth::v1::SUPPORT);
};

}  // namespace crm::customers::testing
