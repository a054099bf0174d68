// The owned-record kit against a real MariaDB table: what each role reads, locks, writes and
// lists, that invisible records look missing, and owner changes.
#include "libs/records/owned.h"

#include <gtest/gtest.h>

#include <set>

#include "libs/api/list.h"
#include "libs/auth/testing.h"
#include "libs/db/testing.h"
#include "libs/grpc/status.h"
#include "libs/records/owner_checks.h"

namespace crm::records {
namespace {

using auth::testing::MakeCaller;

// A method every role may call: these tests are about the record rules under the policy.
constexpr char kMethod[] = "/crm.customers.v1.CustomerService/GetCustomer";
constexpr char kSelectById[] =
    "SELECT t.id, t.name, t.owner FROM things t WHERE t.id = ? AND t.delete_time IS NULL";

class OwnedRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = db::testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto pool = db::Pool::Create(db_->options(), nullptr);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
    auto session = pool_->Borrow();
    ASSERT_TRUE(session.ok());
    ASSERT_TRUE((*session)
                    ->Execute("CREATE TABLE things (id BIGINT PRIMARY KEY, name VARCHAR(20), "
                              "owner VARCHAR(64), delete_time DATETIME(6) NULL)",
                              {})
                    .ok());
    // 1: the rep's, 2: a teammate's, 3: another team's, 4: the rep's but deleted.
    ASSERT_TRUE((*session)
                    ->Execute("INSERT INTO things VALUES (1, 'one', 'users/11', NULL), "
                              "(2, 'two', 'users/12', NULL), (3, 'three', 'users/21', NULL), "
                              "(4, 'four', 'users/11', NOW())",
                              {})
                    .ok());
    users_.Add(1, auth::v1::ADMIN, "");
    users_.Add(10, auth::v1::SALES_MANAGER, "teams/1");
    users_.Add(11, auth::v1::SALES_REP, "teams/1");
    users_.Add(12, auth::v1::SALES_REP, "teams/1");
    users_.Add(13, auth::v1::SALES_REP, "teams/1", /*active=*/false);
    users_.Add(21, auth::v1::SALES_REP, "teams/2");
  }

  Access For(const auth::Caller& caller) {
    absl::StatusOr<Access> access = resolver_.For(caller, kMethod);
    EXPECT_TRUE(access.ok()) << access.status();
    return *std::move(access);
  }

  absl::Status Get(const auth::Caller& caller, int64_t id) {
    auto session = pool_->Borrow();
    if (!session.ok()) return session.status();
    return things_.Get(**session, For(caller), id).status();
  }

  // Locks `id` and renames it, as a store's update would.
  absl::Status Rename(const auth::Caller& caller, int64_t id) {
    return pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
      Access access = For(caller);
      CRM_RETURN_IF_ERROR(things_.Lock(tx, access, id).status());
      return things_.Write(tx, access, "UPDATE things t SET name = 'renamed' WHERE t.id = ?", {id});
    });
  }

  std::set<std::string> ListNames(const auth::Caller& caller, int page_size) {
    std::set<std::string> names;
    api::ListQuery query;
    query.page_size = page_size;
    query.filter = {"TRUE", {}};
    query.order = {{.field = "", .column = "t.id"}};
    for (int guard = 0; guard < 10; ++guard) {
      auto session = pool_->Borrow();
      auto page = things_.List<std::string>(**session, For(caller), query,
                                            [](const db::Row& row) { return row.Str(1); });
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      names.insert(page->items.begin(), page->items.end());
      if (!page->has_more) break;
      query.after = page->last_key;
    }
    return names;
  }

  std::unique_ptr<db::testing::TestDatabase> db_;
  std::unique_ptr<db::Pool> pool_;
  auth::testing::FakeUserDirectory users_;
  auth::TeamMembers teams_{users_, absl::ZeroDuration()};
  AccessResolver resolver_{auth::Policy::Default(), teams_, users_};
  const OwnedRecords things_{{.collection = "things",
                              .not_found_reason = "THING_NOT_FOUND",
                              .owner_column = "t.owner",
                              .select_by_id = kSelectById,
                              .owner_index = 2,
                              .select_columns = "SELECT t.id, t.name, t.owner",
                              .column_count = 3,
                              .from_live = " FROM things t WHERE t.delete_time IS NULL"}};

  const auth::Caller admin_ = MakeCaller(1, auth::v1::ADMIN);
  const auth::Caller manager_ = MakeCaller(10, auth::v1::SALES_MANAGER, "teams/1", {"teams/1"});
  const auth::Caller rep_ = MakeCaller(11, auth::v1::SALES_REP, "teams/1");
  const auth::Caller support_ = MakeCaller(40, auth::v1::SUPPORT, "teams/1");
};

