// Access tokens: what a forger, a replayer or a confused client can and cannot get past
// PublicKeySet::Verify, and the key material round trips the auth service relies on.
#include "libs/auth/token.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/grpc/status.h"

namespace crm::auth {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Bio = std::unique_ptr<BIO, BioFree>;

const absl::Time kNow = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

std::string B64(std::string_view bytes) {
  return absl::WebSafeBase64Escape(absl::string_view(bytes.data(), bytes.size()));
}
std::string UnB64(std::string_view text) {
  std::string out;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(absl::string_view(text.data(), text.size()), &out));
  return out;
}

Principal Manager() {
  Principal p;
  p.user_id = 42;
  p.user = "users/42";
  p.username = "wang.fang";
  p.role = v1::SALES_MANAGER;
  p.team = "teams/3";
  p.managed_teams = {"teams/3", "teams/7"};
  p.session_id = "s-1";
  return p;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string PublicPemOf(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), key);
  return BioText(bio.get());
}

std::string Ed25519Sign(EVP_PKEY* key, std::string_view input) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char sig[64];
  size_t size = sizeof(sig);
  EXPECT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key), 1);
  EXPECT_EQ(EVP_DigestSign(ctx.get(), sig, &size,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  return std::string(reinterpret_cast<char*>(sig), size);
}

// A token with any header and claims, signed with a raw Ed25519 key.
std::string Forge(EVP_PKEY* key, std::string_view header_json, std::string_view claims_json) {
  const std::string input = absl::StrCat(B64(header_json), ".", B64(claims_json));
  return absl::StrCat(input, ".", B64(Ed25519Sign(key, input)));
}

std::string ValidClaims(absl::Time now = kNow) {
  return absl::StrCat(R"({"iss":"crm-auth","sub":"users/7","iat":)", absl::ToUnixSeconds(now),
                      R"(,"exp":)", absl::ToUnixSeconds(now + absl::Minutes(15)),
                      R"(,"sid":"s-9","name":"li.lei","role":"SALES_REP","team":"teams/3"})");
}

void ExpectReason(const absl::StatusOr<Principal>& result, std::string_view reason) {
  ASSERT_FALSE(result.ok()) << "expected " << reason;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated) << result.status();
  EXPECT_EQ(ErrorReason(result.status()), reason) << result.status();
}

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = SigningKey::Generate();
    ASSERT_TRUE(key.ok()) << key.status();
    key_ = std::make_unique<SigningKey>(*std::move(key));
    ASSERT_TRUE(keys_.Add(key_->kid(), key_->PublicPem()).ok());
    raw_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    ASSERT_NE(raw_, nullptr);
    ASSERT_TRUE(keys_.Add("raw", PublicPemOf(raw_.get())).ok());
  }

  std::string SignValid(absl::Time now = kNow, absl::Duration ttl = absl::Minutes(15)) {
    auto token = key_->Sign(Manager(), now, ttl);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  std::unique_ptr<SigningKey> key_;
  Pkey raw_;  // a key whose private half the test holds, registered as kid "raw"
  PublicKeySet keys_;
};

TEST_F(TokenTest, SignedTokenVerifiesToTheSamePrincipal) {
  const std::string token = SignValid();
  EXPECT_EQ(PeekKid(token), key_->kid());
  auto p = keys_.Verify(token, kNow + absl::Minutes(1));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->user_id, 42);
  EXPECT_EQ(p->user, "users/42");
  EXPECT_EQ(p->username, "wang.fang");
  EXPECT_EQ(p->role, v1::SALES_MANAGER);
  EXPECT_EQ(p->team, "teams/3");
  EXPECT_EQ(p->managed_teams, (std::vector<std::string>{"teams/3", "teams/7"}));
  EXPECT_EQ(p->session_id, "s-1");
  EXPECT_EQ(p->expires, kNow + absl::Minutes(15));
  EXPECT_TRUE(p->Manages("teams/7"));
  EXPECT_FALSE(p->Manages("teams/8"));
}

