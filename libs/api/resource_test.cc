#include "libs/api/resource.h"

#include <set>
#include <string>

#include "crm/customers/v1/customers.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/grpc/status.h"

namespace crm::api {
namespace {

using ::crm::customers::v1::Customer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

void ExpectInvalidOn(const absl::Status& status, std::string_view field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  std::vector<FieldViolation> violations = FieldViolations(status);
  ASSERT_FALSE(violations.empty()) << status;
  for (const FieldViolation& v : violations) EXPECT_EQ(v.field, field);
}

TEST(MaskNamesTest, NamesAPathItselfOrEverythingWithAStar) {
  google::protobuf::FieldMask mask;
  mask.add_paths("owner");
  EXPECT_TRUE(MaskNames(mask, "owner"));
  EXPECT_FALSE(MaskNames(mask, "owners"));
  EXPECT_FALSE(MaskNames(mask, "notes"));
  google::protobuf::FieldMask all;
  all.add_paths("*");
  EXPECT_TRUE(MaskNames(all, "notes"));
  EXPECT_FALSE(MaskNames(google::protobuf::FieldMask(), "owner"));
}

TEST(EtagTest, RoundTripsTheVersion) {
  EXPECT_EQ(EtagFromVersion(7), "\"7\"");
  EXPECT_EQ(VersionFromEtag("\"7\"").value(), 7);
  EXPECT_EQ(VersionFromEtag(EtagFromVersion(0)).value(), 0);
  EXPECT_EQ(VersionFromEtag(EtagFromVersion(9223372036854775807)).value(), 9223372036854775807);
}

TEST(EtagTest, RejectsEtagsThatAreNotOurs) {
  for (std::string_view bad : {"", "7", "\"7", "7\"", "\"\"", "\"", "W/\"7\"", "\"07\"", "\"-1\"",
                               "\"+7\"", "\" 7\"", "\"7x\"", "\"9223372036854775808\""}) {
    absl::StatusOr<int64_t> version = VersionFromEtag(bad);
    ASSERT_FALSE(version.ok()) << bad;
    ExpectInvalidOn(version.status(), "etag");
  }
  ExpectInvalidOn(VersionFromEtag("x", "customer.etag").status(), "customer.etag");
}

TEST(ResourceNameTest, ParsesCanonicalNames) {
  EXPECT_EQ(ParseResourceId("customers/42", "customers").value(), 42);
  EXPECT_EQ(ParseResourceId("customers/9223372036854775807", "customers").value(),
            9223372036854775807);
  EXPECT_EQ(ResourceName("customers", 42), "customers/42");
  EXPECT_EQ(ParseResourceId(ResourceName("orders", 5), "orders").value(), 5);
}

TEST(ResourceNameTest, RejectsEverythingElse) {
  for (std::string_view bad :
       {"", "customers", "customers/", "customers/0", "customers/-1", "customers/4x",
        "customers/+4", "customers/ 4", "customers/4 ", " customers/4", "customers/042", "orders/4",
        "customers//4", "customers/4/contacts/1", "Customers/4", "customers/9223372036854775808",
        "customers/99999999999999999999999"}) {
    absl::StatusOr<int64_t> id = ParseResourceId(bad, "customers");
    ASSERT_FALSE(id.ok()) << bad;
    ExpectInvalidOn(id.status(), "name");
  }
  ExpectInvalidOn(ParseResourceId("x", "customers", "parent").status(), "parent");
}

TEST(ResourceNameTest, ParsesChildNames) {
  absl::StatusOr<ChildId> child = ParseChildResourceId("customers/42/contacts/7", "customers",
                                                       "contacts");
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(child->parent, 42);
  EXPECT_EQ(child->id, 7);
  for (std::string_view bad : {"customers/42", "customers/42/contacts/", "customers/0/contacts/1",
                               "customers/4/merges/1", "contacts/7", "customers/4/contacts/1/x",
                               "x/customers/4/contacts/1"}) {
    absl::StatusOr<ChildId> parsed = ParseChildResourceId(bad, "customers", "contacts", "contact");
    ASSERT_FALSE(parsed.ok()) << bad;
    ExpectInvalidOn(parsed.status(), "contact");
  }
}

class FieldMaskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stored_.set_name("customers/1");
    stored_.set_display_name("Old Name");
    stored_.set_industry("零售");
    stored_.mutable_region()->set_country("CN");
    stored_.mutable_region()->set_province("江苏");
    stored_.mutable_region()->set_city("南京");
    stored_.add_tags("old");
    stored_.add_tags("vip");
    stored_.set_etag("\"3\"");

    request_.set_name("customers/999");
    request_.set_display_name("新名字");
    request_.set_industry("制造业");
    request_.mutable_region()->set_province("浙江");
    request_.mutable_region()->set_city("杭州");
    request_.add_tags("new");
    request_.set_etag("\"1\"");
  }

  absl::Status Apply(std::initializer_list<std::string> paths) {
    google::protobuf::FieldMask mask;
    for (const std::string& path : paths) mask.add_paths(path);
    return ApplyFieldMask(mask, request_, &stored_, updatable_);
  }

  const std::set<std::string> updatable_ = {"display_name", "industry", "region", "tags", "notes"};
  Customer stored_;
  Customer request_;
};

TEST_F(FieldMaskTest, CopiesOnlyNamedFields) {
  ASSERT_TRUE(Apply({"display_name"}).ok());
  EXPECT_EQ(stored_.display_name(), "新名字");
  EXPECT_EQ(stored_.industry(), "零售");
  EXPECT_EQ(stored_.region().city(), "南京");
  EXPECT_THAT(stored_.tags(), ElementsAre("old", "vip"));
}

