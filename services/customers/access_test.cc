// Record-level access in the customers service against a real MariaDB schema: every role
// against customers it owns, customers of its team and customers of another team; lists
// with many filters never showing what the caller may not read; page tokens bound to their
// user; owner assignment; and the gRPC edge refusing calls without a valid token.
//
// The synchronous handlers are called with callers built directly (as a verified token
// would describe them) and a user directory held in memory.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/api/resource.h"
#include "libs/auth/testing.h"
#include "libs/grpc/status.h"
#include "libs/service/testing.h"
#include "services/customers/service.h"

namespace crm::customers {
namespace {

using auth::Caller;
using auth::testing::MakeCaller;

constexpr char kTeam1[] = "teams/1";
constexpr char kTeam2[] = "teams/2";

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto test = service::testing::TestKit::Create("customers", CRM_CUSTOMERS_SCHEMA_DIR);
    ASSERT_TRUE(test.ok()) << test.status();
    test_ = std::move(*test);
    pool_ = &test_->pool();
    stores_ = std::make_unique<Stores>(*pool_, test_->clock());
    service_ = std::make_unique<CustomerService>(test_->kit(), *stores_, ServiceOptions{});
    test_->users().Add(1, auth::v1::ADMIN, "");
    test_->users().Add(10, auth::v1::SALES_MANAGER, kTeam1);
    test_->users().Add(11, auth::v1::SALES_REP, kTeam1);
    test_->users().Add(12, auth::v1::SALES_REP, kTeam1);
    test_->users().Add(13, auth::v1::SALES_REP, kTeam1, /*active=*/false);
    test_->users().Add(20, auth::v1::SALES_MANAGER, kTeam2);
    test_->users().Add(21, auth::v1::SALES_REP, kTeam2);
    test_->users().Add(30, auth::v1::MARKETING, kTeam1);
    test_->users().Add(40, auth::v1::SUPPORT, kTeam1);
  }

  // A customer created by the admin (users/1) through the store and then given to `owner`
  // in the database directly, so that owners no API call could assign (a role-less user,
  // nobody at all, as rows from before ownership have) can be set up without a lookup.
  // `owner_team` is the owner's team in users(), for the reader: visibility asks the
  // directory, not the row.
  v1::Customer Seed(const std::string& owner, [[maybe_unused]] const std::string& owner_team,
                    const std::string& display_name, const std::string& province = "浙江",
                    bool vip = false) {
    v1::Customer c;
    c.set_display_name(display_name);
    c.set_kind(v1::COMPANY);
    c.mutable_region()->set_country("CN");
    c.mutable_region()->set_province(province);
    if (vip) c.add_tags("vip");
    c.set_owner(admin_.principal.user);
    auto access = test_->kit().access.For(admin_, CustomerService::kCreateMethod);
    EXPECT_TRUE(access.ok()) << access.status();
    if (!access.ok()) return v1::Customer();
    auto created = stores_->customers.Create(*access, c, /*allow_duplicate=*/true, db::IdempotencyKey{});
    EXPECT_TRUE(created.ok()) << created.status();
    if (!created.ok()) return v1::Customer();
    auto id = api::ParseResourceId(created->name(), "customers");
    auto session = pool_->Borrow();
    EXPECT_TRUE(session.ok() && id.ok());
    EXPECT_TRUE(
        (*session)->Execute("UPDATE customers SET owner = ? WHERE id = ?", {owner, *id}).ok());
    created->set_owner(owner);
    return *created;
  }

  absl::Status Get(const Caller& caller, const std::string& name, v1::Customer* out = nullptr) {
    v1::GetCustomerRequest req;
    req.set_name(name);
    v1::Customer ignored;
    return service_->Get(caller, req, out != nullptr ? out : &ignored);
  }

  absl::Status SetNotes(const Caller& caller, const std::string& name, const std::string& notes) {
    v1::UpdateCustomerRequest req;
    req.mutable_customer()->set_name(name);
    req.mutable_customer()->set_notes(notes);
    req.mutable_update_mask()->add_paths("notes");
    v1::Customer out;
    return service_->Update(caller, req, &out);
  }