TEST_F(TokenTest, HeaderAndNumericDatesAreStandardJwt) {
  std::vector<std::string> parts = absl::StrSplit(SignValid(), '.');
  ASSERT_EQ(parts.size(), 3u);
  const std::string header = UnB64(parts[0]);
  EXPECT_TRUE(absl::StrContains(header, R"("alg":"EdDSA")")) << header;
  EXPECT_TRUE(absl::StrContains(header, R"("typ":"JWT")")) << header;
  const std::string claims = UnB64(parts[1]);
  // NumericDate is a JSON integer, not 1.7e+09.
  EXPECT_TRUE(absl::StrContains(claims, absl::StrCat(R"("exp":)", 1767225600 + 900))) << claims;
  EXPECT_TRUE(absl::StrContains(claims, R"("iat":1767225600)")) << claims;
  EXPECT_TRUE(absl::StrContains(claims, R"("iss":"crm-auth")")) << claims;
  EXPECT_EQ(parts[2].size(), 86u);  // 64 bytes, unpadded
}

TEST_F(TokenTest, PrincipalWithoutTeamsHasNone) {
  Principal rep = Manager();
  rep.role = v1::SALES_REP;
  rep.team.clear();
  rep.managed_teams.clear();
  auto token = key_->Sign(rep, kNow, absl::Minutes(5));
  ASSERT_TRUE(token.ok());
  auto p = keys_.Verify(*token, kNow);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->team, "");
  EXPECT_TRUE(p->managed_teams.empty());
}

TEST_F(TokenTest, TamperedPayloadFailsTheSignature) {
  std::vector<std::string> parts = absl::StrSplit(SignValid(), '.');
  std::string claims = UnB64(parts[1]);
  const size_t at = claims.find("SALES_MANAGER");
  ASSERT_NE(at, std::string::npos);
  claims.replace(at, 13, "ADMIN");
  ExpectReason(keys_.Verify(absl::StrCat(parts[0], ".", B64(claims), ".", parts[2]), kNow),
               "TOKEN_SIGNATURE");
}

TEST_F(TokenTest, TamperedSignatureFails) {
  std::vector<std::string> parts = absl::StrSplit(SignValid(), '.');
  std::string sig = UnB64(parts[2]);
  sig[10] ^= 0x01;
  ExpectReason(keys_.Verify(absl::StrCat(parts[0], ".", parts[1], ".", B64(sig)), kNow),
               "TOKEN_SIGNATURE");
  // Truncated and empty signatures too.
  ExpectReason(
      keys_.Verify(absl::StrCat(parts[0], ".", parts[1], ".", B64(sig.substr(0, 63))), kNow),
      "TOKEN_SIGNATURE");
  ExpectReason(keys_.Verify(absl::StrCat(parts[0], ".", parts[1], "."), kNow), "TOKEN_SIGNATURE");
}

