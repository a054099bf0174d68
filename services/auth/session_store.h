// SQL for sessions, their refresh tokens and their revocations. A session is created at
// login with its first refresh token; each refresh marks the token used and adds the next;
// a revocation ends the session and is listed (ListRevokedSessions) until its last access
// token has expired. Every write runs in one transaction with its audit rows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "services/auth/rows.h"

namespace crm::auth_service {

struct SessionStoreOptions {
  // How long a revoked session stays in ListRevokedSessions: the access token TTL plus
  // leeway, after which no access token of the session can be valid anyway.
  absl::Duration revocation_keep = absl::Seconds(900 + 60);
};

class SessionStore final {
 public:
  SessionStore(db::Pool& pool, const Clock& clock, SessionStoreOptions options)
      : pool_(pool), clock_(clock), options_(options) {}

  // Creates a session of `user_id` with its first refresh token (by hash) and writes
  // LOGIN_SUCCEEDED.
  absl::Status CreateSession(int64_t user_id, std::string_view username,
                             std::string_view session_id, std::string_view refresh_hash,
                             absl::Time refresh_expire, std::string_view peer);

  struct Refreshed {
    int64_t user_id = 0;
    std::string session_id;
  };
  // Exchanges the refresh token with hash `old_hash` for `new_hash` (expiring at
  // `new_expire`) and writes TOKEN_REFRESHED. UNAUTHENTICATED INVALID_REFRESH_TOKEN when
  // the token is unknown or expired, its session revoked or its user inactive;
  // UNAUTHENTICATED REFRESH_TOKEN_REUSED when it was used before, after the session's
  // revocation has been committed.
  absl::StatusOr<Refreshed> RotateRefreshToken(std::string_view old_hash, std::string_view new_hash,
                                               absl::Time new_expire, std::string_view peer);

  // Revokes one session (no-op when already revoked) and writes SESSION_REVOKED.
  absl::Status RevokeSession(std::string_view session_id, int64_t user_id, std::string_view reason,
                             const Actor& actor);

  struct Revocation {
    int64_t sequence = 0;
    std::string session_id;
    absl::Time revoke_time;
    absl::Time expire_time;
  };
  // Revocations after `after_sequence` (0: all that have not expired), in sequence order.
  absl::StatusOr<std::vector<Revocation>> ListRevocations(int64_t after_sequence, int limit);

  // Inside a caller's transaction (a change of a user or team that must end sessions with
  // it): revokes every live session of `user_id` except `keep_session` ("" for none).
  absl::Status RevokeUserSessions(db::Transaction& tx, int64_t user_id,
                                  std::string_view keep_session, std::string_view reason,
                                  const Actor& actor, absl::Time now);

 private:
  absl::Status Revoke(db::Transaction& tx, std::string_view session_id, int64_t user_id,
                      std::string_view reason, const Actor& actor, absl::Time now);

  db::Pool& pool_;
  const Clock& clock_;
  const SessionStoreOptions options_;
};

}  // namespace crm::auth_service
