#include "services/gateway/admission.h"

#include <grpcpp/server_context.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/grpc/methods.h"
#include "libs/grpc/status.h"

namespace crm::gateway {
namespace {

constexpr size_t kForgetIdleAbove = 10000;
constexpr std::string_view kMethodNotInPolicy = "METHOD_NOT_IN_POLICY";  // auth::Policy::Check

}  // namespace

RateLimiter::RateLimiter(double per_second, double burst, Clock clock)
    : per_second_(per_second), burst_(std::max(1.0, burst)), clock_(std::move(clock)) {}

absl::Duration RateLimiter::Take(std::string_view key) {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  // At most one sweep a second: with many users active a sweep may free little.
  if (buckets_.size() > kForgetIdleAbove && now - last_sweep_ >= absl::Seconds(1)) {
    ForgetIdleLocked(now);
    last_sweep_ = now;
  }
  auto [it, inserted] = buckets_.try_emplace(std::string(key), Bucket{burst_, now});
  Bucket& bucket = it->second;
  if (!inserted) {
    const double elapsed = absl::ToDoubleSeconds(std::max(absl::ZeroDuration(), now - bucket.updated));
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return absl::ZeroDuration();
  }
  return absl::Seconds((1.0 - bucket.tokens) / per_second_);
}

void RateLimiter::ForgetIdleLocked(absl::Time now) {
  // A bucket that has refilled completely behaves exactly like a new one.
  absl::erase_if(buckets_, [&](const auto& entry) {
    const Bucket& b = entry.second;
    return b.tokens + absl::ToDoubleSeconds(now - b.updated) * per_second_ >= burst_;
  });
}

Admission::Admission(auth::TokenVerifier& verifier, const auth::Policy& policy,
                     RateLimiter* limiter, prometheus::Registry& registry)
    : authorizer_(verifier, policy, auth::Authorizer::Placement::kGateway),
      limiter_(limiter),
      rejected_(prometheus::BuildCounter()
                    .Name("crm_gateway_rejected_calls_total")
                    .Help("Calls the gateway refused before forwarding, by reason.")
                    .Register(registry)) {}

absl::Status Admission::Check(std::string_view method, std::string_view authorization) {
  return Admit(method, authorizer_.Authorize(authorization, method));
}

grpc::Status Admission::Check(const grpc::ServerContextBase& ctx, std::string_view method) {
  return ToGrpcStatus(Admit(method, authorizer_.Authorize(ctx, method)), "gateway.crm");
}

absl::Status Admission::Admit(std::string_view method,
                              const absl::StatusOr<auth::Principal>& principal) {
  if (!principal.ok()) {
    // The Authorizer consults the policy only once the token is verified, so this answer
    // goes to signed-in callers only: an anonymous one cannot probe which methods exist.
    // A method in neither the policy nor the descriptor pool exists nowhere; saying
    // PERMISSION_DENIED would send its caller looking for a missing permission.
    if (ErrorReason(principal.status()) == kMethodNotInPolicy && FindMethod(method) == nullptr) {
      return Reject(Error(absl::StatusCode::kUnimplemented, "METHOD_NOT_FOUND",
                          absl::StrCat("no service has the method ",
                                       absl::string_view(method.data(), method.size()))));
    }
    return Reject(principal.status());
  }
  // Public methods (Login, ...) have no caller to limit; auth throttles failed logins. A
  // service acting as itself is limited like a user, by its name.
  const std::string& caller = principal->ActingName();
  if (limiter_ == nullptr || caller.empty()) return absl::OkStatus();
  if (absl::Duration wait = limiter_->Take(caller); wait > absl::ZeroDuration()) {
    return Reject(WithRetryDelay(
        Error(absl::StatusCode::kResourceExhausted, "RATE_LIMITED",
              "too many calls from this caller; retry after the delay in RetryInfo"),
        wait));
  }
  return absl::OkStatus();
}

absl::Status Admission::Reject(absl::Status status) {
  std::string reason = ErrorReason(status);
  if (reason.empty()) reason = std::string(absl::StatusCodeToString(status.code()));
  rejected_.Add({{"reason", reason}}).Increment();
  return status;
}

}  // namespace crm::gateway