  absl::Status SetOwner(const Caller& caller, const std::string& name, const std::string& owner,
                        v1::Customer* out = nullptr) {
    v1::UpdateCustomerRequest req;
    req.mutable_customer()->set_name(name);
    req.mutable_customer()->set_owner(owner);
    req.mutable_update_mask()->add_paths("owner");
    v1::Customer ignored;
    return service_->Update(caller, req, out != nullptr ? out : &ignored);
  }

  absl::Status Delete(const Caller& caller, const std::string& name) {
    v1::DeleteCustomerRequest req;
    req.set_name(name);
    google::protobuf::Empty deleted;
    return service_->Delete(caller, req, &deleted);
  }

  absl::StatusOr<v1::Customer> CreateAs(const Caller& caller, const std::string& display_name,
                                        const std::string& owner = "",
                                        const std::string& request_id = "") {
    v1::CreateCustomerRequest req;
    req.set_request_id(request_id);
    req.mutable_customer()->set_display_name(display_name);
    req.mutable_customer()->set_kind(v1::PERSON);
    req.mutable_customer()->set_owner(owner);
    v1::Customer out;
    CRM_RETURN_IF_ERROR(service_->Create(caller, req, &out));
    return out;
  }

  // Every page of `filter` as `caller` sees it, one customer per page.
  std::vector<v1::Customer> ListAll(const Caller& caller, const std::string& filter) {
    std::vector<v1::Customer> out;
    v1::ListCustomersRequest req;
    req.set_filter(filter);
    req.set_page_size(1);
    for (int guard = 0; guard < 100; ++guard) {
      v1::ListCustomersResponse resp;
      absl::Status st = service_->List(caller, req, &resp);
      EXPECT_TRUE(st.ok()) << filter << ": " << st;
      if (!st.ok()) break;
      for (const auto& c : resp.customers()) out.push_back(c);
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return out;
  }

  std::set<std::string> DisplayNames(const std::vector<v1::Customer>& customers) {
    std::set<std::string> names;
    for (const auto& c : customers) names.insert(c.display_name());
    return names;
  }

  int64_t CountRows(const std::string& table) {
    auto session = pool_->Borrow();
    auto rows = (*session)->Query("SELECT COUNT(*) FROM " + table, {});
    return rows.ok() ? (*rows)[0].Int(0) : -1;
  }

  std::unique_ptr<service::testing::TestKit> test_;
  db::Pool* pool_ = nullptr;
  std::unique_ptr<Stores> stores_;
  std::unique_ptr<CustomerService> service_;

  const Caller admin_ = MakeCaller(1, auth::v1::ADMIN, "");
  const Caller manager_ = MakeCaller(10, auth::v1::SALES_MANAGER, kTeam1, {kTeam1});
  const Caller rep_ = MakeCaller(11, auth::v1::SALES_REP, kTeam1);
  const Caller teammate_ = MakeCaller(12, auth::v1::SALES_REP, kTeam1);
  const Caller other_team_rep_ = MakeCaller(21, auth::v1::SALES_REP, kTeam2);
  const Caller marketing_ = MakeCaller(30, auth::v1::MARKETING, kTeam1);
  const Caller support_ = MakeCaller(40, auth::v1::SUPPORT, kTeam1);
};

// ---- The permission matrix: role x {own, same team, other team} x {get, update, delete}.

enum class Relation { kOwn, kSameTeam, kOtherTeam };
enum class Outcome { kAllowed, kNotFound, kDenied };

const char* RelationName(Relation r) {
  switch (r) {
    case Relation::kOwn:
      return "own";
    case Relation::kSameTeam:
      return "same-team";
    case Relation::kOtherTeam:
      return "other-team";
  }
  return "?";
}

void ExpectOutcome(const absl::Status& st, Outcome expected, const std::string& cell) {
  switch (expected) {
    case Outcome::kAllowed:
      EXPECT_TRUE(st.ok()) << cell << ": " << st;
      break;
    case Outcome::kNotFound:
      EXPECT_EQ(st.code(), absl::StatusCode::kNotFound) << cell << ": " << st;
      EXPECT_EQ(ErrorReason(st), "CUSTOMER_NOT_FOUND") << cell;
      break;
    case Outcome::kDenied:
      EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied) << cell << ": " << st;
      EXPECT_EQ(ErrorReason(st), "PERMISSION_DENIED") << cell;
      break;
  }
}

