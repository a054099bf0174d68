// ServiceTokenSource and the call credentials built on it: one fetch per token lifetime,
// the token in hand kept through failed refreshes, exponential back-off without a token,
// and the token attached to real calls over a plaintext channel. Time is a FakeClock.
#include "libs/auth/service_token.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "crm/auth/v1/auth.grpc.pb.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"

namespace crm::auth {
namespace {

constexpr absl::Duration kTtl = absl::Minutes(15);

// Hands out "token-1", "token-2", ... valid for kTtl from the clock's now, or fails.
class FakeFetcher final : public ServiceTokenFetcher {
 public:
  explicit FakeFetcher(const Clock& clock) : clock_(clock) {}

  absl::StatusOr<IssuedToken> Fetch() override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (!failure_.ok()) return failure_;
    return IssuedToken{absl::StrCat("token-", ++issued_), clock_.Now() + kTtl};
  }
  void FailWith(absl::Status status) {
    absl::MutexLock lock(&mu_);
    failure_ = std::move(status);
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  const Clock& clock_;
  absl::Mutex mu_;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  int issued_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

class ServiceTokenSourceTest : public ::testing::Test {
 protected:
  ServiceTokenSourceTest() {
    auto fetcher = std::make_unique<FakeFetcher>(clock_);
    fetcher_ = fetcher.get();
    source_ = std::make_unique<ServiceTokenSource>(std::move(fetcher), clock_);
  }

  std::string TokenOrError() {
    absl::StatusOr<std::string> token = source_->Token();
    return token.ok() ? *token : std::string(ErrorReason(token.status()));
  }

  FakeClock clock_;
  FakeFetcher* fetcher_;
  std::unique_ptr<ServiceTokenSource> source_;
};

TEST_F(ServiceTokenSourceTest, OneFetchPerTokenUntilHalfItsLifetime) {
  EXPECT_EQ(TokenOrError(), "token-1");
  EXPECT_EQ(TokenOrError(), "token-1");
  clock_.Advance(kTtl / 2 - absl::Seconds(1));
  EXPECT_EQ(TokenOrError(), "token-1");
  EXPECT_EQ(fetcher_->calls(), 1);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(TokenOrError(), "token-2");
  EXPECT_EQ(TokenOrError(), "token-2");
  EXPECT_EQ(fetcher_->calls(), 2);
}

TEST_F(ServiceTokenSourceTest, AFailedRefreshKeepsTheTokenInHandUntilItsMargin) {
  ASSERT_EQ(TokenOrError(), "token-1");
  fetcher_->FailWith(Error(absl::StatusCode::kUnavailable, "DATABASE_UNAVAILABLE", "down"));
  clock_.Advance(kTtl / 2);
  EXPECT_EQ(TokenOrError(), "token-1");
  EXPECT_EQ(fetcher_->calls(), 2);
  // Backing off: the next call does not ask again.
  EXPECT_EQ(TokenOrError(), "token-1");
  EXPECT_EQ(fetcher_->calls(), 2);
  // Up to 30 s before it expires the token still serves; then it is not handed out.
  clock_.Set(clock_.Now() + kTtl / 2 - absl::Seconds(31));
  EXPECT_EQ(TokenOrError(), "token-1");
  EXPECT_EQ(fetcher_->calls(), 3);
  clock_.Advance(absl::Seconds(2));  // the next attempt, in the margin
  EXPECT_EQ(TokenOrError(), "DATABASE_UNAVAILABLE");
  EXPECT_EQ(fetcher_->calls(), 4);
  // The auth service is back: a new token at the next attempt.
  fetcher_->FailWith(absl::OkStatus());
  clock_.Advance(absl::Seconds(30));
  EXPECT_EQ(TokenOrError(), "token-2");
}

TEST_F(ServiceTokenSourceTest, WithoutATokenFailuresBackOffExponentially) {
  fetcher_->FailWith(
      Error(absl::StatusCode::kUnauthenticated, "INVALID_SERVICE_CREDENTIALS", "wrong secret"));
  EXPECT_EQ(TokenOrError(), "INVALID_SERVICE_CREDENTIALS");
  EXPECT_EQ(fetcher_->calls(), 1);
  // During the back-off callers fail at once, without calling the auth service.
  EXPECT_EQ(TokenOrError(), "SERVICE_TOKEN_UNAVAILABLE");
  EXPECT_EQ(source_->Token().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(fetcher_->calls(), 1);
  // Attempts after 1 s, then 2 s, 4 s, ... up to 30 s.
  int expected_calls = 1;
  for (absl::Duration wait :
       {absl::Seconds(1), absl::Seconds(2), absl::Seconds(4), absl::Seconds(8), absl::Seconds(16),
        absl::Seconds(30), absl::Seconds(30)}) {
    clock_.Advance(wait - absl::Milliseconds(1));
    EXPECT_EQ(TokenOrError(), "SERVICE_TOKEN_UNAVAILABLE") << wait;
    EXPECT_EQ(fetcher_->calls(), expected_calls) << wait;
    clock_.Advance(absl::Milliseconds(1));
    EXPECT_EQ(TokenOrError(), "INVALID_SERVICE_CREDENTIALS") << wait;
    EXPECT_EQ(fetcher_->calls(), ++expected_calls) << wait;
  }
  fetcher_->FailWith(absl::OkStatus());
  clock_.Advance(absl::Seconds(30));
  EXPECT_EQ(TokenOrError(), "token-1");
}

// Blocks in Fetch until released, to let many callers arrive while one fetch runs.
class GatedFetcher final : public ServiceTokenFetcher {
 public:
  absl::StatusOr<IssuedToken> Fetch() override {
    entered_.Notify();
    release_.WaitForNotification();
    absl::MutexLock lock(&mu_);
    ++calls_;
    return IssuedToken{"shared-token", absl::FromUnixSeconds(1'800'000'000) + kTtl};
  }
  absl::Notification entered_, release_;
  absl::Mutex mu_;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST(ServiceTokenSourceConcurrencyTest, CallersWithoutATokenShareOneFetch) {
  FakeClock clock(absl::FromUnixSeconds(1'800'000'000));
  auto owned = std::make_unique<GatedFetcher>();
  GatedFetcher* fetcher = owned.get();
  ServiceTokenSource source(std::move(owned), clock);
  std::vector<std::string> got(8);
  std::vector<std::thread> callers;
  for (size_t i = 0; i < got.size(); ++i) {
    callers.emplace_back([&, i] { got[i] = source.Token().value_or("error"); });
  }
  fetcher->entered_.WaitForNotification();
  fetcher->release_.Notify();
  for (auto& t : callers) t.join();
  for (const std::string& token : got) EXPECT_EQ(token, "shared-token");
  absl::MutexLock lock(&fetcher->mu_);
  EXPECT_EQ(fetcher->calls_, 1);
}

TEST_F(ServiceTokenSourceTest, ThePluginAddsTheBearerTokenOffTheReactorThread) {
  ServiceTokenPlugin plugin(std::shared_ptr<ServiceTokenSource>(std::move(source_)));
  EXPECT_TRUE(plugin.IsBlocking()) << "a fetch must never run on a gRPC reactor thread";
  std::multimap<grpc::string, grpc::string> metadata;
  // The plugin never looks at the channel's auth context; an empty one will do.
  struct EmptyIterator : grpc::AuthPropertyIterator {};
  class NoAuthContext final : public grpc::AuthContext {
   public:
    bool IsPeerAuthenticated() const override { return false; }
    std::vector<grpc::string_ref> GetPeerIdentity() const override { return {}; }
    std::string GetPeerIdentityPropertyName() const override { return ""; }
    std::vector<grpc::string_ref> FindPropertyValues(const std::string&) const override {
      return {};
    }
    grpc::AuthPropertyIterator begin() const override { return EmptyIterator(); }
    grpc::AuthPropertyIterator end() const override { return EmptyIterator(); }
    void AddProperty(const std::string&, const grpc::string_ref&) override {}
    bool SetPeerIdentityPropertyName(const std::string&) override { return false; }
  } context;
  ASSERT_TRUE(plugin.GetMetadata("", "", context, &metadata).ok());
  ASSERT_EQ(metadata.size(), 1u);
  EXPECT_EQ(metadata.begin()->first, "authorization");
  EXPECT_EQ(metadata.begin()->second, "Bearer token-1");

  fetcher_->FailWith(absl::UnavailableError("auth is down"));
  clock_.Advance(kTtl);
  metadata.clear();
  EXPECT_EQ(plugin.GetMetadata("", "", context, &metadata).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(metadata.empty());
}

// --- Over a real channel -----------------------------------------------------------------

constexpr char kSecret[] = "0123456789abcdef0123456789abcdef0123456789abcdef";

// An auth service that issues tokens for services/analytics with kSecret and remembers the
// authorization metadata GetCurrentUser was called with.
class FakeAuthService final : public v1::AuthService::Service {
 public:
  grpc::Status IssueServiceToken(grpc::ServerContext*, const v1::IssueServiceTokenRequest* request,
                                 v1::ServiceToken* response) override {
    if (request->service() != "services/analytics" || request->secret() != kSecret) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "wrong service credentials");
    }
    absl::MutexLock lock(&mu_);
    response->set_access_token(absl::StrCat("issued-", ++issued_));
    *response->mutable_expire_time() = ToTimestamp(absl::Now() + kTtl);
    return grpc::Status::OK;
  }
  grpc::Status GetCurrentUser(grpc::ServerContext* ctx, const v1::GetCurrentUserRequest*,
                              v1::User*) override {
    auto it = ctx->client_metadata().find("authorization");
    absl::MutexLock lock(&mu_);
    seen_ =
        it == ctx->client_metadata().end() ? "" : std::string(it->second.data(), it->second.size());
    return grpc::Status::OK;
  }
  absl::Mutex mu_;
  int issued_ ABSL_GUARDED_BY(mu_) = 0;
  std::string seen_ ABSL_GUARDED_BY(mu_);
};

TEST(ServiceCallCredentialsTest, AttachesTheServiceTokenToCallsOnAPlaintextChannel) {
  FakeAuthService auth;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&auth);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  auto stub = v1::AuthService::NewStub(channel);

  AuthClientOptions options;
  options.service_secret = kSecret;
  auto credentials = ServiceCallCredentials(options, "analytics", channel);
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext ctx;
    ctx.set_credentials(*credentials);
    v1::User user;
    ASSERT_TRUE(stub->GetCurrentUser(&ctx, {}, &user).ok());
  }
  {
    absl::MutexLock lock(&auth.mu_);
    EXPECT_EQ(auth.seen_, "Bearer issued-1");
    EXPECT_EQ(auth.issued_, 1) << "the token was not cached";
  }

  // A wrong secret: the call fails before it is sent, and says why.
  options.service_secret = std::string(kSecret) + "-not-it";
  auto wrong = ServiceCallCredentials(options, "analytics", channel);
  ASSERT_TRUE(wrong.ok());
  grpc::ClientContext ctx;
  ctx.set_credentials(*wrong);
  v1::User user;
  grpc::Status st = stub->GetCurrentUser(&ctx, {}, &user);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  server->Shutdown();
}

TEST(ServiceCallCredentialsTest, RefusesUnknownServicesAndShortSecrets) {
  auto channel = grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  AuthClientOptions options;
  options.service_secret = kSecret;
  EXPECT_EQ(ServiceCallCredentials(options, "billing", channel).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.service_secret = "short";
  EXPECT_EQ(ServiceCallCredentials(options, "orders", channel).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.service_secret = "";
  EXPECT_EQ(ServiceCallCredentials(options, "orders", channel).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::auth
