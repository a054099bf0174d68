// Contacts against a real MariaDB schema: the standard methods, exactly one primary contact,
// every bad field named with nothing written, the customer's record rules, history and events.
#include "services/customers/customers_testing.h"

namespace crm::customers {
namespace {

class ContactsTest : public testing::CustomersTest {
 protected:
  absl::StatusOr<v1::Contact> SetPrimary(const auth::Caller& caller, const std::string& name,
                                         bool primary) {
    v1::UpdateContactRequest request;
    request.mutable_contact()->set_name(name);
    request.mutable_contact()->set_primary(primary);
    request.mutable_update_mask()->add_paths("primary");
    v1::Contact out;
    CRM_RETURN_IF_ERROR(contacts_->Update(caller, request, &out));
    return out;
  }
  absl::StatusOr<v1::Contact> GetContact(const auth::Caller& caller, const std::string& name) {
    v1::GetContactRequest request;
    request.set_name(name);
    v1::Contact out;
    CRM_RETURN_IF_ERROR(contacts_->Get(caller, request, &out));
    return out;
  }
  absl::Status DeleteContact(const auth::Caller& caller, const std::string& name) {
    v1::DeleteContactRequest request;
    request.set_name(name);
    google::protobuf::Empty out;
    return contacts_->Delete(caller, request, &out);
  }
  std::vector<std::string> Primaries(const std::string& customer) {
    v1::ListContactsRequest request;
    request.set_parent(customer);
    request.set_filter("primary = true");
    v1::ListContactsResponse response;
    EXPECT_TRUE(contacts_->List(admin_, request, &response).ok());
    std::vector<std::string> names;
    for (const v1::Contact& c : response.contacts()) names.push_back(c.display_name());
    return names;
  }
};

TEST_F(ContactsTest, CreateNormalisesPhonesAndEmailsAndReadsBack) {
  const v1::Customer company = CreateCompany(rep1_, "杭州云帆科技有限公司");
  v1::Contact contact;
  contact.set_display_name("  王建国 ");
  contact.set_title("采购经理");
  contact.set_department("采购部");
  contact.add_phones("0571-8888 6666");
  contact.add_emails("Wang.JianGuo@YunFan.CN");
  v1::RelationshipDate* birthday = contact.add_dates();
  birthday->set_kind(v1::BIRTHDAY);
  birthday->set_calendar(v1::CHINESE_LUNAR);
  birthday->set_month(8);
  birthday->set_day(15);
  birthday->set_yearly(true);
  absl::StatusOr<v1::Contact> created = TryAddContact(rep1_, company.name(), contact);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->name().starts_with(company.name() + "/contacts/"));
  EXPECT_EQ(created->display_name(), "王建国");
  EXPECT_EQ(created->phones(0), "+8657188886666");
  EXPECT_EQ(created->emails(0), "Wang.JianGuo@yunfan.cn");
  EXPECT_TRUE(created->primary()) << "the first contact is the primary one";
  EXPECT_EQ(created->creator(), rep1_.principal.user);

