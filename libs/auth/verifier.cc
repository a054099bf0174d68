// TokenVerifier and Authorizer (verifier.h): the keys and revoked sessions fetched from the
// auth service, a cache of verified tokens, and the policy check every call goes through.
#include "libs/auth/verifier.h"

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <optional>
#include <utility>

#include "libs/grpc/status.h"
#include "libs/grpc/trace.h"
#include "libs/log/log.h"

namespace crm::auth {
namespace {

// ListRevokedSessions pages; a full page means there may be more.
constexpr int kRevocationPageSize = 1000;
// Bounds one refresh (a million revocations) so a misbehaving source cannot spin us.
constexpr int kMaxRevocationPages = 1000;
// Keys are also refetched on this period, so keys the auth service retired are dropped.
constexpr absl::Duration kKeyRefreshPeriod = absl::Minutes(5);
// A revocation without an expire_time is kept this long (longer than any access token).
constexpr absl::Duration kDefaultRevocationLifetime = absl::Hours(24);
constexpr auto kAuthCallTimeout = std::chrono::seconds(2);

absl::Status AuthUnavailable(std::string_view what, const absl::Status& cause) {
  return Error(absl::StatusCode::kUnavailable, "AUTH_UNAVAILABLE",
               std::string(what) + ": " + std::string(cause.message()));
}

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

class AuthServiceSourceImpl final : public VerificationSource {
 public:
  explicit AuthServiceSourceImpl(std::shared_ptr<grpc::Channel> channel)
      : stub_(v1::AuthService::NewStub(std::move(channel))) {}

