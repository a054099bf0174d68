// SearchCustomers against a real MariaDB schema: the Chinese examples, phone fragments,
// contacts' names and numbers, ranking, filters, paging, and the index following every write.
#include "services/customers/customers_testing.h"

namespace crm::customers {
namespace {

class SearchTest : public testing::CustomersTest {
 protected:
  // The display names of every hit, in rank order, read `page_size` at a time.
  absl::StatusOr<std::vector<std::string>> Find(const auth::Caller& caller,
                                                const std::string& query,
                                                const std::string& filter = "",
                                                int page_size = 20) {
    std::vector<std::string> names;
    v1::SearchCustomersRequest request;
    request.set_query(query);
    request.set_filter(filter);
    request.set_page_size(page_size);
    for (int guard = 0; guard < 100; ++guard) {
      v1::SearchCustomersResponse response;
      CRM_RETURN_IF_ERROR(customers_->Search(caller, request, &response));
      for (const auto& result : response.results()) {
        names.push_back(result.customer().display_name());
      }
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return names;
  }
  std::vector<std::string> Names(const auth::Caller& caller, const std::string& query,
                                 const std::string& filter = "", int page_size = 20) {
    absl::StatusOr<std::vector<std::string>> names = Find(caller, query, filter, page_size);
    EXPECT_TRUE(names.ok()) << query << ": " << names.status();
    return names.ok() ? *names : std::vector<std::string>{};
  }
};

TEST_F(SearchTest, FindsChineseNamesByPartsAndPhonesByFragments) {
  CreateCompany(rep1_, "杭州某某科技有限公司", {"0571-8888 6666"});
  CreateCompany(rep1_, "苏州精工机械", {"0512-6523 1234"});
  CreateCompany(rep1_, "Acme Bearings Inc.", {}, {"sales@acme-bearings.example"});
  EXPECT_EQ(Names(admin_, "杭州"), std::vector<std::string>{"杭州某某科技有限公司"});
  EXPECT_EQ(Names(admin_, "精工"), std::vector<std::string>{"苏州精工机械"});
  EXPECT_EQ(Names(admin_, "88886666"), std::vector<std::string>{"杭州某某科技有限公司"});
  EXPECT_EQ(Names(admin_, "+86 512 6523 1234"), std::vector<std::string>{"苏州精工机械"});
  EXPECT_EQ(Names(admin_, "bear"), std::vector<std::string>{"Acme Bearings Inc."});
  EXPECT_EQ(Names(admin_, "acme-bearings"), std::vector<std::string>{"Acme Bearings Inc."});
  EXPECT_TRUE(Names(admin_, "深圳").empty());
}

TEST_F(SearchTest, FindsCustomersByTheirContactsNotesAndTagsAndFollowsChanges) {
  const v1::Customer company = CreateCompany(rep1_, "宁波东海制造股份有限公司");
  const v1::Contact contact = AddContact(rep1_, company.name(), "王建国", {"138 0013 8000"});
  EXPECT_EQ(Names(admin_, "王建国"), std::vector<std::string>{"宁波东海制造股份有限公司"});
  EXPECT_EQ(Names(admin_, "00138000"), std::vector<std::string>{"宁波东海制造股份有限公司"});

  v1::Customer change;
  change.set_name(company.name());
  change.set_notes("年底采购数控机床");
  change.add_tags("key_account");
  ASSERT_TRUE(Update(rep1_, change, {"notes", "tags"}).ok());
  EXPECT_EQ(Names(admin_, "数控机床").size(), 1u);
  EXPECT_EQ(Names(admin_, "key_account").size(), 1u);

  v1::DeleteContactRequest remove;
  remove.set_name(contact.name());
  google::protobuf::Empty empty;
  ASSERT_TRUE(contacts_->Delete(rep1_, remove, &empty).ok());
  EXPECT_TRUE(Names(admin_, "王建国").empty());

  v1::DeleteCustomerRequest gone;
  gone.set_name(company.name());
  ASSERT_TRUE(customers_->Delete(rep1_, gone, &empty).ok());
  EXPECT_TRUE(Names(admin_, "数控机床").empty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM customer_search"), 0);
}

TEST_F(SearchTest, NameHitsOutrankOtherHitsAndFiltersNarrow) {
  CreateCompany(rep1_, "Notes Mention Co");
  v1::Customer notes;
  notes.set_name(CreateCompany(rep1_, "Unrelated Name Ltd").name());
  notes.set_notes("talked about the Zephyr line");
  ASSERT_TRUE(Update(rep1_, notes, {"notes"}).ok());
  CreateCompany(rep1_, "Zephyr Machines Ltd");
  EXPECT_EQ(Names(admin_, "zephyr"),
            (std::vector<std::string>{"Zephyr Machines Ltd", "Unrelated Name Ltd"}));
  EXPECT_EQ(Names(admin_, "zephyr", "display_name = \"Unrelated Name Ltd\""),
            std::vector<std::string>{"Unrelated Name Ltd"});
}

TEST_F(SearchTest, PagesAreStableAndTokensAreBoundToTheSearch) {
  for (int i = 0; i < 7; ++i) CreateCompany(rep1_, absl::StrCat("浙江 客户 ", i, " 号"));
  const std::vector<std::string> whole = Names(admin_, "浙江", "", 100);
  ASSERT_EQ(whole.size(), 7u);
  for (int page_size : {1, 2, 3}) EXPECT_EQ(Names(admin_, "浙江", "", page_size), whole);

  v1::SearchCustomersRequest request;
  request.set_query("浙江");
  request.set_page_size(2);
  v1::SearchCustomersResponse response;
  ASSERT_TRUE(customers_->Search(admin_, request, &response).ok());
  request.set_page_token(response.next_page_token());
  request.set_query("客户");
  EXPECT_EQ(ErrorReason(customers_->Search(admin_, request, &response)), "INVALID_PAGE_TOKEN");
  request.set_query("浙江");
  EXPECT_EQ(ErrorReason(customers_->Search(marketing_, request, &response)),
            "INVALID_PAGE_TOKEN");
}

TEST_F(SearchTest, BadQueriesAndFiltersAreInvalidArguments) {
  absl::StatusOr<std::vector<std::string>> empty = Find(admin_, " ,. ");
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolations(empty.status())[0].field, "query");
  absl::StatusOr<std::vector<std::string>> filter = Find(admin_, "acme", "nonsense = 1");
  EXPECT_EQ(ErrorReason(filter.status()), "INVALID_FILTER");
}

}  // namespace
}  // namespace crm::customers
