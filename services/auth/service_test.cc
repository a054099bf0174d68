// The auth service against a real MariaDB schema of its own: sign-in, throttling, refresh
// rotation, revocation, record visibility, key rotation and bootstrap, through the
// synchronous handlers and, for the token and policy path, through a real gRPC server.
#include "services/auth/service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/time/clock.h"
#include "libs/auth/token.h"
#include "libs/base/clock.h"
#include "libs/base/hash.h"
#include "libs/base/time.h"
#include "libs/db/testing.h"
#include "libs/grpc/server.h"
#include "libs/grpc/status.h"
#include "services/auth/bootstrap.h"

namespace crm::auth_service {
namespace {

constexpr char kAdminPassword[] = "admin-password-for-tests";
constexpr char kPassword[] = "correct horse battery staple";
constexpr char kPassphrase[] = "test passphrase for signing keys";

class AuthDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = db::testing::CreateMigrated(CRM_AUTH_SCHEMA_DIR);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db->db);
    pool_ = std::move(db->pool);

    stores_ = std::make_unique<AuthStores>(
        *pool_, clock_, SessionStoreOptions{.revocation_keep = absl::Seconds(960)});
    // New keys sign at once here; ANewKeyIsPublishedBeforeItSigns covers the publication delay.
    keys_ = std::make_unique<KeyRing>(stores_->keys, clock_, kPassphrase, absl::Seconds(10),
                                      absl::ZeroDuration());
    verifier_ = std::make_unique<auth::TokenVerifier>(
        std::make_unique<StoreVerificationSource>(stores_->sessions, *keys_, clock_));
    authorizer_ = std::make_unique<auth::Authorizer>(*verifier_);
    sign_in_ = std::make_unique<SignIn>(
        *stores_, *keys_, authorizer_->policy(), clock_,
        SignInOptions{.login_max_failures_per_user = 3, .login_max_failures_per_peer = 6});
    administration_ =
        std::make_unique<Administration>(*stores_, *keys_, tokens_, authorizer_->policy(),
                                         AdminOptions{.idempotency_secret = kPassphrase});

    ASSERT_TRUE(Bootstrap(*pool_, *stores_, *keys_, {.admin_password = kAdminPassword}).ok());
    ASSERT_TRUE(verifier_->Start().ok());
    auto admin = Login("admin", kAdminPassword);
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_ = As(*admin);
  }

  absl::StatusOr<v1::LoginResponse> Login(const std::string& username, const std::string& password,
                                          const std::string& peer = "10.0.0.1") {
    v1::LoginRequest req;
    req.set_username(username);
    req.set_password(password);
    v1::LoginResponse resp;
    CRM_RETURN_IF_ERROR(sign_in_->Login(Caller{.peer = peer}, req, &resp));
    return resp;
  }

  absl::StatusOr<v1::LoginResponse> Refresh(const std::string& refresh_token) {
    v1::RefreshTokenRequest req;
    req.set_refresh_token(refresh_token);
    v1::LoginResponse resp;
    CRM_RETURN_IF_ERROR(sign_in_->RefreshToken(Caller{.peer = "10.0.0.1"}, req, &resp));
    return resp;
  }

  // The caller a verified access token makes.
  Caller As(const v1::LoginResponse& login, const std::string& peer = "10.0.0.1") {
    auto principal = verifier_->Verify(login.access_token());
    EXPECT_TRUE(principal.ok()) << principal.status();
    return Caller{.principal = principal.ok() ? *principal : auth::Principal{}, .peer = peer};
  }

  v1::Team CreateTeam(const std::string& name, const std::string& manager = "") {
    v1::CreateTeamRequest req;
    req.mutable_team()->set_display_name(name);
    req.mutable_team()->set_manager(manager);
    v1::Team team;
    absl::Status st = administration_->CreateTeam(admin_, req, &team);
    EXPECT_TRUE(st.ok()) << st;
    return team;
  }

  v1::User CreateUser(const std::string& username, v1::Role role, const std::string& team = "",
                      const std::string& password = kPassword) {
    v1::CreateUserRequest req;
    req.mutable_user()->set_username(username);
    req.mutable_user()->set_display_name("User " + username);
    req.mutable_user()->set_role(role);
    req.mutable_user()->set_team(team);
    req.set_password(password);
    v1::User user;
    absl::Status st = administration_->CreateUser(admin_, req, &user);
    EXPECT_TRUE(st.ok()) << st;
    return user;
  }

  // Audit rows of one action, oldest first, as "username|detail".
  std::vector<v1::AuditEvent> Audit(const std::string& filter) {
    v1::ListAuditEventsRequest req;
    req.set_filter(filter);
    req.set_page_size(1000);
    v1::ListAuditEventsResponse resp;
    absl::Status st = administration_->ListAuditEvents(admin_, req, &resp);
    EXPECT_TRUE(st.ok()) << st;
    std::vector<v1::AuditEvent> events(resp.events().rbegin(), resp.events().rend());
    return events;
  }

  std::set<std::string> RevokedSessionIds() {
    v1::ListRevokedSessionsResponse resp;
    absl::Status st = sign_in_->ListRevokedSessions(Caller{}, {}, &resp);
    EXPECT_TRUE(st.ok()) << st;
    std::set<std::string> ids;
    for (const auto& s : resp.sessions()) ids.insert(s.session_id());
    return ids;
  }

  std::string SessionOf(const v1::LoginResponse& login) {
    auto principal = verifier_->Verify(login.access_token());
    return principal.ok() ? principal->session_id : "";
  }

  auth::PublicKeySet ServedKeys() {
    v1::GetPublicKeysResponse resp;
    EXPECT_TRUE(sign_in_->GetPublicKeys(Caller{}, &resp).ok());
    auth::PublicKeySet keys;
    for (const auto& k : resp.keys()) EXPECT_TRUE(keys.Add(k.kid(), k.public_key_pem()).ok());
    return keys;
  }

  int64_t Count(const std::string& sql) {
    auto session = pool_->Borrow();
    auto rows = (*session)->Query(sql, {});
    return rows.ok() && !rows->empty() ? (*rows)[0].Int(0) : -1;
  }

  std::unique_ptr<db::testing::TestDatabase> db_;
  std::unique_ptr<db::Pool> pool_;
  const Clock& clock_ = Clock::Real();
  std::unique_ptr<AuthStores> stores_;
  std::unique_ptr<KeyRing> keys_;
  std::unique_ptr<auth::TokenVerifier> verifier_;
  std::unique_ptr<auth::Authorizer> authorizer_;
  Executor executor_{4};
  api::PageTokenCodec tokens_{"test-secret"};
  std::unique_ptr<SignIn> sign_in_;
  std::unique_ptr<Administration> administration_;
  Caller admin_;
};