TEST_F(TokenTest, AnotherKeyUnderTheSameKidIsRejected) {
  // An attacker's key, header naming our kid.
  Pkey attacker(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  const std::string header =
      absl::StrCat(R"({"alg":"EdDSA","typ":"JWT","kid":")", key_->kid(), R"("})");
  ExpectReason(keys_.Verify(Forge(attacker.get(), header, ValidClaims()), kNow), "TOKEN_SIGNATURE");

  // And a genuine token checked against a different public key under its kid.
  PublicKeySet wrong;
  ASSERT_TRUE(wrong.Add(key_->kid(), PublicPemOf(attacker.get())).ok());
  ExpectReason(wrong.Verify(SignValid(), kNow), "TOKEN_SIGNATURE");
}

TEST_F(TokenTest, ExpiryHonoursLeeway) {
  const std::string token = SignValid(kNow, absl::Minutes(15));
  ExpectReason(keys_.Verify(token, kNow + absl::Hours(1)), "TOKEN_EXPIRED");
  // 10 s past exp is within the default 30 s of clock skew, but not within zero.
  const absl::Time just_after = kNow + absl::Minutes(15) + absl::Seconds(10);
  EXPECT_TRUE(keys_.Verify(token, just_after).ok());
  ExpectReason(keys_.Verify(token, just_after, absl::ZeroDuration()), "TOKEN_EXPIRED");
  ExpectReason(keys_.Verify(token, kNow + absl::Minutes(15), absl::ZeroDuration()),
               "TOKEN_EXPIRED");
}

TEST_F(TokenTest, IssuedInTheFutureIsRejected) {
  ExpectReason(keys_.Verify(SignValid(kNow + absl::Minutes(10)), kNow), "TOKEN_CLAIMS");
  EXPECT_TRUE(keys_.Verify(SignValid(kNow + absl::Seconds(5)), kNow).ok());
}

TEST_F(TokenTest, AlgNoneIsRejected) {
  std::vector<std::string> parts = absl::StrSplit(SignValid(), '.');
  for (std::string header :
       {absl::StrCat(R"({"alg":"none","typ":"JWT","kid":")", key_->kid(), R"("})"),
        std::string(R"({"alg":"none"})"), std::string(R"({"alg":"None","kid":"raw"})")}) {
    ExpectReason(keys_.Verify(absl::StrCat(B64(header), ".", parts[1], "."), kNow),
                 "TOKEN_ALGORITHM");
  }
}

TEST_F(TokenTest, HmacWithThePublicKeyAsSecretIsRejected) {
  const std::string header =
      absl::StrCat(R"({"alg":"HS256","typ":"JWT","kid":")", key_->kid(), R"("})");
  const std::string input = absl::StrCat(B64(header), ".", B64(ValidClaims()));
  const std::string secret = key_->PublicPem();
  unsigned char mac[32];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &size);
  const std::string token =
      absl::StrCat(input, ".", B64(std::string(reinterpret_cast<char*>(mac), size)));
  ExpectReason(keys_.Verify(token, kNow), "TOKEN_ALGORITHM");
}

TEST_F(TokenTest, EveryOtherAlgorithmIsRejected) {
  for (std::string alg :
       {"\"RS256\"", "\"ES256\"", "\"HS512\"", "\"PS256\"", "\"ES256K\"", "\"EDDSA\"", "\"eddsa\"",
        "\"Ed25519\"", "\"EdDSA \"", "\"\"", "1", "null", "[\"EdDSA\"]"}) {
    const std::string header = absl::StrCat(R"({"alg":)", alg, R"(,"kid":"raw"})");
    ExpectReason(keys_.Verify(Forge(raw_.get(), header, ValidClaims()), kNow), "TOKEN_ALGORITHM");
  }
  ExpectReason(keys_.Verify(Forge(raw_.get(), R"({"kid":"raw"})", ValidClaims()), kNow),
               "TOKEN_ALGORITHM");
}

TEST_F(TokenTest, UnknownOrMissingKid) {
  ExpectReason(
      keys_.Verify(Forge(raw_.get(), R"({"alg":"EdDSA","kid":"nope"})", ValidClaims()), kNow),
      "TOKEN_UNKNOWN_KEY");
  ExpectReason(keys_.Verify(Forge(raw_.get(), R"({"alg":"EdDSA"})", ValidClaims()), kNow),
               "TOKEN_MALFORMED");
  PublicKeySet empty;
  ExpectReason(empty.Verify(SignValid(), kNow), "TOKEN_UNKNOWN_KEY");
}

TEST_F(TokenTest, ForgedHeaderShapesAreRejected) {
  ExpectReason(
      keys_.Verify(Forge(raw_.get(), R"({"alg":"EdDSA","kid":"raw","typ":"JOSE"})", ValidClaims()),
                   kNow),
      "TOKEN_MALFORMED");
  ExpectReason(
      keys_.Verify(Forge(raw_.get(), R"({"alg":"EdDSA","kid":"raw","crit":["x"]})", ValidClaims()),
                   kNow),
      "TOKEN_MALFORMED");
  ExpectReason(keys_.Verify(Forge(raw_.get(), R"(["EdDSA"])", ValidClaims()), kNow),
               "TOKEN_MALFORMED");
  ExpectReason(
      keys_.Verify(Forge(raw_.get(), R"({"alg":"EdDSA","alg":"none","kid":"raw"})", ValidClaims()),
                   kNow),
      "TOKEN_MALFORMED");
  // A correctly signed header without typ is fine.
  EXPECT_TRUE(
      keys_.Verify(Forge(raw_.get(), R"({"alg":"EdDSA","kid":"raw"})", ValidClaims()), kNow).ok());
}

