// A rep's reads never reveal another team's customers: search, export, history, duplicate
// groups, upcoming dates and contacts, with several filters and page sizes, against customers
// that match every query equally well in both teams.
#include "libs/base/csv.h"
#include "services/customers/customers_testing.h"

namespace crm::customers {
namespace {

class VisibilityTest : public testing::CustomersTest {
 protected:
  void SetUp() override {
    CustomersTest::SetUp();
    if (HasFatalFailure()) return;
    // Pairs of look-alikes, one in each team, sharing phones, e-mails and names.
    for (int i = 0; i < 6; ++i) {
      const std::string phone = absl::StrCat("0571-8888 66", 10 + i);
      const std::string email = absl::StrCat("buyer", i, "@hz-tech.cn");
      absl::StatusOr<v1::Customer> mine =
          TryCreate(rep1_, absl::StrCat("杭州科技 ", i, " 号有限公司"), {phone}, {email}, true);
      absl::StatusOr<v1::Customer> theirs =
          TryCreate(rep2_, absl::StrCat("杭州科技 ", i, " 号"), {phone}, {email}, true);
      ASSERT_TRUE(mine.ok() && theirs.ok());
      mine_.insert(mine->name());
      theirs_.insert(theirs->name());
      AddContact(rep2_, theirs->name(), "张经理");
      AddContact(rep1_, mine->name(), "张经理");
      // A second look-alike of my own, so that my duplicate groups are not empty.
      if (i < 2) {
        absl::StatusOr<v1::Customer> twin =
            TryCreate(rep1_, absl::StrCat("杭州科技 ", i, " 号"), {}, {}, true);
        ASSERT_TRUE(twin.ok());
        mine_.insert(twin->name());
      }
    }
  }

  void ExpectMine(const std::string& name, const std::string& context) {
    EXPECT_TRUE(mine_.contains(name)) << context << " showed " << name;
    EXPECT_FALSE(theirs_.contains(name)) << context << " revealed " << name;
  }

  std::set<std::string> mine_;
  std::set<std::string> theirs_;
};

TEST_F(VisibilityTest, SearchShowsOnlyTheRepsOwn) {
  for (std::string query : {"杭州", "科技", "88886610", "buyer1", "张经理", "hz-tech"}) {
    for (std::string filter : {"", "region.province = \"浙江\"",
                                       "NOT display_name = \"x\"", "owner = \"users/21\""}) {
      for (int page_size : {1, 3, 100}) {
        v1::SearchCustomersRequest request;
        request.set_query(query);
        request.set_filter(filter);
        request.set_page_size(page_size);
        int pages = 0;
        size_t found = 0;
        do {
          v1::SearchCustomersResponse response;
          ASSERT_TRUE(customers_->Search(rep1_, request, &response).ok()) << query;
          found += response.results_size();
          for (const auto& r : response.results()) ExpectMine(r.customer().name(), query);
          if (filter == "owner = \"users/21\"") {
            EXPECT_EQ(response.results_size(), 0);
          }
          request.set_page_token(response.next_page_token());
        } while (!request.page_token().empty() && ++pages < 100);
        // Each query matches customers of both reps: the rep's own are found.
        if (filter.empty()) {
          EXPECT_GT(found, 0u) << query;
        }
      }
    }
  }
}

TEST_F(VisibilityTest, ExportHistoryAndDuplicatesShowOnlyTheRepsOwn) {
  for (std::string filter : {"", "display_name:\"杭州\"", "owner = \"users/21\"",
                                     "phones:\"+8657188886611\""}) {
    v1::ExportCustomersRequest request;
    request.set_filter(filter);
    request.set_format(v1::MESSAGES);
    testing::CollectingWriter<v1::ExportCustomersResponse> out;
    ASSERT_TRUE(bulk_->Export(rep1_, request, out).ok()) << filter;
    for (const auto& piece : out.written) {
      for (const auto& c : piece.customers()) ExpectMine(c.name(), "export " + filter);
    }
  }
  for (const std::string& name : theirs_) {
    EXPECT_EQ(ErrorReason(History(rep1_, name).status()), "CUSTOMER_NOT_FOUND");
  }
  for (std::string filter : {"", "region.country = \"CN\"", "owner = \"users/21\""}) {
    for (int page_size : {1, 2, 50}) {
      v1::FindDuplicatesRequest request;
      request.set_filter(filter);
      request.set_page_size(page_size);
      int groups = 0, pages = 0;
      do {
        v1::FindDuplicatesResponse response;
        ASSERT_TRUE(customers_->Duplicates(rep1_, request, &response).ok());
        for (const auto& group : response.groups()) {
          ++groups;
          EXPECT_GE(group.customers_size(), 2);
          for (const auto& c : group.customers()) ExpectMine(c.name(), "duplicates " + filter);
        }
        request.set_page_token(response.next_page_token());
      } while (!request.page_token().empty() && ++pages < 100);
      // The two twins by name; the look-alikes across teams are no group for the rep.
      EXPECT_EQ(groups, filter == "owner = \"users/21\"" ? 0 : 2) << filter << " " << page_size;
    }
  }
}

TEST_F(VisibilityTest, ContactsAndUpcomingDatesOfTheOtherTeamStayHidden) {
  for (const std::string& name : theirs_) {
    v1::ListContactsRequest request;
    request.set_parent(name);
    v1::ListContactsResponse response;
    EXPECT_EQ(ErrorReason(contacts_->List(rep1_, request, &response)), "CUSTOMER_NOT_FOUND");
    v1::Customer dates;
    dates.set_name(name);
    v1::RelationshipDate* d = dates.add_dates();
    d->set_kind(v1::COMPANY_ANNIVERSARY);
    d->set_month(1);
    d->set_day(20);
    d->set_yearly(true);
    ASSERT_TRUE(Update(rep2_, dates, {"dates"}).ok());
  }
  v1::ListUpcomingDatesRequest request;
  request.set_within_days(366);
  request.set_page_size(1);
  v1::ListUpcomingDatesResponse response;
  ASSERT_TRUE(customers_->UpcomingDates(rep1_, request, &response).ok());
  EXPECT_EQ(response.dates_size(), 0);
  ASSERT_TRUE(customers_->UpcomingDates(rep2_, request, &response).ok());
  EXPECT_EQ(response.dates_size(), 1);
}

}  // namespace
}  // namespace crm::customers