// --- Sign-in -----------------------------------------------------------------------------

TEST_F(AuthDbTest, LoginReturnsTokensThatVerifyWithTheServedPublicKey) {
  v1::Team team = CreateTeam("华东销售一组");
  v1::User rep = CreateUser("wang.fang", v1::SALES_REP, team.name());
  auto login = Login("Wang.Fang", kPassword);  // usernames are case-insensitive
  ASSERT_TRUE(login.ok()) << login.status();
  EXPECT_EQ(login->expires_in(), 900);
  EXPECT_GT(login->refresh_expires_in(), 600000);
  EXPECT_FALSE(login->refresh_token().empty());
  EXPECT_EQ(login->user().name(), rep.name());

  auto principal = ServedKeys().Verify(login->access_token(), absl::Now());
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->user, rep.name());
  EXPECT_EQ(principal->username, "wang.fang");
  EXPECT_EQ(principal->role, v1::SALES_REP);
  EXPECT_EQ(principal->team, team.name());
  EXPECT_FALSE(principal->session_id.empty());

  auto succeeded = Audit("action = LOGIN_SUCCEEDED AND username = \"wang.fang\"");
  ASSERT_EQ(succeeded.size(), 1u);
  EXPECT_EQ(succeeded[0].user(), rep.name());
  EXPECT_EQ(succeeded[0].peer(), "10.0.0.1");
  EXPECT_EQ(succeeded[0].session_id(), principal->session_id);

  // Only the hash of the password and of the refresh token is stored.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE password_hash NOT LIKE '$argon2id$%'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = '" +
                  login->refresh_token() + "'"),
            0);
}

TEST_F(AuthDbTest, WrongPasswordUnknownUserAndDisabledUserLookTheSame) {
  v1::User rep = CreateUser("li.lei", v1::SALES_REP);
  v1::User gone = CreateUser("zhao.min", v1::SUPPORT);
  v1::DisableUserRequest disable;
  disable.set_name(gone.name());
  v1::User disabled;
  ASSERT_TRUE(administration_->DisableUser(admin_, disable, &disabled).ok());
  EXPECT_FALSE(disabled.active());

  std::vector<absl::Status> failures = {Login("li.lei", "not the password at all").status(),
                                        Login("nobody.here", kPassword).status(),
                                        Login("zhao.min", kPassword).status()};
  for (const auto& st : failures) {
    EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(ErrorReason(st), "INVALID_CREDENTIALS");
    EXPECT_EQ(st.message(), failures[0].message());
  }
  auto failed = Audit("action = LOGIN_FAILED");
  ASSERT_EQ(failed.size(), 3u);
  EXPECT_EQ(failed[0].username(), "li.lei");
  EXPECT_EQ(failed[0].detail(), "wrong password");
  EXPECT_EQ(failed[1].username(), "nobody.here");
  EXPECT_EQ(failed[1].user(), "");
  EXPECT_EQ(failed[1].detail(), "unknown user");
  EXPECT_EQ(failed[2].user(), gone.name());
  EXPECT_EQ(failed[2].detail(), "user disabled");
  // Passwords never reach the audit trail.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE detail LIKE '%horse%'"), 0);
}

TEST_F(AuthDbTest, RepeatedFailuresThrottleTheUserEvenWithTheRightPassword) {
  CreateUser("chen.jie", v1::SALES_REP);
  CreateUser("other.user", v1::SALES_REP);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ErrorReason(Login("chen.jie", "wrong password " + std::to_string(i)).status()),
              "INVALID_CREDENTIALS");
  }
  // From another address too: the limit is per user.
  absl::Status throttled = Login("chen.jie", kPassword, "10.0.0.99").status();
  EXPECT_EQ(throttled.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorReason(throttled), "LOGIN_THROTTLED");
  EXPECT_GT(RetryDelay(throttled), absl::ZeroDuration());
  EXPECT_LE(RetryDelay(throttled), absl::Seconds(900));

  // Other users are unaffected, and the throttled attempt is audited but not counted.
  EXPECT_TRUE(Login("other.user", kPassword, "10.0.0.99").ok());
  EXPECT_EQ(Audit("action = LOGIN_THROTTLED AND username = \"chen.jie\"").size(), 1u);
  EXPECT_EQ(Audit("action = LOGIN_FAILED AND username = \"chen.jie\"").size(), 3u);
}

// Guesses sent all at once cannot slip past the limit while each is still being hashed:
// every attempt is recorded before its password is checked.
TEST_F(AuthDbTest, ParallelGuessesCheckNoMoreThanTheLimit) {
  CreateUser("parallel.target", v1::SALES_REP);
  constexpr int kGuesses = 12;
  std::atomic<int> checked{0};
  std::atomic<int> throttled{0};
  std::vector<std::thread> guessers;
  for (int i = 0; i < kGuesses; ++i) {
    guessers.emplace_back([&, i] {
      absl::Status st = Login("parallel.target", "guess number " + std::to_string(i),
                              "198.51.100." + std::to_string(i))
                            .status();
      if (ErrorReason(st) == "INVALID_CREDENTIALS") ++checked;
      if (ErrorReason(st) == "LOGIN_THROTTLED") ++throttled;
    });
  }
  for (auto& t : guessers) t.join();
  EXPECT_LE(checked.load(), 3) << "more guesses were checked than the per-user limit";
  EXPECT_EQ(checked.load() + throttled.load(), kGuesses);
  EXPECT_EQ(Audit("action = LOGIN_FAILED AND username = \"parallel.target\"").size(),
            static_cast<size_t>(checked.load()));
}