TEST_F(TokenTest, ClaimsAreCheckedEvenWhenSigned) {
  const std::string header = R"({"alg":"EdDSA","kid":"raw"})";
  const std::string good = ValidClaims();
  auto with = [&](std::string_view from, std::string_view to) {
    std::string claims = good;
    const size_t at = claims.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    claims.replace(at, from.size(), to);
    return Forge(raw_.get(), header, claims);
  };
  EXPECT_TRUE(keys_.Verify(Forge(raw_.get(), header, good), kNow).ok());
  for (const std::string& token : {
           with(R"("iss":"crm-auth")", R"("iss":"someone-else")"),
           with(R"("iss":"crm-auth",)", ""),
           with(R"("sub":"users/7")", R"("sub":"users/0")"),
           with(R"("sub":"users/7")", R"("sub":"users/-7")"),
           with(R"("sub":"users/7")", R"("sub":"users/7x")"),
           with(R"("sub":"users/7")", R"("sub":"teams/7")"),
           with(R"("sub":"users/7")", R"("sub":7)"),
           with(R"("role":"SALES_REP")", R"("role":"ROOT")"),
           with(R"("role":"SALES_REP")", R"("role":"ROLE_UNSPECIFIED")"),
           with(R"("role":"SALES_REP")", R"("role":3)"),
           with(R"("sid":"s-9")", R"("sid":"")"),
           with(R"("sid":"s-9",)", ""),
           with(R"("team":"teams/3")", R"("team":"teams/x")"),
           with(R"("team":"teams/3")", R"("team":"teams/3","mteams":["sales"])"),
           with(R"("team":"teams/3")", R"("team":"teams/3","mteams":"teams/3")"),
           with(R"("team":"teams/3")", R"("team":"teams/3","nbf":1999999999)"),
           with(R"("iat":1767225600,)", R"("iat":"1767225600",)"),
       }) {
    ExpectReason(keys_.Verify(token, kNow), "TOKEN_CLAIMS");
  }
  ExpectReason(keys_.Verify(with(R"("iat":1767225600,)", ""), kNow), "TOKEN_CLAIMS");
  ExpectReason(keys_.Verify(Forge(raw_.get(), header, "not json"), kNow), "TOKEN_CLAIMS");
  ExpectReason(keys_.Verify(Forge(raw_.get(), header, R"({"iss":"crm-auth","sub":"users/7",
      "iat":1767225600,"exp":1e300,"sid":"s","role":"ADMIN"})"),
                            kNow),
               "TOKEN_CLAIMS");
}

TEST_F(TokenTest, AServiceTokenVerifiesToTheServiceAndNothingElse) {
  Principal analytics;
  analytics.service = "services/analytics";
  auto token = key_->Sign(analytics, kNow, absl::Minutes(15));
  ASSERT_TRUE(token.ok()) << token.status();
  auto p = keys_.Verify(*token, kNow + absl::Minutes(1));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->IsService());
  EXPECT_EQ(p->service, "services/analytics");
  EXPECT_EQ(p->ActingName(), "services/analytics");
  EXPECT_EQ(p->user, "");
  EXPECT_EQ(p->user_id, 0);
  EXPECT_EQ(p->role, v1::ROLE_UNSPECIFIED);
  EXPECT_EQ(p->session_id, "");
  EXPECT_TRUE(p->managed_teams.empty());
  EXPECT_EQ(p->expires, kNow + absl::Minutes(15));
  ExpectReason(keys_.Verify(*token, kNow + absl::Minutes(16)), "TOKEN_EXPIRED");

  // A user's token names the user.
  auto user = keys_.Verify(SignValid(), kNow);
  ASSERT_TRUE(user.ok());
  EXPECT_FALSE(user->IsService());
  EXPECT_EQ(user->ActingName(), "users/42");
}

