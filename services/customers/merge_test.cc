// Merges against a real MariaDB schema: what the survivor takes over, the merged customers
// gone without delete events, the history listed under the survivor, the merged event; an
// unmerge that puts every row back byte for byte; refusals; who may merge.
#include "services/customers/customers_testing.h"

#include <google/protobuf/any.pb.h>

namespace crm::customers {
namespace {

// The customer tables as stored, every row and column, plus the server's checksums.
constexpr const char* kTables[] = {"customers",         "customer_tags",    "customer_emails",
                                   "customer_phones",   "contacts",         "relationship_dates"};

class MergeTest : public testing::CustomersTest {
 protected:
  void SetUp() override {
    CustomersTest::SetUp();
    if (HasFatalFailure()) return;
    survivor_ = CreateCompany(rep1_, "苏州精工机械有限公司", {"0512-6523 1234"}, {"info@jg.cn"});
    SetFields(survivor_.name(), "tags", [](v1::Customer& c) { c.add_tags("vip"); });
    survivor_contact_ = AddContact(rep1_, survivor_.name(), "王建国", {"138 0013 8000"});
    // A duplicate entered by a teammate, with more data.
    absl::StatusOr<v1::Customer> dup =
        TryCreate(rep1b_, "苏州 精工机械", {"0512-6523 9999"}, {"sales@jg.cn"}, true);
    ASSERT_TRUE(dup.ok()) << dup.status();
    merged_ = *dup;
    SetFields(merged_.name(), "*", [](v1::Customer& c) {
      c.set_display_name("苏州 精工机械");
      c.set_kind(v1::COMPANY);
      c.mutable_region()->set_country("CN");
      c.mutable_region()->set_province("江苏");
      c.set_industry("制造业");
      c.set_address("苏州工业园区");
      c.add_tags("vip");
      c.add_tags("key_account");
      c.add_phones("0512-6523 9999");
      c.add_emails("sales@jg.cn");
      c.set_external_id("ERP-77");
      c.set_owner("users/12");
      v1::RelationshipDate* d = c.add_dates();
      d->set_kind(v1::COMPANY_ANNIVERSARY);
      d->set_year(1998);
      d->set_month(3);
      d->set_day(8);
      d->set_yearly(true);
    });
    merged_contact_ = AddContact(rep1b_, merged_.name(), "李娜", {"139 1234 5678"});
    AddContact(rep1b_, merged_.name(), "刘洋");
  }

  template <typename Edit>
  void SetFields(const std::string& name, const std::string& path, Edit edit) {
    v1::Customer change;
    change.set_name(name);
    edit(change);
    absl::StatusOr<v1::Customer> updated = Update(admin_, change, {path}, true);
    ASSERT_TRUE(updated.ok()) << updated.status();
  }

  absl::StatusOr<v1::CustomerMerge> Merge(const auth::Caller& caller,
                                          std::vector<std::string> merged) {
    v1::MergeCustomersRequest request;
    request.set_survivor(survivor_.name());
    for (std::string& name : merged) request.add_merged(std::move(name));
    v1::CustomerMerge out;
    CRM_RETURN_IF_ERROR(customers_->Merge(caller, request, &out));
    return out;
  }
  absl::StatusOr<v1::CustomerMerge> Unmerge(const auth::Caller& caller, const std::string& name) {
    v1::UnmergeCustomersRequest request;
    request.set_name(name);
    v1::CustomerMerge out;
    CRM_RETURN_IF_ERROR(customers_->Unmerge(caller, request, &out));
    return out;
  }

  // Every row of the customer tables, column by column as the server returns them in hex,
  // and each table's CHECKSUM.
  std::string Dump() {
    auto session = pool_->Borrow();
    EXPECT_TRUE(session.ok());
    std::string out;
    for (const char* table : kTables) {
      auto checksum = (*session)->Query(absl::StrCat("CHECKSUM TABLE ", table), {});
      EXPECT_TRUE(checksum.ok()) << checksum.status();
      absl::StrAppend(&out, table, " checksum ", (*checksum)[0].Str(1), "\n");
      auto columns = (*session)->Query(
          "SELECT GROUP_CONCAT(CONCAT('HEX(', column_name, ')') ORDER BY ordinal_position "
          "SEPARATOR ', ') FROM information_schema.columns WHERE table_schema = DATABASE() "
          "AND table_name = ?",
          {std::string(table)});
      EXPECT_TRUE(columns.ok()) << columns.status();
      auto rows = (*session)->Query(
          absl::StrCat("SELECT CONCAT_WS('|', ", (*columns)[0].Str(0), ") FROM ", table,
                       " ORDER BY 1"),
          {});
      EXPECT_TRUE(rows.ok()) << rows.status();
      for (const db::Row& row : *rows) absl::StrAppend(&out, table, " ", row.Str(0), "\n");
    }
    return out;
  }

