#include "services/auth/session_store.h"

#include "libs/grpc/status.h"
#include "services/auth/audit_store.h"

namespace crm::auth_service {
namespace sql {

constexpr char kInsertSession[] =
    "INSERT INTO sessions (session_id, user_id, create_time, expire_time) VALUES (?, ?, ?, ?)";
constexpr char kInsertRefreshToken[] =
    "INSERT INTO refresh_tokens (token_hash, session_id, create_time, expire_time) "
    "VALUES (?, ?, ?, ?)";
constexpr char kSelectRefreshTokenForUpdate[] =
    "SELECT session_id, used_time, expire_time FROM refresh_tokens WHERE token_hash = ? "
    "FOR UPDATE";
constexpr char kSelectSessionForUpdate[] =
    "SELECT user_id, revoked_time FROM sessions WHERE session_id = ? FOR UPDATE";
constexpr char kSelectSessionUser[] = "SELECT username, active FROM users WHERE id = ?";
constexpr char kMarkRefreshTokenUsed[] =
    "UPDATE refresh_tokens SET used_time = ? WHERE token_hash = ?";
constexpr char kExtendSession[] = "UPDATE sessions SET expire_time = ? WHERE session_id = ?";
constexpr char kSelectLiveSessionsOfUser[] =
    "SELECT session_id FROM sessions WHERE user_id = ? AND revoked_time IS NULL "
    "AND expire_time > ? FOR UPDATE";
constexpr char kRevokeSession[] =
    "UPDATE sessions SET revoked_time = ?, revoke_reason = ? "
    "WHERE session_id = ? AND revoked_time IS NULL";
constexpr char kInsertRevocation[] =
    "INSERT INTO revoked_sessions (session_id, revoke_time, expire_time) VALUES (?, ?, ?)";
constexpr char kSelectRevocations[] =
    "SELECT sequence, session_id, revoke_time, expire_time FROM revoked_sessions "
    "WHERE sequence > ? AND expire_time > ? ORDER BY sequence LIMIT ?";

}  // namespace sql

namespace {
constexpr size_t kMaxRevokeReason = 64;
}  // namespace

absl::Status SessionStore::CreateSession(int64_t user_id, std::string_view username,
                                         std::string_view session_id, std::string_view refresh_hash,
                                         absl::Time refresh_expire, std::string_view peer) {
  return pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    const absl::Time now = clock_.Now();
    const std::string now_text = db::FormatDateTime(now);
    const std::string expire_text = db::FormatDateTime(refresh_expire);
    CRM_RETURN_IF_ERROR(
        tx.Execute(sql::kInsertSession, {std::string(session_id), user_id, now_text, expire_text})
            .status());
    CRM_RETURN_IF_ERROR(
        tx.Execute(sql::kInsertRefreshToken,
                   {std::string(refresh_hash), std::string(session_id), now_text, expire_text})
            .status());
    return AppendAudit(tx,
                       {.action = v1::LOGIN_SUCCEEDED,
                        .user_id = user_id,
                        .username = std::string(username),
                        .peer = std::string(peer),
                        .session_id = std::string(session_id)},
                       now);
  });
}