TEST_F(AccessTest, EveryRoleAgainstOwnSameTeamAndOtherTeamCustomers) {
  struct Row {
    const char* role;
    const Caller* caller;
    Relation relation;
    Outcome get, update, del;
  };
  constexpr Outcome A = Outcome::kAllowed, N = Outcome::kNotFound, D = Outcome::kDenied;
  constexpr Relation kOwn = Relation::kOwn, kSame = Relation::kSameTeam,
                     kOther = Relation::kOtherTeam;
  const Row rows[] = {
      // role           caller             record  get update delete
      {"ADMIN", &admin_, kOwn, A, A, A},
      {"ADMIN", &admin_, kSame, A, A, A},
      {"ADMIN", &admin_, kOther, A, A, A},
      {"SALES_MANAGER", &manager_, kOwn, A, A, A},
      {"SALES_MANAGER", &manager_, kSame, A, A, A},
      {"SALES_MANAGER", &manager_, kOther, N, N, N},
      {"SALES_REP", &rep_, kOwn, A, A, A},
      {"SALES_REP", &rep_, kSame, N, N, N},
      {"SALES_REP", &rep_, kOther, N, N, N},
      {"MARKETING", &marketing_, kOwn, A, A, D},  // Delete is not in MARKETING's policy
      {"MARKETING", &marketing_, kSame, A, D, D},
      {"MARKETING", &marketing_, kOther, A, D, D},
      {"SUPPORT", &support_, kOwn, A, D, D},  // Update and Delete are not in SUPPORT's policy
      {"SUPPORT", &support_, kSame, A, D, D},
      {"SUPPORT", &support_, kOther, A, D, D},
  };
  for (const Row& row : rows) {
    const Caller& caller = *row.caller;
    std::string owner, team;
    switch (row.relation) {
      case Relation::kOwn:
        owner = caller.principal.user;
        team = caller.principal.team;
        break;
      case Relation::kSameTeam:  // a rep of teams/1, which the manager manages
        owner = teammate_.principal.user == caller.principal.user ? rep_.principal.user
                                                                  : teammate_.principal.user;
        team = kTeam1;
        break;
      case Relation::kOtherTeam:
        owner = other_team_rep_.principal.user;
        team = kTeam2;
        break;
    }
    const std::string cell = absl::StrCat(row.role, " x ", RelationName(row.relation));

    v1::Customer target = Seed(owner, team, cell);
    const int64_t events = CountRows("outbox");
    ExpectOutcome(Get(caller, target.name()), row.get, cell + " get");
    ExpectOutcome(SetNotes(caller, target.name(), "changed"), row.update, cell + " update");
    ExpectOutcome(Delete(caller, target.name()), row.del, cell + " delete");

    // What was refused changed nothing and announced nothing.
    v1::Customer after;
    const bool deleted = row.del == Outcome::kAllowed;
    ASSERT_EQ(Get(admin_, target.name(), &after).ok(), !deleted) << cell;
    if (!deleted) {
      EXPECT_EQ(after.notes(), row.update == Outcome::kAllowed ? "changed" : "") << cell;
    }
    const int64_t writes = (row.update == Outcome::kAllowed) + (row.del == Outcome::kAllowed);
    EXPECT_EQ(CountRows("outbox"), events + writes) << cell;
  }
}

TEST_F(AccessTest, AnInvisibleCustomerLooksExactlyLikeAMissingOne) {
  v1::Customer other = Seed(other_team_rep_.principal.user, kTeam2, "Other team's");
  const int64_t missing_id = 1000000;
  const std::string missing = absl::StrCat("customers/", missing_id);
  const std::vector<std::function<absl::Status(const std::string&)>> calls = {
      [this](const std::string& name) { return Get(rep_, name); },
      [this](const std::string& name) { return SetNotes(rep_, name, "x"); },
      [this](const std::string& name) { return SetOwner(rep_, name, "users/11"); },
      [this](const std::string& name) { return Delete(rep_, name); },
  };
  for (const auto& call : calls) {
    absl::Status invisible = call(other.name());
    absl::Status absent = call(missing);
    EXPECT_EQ(invisible.code(), absl::StatusCode::kNotFound) << invisible;
    EXPECT_EQ(ErrorReason(invisible), "CUSTOMER_NOT_FOUND");
    EXPECT_EQ(invisible.code(), absent.code());
    EXPECT_EQ(ErrorReason(invisible), ErrorReason(absent));
  }
}