TEST_F(AuthDbTest, ASuccessfulLoginResetsTheUsersFailureCount) {
  CreateUser("sun.li", v1::MARKETING);
  for (int i = 0; i < 2; ++i) EXPECT_FALSE(Login("sun.li", "nope nope nope").ok());
  EXPECT_TRUE(Login("sun.li", kPassword).ok());
  for (int i = 0; i < 2; ++i) EXPECT_FALSE(Login("sun.li", "nope nope nope").ok());
  EXPECT_TRUE(Login("sun.li", kPassword).ok());
}

TEST_F(AuthDbTest, OnePeerTryingManyAccountsIsThrottled) {
  CreateUser("victim.one", v1::SALES_REP);
  CreateUser("victim.two", v1::SALES_REP);
  CreateUser("bystander", v1::SALES_REP);
  // Two failures for each of three names: under the per-user limit, at the per-peer one.
  for (const char* name : {"victim.one", "victim.two", "no.such.user"}) {
    for (int i = 0; i < 2; ++i) EXPECT_FALSE(Login(name, "guess guess guess", "192.0.2.66").ok());
  }
  absl::Status throttled = Login("bystander", kPassword, "192.0.2.66").status();
  EXPECT_EQ(throttled.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorReason(throttled), "LOGIN_THROTTLED");
  EXPECT_GT(RetryDelay(throttled), absl::ZeroDuration());
  auto audited = Audit("action = LOGIN_THROTTLED AND peer = \"192.0.2.66\"");
  ASSERT_EQ(audited.size(), 1u);
  EXPECT_EQ(audited[0].username(), "bystander");
  // The same user from elsewhere signs in.
  EXPECT_TRUE(Login("bystander", kPassword, "192.0.2.67").ok());
}

// --- Sessions ----------------------------------------------------------------------------

TEST_F(AuthDbTest, RefreshRotatesAndAReusedTokenRevokesTheSession) {
  v1::User rep = CreateUser("zhou.xun", v1::SALES_REP);
  auto login = Login("zhou.xun", kPassword);
  ASSERT_TRUE(login.ok());
  const std::string sid = SessionOf(*login);

  auto second = Refresh(login->refresh_token());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(second->refresh_token(), login->refresh_token());
  EXPECT_NE(second->access_token(), login->access_token());
  EXPECT_EQ(SessionOf(*second), sid);
  auto third = Refresh(second->refresh_token());
  ASSERT_TRUE(third.ok()) << third.status();

  // The first token again: stolen or replayed. The whole session ends.
  absl::Status reused = Refresh(login->refresh_token()).status();
  EXPECT_EQ(reused.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ErrorReason(reused), "REFRESH_TOKEN_REUSED");
  EXPECT_TRUE(RevokedSessionIds().contains(sid));
  EXPECT_EQ(ErrorReason(Refresh(third->refresh_token()).status()), "INVALID_REFRESH_TOKEN");
  ASSERT_TRUE(verifier_->RefreshRevocations().ok());
  EXPECT_EQ(verifier_->Verify(third->access_token()).status().code(),
            absl::StatusCode::kUnauthenticated);

  EXPECT_EQ(Audit("action = TOKEN_REFRESHED").size(), 2u);
  EXPECT_EQ(Audit("action = REFRESH_TOKEN_REUSED").size(), 1u);
  auto revoked = Audit("action = SESSION_REVOKED");
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_EQ(revoked[0].session_id(), sid);
  EXPECT_EQ(revoked[0].user(), rep.name());
}