TEST_F(OwnedRecordsTest, InvisibleAndDeletedRecordsLookExactlyLikeMissingOnes) {
  EXPECT_TRUE(Get(rep_, 1).ok());
  for (int64_t id : {2, 3, 4, 99}) {
    absl::Status st = Get(rep_, id);
    EXPECT_EQ(st.code(), absl::StatusCode::kNotFound) << id;
    EXPECT_EQ(ErrorReason(st), "THING_NOT_FOUND") << id;
    EXPECT_EQ(st.message(), absl::StrCat("things/", id, " does not exist")) << id;
  }
}

TEST_F(OwnedRecordsTest, EachRoleWritesWhatItsRulesAllowAndNothingElse) {
  EXPECT_TRUE(Rename(rep_, 1).ok());
  EXPECT_EQ(Rename(rep_, 2).code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Rename(manager_, 2).ok()) << "a manager writes their team's";
  EXPECT_EQ(Rename(manager_, 3).code(), absl::StatusCode::kNotFound);
  absl::Status read_only = Rename(support_, 1);
  EXPECT_EQ(read_only.code(), absl::StatusCode::kPermissionDenied) << "support reads, never writes";
  EXPECT_EQ(ErrorReason(read_only), "PERMISSION_DENIED");
  EXPECT_TRUE(Rename(admin_, 3).ok());
}

// Steps open to readers (support asking for a return) lock what the caller reads, and only that.
TEST_F(OwnedRecordsTest, LockReadableLocksWhatTheCallerMayReadEvenWithoutWriting) {
  auto lock = [&](const auth::Caller& caller, int64_t id) {
    return pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
      return things_.LockReadable(tx, For(caller), id).status();
    });
  };
  EXPECT_TRUE(lock(support_, 3).ok()) << "support reads every record";
  EXPECT_TRUE(lock(rep_, 1).ok());
  for (int64_t id : {2, 3, 4}) {
    absl::Status st = lock(rep_, id);
    EXPECT_EQ(st.code(), absl::StatusCode::kNotFound) << id;
    EXPECT_EQ(ErrorReason(st), "THING_NOT_FOUND") << id;
  }
}

TEST_F(OwnedRecordsTest, ListsShowOnlyReadableLiveRecordsOnEveryPageSize) {
  for (int page_size : {1, 2, 10}) {
    EXPECT_EQ(ListNames(rep_, page_size), (std::set<std::string>{"one"})) << page_size;
    EXPECT_EQ(ListNames(manager_, page_size), (std::set<std::string>{"one", "two"})) << page_size;
    EXPECT_EQ(ListNames(support_, page_size), (std::set<std::string>{"one", "two", "three"}))
        << page_size;
  }
}

