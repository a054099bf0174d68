// The permission matrix of the customers service, through real processes: every role ×
// every customers method × a record of the caller's own, of a teammate and of another team,
// each cell with its expected answer. The same table is run through the gateway and straight
// against crm-customers, which must be just as closed without the gateway in front.
//
// Built twice: crm_permissions_e2e_test runs the stack in plaintext, as `tools/dev up` does;
// crm_permissions_tls_e2e_test (CRM_E2E_TLS=1) runs every process over TLS, the services
// requiring client certificates, as in production with TLS on, and also shows that a
// plaintext client, and a TLS client without a certificate at a service, are refused.
#include <gtest/gtest.h>

#include <grpcpp/grpcpp.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/grpc/status.h"
#include "libs/grpc/tls.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

namespace cv1 = customers::v1;
namespace av1 = auth::v1;
using testing::Session;
using testing::Stack;

#ifndef CRM_E2E_TLS
#define CRM_E2E_TLS 0
#endif
constexpr bool kTls = CRM_E2E_TLS;

enum class Method { kCreate, kGet, kList, kUpdate, kReassign, kDelete };
enum class Whose { kOwn, kTeammate, kOtherTeam };
enum class Role { kAdmin, kManager, kRep, kMarketing, kSupport };

constexpr grpc::StatusCode OK = grpc::StatusCode::OK;
constexpr grpc::StatusCode DENIED = grpc::StatusCode::PERMISSION_DENIED;
constexpr grpc::StatusCode HIDDEN = grpc::StatusCode::NOT_FOUND;

const char* Name(Method m) {
  switch (m) {
    case Method::kCreate: return "Create";
    case Method::kGet: return "Get";
    case Method::kList: return "List";
    case Method::kUpdate: return "Update";
    case Method::kReassign: return "Reassign";
    case Method::kDelete: return "Delete";
  }
  return "?";
}
const char* Name(Whose w) {
  switch (w) {
    case Whose::kOwn: return "own";
    case Whose::kTeammate: return "teammate's";
    case Whose::kOtherTeam: return "other team's";
  }
  return "?";
}
const char* Name(Role r) {
  switch (r) {
    case Role::kAdmin: return "ADMIN";
    case Role::kManager: return "SALES_MANAGER";
    case Role::kRep: return "SALES_REP";
    case Role::kMarketing: return "MARKETING";
    case Role::kSupport: return "SUPPORT";
  }
  return "?";
}

struct Cell {
  Role role;
  Method method;
  // Expected code for a record that is the caller's own, a teammate's, another team's.
  // For Create: the owner named in the request; for List: OK means the record is listed,
  // NOT_FOUND that it is absent; for Reassign: moving the record to a member of team A.
  grpc::StatusCode own, teammate, other_team;
};

