#include "services/gateway/admission.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <memory>
#include <vector>

#include "libs/auth/testing.h"
#include "libs/auth/token.h"
#include "libs/grpc/status.h"

namespace crm::gateway {
namespace {

class AdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = auth::SigningKey::Generate();
    ASSERT_TRUE(key.ok()) << key.status();
    key_ = std::make_unique<auth::SigningKey>(std::move(*key));
    verifier_ = std::make_unique<auth::TokenVerifier>(
        std::make_unique<auth::testing::FakeKeySource>(
            std::vector<auth::v1::PublicKey>{auth::testing::PublicKeyOf(*key_)}));
    limiter_ = std::make_unique<RateLimiter>(1.0, 2.0, [this] { return now_; });
    admission_ = std::make_unique<Admission>(*verifier_, auth::Policy::Default(), limiter_.get(),
                                             registry_);
  }

  std::string Bearer(auth::Role role, int64_t user_id = 7) {
    auth::Principal p;
    p.user_id = user_id;
    p.user = "users/" + std::to_string(user_id);
    p.username = "someone";
    p.role = role;
    p.session_id = "s" + std::to_string(user_id);
    auto token = key_->Sign(p, absl::Now(), absl::Minutes(5));
    EXPECT_TRUE(token.ok()) << token.status();
    return "Bearer " + token.value_or("");
  }

  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
  prometheus::Registry registry_;
  std::unique_ptr<auth::SigningKey> key_;
  std::unique_ptr<auth::TokenVerifier> verifier_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<Admission> admission_;
};

constexpr char kGetCustomer[] = "/crm.customers.v1.CustomerService/GetCustomer";

TEST_F(AdmissionTest, LoginAndRefreshNeedNoToken) {
  EXPECT_TRUE(admission_->Check("/crm.auth.v1.AuthService/Login", "").ok());
  EXPECT_TRUE(admission_->Check("/crm.auth.v1.AuthService/RefreshToken", "").ok());
  EXPECT_TRUE(admission_->Check("/crm.auth.v1.AuthService/GetPublicKeys", "").ok());
}

TEST_F(AdmissionTest, MissingOrMalformedTokenIsUnauthenticated) {
  for (const char* header : {"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer abc.def.ghi",
                             "Bearer not-a-jwt"}) {
    absl::Status st = admission_->Check(kGetCustomer, header);
    EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated) << header;
  }
}

TEST_F(AdmissionTest, RevocationListIsNotPublicAtTheGateway) {
  EXPECT_EQ(admission_->Check("/crm.auth.v1.AuthService/ListRevokedSessions", "").code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AdmissionTest, ValidTokenPassesAndPolicyIsApplied) {
  EXPECT_TRUE(admission_->Check(kGetCustomer, Bearer(auth::v1::SALES_REP)).ok());
  absl::Status denied =
      admission_->Check("/crm.auth.v1.AuthService/CreateUser", Bearer(auth::v1::SALES_REP, 8));
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(AdmissionTest, SignedInCallToAMethodNoServiceHasIsUnimplemented) {
  const std::string token = Bearer(auth::v1::ADMIN, 9);
  // A made-up package, and a made-up method of a real service.
  for (const char* method :
       {"/crm.unknown.v1.Thing/Do", "/crm.customers.v1.CustomerService/GetCustomr"}) {
    absl::Status st = admission_->Check(method, token);
    EXPECT_EQ(st.code(), absl::StatusCode::kUnimplemented) << method;
    EXPECT_EQ(ErrorReason(st), "METHOD_NOT_FOUND") << method;
  }
}

TEST_F(AdmissionTest, AnonymousCallersCannotProbeWhichMethodsExist) {
  for (const char* method : {"/crm.unknown.v1.Thing/Do", kGetCustomer}) {
    absl::Status st = admission_->Check(method, "");
    EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated) << method;
    EXPECT_EQ(ErrorReason(st), "TOKEN_MISSING") << method;
  }
}

TEST_F(AdmissionTest, KnownMethodMissingFromThePolicyIsDenied) {
  // A table that forgot GetCustomer (policy_test keeps the real one complete).
  const auth::Policy policy({{"/crm.customers.v1.CustomerService/ListCustomers",
                              auth::Access::kRoles,
                              {auth::v1::ADMIN}}});
  Admission admission(*verifier_, policy, nullptr, registry_);
  absl::Status st = admission.Check(kGetCustomer, Bearer(auth::v1::ADMIN, 10));
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorReason(st), "METHOD_NOT_IN_POLICY");
}

TEST_F(AdmissionTest, EachUserIsRateLimitedSeparately) {
  const std::string alice = Bearer(auth::v1::SALES_REP, 11);
  const std::string bob = Bearer(auth::v1::SALES_REP, 12);
  EXPECT_TRUE(admission_->Check(kGetCustomer, alice).ok());
  EXPECT_TRUE(admission_->Check(kGetCustomer, alice).ok());
  absl::Status limited = admission_->Check(kGetCustomer, alice);
  EXPECT_EQ(limited.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorReason(limited), "RATE_LIMITED");
  EXPECT_GT(RetryDelay(limited), absl::ZeroDuration());
  EXPECT_TRUE(admission_->Check(kGetCustomer, bob).ok()) << "bob has his own bucket";
  now_ += absl::Seconds(1);
  EXPECT_TRUE(admission_->Check(kGetCustomer, alice).ok()) << "one token refilled";
}

TEST(RateLimiterTest, RefillsAtTheConfiguredRateUpToTheBurst) {
  absl::Time now = absl::FromUnixSeconds(1'000);
  RateLimiter limiter(10.0, 5.0, [&] { return now; });
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.Take("u"), absl::ZeroDuration()) << i;
  absl::Duration wait = limiter.Take("u");
  EXPECT_GT(wait, absl::ZeroDuration());
  EXPECT_LE(wait, absl::Milliseconds(100));
  now += absl::Hours(1);  // a long pause refills only up to the burst
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.Take("u"), absl::ZeroDuration()) << i;
  EXPECT_GT(limiter.Take("u"), absl::ZeroDuration());
}

}  // namespace
}  // namespace crm::gateway