TEST_F(OwnedRecordsTest, OwnerChangesFollowTheRoleAndNameOnlyActiveUsers) {
  EXPECT_TRUE(For(manager_).CheckOwnerChange("users/11", "users/12", "thing.owner").ok());
  EXPECT_EQ(ErrorReason(For(manager_).CheckOwnerChange("users/11", "users/21", "thing.owner")),
            "OWNER_CHANGE_DENIED");
  EXPECT_EQ(ErrorReason(For(rep_).CheckOwnerChange("users/11", "users/12", "thing.owner")),
            "OWNER_CHANGE_DENIED");
  EXPECT_TRUE(For(admin_).CheckOwnerChange("users/11", "users/21", "thing.owner").ok());
  absl::Status disabled = For(admin_).CheckOwnerChange("users/11", "users/13", "thing.owner");
  EXPECT_EQ(disabled.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(FieldViolations(disabled).size(), 1u);
  EXPECT_EQ(FieldViolations(disabled)[0].field, "thing.owner");
  EXPECT_EQ(For(admin_).CheckOwnerChange("users/11", "users/404", "thing.owner").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(For(admin_).CheckOwnerChange("users/11", "", "thing.owner").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(OwnedRecordsTest, TheOwnerRuleAsksNobodyAndTheNewOwnerLookupCarriesTheRemoteVerdict) {
  const Access admin = For(admin_);
  const Access rep = For(rep_);
  // With the auth service gone, only the lookup notices: the rule needs no I/O, so it can
  // run while a row is locked.
  users_.FailWith(absl::UnavailableError("auth is down"));
  EXPECT_TRUE(admin.CheckOwnerRule("users/11", "users/21", "thing.owner").ok());
  EXPECT_EQ(ErrorReason(rep.CheckOwnerRule("users/11", "users/12", "thing.owner")),
            "OWNER_CHANGE_DENIED");
  EXPECT_EQ(admin.CheckOwnerRule("users/11", "", "thing.owner").code(),
            absl::StatusCode::kInvalidArgument);
  absl::Status down = admin.CheckNewOwner("users/21", "thing.owner");
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorReason(down), "AUTH_UNAVAILABLE");
  EXPECT_TRUE(admin.CheckNewOwner("users/1", "thing.owner").ok()) << "an admin naming themself";
  EXPECT_TRUE(rep.CheckNewOwner("users/12", "thing.owner").ok()) << "a rep's rule is local";
  users_.FailWith(absl::OkStatus());
  EXPECT_TRUE(admin.CheckNewOwner("users/21", "thing.owner").ok());
  EXPECT_EQ(admin.CheckNewOwner("users/13", "thing.owner").code(),
            absl::StatusCode::kInvalidArgument)
      << "a disabled user";
}

TEST_F(OwnedRecordsTest, OwnerChecksUseTheVerdictPreparedBeforeTheWrite) {
  const Access admin = For(admin_);
  OwnerChecks owners(admin, "thing.owner");
  EXPECT_EQ(owners.Check("users/11", "users/21").code(), absl::StatusCode::kInternal)
      << "an owner nobody looked up";
  owners.Prepare("users/21");
  owners.Prepare("users/13");
  // The verdicts were taken while auth answered; checking them needs it no more.
  users_.FailWith(absl::UnavailableError("auth is down"));
  EXPECT_TRUE(owners.Check("users/11", "users/21").ok());
  EXPECT_EQ(owners.Check("users/11", "users/13").code(), absl::StatusCode::kInvalidArgument);
  owners.Prepare("users/12");
  EXPECT_EQ(owners.Check("users/11", "users/12").code(), absl::StatusCode::kUnavailable);
  users_.FailWith(absl::OkStatus());
  owners.Prepare("users/12");
  EXPECT_TRUE(owners.Check("users/11", "users/12").ok()) << "a failed lookup is asked again";

  const Access rep = For(rep_);
  OwnerChecks reps(rep, "thing.owner");
  reps.Prepare("users/12");
  EXPECT_EQ(ErrorReason(reps.Check("users/11", "users/12")), "OWNER_CHANGE_DENIED")
      << "the role's rule is checked under the lock";
}

TEST_F(OwnedRecordsTest, ThePolicyRowAndAnUnreachableTeamListRefuseBeforeAnyRule) {
  auth::Caller nobody = MakeCaller(50, auth::v1::ROLE_UNSPECIFIED);
  EXPECT_EQ(resolver_.For(nobody, kMethod).status().code(), absl::StatusCode::kPermissionDenied);
  users_.FailWith(absl::UnavailableError("auth is down"));
  absl::Status st = resolver_.For(manager_, kMethod).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorReason(st), "AUTH_UNAVAILABLE");
  EXPECT_TRUE(resolver_.For(rep_, kMethod).ok()) << "a rep needs no team list";
}

// A table with rules of its own: marketing reads its own rows and the marked ones (here,
// rows with a campaign) and writes none; a manager writes every row.
constexpr auth::RecordRules kCampaignRules = {
    .read = {auth::Scope::kNone, auth::Scope::kAll, auth::Scope::kTeam, auth::Scope::kOwn,
             auth::Scope::kMarked, auth::Scope::kAll},
    .write = {auth::Scope::kNone, auth::Scope::kAll, auth::Scope::kAll, auth::Scope::kOwn,
              auth::Scope::kNone, auth::Scope::kNone},
};

TEST_F(OwnedRecordsTest, ATableWithItsOwnRulesMarksRowsForOneRole) {
  auto session = pool_->Borrow();
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE((*session)
                  ->Execute("ALTER TABLE things ADD COLUMN campaign VARCHAR(20) NOT NULL "
                            "DEFAULT ''",
                            {})
                  .ok());
  ASSERT_TRUE((*session)->Execute("UPDATE things SET campaign = 'expo' WHERE id = 3", {}).ok());
  const OwnedRecords campaigns{
      {.collection = "things",
       .not_found_reason = "THING_NOT_FOUND",
       .owner_column = "t.owner",
       .select_by_id = "SELECT t.id, t.name, t.owner, t.campaign <> '' FROM things t WHERE "
                       "t.id = ? AND t.delete_time IS NULL",
       .owner_index = 2,
       .select_columns = "SELECT t.id, t.name, t.owner",
       .column_count = 3,
       .from_live = " FROM things t WHERE t.delete_time IS NULL",
       .marked = "t.campaign <> ''",
       .marked_index = 3}};
  const auth::Caller marketing = MakeCaller(30, auth::v1::MARKETING, "teams/1");
  auto access = resolver_.For(marketing, kMethod, kCampaignRules);
  ASSERT_TRUE(access.ok()) << access.status();

  EXPECT_TRUE(campaigns.Get(**session, *access, 3).ok()) << "a campaign's row is readable";
  EXPECT_EQ(campaigns.Get(**session, *access, 1).status().code(), absl::StatusCode::kNotFound);
  api::ListQuery query;
  query.page_size = 10;
  query.filter = {"TRUE", {}};
  query.order = {{.field = "", .column = "t.id"}};
  auto page = campaigns.List<std::string>(**session, *access, query,
                                          [](const db::Row& row) { return row.Str(1); });
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->items, std::vector<std::string>{"three"});
  absl::Status write = pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    return campaigns.Lock(tx, *access, 3).status();
  });
  EXPECT_EQ(write.code(), absl::StatusCode::kPermissionDenied) << "marketing only reads them";

  // The same table under these rules lets a manager take another team's row into theirs.
  auto manager = resolver_.For(manager_, kMethod, kCampaignRules);
  ASSERT_TRUE(manager.ok());
  EXPECT_TRUE(manager->CheckOwnerChange("users/21", "users/12", "thing.owner").ok());
  EXPECT_EQ(ErrorReason(For(manager_).CheckOwnerChange("users/21", "users/12", "thing.owner")),
            "OWNER_CHANGE_DENIED")
      << "not under the default rules";
}

}  // namespace
}  // namespace crm::records
