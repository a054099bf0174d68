// The demo set is loaded into every fresh stack; a record the server rejects would make
// `tools/dev up` fail, so these tests hold it to the server's documented limits.
#include "tools/crmctl/activities_demo.h"
#include "tools/crmctl/demo_data.h"
#include "tools/crmctl/knowledge_demo.h"
#include "tools/crmctl/orders_demo.h"

#include <phonenumbers/phonenumberutil.h>

#include <map>
#include <set>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace crm::crmctl {
namespace {

using crm::customers::v1::COMPANY;
using crm::customers::v1::CreateCustomerRequest;
using crm::customers::v1::PERSON;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Limits in the proto are counted in Unicode characters, not bytes.
size_t CodePoints(const std::string& utf8) {
  size_t count = 0;
  for (unsigned char c : utf8) count += (c & 0xC0) != 0x80;
  return count;
}

TEST(DemoDataTest, RequestIdsAreFixedAndDistinct) {
  const auto requests = DemoCustomerRequests();
  ASSERT_GE(requests.size(), 30u);
  EXPECT_EQ(requests.front().request_id(), "demo-owned-customer-001");
  EXPECT_EQ(requests[29].request_id(), "demo-owned-customer-030");
  std::set<std::string> ids;
  for (const auto& request : requests) ids.insert(request.request_id());
  EXPECT_EQ(ids.size(), requests.size());
  // Loading twice must send the same ids, or a re-run would duplicate every customer.
  const auto again = DemoCustomerRequests();
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(again[i].SerializeAsString(), requests[i].SerializeAsString());
  }
}

TEST(DemoDataTest, EveryPhoneIsValidForTheCustomersCountry) {
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  for (const CreateCustomerRequest& request : DemoCustomerRequests()) {
    const auto& customer = request.customer();
    ASSERT_FALSE(customer.phones().empty()) << customer.display_name();
    for (const std::string& phone : customer.phones()) {
      PhoneNumber parsed;
      ASSERT_EQ(util->Parse(phone, customer.region().country(), &parsed),
                PhoneNumberUtil::NO_PARSING_ERROR)
          << phone;
      EXPECT_TRUE(util->IsValidNumber(parsed)) << phone << " for " << customer.display_name();
    }
  }
}

TEST(DemoDataTest, EveryCustomerFitsTheServersLimits) {
  for (const CreateCustomerRequest& request : DemoCustomerRequests()) {
    const auto& customer = request.customer();
    SCOPED_TRACE(customer.display_name());
    EXPECT_GE(CodePoints(customer.display_name()), 1u);
    EXPECT_LE(CodePoints(customer.display_name()), 200u);
    EXPECT_TRUE(customer.kind() == COMPANY || customer.kind() == PERSON);
    EXPECT_LE(CodePoints(customer.industry()), 64u);
    EXPECT_EQ(customer.region().country().size(), 2u);
    EXPECT_LE(CodePoints(customer.region().province()), 64u);
    EXPECT_LE(CodePoints(customer.region().city()), 64u);
    EXPECT_LE(customer.tags_size(), 20);
    std::set<std::string> tags(customer.tags().begin(), customer.tags().end());
    EXPECT_EQ(tags.size(), static_cast<size_t>(customer.tags_size())) << "duplicate tag";
    for (const std::string& tag : customer.tags()) {
      EXPECT_GE(CodePoints(tag), 1u);
      EXPECT_LE(CodePoints(tag), 32u);
    }
    for (const std::string& email : customer.emails()) {
      const size_t at = email.find('@');
      ASSERT_NE(at, std::string::npos) << email;
      EXPECT_GT(at, 0u) << email;
      EXPECT_NE(email.find('.', at), std::string::npos) << email;
    }
  }
}

