#include "services/auth/keys.h"

#include <algorithm>
#include <optional>

#include "libs/base/time.h"
#include "libs/events/feed.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"

namespace crm::auth_service {
namespace {

absl::StatusOr<StoredKey> NewStoredKey(const auth::SigningKey& key, std::string_view passphrase,
                                       absl::Time now) {
  CRM_ASSIGN_OR_RETURN(std::string encrypted, key.EncryptedPem(passphrase));
  return StoredKey{.kid = key.kid(),
                   .encrypted_pem = std::move(encrypted),
                   .public_pem = key.PublicPem(),
                   .create_time = now};
}

// Which of the published keys (newest first) signs now: the newest once it is old enough,
// else the one before it (a lone key signs at once).
size_t SigningIndex(const std::vector<StoredKey>& keys, absl::Time now, absl::Duration delay) {
  if (keys.size() < 2 || now - keys[0].create_time >= delay) return 0;
  return 1;
}

}  // namespace

absl::Status KeyRing::Initialize() {
  CRM_ASSIGN_OR_RETURN(std::vector<StoredKey> existing, store_.PublishedKeys());
  if (existing.empty()) {
    CRM_ASSIGN_OR_RETURN(auth::SigningKey key, auth::SigningKey::Generate());
    CRM_ASSIGN_OR_RETURN(StoredKey stored, NewStoredKey(key, passphrase_, clock_.Now()));
    absl::Status inserted = store_.InsertKey(stored);
    // A replica that started without the start-up lock's protection may have won; its key
    // is as good as ours.
    if (!inserted.ok() && inserted.code() != absl::StatusCode::kAlreadyExists) return inserted;
    log::Info("created the first signing key", {{"kid", stored.kid}});
  }
  return Reload();
}

absl::Status KeyRing::Reload() {
  // Database reads and scrypt happen without the lock: signing goes on with the key in
  // hand meanwhile.
  std::shared_ptr<const auth::SigningKey> in_hand;
  {
    absl::MutexLock lock(&mu_);
    in_hand = current_;
  }
  CRM_ASSIGN_OR_RETURN(std::vector<StoredKey> published, store_.PublishedKeys());
  if (published.empty()) {
    return Error(absl::StatusCode::kFailedPrecondition, "NO_SIGNING_KEY",
                 "the database holds no signing key");
  }
  const absl::Time now = clock_.Now();
  const StoredKey& stored = published[SigningIndex(published, now, activation_delay_)];
  std::shared_ptr<const auth::SigningKey> signing = in_hand;
  if (signing == nullptr || signing->kid() != stored.kid) {
    absl::StatusOr<auth::SigningKey> key =
        auth::SigningKey::FromEncryptedPem(stored.encrypted_pem, passphrase_);
    if (!key.ok()) {
      return Error(absl::StatusCode::kFailedPrecondition, "SIGNING_KEY_UNREADABLE",
                   "the current signing key cannot be decrypted: is --signing_key_passphrase "
                   "the one it was stored with?");
    }
    if (key->kid() != stored.kid) {
      return Error(absl::StatusCode::kFailedPrecondition, "SIGNING_KEY_UNREADABLE",
                   "the stored signing key does not match its kid");
    }
    signing = std::make_shared<const auth::SigningKey>(std::move(*key));
  }
  // A key waiting to sign takes over at its activation time, not a reload interval later.
  absl::Time next = now + reload_interval_;
  if (published[0].kid != stored.kid) {
    next = std::min(next, published[0].create_time + activation_delay_);
  }
  absl::MutexLock lock(&mu_);
  current_ = std::move(signing);
  next_reload_ = next;
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const auth::SigningKey>> KeyRing::Current() {
  std::shared_ptr<const auth::SigningKey> in_hand;
  {
    absl::MutexLock lock(&mu_);
    in_hand = current_;
    const absl::Time now = clock_.Now();
    if (in_hand != nullptr && now < next_reload_) return in_hand;
    // This caller reloads; the others sign with the key in hand until it is done, and a
    // failed reload is tried again an interval later, not on every call.
    if (in_hand != nullptr) next_reload_ = now + reload_interval_;
  }
  if (absl::Status reloaded = Reload(); !reloaded.ok()) {
    if (in_hand == nullptr) return reloaded;
    log::Warn("keeping the signing key in hand: reload failed", {{"error", reloaded.ToString()}});
    return in_hand;
  }
  absl::MutexLock lock(&mu_);
  return current_;
}

absl::StatusOr<v1::PublicKey> KeyRing::Rotate(const Actor& actor, const db::IdempotencyKey& idem) {
  CRM_ASSIGN_OR_RETURN(auth::SigningKey key, auth::SigningKey::Generate());
  CRM_ASSIGN_OR_RETURN(StoredKey stored, NewStoredKey(key, passphrase_, clock_.Now()));
  v1::PublicKey response;
  CRM_RETURN_IF_ERROR(store_.RotateKey(stored, actor, idem, &response));
  CRM_RETURN_IF_ERROR(Reload());
  return response;
}

absl::StatusOr<std::vector<v1::PublicKey>> KeyRing::Published() {
  CRM_ASSIGN_OR_RETURN(std::vector<StoredKey> stored, store_.PublishedKeys());
  std::vector<v1::PublicKey> keys;
  const size_t signing = SigningIndex(stored, clock_.Now(), activation_delay_);
  for (size_t i = 0; i < stored.size(); ++i) {
    v1::PublicKey& key = keys.emplace_back();
    key.set_kid(stored[i].kid);
    key.set_algorithm(std::string(auth::kAlgorithm));
    key.set_public_key_pem(stored[i].public_pem);
    *key.mutable_create_time() = ToTimestamp(stored[i].create_time);
    key.set_current(i == signing);
  }
  return keys;
}

absl::StatusOr<std::vector<v1::RevokedSession>> RevocationsAfter(SessionStore& sessions,
                                                                 const Clock& clock,
                                                                 int64_t after_sequence, int limit,
                                                                 absl::Duration gap_grace) {
  CRM_ASSIGN_OR_RETURN(std::vector<SessionStore::Revocation> rows,
                       sessions.ListRevocations(after_sequence, limit));
  std::vector<v1::RevokedSession> out;
  if (rows.empty()) return out;
  std::vector<events::FeedPosition> positions;
  positions.reserve(rows.size());
  for (const auto& r : rows) positions.push_back({r.sequence, r.revoke_time});
  // A first read starts at the oldest revocation still relevant: the expired ones before
  // it are not a gap.
  const int64_t cursor = after_sequence > 0 ? after_sequence : rows.front().sequence - 1;
  const size_t deliverable = events::DeliverablePrefix(cursor, positions, clock.Now(), gap_grace);
  for (size_t i = 0; i < deliverable; ++i) {
    v1::RevokedSession& s = out.emplace_back();
    s.set_session_id(rows[i].session_id);
    s.set_sequence(rows[i].sequence);
    *s.mutable_expire_time() = ToTimestamp(rows[i].expire_time);
  }
  return out;
}

}  // namespace crm::auth_service