TEST_F(AccessTest, ARoleOutsideThePolicyIsRefusedBeforeAnythingIsLookedAt) {
  Caller nobody = MakeCaller(99, auth::v1::ROLE_UNSPECIFIED, kTeam1);
  v1::Customer c = Seed(nobody.principal.user, kTeam1, "Owned by a role-less user");
  EXPECT_EQ(Get(nobody, c.name()).code(), absl::StatusCode::kPermissionDenied);
  v1::ListCustomersResponse resp;
  EXPECT_EQ(service_->List(nobody, v1::ListCustomersRequest(), &resp).code(),
            absl::StatusCode::kPermissionDenied);
  // SUPPORT may not delete even a customer that does not exist: nothing is revealed.
  EXPECT_EQ(Delete(support_, "customers/1000000").code(), absl::StatusCode::kPermissionDenied);
}

// ---- Lists.

TEST_F(AccessTest, ARepsListWithAnyFilterContainsOnlyTheirOwnCustomers) {
  Seed(rep_.principal.user, kTeam1, "Mine 浙江 vip", "浙江", /*vip=*/true);
  Seed(rep_.principal.user, kTeam1, "Mine 江苏", "江苏");
  Seed(teammate_.principal.user, kTeam1, "Teammate 浙江 vip", "浙江", true);
  Seed(teammate_.principal.user, kTeam1, "Teammate 江苏", "江苏");
  Seed(other_team_rep_.principal.user, kTeam2, "Other team 浙江 vip", "浙江", true);
  Seed(other_team_rep_.principal.user, kTeam2, "Other team 江苏", "江苏");
  Seed("", "", "Unowned 浙江 vip", "浙江", true);

  const std::set<std::string> mine = {"Mine 浙江 vip", "Mine 江苏"};
  const std::set<std::string> mine_vip = {"Mine 浙江 vip"};
  const std::set<std::string> none;
  const struct {
    const char* filter;
    std::set<std::string> expected;
  } cases[] = {
      {"", mine},
      {R"(region.province = "浙江")", mine_vip},
      {R"(tags:"vip")", mine_vip},
      {R"(owner = "users/11")", mine},
      {R"(owner = "users/12")", none},
      {R"(owner = "users/21")", none},
      {R"(owner = "")", none},
      {R"(owner = "users/21" OR tags:"vip")", mine_vip},
      {R"(owner = "users/12" OR owner = "users/21" OR region.country = "CN")", mine},
      {R"(NOT owner = "users/11")", none},
      {R"(display_name:"Other team")", none},
      {R"(creator = "users/1")", mine},
  };
  for (const auto& test : cases) {
    std::vector<v1::Customer> seen = ListAll(rep_, test.filter);
    for (const auto& c : seen) {
      EXPECT_EQ(c.owner(), rep_.principal.user) << test.filter << " showed " << c.display_name();
    }
    EXPECT_EQ(DisplayNames(seen), test.expected) << test.filter;
  }

  // The same data as other roles see it.
  EXPECT_EQ(
      DisplayNames(ListAll(manager_, "")),
      (std::set<std::string>{"Mine 浙江 vip", "Mine 江苏", "Teammate 浙江 vip", "Teammate 江苏"}));
  EXPECT_TRUE(ListAll(manager_, R"(owner = "users/21")").empty());
  EXPECT_EQ(ListAll(marketing_, "").size(), 7u);
  EXPECT_EQ(ListAll(support_, R"(tags:"vip")").size(), 4u);
  EXPECT_EQ(DisplayNames(ListAll(other_team_rep_, R"(tags:"vip")")),
            std::set<std::string>{"Other team 浙江 vip"});
}