TEST_F(AuthDbTest, RefreshCarriesTheClaimsOfNowAndRejectsUnknownTokens) {
  CreateUser("he.jun", v1::SALES_REP);
  auto login = Login("he.jun", kPassword);
  ASSERT_TRUE(login.ok());
  // A change made behind the API's back (the API revokes sessions on role changes).
  auto session = pool_->Borrow();
  ASSERT_TRUE((*session)->Execute("UPDATE users SET role = 4 WHERE username = 'he.jun'", {}).ok());
  auto refreshed = Refresh(login->refresh_token());
  ASSERT_TRUE(refreshed.ok());
  EXPECT_EQ(As(*refreshed).principal.role, v1::MARKETING);

  EXPECT_EQ(ErrorReason(Refresh("made-up-token").status()), "INVALID_REFRESH_TOKEN");
  EXPECT_EQ(Refresh("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(AuthDbTest, LogoutRevokesTheSession) {
  CreateUser("ma.li", v1::SUPPORT);
  auto login = Login("ma.li", kPassword);
  ASSERT_TRUE(login.ok());
  Caller me = As(*login);
  ASSERT_TRUE(sign_in_->Logout(me).ok());
  EXPECT_TRUE(RevokedSessionIds().contains(me.principal.session_id));
  EXPECT_EQ(ErrorReason(Refresh(login->refresh_token()).status()), "INVALID_REFRESH_TOKEN");
  ASSERT_TRUE(verifier_->RefreshRevocations().ok());
  EXPECT_EQ(verifier_->Verify(login->access_token()).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Audit("action = SESSION_REVOKED").size(), 1u);
}

TEST_F(AuthDbTest, ChangePasswordRevokesOtherSessionsAndRetiresTheOldPassword) {
  CreateUser("lin.tao", v1::SALES_REP);
  auto here = Login("lin.tao", kPassword);
  auto there = Login("lin.tao", kPassword, "10.0.0.2");
  ASSERT_TRUE(here.ok() && there.ok());
  Caller me = As(*here);

  v1::ChangePasswordRequest req;
  req.set_current_password("not my password");
  req.set_new_password("a brand new passphrase");
  absl::Status wrong = sign_in_->ChangePassword(me, req);
  EXPECT_EQ(ErrorReason(wrong), "INVALID_CREDENTIALS");
  EXPECT_EQ(Audit("action = LOGIN_FAILED AND username = \"lin.tao\"").size(), 1u);

  req.set_current_password(kPassword);
  req.set_new_password("LIN.TAO");
  EXPECT_EQ(ErrorReason(sign_in_->ChangePassword(me, req)), "WEAK_PASSWORD");
  req.set_new_password(kPassword);
  EXPECT_EQ(ErrorReason(sign_in_->ChangePassword(me, req)), "WEAK_PASSWORD");

  req.set_new_password("a brand new passphrase");
  ASSERT_TRUE(sign_in_->ChangePassword(me, req).ok());
  std::set<std::string> revoked = RevokedSessionIds();
  EXPECT_TRUE(revoked.contains(SessionOf(*there)));
  EXPECT_FALSE(revoked.contains(me.principal.session_id));
  EXPECT_EQ(ErrorReason(Login("lin.tao", kPassword).status()), "INVALID_CREDENTIALS");
  EXPECT_TRUE(Login("lin.tao", "a brand new passphrase").ok());
  EXPECT_EQ(Audit("action = PASSWORD_CHANGED").size(), 1u);
}

TEST_F(AuthDbTest, AdminChangesToAUserRevokeTheirSessions) {
  v1::User user = CreateUser("gao.yan", v1::SALES_REP);
  auto first = Login("gao.yan", kPassword);
  ASSERT_TRUE(first.ok());

  // A display name change keeps the session; a role change ends it.
  v1::UpdateUserRequest update;
  update.mutable_user()->set_name(user.name());
  update.mutable_user()->set_display_name("高燕");
  update.mutable_update_mask()->add_paths("display_name");
  v1::User updated;
  ASSERT_TRUE(administration_->UpdateUser(admin_, update, &updated).ok());
  EXPECT_FALSE(RevokedSessionIds().contains(SessionOf(*first)));
  update.mutable_user()->set_role(v1::SALES_MANAGER);
  update.mutable_user()->set_etag(updated.etag());
  update.mutable_update_mask()->set_paths(0, "role");
  ASSERT_TRUE(administration_->UpdateUser(admin_, update, &updated).ok());
  EXPECT_EQ(updated.role(), v1::SALES_MANAGER);
  EXPECT_TRUE(RevokedSessionIds().contains(SessionOf(*first)));
  // The etag it was made with is stale now.
  EXPECT_EQ(ErrorReason(administration_->UpdateUser(admin_, update, &updated)), "ETAG_MISMATCH");

  auto second = Login("gao.yan", kPassword);
  ASSERT_TRUE(second.ok());
  v1::SetUserPasswordRequest reset;
  reset.set_name(user.name());
  reset.set_password("reset by the admin 42");
  ASSERT_TRUE(administration_->SetUserPassword(admin_, reset).ok());
  EXPECT_TRUE(RevokedSessionIds().contains(SessionOf(*second)));

  auto third = Login("gao.yan", "reset by the admin 42");
  ASSERT_TRUE(third.ok());
  v1::DisableUserRequest disable;
  disable.set_name(user.name());
  v1::User disabled;
  ASSERT_TRUE(administration_->DisableUser(admin_, disable, &disabled).ok());
  EXPECT_TRUE(RevokedSessionIds().contains(SessionOf(*third)));
  EXPECT_EQ(ErrorReason(Refresh(third->refresh_token()).status()), "INVALID_REFRESH_TOKEN");
  EXPECT_EQ(ErrorReason(Login("gao.yan", "reset by the admin 42").status()), "INVALID_CREDENTIALS");
  EXPECT_EQ(Audit("action = USER_DISABLED").size(), 1u);
  EXPECT_EQ(Audit("action = SESSION_REVOKED").size(), 3u);
}

TEST_F(AuthDbTest, ChangingATeamsManagerRevokesOldAndNewManager) {
  v1::User old_manager = CreateUser("old.boss", v1::SALES_MANAGER);
  v1::User new_manager = CreateUser("new.boss", v1::SALES_MANAGER);
  v1::Team team = CreateTeam("华南一组", old_manager.name());
  auto old_login = Login("old.boss", kPassword);
  auto new_login = Login("new.boss", kPassword);
  ASSERT_TRUE(old_login.ok() && new_login.ok());
  EXPECT_EQ(As(*old_login).principal.managed_teams, std::vector<std::string>{team.name()});

  v1::UpdateTeamRequest req;
  req.mutable_team()->set_name(team.name());
  req.mutable_team()->set_manager(new_manager.name());
  req.mutable_update_mask()->add_paths("manager");
  v1::Team updated;
  ASSERT_TRUE(administration_->UpdateTeam(admin_, req, &updated).ok());
  std::set<std::string> revoked = RevokedSessionIds();
  EXPECT_TRUE(revoked.contains(SessionOf(*old_login)));
  EXPECT_TRUE(revoked.contains(SessionOf(*new_login)));
  auto relogin = Login("new.boss", kPassword);
  ASSERT_TRUE(relogin.ok());
  EXPECT_EQ(As(*relogin).principal.managed_teams, std::vector<std::string>{team.name()});
  EXPECT_EQ(relogin->user().managed_teams_size(), 1);
}

// --- Users and teams ---------------------------------------------------------------------

TEST_F(AuthDbTest, AManagerSeesTheirTeamsMembersAndNobodyElse) {
  v1::User manager = CreateUser("boss.east", v1::SALES_MANAGER);
  v1::Team east = CreateTeam("East", manager.name());
  v1::Team west = CreateTeam("West");
  v1::User mine = CreateUser("rep.east", v1::SALES_REP, east.name());
  v1::User theirs = CreateUser("rep.west", v1::SALES_REP, west.name());
  auto boss_login = Login("boss.east", kPassword);
  auto rep_login = Login("rep.west", kPassword);
  ASSERT_TRUE(boss_login.ok() && rep_login.ok());
  Caller boss = As(*boss_login), rep = As(*rep_login);

  auto get = [&](const Caller& caller, const std::string& name) {
    v1::GetUserRequest req;
    req.set_name(name);
    v1::User out;
    return administration_->GetUser(caller, req, &out);
  };
  EXPECT_TRUE(get(boss, mine.name()).ok());
  EXPECT_TRUE(get(boss, manager.name()).ok());
  absl::Status hidden = get(boss, theirs.name());
  EXPECT_EQ(hidden.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(hidden), "USER_NOT_FOUND");
  EXPECT_EQ(ErrorReason(get(boss, admin_.principal.user)), "USER_NOT_FOUND");
  EXPECT_TRUE(get(rep, theirs.name()).ok());
  EXPECT_EQ(ErrorReason(get(rep, mine.name())), "USER_NOT_FOUND");
  EXPECT_TRUE(get(admin_, theirs.name()).ok());

  auto list = [&](const Caller& caller, const std::string& filter) {
    v1::ListUsersRequest req;
    req.set_filter(filter);
    req.set_page_size(1);  // paging must not leak either
    std::set<std::string> names;
    for (int guard = 0; guard < 20; ++guard) {
      v1::ListUsersResponse resp;
      absl::Status st = administration_->ListUsers(caller, req, &resp);
      EXPECT_TRUE(st.ok()) << st;
      for (const auto& u : resp.users()) names.insert(u.username());
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return names;
  };
  EXPECT_EQ(list(boss, ""), (std::set<std::string>{"boss.east", "rep.east"}));
  EXPECT_EQ(list(boss, "role = SALES_REP"), (std::set<std::string>{"rep.east"}));
  EXPECT_EQ(list(boss, "team = \"" + west.name() + "\""), std::set<std::string>{});
  EXPECT_EQ(list(rep, ""), std::set<std::string>{"rep.west"});
  EXPECT_EQ(list(rep, "active = true OR active = false"), std::set<std::string>{"rep.west"});
  EXPECT_EQ(list(admin_, "").size(), 4u);

  // Teams are readable by everyone signed in; their members only by admins and the team's
  // own manager (the same people who may list those users).
  v1::GetTeamRequest get_team;
  get_team.set_name(east.name());
  v1::Team got;
  ASSERT_TRUE(administration_->GetTeam(rep, get_team, &got).ok());
  EXPECT_EQ(got.manager(), manager.name());
  EXPECT_TRUE(got.members().empty()) << "a rep of another team sees who is in this one";
  ASSERT_TRUE(administration_->GetTeam(boss, get_team, &got).ok());
  EXPECT_EQ(std::vector<std::string>(got.members().begin(), got.members().end()),
            std::vector<std::string>{mine.name()});
  v1::ListTeamsResponse teams;
  ASSERT_TRUE(administration_->ListTeams(rep, {}, &teams).ok());
  ASSERT_EQ(teams.teams_size(), 2);
  EXPECT_TRUE(teams.teams(1).members().empty());
  teams.Clear();
  ASSERT_TRUE(administration_->ListTeams(admin_, {}, &teams).ok());
  ASSERT_EQ(teams.teams_size(), 2);
  EXPECT_EQ(teams.teams(1).members(0), theirs.name());
}

TEST_F(AuthDbTest, CreateUserRulesAndIdempotency) {
  v1::CreateUserRequest req;
  req.mutable_user()->set_username("dup.user");
  req.mutable_user()->set_display_name("Dup");
  req.mutable_user()->set_role(v1::SUPPORT);
  req.set_password(kPassword);
  req.set_request_id("create-dup-1");
  v1::User first, again;
  ASSERT_TRUE(administration_->CreateUser(admin_, req, &first).ok());
  ASSERT_TRUE(administration_->CreateUser(admin_, req, &again).ok());
  EXPECT_EQ(again.name(), first.name());
  req.set_password("a different password");
  EXPECT_EQ(ErrorReason(administration_->CreateUser(admin_, req, &again)), "REQUEST_ID_REUSED");
  // The stored request hash is keyed: no plain digest of the password is kept.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM idempotency_keys"), 1);

  req.clear_request_id();
  EXPECT_EQ(ErrorReason(administration_->CreateUser(admin_, req, &again)), "USERNAME_TAKEN");
  req.mutable_user()->set_username("new.user.name");
  req.mutable_user()->set_team("teams/999");
  EXPECT_EQ(ErrorReason(administration_->CreateUser(admin_, req, &again)), "TEAM_NOT_FOUND");
  req.mutable_user()->clear_team();
  req.set_password("NEW.USER.NAME");
  EXPECT_EQ(ErrorReason(administration_->CreateUser(admin_, req, &again)), "WEAK_PASSWORD");
  req.mutable_user()->set_role(v1::ROLE_UNSPECIFIED);
  EXPECT_EQ(administration_->CreateUser(admin_, req, &again).code(),
            absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE event_type = 'crm.auth.v1.UserCreated'"), 2);
  EXPECT_EQ(Audit("action = USER_CREATED").size(), 2u);  // the bootstrap admin and dup.user
}

// --- Keys and bootstrap ------------------------------------------------------------------

TEST_F(AuthDbTest, RotationPublishesTwoKeysAndOldTokensStillVerify) {
  CreateUser("key.user", v1::SALES_REP);
  auto before = Login("key.user", kPassword);
  ASSERT_TRUE(before.ok());
  const std::string old_kid = auth::PeekKid(before->access_token());

  v1::RotateSigningKeyRequest rotate;
  rotate.set_request_id("rotate-1");
  v1::PublicKey created, replayed;
  ASSERT_TRUE(administration_->RotateSigningKey(admin_, rotate, &created).ok());
  ASSERT_TRUE(administration_->RotateSigningKey(admin_, rotate, &replayed).ok());
  EXPECT_EQ(replayed.kid(), created.kid()) << "a retried rotation rotates once";
  EXPECT_NE(created.kid(), old_kid);

  v1::GetPublicKeysResponse keys;
  ASSERT_TRUE(sign_in_->GetPublicKeys(Caller{}, &keys).ok());
  ASSERT_EQ(keys.keys_size(), 2);
  EXPECT_EQ(keys.keys(0).kid(), created.kid());
  EXPECT_TRUE(keys.keys(0).current());
  EXPECT_EQ(keys.keys(1).kid(), old_kid);
  EXPECT_FALSE(keys.keys(1).current());
  EXPECT_EQ(keys.keys(0).algorithm(), "EdDSA");

  EXPECT_TRUE(ServedKeys().Verify(before->access_token(), absl::Now()).ok());
  auto after = Login("key.user", kPassword);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(auth::PeekKid(after->access_token()), created.kid());
  EXPECT_TRUE(ServedKeys().Verify(after->access_token(), absl::Now()).ok());
  EXPECT_EQ(Audit("action = SIGNING_KEY_ROTATED").size(), 1u);

  // A second rotation retires the first key.
  rotate.set_request_id("rotate-2");
  ASSERT_TRUE(administration_->RotateSigningKey(admin_, rotate, &created).ok());
  auto served = ServedKeys();
  EXPECT_EQ(served.size(), 2u);
  EXPECT_FALSE(served.Contains(old_kid));
  EXPECT_TRUE(served.Verify(after->access_token(), absl::Now()).ok());
  // Only encrypted private keys are stored.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM signing_keys WHERE encrypted_pem NOT LIKE "
                  "'-----BEGIN ENCRYPTED PRIVATE KEY-----%'"),
            0);
}

// A rotated-in key is published at once but signs only after the activation delay, so
// verifiers can fetch it before the first token naming it arrives.
TEST_F(AuthDbTest, ANewKeyIsPublishedBeforeItSigns) {
  CreateUser("delay.user", v1::SALES_REP);
  auto before = Login("delay.user", kPassword);
  ASSERT_TRUE(before.ok());
  const std::string old_kid = auth::PeekKid(before->access_token());
  KeyRing patient(stores_->keys, clock_, kPassphrase, absl::Seconds(10), absl::Hours(1));
  ASSERT_TRUE(patient.Initialize().ok());
  v1::RotateSigningKeyRequest rotate;
  rotate.set_request_id("rotate-patient");
  auto rotated = patient.Rotate(Actor{}, db::KeyFor("RotateSigningKey", rotate));
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  auto signing = patient.Current();
  ASSERT_TRUE(signing.ok());
  EXPECT_EQ((*signing)->kid(), old_kid) << "the new key signs before verifiers could have it";
  auto published = patient.Published();
  ASSERT_TRUE(published.ok());
  ASSERT_EQ(published->size(), 2u);
  EXPECT_EQ((*published)[0].kid(), rotated->kid());
  EXPECT_FALSE((*published)[0].current());
  EXPECT_TRUE((*published)[1].current());
}

TEST_F(AuthDbTest, AKeyRingWithTheWrongPassphraseRefusesToStart) {
  KeyRing wrong(stores_->keys, clock_, "not the passphrase it was stored with");
  EXPECT_FALSE(wrong.Initialize().ok());
}

TEST_F(AuthDbTest, TheBootstrapAdminIsCreatedOnce) {
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE role = 1"), 1);
  auto again = BootstrapAdmin(stores_->users, "");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), 1);

  // With no active admin left, a plain restart does not undo the disabling ...
  auto session = pool_->Borrow();
  ASSERT_TRUE((*session)->Execute("UPDATE users SET active = 0", {}).ok());
  auto refused = BootstrapAdmin(stores_->users, "");
  EXPECT_EQ(ErrorReason(refused.status()), "ADMIN_DISABLED");
  EXPECT_EQ(ErrorReason(Login("admin", kAdminPassword).status()), "INVALID_CREDENTIALS");
  // ... only the operator's explicit --restore_admin makes "admin" one again, with a new
  // password.
  auto restored = BootstrapAdmin(stores_->users, "", /*restore=*/true);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_TRUE(restored->created);
  EXPECT_GE(restored->generated_password.size(), 16u);
  EXPECT_EQ(ErrorReason(Login("admin", kAdminPassword).status()), "INVALID_CREDENTIALS");
  auto login = Login("admin", restored->generated_password);
  ASSERT_TRUE(login.ok()) << login.status();
  EXPECT_EQ(login->user().role(), v1::ADMIN);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), 1);
}

