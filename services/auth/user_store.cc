#include "services/auth/user_store.h"

#include <google/protobuf/empty.pb.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "services/auth/audit_store.h"
#include "services/auth/events.h"

namespace crm::auth_service {
namespace sql {

constexpr char kSelectUsers[] = "SELECT " CRM_AUTH_USER_COLUMNS;
constexpr char kSelectUserById[] = "SELECT " CRM_AUTH_USER_COLUMNS " FROM users u WHERE u.id = ?";
constexpr char kSelectUserForUpdate[] =
    "SELECT " CRM_AUTH_USER_COLUMNS " FROM users u WHERE u.id = ? FOR UPDATE";
constexpr char kSelectCredentialsByUsername[] =
    "SELECT id, username, password_hash, active FROM users WHERE username = ?";
constexpr char kSelectCredentialsById[] =
    "SELECT id, username, password_hash, active FROM users WHERE id = ?";
constexpr char kSelectUserForPassword[] = "SELECT id, username FROM users WHERE id = ? FOR UPDATE";
constexpr char kSelectUserByUsernameForUpdate[] =
    "SELECT id FROM users WHERE username = ? FOR UPDATE";
constexpr char kSelectUserExists[] = "SELECT id FROM users WHERE id = ?";
constexpr char kSelectTeamExists[] = "SELECT id FROM teams WHERE id = ?";
constexpr char kCountActiveAdmins[] = "SELECT COUNT(*) FROM users WHERE role = ? AND active = 1";
constexpr char kInsertUser[] =
    "INSERT INTO users (username, display_name, email, role, team_id, active, password_hash, "
    "password_changed_at, create_time, update_time) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?) "
    "RETURNING id";
constexpr char kUpdateUser[] =
    "UPDATE users SET display_name = ?, email = ?, role = ?, team_id = ?, active = ?, "
    "update_time = ?, version = version + 1 WHERE id = ?";
constexpr char kRestoreAdmin[] =
    "UPDATE users SET role = ?, active = 1, password_hash = ?, password_changed_at = ?, "
    "update_time = ?, version = version + 1 WHERE id = ?";
constexpr char kSetPassword[] =
    "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?";
constexpr char kUpgradePasswordHash[] =
    "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?";

// The scopes of UserScope, ANDed into user reads.
constexpr char kScopeAll[] = "TRUE";
constexpr char kScopeSelf[] = "u.id = ?";
constexpr char kScopeSelfAndManagedTeams[] =
    "(u.id = ? OR u.team_id IN (SELECT st.id FROM teams st WHERE st.manager_id = ?))";

}  // namespace sql

namespace {

api::SqlFragment ScopeCondition(const UserScope& scope) {
  if (scope.all) return {sql::kScopeAll, {}};
  if (scope.managed_team_members) return {sql::kScopeSelfAndManagedTeams, {scope.self, scope.self}};
  return {sql::kScopeSelf, {scope.self}};
}

absl::StatusOr<std::optional<Credentials>> ReadCredentials(db::Pool& pool, const char* query,
                                                           db::Value key) {
  CRM_ASSIGN_OR_RETURN(auto session, pool.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(query, {std::move(key)}));
  if (rows.empty()) return std::nullopt;
  return Credentials{rows[0].Int(0), rows[0].Str(1), rows[0].Str(2), rows[0].Int(3) != 0};
}

std::string ChangedUserFields(const v1::User& before, const v1::User& after) {
  std::vector<std::string> changed;
  if (before.display_name() != after.display_name()) changed.push_back("display_name");
  if (before.email() != after.email()) changed.push_back("email");
  if (before.role() != after.role()) {
    changed.push_back(
        absl::StrCat("role ", v1::Role_Name(before.role()), " -> ", v1::Role_Name(after.role())));
  }
  if (before.team() != after.team()) {
    changed.push_back(absl::StrCat("team \"", before.team(), "\" -> \"", after.team(), "\""));
  }
  if (before.active() != after.active()) {
    changed.push_back(after.active() ? "activated" : "deactivated");
  }
  return changed.empty() ? "no change" : absl::StrJoin(changed, ", ");
}

}  // namespace

absl::Status CheckTeamExists(db::Session& session, std::string_view team) {
  if (team.empty()) return absl::OkStatus();
  const int64_t id = IdOf(team, kTeams);
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(sql::kSelectTeamExists, {id}));
  return rows.empty() ? TeamNotFound(id) : absl::OkStatus();
}