TEST_F(AccessTest, APageTokenWorksOnlyForTheUserItWasIssuedTo) {
  for (int i = 0; i < 3; ++i) Seed(rep_.principal.user, kTeam1, absl::StrCat("mine ", i));
  v1::ListCustomersRequest req;
  req.set_page_size(1);
  v1::ListCustomersResponse first;
  ASSERT_TRUE(service_->List(rep_, req, &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());
  req.set_page_token(first.next_page_token());

  v1::ListCustomersResponse out;
  EXPECT_TRUE(service_->List(rep_, req, &out).ok());
  for (const Caller* other : {&teammate_, &manager_, &admin_}) {
    absl::Status st = service_->List(*other, req, &out);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << other->principal.user;
    EXPECT_EQ(ErrorReason(st), "INVALID_PAGE_TOKEN") << other->principal.user;
  }
}

// ---- Creating: creator and owner.

TEST_F(AccessTest, CreateRecordsTheCreatorAndDefaultsTheOwnerToThem) {
  v1::CreateCustomerRequest req;
  req.mutable_customer()->set_display_name("新客户");
  req.mutable_customer()->set_kind(v1::COMPANY);
  req.mutable_customer()->set_creator("users/999");   // output only: ignored
  v1::Customer out;
  ASSERT_TRUE(service_->Create(rep_, req, &out).ok());
  EXPECT_EQ(out.creator(), "users/11");
  EXPECT_EQ(out.owner(), "users/11");

  v1::Customer stored;
  ASSERT_TRUE(Get(rep_, out.name(), &stored).ok());
  EXPECT_EQ(stored.creator(), "users/11");
  EXPECT_TRUE(test_->users().lookups().empty()) << "owning it oneself needs no lookup";

  absl::StatusOr<v1::Customer> by_marketing = CreateAs(marketing_, "Campaign lead");
  ASSERT_TRUE(by_marketing.ok()) << by_marketing.status();
  EXPECT_EQ(by_marketing->owner(), "users/30");

  absl::StatusOr<v1::Customer> by_support = CreateAs(support_, "Not allowed");
  EXPECT_EQ(by_support.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(AccessTest, CreatingForSomeoneElseFollowsTheOwnerRules) {
  absl::StatusOr<v1::Customer> for_teammate = CreateAs(manager_, "For a rep", "users/12");
  ASSERT_TRUE(for_teammate.ok()) << for_teammate.status();
  EXPECT_EQ(for_teammate->owner(), "users/12");
  EXPECT_EQ(for_teammate->creator(), "users/10");
  EXPECT_TRUE(Get(teammate_, for_teammate->name()).ok());
  ASSERT_FALSE(test_->users().lookups().empty());
  EXPECT_EQ(test_->users().lookups().back().second, manager_.authorization)
      << "the lookup is made with the caller's own credentials";

  absl::StatusOr<v1::Customer> other_team = CreateAs(manager_, "Elsewhere", "users/21");
  EXPECT_EQ(other_team.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorReason(other_team.status()), "OWNER_CHANGE_DENIED");

  const size_t lookups = test_->users().lookups().size();
  absl::StatusOr<v1::Customer> by_rep = CreateAs(rep_, "For my teammate", "users/12");
  EXPECT_EQ(ErrorReason(by_rep.status()), "OWNER_CHANGE_DENIED");
  EXPECT_EQ(test_->users().lookups().size(), lookups) << "a rep's request is refused without a lookup";

  absl::StatusOr<v1::Customer> by_admin = CreateAs(admin_, "Assigned", "users/21");
  ASSERT_TRUE(by_admin.ok()) << by_admin.status();
  EXPECT_EQ(by_admin->owner(), "users/21");
  EXPECT_EQ(by_admin->creator(), "users/1");

  absl::StatusOr<v1::Customer> unknown = CreateAs(admin_, "Nobody's", "users/999");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(FieldViolations(unknown.status()).size(), 1u);
  EXPECT_EQ(FieldViolations(unknown.status())[0].field, "customer.owner");
  EXPECT_EQ(CountRows("customers"), 2);
}

TEST_F(AccessTest, ARequestIdReplaysOnlyForTheUserWhoSentIt) {
  absl::StatusOr<v1::Customer> first = CreateAs(rep_, "Same request", "", "shared-request-id");
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<v1::Customer> again = CreateAs(rep_, "Same request", "", "shared-request-id");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->name(), first->name());

  absl::StatusOr<v1::Customer> stranger =
      CreateAs(other_team_rep_, "Same request", "", "shared-request-id");
  EXPECT_EQ(stranger.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorReason(stranger.status()), "REQUEST_ID_REUSED");
  EXPECT_EQ(CountRows("customers"), 1);
}

// ---- Team changes.

// A rep who moves to another team takes their customers' visibility along: the old manager
// loses them and the new one gains them, with no token or record rewritten.
TEST_F(AccessTest, ARepWhoChangesTeamsTakesTheirCustomersAlong) {
  v1::Customer c = Seed(rep_.principal.user, kTeam1, "Follows the rep");
  const Caller other_manager = MakeCaller(20, auth::v1::SALES_MANAGER, kTeam2, {kTeam2});
  EXPECT_TRUE(Get(manager_, c.name()).ok());
  EXPECT_EQ(Get(other_manager, c.name()).code(), absl::StatusCode::kNotFound);

  test_->users().MoveTo(rep_.principal.user, kTeam2);
  EXPECT_EQ(Get(manager_, c.name()).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(SetNotes(manager_, c.name(), "still mine?").code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(ListAll(manager_, "").empty());
  EXPECT_TRUE(Get(other_manager, c.name()).ok());
  EXPECT_TRUE(SetNotes(other_manager, c.name(), "now mine").ok());
  EXPECT_TRUE(Get(rep_, c.name()).ok()) << "the owner keeps their own customers";
}

TEST_F(AccessTest, AManagersReadsFailClosedWhenTheTeamCannotBeLookedUp) {
  Seed(rep_.principal.user, kTeam1, "Needs the team");
  test_->users().FailWith(absl::UnavailableError("auth is down"));
  v1::ListCustomersResponse out;
  absl::Status st = service_->List(manager_, {}, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorReason(st), "AUTH_UNAVAILABLE");
  EXPECT_TRUE(service_->List(rep_, {}, &out).ok()) << "reps need no lookup";
}

// ---- Changing the owner.

TEST_F(AccessTest, AManagerReassignsWithinTheirTeamButNotOutOfIt) {
  v1::Customer c = Seed(rep_.principal.user, kTeam1, "Moving");
  v1::Customer moved;
  ASSERT_TRUE(SetOwner(manager_, c.name(), "users/12", &moved).ok());
  EXPECT_EQ(moved.owner(), "users/12");
  EXPECT_EQ(Get(rep_, c.name()).code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Get(teammate_, c.name()).ok());

  absl::Status out_of_team = SetOwner(manager_, c.name(), "users/21");
  EXPECT_EQ(out_of_team.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorReason(out_of_team), "OWNER_CHANGE_DENIED");
  // The real auth service does not even show a manager users outside their teams.
  test_->users().Hide("users/21");
  out_of_team = SetOwner(manager_, c.name(), "users/21");
  EXPECT_EQ(ErrorReason(out_of_team), "OWNER_CHANGE_DENIED");
  EXPECT_EQ(ErrorReason(SetOwner(manager_, c.name(), "users/999")), "OWNER_CHANGE_DENIED");
  EXPECT_EQ(ErrorReason(SetOwner(manager_, c.name(), "users/13")), "OWNER_CHANGE_DENIED")
      << "a disabled user";

  v1::Customer after;
  ASSERT_TRUE(Get(admin_, c.name(), &after).ok());
  EXPECT_EQ(after.owner(), "users/12");
  EXPECT_EQ(after.etag(), moved.etag());
}

TEST_F(AccessTest, RepsMarketingAndSupportCannotChangeOwners) {
  v1::Customer reps = Seed(rep_.principal.user, kTeam1, "Rep's");
  v1::Customer marketings = Seed(marketing_.principal.user, kTeam1, "Marketing's");

  absl::Status st = SetOwner(rep_, reps.name(), "users/12");
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorReason(st), "OWNER_CHANGE_DENIED");

  st = SetOwner(marketing_, marketings.name(), "users/11");
  EXPECT_EQ(ErrorReason(st), "OWNER_CHANGE_DENIED");
  st = SetOwner(marketing_, reps.name(), "users/30");
  EXPECT_EQ(ErrorReason(st), "PERMISSION_DENIED") << "not theirs to write at all";

  st = SetOwner(support_, reps.name(), "users/40");
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(test_->users().lookups().empty()) << "none of them got as far as a lookup";

  // Sending the record back unchanged ("*", owner as it is) is not a change of owner.
  v1::UpdateCustomerRequest req;
  *req.mutable_customer() = marketings;
  req.mutable_customer()->set_notes("edited");
  req.mutable_update_mask()->add_paths("*");
  v1::Customer out;
  ASSERT_TRUE(service_->Update(marketing_, req, &out).ok());
  EXPECT_EQ(out.owner(), "users/30");
  EXPECT_EQ(out.notes(), "edited");
}

TEST_F(AccessTest, AnAdminAssignsToAnyActiveUser) {
  v1::Customer c = Seed(other_team_rep_.principal.user, kTeam2, "Admin moves it");
  v1::Customer moved;
  ASSERT_TRUE(SetOwner(admin_, c.name(), "users/11", &moved).ok());
  EXPECT_EQ(moved.owner(), "users/11");
  EXPECT_TRUE(Get(rep_, c.name()).ok());
  EXPECT_EQ(Get(other_team_rep_, c.name()).code(), absl::StatusCode::kNotFound);

  for (const char* bad : {"users/999", "users/13"}) {  // unknown, disabled
    absl::Status st = SetOwner(admin_, c.name(), bad);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
    ASSERT_EQ(FieldViolations(st).size(), 1u) << bad;
    EXPECT_EQ(FieldViolations(st)[0].field, "customer.owner");
  }
  EXPECT_EQ(SetOwner(admin_, c.name(), "").code(), absl::StatusCode::kInvalidArgument)
      << "every customer keeps an owner";

  test_->users().FailWith(absl::UnavailableError("auth is down"));
  absl::Status st = SetOwner(admin_, c.name(), "users/12");
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorReason(st), "AUTH_UNAVAILABLE");
}

// ---- The gRPC edge: tokens are verified before anything runs.

TEST_F(AccessTest, TheServiceRefusesCallsWithoutAValidToken) {
  auto stub = v1::CustomerService::NewStub(test_->ServeOnLoopback({service_.get()}));
  ASSERT_NE(stub, nullptr);

  v1::Customer theirs = Seed(other_team_rep_.principal.user, kTeam2, "Theirs");
  v1::Customer mine = Seed(rep_.principal.user, kTeam1, "Mine");
  auto get = [&](const std::string& authorization, const std::string& name) {
    grpc::ClientContext ctx;
    if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
    v1::GetCustomerRequest req;
    req.set_name(name);
    v1::Customer out;
    return FromGrpcStatus(stub->GetCustomer(&ctx, req, &out));
  };
  auto token_for = [&](const Caller& caller) { return test_->signer().Bearer(caller.principal); };

  EXPECT_EQ(get("", mine.name()).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(get("Bearer not-a-token", mine.name()).code(), absl::StatusCode::kUnauthenticated);
  std::string rep_token = token_for(rep_);
  EXPECT_TRUE(get(rep_token, mine.name()).ok());
  absl::Status invisible = get(rep_token, theirs.name());
  EXPECT_EQ(invisible.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(invisible), "CUSTOMER_NOT_FOUND");
  // A token whose payload was altered after signing is refused.
  std::string forged = rep_token;
  forged[forged.find('.') + 3] ^= 1;
  EXPECT_EQ(get(forged, theirs.name()).code(), absl::StatusCode::kUnauthenticated);

  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", token_for(support_));
  v1::CreateCustomerRequest create;
  create.mutable_customer()->set_display_name("By support");
  create.mutable_customer()->set_kind(v1::COMPANY);
  v1::Customer out;
  absl::Status denied = FromGrpcStatus(stub->CreateCustomer(&ctx, create, &out));
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CountRows("customers"), 2);
}

}  // namespace
}  // namespace crm::customers
