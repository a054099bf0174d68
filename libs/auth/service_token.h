// The client side of service identities: a service calling another service as itself
// ("services/{name}") attaches a short-lived access token it obtained from the auth
// service's IssueServiceToken with its own secret (--service_secret).
//
//   auto credentials = auth::ServiceCallCredentials(auth_options, "analytics", auth_channel);
//   grpc::ClientContext ctx;
//   ctx.set_credentials(*credentials);   // or a channel made with these call credentials
//
// ServiceTokenSource caches the token and fetches the next one once half of its lifetime
// has passed, so a fetch that fails (the auth service restarting) has the other half to
// succeed in; failures back off exponentially (1 s to 30 s) and never hand out a token in
// its last 30 s. The credentials plugin is blocking, so gRPC runs it on its own thread and
// a fetch never holds a gRPC callback reactor thread.
//
// A call made on behalf of a user does not use these: it forwards the user's own token,
// so the callee applies that user's rules.
#pragma once

#include <grpcpp/security/credentials.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/auth/flags.h"
#include "libs/base/clock.h"

namespace grpc {
class Channel;
}  // namespace grpc

namespace crm::auth {

// Service secrets are at least this long (tools/dev and the deploy guide make 32 random
// bytes, as 64 hex digits).
inline constexpr size_t kMinServiceSecretBytes = 32;

struct IssuedToken {
  std::string access_token;
  absl::Time expire_time;
};

// Where tokens come from: the auth service, or a fake in tests.
class ServiceTokenFetcher {
 public:
  virtual ~ServiceTokenFetcher() = default;
  virtual absl::StatusOr<IssuedToken> Fetch() = 0;
};

// IssueServiceToken for `service` ("analytics") with `secret`, over `channel` to the auth
// service, with a 5 s deadline.
std::unique_ptr<ServiceTokenFetcher> AuthServiceTokenFetcher(std::shared_ptr<grpc::Channel> channel,
                                                             std::string_view service,
                                                             std::string secret);

struct ServiceTokenOptions {
  // The share of a token's lifetime after which the next one is fetched.
  double refresh_after = 0.5;
  // A token is not handed out in its last `expiry_margin`: it must still be valid when the
  // callee (and its clock) looks at it.
  absl::Duration expiry_margin = absl::Seconds(30);
  // After a failed fetch, no other is tried for `min_backoff`, doubling per failure up to
  // `max_backoff`.
  absl::Duration min_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Seconds(30);
};

// One service's token, shared by every call the process makes as itself. Thread-safe.
class ServiceTokenSource final {
 public:
  explicit ServiceTokenSource(std::unique_ptr<ServiceTokenFetcher> fetcher,
                              const Clock& clock = Clock::Real(), ServiceTokenOptions options = {});

  // The cached token, or a new one. Blocks while fetching (callers off reactor threads
  // only: the credentials plugin is). While another caller fetches, a caller with a still
  // usable token gets it at once; one without waits for that fetch. With no usable token,
  // during the back-off after a failure: UNAVAILABLE (reason SERVICE_TOKEN_UNAVAILABLE)
  // without calling the auth service; otherwise the fetch's error.
  absl::StatusOr<std::string> Token() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  bool Usable(absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::unique_ptr<ServiceTokenFetcher> fetcher_;
  const Clock& clock_;
  const ServiceTokenOptions options_;

  absl::Mutex mu_;
  std::string token_ ABSL_GUARDED_BY(mu_);
  absl::Time expire_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time refresh_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  bool fetching_ ABSL_GUARDED_BY(mu_) = false;
  int failures_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time next_attempt_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
};

// Adds "authorization: Bearer <service token>" to each call. Blocking (IsBlocking), so
// gRPC calls GetMetadata on a thread of its own, never on a reactor thread.
class ServiceTokenPlugin final : public grpc::MetadataCredentialsPlugin {
 public:
  explicit ServiceTokenPlugin(std::shared_ptr<ServiceTokenSource> source)
      : source_(std::move(source)) {}
  bool IsBlocking() const override { return true; }
  const char* GetType() const override { return "crm-service-token"; }
  // UNAVAILABLE (the call fails, to be retried) when no token can be had.
  grpc::Status GetMetadata(grpc::string_ref service_url, grpc::string_ref method_name,
                           const grpc::AuthContext& channel_auth_context,
                           std::multimap<grpc::string, grpc::string>* metadata) override;

 private:
  std::shared_ptr<ServiceTokenSource> source_;
};

// Call credentials with the tokens of `source`, usable on the suite's plaintext in-cluster
// channels as well (a user's token travels the same way).
std::shared_ptr<grpc::CallCredentials> ServiceCallCredentials(
    std::shared_ptr<ServiceTokenSource> source);

// The same for this process: `service` is its name ("analytics"), the secret is
// --service_secret (options.service_secret), tokens come from the auth service over
// `auth_channel`. INVALID_ARGUMENT when the name is not one of the suite's services or the
// secret is missing or shorter than kMinServiceSecretBytes.
absl::StatusOr<std::shared_ptr<grpc::CallCredentials>> ServiceCallCredentials(
    const AuthClientOptions& options, std::string_view service,
    std::shared_ptr<grpc::Channel> auth_channel, const Clock& clock = Clock::Real());

}  // namespace crm::auth