  absl::StatusOr<v1::Contact> got = GetContact(rep1_, created->name());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->SerializeAsString(), created->SerializeAsString());
  EXPECT_EQ(Events("crm.customers.v1.ContactCreated"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM relationship_dates WHERE contact_id <> 0"), 1);
}

TEST_F(ContactsTest, EveryBadFieldIsNamedAndNothingIsWritten) {
  const v1::Customer company = CreateCompany(rep1_, "苏州精工机械有限公司");
  v1::Contact contact;
  contact.set_title(std::string(65, 'x'));
  contact.add_phones("12345");
  contact.add_emails("not-an-address");
  v1::RelationshipDate* date = contact.add_dates();
  date->set_month(13);
  date->set_yearly(true);
  absl::StatusOr<v1::Contact> created = TryAddContact(rep1_, company.name(), contact);
  ASSERT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument);
  std::set<std::string> fields;
  for (const FieldViolation& v : FieldViolations(created.status())) fields.insert(v.field);
  EXPECT_EQ(fields, (std::set<std::string>{"contact.display_name", "contact.title",
                                           "contact.phones[0]", "contact.emails[0]",
                                           "contact.dates[0].kind", "contact.dates[0].month"}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts"), 0);
  EXPECT_EQ(Events("crm.customers.v1.ContactCreated"), 0);
}

TEST_F(ContactsTest, ExactlyOnePrimaryMovesWithTheFlag) {
  const v1::Customer company = CreateCompany(rep1_, "宁波东海制造股份有限公司");
  const v1::Contact first = AddContact(rep1_, company.name(), "第一");
  const v1::Contact second = AddContact(rep1_, company.name(), "第二");
  EXPECT_FALSE(second.primary());
  EXPECT_EQ(Primaries(company.name()), std::vector<std::string>{"第一"});

  ASSERT_TRUE(SetPrimary(rep1_, second.name(), true).ok());
  EXPECT_EQ(Primaries(company.name()), std::vector<std::string>{"第二"});
  // The contact that lost the flag was changed too: its own event and history.
  EXPECT_EQ(Events("crm.customers.v1.ContactUpdated"), 2);

  absl::StatusOr<v1::Contact> cleared = SetPrimary(rep1_, second.name(), false);
  EXPECT_EQ(cleared.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(cleared.status()), "PRIMARY_CONTACT_REQUIRED");

  v1::Contact third;
  third.set_display_name("第三");
  third.set_primary(true);
  ASSERT_TRUE(TryAddContact(rep1_, company.name(), third).ok());
  EXPECT_EQ(Primaries(company.name()), std::vector<std::string>{"第三"});

  // Deleting the primary hands the flag to the oldest remaining contact.
  v1::ListContactsRequest list;
  list.set_parent(company.name());
  list.set_filter("primary = true");
  v1::ListContactsResponse primaries;
  ASSERT_TRUE(contacts_->List(rep1_, list, &primaries).ok());
  ASSERT_EQ(primaries.contacts_size(), 1);
  ASSERT_TRUE(DeleteContact(rep1_, primaries.contacts(0).name()).ok());
  EXPECT_EQ(Primaries(company.name()), std::vector<std::string>{"第一"});
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts WHERE is_primary = 1 AND delete_time IS NULL"),
            1);
}

TEST_F(ContactsTest, ContactsFollowTheCustomersRecordRules) {
  const v1::Customer mine = CreateCompany(rep1_, "Rep One Trading Co., Ltd.");
  const v1::Contact contact = AddContact(rep1_, mine.name(), "Alice");

  // Another team's rep: the customer does not exist for them, nor do its contacts.
  absl::StatusOr<v1::Contact> hidden = GetContact(rep2_, contact.name());
  EXPECT_EQ(hidden.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(hidden.status()), "CUSTOMER_NOT_FOUND");
  EXPECT_EQ(TryAddContact(rep2_, mine.name(), v1::Contact()).status().code(),
            absl::StatusCode::kNotFound);
  // Support reads every customer but changes none.
  EXPECT_TRUE(GetContact(support_, contact.name()).ok());
  EXPECT_EQ(SetPrimary(support_, contact.name(), true).status().code(),
            absl::StatusCode::kPermissionDenied);
  // Marketing reads every customer, changes its own only.
  EXPECT_TRUE(GetContact(marketing_, contact.name()).ok());
  EXPECT_EQ(DeleteContact(marketing_, contact.name()).code(), absl::StatusCode::kPermissionDenied);
  // The manager of the rep's team may change it.
  v1::UpdateContactRequest rename;
  rename.mutable_contact()->set_name(contact.name());
  rename.mutable_contact()->set_title("CEO");
  rename.mutable_update_mask()->add_paths("title");
  v1::Contact renamed;
  ASSERT_TRUE(contacts_->Update(manager1_, rename, &renamed).ok());
  EXPECT_EQ(renamed.title(), "CEO");
  EXPECT_NE(renamed.etag(), contact.etag());
  // A stale etag is refused.
  rename.mutable_contact()->set_etag(contact.etag());
  EXPECT_EQ(contacts_->Update(manager1_, rename, &renamed).code(), absl::StatusCode::kAborted);
}

TEST_F(ContactsTest, PeopleHaveNoContactsAndACompanyWithContactsStaysOne) {
  absl::StatusOr<v1::Customer> person =
      TryCreate(rep1_, "张伟", {}, {}, false, v1::PERSON);
  ASSERT_TRUE(person.ok()) << person.status();
  absl::StatusOr<v1::Contact> refused = TryAddContact(rep1_, person->name(), v1::Contact());
  EXPECT_EQ(ErrorReason(refused.status()), "CONTACTS_NEED_COMPANY");

  const v1::Customer company = CreateCompany(rep1_, "Kind Keeper Ltd");
  AddContact(rep1_, company.name(), "Bob");
  v1::Customer change;
  change.set_name(company.name());
  change.set_kind(v1::PERSON);
  absl::StatusOr<v1::Customer> updated = Update(rep1_, change, {"kind"});
  EXPECT_EQ(updated.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(updated.status()), "CONTACTS_NEED_COMPANY");
}

TEST_F(ContactsTest, ContactChangesAreInTheCustomersHistory) {
  const v1::Customer company = CreateCompany(rep1_, "History Holdings Ltd");
  const v1::Contact contact = AddContact(rep1_, company.name(), "Carol", {"0571-8702 1234"});
  v1::UpdateContactRequest update;
  update.mutable_contact()->set_name(contact.name());
  update.mutable_contact()->add_phones("+1 650-253-0000");
  update.mutable_update_mask()->add_paths("phones");
  v1::Contact out;
  ASSERT_TRUE(contacts_->Update(rep1_, update, &out).ok());
  ASSERT_TRUE(DeleteContact(rep1_, contact.name()).ok());

  absl::StatusOr<std::vector<v1::HistoryEntry>> history =
      History(rep1_, company.name(), "resource = \"" + contact.name() + "\"");
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].action(), v1::DELETED);
  EXPECT_EQ((*history)[1].field(), "phones");
  EXPECT_EQ((*history)[1].old_value(), "+8657187021234");
  EXPECT_EQ((*history)[1].new_value(), "+16502530000");
  EXPECT_EQ((*history)[1].actor(), rep1_.principal.user);
  EXPECT_EQ((*history)[1].source(), v1::API);
  EXPECT_EQ((*history)[2].action(), v1::CREATED);
  EXPECT_EQ(Events("crm.customers.v1.ContactDeleted"), 1);
}

}  // namespace
}  // namespace crm::customers
