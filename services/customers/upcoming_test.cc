// ListUpcomingDates against a real MariaDB schema: customers' and contacts' dates, Gregorian and
// Chinese lunar, in date order within the window, by the caller's record rules (all of them
// for the activities service), paged, in the caller's time zone.
#include "services/customers/customers_testing.h"

namespace crm::customers {
namespace {

v1::RelationshipDate Date(v1::DateKind kind, v1::Calendar calendar, int year, int month, int day,
                          bool yearly = true, const std::string& label = "") {
  v1::RelationshipDate d;
  d.set_kind(kind);
  d.set_calendar(calendar);
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  d.set_yearly(yearly);
  d.set_label(label);
  return d;
}

class UpcomingDatesTest : public testing::CustomersTest {
 protected:
  void SetUp() override {
    CustomersTest::SetUp();
    if (HasFatalFailure()) return;
    // 2025-09-28 12:00 in Shanghai.
    test_->clock().Set(absl::FromCivil(absl::CivilSecond(2025, 9, 28, 4, 0, 0),
                                       absl::UTCTimeZone()));
    const v1::Customer a = CreateCompany(rep1_, "国庆生日有限公司");
    SetDates(a.name(), {Date(v1::BIRTHDAY, v1::GREGORIAN, 1980, 10, 1)});
    v1::Contact contact;
    contact.set_display_name("王建国");
    *contact.add_dates() = Date(v1::BIRTHDAY, v1::CHINESE_LUNAR, 1975, 8, 15);  // 2025-10-06
    ASSERT_TRUE(TryAddContact(rep1_, a.name(), contact).ok());
    const v1::Customer b = CreateCompany(rep2_, "Team Two Anniversary Ltd");
    SetDates(b.name(), {Date(v1::COMPANY_ANNIVERSARY, v1::GREGORIAN, 2010, 9, 30)});
    const v1::Customer c = CreateCompany(rep1_, "Signing Today Ltd");
    SetDates(c.name(), {Date(v1::CUSTOM, v1::GREGORIAN, 2025, 9, 28, false, "签约"),
                        Date(v1::FIRST_DEAL_ANNIVERSARY, v1::GREGORIAN, 2020, 12, 25)});
  }

  void SetDates(const std::string& customer, std::vector<v1::RelationshipDate> dates) {
    v1::Customer change;
    change.set_name(customer);
    for (auto& d : dates) *change.add_dates() = std::move(d);
    absl::StatusOr<v1::Customer> updated = Update(admin_, change, {"dates"});
    ASSERT_TRUE(updated.ok()) << updated.status();
  }

  // "name next_date days years" of every date within `days`, `page_size` at a time.
  absl::StatusOr<std::vector<std::string>> Upcoming(const auth::Caller& caller, int days,
                                                    int page_size = 0,
                                                    const std::string& zone = "") {
    std::vector<std::string> out;
    v1::ListUpcomingDatesRequest request;
    request.set_within_days(days);
    request.set_page_size(page_size);
    request.set_time_zone(zone);
    for (int guard = 0; guard < 100; ++guard) {
      v1::ListUpcomingDatesResponse response;
      CRM_RETURN_IF_ERROR(customers_->UpcomingDates(caller, request, &response));
      for (const v1::UpcomingDate& d : response.dates()) {
        out.push_back(absl::StrCat(
            d.contact().empty() ? d.customer_display_name() : d.contact_display_name(), " ",
            d.next_date(), " ", d.days_until(), " ", d.years()));
      }
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
      // A page later is still the same window, even on another day.
      test_->clock().Advance(absl::Hours(24));
    }
    return out;
  }
};

TEST_F(UpcomingDatesTest, ListsTheWindowInDateOrderWithLunarDatesConverted) {
  absl::StatusOr<std::vector<std::string>> all = Upcoming(admin_, 10);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(*all, (std::vector<std::string>{
                      "Signing Today Ltd 2025-09-28 0 0",
                      "Team Two Anniversary Ltd 2025-09-30 2 15",
                      "国庆生日有限公司 2025-10-01 3 45",
                      "王建国 2025-10-06 8 50",
                  }));
  absl::StatusOr<std::vector<std::string>> today = Upcoming(admin_, 0);
  ASSERT_TRUE(today.ok());
  EXPECT_EQ(today->size(), 1u);
  absl::StatusOr<std::vector<std::string>> year = Upcoming(admin_, 366);
  ASSERT_TRUE(year.ok());
  EXPECT_EQ(year->size(), 5u) << "the December anniversary comes in too";
}

TEST_F(UpcomingDatesTest, PagesGiveTheSameListWhateverTheirSize) {
  absl::StatusOr<std::vector<std::string>> whole = Upcoming(admin_, 100);
  ASSERT_TRUE(whole.ok());
  for (int page_size : {1, 2, 3}) {
    // The clock moves a day between pages; the window stays the first page's.
    test_->clock().Set(absl::FromCivil(absl::CivilSecond(2025, 9, 28, 4, 0, 0),
                                       absl::UTCTimeZone()));
    EXPECT_EQ(Upcoming(admin_, 100, page_size).value(), *whole) << page_size;
  }
}

TEST_F(UpcomingDatesTest, UsersSeeTheirReadableCustomersAndActivitiesSeesAll) {
  absl::StatusOr<std::vector<std::string>> rep = Upcoming(rep1_, 10);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->size(), 3u);
  for (const std::string& line : *rep) EXPECT_EQ(line.find("Team Two"), std::string::npos);

