// TokenVerifier and Authorizer against a fake auth service: key rotation, revocation,
// caching, an unreachable auth service, and the policy on top.
#include "libs/auth/verifier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "libs/auth/testing.h"
#include "libs/grpc/status.h"

namespace crm::auth {
namespace {

Principal User(Role role, std::string session = "s-1") {
  Principal p;
  p.user_id = 7;
  p.username = "li.lei";
  p.role = role;
  p.team = "teams/3";
  p.session_id = std::move(session);
  return p;
}

SigningKey NewKey() {
  auto key = SigningKey::Generate();
  EXPECT_TRUE(key.ok());
  return *std::move(key);
}

void ExpectReason(const absl::StatusOr<Principal>& result, absl::StatusCode code,
                  std::string_view reason) {
  ASSERT_FALSE(result.ok()) << "expected " << reason;
  EXPECT_EQ(result.status().code(), code) << result.status();
  EXPECT_EQ(ErrorReason(result.status()), reason) << result.status();
}

class VerifierTest : public ::testing::Test {
 protected:
  // Options that keep tests fast; the poller is only started where a test says so.
  std::unique_ptr<TokenVerifier> MakeVerifier(VerifierOptions options = {}) {
    auto source = std::make_unique<testing::FakeKeySource>();
    source_ = source.get();
    return std::make_unique<TokenVerifier>(std::move(source), options);
  }