// The rules of proto/crm/customers/v1/customers.proto, cell by cell. Team A: the manager,
// the rep, a second rep (the "teammate"), marketing and support; team B: another manager and
// rep (the "other team"). ADMIN belongs to no team; its "own" records are its own.
const std::vector<Cell> kMatrix = {
    // role            method             own     teammate  other team
    {Role::kAdmin,     Method::kCreate,   OK,     OK,       OK},
    {Role::kAdmin,     Method::kGet,      OK,     OK,       OK},
    {Role::kAdmin,     Method::kList,     OK,     OK,       OK},
    {Role::kAdmin,     Method::kUpdate,   OK,     OK,       OK},
    {Role::kAdmin,     Method::kReassign, OK,     OK,       OK},
    {Role::kAdmin,     Method::kDelete,   OK,     OK,       OK},

    {Role::kManager,   Method::kCreate,   OK,     OK,       DENIED},
    {Role::kManager,   Method::kGet,      OK,     OK,       HIDDEN},
    {Role::kManager,   Method::kList,     OK,     OK,       HIDDEN},
    {Role::kManager,   Method::kUpdate,   OK,     OK,       HIDDEN},
    {Role::kManager,   Method::kReassign, OK,     OK,       HIDDEN},
    {Role::kManager,   Method::kDelete,   OK,     OK,       HIDDEN},

    {Role::kRep,       Method::kCreate,   OK,     DENIED,   DENIED},
    {Role::kRep,       Method::kGet,      OK,     HIDDEN,   HIDDEN},
    {Role::kRep,       Method::kList,     OK,     HIDDEN,   HIDDEN},
    {Role::kRep,       Method::kUpdate,   OK,     HIDDEN,   HIDDEN},
    {Role::kRep,       Method::kReassign, DENIED, HIDDEN,   HIDDEN},
    {Role::kRep,       Method::kDelete,   OK,     HIDDEN,   HIDDEN},

    {Role::kMarketing, Method::kCreate,   OK,     DENIED,   DENIED},
    {Role::kMarketing, Method::kGet,      OK,     OK,       OK},
    {Role::kMarketing, Method::kList,     OK,     OK,       OK},
    {Role::kMarketing, Method::kUpdate,   OK,     DENIED,   DENIED},
    {Role::kMarketing, Method::kReassign, DENIED, DENIED,   DENIED},
    {Role::kMarketing, Method::kDelete,   DENIED, DENIED,   DENIED},

    {Role::kSupport,   Method::kCreate,   DENIED, DENIED,   DENIED},
    {Role::kSupport,   Method::kGet,      OK,     OK,       OK},
    {Role::kSupport,   Method::kList,     OK,     OK,       OK},
    {Role::kSupport,   Method::kUpdate,   DENIED, DENIED,   DENIED},
    {Role::kSupport,   Method::kReassign, DENIED, DENIED,   DENIED},
    {Role::kSupport,   Method::kDelete,   DENIED, DENIED,   DENIED},
};

cv1::Customer NewCustomer(const std::string& display_name, const std::string& owner = "") {
  cv1::Customer c;
  c.set_display_name(display_name);
  c.set_kind(cv1::COMPANY);
  c.set_industry("制造业");
  c.mutable_region()->set_country("CN");
  c.mutable_region()->set_province("浙江");
  c.mutable_region()->set_city("杭州");
  c.set_owner(owner);
  return c;
}

