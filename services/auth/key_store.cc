#include "services/auth/key_store.h"

#include "absl/strings/str_cat.h"
#include "libs/auth/token.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "services/auth/audit_store.h"

namespace crm::auth_service {
namespace sql {

constexpr char kSelectPublishedKeys[] = "SELECT " CRM_AUTH_KEY_COLUMNS
                                        " FROM signing_keys WHERE retired = 0 "
                                        "ORDER BY sequence DESC LIMIT 2";
constexpr char kSelectCurrentKeySequenceForUpdate[] =
    "SELECT sequence FROM signing_keys WHERE retired = 0 ORDER BY sequence DESC LIMIT 1 "
    "FOR UPDATE";
constexpr char kRetireKeysBefore[] =
    "UPDATE signing_keys SET retired = 1 WHERE retired = 0 AND sequence < ?";
constexpr char kInsertKey[] =
    "INSERT INTO signing_keys (" CRM_AUTH_KEY_COLUMNS ") VALUES (?, ?, ?, ?)";

}  // namespace sql

absl::StatusOr<std::vector<StoredKey>> KeyStore::PublishedKeys() {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kSelectPublishedKeys, {}));
  std::vector<StoredKey> keys;
  for (const auto& row : rows) keys.push_back(KeyFromRow(row));
  return keys;
}

absl::Status KeyStore::InsertKey(const StoredKey& key) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return session
      ->Execute(sql::kInsertKey,
                {key.kid, key.encrypted_pem, key.public_pem, db::FormatDateTime(key.create_time)})
      .status();
}

absl::Status KeyStore::RotateKey(const StoredKey& key, const Actor& actor,
                                 const db::IdempotencyKey& idem, v1::PublicKey* response) {
  return db::InIdempotentTransaction(pool_, [&](db::Transaction& tx) -> absl::Status {
    CRM_ASSIGN_OR_RETURN(bool replayed, db::Replay(tx, idem, response));
    if (replayed) return absl::OkStatus();
    // Locks the current key's row: rotations run one at a time.
    CRM_ASSIGN_OR_RETURN(db::Rows current, tx.Query(sql::kSelectCurrentKeySequenceForUpdate, {}));
    if (!current.empty()) {
      // The current key becomes the previous one; anything older stops verifying.
      CRM_RETURN_IF_ERROR(tx.Execute(sql::kRetireKeysBefore, {current[0].Int(0)}).status());
    }
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kInsertKey, {key.kid, key.encrypted_pem, key.public_pem,
                                                     db::FormatDateTime(key.create_time)})
                            .status());
    CRM_RETURN_IF_ERROR(AppendAudit(tx,
                                    {.action = v1::SIGNING_KEY_ROTATED,
                                     .actor_id = actor.user_id,
                                     .peer = actor.peer,
                                     .detail = absl::StrCat("new signing key ", key.kid)},
                                    clock_.Now()));
    response->Clear();
    response->set_kid(key.kid);
    response->set_algorithm(std::string(auth::kAlgorithm));
    response->set_public_key_pem(key.public_pem);
    *response->mutable_create_time() = ToTimestamp(key.create_time);
    response->set_current(true);
    return db::RecordResult(tx, idem, response->SerializeAsString());
  });
}

}  // namespace crm::auth_service
