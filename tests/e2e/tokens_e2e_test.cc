// Forged, stale and revoked credentials against the real processes: each must be refused
// with UNAUTHENTICATED by the gateway and, reached directly, by the customers service. Also
// the sign-in defences: throttled password guessing and the gateway's per-user rate limit.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "crm/auth/v1/auth.grpc.pb.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/auth/token.h"
#include "libs/db/db.h"
#include "libs/grpc/status.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

namespace cv1 = customers::v1;
namespace av1 = auth::v1;
using testing::Session;
using testing::Stack;

std::string B64(std::string_view bytes) { return absl::WebSafeBase64Escape(std::string(bytes)); }
std::string UnB64(std::string_view text) {
  std::string out;
  absl::WebSafeBase64Unescape(std::string(text), &out);
  return out;
}

// header.payload signed with a fresh Ed25519 key that the auth service never saw.
std::string SignWithStrangerKey(const std::string& signing_input) {
  EVP_PKEY* raw = nullptr;
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> kctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), EVP_PKEY_CTX_free);
  EXPECT_EQ(EVP_PKEY_keygen_init(kctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_keygen(kctx.get(), &raw), 1);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw, EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EXPECT_EQ(EVP_DigestSignInit(md.get(), nullptr, nullptr, nullptr, key.get()), 1);
  unsigned char sig[64];
  size_t len = sizeof(sig);
  EXPECT_EQ(EVP_DigestSign(md.get(), sig, &len,
                           reinterpret_cast<const unsigned char*>(signing_input.data()),
                           signing_input.size()),
            1);
  return signing_input + "." + B64(std::string(reinterpret_cast<char*>(sig), len));
}

class TokensE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    auto rep = stack_->CreateUser("rep.one", av1::SALES_REP);
    ASSERT_TRUE(rep.ok()) << rep.status();
  }
  void TearDown() override {
    if (HasFailure() && stack_) std::cerr << stack_->Logs();
  }

  absl::StatusOr<Session> LoginRep() { return stack_->Login("rep.one", Stack::kTestPassword); }

  // ListCustomers with `token` over `channel`.
  static grpc::Status Call(const std::shared_ptr<grpc::Channel>& channel,
                           const std::string& token) {
    auto stub = cv1::CustomerService::NewStub(channel);
    cv1::ListCustomersResponse out;
    return stub->ListCustomers(testing::ContextWithToken(token).get(), {}, &out);
  }

  // Refused on both paths, with UNAUTHENTICATED and the `reason` that names the defect
  // (so each forgery is refused for what is wrong with it, not for something incidental).
  void ExpectRefused(const std::string& token, const std::string& reason,
                     const std::string& what) {
    for (const auto& [path, channel] : {std::pair{"gateway", stack_->gateway()},
                                        std::pair{"customers", stack_->channel("customers")}}) {
      grpc::Status st = Call(channel, token);
      EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << what << " via " << path << ": " << st.error_message();
      EXPECT_EQ(ErrorReason(FromGrpcStatus(st)), reason) << what << " via " << path;
    }
  }
  void ExpectAccepted(const std::string& token, const std::string& what) {
    for (const auto& [path, channel] : {std::pair{"gateway", stack_->gateway()},
                                        std::pair{"customers", stack_->channel("customers")}}) {
      grpc::Status st = Call(channel, token);
      EXPECT_TRUE(st.ok()) << what << " via " << path << ": " << st.error_message();
    }
  }

  // Waits (up to 5 s: verifiers poll revocations every 200 ms here) until `token` is refused
  // on both paths.
  void ExpectRefusedSoon(const std::string& token, const std::string& what) {
    for (int i = 0; i < 50; ++i) {
      if (Call(stack_->gateway(), token).error_code() == grpc::StatusCode::UNAUTHENTICATED &&
          Call(stack_->channel("customers"), token).error_code() ==
              grpc::StatusCode::UNAUTHENTICATED) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    ExpectRefused(token, "TOKEN_REVOKED", what);
  }

  // The auth service's current signing key, read from its schema and decrypted with the
  // passphrase the stack gave it: lets a test mint tokens the servers' key really signed.
  absl::StatusOr<auth::SigningKey> RealSigningKey() {
    auto pool = db::Pool::Create(stack_->db("auth"), nullptr);
    if (!pool.ok()) return pool.status();
    auto session = (*pool)->Borrow();
    if (!session.ok()) return session.status();
    auto rows = (*session)->Query(
        "SELECT encrypted_pem FROM signing_keys WHERE NOT retired ORDER BY create_time DESC "
        "LIMIT 1",
        {});
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return absl::NotFoundError("no signing key");
    return auth::SigningKey::FromEncryptedPem((*rows)[0].Str(0),
                                              stack_->signing_key_passphrase());
  }

  std::unique_ptr<Stack> stack_;
};