// The "svc" claim and a services/ subject go together, and a service token carries none of
// a user's claims: neither kind can be made to read as the other.
TEST_F(TokenTest, ServiceAndUserClaimsNeverMix) {
  const std::string header = R"({"alg":"EdDSA","kid":"raw"})";
  const std::string times = R"("iss":"crm-auth","iat":1767225600,"exp":1767226500)";
  auto forge = [&](const std::string& rest) {
    return Forge(raw_.get(), header, absl::StrCat("{", times, ",", rest, "}"));
  };
  auto ok = keys_.Verify(forge(R"("sub":"services/orders","svc":true)"), kNow);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->service, "services/orders");
  for (const std::string& token : {
           forge(R"("sub":"users/7","svc":true,"sid":"s","role":"ADMIN")"),
           forge(R"("sub":"users/7","svc":false,"sid":"s","role":"ADMIN")"),
           forge(R"("sub":"services/orders","svc":"true")"),
           forge(R"("sub":"services/orders","svc":1)"),
           forge(R"("sub":"services/orders")"),
           forge(R"("sub":"services/orders","svc":true,"role":"ADMIN")"),
           forge(R"("sub":"services/orders","svc":true,"sid":"s")"),
           forge(R"("sub":"services/orders","svc":true,"mteams":[])"),
           forge(R"("sub":"services/orders","svc":true,"team":"teams/1")"),
           forge(R"("sub":"services/orders","svc":true,"name":"orders")"),
           forge(R"("sub":"services/Orders","svc":true)"),
           forge(R"("sub":"services/","svc":true)"),
           forge(R"("sub":"services/orders/1","svc":true)"),
           forge(R"("sub":"orders","svc":true)"),
       }) {
    ExpectReason(keys_.Verify(token, kNow), "TOKEN_CLAIMS");
  }
}

TEST_F(TokenTest, GarbageIsMalformedAndNeverEchoed) {
  const std::string good = SignValid();
  std::vector<std::string> parts = absl::StrSplit(good, '.');
  const std::string huge = absl::StrCat(good, std::string(9000, 'A'));
  for (const std::string& token :
       {std::string(""), std::string("abc"), std::string("a.b"), std::string("a.b.c.d"),
        absl::StrCat(good, ".", parts[2]), std::string(".."), std::string("..sig"),
        std::string("!!!.???.***"), absl::StrCat(parts[0], "=.", parts[1], ".", parts[2]),
        absl::StrCat(parts[0], ".", parts[1], ".", parts[2], "="),
        absl::StrCat(parts[0], " .", parts[1], ".", parts[2]),
        absl::StrCat(parts[0], ".", parts[1], "+/.", parts[2]),
        absl::StrCat("A", parts[0], ".", parts[1], ".", parts[2]),
        absl::StrCat(B64("not json"), ".", parts[1], ".", parts[2]), huge,
        std::string("eyJhbGciOiJFZERTQSJ9\n.e30.AA")}) {
    auto result = keys_.Verify(token, kNow);
    ExpectReason(result, "TOKEN_MALFORMED");
    if (token.size() > 3) {
      EXPECT_FALSE(absl::StrContains(result.status().message(), token.substr(0, 8)));
    }
    EXPECT_EQ(PeekKid(token), "");
  }
}

TEST_F(TokenTest, NonCanonicalBase64IsRejected) {
  // The last character of a 64-byte signature carries 4 unused bits; setting them yields
  // another spelling of the same bytes, which a lenient decoder would accept.
  const std::string good = SignValid();
  std::string token = good;
  char& last = token.back();
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  last = alphabet[alphabet.find(last) | 1];
  if (token != good) ExpectReason(keys_.Verify(token, kNow), "TOKEN_MALFORMED");
}

