// The duplicate rules against a real MariaDB schema: creates and updates refused with the
// matches the caller may see, allow_duplicate recorded in history, FindDuplicates in pages,
// and nothing of another team's customers shown.
#include "services/customers/customers_testing.h"

namespace crm::customers {
namespace {

class DuplicatesTest : public testing::CustomersTest {
 protected:
  std::vector<v1::DuplicateGroup> AllGroups(const auth::Caller& caller, int page_size,
                                            const std::string& filter = "") {
    std::vector<v1::DuplicateGroup> groups;
    v1::FindDuplicatesRequest request;
    request.set_page_size(page_size);
    request.set_filter(filter);
    for (int guard = 0; guard < 100; ++guard) {
      v1::FindDuplicatesResponse response;
      absl::Status status = customers_->Duplicates(caller, request, &response);
      EXPECT_TRUE(status.ok()) << status;
      if (!status.ok()) break;
      for (const v1::DuplicateGroup& g : response.groups()) groups.push_back(g);
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return groups;
  }
};

TEST_F(DuplicatesTest, ACreateMatchingByPhoneEmailOrCompanyNameIsRefusedWithTheMatches) {
  const v1::Customer original =
      CreateCompany(rep1_, "苏州精工机械有限公司", {"0512-6523 1234"}, {"info@jinggong.cn"});
  const int64_t before = Count("SELECT COUNT(*) FROM customers");

  // The same company written differently, the same phone in another format, the same e-mail
  // in other case: each alone is a match.
  for (auto [name, phone, email] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"苏州 精工机械（股份有限公司）", "", ""},
           {"Other Name Ltd", "+86 512 6523 1234", ""},
           {"Third Name Ltd", "", "INFO@Jinggong.CN"}}) {
    absl::StatusOr<v1::Customer> dup =
        TryCreate(rep1_, name, phone.empty() ? std::vector<std::string>{}
                                             : std::vector<std::string>{phone},
                  email.empty() ? std::vector<std::string>{} : std::vector<std::string>{email});
    ASSERT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists) << name;
    EXPECT_EQ(ErrorReason(dup.status()), "DUPLICATE_CUSTOMER");
    EXPECT_EQ(ErrorMetadata(dup.status(), "duplicates"), original.name());
    EXPECT_EQ(ErrorMetadata(dup.status(), "hidden_duplicates"), "0");
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM customers"), before);
  // A different company is fine; people are not matched by name.
  EXPECT_TRUE(TryCreate(rep1_, "苏州精工电子有限公司").ok());
  EXPECT_TRUE(TryCreate(rep1_, "张伟", {}, {}, false, v1::PERSON).ok());
  EXPECT_TRUE(TryCreate(rep1_, "张伟", {}, {}, false, v1::PERSON).ok());
}

TEST_F(DuplicatesTest, AMatchTheCallerCannotSeeBlocksWithoutNamingIt) {
  CreateCompany(rep2_, "Hidden Team Two Ltd", {"+1 650-253-0000"});
  absl::StatusOr<v1::Customer> dup = TryCreate(rep1_, "Mine Ltd", {"+1 650-253-0000"});
  ASSERT_EQ(ErrorReason(dup.status()), "DUPLICATE_CUSTOMER");
  EXPECT_EQ(ErrorMetadata(dup.status(), "duplicates"), "");
  EXPECT_EQ(ErrorMetadata(dup.status(), "hidden_duplicates"), "1");
  EXPECT_EQ(dup.status().message().find("customers/"), std::string_view::npos)
      << dup.status();
}

TEST_F(DuplicatesTest, AllowDuplicateCreatesItAndRecordsTheChoice) {
  const v1::Customer original = CreateCompany(rep1_, "Acme Trading Co., Ltd.");
  absl::StatusOr<v1::Customer> second =
      TryCreate(rep1_, "ACME TRADING LIMITED", {}, {}, /*allow_duplicate=*/true);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->company_match_key(), original.company_match_key());
  absl::StatusOr<std::vector<v1::HistoryEntry>> history =
      History(rep1_, second->name(), "action = DUPLICATE_ALLOWED");
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].new_value(), original.name());
  EXPECT_EQ((*history)[0].actor(), rep1_.principal.user);
}

