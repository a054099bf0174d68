// Record rules: each role × operation as SQL (text and bound values) and as an in-memory
// check on own, same-team and other-team records, plus owner changes.
#include "libs/auth/visibility.h"

#include <gtest/gtest.h>

#include "libs/grpc/status.h"

namespace crm::auth {
namespace {

using Params = std::vector<db::Value>;

Principal As(Role role) {
  Principal p;
  p.user_id = 10;
  p.user = "users/10";
  p.role = role;
  p.team = "teams/1";
  p.session_id = "s";
  if (role == v1::SALES_MANAGER) p.managed_teams = {"teams/1", "teams/2"};
  return p;
}

struct Record {
  std::string_view label, owner, owner_team;
};
constexpr Record kOwn = {"own", "users/10", "teams/1"};
constexpr Record kSameTeam = {"same team", "users/11", "teams/1"};
constexpr Record kOtherManagedTeam = {"second managed team", "users/12", "teams/2"};
constexpr Record kOtherTeam = {"other team", "users/13", "teams/9"};
constexpr Record kNoTeam = {"no team", "users/14", ""};

TEST(Visibility, ReadMatrix) {
  struct Case {
    Role role;
    bool own, same_team, managed, other, no_team;
  };
  for (const Case& c : std::vector<Case>{
           {v1::ADMIN, true, true, true, true, true},
           {v1::SALES_MANAGER, true, true, true, false, false},
           {v1::SALES_REP, true, false, false, false, false},
           {v1::MARKETING, true, true, true, true, true},
           {v1::SUPPORT, true, true, true, true, true},
           {v1::ROLE_UNSPECIFIED, false, false, false, false, false},
       }) {
    const Principal p = As(c.role);
    SCOPED_TRACE(RoleName(c.role));
    EXPECT_EQ(CanAccess(p, Operation::kRead, kOwn.owner, kOwn.owner_team), c.own);
    EXPECT_EQ(CanAccess(p, Operation::kRead, kSameTeam.owner, kSameTeam.owner_team), c.same_team);
    EXPECT_EQ(CanAccess(p, Operation::kRead, kOtherManagedTeam.owner, kOtherManagedTeam.owner_team),
              c.managed);
    EXPECT_EQ(CanAccess(p, Operation::kRead, kOtherTeam.owner, kOtherTeam.owner_team), c.other);
    EXPECT_EQ(CanAccess(p, Operation::kRead, kNoTeam.owner, kNoTeam.owner_team), c.no_team);
  }
}

TEST(Visibility, WriteMatrix) {
  struct Case {
    Role role;
    bool own, same_team, managed, other, no_team;
  };
  for (const Case& c : std::vector<Case>{
           {v1::ADMIN, true, true, true, true, true},
           {v1::SALES_MANAGER, true, true, true, false, false},
           {v1::SALES_REP, true, false, false, false, false},
           {v1::MARKETING, true, false, false, false, false},
           {v1::SUPPORT, false, false, false, false, false},
           {v1::ROLE_UNSPECIFIED, false, false, false, false, false},
       }) {
    const Principal p = As(c.role);
    SCOPED_TRACE(RoleName(c.role));
    EXPECT_EQ(CanAccess(p, Operation::kWrite, kOwn.owner, kOwn.owner_team), c.own);
    EXPECT_EQ(CanAccess(p, Operation::kWrite, kSameTeam.owner, kSameTeam.owner_team), c.same_team);
    EXPECT_EQ(
        CanAccess(p, Operation::kWrite, kOtherManagedTeam.owner, kOtherManagedTeam.owner_team),
        c.managed);
    EXPECT_EQ(CanAccess(p, Operation::kWrite, kOtherTeam.owner, kOtherTeam.owner_team), c.other);
    EXPECT_EQ(CanAccess(p, Operation::kWrite, kNoTeam.owner, kNoTeam.owner_team), c.no_team);
  }
}

TEST(Visibility, SqlForEveryRoleAndOperation) {
  struct Case {
    Role role;
    Operation op;
    std::string sql;
    Params params;
  };
  const Params own = {std::string("users/10")};
  const Params team = {std::string("users/10"), std::string("teams/1"), std::string("teams/2")};
  const std::string team_sql = "(owner = ? OR owner_team IN (?, ?))";
  for (const Case& c : std::vector<Case>{
           {v1::ADMIN, Operation::kRead, "TRUE", {}},
           {v1::ADMIN, Operation::kWrite, "TRUE", {}},
           {v1::SALES_MANAGER, Operation::kRead, team_sql, team},
           {v1::SALES_MANAGER, Operation::kWrite, team_sql, team},
           {v1::SALES_REP, Operation::kRead, "owner = ?", own},
           {v1::SALES_REP, Operation::kWrite, "owner = ?", own},
           {v1::MARKETING, Operation::kRead, "TRUE", {}},
           {v1::MARKETING, Operation::kWrite, "owner = ?", own},
           {v1::SUPPORT, Operation::kRead, "TRUE", {}},
           {v1::SUPPORT, Operation::kWrite, "FALSE", {}},
           {v1::ROLE_UNSPECIFIED, Operation::kRead, "FALSE", {}},
           {v1::ROLE_UNSPECIFIED, Operation::kWrite, "FALSE", {}},
       }) {
    SCOPED_TRACE(RoleName(c.role) + (c.op == Operation::kRead ? " read" : " write"));
    api::SqlFragment fragment = VisibleRows(As(c.role), c.op);
    EXPECT_EQ(fragment.sql, c.sql);
    EXPECT_EQ(fragment.params, c.params);
  }
}

TEST(Visibility, CustomColumns) {
  api::SqlFragment fragment = VisibleRows(As(v1::SALES_MANAGER), Operation::kRead,
                                          OwnedRecordRules(), {"c.owner", "c.owner_team"});
  EXPECT_EQ(fragment.sql, "(c.owner = ? OR c.owner_team IN (?, ?))");
}

TEST(Visibility, ManagerWithoutTeamsSeesOnlyOwn) {
  Principal p = As(v1::SALES_MANAGER);
  p.managed_teams.clear();
  api::SqlFragment fragment = VisibleRows(p, Operation::kRead);
  EXPECT_EQ(fragment.sql, "owner = ?");
  EXPECT_EQ(fragment.params, Params{std::string("users/10")});
  EXPECT_TRUE(CanAccess(p, Operation::kRead, kOwn.owner, kOwn.owner_team));
  EXPECT_FALSE(CanAccess(p, Operation::kRead, kSameTeam.owner, kSameTeam.owner_team));
  // An empty team name is never "managed", so team-less records stay invisible.
  p.managed_teams = {""};
  EXPECT_EQ(VisibleRows(p, Operation::kRead).sql, "owner = ?");
  EXPECT_FALSE(CanAccess(p, Operation::kRead, kNoTeam.owner, kNoTeam.owner_team));
}

TEST(Visibility, PrincipalWithoutUserSeesNothingOwned) {
  Principal p = As(v1::SALES_REP);
  p.user.clear();
  EXPECT_EQ(VisibleRows(p, Operation::kRead).sql, "FALSE");
  EXPECT_FALSE(CanAccess(p, Operation::kRead, "", ""));
  EXPECT_EQ(VisibleRows(Principal{}, Operation::kRead).sql, "FALSE");
}

TEST(Visibility, ScopesByRole) {
  const RecordRules& rules = OwnedRecordRules();
  EXPECT_EQ(rules.ScopeFor(As(v1::SALES_MANAGER), Operation::kRead), Scope::kTeam);
  EXPECT_EQ(rules.ScopeFor(As(v1::SUPPORT), Operation::kWrite), Scope::kNone);
  Principal odd = As(v1::ADMIN);
  odd.role = static_cast<Role>(42);
  EXPECT_EQ(rules.ScopeFor(odd, Operation::kRead), Scope::kNone);
  EXPECT_EQ(VisibleRows(odd, Operation::kRead).sql, "FALSE");
}

TEST(OwnerChange, AdminAnywhereManagerWithinManagedTeamsOthersNever) {
  EXPECT_TRUE(CheckOwnerChange(As(v1::ADMIN), "teams/1", "teams/9").ok());
  EXPECT_TRUE(CheckOwnerChange(As(v1::ADMIN), "", "").ok());

  const Principal manager = As(v1::SALES_MANAGER);
  EXPECT_TRUE(CheckOwnerChange(manager, "teams/1", "teams/1").ok());
  EXPECT_TRUE(CheckOwnerChange(manager, "teams/1", "teams/2").ok());
  for (auto [from, to] :
       std::vector<std::pair<std::string_view, std::string_view>>{{"teams/1", "teams/9"},
                                                                  {"teams/9", "teams/1"},
                                                                  {"teams/1", ""},
                                                                  {"", "teams/1"},
                                                                  {"", ""}}) {
    absl::Status status = CheckOwnerChange(manager, from, to);
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << from << " -> " << to;
    EXPECT_EQ(ErrorReason(status), "OWNER_CHANGE_DENIED");
  }
  for (Role role : {v1::SALES_REP, v1::MARKETING, v1::SUPPORT, v1::ROLE_UNSPECIFIED}) {
    Principal p = As(role);
    p.managed_teams = {"teams/1"};  // even a stray claim does not let non-managers move owners
    absl::Status status = CheckOwnerChange(p, "teams/1", "teams/1");
    EXPECT_EQ(ErrorReason(status), "OWNER_CHANGE_DENIED") << RoleName(role);
  }
}

}  // namespace
}  // namespace crm::auth