TEST(SigningKey, EncryptedPemRoundTrip) {
  auto key = SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  auto pem = key->EncryptedPem("correct horse battery staple");
  ASSERT_TRUE(pem.ok()) << pem.status();
  EXPECT_TRUE(absl::StrContains(*pem, "BEGIN ENCRYPTED PRIVATE KEY"));

  auto loaded = SigningKey::FromEncryptedPem(*pem, "correct horse battery staple");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->kid(), key->kid());
  EXPECT_EQ(loaded->PublicPem(), key->PublicPem());
  PublicKeySet keys;
  ASSERT_TRUE(keys.Add(key->kid(), key->PublicPem()).ok());
  EXPECT_TRUE(keys.Verify(*loaded->Sign(Manager(), kNow, absl::Minutes(1)), kNow).ok());

  EXPECT_FALSE(SigningKey::FromEncryptedPem(*pem, "wrong passphrase").ok());
  EXPECT_FALSE(SigningKey::FromEncryptedPem(*pem, "").ok());
  EXPECT_FALSE(key->EncryptedPem("").ok());
  EXPECT_FALSE(SigningKey::FromEncryptedPem("not a pem", "x").ok());
}

TEST(SigningKey, RefusesPlainAndForeignKeys) {
  // An unencrypted Ed25519 key.
  Pkey ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  Bio plain(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PrivateKey(plain.get(), ed.get(), nullptr, nullptr, 0, nullptr, nullptr),
            1);
  EXPECT_FALSE(SigningKey::FromEncryptedPem(BioText(plain.get()), "secret").ok());

  // An encrypted P-256 key.
  Pkey ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  ASSERT_NE(ec, nullptr);
  Bio encrypted(BIO_new(BIO_s_mem()));
  char pass[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(encrypted.get(), ec.get(), EVP_aes_256_cbc(), pass, 6,
                                          nullptr, nullptr),
            1);
  EXPECT_FALSE(SigningKey::FromEncryptedPem(BioText(encrypted.get()), "secret").ok());

  // Nor does a key set take a non-Ed25519 public key.
  PublicKeySet keys;
  EXPECT_EQ(keys.Add("ec", PublicPemOf(ec.get())).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(keys.Add("x", "garbage").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(keys.size(), 0u);
}

TEST(SigningKey, KidsDifferAndAreStable) {
  auto a = SigningKey::Generate();
  auto b = SigningKey::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->kid().size(), 16u);
  EXPECT_NE(a->kid(), b->kid());
}

TEST(SigningKey, SignRefusesIncompletePrincipals) {
  auto key = SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  Principal p = Manager();
  p.session_id.clear();
  EXPECT_FALSE(key->Sign(p, kNow, absl::Minutes(1)).ok());
  p = Manager();
  p.role = v1::ROLE_UNSPECIFIED;
  EXPECT_FALSE(key->Sign(p, kNow, absl::Minutes(1)).ok());
  p = Manager();
  p.user = "users/43";
  EXPECT_FALSE(key->Sign(p, kNow, absl::Minutes(1)).ok());
  EXPECT_FALSE(key->Sign(Manager(), kNow, absl::ZeroDuration()).ok());
  // A service principal is a name and nothing else.
  p = Principal{};
  p.service = "services/analytics";
  EXPECT_TRUE(key->Sign(p, kNow, absl::Minutes(1)).ok());
  p.role = v1::ADMIN;
  EXPECT_FALSE(key->Sign(p, kNow, absl::Minutes(1)).ok());
  p = Manager();
  p.service = "services/analytics";
  EXPECT_FALSE(key->Sign(p, kNow, absl::Minutes(1)).ok());
  p = Principal{};
  p.service = "analytics";
  EXPECT_FALSE(key->Sign(p, kNow, absl::Minutes(1)).ok());
}

TEST(RandomToken, IsUrlSafeAndUnique) {
  const std::string a = RandomToken(32);
  EXPECT_EQ(a.size(), 43u);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_NE(a, RandomToken(32));
  EXPECT_EQ(RandomToken(0), "");
}

TEST(RoleName, UsesProtoEnumNames) {
  EXPECT_EQ(RoleName(v1::SALES_REP), "SALES_REP");
  EXPECT_EQ(RoleName(static_cast<Role>(99)), "");
}

}  // namespace
}  // namespace crm::auth