// --- Service accounts --------------------------------------------------------------------

constexpr char kAnalyticsSecret[] = "analytics-secret-0123456789abcdef0123456789abcdef";
constexpr char kOrdersSecret[] = "orders-secret-0123456789abcdef0123456789abcdef0123";

class ServiceAccountsTest : public AuthDbTest {
 protected:
  void SetUp() override {
    AuthDbTest::SetUp();
    if (HasFatalFailure()) return;
    Provision({{"analytics", kAnalyticsSecret}, {"orders", kOrdersSecret}});
  }

  // Starts again with these accounts (name → secret), as a restart with a new
  // --service_accounts would.
  void Provision(const std::map<std::string, std::string>& secrets) {
    BootstrapOptions options{.admin_password = kAdminPassword};
    for (const auto& [name, secret] : secrets) options.service_accounts[name] = Sha256Hex(secret);
    ASSERT_TRUE(Bootstrap(*pool_, *stores_, *keys_, options).ok());
  }

  absl::StatusOr<v1::ServiceToken> Issue(const std::string& service, const std::string& secret,
                                         const std::string& peer = "10.1.0.1") {
    v1::IssueServiceTokenRequest req;
    req.set_service(service);
    req.set_secret(secret);
    v1::ServiceToken token;
    CRM_RETURN_IF_ERROR(sign_in_->IssueServiceToken(Caller{.peer = peer}, req, &token));
    return token;
  }