  v1::Customer survivor_;
  v1::Customer merged_;
  v1::Contact survivor_contact_;
  v1::Contact merged_contact_;
};

TEST_F(MergeTest, TheSurvivorTakesOverAndTheMergedCustomerIsGone) {
  const int64_t deletes = Events("crm.customers.v1.CustomerDeleted");
  absl::StatusOr<v1::CustomerMerge> merge = Merge(manager1_, {merged_.name()});
  ASSERT_TRUE(merge.ok()) << merge.status();
  EXPECT_TRUE(merge->name().starts_with(survivor_.name() + "/merges/"));
  EXPECT_EQ(merge->survivor(), survivor_.name());
  EXPECT_EQ(merge->merged_size(), 1);
  EXPECT_EQ(merge->actor(), manager1_.principal.user);
  EXPECT_EQ(merge->moved_contacts_size(), 2);

  absl::StatusOr<v1::Customer> after = Get(admin_, survivor_.name());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->display_name(), "苏州精工机械有限公司");  // the survivor's own value stays
  EXPECT_EQ(after->industry(), "制造业");                   // an empty one is filled
  EXPECT_EQ(after->external_id(), "ERP-77");
  EXPECT_EQ(after->owner(), rep1_.principal.user);
  EXPECT_EQ(std::vector<std::string>(after->tags().begin(), after->tags().end()),
            (std::vector<std::string>{"vip", "key_account"}));
  EXPECT_EQ(after->phones_size(), 2);
  EXPECT_EQ(after->emails_size(), 2);
  EXPECT_EQ(after->dates_size(), 1);
  EXPECT_EQ(Get(admin_, merged_.name()).status().code(), absl::StatusCode::kNotFound);

  // Contacts keep their ids under the survivor; its own contact stays the primary one.
  v1::ListContactsRequest list;
  list.set_parent(survivor_.name());
  v1::ListContactsResponse contacts;
  ASSERT_TRUE(contacts_->List(admin_, list, &contacts).ok());
  ASSERT_EQ(contacts.contacts_size(), 3);
  int primaries = 0;
  for (const v1::Contact& c : contacts.contacts()) primaries += c.primary();
  EXPECT_EQ(primaries, 1);
  const std::string moved_id = merged_contact_.name().substr(merged_contact_.name().rfind('/'));
  v1::GetContactRequest get;
  get.set_name(survivor_.name() + "/contacts" + moved_id);
  v1::Contact moved;
  EXPECT_TRUE(contacts_->Get(admin_, get, &moved).ok());

  // The merged customer's history is listed under the survivor.
  absl::StatusOr<std::vector<v1::HistoryEntry>> history = History(admin_, survivor_.name());
  ASSERT_TRUE(history.ok());
  int of_merged = 0, merged_entries = 0;
  for (const v1::HistoryEntry& e : *history) {
    of_merged += e.resource() == merged_.name();
    merged_entries += e.action() == v1::MERGED && e.source() == v1::MERGE &&
                      e.operation() == merge->name();
  }
  EXPECT_GE(of_merged, 2);  // its creation, its update, the merge
  EXPECT_EQ(merged_entries, 1);