TEST_F(DuplicatesTest, AnUpdateIsCheckedForWhatItAdds) {
  const v1::Customer a = CreateCompany(rep1_, "Alpha Ltd", {"0571-8888 6666"});
  const v1::Customer b = CreateCompany(rep1_, "Beta Ltd");
  v1::Customer change;
  change.set_name(b.name());
  change.add_phones("0571-8888 6666");
  absl::StatusOr<v1::Customer> refused = Update(rep1_, change, {"phones"});
  ASSERT_EQ(ErrorReason(refused.status()), "DUPLICATE_CUSTOMER");
  EXPECT_EQ(ErrorMetadata(refused.status(), "duplicates"), a.name());
  ASSERT_TRUE(Update(rep1_, change, {"phones"}, /*allow_duplicate=*/true).ok());
  // Now both share the phone; changing something else is not refused again.
  v1::Customer notes;
  notes.set_name(b.name());
  notes.set_notes("met at the fair");
  EXPECT_TRUE(Update(rep1_, notes, {"notes"}).ok());
  // Renaming a company into another's name is a match.
  v1::Customer rename;
  rename.set_name(b.name());
  rename.set_display_name("ALPHA LIMITED");
  EXPECT_EQ(ErrorReason(Update(rep1_, rename, {"display_name"}).status()), "DUPLICATE_CUSTOMER");
}

TEST_F(DuplicatesTest, FindDuplicatesGroupsByRuleAndKeyInPages) {
  // Three pairs in rep1's team, one pair across teams (visible to admin only).
  CreateCompany(rep1_, "Gamma Ltd", {"0571-8702 1234"});
  ASSERT_TRUE(TryCreate(rep1b_, "Gamma Limited", {}, {}, true).ok());
  CreateCompany(rep1_, "Delta One", {"0592-555 1234"});
  ASSERT_TRUE(TryCreate(rep1b_, "Delta Two", {"0592-555 1234"}, {}, true).ok());
  CreateCompany(rep1_, "Eps One", {}, {"x@eps.cn"});
  ASSERT_TRUE(TryCreate(manager1_, "Eps Two", {}, {"X@EPS.CN"}, true).ok());
  CreateCompany(rep1_, "Zeta One", {"0755-8666 1234"});
  ASSERT_TRUE(TryCreate(rep2_, "Zeta Two", {"0755-8666 1234"}, {}, true).ok());

  for (int page_size : {1, 2, 10}) {
    const std::vector<v1::DuplicateGroup> all = AllGroups(admin_, page_size);
    ASSERT_EQ(all.size(), 4u) << page_size;
    EXPECT_EQ(all[0].rule(), v1::SAME_EMAIL);
    EXPECT_EQ(all[0].key(), "x@eps.cn");
    EXPECT_EQ(all[1].rule(), v1::SAME_PHONE);
    EXPECT_EQ(all[3].rule(), v1::SAME_COMPANY_NAME);
    EXPECT_EQ(all[3].key(), "gamma");
    for (const auto& g : all) EXPECT_EQ(g.customers_size(), 2) << g.key();
  }
  // The manager of team 1 sees their team's three groups; the cross-team pair has one
  // customer they may read, which is no group.
  EXPECT_EQ(AllGroups(manager1_, 1).size(), 3u);
  // rep1 owns one of each pair only: no groups at all.
  EXPECT_TRUE(AllGroups(rep1_, 1).empty());
  // A filter narrows the customers grouped.
  EXPECT_EQ(AllGroups(admin_, 5, "display_name = \"Zeta One\" OR display_name = \"Zeta Two\"")
                .size(),
            1u);
}

}  // namespace
}  // namespace crm::customers