  absl::StatusOr<std::vector<v1::PublicKey>> FetchKeys() override {
    grpc::ClientContext ctx;
    PropagateTrace(ctx);
    ctx.set_deadline(std::chrono::system_clock::now() + kAuthCallTimeout);
    v1::GetPublicKeysResponse response;
    grpc::Status status = stub_->GetPublicKeys(&ctx, v1::GetPublicKeysRequest(), &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return std::vector<v1::PublicKey>(response.keys().begin(), response.keys().end());
  }

  absl::StatusOr<std::vector<v1::RevokedSession>> FetchRevocations(
      int64_t after_sequence) override {
    grpc::ClientContext ctx;
    PropagateTrace(ctx);
    ctx.set_deadline(std::chrono::system_clock::now() + kAuthCallTimeout);
    v1::ListRevokedSessionsRequest request;
    request.set_after_sequence(after_sequence);
    request.set_page_size(kRevocationPageSize);
    v1::ListRevokedSessionsResponse response;
    grpc::Status status = stub_->ListRevokedSessions(&ctx, request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return std::vector<v1::RevokedSession>(response.sessions().begin(), response.sessions().end());
  }

 private:
  std::unique_ptr<v1::AuthService::Stub> stub_;
};

}  // namespace

std::unique_ptr<VerificationSource> AuthServiceSource(std::shared_ptr<grpc::Channel> channel) {
  return std::make_unique<AuthServiceSourceImpl>(std::move(channel));
}

// ---------------------------------------------------------------------------------------
// TokenVerifier

TokenVerifier::TokenVerifier(std::unique_ptr<VerificationSource> source, VerifierOptions options)
    : source_(std::move(source)), options_(options) {}

TokenVerifier::~TokenVerifier() {
  stop_.Notify();
  if (poller_.joinable()) poller_.join();
}

absl::Status TokenVerifier::Start() {
  if (started_.exchange(true)) return absl::FailedPreconditionError("verifier already started");
  absl::Status keys = RefreshKeys(/*force=*/true);
  absl::Status revocations = RefreshRevocations();
  poller_ = std::thread([this] { PollLoop(); });
  return keys.ok() ? revocations : keys;
}

void TokenVerifier::PollLoop() {
  absl::Time next_key_refresh = absl::Now() + kKeyRefreshPeriod;
  bool healthy = true;
  while (!stop_.WaitForNotificationWithTimeout(options_.revocation_poll)) {
    absl::Status status = RefreshRevocations();
    if (status.ok() && absl::Now() >= next_key_refresh) {
      status = RefreshKeys(/*force=*/true);
      next_key_refresh = absl::Now() + kKeyRefreshPeriod;
    }
    // Log changes of state only, not every failed poll.
    if (!status.ok() && healthy) {
      log::Warn("cannot refresh token verification data from the auth service",
                {{"error", std::string_view(status.message().data(), status.message().size())}});
    } else if (status.ok() && !healthy) {
      log::Info("token verification data is current again");
    }
    healthy = status.ok();
  }
}

absl::Status TokenVerifier::RefreshKeys(bool force) {
  // A caller that meets an unknown kid while another fetch runs does not wait for it: it
  // runs on a gRPC callback thread, and tokens with made-up kids must not be able to park
  // those threads behind a slow auth service. It is told to retry instead.
  if (force) {
    fetch_mu_.Lock();
  } else if (!fetch_mu_.TryLock()) {
    return Error(absl::StatusCode::kUnavailable, "AUTH_UNAVAILABLE",
                 "the token signing keys are being fetched; retry");
  }
  struct Unlock {
    absl::Mutex& mu;
    ~Unlock() { mu.Unlock(); }
  } unlock{fetch_mu_};
  {
    absl::MutexLock lock(&keys_mu_);
    const absl::Time now = absl::Now();
    if (!force && now - last_key_fetch_ < options_.refetch_interval) {
      return last_key_fetch_status_;
    }
    last_key_fetch_ = now;
  }

  absl::StatusOr<std::vector<v1::PublicKey>> fetched = source_->FetchKeys();
  absl::Status status;
  PublicKeySet fresh;
  std::vector<std::string> fresh_ids;
  if (!fetched.ok()) {
    status = AuthUnavailable("cannot fetch the token signing keys", fetched.status());
  } else {
    for (const v1::PublicKey& key : *fetched) {
      if (key.algorithm() != kAlgorithm) continue;  // a verifier that cannot use it ignores it
      if (fresh.Add(key.kid(), key.public_key_pem()).ok()) fresh_ids.push_back(key.kid());
    }
    if (fresh.size() == 0 && !fetched->empty()) {
      status = AuthUnavailable("the auth service served no usable signing key",
                               absl::InvalidArgumentError("keys are not Ed25519 PEM"));
    }
  }

  bool key_removed = false;
  {
    absl::MutexLock lock(&keys_mu_);
    last_key_fetch_status_ = status;
    if (status.ok()) {
      for (const std::string& kid : key_ids_) {
        if (std::find(fresh_ids.begin(), fresh_ids.end(), kid) == fresh_ids.end()) {
          key_removed = true;
        }
      }
      keys_ = std::move(fresh);
      key_ids_ = std::move(fresh_ids);
    }
  }
  // A retired key must stop verifying at once, including tokens verified before.
  if (key_removed) {
    absl::MutexLock lock(&cache_mu_);
    cache_.clear();
  }
  return status;
}

absl::Status TokenVerifier::RefreshRevocations() {
  int64_t cursor;
  {
    absl::MutexLock lock(&revoked_mu_);
    cursor = revocation_cursor_;
  }
  std::vector<v1::RevokedSession> sessions;
  absl::Status status;
  for (int page = 0; page < kMaxRevocationPages; ++page) {
    absl::StatusOr<std::vector<v1::RevokedSession>> fetched = source_->FetchRevocations(cursor);
    if (!fetched.ok()) {
      status = AuthUnavailable("cannot fetch revoked sessions", fetched.status());
      break;
    }
    int64_t highest = cursor;
    for (v1::RevokedSession& session : *fetched) {
      highest = std::max(highest, session.sequence());
      sessions.push_back(std::move(session));
    }
    if (fetched->size() < static_cast<size_t>(kRevocationPageSize) || highest == cursor) break;
    cursor = highest;
  }

  // What was fetched before a failure is still applied.
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&revoked_mu_);
  for (const v1::RevokedSession& session : sessions) {
    revocation_cursor_ = std::max(revocation_cursor_, session.sequence());
    if (session.session_id().empty()) continue;
    const absl::Time expires = session.has_expire_time() ? ToTime(session.expire_time())
                                                         : now + kDefaultRevocationLifetime;
    auto [it, inserted] = revoked_.try_emplace(session.session_id(), expires);
    if (!inserted) it->second = std::max(it->second, expires);
  }
  // Tokens stay valid for `leeway` after exp, so their revocations are kept as long.
  absl::erase_if(revoked_,
                 [&](const auto& entry) { return entry.second + options_.leeway <= now; });
  return status;
}

bool TokenVerifier::IsRevoked(std::string_view session_id) const {
  if (session_id.empty()) return false;
  absl::MutexLock lock(&revoked_mu_);
  auto it = revoked_.find(absl::string_view(session_id.data(), session_id.size()));
  return it != revoked_.end() && it->second + options_.leeway > absl::Now();
}

absl::StatusOr<Principal> TokenVerifier::Verify(std::string_view token) {
  if (token.empty()) {
    return Error(absl::StatusCode::kUnauthenticated, "TOKEN_MISSING", "no access token");
  }
  const absl::Time now = absl::Now();
  std::optional<Principal> principal;
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = cache_.find(absl::string_view(token.data(), token.size()));
    if (it != cache_.end()) {
      if (it->second.expires > now - options_.leeway) {
        principal = it->second;
      } else {
        cache_.erase(it);
      }
    }
  }

