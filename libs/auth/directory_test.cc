// TeamMembers: a manager's current team members, cached per team for a while.
#include "libs/auth/directory.h"

#include <gtest/gtest.h>

#include <map>

namespace crm::auth {
namespace {

class FakeDirectory final : public UserDirectory {
 public:
  absl::StatusOr<v1::User> GetUser(std::string_view, std::string_view) override {
    return absl::NotFoundError("unused");
  }
  absl::StatusOr<std::vector<std::string>> ActiveMembers(std::string_view team,
                                                         std::string_view authorization) override {
    ++calls;
    last_authorization = std::string(authorization);
    if (!reachable) return absl::UnavailableError("auth is down");
    return members[std::string(team)];
  }
  std::map<std::string, std::vector<std::string>> members;
  bool reachable = true;
  int calls = 0;
  std::string last_authorization;
};

Principal Manager() {
  Principal p;
  p.user = "users/1";
  p.role = v1::SALES_MANAGER;
  p.managed_teams = {"teams/1", "teams/2"};
  return p;
}

TEST(TeamMembers, ResolvesEveryManagedTeamWithTheCallersToken) {
  FakeDirectory directory;
  directory.members = {{"teams/1", {"users/2", "users/3"}}, {"teams/2", {"users/4"}}};
  TeamMembers members(directory);
  Principal p = Manager();
  ASSERT_TRUE(members.Resolve(p, "Bearer abc").ok());
  EXPECT_EQ(p.team_members, (std::vector<std::string>{"users/2", "users/3", "users/4"}));
  EXPECT_EQ(directory.last_authorization, "Bearer abc");
}

TEST(TeamMembers, CachesForTheTtlThenSeesTheTeamAsItIsNow) {
  FakeDirectory directory;
  directory.members = {{"teams/1", {"users/2"}}};
  absl::Time now = absl::FromUnixSeconds(1000);
  TeamMembers members(directory, absl::Seconds(30), [&] { return now; });
  Principal p = Manager();
  p.managed_teams = {"teams/1"};
  ASSERT_TRUE(members.Resolve(p, "").ok());
  directory.members["teams/1"] = {"users/3"};  // users/2 moved away, users/3 joined
  now += absl::Seconds(10);
  ASSERT_TRUE(members.Resolve(p, "").ok());
  EXPECT_EQ(p.team_members, std::vector<std::string>{"users/2"});
  EXPECT_EQ(directory.calls, 1);
  now += absl::Seconds(30);
  ASSERT_TRUE(members.Resolve(p, "").ok());
  EXPECT_EQ(p.team_members, std::vector<std::string>{"users/3"});
  EXPECT_EQ(directory.calls, 2);
}

TEST(TeamMembers, FailsRatherThanGuessingAndLeavesOthersAlone) {
  FakeDirectory directory;
  directory.reachable = false;
  TeamMembers members(directory);
  Principal p = Manager();
  p.team_members = {"users/99"};  // a stale list is dropped, not reused
  EXPECT_EQ(members.Resolve(p, "").code(), absl::StatusCode::kUnavailable);
  Principal rep;
  rep.user = "users/5";
  rep.role = v1::SALES_REP;
  EXPECT_TRUE(members.Resolve(rep, "").ok());
  EXPECT_TRUE(rep.team_members.empty());
  EXPECT_EQ(directory.calls, 1) << "no call for someone who manages no team";
}

}  // namespace
}  // namespace crm::auth
