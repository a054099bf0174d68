// TeamMembers: a manager's current team members, cached per team for a while.
#include "libs/auth/directory.h"

#include <gtest/gtest.h>

#include "libs/auth/testing.h"

namespace crm::auth {
namespace {

using testing::FakeUserDirectory;

Principal Manager() {
  return testing::MakePrincipal(1, v1::SALES_MANAGER, "teams/1", {"teams/1", "teams/2"});
}

TEST(TeamMembers, ResolvesEveryManagedTeamWithTheCallersToken) {
  FakeUserDirectory directory;
  directory.Add(2, v1::SALES_REP, "teams/1");
  directory.Add(3, v1::SALES_REP, "teams/1");
  directory.Add(4, v1::SALES_REP, "teams/2");
  directory.Add(5, v1::SALES_REP, "teams/2", /*active=*/false);
  directory.Add(6, v1::SALES_REP, "teams/3");
  TeamMembers members(directory);
  Principal p = Manager();
  ASSERT_TRUE(members.Resolve(p, "Bearer abc").ok());
  EXPECT_EQ(p.team_members, (std::vector<std::string>{"users/2", "users/3", "users/4"}));
  ASSERT_EQ(directory.lookups().size(), 2u);
  EXPECT_EQ(directory.lookups()[0].second, "Bearer abc");
}

TEST(TeamMembers, CachesForTheTtlThenSeesTheTeamAsItIsNow) {
  FakeUserDirectory directory;
  directory.Add(2, v1::SALES_REP, "teams/1");
  directory.Add(3, v1::SALES_REP, "teams/9");
  FakeClock clock(absl::FromUnixSeconds(1000));
  TeamMembers members(directory, absl::Seconds(30), clock);
  Principal p = Manager();
  p.managed_teams = {"teams/1"};
  ASSERT_TRUE(members.Resolve(p, "").ok());
  directory.MoveTo("users/2", "teams/9");  // users/2 moved away, users/3 joined
  directory.MoveTo("users/3", "teams/1");
  clock.Advance(absl::Seconds(10));
  ASSERT_TRUE(members.Resolve(p, "").ok());
  EXPECT_EQ(p.team_members, std::vector<std::string>{"users/2"});
  EXPECT_EQ(directory.lookups().size(), 1u);
  clock.Advance(absl::Seconds(30));
  ASSERT_TRUE(members.Resolve(p, "").ok());
  EXPECT_EQ(p.team_members, std::vector<std::string>{"users/3"});
  EXPECT_EQ(directory.lookups().size(), 2u);
}

TEST(TeamMembers, FailsRatherThanGuessingAndLeavesOthersAlone) {
  FakeUserDirectory directory;
  directory.FailWith(absl::UnavailableError("auth is down"));
  TeamMembers members(directory);
  Principal p = Manager();
  p.team_members = {"users/99"};  // a stale list is dropped, not reused
  EXPECT_EQ(members.Resolve(p, "").code(), absl::StatusCode::kUnavailable);
  Principal rep = testing::MakePrincipal(5, v1::SALES_REP);
  EXPECT_TRUE(members.Resolve(rep, "").ok());
  EXPECT_TRUE(rep.team_members.empty());
  EXPECT_EQ(directory.lookups().size(), 1u) << "no call for someone who manages no team";
}

}  // namespace
}  // namespace crm::auth