absl::StatusOr<SessionStore::Refreshed> SessionStore::RotateRefreshToken(std::string_view old_hash,
                                                                         std::string_view new_hash,
                                                                         absl::Time new_expire,
                                                                         std::string_view peer) {
  const absl::Status invalid = Error(absl::StatusCode::kUnauthenticated, "INVALID_REFRESH_TOKEN",
                                     "the refresh token is unknown, expired or revoked: log in "
                                     "again");
  Refreshed result;
  bool reused = false;
  CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    reused = false;
    CRM_ASSIGN_OR_RETURN(db::Rows tokens,
                         tx.Query(sql::kSelectRefreshTokenForUpdate, {std::string(old_hash)}));
    if (tokens.empty()) return invalid;
    result.session_id = tokens[0].Str(0);
    const bool used = !tokens[0].IsNull(1);
    const absl::Time expire = TimeFromDateTime(tokens[0].Str(2));
    CRM_ASSIGN_OR_RETURN(db::Rows sessions,
                         tx.Query(sql::kSelectSessionForUpdate, {result.session_id}));
    if (sessions.empty() || !sessions[0].IsNull(1)) return invalid;
    result.user_id = sessions[0].Int(0);
    CRM_ASSIGN_OR_RETURN(db::Rows users, tx.Query(sql::kSelectSessionUser, {result.user_id}));
    if (users.empty()) return invalid;
    const std::string username = users[0].Str(0);
    const bool active = users[0].Int(1) != 0;
    const absl::Time now = clock_.Now();
    const Actor actor{.peer = std::string(peer)};

    if (used) {
      // Either the client or a thief holds a newer token; there is no telling which, so
      // the whole session ends.
      reused = true;
      CRM_RETURN_IF_ERROR(AppendAudit(tx,
                                      {.action = v1::REFRESH_TOKEN_REUSED,
                                       .user_id = result.user_id,
                                       .username = username,
                                       .peer = std::string(peer),
                                       .session_id = result.session_id,
                                       .detail = "a used refresh token was presented again"},
                                      now));
      return Revoke(tx, result.session_id, result.user_id, "refresh token reused", actor, now);
    }
    if (expire <= now || !active) return invalid;
    const std::string now_text = db::FormatDateTime(now);
    const std::string expire_text = db::FormatDateTime(new_expire);
    CRM_RETURN_IF_ERROR(
        tx.Execute(sql::kMarkRefreshTokenUsed, {now_text, std::string(old_hash)}).status());
    CRM_RETURN_IF_ERROR(
        tx.Execute(sql::kInsertRefreshToken,
                   {std::string(new_hash), result.session_id, now_text, expire_text})
            .status());
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kExtendSession, {expire_text, result.session_id}).status());
    return AppendAudit(tx,
                       {.action = v1::TOKEN_REFRESHED,
                        .user_id = result.user_id,
                        .username = username,
                        .peer = std::string(peer),
                        .session_id = result.session_id},
                       now);
  }));
  if (reused) {
    return Error(absl::StatusCode::kUnauthenticated, "REFRESH_TOKEN_REUSED",
                 "this refresh token was already used; the session is revoked: log in again");
  }
  return result;
}

absl::Status SessionStore::Revoke(db::Transaction& tx, std::string_view session_id, int64_t user_id,
                                  std::string_view reason, const Actor& actor, absl::Time now) {
  const std::string now_text = db::FormatDateTime(now);
  CRM_ASSIGN_OR_RETURN(uint64_t changed, tx.Execute(sql::kRevokeSession,
                                                    {now_text, Truncate(reason, kMaxRevokeReason),
                                                     std::string(session_id)}));
  if (changed == 0) return absl::OkStatus();  // already revoked
  CRM_RETURN_IF_ERROR(
      tx.Execute(sql::kInsertRevocation, {std::string(session_id), now_text,
                                          db::FormatDateTime(now + options_.revocation_keep)})
          .status());
  return AppendAudit(tx,
                     {.action = v1::SESSION_REVOKED,
                      .user_id = user_id,
                      .actor_id = actor.user_id,
                      .peer = actor.peer,
                      .session_id = std::string(session_id),
                      .detail = std::string(reason)},
                     now);
}

absl::Status SessionStore::RevokeUserSessions(db::Transaction& tx, int64_t user_id,
                                              std::string_view keep_session,
                                              std::string_view reason, const Actor& actor,
                                              absl::Time now) {
  // A session whose refresh token expired may still have an unexpired access token.
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       tx.Query(sql::kSelectLiveSessionsOfUser,
                                {user_id, db::FormatDateTime(now - options_.revocation_keep)}));
  for (const auto& row : rows) {
    if (row.Str(0) == keep_session) continue;
    CRM_RETURN_IF_ERROR(Revoke(tx, row.Str(0), user_id, reason, actor, now));
  }
  return absl::OkStatus();
}

absl::Status SessionStore::RevokeSession(std::string_view session_id, int64_t user_id,
                                         std::string_view reason, const Actor& actor) {
  return pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    return Revoke(tx, session_id, user_id, reason, actor, clock_.Now());
  });
}

absl::StatusOr<std::vector<SessionStore::Revocation>> SessionStore::ListRevocations(
    int64_t after_sequence, int limit) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      session->Query(sql::kSelectRevocations,
                     {after_sequence, db::FormatDateTime(clock_.Now()), int64_t{limit}}));
  std::vector<Revocation> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    out.push_back(
        {row.Int(0), row.Str(1), TimeFromDateTime(row.Str(2)), TimeFromDateTime(row.Str(3))});
  }
  return out;
}

}  // namespace crm::auth_service