  // One merged event, payload the merge; no delete event for the merged customer.
  EXPECT_EQ(Events("crm.customers.v1.CustomerMerged"), 1);
  EXPECT_EQ(Events("crm.customers.v1.CustomerDeleted"), deletes);
  auto session = pool_->Borrow();
  auto payload = (*session)->Query(
      "SELECT resource, payload FROM outbox WHERE event_type = 'crm.customers.v1.CustomerMerged'",
      {});
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ((*payload)[0].Str(0), survivor_.name());
  google::protobuf::Any any;
  ASSERT_TRUE(any.ParseFromString((*payload)[0].Str(1)));
  v1::CustomerMerge event;
  ASSERT_TRUE(any.UnpackTo(&event));
  EXPECT_EQ(event.survivor(), survivor_.name());
  EXPECT_EQ(event.merged(0), merged_.name());
}

TEST_F(MergeTest, UnmergeRestoresEveryRowByteForByte) {
  const std::string before = Dump();
  absl::StatusOr<v1::CustomerMerge> merge = Merge(admin_, {merged_.name()});
  ASSERT_TRUE(merge.ok()) << merge.status();
  ASSERT_NE(Dump(), before);
  absl::StatusOr<v1::CustomerMerge> undone = Unmerge(manager1_, merge->name());
  ASSERT_TRUE(undone.ok()) << undone.status();
  EXPECT_EQ(undone->state(), v1::CustomerMerge::UNMERGED);
  EXPECT_EQ(undone->unmerge_actor(), manager1_.principal.user);
  EXPECT_EQ(Dump(), before);
  EXPECT_EQ(Events("crm.customers.v1.CustomerUnmerged"), 1);

  // Both customers are back as they were, search included.
  absl::StatusOr<v1::Customer> back = Get(rep1b_, merged_.name());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->external_id(), "ERP-77");
  v1::SearchCustomersRequest search;
  search.set_query("李娜");
  v1::SearchCustomersResponse found;
  ASSERT_TRUE(customers_->Search(admin_, search, &found).ok());
  ASSERT_EQ(found.results_size(), 1);
  EXPECT_EQ(found.results(0).customer().name(), merged_.name());
  // History keeps the merge and the unmerge.
  absl::StatusOr<std::vector<v1::HistoryEntry>> history =
      History(admin_, merged_.name(), "action = MERGED OR action = UNMERGED");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);

  EXPECT_EQ(ErrorReason(Unmerge(admin_, merge->name()).status()), "ALREADY_UNMERGED");
}

TEST_F(MergeTest, AChangeAfterTheMergeBlocksTheUnmerge) {
  absl::StatusOr<v1::CustomerMerge> merge = Merge(admin_, {merged_.name()});
  ASSERT_TRUE(merge.ok()) << merge.status();
  v1::UpdateContactRequest rename;
  rename.mutable_contact()->set_name(survivor_contact_.name());
  rename.mutable_contact()->set_title("总经理");
  rename.mutable_update_mask()->add_paths("title");
  v1::Contact renamed;
  ASSERT_TRUE(contacts_->Update(rep1_, rename, &renamed).ok());
  const std::string before = Dump();
  absl::StatusOr<v1::CustomerMerge> undone = Unmerge(admin_, merge->name());
  ASSERT_EQ(undone.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(undone.status()), "CHANGED_SINCE_MERGE");
  EXPECT_EQ(ErrorMetadata(undone.status(), "changed"), survivor_contact_.name());
  EXPECT_EQ(Dump(), before);
}

TEST_F(MergeTest, OnlyManagersOfTheTeamAndAdminsMerge) {
  EXPECT_EQ(Merge(rep1_, {merged_.name()}).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Merge(marketing_, {merged_.name()}).status().code(),
            absl::StatusCode::kPermissionDenied);
  // Another team's manager does not see these customers at all.
  EXPECT_EQ(ErrorReason(Merge(manager2_, {merged_.name()}).status()), "CUSTOMER_NOT_FOUND");
  // A customer of another team among the merged: not found for team 1's manager.
  const v1::Customer theirs = CreateCompany(rep2_, "Other Team Machines Ltd");
  EXPECT_EQ(ErrorReason(Merge(manager1_, {merged_.name(), theirs.name()}).status()),
            "CUSTOMER_NOT_FOUND");
  EXPECT_EQ(Events("crm.customers.v1.CustomerMerged"), 0);
  // Bad requests name their fields.
  absl::StatusOr<v1::CustomerMerge> bad = Merge(admin_, {survivor_.name(), "nope"});
  std::set<std::string> fields;
  for (const FieldViolation& v : FieldViolations(bad.status())) fields.insert(v.field);
  EXPECT_EQ(fields, (std::set<std::string>{"merged[0]", "merged[1]"}));
}

}  // namespace
}  // namespace crm::customers