class PermissionsE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto stack = Stack::Start({.tls = kTls});
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack).release();
    auto team_a = stack_->CreateTeam("华东销售一组");
    auto team_b = stack_->CreateTeam("华南销售二组");
    ASSERT_TRUE(team_a.ok()) << team_a.status();
    ASSERT_TRUE(team_b.ok()) << team_b.status();
    struct Spec {
      std::string username;
      av1::Role role;
      std::string team;
    };
    const std::vector<Spec> specs = {
        {"manager.a", av1::SALES_MANAGER, team_a->name()},
        {"rep.a", av1::SALES_REP, team_a->name()},
        {"rep.a2", av1::SALES_REP, team_a->name()},
        {"marketing.a", av1::MARKETING, team_a->name()},
        {"support.a", av1::SUPPORT, team_a->name()},
        {"manager.b", av1::SALES_MANAGER, team_b->name()},
        {"rep.b", av1::SALES_REP, team_b->name()},
    };
    for (const auto& spec : specs) {
      auto user = stack_->CreateUser(spec.username, spec.role, spec.team);
      ASSERT_TRUE(user.ok()) << spec.username << ": " << user.status();
      users_[spec.username] = *user;
    }
    ASSERT_TRUE(stack_->SetManager(*team_a, users_["manager.a"]).ok());
    ASSERT_TRUE(stack_->SetManager(*team_b, users_["manager.b"]).ok());
    // Signed in after the teams have managers, so the managers' tokens name their teams.
    auto admin = stack_->LoginAdmin();
    ASSERT_TRUE(admin.ok()) << admin.status();
    sessions_["admin"] = *admin;
    users_["admin"] = admin->user;
    for (const auto& spec : specs) {
      auto session = stack_->Login(spec.username, Stack::kTestPassword);
      ASSERT_TRUE(session.ok()) << spec.username << ": " << session.status();
      sessions_[spec.username] = *session;
    }
  }

  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  void TearDown() override {
    if (HasFailure() && stack_ != nullptr) std::cerr << stack_->Logs();
  }

  static std::string Actor(Role role) {
    switch (role) {
      case Role::kAdmin: return "admin";
      case Role::kManager: return "manager.a";
      case Role::kRep: return "rep.a";
      case Role::kMarketing: return "marketing.a";
      case Role::kSupport: return "support.a";
    }
    return "";
  }
  // Whose record it is, as a username: the actor, a teammate of the actor, another team.
  static std::string OwnerFor(Role role, Whose whose) {
    switch (whose) {
      case Whose::kOwn: return Actor(role);
      case Whose::kTeammate: return "rep.a2";
      case Whose::kOtherTeam: return "rep.b";
    }
    return "";
  }

  // A fresh record owned by `owner`, created by the admin.
  static absl::StatusOr<cv1::Customer> Fixture(const std::string& owner, const std::string& tag) {
    auto stub = cv1::CustomerService::NewStub(stack_->gateway());
    cv1::CreateCustomerRequest create;
    *create.mutable_customer() = NewCustomer("Fixture " + tag, users_[owner].name());
    create.mutable_customer()->add_tags(tag);
    cv1::Customer out;
    grpc::Status st = stub->CreateCustomer(sessions_["admin"].Context().get(), create, &out);
    if (!st.ok()) return FromGrpcStatus(st);
    return out;
  }

  // Performs one cell's call as `role` on a record of `whose`, over `channel`.
  static grpc::StatusCode Perform(Role role, Method method, Whose whose,
                                  const std::shared_ptr<grpc::Channel>& channel,
                                  const std::string& tag, std::string* detail) {
    auto stub = cv1::CustomerService::NewStub(channel);
    const Session& me = sessions_[Actor(role)];
    const std::string owner = users_[OwnerFor(role, whose)].name();
    grpc::Status st;
    if (method == Method::kCreate) {
      cv1::CreateCustomerRequest create;
      *create.mutable_customer() =
          NewCustomer("Created " + tag, whose == Whose::kOwn ? "" : owner);
      cv1::Customer out;
      st = stub->CreateCustomer(me.Context().get(), create, &out);
      if (st.ok() && out.owner() != owner) {
        *detail = "created with owner " + out.owner() + ", expected " + owner;
        return grpc::StatusCode::INTERNAL;
      }
      if (st.ok() && out.creator() != me.user.name()) {
        *detail = "creator is " + out.creator();
        return grpc::StatusCode::INTERNAL;
      }
      *detail = st.error_message();
      return st.error_code();
    }
    auto record = Fixture(OwnerFor(role, whose), tag);
    if (!record.ok()) {
      *detail = "fixture: " + std::string(record.status().message());
      return grpc::StatusCode::INTERNAL;
    }
    switch (method) {
      case Method::kGet: {
        cv1::GetCustomerRequest get;
        get.set_name(record->name());
        cv1::Customer out;
        st = stub->GetCustomer(me.Context().get(), get, &out);
        break;
      }
      case Method::kList: {
        // Filtered to this cell's record by its unique tag: listed or not.
        cv1::ListCustomersRequest list;
        list.set_filter(absl::StrCat("tags:\"", tag, "\""));
        cv1::ListCustomersResponse out;
        st = stub->ListCustomers(me.Context().get(), list, &out);
        if (st.ok()) {
          *detail = absl::StrCat(out.customers_size(), " listed");
          return out.customers_size() == 1 ? OK : HIDDEN;
        }
        break;
      }
      case Method::kUpdate: {
        cv1::UpdateCustomerRequest update;
        update.mutable_customer()->set_name(record->name());
        update.mutable_customer()->set_notes("touched by " + me.user.username());
        update.mutable_update_mask()->add_paths("notes");
        cv1::Customer out;
        st = stub->UpdateCustomer(me.Context().get(), update, &out);
        break;
      }
      case Method::kReassign: {
        // To a member of team A other than the current owner.
        const std::string to = OwnerFor(role, whose) == "rep.a" ? "rep.a2" : "rep.a";
        cv1::UpdateCustomerRequest update;
        update.mutable_customer()->set_name(record->name());
        update.mutable_customer()->set_owner(users_[to].name());
        update.mutable_update_mask()->add_paths("owner");
        cv1::Customer out;
        st = stub->UpdateCustomer(me.Context().get(), update, &out);
        if (st.ok() && out.owner() != users_[to].name()) {
          *detail = "owner after reassign: " + out.owner();
          return grpc::StatusCode::INTERNAL;
        }
        break;
      }
      case Method::kDelete: {
        cv1::DeleteCustomerRequest del;
        del.set_name(record->name());
        google::protobuf::Empty out;
        st = stub->DeleteCustomer(me.Context().get(), del, &out);
        break;
      }
      case Method::kCreate:
        break;
    }
    *detail = st.error_message();
    return st.error_code();
  }

  void RunMatrix(const std::shared_ptr<grpc::Channel>& channel, const std::string& via) {
    int cell_number = 0;
    for (const Cell& cell : kMatrix) {
      for (Whose whose : {Whose::kOwn, Whose::kTeammate, Whose::kOtherTeam}) {
        const grpc::StatusCode expected = whose == Whose::kOwn        ? cell.own
                                          : whose == Whose::kTeammate ? cell.teammate
                                                                      : cell.other_team;
        const std::string tag = absl::StrCat(via, "-cell-", ++cell_number);
        std::string detail;
        const grpc::StatusCode got =
            Perform(cell.role, cell.method, whose, channel, tag, &detail);
        EXPECT_EQ(got, expected) << Name(cell.role) << " " << Name(cell.method) << " on "
                                 << Name(whose) << " record via " << via << ": " << detail;
      }
    }
  }

  static Stack* stack_;
  static std::map<std::string, av1::User> users_;
  static std::map<std::string, Session> sessions_;
};

