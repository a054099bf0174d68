// SQL for the token signing keys: the published (non-retired) keys, the first key, and a
// rotation with its audit row and idempotency record in one transaction. Private keys are
// stored only encrypted (KeyRing encrypts and decrypts).
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"
#include "services/auth/rows.h"

namespace crm::auth_service {

class KeyStore final {
 public:
  KeyStore(db::Pool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

  // The newest two non-retired keys, newest first.
  absl::StatusOr<std::vector<StoredKey>> PublishedKeys();
  // Inserts the first key (start-up, under the start-up lock).
  absl::Status InsertKey(const StoredKey& key);
  // Makes `key` current, retires every key older than the previous current one and writes
  // SIGNING_KEY_ROTATED; `response` is stored for replays and filled with the stored one.
  absl::Status RotateKey(const StoredKey& key, const Actor& actor, const db::IdempotencyKey& idem,
                         v1::PublicKey* response);

 private:
  db::Pool& pool_;
  const Clock& clock_;
};

}  // namespace crm::auth_service