absl::Status CheckUserExists(db::Session& session, std::string_view user) {
  if (user.empty()) return absl::OkStatus();
  const int64_t id = IdOf(user, kUsers);
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(sql::kSelectUserExists, {id}));
  return rows.empty() ? UserNotFound(id) : absl::OkStatus();
}

const api::ResourceFields& UserStore::Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "username", .column = "u.username"},
          {.name = "role",
           .type = api::FieldType::kEnum,
           .column = "u.role",
           .enum_values = api::EnumValues(*v1::Role_descriptor())},
          {.name = "team", .column = "IFNULL(CONCAT('teams/', u.team_id), '')"},
          {.name = "active", .type = api::FieldType::kBool, .column = "u.active"},
      },
      "u.id");
  return *fields;
}

absl::StatusOr<std::optional<Credentials>> UserStore::FindCredentials(std::string_view username) {
  return ReadCredentials(pool_, sql::kSelectCredentialsByUsername, std::string(username));
}

absl::StatusOr<std::optional<Credentials>> UserStore::CredentialsById(int64_t user_id) {
  return ReadCredentials(pool_, sql::kSelectCredentialsById, user_id);
}

absl::Status UserStore::UpgradePasswordHash(int64_t user_id, std::string_view old_hash,
                                            std::string_view new_hash) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return session
      ->Execute(sql::kUpgradePasswordHash, {std::string(new_hash), user_id, std::string(old_hash)})
      .status();
}

absl::StatusOr<v1::User> UserStore::GetUser(int64_t id, const UserScope& scope) {
  api::SqlFragment condition = ScopeCondition(scope);
  const std::string query = absl::StrCat(sql::kSelectUserById, " AND ", condition.sql);
  std::vector<db::Value> params = {id};
  params.insert(params.end(), condition.params.begin(), condition.params.end());
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(query, params));
  if (rows.empty()) return UserNotFound(id);
  return UserFromRow(rows[0]);
}

absl::StatusOr<UserStore::UserPage> UserStore::ListUsers(const api::SqlFragment& filter,
                                                         const UserScope& scope,
                                                         const std::vector<db::Value>* after,
                                                         int page_size) {
  static const std::vector<api::OrderTerm> kOrder = {{"", "u.id", false}};
  api::SqlFragment condition = ScopeCondition(scope);
  std::string query = absl::StrCat(sql::kSelectUsers, ", u.id FROM users u WHERE ", condition.sql,
                                   " AND (", filter.sql, ")");
  std::vector<db::Value> params = condition.params;
  params.insert(params.end(), filter.params.begin(), filter.params.end());
  return ReadPage<v1::User>(pool_, std::move(query), std::move(params), kOrder, after, page_size,
                            kUserColumnCount, UserFromRow);
}

