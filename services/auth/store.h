// SQL for the auth service: every statement is a named constant in store.cc, every value
// bound. A write runs in one transaction with its audit rows, its session revocations, its
// outbox event and its idempotency record, so none of them can be lost or half-applied.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/auth/v1/auth.pb.h"
#include "libs/api/query.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"

namespace crm::auth_service {

namespace v1 = ::crm::auth::v1;

struct StoreOptions {
  // How long a revoked session stays in ListRevokedSessions: the access token TTL plus
  // leeway, after which no access token of the session can be valid anyway.
  absl::Duration revocation_keep = absl::Seconds(900 + 60);
};

// Who acted and from where, for the audit trail. user_id 0 means nobody (a login, or the
// service itself at start-up).
struct Actor {
  int64_t user_id = 0;
  std::string peer;
};

// One audit row. Zero ids are stored as NULL.
struct AuditEntry {
  v1::AuditAction action = v1::AUDIT_ACTION_UNSPECIFIED;
  int64_t user_id = 0;
  std::string username;
  int64_t actor_id = 0;
  std::string peer;
  std::string session_id;
  std::string detail;
};

// Which users a caller may read: everyone, or themself plus, for a manager, the members
// of the teams they manage (read from the teams table, not from token claims).
struct UserScope {
  bool all = false;
  int64_t self = 0;
  bool managed_team_members = false;
};

// A user's sign-in material. Never leaves the service.
struct Credentials {
  int64_t user_id = 0;
  std::string username;
  std::string password_hash;
  bool active = false;
};

// A signing key row: the private key only in its encrypted form.
struct StoredKey {
  std::string kid;
  std::string encrypted_pem;
  std::string public_pem;
  absl::Time create_time;
};

class AuthStore final {
 public:
  AuthStore(db::Pool& pool, StoreOptions options) : pool_(pool), options_(options) {}

  // The filter whitelists of ListUsers and ListAuditEvents.
  static const api::ResourceFields& UserFields();
  static const api::ResourceFields& AuditFields();

  // Runs `body` holding a database lock named after this schema, so replicas starting
  // together bootstrap (first key, first admin) once.
  absl::Status WithStartupLock(const std::function<absl::Status()>& body);

  // --- Users ---------------------------------------------------------------------------

  absl::StatusOr<std::optional<Credentials>> FindCredentials(std::string_view username);
  absl::StatusOr<std::optional<Credentials>> CredentialsById(int64_t user_id);
  // Replaces a hash made with old parameters after a successful login (no other effect).
  absl::Status UpgradePasswordHash(int64_t user_id, std::string_view old_hash,
                                   std::string_view new_hash);

  // NOT_FOUND (USER_NOT_FOUND) when missing or outside `scope`.
  absl::StatusOr<v1::User> GetUser(int64_t id, const UserScope& scope);
  absl::StatusOr<v1::User> GetUser(int64_t id) { return GetUser(id, UserScope{.all = true}); }

  struct UserPage {
    std::vector<v1::User> users;
    std::vector<db::Value> last_key;
    bool has_more = false;
  };
  absl::StatusOr<UserPage> ListUsers(const api::SqlFragment& filter, const UserScope& scope,
                                     const std::vector<db::Value>* after, int page_size);

  // Inserts a validated user with an Argon2id `password_hash`. ALREADY_EXISTS
  // (USERNAME_TAKEN), NOT_FOUND (TEAM_NOT_FOUND).
  absl::StatusOr<v1::User> CreateUser(const v1::User& user, std::string_view password_hash,
                                      const Actor& actor, const db::IdempotencyKey& key);

  // Locks the user, checks `expected_version` (ABORTED ETAG_MISMATCH), lets `mutate`
  // change it and writes it back. A change of role, team or active revokes every session
  // of the user. `action` is USER_UPDATED or USER_DISABLED.
  using UserMutation = std::function<absl::Status(v1::User&)>;
  absl::StatusOr<v1::User> UpdateUser(int64_t id, std::optional<int64_t> expected_version,
                                      const UserMutation& mutate, v1::AuditAction action,
                                      const Actor& actor, const db::IdempotencyKey& key);

  // Stores a new password hash and revokes every session of the user except
  // `keep_session` ("" for none).
  absl::Status SetPassword(int64_t id, std::string_view password_hash,
                           std::string_view keep_session, std::string_view detail,
                           const Actor& actor, const db::IdempotencyKey& key);

  // True when an active ADMIN exists.
  absl::StatusOr<bool> HasActiveAdmin();
  // Creates `username` as an active ADMIN or, when that user exists (disabled or demoted:
  // no active admin is left) and `restore`, makes it one again with the new password and
  // revokes its sessions; without `restore` FAILED_PRECONDITION (ADMIN_DISABLED). Returns
  // the user.
  absl::StatusOr<v1::User> EnsureAdmin(std::string_view username, std::string_view display_name,
                                       std::string_view password_hash, bool restore);