Stack* PermissionsE2eTest::stack_ = nullptr;
std::map<std::string, av1::User> PermissionsE2eTest::users_;
std::map<std::string, Session> PermissionsE2eTest::sessions_;

TEST_F(PermissionsE2eTest, MatrixThroughTheGateway) { RunMatrix(stack_->gateway(), "gateway"); }

TEST_F(PermissionsE2eTest, MatrixStraightAgainstTheService) {
  RunMatrix(stack_->channel("customers"), "direct");
}

// The TLS build only: nothing reaches the servers without TLS, and a service takes no call
// from a client without a certificate of the suite's CA, token or not.
TEST_F(PermissionsE2eTest, PlaintextAndCertificatelessClientsAreRefused) {
  if (!kTls) GTEST_SKIP() << "the plaintext build serves plaintext";
  const Session& rep = sessions_.at("rep.a");
  cv1::ListCustomersRequest request;
  cv1::ListCustomersResponse response;
  for (const std::string name : {"gateway", "customers", "auth"}) {
    auto plaintext = grpc::CreateChannel(stack_->process(name).target(),
                                         grpc::InsecureChannelCredentials());
    grpc::Status status =
        cv1::CustomerService::NewStub(plaintext)->ListCustomers(rep.Context().get(), request,
                                                                &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << name << ": "
                                                                  << status.error_message();
  }
  // TLS that trusts the CA but presents no certificate: the gateway serves it, a service
  // does not.
  auto no_cert = [&](const std::string& name) {
    return grpc::CreateChannel(
        stack_->process(name).target(),
        ChannelCredentials(TlsOptions{.ca = stack_->tls_dir() + "/ca.pem"}));
  };
  EXPECT_TRUE(cv1::CustomerService::NewStub(no_cert("gateway"))
                  ->ListCustomers(rep.Context().get(), request, &response)
                  .ok());
  grpc::Status refused = cv1::CustomerService::NewStub(no_cert("customers"))
                             ->ListCustomers(rep.Context().get(), request, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
}

TEST_F(PermissionsE2eTest, NoTokenIsUnauthenticatedOnEveryMethodAndPath) {
  for (const auto& channel : {stack_->gateway(), stack_->channel("customers")}) {
    auto stub = cv1::CustomerService::NewStub(channel);
    cv1::Customer customer;
    google::protobuf::Empty empty;
    cv1::ListCustomersResponse list;
    cv1::CreateCustomerRequest create;
    *create.mutable_customer() = NewCustomer("No token Co");
    cv1::GetCustomerRequest get;
    get.set_name("customers/1");
    cv1::UpdateCustomerRequest update;
    update.mutable_customer()->set_name("customers/1");
    update.mutable_update_mask()->add_paths("notes");
    cv1::DeleteCustomerRequest del;
    del.set_name("customers/1");
    for (const std::string& token : {std::string(""), std::string("garbage.token.here")}) {
      auto ctx = [&] { return testing::ContextWithToken(token); };
      EXPECT_EQ(stub->CreateCustomer(ctx().get(), create, &customer).error_code(),
                grpc::StatusCode::UNAUTHENTICATED);
      EXPECT_EQ(stub->GetCustomer(ctx().get(), get, &customer).error_code(),
                grpc::StatusCode::UNAUTHENTICATED);
      EXPECT_EQ(stub->ListCustomers(ctx().get(), {}, &list).error_code(),
                grpc::StatusCode::UNAUTHENTICATED);
      EXPECT_EQ(stub->UpdateCustomer(ctx().get(), update, &customer).error_code(),
                grpc::StatusCode::UNAUTHENTICATED);
      EXPECT_EQ(stub->DeleteCustomer(ctx().get(), del, &empty).error_code(),
                grpc::StatusCode::UNAUTHENTICATED);
    }
  }
}

// Whatever the filter, order or page size, a rep sees only their own customers: never a
// teammate's and never another team's, and the pages add up to exactly their own.
TEST_F(PermissionsE2eTest, RepListNeverContainsOtherPeoplesCustomers) {
  const std::vector<std::string> owners = {"rep.a", "rep.a2", "rep.b", "manager.a", "manager.b"};
  std::map<std::string, int> created;
  for (int i = 0; i < 15; ++i) {
    const std::string& owner = owners[i % owners.size()];
    auto stub = cv1::CustomerService::NewStub(stack_->gateway());
    cv1::CreateCustomerRequest create;
    *create.mutable_customer() = NewCustomer(absl::StrCat("Listing Co ", i), users_[owner].name());
    create.mutable_customer()->add_tags("listing");
    create.mutable_customer()->add_tags(i % 2 == 0 ? "vip" : "normal");
    create.mutable_customer()->mutable_region()->set_province(i % 3 == 0 ? "江苏" : "浙江");
    cv1::Customer out;
    ASSERT_TRUE(stub->CreateCustomer(sessions_["admin"].Context().get(), create, &out).ok());
    ++created[owner];
  }
  // rep.a owns customers 0, 5 and 10: two vip (0, 10), one in 江苏 (0).
  ASSERT_EQ(created["rep.a"], 3);
  const Session& rep = sessions_["rep.a"];
  const std::string me = rep.user.name();
  const struct {
    std::string filter;
    size_t expected;  // how many of rep.a's own customers match
  } cases[] = {
      {"", 3},
      {"tags:\"vip\"", 2},
      {"tags:\"vip\" OR tags:\"normal\"", 3},
      {"region.province = \"江苏\"", 1},
      {"owner = \"" + users_["rep.b"].name() + "\"", 0},
      {"owner = \"" + users_["rep.a2"].name() + "\" OR owner = \"" + me + "\"", 3},
      {"NOT owner = \"" + me + "\"", 0},
      {"display_name = \"Listing Co 2\"", 0},  // rep.b's
      {"owner = \"" + me + "\"", 3},
  };
  for (const auto& test : cases) {
    const std::string filter =
        test.filter.empty() ? "tags:\"listing\"" : "tags:\"listing\" AND (" + test.filter + ")";
    for (int page_size : {1, 4, 1000}) {
      auto stub = cv1::CustomerService::NewStub(stack_->gateway());
      cv1::ListCustomersRequest list;
      list.set_filter(filter);
      list.set_page_size(page_size);
      list.set_order_by("display_name desc");
      std::set<std::string> seen;
      bool ended = false;
      for (int page = 0; page < 100 && !ended; ++page) {
        cv1::ListCustomersResponse out;
        grpc::Status st = stub->ListCustomers(rep.Context().get(), list, &out);
        ASSERT_TRUE(st.ok()) << filter << ": " << st.error_message();
        for (const auto& c : out.customers()) {
          EXPECT_EQ(c.owner(), me) << "rep saw " << c.name() << " of " << c.owner()
                                   << " with filter [" << filter << "]";
          seen.insert(c.name());
        }
        ended = out.next_page_token().empty();
        list.set_page_token(out.next_page_token());
      }
      EXPECT_TRUE(ended) << filter << ": paging did not end";
      EXPECT_EQ(seen.size(), test.expected) << filter << ", page_size " << page_size;
    }
  }
}

// A manager may move customers only among the members of their own team: moving one to a
// member of another team is refused, and the record keeps its owner.
TEST_F(PermissionsE2eTest, AManagerCannotMoveACustomerOutOfTheTeam) {
  auto record = Fixture("rep.a", "leaving-team");
  ASSERT_TRUE(record.ok()) << record.status();
  auto stub = cv1::CustomerService::NewStub(stack_->gateway());
  cv1::UpdateCustomerRequest update;
  update.mutable_customer()->set_name(record->name());
  update.mutable_customer()->set_owner(users_["rep.b"].name());
  update.mutable_update_mask()->add_paths("owner");
  cv1::Customer out;
  grpc::Status st = stub->UpdateCustomer(sessions_["manager.a"].Context().get(), update, &out);
  EXPECT_EQ(st.error_code(), DENIED) << st.error_message();
  EXPECT_EQ(ErrorReason(FromGrpcStatus(st)), "OWNER_CHANGE_DENIED");
  cv1::GetCustomerRequest get;
  get.set_name(record->name());
  ASSERT_TRUE(stub->GetCustomer(sessions_["admin"].Context().get(), get, &out).ok());
  EXPECT_EQ(out.owner(), users_["rep.a"].name());
  EXPECT_EQ(out.etag(), record->etag()) << "a refused change wrote something";
}

// An admin moves a rep to the other team: the rep's customers leave their old manager's
// view and enter the new manager's, with everyone's tokens unchanged (the stack's
// customers service re-reads team members on every call; production caches them 30 s).
TEST_F(PermissionsE2eTest, ARepWhoChangesTeamsTakesTheirCustomersAlong) {
  auto record = Fixture("rep.a2", "moving-rep");
  ASSERT_TRUE(record.ok()) << record.status();
  auto stub = cv1::CustomerService::NewStub(stack_->gateway());
  cv1::GetCustomerRequest get;
  get.set_name(record->name());
  cv1::Customer out;
  ASSERT_TRUE(stub->GetCustomer(sessions_["manager.a"].Context().get(), get, &out).ok());
  ASSERT_EQ(stub->GetCustomer(sessions_["manager.b"].Context().get(), get, &out).error_code(),
            HIDDEN);

  auto auth = av1::AuthService::NewStub(stack_->gateway());
  av1::UpdateUserRequest move;
  move.mutable_user()->set_name(users_["rep.a2"].name());
  move.mutable_user()->set_team(users_["rep.b"].team());
  move.mutable_update_mask()->add_paths("team");
  av1::User moved;
  ASSERT_TRUE(auth->UpdateUser(sessions_["admin"].Context().get(), move, &moved).ok());

  EXPECT_EQ(stub->GetCustomer(sessions_["manager.a"].Context().get(), get, &out).error_code(),
            HIDDEN)
      << "the old manager still sees a customer of a rep who left the team";
  EXPECT_TRUE(stub->GetCustomer(sessions_["manager.b"].Context().get(), get, &out).ok())
      << "the new manager does not see the customers of a rep who joined";
  cv1::ListCustomersRequest list;
  list.set_filter("tags:\"moving-rep\"");
  cv1::ListCustomersResponse listed;
  ASSERT_TRUE(stub->ListCustomers(sessions_["manager.a"].Context().get(), list, &listed).ok());
  EXPECT_EQ(listed.customers_size(), 0);
}

TEST_F(PermissionsE2eTest, PageTokenOfOneUserIsRefusedForAnother) {
  ASSERT_TRUE(Fixture("rep.a", "paged-1").ok());
  ASSERT_TRUE(Fixture("rep.b", "paged-2").ok());
  auto stub = cv1::CustomerService::NewStub(stack_->gateway());
  cv1::ListCustomersRequest list;
  list.set_page_size(1);
  cv1::ListCustomersResponse out;
  ASSERT_TRUE(stub->ListCustomers(sessions_["support.a"].Context().get(), list, &out).ok());
  ASSERT_FALSE(out.next_page_token().empty());
  list.set_page_token(out.next_page_token());
  grpc::Status st = stub->ListCustomers(sessions_["marketing.a"].Context().get(), list, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
}

}  // namespace
}  // namespace crm