  std::string Token(const SigningKey& key, Principal p = User(v1::SALES_REP),
                    absl::Duration ttl = absl::Minutes(15)) {
    auto token = key.Sign(p, absl::Now(), ttl);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  SigningKey key_ = NewKey();
  testing::FakeKeySource* source_ = nullptr;
};

TEST_F(VerifierTest, VerifiesWithKeysFetchedAtStart) {
  auto verifier = MakeVerifier();
  source_->ServeKey(key_);
  ASSERT_TRUE(verifier->Start().ok());
  auto p = verifier->Verify(Token(key_));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->user, "users/7");
  EXPECT_EQ(p->role, v1::SALES_REP);
  EXPECT_EQ(verifier->Start().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(VerifierTest, EmptyTokenIsMissing) {
  auto verifier = MakeVerifier();
  ExpectReason(verifier->Verify(""), absl::StatusCode::kUnauthenticated, "TOKEN_MISSING");
}

TEST_F(VerifierTest, UnknownKidIsFetchedAgainAndAccepted) {
  auto verifier = MakeVerifier({.refetch_interval = absl::ZeroDuration()});
  source_->ServeKey(key_);
  ASSERT_TRUE(verifier->Start().ok());
  EXPECT_EQ(source_->key_fetches(), 1);

  // The auth service rotates: a token signed by the new key arrives first.
  SigningKey rotated = NewKey();
  source_->ServeKey(rotated);
  auto p = verifier->Verify(Token(rotated));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(source_->key_fetches(), 2);
  // Both keys now verify without further fetches.
  EXPECT_TRUE(verifier->Verify(Token(key_)).ok());
  EXPECT_TRUE(verifier->Verify(Token(rotated, User(v1::ADMIN))).ok());
  EXPECT_EQ(source_->key_fetches(), 2);
}

TEST_F(VerifierTest, RefetchIsRateLimited) {
  auto verifier = MakeVerifier({.refetch_interval = absl::Hours(1)});
  source_->ServeKey(key_);
  ASSERT_TRUE(verifier->Start().ok());

  SigningKey unknown = NewKey();
  SigningKey later = NewKey();
  // Tokens naming kids the auth service does not serve cannot make us fetch in a loop.
  for (int i = 0; i < 5; ++i) {
    ExpectReason(verifier->Verify(Token(unknown)), absl::StatusCode::kUnauthenticated,
                 "TOKEN_UNKNOWN_KEY");
  }
  // Even a key that did appear waits for the interval.
  source_->ServeKey(later);
  ExpectReason(verifier->Verify(Token(later)), absl::StatusCode::kUnauthenticated,
               "TOKEN_UNKNOWN_KEY");
  EXPECT_EQ(source_->key_fetches(), 1);
}

TEST_F(VerifierTest, MalformedTokensFetchNothing) {
  auto verifier = MakeVerifier({.refetch_interval = absl::ZeroDuration()});
  source_->ServeKey(key_);
  ASSERT_TRUE(verifier->Start().ok());
  for (const std::string& garbage :
       std::vector<std::string>{"x", "a.b.c", "a.b.c.d", "!!!.???.***", std::string(20000, 'e')}) {
    ExpectReason(verifier->Verify(garbage), absl::StatusCode::kUnauthenticated, "TOKEN_MALFORMED");
  }
  EXPECT_EQ(source_->key_fetches(), 1);
}

TEST_F(VerifierTest, UnreachableAuthIsUnavailableNotUnauthenticated) {
  auto verifier = MakeVerifier({.refetch_interval = absl::ZeroDuration()});
  source_->ServeKey(key_);
  source_->SetReachable(false);
  EXPECT_FALSE(verifier->Start().ok());
  const std::string token = Token(key_);
  ExpectReason(verifier->Verify(token), absl::StatusCode::kUnavailable, "AUTH_UNAVAILABLE");

  // Back up: the key is fetched lazily.
  source_->SetReachable(true);
  ASSERT_TRUE(verifier->Verify(token).ok());

  // Down again: keys already held keep verifying, a bad signature is still a bad signature.
  source_->SetReachable(false);
  EXPECT_TRUE(verifier->Verify(Token(key_, User(v1::SUPPORT, "s-2"))).ok());
  std::string tampered = token;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  ExpectReason(verifier->Verify(tampered), absl::StatusCode::kUnauthenticated, "TOKEN_SIGNATURE");
}

TEST_F(VerifierTest, RevokedSessionIsRejectedAfterRefresh) {
  auto verifier = MakeVerifier();
  source_->ServeKey(key_);
  ASSERT_TRUE(verifier->Start().ok());
  const std::string token = Token(key_, User(v1::SALES_REP, "s-doomed"));
  const std::string other = Token(key_, User(v1::SALES_REP, "s-fine"));
  ASSERT_TRUE(verifier->Verify(token).ok());  // now cached

  source_->Revoke("s-doomed", absl::Now() + absl::Minutes(15));
  ASSERT_TRUE(verifier->RefreshRevocations().ok());
  EXPECT_TRUE(verifier->IsRevoked("s-doomed"));
  ExpectReason(verifier->Verify(token), absl::StatusCode::kUnauthenticated, "TOKEN_REVOKED");
  EXPECT_TRUE(verifier->Verify(other).ok());
  EXPECT_FALSE(verifier->IsRevoked(""));
}

TEST_F(VerifierTest, RevocationsAreDroppedOnceTheirTokensExpire) {
  auto verifier = MakeVerifier({.leeway = absl::Seconds(30)});
  source_->Revoke("s-old", absl::Now() - absl::Minutes(5));
  source_->Revoke("s-in-leeway", absl::Now() - absl::Seconds(10));
  source_->Revoke("s-live", absl::Now() + absl::Minutes(5));
  ASSERT_TRUE(verifier->RefreshRevocations().ok());
  EXPECT_FALSE(verifier->IsRevoked("s-old"));
  // Its tokens are still accepted for the leeway after exp, so the revocation stays.
  EXPECT_TRUE(verifier->IsRevoked("s-in-leeway"));
  EXPECT_TRUE(verifier->IsRevoked("s-live"));

  // The next poll continues after the highest sequence seen.
  ASSERT_TRUE(verifier->RefreshRevocations().ok());
  EXPECT_EQ(source_->revocation_cursors(), (std::vector<int64_t>{0, 3}));
}

TEST_F(VerifierTest, RevocationsArePagedUntilAShortPage) {
  auto verifier = MakeVerifier();
  for (int i = 1; i <= 2500; ++i) {
    source_->Revoke(absl::StrCat("s-", i), absl::Now() + absl::Minutes(5));
  }
  ASSERT_TRUE(verifier->RefreshRevocations().ok());
  EXPECT_EQ(source_->revocation_cursors(), (std::vector<int64_t>{0, 1000, 2000}));
  EXPECT_TRUE(verifier->IsRevoked("s-1"));
  EXPECT_TRUE(verifier->IsRevoked("s-1500"));
  EXPECT_TRUE(verifier->IsRevoked("s-2500"));
}

TEST_F(VerifierTest, RevocationPollFailureKeepsWhatIsKnown) {
  auto verifier = MakeVerifier();
  source_->Revoke("s-1", absl::Now() + absl::Minutes(5));
  ASSERT_TRUE(verifier->RefreshRevocations().ok());
  source_->SetReachable(false);
  absl::Status status = verifier->RefreshRevocations();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorReason(status), "AUTH_UNAVAILABLE");
  EXPECT_TRUE(verifier->IsRevoked("s-1"));
}

TEST_F(VerifierTest, CachedTokensGiveTheSamePrincipal) {
  auto verifier = MakeVerifier({.max_cached_tokens = 2});
  source_->ServeKey(key_);
  ASSERT_TRUE(verifier->Start().ok());
  Principal manager = User(v1::SALES_MANAGER);
  manager.managed_teams = {"teams/3", "teams/4"};
  const std::string token = Token(key_, manager);
  auto first = verifier->Verify(token);
  ASSERT_TRUE(first.ok());
  for (int i = 0; i < 5; ++i) {
    // Other tokens overflow the small cache in between; answers do not change.
    ASSERT_TRUE(verifier->Verify(Token(key_, User(v1::SUPPORT, absl::StrCat("s-", i)))).ok());
    auto again = verifier->Verify(token);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->user, first->user);
    EXPECT_EQ(again->session_id, first->session_id);
    EXPECT_EQ(again->managed_teams, first->managed_teams);
    EXPECT_EQ(again->expires, first->expires);
  }
}

TEST_F(VerifierTest, ExpiredTokenIsRejectedEvenAfterCaching) {
  auto verifier = MakeVerifier({.leeway = absl::ZeroDuration()});
  source_->ServeKey(key_);
  ASSERT_TRUE(verifier->Start().ok());
  auto token = key_.Sign(User(v1::SALES_REP), absl::Now() - absl::Hours(1), absl::Minutes(15));
  ASSERT_TRUE(token.ok());
  ExpectReason(verifier->Verify(*token), absl::StatusCode::kUnauthenticated, "TOKEN_EXPIRED");
}

TEST_F(VerifierTest, RetiredKeyStopsVerifyingCachedTokens) {
  auto verifier = MakeVerifier({.refetch_interval = absl::ZeroDuration()});
  source_->ServeKey(key_);
  ASSERT_TRUE(verifier->Start().ok());
  const std::string old_token = Token(key_);
  ASSERT_TRUE(verifier->Verify(old_token).ok());

  // Two rotations later the first key is gone from GetPublicKeys.
  SigningKey current = NewKey();
  source_->ServeOnly(current);
  ASSERT_TRUE(verifier->Verify(Token(current)).ok());
  ExpectReason(verifier->Verify(old_token), absl::StatusCode::kUnauthenticated,
               "TOKEN_UNKNOWN_KEY");
}

TEST_F(VerifierTest, PollerPicksUpRevocations) {
  auto verifier = MakeVerifier({.revocation_poll = absl::Milliseconds(5)});
  source_->ServeKey(key_);
  ASSERT_TRUE(verifier->Start().ok());
  const std::string token = Token(key_, User(v1::SALES_REP, "s-polled"));
  ASSERT_TRUE(verifier->Verify(token).ok());
  source_->Revoke("s-polled", absl::Now() + absl::Minutes(15));
  // Wait for the poller (bounded; typically one or two polls).
  for (int i = 0; i < 2000 && !verifier->IsRevoked("s-polled"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ExpectReason(verifier->Verify(token), absl::StatusCode::kUnauthenticated, "TOKEN_REVOKED");
}

TEST_F(VerifierTest, ConcurrentCallersDuringRotation) {
  auto verifier = MakeVerifier({.refetch_interval = absl::ZeroDuration(),
                                .revocation_poll = absl::Milliseconds(1),
                                .max_cached_tokens = 8});
  source_->ServeKey(key_);
  ASSERT_TRUE(verifier->Start().ok());
  std::vector<SigningKey> rotated;
  std::vector<std::string> tokens;
  for (int i = 0; i < 4; ++i) {
    rotated.push_back(NewKey());
    tokens.push_back(Token(rotated.back(), User(v1::SALES_REP, absl::StrCat("s-", i))));
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string& token = i % 2 == 0 ? tokens[t] : tokens[(t + 1) % 4];
        absl::StatusOr<Principal> p = verifier->Verify(token);
        // Before its key is served a token is unknown (or, while another caller fetches
        // keys, to be retried); after, it must verify.
        if (!p.ok() && ErrorReason(p.status()) != "TOKEN_UNKNOWN_KEY" &&
            ErrorReason(p.status()) != "AUTH_UNAVAILABLE") {
          ++failures;
        }
      }
    });
  }
  for (const SigningKey& key : rotated) source_->ServeKey(key);
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  for (const std::string& token : tokens) EXPECT_TRUE(verifier->Verify(token).ok());
}

// A slow auth service must not park every caller with an unknown kid: one fetches, the
// others are told to retry at once.
TEST_F(VerifierTest, CallersDoNotQueueBehindAKeyFetch) {
  auto verifier = MakeVerifier({.refetch_interval = absl::ZeroDuration(),
                                .revocation_poll = absl::Hours(1)});
  source_->ServeKey(key_);
  ASSERT_TRUE(verifier->Start().ok());
  const std::string unknown = Token(NewKey(), User(v1::SALES_REP, "s-unknown"));
  absl::Notification gate;
  source_->BlockFetchesOn(&gate);
  std::thread first([&] { (void)verifier->Verify(unknown); });
  source_->fetch_started().WaitForNotification();
  absl::StatusOr<Principal> second = verifier->Verify(unknown);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorReason(second.status()), "AUTH_UNAVAILABLE");
  // Tokens of known keys are not held up either.
  EXPECT_TRUE(verifier->Verify(Token(key_, User(v1::SALES_REP, "s-known"))).ok());
  gate.Notify();
  first.join();
}

