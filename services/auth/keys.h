// The material that signs and verifies access tokens, read from the auth service's own
// database: the signing key ring and the in-process verification source that lets this
// service check tokens on its own RPCs exactly as every other service does.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "crm/auth/v1/auth.pb.h"
#include "libs/auth/token.h"
#include "libs/auth/verifier.h"
#include "libs/base/clock.h"
#include "libs/db/idempotency.h"
#include "services/auth/key_store.h"
#include "services/auth/session_store.h"

namespace crm::auth_service {

// The newest non-retired key in the database signs, once it is `activation_delay` old: a
// new key is published by GetPublicKeys at once but signs only after every verifier has had
// the time to fetch it (they refetch at most every 2 s), so no token ever names a key its
// verifier cannot have. Until then the previous key signs. Replicas share the keys through
// the database; each reloads at most every `reload_interval`, so a rotation made on another
// replica takes over within that time (the previous key still verifies meanwhile).
// Private keys are stored encrypted under `passphrase` and decrypted only in memory.
// Thread-safe.
class KeyRing final {
 public:
  KeyRing(KeyStore& store, const Clock& clock, std::string passphrase,
          absl::Duration reload_interval = absl::Seconds(10),
          absl::Duration activation_delay = absl::Seconds(5))
      : store_(store),
        clock_(clock),
        passphrase_(std::move(passphrase)),
        reload_interval_(reload_interval),
        activation_delay_(activation_delay) {}

  // At start-up, under the start-up lock: creates the first key when there is none, then
  // loads the current one. Fails when the stored key cannot be decrypted with the
  // passphrase (wrong passphrase: the process must not start).
  absl::Status Initialize();

  // The key to sign with now. When a reload fails, the key in hand keeps signing.
  absl::StatusOr<std::shared_ptr<const auth::SigningKey>> Current();

  // Generates a key and makes it current (see KeyStore::RotateKey), then signs with it.
  absl::StatusOr<v1::PublicKey> Rotate(const Actor& actor, const db::IdempotencyKey& key);

  // The newest two public keys, newest first; `current` marks the one that signs.
  absl::StatusOr<std::vector<v1::PublicKey>> Published();

 private:
  // Reads the keys and installs the one to sign with (decrypting it when it changed).
  absl::Status Reload() ABSL_LOCKS_EXCLUDED(mu_);

  KeyStore& store_;
  const Clock& clock_;
  const std::string passphrase_;
  const absl::Duration reload_interval_;
  const absl::Duration activation_delay_;
  absl::Mutex mu_;
  std::shared_ptr<const auth::SigningKey> current_ ABSL_GUARDED_BY(mu_);
  absl::Time next_reload_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

// ListRevokedSessions' answer: revocations after `after_sequence` (0: every one not yet
// expired), at most `limit`, cut before a gap in the sequence that may still fill. The
// sequence is AUTO_INCREMENT, so a verifier could otherwise see 7 while 6 is uncommitted,
// move its cursor past 6 and never learn of that revocation (the rule of
// libs/events/feed.h, DeliverablePrefix).
absl::StatusOr<std::vector<v1::RevokedSession>> RevocationsAfter(
    SessionStore& sessions, const Clock& clock, int64_t after_sequence, int limit,
    absl::Duration gap_grace = absl::Seconds(2));

// Keys and revocations straight from the database, for this service's own TokenVerifier.
class StoreVerificationSource final : public auth::VerificationSource {
 public:
  StoreVerificationSource(SessionStore& sessions, KeyRing& keys, const Clock& clock)
      : sessions_(sessions), keys_(keys), clock_(clock) {}
  absl::StatusOr<std::vector<v1::PublicKey>> FetchKeys() override { return keys_.Published(); }
  absl::StatusOr<std::vector<v1::RevokedSession>> FetchRevocations(
      int64_t after_sequence) override {
    return RevocationsAfter(sessions_, clock_, after_sequence, 1000);
  }

 private:
  SessionStore& sessions_;
  KeyRing& keys_;
  const Clock& clock_;
};

}  // namespace crm::auth_service
