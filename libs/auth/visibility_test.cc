// Record rules: each role × operation as SQL (text and bound values) and as an in-memory
// check on own, team-member and other records, plus owner changes.
#include "libs/auth/visibility.h"

#include <gtest/gtest.h>

#include "libs/grpc/status.h"

namespace crm::auth {
namespace {

using Params = std::vector<db::Value>;

// A manager manages teams 1 and 2, whose members are users 11 and 12 (resolved per request
// by TeamMembers); everyone else has no members.
Principal As(Role role) {
  Principal p;
  p.user_id = 10;
  p.user = "users/10";
  p.role = role;
  p.team = "teams/1";
  p.session_id = "s";
  if (role == v1::SALES_MANAGER) {
    p.managed_teams = {"teams/1", "teams/2"};
    p.team_members = {"users/10", "users/11", "users/12"};
  }
  return p;
}

constexpr std::string_view kOwn = "users/10";
constexpr std::string_view kTeammate = "users/11";
constexpr std::string_view kSecondTeam = "users/12";
constexpr std::string_view kOtherTeam = "users/13";
constexpr std::string_view kNobody = "";

struct Case {
  Role role;
  bool own, teammate, second_team, other, unowned;
};

void ExpectMatrix(Operation op, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    const Principal p = As(c.role);
    SCOPED_TRACE(RoleName(c.role));
    EXPECT_EQ(CanAccess(p, op, kOwn), c.own);
    EXPECT_EQ(CanAccess(p, op, kTeammate), c.teammate);
    EXPECT_EQ(CanAccess(p, op, kSecondTeam), c.second_team);
    EXPECT_EQ(CanAccess(p, op, kOtherTeam), c.other);
    EXPECT_EQ(CanAccess(p, op, kNobody), c.unowned);
  }
}

TEST(Visibility, ReadMatrix) {
  ExpectMatrix(Operation::kRead, {
                                     {v1::ADMIN, true, true, true, true, true},
                                     {v1::SALES_MANAGER, true, true, true, false, false},
                                     {v1::SALES_REP, true, false, false, false, false},
                                     {v1::MARKETING, true, true, true, true, true},
                                     {v1::SUPPORT, true, true, true, true, true},
                                     {v1::ROLE_UNSPECIFIED, false, false, false, false, false},
                                 });
}

TEST(Visibility, WriteMatrix) {
  ExpectMatrix(Operation::kWrite, {
                                      {v1::ADMIN, true, true, true, true, true},
                                      {v1::SALES_MANAGER, true, true, true, false, false},
                                      {v1::SALES_REP, true, false, false, false, false},
                                      {v1::MARKETING, true, false, false, false, false},
                                      {v1::SUPPORT, false, false, false, false, false},
                                      {v1::ROLE_UNSPECIFIED, false, false, false, false, false},
                                  });
}

TEST(Visibility, SqlForEveryRoleAndOperation) {
  struct SqlCase {
    Role role;
    Operation op;
    std::string sql;
    Params params;
  };
  const Params own = {std::string("users/10")};
  const Params team = {std::string("users/10"), std::string("users/11"), std::string("users/12")};
  const std::string team_sql = "owner IN (?, ?, ?)";
  for (const SqlCase& c : std::vector<SqlCase>{
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

TEST(Visibility, CustomColumn) {
  api::SqlFragment fragment =
      VisibleRows(As(v1::SALES_MANAGER), Operation::kRead, OwnedRecordRules(), {"c.owner"});
  EXPECT_EQ(fragment.sql, "c.owner IN (?, ?, ?)");
}

// A stray team member list on someone who is not a manager grants nothing.
TEST(Visibility, MembersCountOnlyForManagers) {
  Principal rep = As(v1::SALES_REP);
  rep.team_members = {"users/11"};
  EXPECT_EQ(VisibleRows(rep, Operation::kRead).sql, "owner = ?");
  EXPECT_FALSE(CanAccess(rep, Operation::kRead, kTeammate));
}

TEST(Visibility, ManagerWithoutMembersSeesOnlyOwn) {
  Principal p = As(v1::SALES_MANAGER);
  p.team_members.clear();
  api::SqlFragment fragment = VisibleRows(p, Operation::kRead);
  EXPECT_EQ(fragment.sql, "owner = ?");
  EXPECT_EQ(fragment.params, Params{std::string("users/10")});
  EXPECT_TRUE(CanAccess(p, Operation::kRead, kOwn));
  EXPECT_FALSE(CanAccess(p, Operation::kRead, kTeammate));
  // An empty name is never a member, so unowned records stay invisible.
  p.team_members = {""};
  EXPECT_EQ(VisibleRows(p, Operation::kRead).sql, "owner = ?");
  EXPECT_FALSE(CanAccess(p, Operation::kRead, kNobody));
}

TEST(Visibility, PrincipalWithoutUserSeesNothingOwned) {
  Principal p = As(v1::SALES_REP);
  p.user.clear();
  EXPECT_EQ(VisibleRows(p, Operation::kRead).sql, "FALSE");
  EXPECT_FALSE(CanAccess(p, Operation::kRead, ""));
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

TEST(OwnerChange, AdminAnywhereManagerWithinTheirTeamsOthersNever) {
  EXPECT_TRUE(CheckOwnerChange(As(v1::ADMIN), kOwn, kOtherTeam).ok());
  EXPECT_TRUE(CheckOwnerChange(As(v1::ADMIN), kNobody, kOtherTeam).ok());

  const Principal manager = As(v1::SALES_MANAGER);
  EXPECT_TRUE(CheckOwnerChange(manager, kTeammate, kTeammate).ok());
  EXPECT_TRUE(CheckOwnerChange(manager, kOwn, kSecondTeam).ok());
  EXPECT_TRUE(CheckOwnerChange(manager, kSecondTeam, kOwn).ok());
  for (auto [from, to] : std::vector<std::pair<std::string_view, std::string_view>>{
           {kTeammate, kOtherTeam}, {kOtherTeam, kTeammate}, {kTeammate, kNobody},
           {kNobody, kTeammate}, {kNobody, kNobody}}) {
    absl::Status status = CheckOwnerChange(manager, from, to);
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << from << " -> " << to;
    EXPECT_EQ(ErrorReason(status), "OWNER_CHANGE_DENIED");
  }
  for (Role role : {v1::SALES_REP, v1::MARKETING, v1::SUPPORT, v1::ROLE_UNSPECIFIED}) {
    Principal p = As(role);
    p.team_members = {"users/10", "users/11"};  // a stray list does not make a manager
    absl::Status status = CheckOwnerChange(p, kOwn, kTeammate);
    EXPECT_EQ(ErrorReason(status), "OWNER_CHANGE_DENIED") << RoleName(role);
  }
}

// A table with rules of its own: marketing reads its own and the marked rows, writes none;
// managers write every row (and so may hand any of them to their team).
constexpr RecordRules kMarkedRules = {
    .read = {Scope::kNone, Scope::kAll, Scope::kTeam, Scope::kOwn, Scope::kMarked, Scope::kAll},
    .write = {Scope::kNone, Scope::kAll, Scope::kAll, Scope::kOwn, Scope::kNone, Scope::kNone},
};

TEST(MarkedScope, IsOwnPlusTheRowsTheTableMarks) {
  const Principal marketing = As(v1::MARKETING);
  const OwnerColumns columns{.owner = "o.owner", .marked = "o.campaign <> ''"};
  api::SqlFragment fragment = VisibleRows(marketing, Operation::kRead, kMarkedRules, columns);
  EXPECT_EQ(fragment.sql, "(o.owner = ? OR (o.campaign <> ''))");
  EXPECT_EQ(fragment.params, (Params{std::string(kOwn)}));
  EXPECT_TRUE(CanAccess(marketing, Operation::kRead, kOwn, kMarkedRules));
  EXPECT_TRUE(CanAccess(marketing, Operation::kRead, kOtherTeam, kMarkedRules, /*marked=*/true));
  EXPECT_TRUE(CanAccess(marketing, Operation::kRead, kNobody, kMarkedRules, /*marked=*/true));
  EXPECT_FALSE(CanAccess(marketing, Operation::kRead, kOtherTeam, kMarkedRules));
  EXPECT_FALSE(CanAccess(marketing, Operation::kWrite, kOwn, kMarkedRules, /*marked=*/true));
  EXPECT_EQ(VisibleRows(marketing, Operation::kWrite, kMarkedRules, columns).sql, "FALSE");
  // Without a marked condition the scope is only the caller's own rows.
  EXPECT_EQ(VisibleRows(marketing, Operation::kRead, kMarkedRules, {"o.owner"}).sql,
            "o.owner = ?");
  // A marked row never leaks to a caller without a user name.
  Principal nameless = marketing;
  nameless.user.clear();
  EXPECT_EQ(VisibleRows(nameless, Operation::kRead, kMarkedRules, columns).sql, "FALSE");
  EXPECT_FALSE(CanAccess(nameless, Operation::kRead, kOtherTeam, kMarkedRules, true));
  // The other roles see no difference between marked and unmarked rows.
  EXPECT_FALSE(CanAccess(As(v1::SALES_REP), Operation::kRead, kOtherTeam, kMarkedRules, true));
}

TEST(OwnerChange, AManagerGivesAwayWhatTheTableLetsThemWrite) {
  const Principal manager = As(v1::SALES_MANAGER);
  // Under these rules a manager writes every row, so they may take one from anyone...
  EXPECT_TRUE(CheckOwnerChange(manager, kOtherTeam, kTeammate, kMarkedRules).ok());
  // ...but still give it only within reach.
  EXPECT_EQ(ErrorReason(CheckOwnerChange(manager, kTeammate, kOtherTeam, kMarkedRules)),
            "OWNER_CHANGE_DENIED");
  // The default rules are unchanged: a record of another team is out of reach.
  EXPECT_EQ(ErrorReason(CheckOwnerChange(manager, kOtherTeam, kTeammate)), "OWNER_CHANGE_DENIED");
  EXPECT_EQ(ErrorReason(CheckOwnerChange(As(v1::MARKETING), kOwn, kTeammate, kMarkedRules)),
            "OWNER_CHANGE_DENIED");
}

}  // namespace
}  // namespace crm::auth