  // --- Teams ---------------------------------------------------------------------------

  // NOT_FOUND (TEAM_NOT_FOUND).
  absl::StatusOr<v1::Team> GetTeam(int64_t id);
  struct TeamPage {
    std::vector<v1::Team> teams;
    std::vector<db::Value> last_key;
    bool has_more = false;
  };
  absl::StatusOr<TeamPage> ListTeams(const std::vector<db::Value>* after, int page_size);
  // ALREADY_EXISTS (TEAM_NAME_TAKEN), NOT_FOUND (USER_NOT_FOUND for the manager). A new
  // manager's sessions are revoked (their token lists the teams they manage).
  absl::StatusOr<v1::Team> CreateTeam(const v1::Team& team, const Actor& actor,
                                      const db::IdempotencyKey& key);
  // Like UpdateUser; a change of manager revokes the old and the new manager's sessions.
  using TeamMutation = std::function<absl::Status(v1::Team&)>;
  absl::StatusOr<v1::Team> UpdateTeam(int64_t id, std::optional<int64_t> expected_version,
                                      const TeamMutation& mutate, const Actor& actor,
                                      const db::IdempotencyKey& key);

  // --- Sessions and refresh tokens -----------------------------------------------------

  // Creates a session with its first refresh token (by hash) and writes LOGIN_SUCCEEDED.
  absl::Status CreateSession(const Credentials& user, std::string_view session_id,
                             std::string_view refresh_hash, absl::Time refresh_expire,
                             std::string_view peer);

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

  // --- Throttling and the audit trail --------------------------------------------------

  // Records a sign-in attempt for `username` from `peer` before its password is checked
  // (and prunes attempts older than `prune_before`); returns its id. The attempt counts as
  // a failure until ForgetLoginAttempt, called when it succeeds or is refused unchecked.
  absl::StatusOr<int64_t> BeginLoginAttempt(std::string_view username, std::string_view peer,
                                            absl::Time prune_before);
  absl::Status ForgetLoginAttempt(int64_t id);
  // The time of the `n`-th newest failed (or still running) attempt since `since` for this
  // username (or peer), or nullopt when there are fewer than n. Once it leaves the window
  // there are fewer than n in it.
  absl::StatusOr<std::optional<absl::Time>> NthNewestFailureForUser(std::string_view username,
                                                                    absl::Time since, int n);
  absl::StatusOr<std::optional<absl::Time>> NthNewestFailureForPeer(std::string_view peer,
                                                                    absl::Time since, int n);
  // The last LOGIN_SUCCEEDED of a username after `since`, if any.
  absl::StatusOr<std::optional<absl::Time>> LastSuccessForUser(std::string_view username,
                                                               absl::Time since);

  // One row, outside any transaction (login failures must be kept whatever happens).
  absl::Status Audit(const AuditEntry& entry);

  struct AuditPage {
    std::vector<v1::AuditEvent> events;
    std::vector<db::Value> last_key;
    bool has_more = false;
  };
  // Newest first.
  absl::StatusOr<AuditPage> ListAudit(const api::SqlFragment& filter,
                                      const std::vector<db::Value>* after, int page_size);

  // --- Signing keys --------------------------------------------------------------------

  // The newest two non-retired keys, newest first.
  absl::StatusOr<std::vector<StoredKey>> PublishedKeys();
  // Inserts the first key (start-up, under the start-up lock).
  absl::Status InsertKey(const StoredKey& key);
  // Makes `key` current, retires every key older than the previous current one and writes
  // SIGNING_KEY_ROTATED; `response` is stored for replays and filled with the stored one.
  absl::Status RotateKey(const StoredKey& key, const Actor& actor, const db::IdempotencyKey& idem,
                         v1::PublicKey* response);

 private:
  absl::Status RevokeUserSessions(db::Transaction& tx, int64_t user_id,
                                  std::string_view keep_session, std::string_view reason,
                                  const Actor& actor, absl::Time now);
  absl::Status RevokeInTransaction(db::Transaction& tx, std::string_view session_id,
                                   int64_t user_id, std::string_view reason, const Actor& actor,
                                   absl::Time now);
  absl::StatusOr<v1::User> LoadUserForUpdate(db::Transaction& tx, int64_t id, int64_t* version);
  absl::StatusOr<v1::Team> LoadTeam(db::Session& session, int64_t id, bool for_update,
                                    int64_t* version);
  absl::Status CheckTeamExists(db::Session& session, std::string_view team);
  absl::Status CheckUserExists(db::Session& session, std::string_view user);

  db::Pool& pool_;
  const StoreOptions options_;
};

}  // namespace crm::auth_service
