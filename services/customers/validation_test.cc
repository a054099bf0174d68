#include "services/customers/validation.h"

#include <gtest/gtest.h>

#include "libs/grpc/status.h"

namespace crm::customers {
namespace {

v1::Customer Valid() {
  v1::Customer c;
  c.set_display_name("  杭州某某科技有限公司\u3000");
  c.set_kind(v1::COMPANY);
  c.mutable_region()->set_country("cn");
  c.mutable_region()->set_province("浙江");
  c.mutable_region()->set_city("杭州");
  c.add_tags(" VIP ");
  c.add_emails("Sales@Example.COM");
  c.add_phones("0571-8888 6666");
  c.add_phones("138 0013 8000");
  return c;
}

std::vector<std::string> ViolatedFields(const absl::Status& status) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolations(status)) out.push_back(v.field);
  return out;
}

TEST(NormalizeAndValidate, NormalisesAValidCustomer) {
  v1::Customer c = Valid();
  ASSERT_TRUE(NormalizeAndValidate(c, "customer", "CN").ok());
  EXPECT_EQ(c.display_name(), "杭州某某科技有限公司");
  EXPECT_EQ(c.region().country(), "CN");
  EXPECT_EQ(c.tags(0), "vip");
  EXPECT_EQ(c.emails(0), "Sales@example.com");
  EXPECT_EQ(c.phones(0), "+8657188886666");
  EXPECT_EQ(c.phones(1), "+8613800138000");
}

TEST(NormalizeAndValidate, UsesTheCustomersCountryForNationalNumbers) {
  v1::Customer c = Valid();
  c.mutable_region()->set_country("US");
  c.clear_phones();
  c.add_phones("(650) 253-0000");
  ASSERT_TRUE(NormalizeAndValidate(c, "customer", "CN").ok());
  EXPECT_EQ(c.phones(0), "+16502530000");
}

TEST(NormalizeAndValidate, ReportsEveryBadFieldAtOnce) {
  v1::Customer c;
  c.set_display_name("   ");
  c.mutable_region()->set_country("CHN");
  c.add_emails("not-an-email");
  c.add_phones("12345");
  c.add_tags("a");
  c.add_tags("A");
  c.set_owner("bob");
  absl::Status st = NormalizeAndValidate(c, "customer", "CN");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ViolatedFields(st),
            (std::vector<std::string>{"customer.display_name", "customer.kind",
                                      "customer.region.country", "customer.owner",
                                      "customer.tags[1]", "customer.emails[0]",
                                      "customer.phones[0]"}));
}

TEST(NormalizeAndValidate, CountsLimitsInCharactersNotBytes) {
  v1::Customer c = Valid();
  std::string name;
  for (int i = 0; i < 200; ++i) name += "中";  // 600 bytes, 200 characters
  c.set_display_name(name);
  EXPECT_TRUE(NormalizeAndValidate(c, "customer", "CN").ok());
  c.set_display_name(name + "中");
  EXPECT_EQ(ViolatedFields(NormalizeAndValidate(c, "customer", "CN")),
            std::vector<std::string>{"customer.display_name"});
}

TEST(NormalizeAndValidate, EnforcesCountsAndControlCharacters) {
  v1::Customer c = Valid();
  for (int i = 0; i < 20; ++i) c.add_tags("t" + std::to_string(i));
  c.set_industry("bad\x01text");
  auto fields = ViolatedFields(NormalizeAndValidate(c, "customer", "CN"));
  EXPECT_NE(std::find(fields.begin(), fields.end(), "customer.tags"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "customer.industry"), fields.end());
}

}  // namespace
}  // namespace crm::customers