TEST_F(TokensE2eTest, ValidTokenIsAcceptedOnBothPaths) {
  auto rep = LoginRep();
  ASSERT_TRUE(rep.ok()) << rep.status();
  ExpectAccepted(rep->access_token, "fresh token");
}

// The gateway refuses a bad token itself, before forwarding: with crm-customers gone it
// still answers UNAUTHENTICATED, not the UNAVAILABLE a forwarded call would get.
TEST_F(TokensE2eTest, TheGatewayRefusesBadTokensWithoutAskingTheBackend) {
  auto rep = LoginRep();
  ASSERT_TRUE(rep.ok()) << rep.status();
  stack_->process("customers").process->Signal(SIGKILL);
  ASSERT_TRUE(stack_->process("customers").process->Wait(absl::Seconds(10)).ok());
  for (const std::string& token : {std::string(""), std::string("not.a.token"),
                                   rep->access_token + "x"}) {
    grpc::Status st = Call(stack_->gateway(), token);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << st.error_message();
  }
  // The control: a good token is forwarded, and finds the backend down.
  EXPECT_EQ(Call(stack_->gateway(), rep->access_token).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TokensE2eTest, TamperedPayloadIsRefused) {
  auto rep = LoginRep();
  ASSERT_TRUE(rep.ok()) << rep.status();
  std::vector<std::string> parts = absl::StrSplit(rep->access_token, '.');
  ASSERT_EQ(parts.size(), 3u);
  std::string claims = UnB64(parts[1]);
  ASSERT_NE(claims.find("SALES_REP"), std::string::npos) << claims;
  // Promote oneself, keeping the original signature.
  std::string forged_claims = absl::StrReplaceAll(claims, {{"SALES_REP", "ADMIN"}});
  ExpectRefused(absl::StrCat(parts[0], ".", B64(forged_claims), ".", parts[2]),
                "TOKEN_SIGNATURE", "payload changed to ADMIN");
  // One flipped bit of the signature is enough too.
  std::string sig = UnB64(parts[2]);
  sig[5] ^= 0x01;
  ExpectRefused(absl::StrCat(parts[0], ".", parts[1], ".", B64(sig)), "TOKEN_SIGNATURE",
                "signature bit flipped");
}

TEST_F(TokensE2eTest, TokenSignedWithAnotherKeyUnderTheRealKidIsRefused) {
  auto rep = LoginRep();
  ASSERT_TRUE(rep.ok()) << rep.status();
  std::vector<std::string> parts = absl::StrSplit(rep->access_token, '.');
  ASSERT_EQ(parts.size(), 3u);
  ExpectRefused(SignWithStrangerKey(parts[0] + "." + parts[1]), "TOKEN_SIGNATURE",
                "stranger key, real kid");
}

TEST_F(TokensE2eTest, UnknownKidIsRefused) {
  auto stranger = auth::SigningKey::Generate();
  ASSERT_TRUE(stranger.ok());
  auth::Principal p;
  p.user_id = 1;
  p.user = "users/1";
  p.username = "admin";
  p.role = av1::ADMIN;
  p.session_id = "forged-session";
  auto token = stranger->Sign(p, absl::Now(), absl::Minutes(5));
  ASSERT_TRUE(token.ok());
  ExpectRefused(*token, "TOKEN_UNKNOWN_KEY", "key the auth service never had");
}

TEST_F(TokensE2eTest, AlgorithmConfusionIsRefused) {
  auto rep = LoginRep();
  ASSERT_TRUE(rep.ok()) << rep.status();
  std::vector<std::string> parts = absl::StrSplit(rep->access_token, '.');
  ASSERT_EQ(parts.size(), 3u);
  const std::string kid = auth::PeekKid(rep->access_token);
  ASSERT_FALSE(kid.empty());

  // "alg":"none" with no signature.
  const std::string none = B64(absl::StrCat(R"({"alg":"none","typ":"JWT","kid":")", kid, R"("})"));
  ExpectRefused(absl::StrCat(none, ".", parts[1], "."), "TOKEN_ALGORITHM", "alg none");

  // "alg":"HS256" keyed with the public key's PEM, which anyone can fetch.
  auto keys_stub = av1::AuthService::NewStub(stack_->gateway());
  av1::GetPublicKeysResponse keys;
  ASSERT_TRUE(
      keys_stub->GetPublicKeys(testing::ContextWithToken("").get(), {}, &keys).ok());
  ASSERT_GT(keys.keys_size(), 0);
  const std::string& pem = keys.keys(0).public_key_pem();
  const std::string hs = B64(absl::StrCat(R"({"alg":"HS256","typ":"JWT","kid":")", kid, R"("})"));
  const std::string input = absl::StrCat(hs, ".", parts[1]);
  unsigned char mac[32];
  unsigned int mac_len = sizeof(mac);
  ASSERT_NE(HMAC(EVP_sha256(), pem.data(), static_cast<int>(pem.size()),
                 reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
                 &mac_len),
            nullptr);
  ExpectRefused(absl::StrCat(input, ".", B64(std::string(reinterpret_cast<char*>(mac), mac_len))),
                "TOKEN_ALGORITHM", "HS256 keyed with the public key");
}

TEST_F(TokensE2eTest, ExpiredTokenSignedByTheRealKeyIsRefused) {
  auto rep = LoginRep();
  ASSERT_TRUE(rep.ok()) << rep.status();
  auto key = RealSigningKey();
  ASSERT_TRUE(key.ok()) << key.status();
  auth::Principal p;
  p.user_id = std::stoll(rep->user.name().substr(std::string("users/").size()));
  p.user = rep->user.name();
  p.username = rep->user.username();
  p.role = av1::SALES_REP;
  p.session_id = "minted-by-test";
  // The control: the same key and claims, valid now, are accepted ...
  auto fresh = key->Sign(p, absl::Now(), absl::Minutes(5));
  ASSERT_TRUE(fresh.ok());
  ExpectAccepted(*fresh, "token minted with the real key");
  // ... so the refusal below is for the expiry alone.
  auto expired = key->Sign(p, absl::Now() - absl::Hours(2), absl::Minutes(15));
  ASSERT_TRUE(expired.ok());
  ExpectRefused(*expired, "TOKEN_EXPIRED", "expired an hour and three quarters ago");
}

TEST_F(TokensE2eTest, LogoutRevokesOnlyThatSession) {
  auto first = LoginRep();
  auto second = LoginRep();
  ASSERT_TRUE(first.ok() && second.ok());
  ExpectAccepted(first->access_token, "before logout");
  auto stub = av1::AuthService::NewStub(stack_->gateway());
  google::protobuf::Empty empty;
  ASSERT_TRUE(stub->Logout(first->Context().get(), {}, &empty).ok());
  ExpectRefusedSoon(first->access_token, "access token of a logged-out session");
  ExpectAccepted(second->access_token, "the user's other session");
  // Its refresh token is dead too.
  av1::RefreshTokenRequest refresh;
  refresh.set_refresh_token(first->refresh_token);
  av1::LoginResponse out;
  EXPECT_EQ(stub->RefreshToken(testing::ContextWithToken("").get(), refresh, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(TokensE2eTest, ReusedRefreshTokenRevokesTheWholeSession) {
  auto rep = LoginRep();
  ASSERT_TRUE(rep.ok()) << rep.status();
  auto stub = av1::AuthService::NewStub(stack_->gateway());
  av1::RefreshTokenRequest refresh;
  refresh.set_refresh_token(rep->refresh_token);
  av1::LoginResponse rotated;
  ASSERT_TRUE(stub->RefreshToken(testing::ContextWithToken("").get(), refresh, &rotated).ok());
  EXPECT_NE(rotated.refresh_token(), rep->refresh_token);
  ExpectAccepted(rotated.access_token(), "rotated access token");

  // The old refresh token again: someone replayed it.
  av1::LoginResponse replayed;
  grpc::Status st = stub->RefreshToken(testing::ContextWithToken("").get(), refresh, &replayed);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ErrorReason(FromGrpcStatus(st)), "REFRESH_TOKEN_REUSED");
  ExpectRefusedSoon(rotated.access_token(), "access token of the session after reuse");
  av1::RefreshTokenRequest again;
  again.set_refresh_token(rotated.refresh_token());
  EXPECT_EQ(stub->RefreshToken(testing::ContextWithToken("").get(), again, &replayed).error_code(),
            grpc::StatusCode::UNAUTHENTICATED)
      << "the newest refresh token of the revoked session";
}

TEST_F(TokensE2eTest, KeyRotationKeepsOldTokensAndAcceptsNewOnes) {
  auto before = LoginRep();
  ASSERT_TRUE(before.ok());
  auto admin = stack_->LoginAdmin();
  ASSERT_TRUE(admin.ok());
  auto stub = av1::AuthService::NewStub(stack_->gateway());
  av1::RotateSigningKeyRequest rotate;
  rotate.set_request_id("rotate-1");
  av1::PublicKey key;
  ASSERT_TRUE(stub->RotateSigningKey(admin->Context().get(), rotate, &key).ok());
  EXPECT_NE(key.kid(), auth::PeekKid(before->access_token));

  // The auth service may sign with the old key for a few seconds more (replicas reload keys
  // every 10 s); a token with the new kid appears within that time.
  std::string after_token;
  for (int i = 0; i < 30 && after_token.empty(); ++i) {
    auto after = LoginRep();
    ASSERT_TRUE(after.ok());
    if (auth::PeekKid(after->access_token) == key.kid()) after_token = after->access_token;
    else absl::SleepFor(absl::Milliseconds(500));
  }
  ASSERT_FALSE(after_token.empty()) << "no token signed with the new key";
  ExpectAccepted(after_token, "token signed with the new key (verifiers fetch it on demand)");
  ExpectAccepted(before->access_token, "token signed with the previous key");
}

// Guessing passwords: after a few failures the user is throttled, even with the right
// password, and the answer says when to retry. Tight limits for the test.
TEST(SignInDefencesE2eTest, PasswordGuessingIsThrottledAndCallsAreRateLimited) {
  testing::StackOptions options;
  options.flags["auth"] = {"--login_max_failures_per_user=3", "--login_max_failures_per_peer=8"};
  options.flags["gateway"] = {"--rate_limit_per_user=1", "--rate_limit_burst=3"};
  auto stack = Stack::Start(options);
  ASSERT_TRUE(stack.ok()) << stack.status();
  ASSERT_TRUE((*stack)->CreateUser("victim", av1::SALES_REP).ok());
  ASSERT_TRUE((*stack)->CreateUser("bystander", av1::SALES_REP).ok());

  // Rate limit: 3 calls at once (the admin has made two), then about one a second.
  auto admin = (*stack)->LoginAdmin();
  ASSERT_TRUE(admin.ok()) << admin.status();
  auto customers = cv1::CustomerService::NewStub((*stack)->gateway());
  int limited = 0;
  absl::Status last;
  for (int i = 0; i < 6; ++i) {
    cv1::ListCustomersResponse out;
    grpc::Status st = customers->ListCustomers(admin->Context().get(), {}, &out);
    if (st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++limited;
      last = FromGrpcStatus(st);
    }
  }
  EXPECT_GE(limited, 2);
  EXPECT_EQ(ErrorReason(last), "RATE_LIMITED");
  EXPECT_GT(RetryDelay(last), absl::ZeroDuration());
  // Another user has a bucket of their own.
  auto other = (*stack)->Login("bystander", Stack::kTestPassword);
  ASSERT_TRUE(other.ok()) << other.status();
  cv1::ListCustomersResponse out;
  EXPECT_TRUE(customers->ListCustomers(other->Context().get(), {}, &out).ok());

  // Guessing one user's password: throttled after 3 failures, even with the right password,
  // and the answer says when to retry.
  for (int i = 0; i < 3; ++i) {
    auto wrong = (*stack)->Login("victim", "not the password at all");
    EXPECT_EQ(wrong.status().code(), absl::StatusCode::kUnauthenticated) << i;
    EXPECT_EQ(ErrorReason(wrong.status()), "INVALID_CREDENTIALS");
  }
  auto throttled = (*stack)->Login("victim", Stack::kTestPassword);
  ASSERT_EQ(throttled.status().code(), absl::StatusCode::kResourceExhausted)
      << throttled.status() << (*stack)->Logs();
  EXPECT_EQ(ErrorReason(throttled.status()), "LOGIN_THROTTLED");
  EXPECT_GT(RetryDelay(throttled.status()), absl::ZeroDuration());

  // From this address, guessing across usernames trips the per-peer limit (8 failures in
  // all), and a spoofed x-forwarded-for does not get around it: the gateway sets its own.
  auto stub = av1::AuthService::NewStub((*stack)->gateway());
  for (int i = 0; i < 5; ++i) {
    av1::LoginRequest guess;
    guess.set_username(absl::StrCat("nobody", i));
    guess.set_password("guess guess guess");
    av1::LoginResponse response;
    auto ctx = testing::ContextWithToken("");
    ctx->AddMetadata("x-forwarded-for", absl::StrCat("203.0.113.", i));
    EXPECT_FALSE(stub->Login(ctx.get(), guess, &response).ok());
  }
  auto bystander = (*stack)->Login("bystander", Stack::kTestPassword);
  EXPECT_EQ(bystander.status().code(), absl::StatusCode::kResourceExhausted)
      << "per-peer limit: " << bystander.status();
}

}  // namespace
}  // namespace crm