  if (!principal) {
    auto verify = [&]() -> absl::StatusOr<Principal> {
      absl::ReaderMutexLock lock(&keys_mu_);
      return keys_.Verify(token, now, options_.leeway);
    };
    absl::StatusOr<Principal> verified = verify();
    if (!verified.ok() && ErrorReason(verified.status()) == "TOKEN_UNKNOWN_KEY") {
      // Perhaps the auth service rotated keys since we last asked (rate-limited).
      absl::Status fetched = RefreshKeys(/*force=*/false);
      verified = verify();
      // Unverifiable because auth is unreachable is not the caller's fault.
      if (!verified.ok() && ErrorReason(verified.status()) == "TOKEN_UNKNOWN_KEY" &&
          !fetched.ok()) {
        return fetched;
      }
    }
    if (!verified.ok()) return verified.status();
    principal = *std::move(verified);

    absl::MutexLock lock(&cache_mu_);
    if (cache_.size() >= options_.max_cached_tokens) cache_.clear();
    cache_.emplace(std::string(token), *principal);
  }

  if (IsRevoked(principal->session_id)) {
    return Error(absl::StatusCode::kUnauthenticated, "TOKEN_REVOKED",
                 "the session of this token has been revoked");
  }
  return *std::move(principal);
}

// ---------------------------------------------------------------------------------------
// Authorizer

std::string_view BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return {};
  }
  std::string_view rest = authorization.substr(kScheme.size());
  if (rest.front() != ' ') return {};
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  // A token (b64token, RFC 6750) has no whitespace inside.
  if (rest.find_first_of(" \t\r\n") != std::string_view::npos) return {};
  return rest;
}

absl::StatusOr<Principal> Authorizer::Authorize(const grpc::ServerContextBase& ctx,
                                                std::string_view method) const {
  if (IsPublic(method)) return Principal{};
  const auto& metadata = ctx.client_metadata();
  auto [begin, end] = metadata.equal_range(grpc::string_ref("authorization"));
  if (begin == end) return Authorize(std::string_view(), method);
  if (std::next(begin) != end) {
    return Error(absl::StatusCode::kUnauthenticated, "TOKEN_MALFORMED",
                 "more than one authorization header");
  }
  return Authorize(std::string_view(begin->second.data(), begin->second.size()), method);
}

absl::StatusOr<Principal> Authorizer::Authorize(std::string_view authorization,
                                                std::string_view method) const {
  if (IsPublic(method)) return Principal{};
  if (authorization.empty()) {
    return Error(absl::StatusCode::kUnauthenticated, "TOKEN_MISSING",
                 "no access token: send the metadata authorization: Bearer <access_token>");
  }
  std::string_view token = BearerToken(authorization);
  if (token.empty()) {
    return Error(absl::StatusCode::kUnauthenticated, "TOKEN_MALFORMED",
                 "the authorization metadata is not \"Bearer <access_token>\"");
  }
  CRM_ASSIGN_OR_RETURN(Principal principal, verifier_.Verify(token));
  CRM_RETURN_IF_ERROR(policy_.Check(principal, method));
  return principal;
}

}  // namespace crm::auth
