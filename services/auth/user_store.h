// SQL for users: sign-in material, reads narrowed to what a caller may see, and writes that
// carry their audit row, outbox event, idempotency record and, where the token claims
// change, the revocation of the user's sessions, all in one transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/api/list.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"
#include "services/auth/rows.h"
#include "services/auth/session_store.h"

namespace crm::auth_service {

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

class UserStore final {
 public:
  // `sessions` revokes sessions inside this store's transactions.
  UserStore(db::Pool& pool, const Clock& clock, SessionStore& sessions)
      : pool_(pool), clock_(clock), sessions_(sessions) {}

  // The filter whitelist of ListUsers.
  static const api::ResourceFields& Fields();

  absl::StatusOr<std::optional<Credentials>> FindCredentials(std::string_view username);
  absl::StatusOr<std::optional<Credentials>> CredentialsById(int64_t user_id);
  // Replaces a hash made with old parameters after a successful login (no other effect).
  absl::Status UpgradePasswordHash(int64_t user_id, std::string_view old_hash,
                                   std::string_view new_hash);

  // NOT_FOUND (USER_NOT_FOUND) when missing or outside `scope`.
  absl::StatusOr<v1::User> GetUser(int64_t id, const UserScope& scope);
  absl::StatusOr<v1::User> GetUser(int64_t id) { return GetUser(id, UserScope{.all = true}); }

  // One page of the users `scope` may see, as api::PrepareList made `query` (by id).
  absl::StatusOr<api::Page<v1::User>> ListUsers(const api::ListQuery& query,
                                                const UserScope& scope);

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

 private:
  absl::StatusOr<v1::User> LoadUserForUpdate(db::Transaction& tx, int64_t id, int64_t* version);

  db::Pool& pool_;
  const Clock& clock_;
  SessionStore& sessions_;
};

// NOT_FOUND (TEAM_NOT_FOUND) unless `team` ("teams/{id}") exists or is "".
absl::Status CheckTeamExists(db::Session& session, std::string_view team);
// NOT_FOUND (USER_NOT_FOUND) unless `user` ("users/{id}") exists or is "".
absl::Status CheckUserExists(db::Session& session, std::string_view user);

}  // namespace crm::auth_service