// The examples in the docs (`region.province = "浙江"`, `tags:"vip"`) must find something.
TEST(DemoDataTest, CoversTheDocumentedExamples) {
  int zhejiang = 0, vip = 0, key_account = 0, fresh = 0, companies = 0, people = 0, us = 0;
  for (const CreateCustomerRequest& request : DemoCustomerRequests()) {
    const auto& customer = request.customer();
    zhejiang += customer.region().province() == "浙江";
    us += customer.region().country() == "US";
    companies += customer.kind() == COMPANY;
    people += customer.kind() == PERSON;
    for (const std::string& tag : customer.tags()) {
      vip += tag == "vip";
      key_account += tag == "key_account";
      fresh += tag == "new";
    }
  }
  EXPECT_GE(zhejiang, 3);
  EXPECT_GE(us, 3);
  EXPECT_GE(companies, 10);
  EXPECT_GE(people, 5);
  EXPECT_GE(vip, 3);
  EXPECT_GE(key_account, 3);
  EXPECT_GE(fresh, 3);
}

// Each demo order must be accepted: its owner a seller who owns the customer, every line a
// product with a price in the order's currency, quantities and discounts in range.
TEST(DemoDataTest, EveryDemoOrderCanBePriced) {
  const auto customers = DemoCustomerRequests();
  std::set<std::string_view> keys;
  for (const DemoOrder& order : DemoOrders()) {
    EXPECT_TRUE(keys.insert(order.key).second) << order.key;
    ASSERT_LT(order.customer_index, customers.size()) << order.key;
    EXPECT_NE(DemoOwnerOf(order.customer_index), "zhou.jie") << order.key << ": marketing";
    ASSERT_FALSE(order.lines.empty()) << order.key;
    for (const DemoOrderLine& line : order.lines) {
      bool priced = false;
      for (const DemoProduct& product : DemoProducts()) {
        if (product.sku != line.sku) continue;
        for (const DemoPrice& price : product.prices) priced |= price.currency == order.currency;
      }
      EXPECT_TRUE(priced) << order.key << ": " << line.sku << " in " << order.currency;
      EXPECT_GE(line.quantity, 1);
    }
  }
}

TEST(DemoDataTest, ContactsBelongToCompaniesWithOnePrimaryEachAndValidPhones) {
  const auto customers = DemoCustomerRequests();
  const auto contacts = DemoContactRequests();
  ASSERT_FALSE(contacts.empty());
  EXPECT_EQ(contacts.front().request.request_id(), "demo-contact-001");
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  std::set<std::string> ids;
  std::map<size_t, int> primaries;
  for (const DemoContact& contact : contacts) {
    ASSERT_LT(contact.customer_index, customers.size());
    const auto& company = customers[contact.customer_index].customer();
    EXPECT_EQ(company.kind(), COMPANY) << company.display_name();
    ids.insert(contact.request.request_id());
    primaries[contact.customer_index] += contact.request.contact().primary();
    for (const std::string& phone : contact.request.contact().phones()) {
      PhoneNumber parsed;
      ASSERT_EQ(util->Parse(phone, company.region().country(), &parsed),
                PhoneNumberUtil::NO_PARSING_ERROR)
          << phone;
      EXPECT_TRUE(util->IsValidNumber(parsed)) << phone;
    }
  }
  EXPECT_EQ(ids.size(), contacts.size());
  for (const auto& [index, count] : primaries) EXPECT_EQ(count, 1) << index;
}

// The demo activities and tasks must be accepted: distinct keys, existing customers, times the
// server reads (RFC 3339), the activities service's limits.
TEST(DemoDataTest, EveryDemoActivityAndTaskIsValid) {
  const auto customers = DemoCustomerRequests();
  std::set<std::string_view> keys;
  absl::Time t;
  std::string error;
  for (const DemoActivity& a : DemoActivities()) {
    EXPECT_TRUE(keys.insert(a.key).second) << a.key;
    EXPECT_LT(a.customer_index, customers.size()) << a.key;
    EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, std::string(a.time), &t, &error)) << a.key;
    EXPECT_NE(a.kind, activities::v1::ACTIVITY_KIND_UNSPECIFIED) << a.key;
    EXPECT_FALSE(a.summary.empty()) << a.key;
    EXPECT_LE(a.duration_seconds, 86'400) << a.key;
  }
  for (const DemoTask& task : DemoTasks()) {
    EXPECT_TRUE(keys.insert(task.key).second) << task.key;
    EXPECT_LT(task.customer_index, customers.size()) << task.key;
    EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, std::string(task.due_time), &t, &error))
        << task.key;
    EXPECT_FALSE(task.title.empty()) << task.key;
  }
}

}  // namespace
}  // namespace crm::crmctl