  std::map<std::string, bool> Accounts() {
    v1::ListServiceAccountsResponse resp;
    absl::Status st = administration_->ListServiceAccounts(admin_, {}, &resp);
    EXPECT_TRUE(st.ok()) << st;
    std::map<std::string, bool> active;
    for (const auto& a : resp.service_accounts()) active[a.name()] = a.active();
    return active;
  }
};

TEST_F(ServiceAccountsTest, TheRightSecretGetsATokenNamingTheService) {
  auto token = Issue("services/analytics", kAnalyticsSecret);
  ASSERT_TRUE(token.ok()) << token.status();
  auto principal = verifier_->Verify(token->access_token());
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->service, "services/analytics");
  EXPECT_EQ(principal->user, "");
  EXPECT_EQ(principal->role, v1::ROLE_UNSPECIFIED);
  EXPECT_EQ(FromTimestamp(token->expire_time()), principal->expires);
  EXPECT_GE(principal->expires, absl::Now() + absl::Seconds(890));
  EXPECT_LE(principal->expires, absl::Now() + absl::Seconds(900));

  auto issued = Audit("action = SERVICE_TOKEN_ISSUED");
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].username(), "services/analytics");
  EXPECT_EQ(issued[0].peer(), "10.1.0.1");
  // Only the digest of a secret is stored.
  EXPECT_EQ(Count(std::string("SELECT COUNT(*) FROM service_accounts WHERE secret_sha256 = '") +
                  Sha256Hex(kAnalyticsSecret) + "'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM service_accounts WHERE secret_sha256 LIKE '%secret%'"), 0);
}

