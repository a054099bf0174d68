// Idempotent calls: the first result of a call made with a request_id is stored in the
// caller's transaction, in the service's `idempotency_keys` table, and a retry with the
// same request_id replays it instead of acting twice.
//
//   CRM_ASSIGN_OR_RETURN(bool replayed, Replay(tx, key, &response));
//   if (replayed) return absl::OkStatus();
//   ... do the work, fill response ...
//   CRM_RETURN_IF_ERROR(RecordResult(tx, key, response.SerializeAsString()));
//
// Two concurrent first calls race on the primary key: the loser's insert fails with
// ALREADY_EXISTS when the winner commits; the caller runs its transaction again and
// finds the replay.
#pragma once

#include <google/protobuf/message.h>

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/db/db.h"

namespace crm::db {

// Statement texts (kRecordResultSql is shared with tools/loadgen's raw SQL ceiling).
inline constexpr char kFindReplaySql[] =
    "SELECT method, request_hash, response FROM idempotency_keys WHERE request_id = ?";
inline constexpr char kRecordResultSql[] =
    "INSERT INTO idempotency_keys (request_id, method, request_hash, response, create_time) "
    "VALUES (?, ?, ?, ?, ?)";

struct IdempotencyKey {
  std::string request_id;    // empty: the call is not idempotent, nothing is stored
  std::string method;        // e.g. "CreateCustomer"
  std::string request_hash;  // hex SHA-256 of the request without its request_id
};

// Hashes `request` (deterministically serialised) after clearing its `request_id` field.
// A non-empty `scope` (the caller, "users/7") is hashed in too, so a request_id another
// user sends (or learns) never replays this caller's result: it is REQUEST_ID_REUSED.
// (Scoped hash: SHA-256 of "<request hash>\n<scope>".)
IdempotencyKey KeyFor(std::string_view method, const google::protobuf::Message& request,
                      std::string_view scope = "");

// The stored response for this key, if the call was made before. ALREADY_EXISTS with
// reason REQUEST_ID_REUSED when the request_id was used for a different request.
absl::StatusOr<std::optional<std::string>> FindReplay(Session& tx, const IdempotencyKey& key);
// FindReplay, parsed into `response`: true when the call was made before.
absl::StatusOr<bool> Replay(Session& tx, const IdempotencyKey& key,
                            google::protobuf::Message* response);
absl::Status RecordResult(Session& tx, const IdempotencyKey& key, const std::string& response);

// Runs `body` (which starts with Replay and ends with RecordResult) in a transaction, and
// once more when it failed with ALREADY_EXISTS other than REQUEST_ID_REUSED: a concurrent
// first call with the same request_id may have committed first, and its idempotency row or
// the unique value it created stopped this run. The second run finds the replay, or
// reports the conflict for real.
absl::Status InIdempotentTransaction(Pool& pool,
                                     const std::function<absl::Status(Transaction&)>& body);

// The whole idempotent write in one call: in a transaction, replays the stored result of an
// earlier call with `key`, or runs `write(tx, result)` and stores what it put in `result`.
// Retried as InIdempotentTransaction says, so `write` must have no effect outside `tx`.
//
// A first call is by far the common case, so the write is tried first without looking for a
// stored result: the idempotency row it inserts at the end (a primary key on request_id) is
// what stops a retry whose first call committed, and the whole transaction then rolls back.
// That saves the lookup's round trip on every first call. When the optimistic attempt fails
// for any reason and the call has a request_id, the call runs again the careful way (lookup
// first), which replays an earlier result, reports REQUEST_ID_REUSED, or fails as the write
// itself fails: a retry of an update whose first call committed fails its etag check before
// it reaches the idempotency row, and must still get the first result, not that error. A
// failing idempotent write therefore runs twice; failures are the rare case.
//
//   return db::IdempotentWrite<v1::Customer>(pool_, key, [&](db::Transaction& tx,
//                                                            v1::Customer& created) { ... });
template <typename Response, typename Write>
absl::StatusOr<Response> IdempotentWrite(Pool& pool, const IdempotencyKey& key, Write&& write) {
  Response result;
  auto attempt = [&](bool look_up_first) {
    return [&, look_up_first](Transaction& tx) -> absl::Status {
      result.Clear();  // a retried transaction starts afresh
      if (look_up_first) {
        absl::StatusOr<bool> replayed = Replay(tx, key, &result);
        if (!replayed.ok()) return replayed.status();
        if (*replayed) return absl::OkStatus();
      }
      if (absl::Status written = write(tx, result); !written.ok()) return written;
      return RecordResult(tx, key, result.SerializeAsString());
    };
  };
  absl::Status status = pool.InTransaction(attempt(/*look_up_first=*/false));
  if (!status.ok() && !key.request_id.empty()) {
    status = InIdempotentTransaction(pool, attempt(/*look_up_first=*/true));
  }
  if (!status.ok()) return status;
  return result;
}

}  // namespace crm::db
