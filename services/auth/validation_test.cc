// Input rules for users, teams and passwords, password hashing, and the --service_accounts
// flag.
#include "services/auth/validation.h"

#include <gtest/gtest.h>

#include "libs/grpc/status.h"
#include "services/auth/bootstrap.h"
#include "services/auth/password.h"

namespace crm::auth_service {
namespace {

std::vector<std::string> ViolatedFields(const absl::Status& status) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolations(status)) out.push_back(v.field);
  return out;
}

v1::User ValidUser() {
  v1::User u;
  u.set_username("  Wang.Fang_01 ");
  u.set_display_name(" 王芳\u3000");
  u.set_email("wang.fang@example.com");
  u.set_role(v1::SALES_REP);
  u.set_team("teams/3");
  return u;
}

TEST(NormalizeAndValidateUser, NormalisesAValidUser) {
  v1::User u = ValidUser();
  ASSERT_TRUE(NormalizeAndValidateUser(u, "user").ok());
  EXPECT_EQ(u.username(), "wang.fang_01");
  EXPECT_EQ(u.display_name(), "王芳");
}

TEST(NormalizeAndValidateUser, ReportsEveryBrokenRuleAtOnce) {
  v1::User u;
  u.set_username("ab");
  u.set_email("not-an-address");
  u.set_team("groups/1");
  absl::Status st = NormalizeAndValidateUser(u, "user");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ViolatedFields(st), (std::vector<std::string>{"user.username", "user.display_name",
                                                          "user.email", "user.role", "user.team"}));
}

TEST(NormalizeAndValidateUser, UsernameCharactersAndLength) {
  for (const char* bad : {"with space", "ünïcode", "semi;colon", "a@b", "x"}) {
    v1::User u = ValidUser();
    u.set_username(bad);
    EXPECT_EQ(ViolatedFields(NormalizeAndValidateUser(u, "user")),
              std::vector<std::string>{"user.username"})
        << bad;
  }
  v1::User u = ValidUser();
  u.set_username(std::string(64, 'a'));
  EXPECT_TRUE(NormalizeAndValidateUser(u, "user").ok());
  u.set_username(std::string(65, 'a'));
  EXPECT_FALSE(NormalizeAndValidateUser(u, "user").ok());
}

TEST(NormalizeAndValidateUser, DisplayNameCountsCharactersNotBytes) {
  v1::User u = ValidUser();
  std::string name;
  for (int i = 0; i < 128; ++i) name += "王";  // 384 bytes, 128 characters
  u.set_display_name(name);
  EXPECT_TRUE(NormalizeAndValidateUser(u, "user").ok());
  u.set_display_name(name + "王");
  EXPECT_EQ(ViolatedFields(NormalizeAndValidateUser(u, "user")),
            std::vector<std::string>{"user.display_name"});
}

TEST(NormalizeAndValidateUser, EmailNeedsExactlyOneAtAndAtMost254Characters) {
  for (const char* bad : {"a@@b", "a@b@c", "@example.com", "user@", "two words@x.cn"}) {
    v1::User u = ValidUser();
    u.set_email(bad);
    EXPECT_FALSE(NormalizeAndValidateUser(u, "user").ok()) << bad;
  }
  v1::User u = ValidUser();
  u.set_email(std::string(250, 'a') + "@x.cn");
  EXPECT_FALSE(NormalizeAndValidateUser(u, "user").ok());
  u.set_email("");
  EXPECT_TRUE(NormalizeAndValidateUser(u, "user").ok()) << "e-mail is optional";
}

TEST(NormalizeAndValidateTeam, NameAndManager) {
  v1::Team t;
  t.set_display_name(" 华东销售一组 ");
  t.set_manager("users/4");
  ASSERT_TRUE(NormalizeAndValidateTeam(t, "team").ok());
  EXPECT_EQ(t.display_name(), "华东销售一组");
  t.set_manager("teams/4");
  t.set_display_name("");
  EXPECT_EQ(ViolatedFields(NormalizeAndValidateTeam(t, "team")),
            (std::vector<std::string>{"team.display_name", "team.manager"}));
}

TEST(CheckPasswordRules, LengthAndUsername) {
  EXPECT_TRUE(CheckPasswordRules("correct horse battery", "wang", "password").ok());
  EXPECT_TRUE(CheckPasswordRules(std::string(1024, 'x'), "wang", "password").ok());
  struct Case {
    std::string password;
    std::string username;
  };
  for (const Case& c : std::vector<Case>{{"short", "wang"},
                                         {std::string(11, 'x'), "wang"},
                                         {std::string(1025, 'x'), "wang"},
                                         {"Wang.Fang.2026", "wang.fang.2026"}}) {
    absl::Status st = CheckPasswordRules(c.password, c.username, "new_password");
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.password.size();
    EXPECT_EQ(ErrorReason(st), "WEAK_PASSWORD");
    EXPECT_EQ(ViolatedFields(st), std::vector<std::string>{"new_password"});
  }
}

TEST(AuditUsername, KeepsValidNamesAndDefusesOthers) {
  EXPECT_EQ(AuditUsername("Wang.Fang"), "wang.fang");
  std::string odd = AuditUsername(std::string("x\n\x01") + std::string(200, 'y'));
  EXPECT_LE(odd.size(), 64u);
  EXPECT_EQ(odd.find('\n'), std::string::npos);
}

TEST(Password, HashesWithArgon2idAndVerifies) {
  auto hash = HashPassword("correct horse battery");
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *hash;
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse batterY"));
  EXPECT_FALSE(VerifyPassword("not an encoding", "correct horse battery"));
  EXPECT_FALSE(NeedsRehash(*hash));
  auto again = HashPassword("correct horse battery");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, *hash) << "salts are random";
  EXPECT_TRUE(NeedsRehash("$argon2id$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA"));
  EXPECT_FALSE(VerifyPassword(DummyPasswordHash(), ""));
}

TEST(ParseServiceAccounts, ReadsTheFlagAndNamesWhatIsWrong) {
  const std::string a(64, 'a'), b = std::string(63, 'b') + "F";
  auto parsed = ParseServiceAccounts(" analytics=" + a + " , orders = " + b + ",");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, (std::map<std::string, std::string>{{"analytics", a},
                                                         {"orders", std::string(63, 'b') + "f"}}));
  EXPECT_TRUE(ParseServiceAccounts("")->empty());
  for (const std::string& bad :
       {"billing=" + a, std::string("analytics"), "analytics=" + a.substr(1),
        "analytics=" + a + "0", "analytics=" + std::string(64, 'g'),
        "analytics=" + a + ",analytics=" + a, "services/analytics=" + a}) {
    auto refused = ParseServiceAccounts(bad);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(ParseServiceAccounts("billing=" + a).status().message().find("billing"),
            std::string_view::npos);
}

}  // namespace
}  // namespace crm::auth_service
