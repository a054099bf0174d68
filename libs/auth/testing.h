// Test doubles for anything that verifies tokens or applies record rules, shared by the
// libraries' and the services' tests: principals and callers built directly (as a verified
// token would describe them), a key source that serves keys and revocations from memory, a
// signer that makes real tokens for those keys, and a user directory held in memory.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/auth/caller.h"
#include "libs/auth/directory.h"
#include "libs/auth/token.h"
#include "libs/auth/verifier.h"

namespace crm::auth::testing {

// users/<id>, signed in as "user<id>", with session "session-<id>".
Principal MakePrincipal(int64_t user_id, Role role, std::string team = "",
                        std::vector<std::string> managed_teams = {});
// The same principal as a caller whose token is "Bearer token-of-<id>".
Caller MakeCaller(int64_t user_id, Role role, std::string team = "",
                  std::vector<std::string> managed_teams = {});

// Serves keys and revocations from memory, as the auth service would. Thread-safe.
class FakeKeySource final : public VerificationSource {
 public:
  FakeKeySource() = default;
  explicit FakeKeySource(std::vector<v1::PublicKey> keys) : keys_(std::move(keys)) {}

  absl::StatusOr<std::vector<v1::PublicKey>> FetchKeys() override;
  absl::StatusOr<std::vector<v1::RevokedSession>> FetchRevocations(
      int64_t after_sequence) override;

  void ServeKey(const SigningKey& key);
  // Serves `key` alone, as after a rotation that retired every other key.
  void ServeOnly(const SigningKey& key);
  void Revoke(std::string session_id, absl::Time expires);
  // While false, every fetch fails with UNAVAILABLE, as when the auth service is down.
  void SetReachable(bool reachable);
  // Key fetches from now on wait for `gate` (set before the verifier runs);
  // fetch_started() is notified when the first one is waiting.
  void BlockFetchesOn(absl::Notification* gate) { block_fetch_ = gate; }
  absl::Notification& fetch_started() { return fetch_started_; }

  int key_fetches() const;
  // The after_sequence of every revocation fetch so far.
  std::vector<int64_t> revocation_cursors() const;

 private:
  absl::Notification* block_fetch_ = nullptr;
  absl::Notification fetch_started_;
  mutable absl::Mutex mu_;
  bool reachable_ ABSL_GUARDED_BY(mu_) = true;
  std::vector<v1::PublicKey> keys_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::RevokedSession> revoked_ ABSL_GUARDED_BY(mu_);
  int key_fetches_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<int64_t> cursors_ ABSL_GUARDED_BY(mu_);
};

// The published form of a key, as GetPublicKeys serves it.
v1::PublicKey PublicKeyOf(const SigningKey& key, bool current = true);

// A signing key and a verifier that trusts it: real tokens for tests of an RPC edge.
class TestSigner final {
 public:
  TestSigner();
  // "Bearer <token>" for `principal`, valid for `ttl` from now.
  std::string Bearer(const Principal& principal, absl::Duration ttl = absl::Minutes(5)) const;
  const SigningKey& key() const { return key_; }
  TokenVerifier& verifier() { return *verifier_; }

 private:
  SigningKey key_;
  std::unique_ptr<TokenVerifier> verifier_;
};

// Users held in memory, answering as the auth service does. Lookups the test marks hidden
// answer NOT_FOUND, as for users outside the caller's teams. Records every lookup.
// Thread-safe.
class FakeUserDirectory final : public UserDirectory {
 public:
  void Add(int64_t id, Role role, std::string team, bool active = true);
  void Hide(const std::string& name);
  // Every lookup fails with `status` (OK again to stop).
  void FailWith(absl::Status status);
  // Moves a user to another team (as an admin's UpdateUser would).
  void MoveTo(const std::string& name, std::string team);
  // Makes `manager` ("users/{id}", "" for none) the manager of `team`.
  void SetManager(const std::string& team, std::string manager);

  absl::StatusOr<v1::User> GetUser(std::string_view name, std::string_view authorization) override;
  // Active users whose team is `team`, as the auth service's ListUsers answers a manager.
  absl::StatusOr<std::vector<std::string>> ActiveMembers(std::string_view team,
                                                         std::string_view authorization) override;
  // The manager SetManager gave `team`; NOT_FOUND (TEAM_NOT_FOUND) for a team nobody is in
  // and nobody manages.
  absl::StatusOr<std::string> TeamManager(std::string_view team,
                                          std::string_view authorization) override;

  // (name or team, authorization) of every lookup so far.
  std::vector<std::pair<std::string, std::string>> lookups() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, v1::User> users_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> managers_ ABSL_GUARDED_BY(mu_);  // team → manager
  std::vector<std::string> hidden_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<std::string, std::string>> lookups_ ABSL_GUARDED_BY(mu_);
};

}  // namespace crm::auth::testing
