// Field history against a real MariaDB schema: every field of an update recorded with its old
// and new value, who and when; creates and deletes; filters and pages; the record rules.
#include <map>

#include "services/customers/customers_testing.h"

namespace crm::customers {
namespace {

class HistoryTest : public testing::CustomersTest {};

TEST_F(HistoryTest, EveryChangedFieldIsRecordedWithOldAndNewValues) {
  const v1::Customer created =
      CreateCompany(rep1_, "杭州云帆科技有限公司", {"0571-8888 6666"}, {"a@yunfan.cn"});
  test_->clock().Advance(absl::Hours(1));
  v1::Customer changes;
  changes.set_name(created.name());
  changes.set_display_name("杭州云帆智能科技有限公司");
  changes.set_kind(v1::COMPANY);
  changes.set_industry("软件");
  changes.set_size_band(v1::MEDIUM);
  changes.mutable_region()->set_country("CN");
  changes.mutable_region()->set_province("浙江");
  changes.mutable_region()->set_city("杭州");
  changes.set_address("文三路 90 号");
  changes.add_tags("vip");
  changes.add_emails("b@yunfan.cn");
  changes.add_phones("0571-8702 1234");
  changes.set_source("trade_show");
  changes.set_owner(rep1_.principal.user);
  changes.set_notes("line 1\nline 2");
  changes.set_external_id("ERP-1");
  v1::RelationshipDate* date = changes.add_dates();
  date->set_kind(v1::COMPANY_ANNIVERSARY);
  date->set_year(2010);
  date->set_month(6);
  date->set_day(18);
  date->set_yearly(true);
  ASSERT_TRUE(Update(rep1_, changes, {"*"}).ok());

  absl::StatusOr<std::vector<v1::HistoryEntry>> history =
      History(rep1_, created.name(), "action = UPDATED");
  ASSERT_TRUE(history.ok()) << history.status();
  std::map<std::string, std::pair<std::string, std::string>> by_field;
  for (const v1::HistoryEntry& entry : *history) {
    by_field[entry.field()] = {entry.old_value(), entry.new_value()};
    EXPECT_EQ(entry.actor(), rep1_.principal.user);
    EXPECT_EQ(entry.source(), v1::API);
    EXPECT_EQ(entry.resource(), created.name());
    EXPECT_EQ(entry.change_time().seconds(), absl::ToUnixSeconds(test_->clock().Now()));
  }
  using Change = std::pair<std::string, std::string>;
  EXPECT_EQ(by_field["display_name"], Change("杭州云帆科技有限公司", "杭州云帆智能科技有限公司"));
  EXPECT_EQ(by_field["industry"], Change("", "软件"));
  EXPECT_EQ(by_field["size_band"], Change("SIZE_BAND_UNSPECIFIED", "MEDIUM"));
  EXPECT_EQ(by_field["region.city"], Change("", "杭州"));
  EXPECT_EQ(by_field["address"], Change("", "文三路 90 号"));
  EXPECT_EQ(by_field["tags"], Change("", "vip"));
  EXPECT_EQ(by_field["emails"], Change("a@yunfan.cn", "b@yunfan.cn"));
  EXPECT_EQ(by_field["phones"], Change("+8657188886666", "+8657187021234"));
  EXPECT_EQ(by_field["source"], Change("", "trade_show"));
  EXPECT_EQ(by_field["notes"], Change("", "line 1\nline 2"));
  EXPECT_EQ(by_field["external_id"], Change("", "ERP-1"));
  EXPECT_EQ(by_field["dates"], Change("", "COMPANY_ANNIVERSARY GREGORIAN 2010-06-18 YEARLY"));
  // Unchanged fields are not recorded.
  EXPECT_FALSE(by_field.contains("kind"));
  EXPECT_FALSE(by_field.contains("owner"));
  EXPECT_FALSE(by_field.contains("region.province"));
  EXPECT_EQ(by_field.size(), 12u);
}

TEST_F(HistoryTest, CreateAndDeleteAreRecordedAndPagesAreNewestFirst) {
  const v1::Customer created = CreateCompany(rep1_, "History Pages Ltd");
  for (int i = 0; i < 5; ++i) {
    v1::Customer notes;
    notes.set_name(created.name());
    notes.set_notes(absl::StrCat("note ", i));
    ASSERT_TRUE(Update(rep1_, notes, {"notes"}).ok());
  }
  v1::DeleteCustomerRequest remove;
  remove.set_name(created.name());
  google::protobuf::Empty empty;
  // Deleted customers' history is readable no more: read it first, then delete.
  for (int page_size : {1, 2, 50}) {
    absl::StatusOr<std::vector<v1::HistoryEntry>> all =
        History(rep1_, created.name(), "", page_size);
    ASSERT_TRUE(all.ok()) << all.status();
    ASSERT_EQ(all->size(), 6u);
    EXPECT_EQ(all->front().new_value(), "note 4");
    EXPECT_EQ(all->back().action(), v1::CREATED);
    EXPECT_EQ(all->back().new_value(), "History Pages Ltd");
  }
  ASSERT_TRUE(customers_->Delete(rep1_, remove, &empty).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM customer_history WHERE action = 3"), 1);
}

TEST_F(HistoryTest, HistoryFollowsTheCustomersRecordRules) {
  const v1::Customer mine = CreateCompany(rep1_, "Rules Apply Ltd");
  absl::StatusOr<std::vector<v1::HistoryEntry>> other = History(rep2_, mine.name());
  EXPECT_EQ(ErrorReason(other.status()), "CUSTOMER_NOT_FOUND");
  EXPECT_TRUE(History(manager1_, mine.name()).ok());
  EXPECT_TRUE(History(support_, mine.name()).ok());
  EXPECT_EQ(ErrorReason(History(admin_, mine.name(), "colour = \"red\"").status()),
            "INVALID_FILTER");
}

}  // namespace
}  // namespace crm::customers