TEST_F(ServiceAccountsTest, WrongSecretsAndUnknownAccountsLookTheSameAndAreAudited) {
  const std::vector<absl::Status> failures = {
      Issue("services/analytics", kOrdersSecret).status(),
      Issue("services/analytics", "x").status(),
      Issue("services/billing", kAnalyticsSecret).status(),
      Issue("services/customers", kAnalyticsSecret).status(),  // a service with no account
  };
  for (const absl::Status& st : failures) {
    EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated) << st;
    EXPECT_EQ(ErrorReason(st), "INVALID_SERVICE_CREDENTIALS") << st;
    EXPECT_EQ(st.message(), failures[0].message());
  }
  auto refused = Audit("action = SERVICE_TOKEN_REFUSED");
  ASSERT_EQ(refused.size(), 4u);
  EXPECT_EQ(refused[0].detail(), "wrong secret");
  EXPECT_EQ(refused[2].username(), "services/billing");
  EXPECT_EQ(refused[2].detail(), "unknown service account");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE detail LIKE '%secret-0123%'"), 0);

  // Malformed requests are the caller's bug, named field by field.
  absl::Status malformed = Issue("analytics", kAnalyticsSecret).status();
  EXPECT_EQ(malformed.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(FieldViolations(malformed).size(), 1u);
  EXPECT_EQ(FieldViolations(malformed)[0].field, "service");
  absl::Status empty = Issue("", "").status();
  EXPECT_EQ(FieldViolations(empty).size(), 2u);
  EXPECT_EQ(ErrorReason(Issue("services/analytics", std::string(1025, 'x')).status()),
            "INVALID_ARGUMENT");
}

TEST_F(ServiceAccountsTest, AccountsFollowTheFlagAtEachStart) {
  EXPECT_EQ(Accounts(),
            (std::map<std::string, bool>{{"services/analytics", true}, {"services/orders", true}}));
  // The same flag again changes nothing.
  const size_t changes = Audit("action = SERVICE_ACCOUNT_CHANGED").size();
  EXPECT_EQ(changes, 2u);
  Provision({{"analytics", kAnalyticsSecret}, {"orders", kOrdersSecret}});
  EXPECT_EQ(Audit("action = SERVICE_ACCOUNT_CHANGED").size(), changes);

  // orders left out, analytics with a new secret.
  const std::string rotated = std::string(kAnalyticsSecret) + "-rotated";
  Provision({{"analytics", rotated}});
  EXPECT_EQ(Accounts(), (std::map<std::string, bool>{{"services/analytics", true},
                                                     {"services/orders", false}}));
  absl::Status inactive = Issue("services/orders", kOrdersSecret).status();
  EXPECT_EQ(ErrorReason(inactive), "INVALID_SERVICE_CREDENTIALS");
  EXPECT_EQ(Audit("action = SERVICE_TOKEN_REFUSED").back().detail(), "account inactive");
  EXPECT_EQ(ErrorReason(Issue("services/analytics", kAnalyticsSecret).status()),
            "INVALID_SERVICE_CREDENTIALS");
  EXPECT_TRUE(Issue("services/analytics", rotated).ok());
  auto changed = Audit("action = SERVICE_ACCOUNT_CHANGED");
  ASSERT_EQ(changed.size(), 4u);
  std::set<std::string> details = {changed[2].username() + ": " + changed[2].detail(),
                                   changed[3].username() + ": " + changed[3].detail()};
  EXPECT_EQ(details, (std::set<std::string>{"services/analytics: new secret",
                                            "services/orders: deactivated: not in "
                                            "--service_accounts"}));

  // Listed again: active again.
  Provision({{"analytics", rotated}, {"orders", kOrdersSecret}});
  EXPECT_TRUE(Issue("services/orders", kOrdersSecret).ok());
}

// A caller guessing secrets is throttled by address; the account itself is never locked,
// so nobody can shut a service out by failing on its behalf.
TEST_F(ServiceAccountsTest, FailedSecretsThrottleTheCallerNotTheAccount) {
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(ErrorReason(Issue("services/analytics", "guess", "192.0.2.99").status()),
              "INVALID_SERVICE_CREDENTIALS");
  }
  absl::Status throttled = Issue("services/analytics", kAnalyticsSecret, "192.0.2.99").status();
  EXPECT_EQ(throttled.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorReason(throttled), "LOGIN_THROTTLED");
  EXPECT_TRUE(Issue("services/analytics", kAnalyticsSecret, "10.1.0.2").ok());
}

// --- Through a real gRPC server ----------------------------------------------------------

class AuthGrpcTest : public AuthDbTest {
 protected:
  void SetUp() override {
    AuthDbTest::SetUp();
    if (HasFatalFailure()) return;
    runner_ = std::make_unique<ServerRunner>(ServerOptions{
        .service_name = "auth", .listen_address = "127.0.0.1:0", .metrics_address = "127.0.0.1:0"});
    rpc_ = std::make_unique<service::Rpc>(*authorizer_, executor_, kDomain);
    edge_ = std::make_unique<AuthService>(*sign_in_, *administration_, *rpc_);
    runner_->builder().RegisterService(edge_.get());
    ASSERT_TRUE(runner_->Start().ok());
    stub_ = v1::AuthService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(runner_->port()), grpc::InsecureChannelCredentials()));
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& access_token = "") {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (!access_token.empty()) ctx->AddMetadata("authorization", "Bearer " + access_token);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  std::unique_ptr<service::Rpc> rpc_;
  std::unique_ptr<AuthService> edge_;
  std::unique_ptr<ServerRunner> runner_;
  std::unique_ptr<v1::AuthService::Stub> stub_;
};

