// What the gateway checks before it forwards a call: a valid access token (verified locally
// against the auth service's cached public keys and revocation list), that the method exists,
// the method's row in the policy table, and a per-user rate limit. Login, RefreshToken, GetPublicKeys and the
// gateway's own health and reflection need no token (the last two never reach the proxy).
// The backends check the token and the policy again: the gateway is the first fence, not
// the only one.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/auth/policy.h"
#include "libs/auth/verifier.h"

namespace grpc {
class ServerContextBase;
class Status;
}  // namespace grpc

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
}  // namespace prometheus

namespace crm::gateway {

// A token bucket per key (the user): `per_second` calls on average, bursts up to `burst`.
// Thread-safe. Idle full buckets are forgotten so the table stays as small as the set of
// active users.
class RateLimiter final {
 public:
  using Clock = std::function<absl::Time()>;
  RateLimiter(double per_second, double burst, Clock clock = [] { return absl::Now(); });

  // Zero when the call may go ahead (a token was taken); otherwise how long until one is
  // available (nothing is taken).
  absl::Duration Take(std::string_view key);

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  void ForgetIdleLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const double per_second_;
  const double burst_;
  const Clock clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

class Admission final {
 public:
  // `limiter` may be null (no rate limit). Rejections are counted in
  // crm_gateway_rejected_calls_total{reason} in `registry`.
  Admission(auth::TokenVerifier& verifier, const auth::Policy& policy, RateLimiter* limiter,
            prometheus::Registry& registry);

  // OK, or, with google.rpc details (domain "gateway.crm"), in this order:
  //  - UNAUTHENTICATED (no, a bad or a revoked token) for every method that is not public,
  //    known or not, or UNAVAILABLE when the keys cannot be fetched;
  //  - UNIMPLEMENTED (reason METHOD_NOT_FOUND) for a method that is neither in the policy
  //    table nor in the descriptor pool (libs/grpc/methods.h): no service has it;
  //  - PERMISSION_DENIED: the caller's role is not allowed, or a known method is missing
  //    from the policy table (METHOD_NOT_IN_POLICY; policy_test keeps that from happening);
  //  - RESOURCE_EXHAUSTED (RATE_LIMITED, with RetryInfo).
  grpc::Status Check(const grpc::ServerContextBase& ctx, std::string_view method);
  // The same from the method and the authorization metadata value.
  absl::Status Check(std::string_view method, std::string_view authorization);

 private:
  // The rate limit for an authorized caller, or the refusal counted.
  absl::Status Admit(std::string_view method, const absl::StatusOr<auth::Principal>& principal);
  absl::Status Reject(absl::Status status);

  // The services' own Authorizer, placed at the gateway: the same token and policy checks.
  const auth::Authorizer authorizer_;
  RateLimiter* const limiter_;
  prometheus::Family<prometheus::Counter>& rejected_;
};

}  // namespace crm::gateway