absl::StatusOr<v1::User> UserStore::CreateUser(const v1::User& input,
                                               std::string_view password_hash, const Actor& actor,
                                               const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::User>(
      pool_, key, [&](db::Transaction& tx, v1::User& result) -> absl::Status {
        CRM_RETURN_IF_ERROR(CheckTeamExists(tx, input.team()));
        const absl::Time now = clock_.Now();
        const std::string now_text = db::FormatDateTime(now);
        absl::StatusOr<db::Rows> rows = tx.Query(
            sql::kInsertUser, {input.username(), input.display_name(), input.email(),
                               int64_t{input.role()}, NullableId(IdOf(input.team(), kTeams)),
                               std::string(password_hash), now_text, now_text, now_text});
        if (IsDuplicate(rows.status())) {
          return Error(absl::StatusCode::kAlreadyExists, "USERNAME_TAKEN",
                       absl::StrCat("username \"", input.username(), "\" is taken"));
        }
        CRM_RETURN_IF_ERROR(rows.status());
        if (rows->empty()) return absl::InternalError("insert returned no id");
        const int64_t id = (*rows)[0].Int(0);

        result = input;
        result.set_name(api::ResourceName(kUsers, id));
        result.set_active(true);
        result.clear_managed_teams();
        result.set_etag(api::EtagFromVersion(1));
        *result.mutable_create_time() = ToTimestamp(now);
        *result.mutable_update_time() = result.create_time();
        CRM_RETURN_IF_ERROR(AppendAudit(
            tx,
            {.action = v1::USER_CREATED,
             .user_id = id,
             .username = input.username(),
             .actor_id = actor.user_id,
             .peer = actor.peer,
             .detail = absl::StrCat("role ", v1::Role_Name(input.role()),
                                    input.team().empty() ? "" : ", team " + input.team())},
            now));
        CRM_RETURN_IF_ERROR(events::Append(tx,
                                           {.type = event_types::kUserCreated,
                                            .resource = result.name(),
                                            .actor = EventActor(actor)},
                                           result));
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::User> UserStore::LoadUserForUpdate(db::Transaction& tx, int64_t id,
                                                      int64_t* version) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kSelectUserForUpdate, {id}));
  if (rows.empty()) return UserNotFound(id);
  *version = rows[0].Int(1);
  return UserFromRow(rows[0]);
}

absl::StatusOr<v1::User> UserStore::UpdateUser(int64_t id, std::optional<int64_t> expected_version,
                                               const UserMutation& mutate, v1::AuditAction action,
                                               const Actor& actor, const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::User>(
      pool_, key, [&](db::Transaction& tx, v1::User& result) -> absl::Status {
        int64_t version = 0;
        CRM_ASSIGN_OR_RETURN(v1::User current, LoadUserForUpdate(tx, id, &version));
        CRM_RETURN_IF_ERROR(CheckVersion(current.name(), current.etag(), expected_version));
        v1::User updated = current;
        CRM_RETURN_IF_ERROR(mutate(updated));
        std::vector<std::string> changed = api::ChangedPaths(current, updated);
        if (updated.team() != current.team())
          CRM_RETURN_IF_ERROR(CheckTeamExists(tx, updated.team()));

        const absl::Time now = clock_.Now();
        CRM_RETURN_IF_ERROR(
            tx.Execute(sql::kUpdateUser,
                       {updated.display_name(), updated.email(), int64_t{updated.role()},
                        NullableId(IdOf(updated.team(), kTeams)), int64_t{updated.active() ? 1 : 0},
                        db::FormatDateTime(now), id})
                .status());
        const bool claims_changed = updated.role() != current.role() ||
                                    updated.team() != current.team() ||
                                    updated.active() != current.active();
        const std::string detail = ChangedUserFields(current, updated);
        CRM_RETURN_IF_ERROR(AppendAudit(tx,
                                        {.action = action,
                                         .user_id = id,
                                         .username = current.username(),
                                         .actor_id = actor.user_id,
                                         .peer = actor.peer,
                                         .detail = detail},
                                        now));
        // New tokens must carry the new claims, and a disabled user must lose access now.
        if (claims_changed || action == v1::USER_DISABLED) {
          CRM_RETURN_IF_ERROR(sessions_.RevokeUserSessions(
              tx, id, "", action == v1::USER_DISABLED ? "user disabled" : "user changed: " + detail,
              actor, now));
        }
        updated.set_etag(api::EtagFromVersion(version + 1));
        *updated.mutable_update_time() = ToTimestamp(now);
        CRM_RETURN_IF_ERROR(events::Append(tx,
                                           {.type = event_types::kUserUpdated,
                                            .resource = updated.name(),
                                            .actor = EventActor(actor),
                                            .changed_paths = std::move(changed)},
                                           updated));
        result = std::move(updated);
        return absl::OkStatus();
      });
}