TEST_F(AuthGrpcTest, TokensArePublicWhereTheContractSaysAndRequiredElsewhere) {
  v1::GetPublicKeysResponse keys;
  EXPECT_TRUE(stub_->GetPublicKeys(Context().get(), {}, &keys).ok());
  EXPECT_EQ(keys.keys_size(), 1);
  v1::ListRevokedSessionsResponse revoked;
  EXPECT_TRUE(stub_->ListRevokedSessions(Context().get(), {}, &revoked).ok());

  v1::User me;
  grpc::Status st = stub_->GetCurrentUser(Context().get(), {}, &me);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  st = stub_->GetCurrentUser(Context("not.a.token").get(), {}, &me);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::ListAuditEventsResponse audit;
  EXPECT_EQ(stub_->ListAuditEvents(Context().get(), {}, &audit).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AuthGrpcTest, AdminOnlyMethodsAreDeniedToARep) {
  CreateUser("plain.rep", v1::SALES_REP);
  v1::LoginRequest login_req;
  login_req.set_username("plain.rep");
  login_req.set_password(kPassword);
  v1::LoginResponse login;
  ASSERT_TRUE(stub_->Login(Context().get(), login_req, &login).ok());

  v1::User me;
  ASSERT_TRUE(stub_->GetCurrentUser(Context(login.access_token()).get(), {}, &me).ok());
  EXPECT_EQ(me.username(), "plain.rep");

  v1::CreateUserRequest create;
  create.mutable_user()->set_username("sneaky");
  create.mutable_user()->set_display_name("Sneaky");
  create.mutable_user()->set_role(v1::ADMIN);
  create.set_password(kPassword);
  v1::User created;
  grpc::Status st = stub_->CreateUser(Context(login.access_token()).get(), create, &created);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::ListAuditEventsResponse audit;
  EXPECT_EQ(stub_->ListAuditEvents(Context(login.access_token()).get(), {}, &audit).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::PublicKey key;
  EXPECT_EQ(stub_->RotateSigningKey(Context(login.access_token()).get(), {}, &key).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::DisableUserRequest disable;
  disable.set_name(admin_.principal.user);
  EXPECT_EQ(stub_->DisableUser(Context(login.access_token()).get(), disable, &me).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE username = 'sneaky'"), 0);

  // The admin's token passes the same checks.
  auto admin_login = Login("admin", kAdminPassword);
  ASSERT_TRUE(admin_login.ok());
  EXPECT_TRUE(stub_->ListAuditEvents(Context(admin_login->access_token()).get(), {}, &audit).ok());
  EXPECT_GT(audit.events_size(), 0);
}

TEST_F(AuthGrpcTest, ThrottlingTravelsAsRetryInfoAndTheGatewaysForwardedAddressIsUsed) {
  CreateUser("remote.rep", v1::SALES_REP);
  v1::LoginRequest req;
  req.set_username("remote.rep");
  req.set_password("wrong wrong wrong");
  v1::LoginResponse resp;
  for (int i = 0; i < 3; ++i) {
    auto ctx = Context();
    ctx->AddMetadata("x-forwarded-for", "198.51.100.7");
    grpc::Status st = stub_->Login(ctx.get(), req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(ErrorReason(FromGrpcStatus(st)), "INVALID_CREDENTIALS");
  }
  req.set_password(kPassword);
  grpc::Status throttled = stub_->Login(Context().get(), req, &resp);
  EXPECT_EQ(throttled.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  absl::Status details = FromGrpcStatus(throttled);
  EXPECT_EQ(ErrorReason(details), "LOGIN_THROTTLED");
  EXPECT_GT(RetryDelay(details), absl::ZeroDuration());

  // The loopback "gateway" is trusted; the audit names the client behind it.
  auto failed = Audit("action = LOGIN_FAILED");
  ASSERT_EQ(failed.size(), 3u);
  EXPECT_EQ(failed[0].peer(), "198.51.100.7");
  auto throttle_rows = Audit("action = LOGIN_THROTTLED");
  ASSERT_EQ(throttle_rows.size(), 1u);
  EXPECT_EQ(throttle_rows[0].peer(), "127.0.0.1");
}

TEST_F(AuthGrpcTest, AServiceTokenIsNoUserAndNoAdmin) {
  BootstrapOptions options{.admin_password = kAdminPassword};
  options.service_accounts["analytics"] = Sha256Hex(kAnalyticsSecret);
  ASSERT_TRUE(Bootstrap(*pool_, *stores_, *keys_, options).ok());
  v1::IssueServiceTokenRequest issue;
  issue.set_service("services/analytics");
  issue.set_secret(kAnalyticsSecret);
  v1::ServiceToken token;
  ASSERT_TRUE(stub_->IssueServiceToken(Context().get(), issue, &token).ok())
      << "IssueServiceToken needs no access token";

  v1::ListServiceAccountsResponse accounts;
  grpc::Status st = stub_->ListServiceAccounts(Context(token.access_token()).get(), {}, &accounts);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(FromGrpcStatus(st)), "PERMISSION_DENIED");
  v1::User me;
  EXPECT_EQ(stub_->GetCurrentUser(Context(token.access_token()).get(), {}, &me).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  auto admin_login = Login("admin", kAdminPassword);
  ASSERT_TRUE(admin_login.ok());
  ASSERT_TRUE(
      stub_->ListServiceAccounts(Context(admin_login->access_token()).get(), {}, &accounts).ok());
  ASSERT_EQ(accounts.service_accounts_size(), 1);
  EXPECT_EQ(accounts.service_accounts(0).name(), "services/analytics");
  EXPECT_TRUE(accounts.service_accounts(0).active());
}

TEST_F(AuthGrpcTest, ALoggedOutTokenStopsWorking) {
  CreateUser("leaving.rep", v1::SALES_REP);
  v1::LoginRequest req;
  req.set_username("leaving.rep");
  req.set_password(kPassword);
  v1::LoginResponse login;
  ASSERT_TRUE(stub_->Login(Context().get(), req, &login).ok());
  google::protobuf::Empty empty;
  ASSERT_TRUE(stub_->Logout(Context(login.access_token()).get(), {}, &empty).ok());
  ASSERT_TRUE(verifier_->RefreshRevocations().ok());
  v1::User me;
  grpc::Status st = stub_->GetCurrentUser(Context(login.access_token()).get(), {}, &me);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ErrorReason(FromGrpcStatus(st)), "TOKEN_REVOKED");
}

}  // namespace
}  // namespace crm::auth_service
