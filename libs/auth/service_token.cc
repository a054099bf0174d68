#include "libs/auth/service_token.h"

#include <grpcpp/grpcpp.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "crm/auth/v1/auth.grpc.pb.h"
#include "libs/auth/principal.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "libs/grpc/trace.h"

namespace crm::auth {
namespace {

constexpr auto kIssueTimeout = std::chrono::seconds(5);

class AuthServiceFetcher final : public ServiceTokenFetcher {
 public:
  AuthServiceFetcher(std::shared_ptr<grpc::Channel> channel, std::string_view service,
                     std::string secret)
      : stub_(v1::AuthService::NewStub(std::move(channel))),
        service_(ServicePrincipal(service)),
        secret_(std::move(secret)) {}

  absl::StatusOr<IssuedToken> Fetch() override {
    v1::IssueServiceTokenRequest request;
    request.set_service(service_);
    request.set_secret(secret_);
    v1::ServiceToken response;
    grpc::ClientContext ctx;
    PropagateTrace(ctx);
    ctx.set_deadline(std::chrono::system_clock::now() + kIssueTimeout);
    if (grpc::Status st = stub_->IssueServiceToken(&ctx, request, &response); !st.ok()) {
      return FromGrpcStatus(st);
    }
    return IssuedToken{response.access_token(), FromTimestamp(response.expire_time())};
  }

 private:
  std::unique_ptr<v1::AuthService::Stub> stub_;
  const std::string service_;
  const std::string secret_;
};

}  // namespace

std::unique_ptr<ServiceTokenFetcher> AuthServiceTokenFetcher(std::shared_ptr<grpc::Channel> channel,
                                                             std::string_view service,
                                                             std::string secret) {
  return std::make_unique<AuthServiceFetcher>(std::move(channel), service, std::move(secret));
}

ServiceTokenSource::ServiceTokenSource(std::unique_ptr<ServiceTokenFetcher> fetcher,
                                       const Clock& clock, ServiceTokenOptions options)
    : fetcher_(std::move(fetcher)), clock_(clock), options_(options) {}

bool ServiceTokenSource::Usable(absl::Time now) const {
  return !token_.empty() && now < expire_ - options_.expiry_margin;
}

absl::StatusOr<std::string> ServiceTokenSource::Token() {
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_.Now();
    if (!token_.empty() && now < refresh_at_) return token_;
    if (fetching_) {
      if (Usable(now)) return token_;
      mu_.Await(absl::Condition(
          +[](bool* fetching) { return !*fetching; }, &fetching_));
      // That fetch's token, or the one in hand, or its error.
      if (!token_.empty() && (last_error_.ok() || Usable(clock_.Now()))) return token_;
      if (last_error_.ok()) return absl::InternalError("no service token after a fetch");
      return last_error_;
    }
    if (now < next_attempt_) {
      if (Usable(now)) return token_;
      return Error(
          absl::StatusCode::kUnavailable, "SERVICE_TOKEN_UNAVAILABLE",
          absl::StrCat("no service token yet; the last attempt failed: ", last_error_.message()));
    }
    fetching_ = true;
  }

  // Outside the lock: callers holding a usable token are not kept waiting.
  absl::StatusOr<IssuedToken> fetched = fetcher_->Fetch();

  absl::MutexLock lock(&mu_);
  fetching_ = false;
  const absl::Time now = clock_.Now();
  if (fetched.ok() && !fetched->access_token.empty()) {
    token_ = std::move(fetched->access_token);
    expire_ = fetched->expire_time;
    // At the share of the lifetime, before the margin, and never sooner than a back-off
    // step (a clock far from the auth service's must not turn into a fetch per call).
    refresh_at_ =
        std::min(now + (expire_ - now) * options_.refresh_after, expire_ - options_.expiry_margin);
    refresh_at_ = std::max(refresh_at_, now + options_.min_backoff);
    failures_ = 0;
    next_attempt_ = absl::InfinitePast();
    last_error_ = absl::OkStatus();
    return token_;
  }
  last_error_ = fetched.ok() ? absl::InternalError("the auth service returned an empty token")
                             : fetched.status();
  ++failures_;
  absl::Duration backoff = options_.min_backoff;
  for (int i = 1; i < failures_ && backoff < options_.max_backoff; ++i) backoff *= 2;
  next_attempt_ = now + std::min(backoff, options_.max_backoff);
  // The token in hand keeps serving until its margin.
  if (Usable(now)) return token_;
  return last_error_;
}

grpc::Status ServiceTokenPlugin::GetMetadata(grpc::string_ref, grpc::string_ref,
                                             const grpc::AuthContext&,
                                             std::multimap<grpc::string, grpc::string>* metadata) {
  absl::StatusOr<std::string> token = source_->Token();
  if (!token.ok()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        absl::StrCat("no service token: ", token.status().message()));
  }
  metadata->emplace("authorization", absl::StrCat("Bearer ", *token));
  return grpc::Status::OK;
}

std::shared_ptr<grpc::CallCredentials> ServiceCallCredentials(
    std::shared_ptr<ServiceTokenSource> source) {
  // The suite's in-cluster channels are plaintext; without GRPC_SECURITY_NONE gRPC would
  // refuse to send call credentials over them.
  return grpc::experimental::MetadataCredentialsFromPlugin(
      std::make_unique<ServiceTokenPlugin>(std::move(source)), GRPC_SECURITY_NONE);
}

absl::StatusOr<std::shared_ptr<grpc::CallCredentials>> ServiceCallCredentials(
    const AuthClientOptions& options, std::string_view service,
    std::shared_ptr<grpc::Channel> auth_channel, const Clock& clock) {
  if (!IsKnownService(service)) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", std::string(service), "\" is not one of the suite's services"));
  }
  if (options.service_secret.size() < kMinServiceSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--service_secret (CRM_SERVICE_SECRET) must be set to at least ", kMinServiceSecretBytes,
        " bytes for ", std::string(service), " to call other services as itself"));
  }
  return ServiceCallCredentials(std::make_shared<ServiceTokenSource>(
      AuthServiceTokenFetcher(std::move(auth_channel), service, options.service_secret), clock));
}

}  // namespace crm::auth