TEST_F(FieldMaskTest, StarMeansEveryUpdatablePathAndNothingElse) {
  ASSERT_TRUE(Apply({"*"}).ok());
  EXPECT_EQ(stored_.display_name(), "新名字");
  EXPECT_EQ(stored_.industry(), "制造业");
  EXPECT_EQ(stored_.region().province(), "浙江");
  EXPECT_THAT(stored_.tags(), ElementsAre("new"));
  EXPECT_EQ(stored_.name(), "customers/1");
  EXPECT_EQ(stored_.etag(), "\"3\"");
}

TEST_F(FieldMaskTest, SubPathCopiesOnlyThatSubField) {
  ASSERT_TRUE(Apply({"region.city"}).ok());
  EXPECT_EQ(stored_.region().city(), "杭州");
  EXPECT_EQ(stored_.region().province(), "江苏");
  EXPECT_EQ(stored_.region().country(), "CN");
}

TEST_F(FieldMaskTest, MessagePathReplacesTheWholeMessage) {
  ASSERT_TRUE(Apply({"region"}).ok());
  EXPECT_EQ(stored_.region().province(), "浙江");
  EXPECT_EQ(stored_.region().city(), "杭州");
  EXPECT_EQ(stored_.region().country(), "");  // absent in the request, so cleared
}

TEST_F(FieldMaskTest, RepeatedFieldsAreReplacedNotAppended) {
  ASSERT_TRUE(Apply({"tags"}).ok());
  EXPECT_THAT(stored_.tags(), ElementsAre("new"));
  request_.clear_tags();
  ASSERT_TRUE(Apply({"tags"}).ok());
  EXPECT_TRUE(stored_.tags().empty());
}

TEST_F(FieldMaskTest, NamedButUnsetFieldIsCleared) {
  stored_.set_notes("to be cleared");
  ASSERT_TRUE(Apply({"notes"}).ok());
  EXPECT_EQ(stored_.notes(), "");
}

TEST_F(FieldMaskTest, RejectsBadMasksWithoutTouchingTheTarget) {
  const Customer before = stored_;
  ExpectInvalidOn(Apply({}), "update_mask");
  ExpectInvalidOn(Apply({"nope"}), "update_mask");
  ExpectInvalidOn(Apply({"region.street"}), "update_mask");
  ExpectInvalidOn(Apply({"tags.length"}), "update_mask");
  ExpectInvalidOn(Apply({"display_name.x"}), "update_mask");
  ExpectInvalidOn(Apply({"create_time"}), "update_mask");
  ExpectInvalidOn(Apply({"name"}), "update_mask");
  ExpectInvalidOn(Apply({"*", "display_name"}), "update_mask");
  ExpectInvalidOn(Apply({"display_name", "etag"}), "update_mask");
  EXPECT_EQ(stored_.SerializeAsString(), before.SerializeAsString());

  absl::Status status = Apply({"owner_salary", "etag"});
  EXPECT_EQ(FieldViolations(status).size(), 2u);
  EXPECT_THAT(std::string(status.message()), HasSubstr("owner_salary"));
}

TEST_F(FieldMaskTest, ParentOfAnUpdatableSubPathIsNotUpdatable) {
  const std::set<std::string> only_city = {"region.city"};
  google::protobuf::FieldMask mask;
  mask.add_paths("region");
  ExpectInvalidOn(ApplyFieldMask(mask, request_, &stored_, only_city), "update_mask");
  mask.set_paths(0, "region.city");
  EXPECT_TRUE(ApplyFieldMask(mask, request_, &stored_, only_city).ok());
  EXPECT_EQ(stored_.region().city(), "杭州");
  EXPECT_EQ(stored_.region().province(), "江苏");
}

TEST(ValidateRequestId, AcceptsUuidsAndRejectsOddCharacters) {
  EXPECT_TRUE(ValidateRequestId("", false).ok());
  EXPECT_FALSE(ValidateRequestId("", true).ok());
  EXPECT_TRUE(ValidateRequestId("6f1c2a9e-3b7d-4c1e-9f00-0123456789ab", true).ok());
  EXPECT_FALSE(ValidateRequestId("a b", true).ok());
  EXPECT_FALSE(ValidateRequestId(std::string(65, 'a'), true).ok());
}

TEST(ChangedPathsTest, NamesTheTopLevelFieldsWhoseValuesDiffer) {
  Customer before;
  before.set_name("customers/1");
  before.set_display_name("Acme");
  before.mutable_region()->set_city("杭州");
  before.add_tags("vip");
  before.set_etag("\"1\"");
  Customer after = before;
  EXPECT_TRUE(ChangedPaths(before, after).empty());

  after.set_display_name("Acme Ltd");
  after.mutable_region()->set_city("苏州");  // a nested change counts as its top-level field
  after.add_tags("new");
  after.set_notes("");  // set to what it was: not a change
  // Field-number order, whatever order the changes were made in.
  EXPECT_THAT(ChangedPaths(before, after), ElementsAre("display_name", "region", "tags"));

  after.set_etag("\"2\"");
  EXPECT_THAT(ChangedPaths(before, after, {"display_name", "tags", "notes"}),
              ElementsAre("display_name", "tags"))
      << "fields outside paths_to_consider (etag, region) are not reported";
}

TEST(ChangedPathsTest, ARepeatedFieldChangesWhenItsOrderDoes) {
  Customer before;
  before.add_tags("a");
  before.add_tags("b");
  Customer after;
  after.add_tags("b");
  after.add_tags("a");
  EXPECT_THAT(ChangedPaths(before, after), ElementsAre("tags"));
}

}  // namespace
}  // namespace crm::api