// ---------------------------------------------------------------------------------------
// Authorizer

TEST(BearerToken, ParsesTheScheme) {
  EXPECT_EQ(BearerToken("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(BearerToken("bearer abc"), "abc");
  EXPECT_EQ(BearerToken("BEARER   abc  "), "abc");
  EXPECT_EQ(BearerToken("Bearer"), "");
  EXPECT_EQ(BearerToken("Bearer "), "");
  EXPECT_EQ(BearerToken("Bearerabc"), "");
  EXPECT_EQ(BearerToken("Basic dXNlcjpwYXNz"), "");
  EXPECT_EQ(BearerToken("Bearer a b"), "");
  EXPECT_EQ(BearerToken("abc.def.ghi"), "");
  EXPECT_EQ(BearerToken(""), "");
}

class AuthorizerTest : public VerifierTest {
 protected:
  void SetUp() override {
    verifier_ = MakeVerifier();
    source_->ServeKey(key_);
    ASSERT_TRUE(verifier_->Start().ok());
  }
  std::string Bearer(Role role, std::string session = "s-1") {
    return "Bearer " + Token(key_, User(role, std::move(session)));
  }
  std::unique_ptr<TokenVerifier> verifier_;
};

TEST_F(AuthorizerTest, PublicMethodsNeedNoToken) {
  Authorizer authorizer(*verifier_);
  for (std::string_view method :
       {"/crm.auth.v1.AuthService/Login", "/crm.auth.v1.AuthService/RefreshToken",
        "/crm.auth.v1.AuthService/GetPublicKeys", "/crm.auth.v1.AuthService/ListRevokedSessions",
        "/grpc.health.v1.Health/Check"}) {
    auto p = authorizer.Authorize("", method);
    ASSERT_TRUE(p.ok()) << method;
    EXPECT_EQ(p->user_id, 0);
    // Not even a garbage token is looked at.
    EXPECT_TRUE(authorizer.Authorize("Bearer garbage", method).ok());
  }
}

TEST_F(AuthorizerTest, TokenThenPolicy) {
  Authorizer authorizer(*verifier_);
  const std::string create = "/crm.customers.v1.CustomerService/CreateCustomer";
  const std::string get = "/crm.customers.v1.CustomerService/GetCustomer";

  auto rep = authorizer.Authorize(Bearer(v1::SALES_REP), create);
  ASSERT_TRUE(rep.ok()) << rep.status();
  EXPECT_EQ(rep->role, v1::SALES_REP);
  EXPECT_TRUE(authorizer.Authorize(Bearer(v1::SUPPORT), get).ok());
  ExpectReason(authorizer.Authorize(Bearer(v1::SUPPORT), create),
               absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED");
  ExpectReason(authorizer.Authorize(Bearer(v1::ADMIN), "/crm.orders.v1.OrderService/Nope"),
               absl::StatusCode::kPermissionDenied, "METHOD_NOT_IN_POLICY");
  // The scheme is case-insensitive.
  std::string lower = Bearer(v1::SALES_REP);
  lower.replace(0, 6, "bearer");
  EXPECT_TRUE(authorizer.Authorize(lower, get).ok());
}

TEST_F(AuthorizerTest, BadCredentialsAreUnauthenticatedBeforeThePolicy) {
  Authorizer authorizer(*verifier_);
  const std::string get = "/crm.customers.v1.CustomerService/GetCustomer";
  ExpectReason(authorizer.Authorize("", get), absl::StatusCode::kUnauthenticated, "TOKEN_MISSING");
  ExpectReason(authorizer.Authorize("Basic dXNlcjpwYXNz", get), absl::StatusCode::kUnauthenticated,
               "TOKEN_MALFORMED");
  ExpectReason(authorizer.Authorize("Bearer x.y.z", get), absl::StatusCode::kUnauthenticated,
               "TOKEN_MALFORMED");
  // Unknown methods still want a valid token first.
  ExpectReason(authorizer.Authorize("", "/crm.orders.v1.OrderService/Nope"),
               absl::StatusCode::kUnauthenticated, "TOKEN_MISSING");

  const std::string revoked = Bearer(v1::ADMIN, "s-gone");
  source_->Revoke("s-gone", absl::Now() + absl::Minutes(15));
  ASSERT_TRUE(verifier_->RefreshRevocations().ok());
  ExpectReason(authorizer.Authorize(revoked, get), absl::StatusCode::kUnauthenticated,
               "TOKEN_REVOKED");
}

TEST_F(AuthorizerTest, InternalPublicNeedsATokenOnlyAtTheGateway) {
  const std::string method = "/crm.auth.v1.AuthService/ListRevokedSessions";
  EXPECT_TRUE(Policy::Default().PublicAtService(method));
  EXPECT_FALSE(Policy::Default().PublicAtGateway(method));
  // At the gateway: a valid token of any role passes the policy.
  auto p = verifier_->Verify(Token(key_, User(v1::SUPPORT)));
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(Policy::Default().Check(*p, method).ok());
}

}  // namespace
}  // namespace crm::auth
