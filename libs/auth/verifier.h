// Local verification of access tokens, for the gateway and every service.
//
// TokenVerifier keeps the auth service's public keys (fetched at start-up, every few
// minutes so retired keys drop out, and again, at most once per `refetch_interval`, when a
// token names an unknown kid) and the set of revoked sessions (polled every
// `revocation_poll`; each entry is kept until the last access token of its session has
// expired). Verified tokens are cached by their text
// until they expire, so the signature is checked once per token, not once per call;
// revocation is still checked on every call.
//
// Authorizer adds the policy: it reads `authorization: Bearer <token>` from the call,
// verifies it and checks the method's row in the policy table.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "crm/auth/v1/auth.grpc.pb.h"
#include "libs/auth/policy.h"
#include "libs/auth/principal.h"
#include "libs/auth/token.h"

namespace grpc {
class Channel;
class ServerContextBase;
}  // namespace grpc

namespace crm::auth {

// Where keys and revocations come from: the auth service, or a fake in tests.
class VerificationSource {
 public:
  virtual ~VerificationSource() = default;
  virtual absl::StatusOr<std::vector<v1::PublicKey>> FetchKeys() = 0;
  virtual absl::StatusOr<std::vector<v1::RevokedSession>> FetchRevocations(
      int64_t after_sequence) = 0;
};

// Calls crm.auth.v1.AuthService GetPublicKeys / ListRevokedSessions over `channel`.
std::unique_ptr<VerificationSource> AuthServiceSource(std::shared_ptr<grpc::Channel> channel);

struct VerifierOptions {
  absl::Duration refetch_interval = absl::Seconds(2);
  absl::Duration revocation_poll = absl::Seconds(1);
  absl::Duration leeway = absl::Seconds(30);
  size_t max_cached_tokens = 100000;
};

class TokenVerifier final {
 public:
  TokenVerifier(std::unique_ptr<VerificationSource> source, VerifierOptions options = {});
  ~TokenVerifier();  // stops the poller

  // Fetches keys and revocations once, then starts the background poller. A failure to
  // reach the auth service is returned (callers decide whether to start anyway; Verify
  // fetches keys lazily).
  absl::Status Start();

  // UNAUTHENTICATED with a reason (see token.h, plus TOKEN_REVOKED and TOKEN_MISSING)
  // unless the token is valid now.
  absl::StatusOr<Principal> Verify(std::string_view token);

  // Polls revocations now (tests; the poller calls it too).
  absl::Status RefreshRevocations();
  bool IsRevoked(std::string_view session_id) const;

 private:
  absl::Status RefreshKeys(bool force);
  void PollLoop();

  std::unique_ptr<VerificationSource> source_;
  const VerifierOptions options_;

  // Serialises key fetches, so tokens that meet a new kid together wait for one fetch.
  absl::Mutex fetch_mu_ ABSL_ACQUIRED_BEFORE(keys_mu_);
  mutable absl::Mutex keys_mu_;
  PublicKeySet keys_ ABSL_GUARDED_BY(keys_mu_);
  absl::Time last_key_fetch_ ABSL_GUARDED_BY(keys_mu_) = absl::InfinitePast();
  absl::Status last_key_fetch_status_ ABSL_GUARDED_BY(keys_mu_);
  std::vector<std::string> key_ids_ ABSL_GUARDED_BY(keys_mu_);  // the kids in keys_

  mutable absl::Mutex revoked_mu_;
  absl::flat_hash_map<std::string, absl::Time> revoked_ ABSL_GUARDED_BY(revoked_mu_);
  int64_t revocation_cursor_ ABSL_GUARDED_BY(revoked_mu_) = 0;

  mutable absl::Mutex cache_mu_;
  absl::flat_hash_map<std::string, Principal> cache_ ABSL_GUARDED_BY(cache_mu_);

  absl::Notification stop_;
  std::atomic<bool> started_{false};
  std::thread poller_;
};

class Authorizer final {
 public:
  // Where the checks run: on the service that owns the method, or at the gateway in front
  // of it (where the kInternalPublic methods need a token too).
  enum class Placement { kService, kGateway };

  explicit Authorizer(TokenVerifier& verifier, const Policy& policy = Policy::Default(),
                      Placement placement = Placement::kService)
      : verifier_(verifier), policy_(policy), placement_(placement) {}

  // For methods public at this placement, returns an empty principal without looking at
  // the metadata. Otherwise UNAUTHENTICATED (bad, missing or repeated token) or
  // PERMISSION_DENIED.
  absl::StatusOr<Principal> Authorize(const grpc::ServerContextBase& ctx,
                                      std::string_view method) const;
  // The same from the metadata value ("Bearer <token>").
  absl::StatusOr<Principal> Authorize(std::string_view authorization,
                                      std::string_view method) const;

  const Policy& policy() const { return policy_; }

 private:
  bool IsPublic(std::string_view method) const {
    return placement_ == Placement::kGateway ? policy_.PublicAtGateway(method)
                                             : policy_.PublicAtService(method);
  }

  TokenVerifier& verifier_;
  const Policy& policy_;
  const Placement placement_;
};

// "Bearer <token>" → "<token>", or "" when the value is not a bearer credential.
std::string_view BearerToken(std::string_view authorization);

}  // namespace crm::auth