absl::Status UserStore::SetPassword(int64_t id, std::string_view password_hash,
                                    std::string_view keep_session, std::string_view detail,
                                    const Actor& actor, const db::IdempotencyKey& key) {
  return db::IdempotentWrite<google::protobuf::Empty>(
             pool_, key,
             [&](db::Transaction& tx, google::protobuf::Empty&) -> absl::Status {
               CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kSelectUserForPassword, {id}));
               if (rows.empty()) return UserNotFound(id);
               const absl::Time now = clock_.Now();
               CRM_RETURN_IF_ERROR(tx.Execute(sql::kSetPassword, {std::string(password_hash),
                                                                  db::FormatDateTime(now), id})
                                       .status());
               CRM_RETURN_IF_ERROR(AppendAudit(tx,
                                               {.action = v1::PASSWORD_CHANGED,
                                                .user_id = id,
                                                .username = rows[0].Str(1),
                                                .actor_id = actor.user_id,
                                                .peer = actor.peer,
                                                .session_id = std::string(keep_session),
                                                .detail = std::string(detail)},
                                               now));
               return sessions_.RevokeUserSessions(tx, id, keep_session, "password changed", actor,
                                                   now);
             })
      .status();
}

absl::StatusOr<bool> UserStore::HasActiveAdmin() {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session->Query(sql::kCountActiveAdmins, {int64_t{v1::ADMIN}}));
  return !rows.empty() && rows[0].Int(0) > 0;
}

absl::StatusOr<v1::User> UserStore::EnsureAdmin(std::string_view username,
                                                std::string_view display_name,
                                                std::string_view password_hash, bool restore) {
  int64_t id = 0;
  CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    const absl::Time now = clock_.Now();
    const std::string now_text = db::FormatDateTime(now);
    CRM_ASSIGN_OR_RETURN(db::Rows rows,
                         tx.Query(sql::kSelectUserByUsernameForUpdate, {std::string(username)}));
    const Actor system;
    if (rows.empty()) {
      CRM_ASSIGN_OR_RETURN(
          db::Rows inserted,
          tx.Query(sql::kInsertUser, {std::string(username), std::string(display_name),
                                      std::string(), int64_t{v1::ADMIN}, db::Value(),
                                      std::string(password_hash), now_text, now_text, now_text}));
      if (inserted.empty()) return absl::InternalError("insert returned no id");
      id = inserted[0].Int(0);
      CRM_RETURN_IF_ERROR(AppendAudit(tx,
                                      {.action = v1::USER_CREATED,
                                       .user_id = id,
                                       .username = std::string(username),
                                       .detail = "bootstrap admin (no active ADMIN existed)"},
                                      now));
    } else {
      if (!restore) {
        return Error(absl::StatusCode::kFailedPrecondition, "ADMIN_DISABLED",
                     absl::StrCat("no active ADMIN exists and user \"", std::string(username),
                                  "\" was disabled or demoted; start once with "
                                  "--restore_admin to make it an active ADMIN again"));
      }
      id = rows[0].Int(0);
      CRM_RETURN_IF_ERROR(
          tx.Execute(sql::kRestoreAdmin,
                     {int64_t{v1::ADMIN}, std::string(password_hash), now_text, now_text, id})
              .status());
      CRM_RETURN_IF_ERROR(AppendAudit(
          tx,
          {.action = v1::USER_UPDATED,
           .user_id = id,
           .username = std::string(username),
           .detail = "restored as active ADMIN with a new password (no active ADMIN existed)"},
          now));
      CRM_RETURN_IF_ERROR(
          sessions_.RevokeUserSessions(tx, id, "", "bootstrap admin reset", system, now));
    }
    CRM_ASSIGN_OR_RETURN(db::Rows user, tx.Query(sql::kSelectUserById, {id}));
    if (user.empty()) return absl::InternalError("bootstrap admin vanished");
    const v1::User snapshot = UserFromRow(user[0]);
    return events::Append(
        tx,
        {.type = rows.empty() ? event_types::kUserCreated : event_types::kUserUpdated,
         .resource = snapshot.name(),
         .actor = EventActor(system)},
        snapshot);
  }));
  return GetUser(id);
}

}  // namespace crm::auth_service