  auth::Caller activities;
  activities.principal.service = "services/activities";
  absl::StatusOr<std::vector<std::string>> service = Upcoming(activities, 10);
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_EQ(service->size(), 4u);

  auth::Caller analytics;
  analytics.principal.service = "services/analytics";
  EXPECT_EQ(Upcoming(analytics, 10).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(UpcomingDatesTest, TodayIsTheCallersDay) {
  // 2025-09-27 17:00 UTC is already the 28th in Shanghai.
  test_->clock().Set(absl::FromCivil(absl::CivilSecond(2025, 9, 27, 17, 0, 0),
                                     absl::UTCTimeZone()));
  EXPECT_EQ(Upcoming(admin_, 0).value(),
            std::vector<std::string>{"Signing Today Ltd 2025-09-28 0 0"});
  EXPECT_EQ(Upcoming(admin_, 1, 0, "UTC").value(),
            std::vector<std::string>{"Signing Today Ltd 2025-09-28 1 0"});
  EXPECT_EQ(Upcoming(admin_, 1, 0, "Mars/Olympus").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Upcoming(admin_, 367).status().code(), absl::StatusCode::kInvalidArgument);
}

// The greeting scheduler (activities) relies on both: the next Gregorian date of a lunar date
// in whichever year it is asked, and the address to send to.
TEST_F(UpcomingDatesTest, ALunarBirthdayLandsOnItsGregorianDateInEachYearWithItsEmails) {
  const v1::Customer customer = CreateCompany(rep1_, "中秋贸易");
  v1::Contact contact;
  contact.set_display_name("刘月");
  contact.add_emails("liu.yue@example.cn");
  *contact.add_dates() = Date(v1::BIRTHDAY, v1::CHINESE_LUNAR, 1990, 8, 15);
  ASSERT_TRUE(TryAddContact(rep1_, customer.name(), contact).ok());
  auto next = [&](absl::CivilSecond at) -> std::string {
    test_->clock().Set(absl::FromCivil(at, absl::UTCTimeZone()));
    v1::ListUpcomingDatesRequest request;
    request.set_within_days(30);
    v1::ListUpcomingDatesResponse response;
    EXPECT_TRUE(customers_->UpcomingDates(admin_, request, &response).ok());
    for (const v1::UpcomingDate& d : response.dates()) {
      if (d.contact_display_name() != "刘月") continue;
      EXPECT_EQ(std::vector<std::string>(d.emails().begin(), d.emails().end()),
                std::vector<std::string>{"liu.yue@example.cn"});
      return absl::StrCat(d.next_date(), " ", d.years());
    }
    return "none";
  };
  // 八月十五 (the Mid-Autumn Festival) of lunar 2025 and of lunar 2026.
  EXPECT_EQ(next(absl::CivilSecond(2025, 9, 20, 4, 0, 0)), "2025-10-06 35");
  EXPECT_EQ(next(absl::CivilSecond(2026, 9, 1, 4, 0, 0)), "2026-09-25 36");
}

}  // namespace
}  // namespace crm::customers
