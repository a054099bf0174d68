#include "services/auth/store.h"

#include <google/protobuf/empty.pb.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/api/resource.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"

namespace crm::auth_service {
namespace sql {

// The SELECT list UserFromRow maps, in this order; the last column lists the teams the
// user manages.
#define CRM_USER_COLUMNS                                                                \
  "u.id, u.version, u.username, u.display_name, u.email, u.role, u.team_id, u.active, " \
  "u.create_time, u.update_time, "                                                      \
  "(SELECT GROUP_CONCAT(mt.id ORDER BY mt.id) FROM teams mt WHERE mt.manager_id = u.id)"
constexpr size_t kUserColumnCount = 11;
constexpr char kSelectUsers[] = "SELECT " CRM_USER_COLUMNS;
constexpr char kSelectUserForUpdate[] =
    "SELECT " CRM_USER_COLUMNS " FROM users u WHERE u.id = ? FOR UPDATE";
#undef CRM_USER_COLUMNS

constexpr char kSelectCredentialsByUsername[] =
    "SELECT id, username, password_hash, active FROM users WHERE username = ?";
constexpr char kSelectCredentialsById[] =
    "SELECT id, username, password_hash, active FROM users WHERE id = ?";
constexpr char kSelectUserForPassword[] = "SELECT id, username FROM users WHERE id = ? FOR UPDATE";
constexpr char kSelectUserByUsernameForUpdate[] =
    "SELECT id FROM users WHERE username = ? FOR UPDATE";
constexpr char kSelectUserExists[] = "SELECT id FROM users WHERE id = ?";
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

#define CRM_TEAM_COLUMNS \
  "t.id, t.version, t.display_name, t.manager_id, t.create_time, t.update_time"
constexpr size_t kTeamColumnCount = 6;
constexpr char kSelectTeams[] = "SELECT " CRM_TEAM_COLUMNS;
constexpr char kSelectTeamById[] = "SELECT " CRM_TEAM_COLUMNS " FROM teams t WHERE t.id = ?";
constexpr char kSelectTeamForUpdate[] =
    "SELECT " CRM_TEAM_COLUMNS " FROM teams t WHERE t.id = ? FOR UPDATE";
#undef CRM_TEAM_COLUMNS
constexpr char kSelectTeamExists[] = "SELECT id FROM teams WHERE id = ?";
constexpr char kSelectTeamMembers[] = "SELECT id FROM users WHERE team_id = ? ORDER BY id";
constexpr char kSelectMembersOfTeamRange[] =
    "SELECT team_id, id FROM users WHERE team_id BETWEEN ? AND ? ORDER BY team_id, id";
constexpr char kInsertTeam[] =
    "INSERT INTO teams (display_name, manager_id, create_time, update_time) VALUES (?, ?, ?, ?) "
    "RETURNING id";
constexpr char kUpdateTeam[] =
    "UPDATE teams SET display_name = ?, manager_id = ?, update_time = ?, version = version + 1 "
    "WHERE id = ?";

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

constexpr char kNthFailureForUser[] =
    "SELECT time FROM login_attempts WHERE username = ? AND time > ? "
    "ORDER BY time DESC LIMIT 1 OFFSET ?";
constexpr char kNthFailureForPeer[] =
    "SELECT time FROM login_attempts WHERE peer = ? AND time > ? "
    "ORDER BY time DESC LIMIT 1 OFFSET ?";
constexpr char kInsertLoginAttempt[] =
    "INSERT INTO login_attempts (username, peer, time) VALUES (?, ?, ?) RETURNING id";
constexpr char kDeleteLoginAttempt[] = "DELETE FROM login_attempts WHERE id = ?";
constexpr char kPruneLoginAttempts[] = "DELETE FROM login_attempts WHERE time < ? LIMIT 100";
constexpr char kLastSuccessForUser[] =
    "SELECT MAX(time) FROM audit_events WHERE username = ? AND action = ? AND time > ?";
constexpr char kInsertAudit[] =
    "INSERT INTO audit_events (time, action, user_id, username, actor_id, peer, session_id, "
    "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kSelectAudit[] =
    "SELECT a.sequence, a.time, a.action, a.user_id, a.username, a.actor_id, a.peer, "
    "a.session_id, a.detail";
constexpr size_t kAuditColumnCount = 9;

constexpr char kSelectPublishedKeys[] =
    "SELECT kid, encrypted_pem, public_pem, create_time FROM signing_keys WHERE retired = 0 "
    "ORDER BY sequence DESC LIMIT 2";
constexpr char kSelectCurrentKeySequenceForUpdate[] =
    "SELECT sequence FROM signing_keys WHERE retired = 0 ORDER BY sequence DESC LIMIT 1 "
    "FOR UPDATE";
constexpr char kRetireKeysBefore[] =
    "UPDATE signing_keys SET retired = 1 WHERE retired = 0 AND sequence < ?";
constexpr char kInsertKey[] =
    "INSERT INTO signing_keys (kid, encrypted_pem, public_pem, create_time) VALUES (?, ?, ?, ?)";

// GET_LOCK belongs to the connection that took it; the name includes the schema so test
// schemas on one server do not wait for each other.
constexpr char kGetStartupLock[] = "SELECT GET_LOCK(CONCAT('crm_auth_start.', DATABASE()), ?)";
constexpr char kReleaseStartupLock[] = "SELECT RELEASE_LOCK(CONCAT('crm_auth_start.', DATABASE()))";

}  // namespace sql

namespace {

constexpr char kUsers[] = "users";
constexpr char kTeams[] = "teams";
constexpr int kStartupLockSeconds = 60;
constexpr size_t kMaxDetail = 512;
constexpr size_t kMaxPeer = 64;

absl::Status UserNotFound(int64_t id) {
  return Error(absl::StatusCode::kNotFound, "USER_NOT_FOUND",
               absl::StrCat("users/", id, " does not exist"));
}
absl::Status TeamNotFound(int64_t id) {
  return Error(absl::StatusCode::kNotFound, "TEAM_NOT_FOUND",
               absl::StrCat("teams/", id, " does not exist"));
}

bool IsDuplicate(const absl::Status& st) {
  return st.code() == absl::StatusCode::kAlreadyExists && ErrorReason(st) == "DUPLICATE_KEY";
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  absl::Duration since_epoch = t - absl::UnixEpoch();
  int64_t seconds = absl::IDivDuration(since_epoch, absl::Seconds(1), &since_epoch);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(since_epoch)));
  return ts;
}
google::protobuf::Timestamp ToTimestamp(const std::string& datetime) {
  auto t = db::ParseDateTime(datetime);
  return t.ok() ? ToTimestamp(*t) : google::protobuf::Timestamp();
}
absl::Time ToTime(const std::string& datetime) {
  auto t = db::ParseDateTime(datetime);
  return t.ok() ? *t : absl::InfinitePast();
}

db::Value NullableId(int64_t id) { return id == 0 ? db::Value() : db::Value(id); }

std::string NameOrEmpty(std::string_view collection, const db::Row& row, size_t i) {
  return row.IsNull(i) ? "" : api::ResourceName(collection, row.Int(i));
}

// "teams/7" -> 7, "" -> 0 (validated before it gets here).
int64_t IdOf(std::string_view name, std::string_view collection) {
  if (name.empty()) return 0;
  auto id = api::ParseResourceId(name, collection);
  return id.ok() ? *id : 0;
}

// Cuts UTF-8 text to at most `max` bytes without splitting a character.
std::string Truncate(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

v1::User UserFromRow(const db::Row& row) {
  v1::User u;
  u.set_name(api::ResourceName(kUsers, row.Int(0)));
  u.set_etag(api::EtagFromVersion(row.Int(1)));
  u.set_username(row.Str(2));
  u.set_display_name(row.Str(3));
  u.set_email(row.Str(4));
  u.set_role(static_cast<v1::Role>(row.Int(5)));
  u.set_team(NameOrEmpty(kTeams, row, 6));
  u.set_active(row.Int(7) != 0);
  *u.mutable_create_time() = ToTimestamp(row.Str(8));
  *u.mutable_update_time() = ToTimestamp(row.Str(9));
  if (!row.IsNull(10)) {
    for (absl::string_view part : absl::StrSplit(row.Str(10), ',', absl::SkipEmpty())) {
      int64_t id = 0;
      if (absl::SimpleAtoi(part, &id)) u.add_managed_teams(api::ResourceName(kTeams, id));
    }
  }
  return u;
}

v1::Team TeamFromRow(const db::Row& row) {
  v1::Team t;
  t.set_name(api::ResourceName(kTeams, row.Int(0)));
  t.set_etag(api::EtagFromVersion(row.Int(1)));
  t.set_display_name(row.Str(2));
  t.set_manager(NameOrEmpty(kUsers, row, 3));
  *t.mutable_create_time() = ToTimestamp(row.Str(4));
  *t.mutable_update_time() = ToTimestamp(row.Str(5));
  return t;
}

v1::AuditEvent AuditFromRow(const db::Row& row) {
  v1::AuditEvent e;
  e.set_sequence(row.Int(0));
  *e.mutable_time() = ToTimestamp(row.Str(1));
  e.set_action(static_cast<v1::AuditAction>(row.Int(2)));
  e.set_user(NameOrEmpty(kUsers, row, 3));
  e.set_username(row.Str(4));
  e.set_actor(NameOrEmpty(kUsers, row, 5));
  e.set_peer(row.Str(6));
  e.set_session_id(row.Str(7));
  e.set_detail(row.Str(8));
  return e;
}

StoredKey KeyFromRow(const db::Row& row) {
  return StoredKey{.kid = row.Str(0),
                   .encrypted_pem = row.Str(1),
                   .public_pem = row.Str(2),
                   .create_time = ToTime(row.Str(3))};
}

api::SqlFragment ScopeCondition(const UserScope& scope) {
  if (scope.all) return {sql::kScopeAll, {}};
  if (scope.managed_team_members) return {sql::kScopeSelfAndManagedTeams, {scope.self, scope.self}};
  return {sql::kScopeSelf, {scope.self}};
}

absl::Status AppendAudit(db::Session& session, const AuditEntry& e, absl::Time now) {
  return session
      .Execute(sql::kInsertAudit,
               {db::FormatDateTime(now), int64_t{e.action}, NullableId(e.user_id),
                Truncate(e.username, 64), NullableId(e.actor_id), Truncate(e.peer, kMaxPeer),
                e.session_id, Truncate(e.detail, kMaxDetail)})
      .status();
}

absl::Status CheckVersion(std::string_view name, std::string_view etag,
                          std::optional<int64_t> expected) {
  if (!expected || etag == api::EtagFromVersion(*expected)) return absl::OkStatus();
  return Error(absl::StatusCode::kAborted, "ETAG_MISMATCH",
               absl::StrCat(std::string(name),
                            " was changed by someone else: read it again and retry with its "
                            "new etag"));
}

// Keyset paging over a query whose SELECT list has `columns` columns followed by the
// order columns.
template <typename T, typename Map>
absl::Status ReadPage(db::Pool& pool, std::string query, std::vector<db::Value> params,
                      const std::vector<api::OrderTerm>& order, const std::vector<db::Value>* after,
                      int page_size, size_t columns, Map map, std::vector<T>* out,
                      std::vector<db::Value>* last_key, bool* has_more,
                      std::vector<db::Row>* rows_out = nullptr) {
  api::AppendPageClauses(query, params, order, after, page_size);
  CRM_ASSIGN_OR_RETURN(auto session, pool.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(query, params));
  *has_more = api::TakePage(rows, page_size, order, columns, last_key);
  for (const auto& row : rows) out->push_back(map(row));
  if (rows_out != nullptr) *rows_out = std::move(rows);
  return absl::OkStatus();
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

// The actor of an outbox event: the user who acted, or the service itself.
std::string EventActor(const Actor& actor) {
  return actor.user_id != 0 ? api::ResourceName(kUsers, actor.user_id) : "services/auth";
}

}  // namespace

const api::ResourceFields& AuthStore::UserFields() {
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

const api::ResourceFields& AuthStore::AuditFields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "action",
           .type = api::FieldType::kEnum,
           .column = "a.action",
           .enum_values = api::EnumValues(*v1::AuditAction_descriptor())},
          {.name = "user", .column = "CONCAT('users/', a.user_id)"},
          {.name = "username", .column = "a.username"},
          {.name = "peer", .column = "a.peer"},
          {.name = "time", .type = api::FieldType::kTimestamp, .column = "a.time"},
      },
      "a.sequence");
  return *fields;
}

absl::Status AuthStore::WithStartupLock(const std::function<absl::Status()>& body) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session->Query(sql::kGetStartupLock, {int64_t{kStartupLockSeconds}}));
  if (rows.empty() || rows[0].Int(0) != 1) {
    return Error(absl::StatusCode::kUnavailable, "STARTUP_LOCKED",
                 "another replica held the start-up lock too long");
  }
  absl::Status status = body();
  (void)session->Query(sql::kReleaseStartupLock, {});
  return status;
}

// --- Users -------------------------------------------------------------------------------

absl::StatusOr<std::optional<Credentials>> AuthStore::FindCredentials(std::string_view username) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session->Query(sql::kSelectCredentialsByUsername, {std::string(username)}));
  if (rows.empty()) return std::nullopt;
  return Credentials{rows[0].Int(0), rows[0].Str(1), rows[0].Str(2), rows[0].Int(3) != 0};
}

absl::StatusOr<std::optional<Credentials>> AuthStore::CredentialsById(int64_t user_id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kSelectCredentialsById, {user_id}));
  if (rows.empty()) return std::nullopt;
  return Credentials{rows[0].Int(0), rows[0].Str(1), rows[0].Str(2), rows[0].Int(3) != 0};
}

absl::Status AuthStore::UpgradePasswordHash(int64_t user_id, std::string_view old_hash,
                                            std::string_view new_hash) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return session
      ->Execute(sql::kUpgradePasswordHash, {std::string(new_hash), user_id, std::string(old_hash)})
      .status();
}

absl::StatusOr<v1::User> AuthStore::GetUser(int64_t id, const UserScope& scope) {
  api::SqlFragment condition = ScopeCondition(scope);
  std::string query =
      absl::StrCat(sql::kSelectUsers, " FROM users u WHERE u.id = ? AND ", condition.sql);
  std::vector<db::Value> params = {id};
  params.insert(params.end(), condition.params.begin(), condition.params.end());
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(query, params));
  if (rows.empty()) return UserNotFound(id);
  return UserFromRow(rows[0]);
}

absl::StatusOr<AuthStore::UserPage> AuthStore::ListUsers(const api::SqlFragment& filter,
                                                         const UserScope& scope,
                                                         const std::vector<db::Value>* after,
                                                         int page_size) {
  static const std::vector<api::OrderTerm> kOrder = {{"", "u.id", false}};
  api::SqlFragment condition = ScopeCondition(scope);
  std::string query = absl::StrCat(sql::kSelectUsers, ", u.id FROM users u WHERE ", condition.sql,
                                   " AND (", filter.sql, ")");
  std::vector<db::Value> params = condition.params;
  params.insert(params.end(), filter.params.begin(), filter.params.end());
  UserPage page;
  CRM_RETURN_IF_ERROR(ReadPage(pool_, std::move(query), std::move(params), kOrder, after, page_size,
                               sql::kUserColumnCount, UserFromRow, &page.users, &page.last_key,
                               &page.has_more));
  return page;
}

absl::Status AuthStore::CheckTeamExists(db::Session& session, std::string_view team) {
  if (team.empty()) return absl::OkStatus();
  int64_t id = IdOf(team, kTeams);
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(sql::kSelectTeamExists, {id}));
  return rows.empty() ? TeamNotFound(id) : absl::OkStatus();
}

absl::Status AuthStore::CheckUserExists(db::Session& session, std::string_view user) {
  if (user.empty()) return absl::OkStatus();
  int64_t id = IdOf(user, kUsers);
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(sql::kSelectUserExists, {id}));
  return rows.empty() ? UserNotFound(id) : absl::OkStatus();
}

absl::StatusOr<v1::User> AuthStore::CreateUser(const v1::User& input,
                                               std::string_view password_hash, const Actor& actor,
                                               const db::IdempotencyKey& key) {
  v1::User result;
  CRM_RETURN_IF_ERROR(db::InIdempotentTransaction(pool_, [&](db::Transaction& tx) -> absl::Status {
    CRM_ASSIGN_OR_RETURN(bool replayed, db::Replay(tx, key, &result));
    if (replayed) return absl::OkStatus();
    CRM_RETURN_IF_ERROR(CheckTeamExists(tx, input.team()));
    absl::Time now = absl::Now();
    std::string now_text = db::FormatDateTime(now);
    absl::StatusOr<db::Rows> rows =
        tx.Query(sql::kInsertUser, {input.username(), input.display_name(), input.email(),
                                    int64_t{input.role()}, NullableId(IdOf(input.team(), kTeams)),
                                    std::string(password_hash), now_text, now_text, now_text});
    if (IsDuplicate(rows.status())) {
      return Error(absl::StatusCode::kAlreadyExists, "USERNAME_TAKEN",
                   absl::StrCat("username \"", input.username(), "\" is taken"));
    }
    CRM_RETURN_IF_ERROR(rows.status());
    if (rows->empty()) return absl::InternalError("insert returned no id");
    int64_t id = (*rows)[0].Int(0);

    result = input;
    result.set_name(api::ResourceName(kUsers, id));
    result.set_active(true);
    result.clear_managed_teams();
    result.set_etag(api::EtagFromVersion(1));
    *result.mutable_create_time() = ToTimestamp(now);
    *result.mutable_update_time() = result.create_time();
    CRM_RETURN_IF_ERROR(
        AppendAudit(tx,
                    {.action = v1::USER_CREATED,
                     .user_id = id,
                     .username = input.username(),
                     .actor_id = actor.user_id,
                     .peer = actor.peer,
                     .detail = absl::StrCat("role ", v1::Role_Name(input.role()),
                                            input.team().empty() ? "" : ", team " + input.team())},
                    now));
    CRM_RETURN_IF_ERROR(events::Append(
        tx, {.type = "auth.user.created", .resource = result.name(), .actor = EventActor(actor)},
        result));
    return db::RecordResult(tx, key, result.SerializeAsString());
  }));
  return result;
}

absl::StatusOr<v1::User> AuthStore::LoadUserForUpdate(db::Transaction& tx, int64_t id,
                                                      int64_t* version) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kSelectUserForUpdate, {id}));
  if (rows.empty()) return UserNotFound(id);
  *version = rows[0].Int(1);
  return UserFromRow(rows[0]);
}

absl::StatusOr<v1::User> AuthStore::UpdateUser(int64_t id, std::optional<int64_t> expected_version,
                                               const UserMutation& mutate, v1::AuditAction action,
                                               const Actor& actor, const db::IdempotencyKey& key) {
  v1::User result;
  CRM_RETURN_IF_ERROR(db::InIdempotentTransaction(pool_, [&](db::Transaction& tx) -> absl::Status {
    CRM_ASSIGN_OR_RETURN(bool replayed, db::Replay(tx, key, &result));
    if (replayed) return absl::OkStatus();
    int64_t version = 0;
    CRM_ASSIGN_OR_RETURN(v1::User current, LoadUserForUpdate(tx, id, &version));
    CRM_RETURN_IF_ERROR(CheckVersion(current.name(), current.etag(), expected_version));
    v1::User updated = current;
    CRM_RETURN_IF_ERROR(mutate(updated));
    std::vector<std::string> changed = api::ChangedPaths(current, updated);
    if (updated.team() != current.team()) CRM_RETURN_IF_ERROR(CheckTeamExists(tx, updated.team()));

    absl::Time now = absl::Now();
    CRM_RETURN_IF_ERROR(
        tx.Execute(sql::kUpdateUser,
                   {updated.display_name(), updated.email(), int64_t{updated.role()},
                    NullableId(IdOf(updated.team(), kTeams)), int64_t{updated.active() ? 1 : 0},
                    db::FormatDateTime(now), id})
            .status());
    const bool claims_changed = updated.role() != current.role() ||
                                updated.team() != current.team() ||
                                updated.active() != current.active();
    std::string detail = ChangedUserFields(current, updated);
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
      CRM_RETURN_IF_ERROR(RevokeUserSessions(
          tx, id, "", action == v1::USER_DISABLED ? "user disabled" : "user changed: " + detail,
          actor, now));
    }
    updated.set_etag(api::EtagFromVersion(version + 1));
    *updated.mutable_update_time() = ToTimestamp(now);
    CRM_RETURN_IF_ERROR(events::Append(tx,
                                       {.type = "auth.user.updated",
                                        .resource = updated.name(),
                                        .actor = EventActor(actor),
                                        .changed_paths = std::move(changed)},
                                       updated));
    CRM_RETURN_IF_ERROR(db::RecordResult(tx, key, updated.SerializeAsString()));
    result = std::move(updated);
    return absl::OkStatus();
  }));
  return result;
}

absl::Status AuthStore::SetPassword(int64_t id, std::string_view password_hash,
                                    std::string_view keep_session, std::string_view detail,
                                    const Actor& actor, const db::IdempotencyKey& key) {
  return db::InIdempotentTransaction(pool_, [&](db::Transaction& tx) -> absl::Status {
    google::protobuf::Empty empty;
    CRM_ASSIGN_OR_RETURN(bool replayed, db::Replay(tx, key, &empty));
    if (replayed) return absl::OkStatus();
    CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kSelectUserForPassword, {id}));
    if (rows.empty()) return UserNotFound(id);
    absl::Time now = absl::Now();
    CRM_RETURN_IF_ERROR(
        tx.Execute(sql::kSetPassword, {std::string(password_hash), db::FormatDateTime(now), id})
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
    CRM_RETURN_IF_ERROR(RevokeUserSessions(tx, id, keep_session, "password changed", actor, now));
    return db::RecordResult(tx, key, empty.SerializeAsString());
  });
}

absl::StatusOr<bool> AuthStore::HasActiveAdmin() {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session->Query(sql::kCountActiveAdmins, {int64_t{v1::ADMIN}}));
  return !rows.empty() && rows[0].Int(0) > 0;
}

absl::StatusOr<v1::User> AuthStore::EnsureAdmin(std::string_view username,
                                                std::string_view display_name,
                                                std::string_view password_hash, bool restore) {
  int64_t id = 0;
  CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    absl::Time now = absl::Now();
    std::string now_text = db::FormatDateTime(now);
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
      CRM_RETURN_IF_ERROR(RevokeUserSessions(tx, id, "", "bootstrap admin reset", system, now));
    }
    CRM_ASSIGN_OR_RETURN(
        db::Rows user,
        tx.Query(absl::StrCat(sql::kSelectUsers, " FROM users u WHERE u.id = ?"), {id}));
    if (user.empty()) return absl::InternalError("bootstrap admin vanished");
    v1::User snapshot = UserFromRow(user[0]);
    return events::Append(tx,
                          {.type = rows.empty() ? "auth.user.created" : "auth.user.updated",
                           .resource = snapshot.name(),
                           .actor = EventActor(system)},
                          snapshot);
  }));
  return GetUser(id);
}

// --- Teams -------------------------------------------------------------------------------

absl::StatusOr<v1::Team> AuthStore::LoadTeam(db::Session& session, int64_t id, bool for_update,
                                             int64_t* version) {
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      session.Query(for_update ? sql::kSelectTeamForUpdate : sql::kSelectTeamById, {id}));
  if (rows.empty()) return TeamNotFound(id);
  if (version != nullptr) *version = rows[0].Int(1);
  v1::Team team = TeamFromRow(rows[0]);
  CRM_ASSIGN_OR_RETURN(db::Rows members, session.Query(sql::kSelectTeamMembers, {id}));
  for (const auto& m : members) team.add_members(api::ResourceName(kUsers, m.Int(0)));
  return team;
}

absl::StatusOr<v1::Team> AuthStore::GetTeam(int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return LoadTeam(*session, id, /*for_update=*/false, nullptr);
}

absl::StatusOr<AuthStore::TeamPage> AuthStore::ListTeams(const std::vector<db::Value>* after,
                                                         int page_size) {
  static const std::vector<api::OrderTerm> kOrder = {{"", "t.id", false}};
  TeamPage page;
  std::vector<db::Row> rows;
  CRM_RETURN_IF_ERROR(ReadPage(pool_,
                               absl::StrCat(sql::kSelectTeams, ", t.id FROM teams t WHERE TRUE"),
                               {}, kOrder, after, page_size, sql::kTeamColumnCount, TeamFromRow,
                               &page.teams, &page.last_key, &page.has_more, &rows));
  if (rows.empty()) return page;
  // The page is a contiguous run of team ids, so one range read finds every member.
  const int64_t first = rows.front().Int(0), last = rows.back().Int(0);
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows members,
                       session->Query(sql::kSelectMembersOfTeamRange, {first, last}));
  absl::flat_hash_map<int64_t, v1::Team*> by_id;
  for (size_t i = 0; i < rows.size(); ++i) by_id[rows[i].Int(0)] = &page.teams[i];
  for (const auto& m : members) {
    if (auto it = by_id.find(m.Int(0)); it != by_id.end()) {
      it->second->add_members(api::ResourceName(kUsers, m.Int(1)));
    }
  }
  return page;
}

absl::StatusOr<v1::Team> AuthStore::CreateTeam(const v1::Team& input, const Actor& actor,
                                               const db::IdempotencyKey& key) {
  v1::Team result;
  CRM_RETURN_IF_ERROR(db::InIdempotentTransaction(pool_, [&](db::Transaction& tx) -> absl::Status {
    CRM_ASSIGN_OR_RETURN(bool replayed, db::Replay(tx, key, &result));
    if (replayed) return absl::OkStatus();
    CRM_RETURN_IF_ERROR(CheckUserExists(tx, input.manager()));
    absl::Time now = absl::Now();
    std::string now_text = db::FormatDateTime(now);
    const int64_t manager_id = IdOf(input.manager(), kUsers);
    absl::StatusOr<db::Rows> rows = tx.Query(
        sql::kInsertTeam, {input.display_name(), NullableId(manager_id), now_text, now_text});
    if (IsDuplicate(rows.status())) {
      return Error(absl::StatusCode::kAlreadyExists, "TEAM_NAME_TAKEN",
                   absl::StrCat("a team named \"", input.display_name(), "\" exists"));
    }
    CRM_RETURN_IF_ERROR(rows.status());
    if (rows->empty()) return absl::InternalError("insert returned no id");
    int64_t id = (*rows)[0].Int(0);
    result = input;
    result.set_name(api::ResourceName(kTeams, id));
    result.clear_members();
    result.set_etag(api::EtagFromVersion(1));
    *result.mutable_create_time() = ToTimestamp(now);
    *result.mutable_update_time() = result.create_time();
    CRM_RETURN_IF_ERROR(
        AppendAudit(tx,
                    {.action = v1::TEAM_CHANGED,
                     .user_id = manager_id,
                     .actor_id = actor.user_id,
                     .peer = actor.peer,
                     .detail = absl::StrCat("created ", result.name(), " \"", result.display_name(),
                                            "\" manager \"", result.manager(), "\"")},
                    now));
    // The manager's tokens list the teams they manage.
    if (manager_id != 0) {
      CRM_RETURN_IF_ERROR(
          RevokeUserSessions(tx, manager_id, "", "now manages " + result.name(), actor, now));
    }
    CRM_RETURN_IF_ERROR(events::Append(
        tx, {.type = "auth.team.changed", .resource = result.name(), .actor = EventActor(actor)},
        result));
    return db::RecordResult(tx, key, result.SerializeAsString());
  }));
  return result;
}

absl::StatusOr<v1::Team> AuthStore::UpdateTeam(int64_t id, std::optional<int64_t> expected_version,
                                               const TeamMutation& mutate, const Actor& actor,
                                               const db::IdempotencyKey& key) {
  v1::Team result;
  CRM_RETURN_IF_ERROR(db::InIdempotentTransaction(pool_, [&](db::Transaction& tx) -> absl::Status {
    CRM_ASSIGN_OR_RETURN(bool replayed, db::Replay(tx, key, &result));
    if (replayed) return absl::OkStatus();
    int64_t version = 0;
    CRM_ASSIGN_OR_RETURN(v1::Team current, LoadTeam(tx, id, /*for_update=*/true, &version));
    CRM_RETURN_IF_ERROR(CheckVersion(current.name(), current.etag(), expected_version));
    v1::Team updated = current;
    CRM_RETURN_IF_ERROR(mutate(updated));
    std::vector<std::string> changed = api::ChangedPaths(current, updated);
    const bool manager_changed = updated.manager() != current.manager();
    if (manager_changed) CRM_RETURN_IF_ERROR(CheckUserExists(tx, updated.manager()));
    absl::Time now = absl::Now();
    absl::Status written =
        tx.Execute(sql::kUpdateTeam,
                   {updated.display_name(), NullableId(IdOf(updated.manager(), kUsers)),
                    db::FormatDateTime(now), id})
            .status();
    if (IsDuplicate(written)) {
      return Error(absl::StatusCode::kAlreadyExists, "TEAM_NAME_TAKEN",
                   absl::StrCat("a team named \"", updated.display_name(), "\" exists"));
    }
    CRM_RETURN_IF_ERROR(written);
    std::vector<std::string> changes;
    if (updated.display_name() != current.display_name()) changes.push_back("display_name");
    if (manager_changed) {
      changes.push_back(
          absl::StrCat("manager \"", current.manager(), "\" -> \"", updated.manager(), "\""));
    }
    CRM_RETURN_IF_ERROR(AppendAudit(
        tx,
        {.action = v1::TEAM_CHANGED,
         .user_id = IdOf(updated.manager(), kUsers),
         .actor_id = actor.user_id,
         .peer = actor.peer,
         .detail = absl::StrCat("updated ", updated.name(), ": ",
                                changes.empty() ? "no change" : absl::StrJoin(changes, ", "))},
        now));
    if (manager_changed) {
      // Both tokens list managed teams: the old manager must lose the team now, the new
      // one gets it at the next login.
      for (const std::string& manager : {current.manager(), updated.manager()}) {
        if (manager.empty()) continue;
        CRM_RETURN_IF_ERROR(RevokeUserSessions(tx, IdOf(manager, kUsers), "",
                                               "manager of " + updated.name() + " changed", actor,
                                               now));
      }
    }
    updated.set_etag(api::EtagFromVersion(version + 1));
    *updated.mutable_update_time() = ToTimestamp(now);
    CRM_RETURN_IF_ERROR(events::Append(tx,
                                       {.type = "auth.team.changed",
                                        .resource = updated.name(),
                                        .actor = EventActor(actor),
                                        .changed_paths = std::move(changed)},
                                       updated));
    CRM_RETURN_IF_ERROR(db::RecordResult(tx, key, updated.SerializeAsString()));
    result = std::move(updated);
    return absl::OkStatus();
  }));
  return result;
}

// --- Sessions ----------------------------------------------------------------------------

absl::Status AuthStore::CreateSession(const Credentials& user, std::string_view session_id,
                                      std::string_view refresh_hash, absl::Time refresh_expire,
                                      std::string_view peer) {
  return pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    absl::Time now = absl::Now();
    std::string now_text = db::FormatDateTime(now);
    std::string expire_text = db::FormatDateTime(refresh_expire);
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kInsertSession,
                                   {std::string(session_id), user.user_id, now_text, expire_text})
                            .status());
    CRM_RETURN_IF_ERROR(
        tx.Execute(sql::kInsertRefreshToken,
                   {std::string(refresh_hash), std::string(session_id), now_text, expire_text})
            .status());
    return AppendAudit(tx,
                       {.action = v1::LOGIN_SUCCEEDED,
                        .user_id = user.user_id,
                        .username = user.username,
                        .peer = std::string(peer),
                        .session_id = std::string(session_id)},
                       now);
  });
}

absl::StatusOr<AuthStore::Refreshed> AuthStore::RotateRefreshToken(std::string_view old_hash,
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
    const absl::Time expire = ToTime(tokens[0].Str(2));
    CRM_ASSIGN_OR_RETURN(db::Rows sessions,
                         tx.Query(sql::kSelectSessionForUpdate, {result.session_id}));
    if (sessions.empty() || !sessions[0].IsNull(1)) return invalid;
    result.user_id = sessions[0].Int(0);
    CRM_ASSIGN_OR_RETURN(db::Rows users, tx.Query(sql::kSelectCredentialsById, {result.user_id}));
    if (users.empty()) return invalid;
    const std::string username = users[0].Str(1);
    const bool active = users[0].Int(3) != 0;
    absl::Time now = absl::Now();
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
      return RevokeInTransaction(tx, result.session_id, result.user_id, "refresh token reused",
                                 actor, now);
    }
    if (expire <= now || !active) return invalid;
    std::string now_text = db::FormatDateTime(now);
    std::string expire_text = db::FormatDateTime(new_expire);
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

absl::Status AuthStore::RevokeInTransaction(db::Transaction& tx, std::string_view session_id,
                                            int64_t user_id, std::string_view reason,
                                            const Actor& actor, absl::Time now) {
  std::string now_text = db::FormatDateTime(now);
  CRM_ASSIGN_OR_RETURN(
      uint64_t changed,
      tx.Execute(sql::kRevokeSession, {now_text, Truncate(reason, 64), std::string(session_id)}));
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

absl::Status AuthStore::RevokeUserSessions(db::Transaction& tx, int64_t user_id,
                                           std::string_view keep_session, std::string_view reason,
                                           const Actor& actor, absl::Time now) {
  // A session whose refresh token expired may still have an unexpired access token.
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       tx.Query(sql::kSelectLiveSessionsOfUser,
                                {user_id, db::FormatDateTime(now - options_.revocation_keep)}));
  for (const auto& row : rows) {
    if (row.Str(0) == keep_session) continue;
    CRM_RETURN_IF_ERROR(RevokeInTransaction(tx, row.Str(0), user_id, reason, actor, now));
  }
  return absl::OkStatus();
}

absl::Status AuthStore::RevokeSession(std::string_view session_id, int64_t user_id,
                                      std::string_view reason, const Actor& actor) {
  return pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    return RevokeInTransaction(tx, session_id, user_id, reason, actor, absl::Now());
  });
}

absl::StatusOr<std::vector<AuthStore::Revocation>> AuthStore::ListRevocations(
    int64_t after_sequence, int limit) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      session->Query(sql::kSelectRevocations,
                     {after_sequence, db::FormatDateTime(absl::Now()), int64_t{limit}}));
  std::vector<Revocation> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    out.push_back({row.Int(0), row.Str(1), ToTime(row.Str(2)), ToTime(row.Str(3))});
  }
  return out;
}

// --- Throttling and audit ----------------------------------------------------------------

namespace {
absl::StatusOr<std::optional<absl::Time>> NthNewestFailure(db::Pool& pool, const char* query,
                                                           std::string_view key, absl::Time since,
                                                           int n) {
  if (n <= 0) return std::optional<absl::Time>(since);
  CRM_ASSIGN_OR_RETURN(auto session, pool.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session->Query(query, {std::string(key), db::FormatDateTime(since),
                                              int64_t{n - 1}}));
  if (rows.empty()) return std::optional<absl::Time>();
  return std::optional<absl::Time>(ToTime(rows[0].Str(0)));
}
}  // namespace

absl::StatusOr<std::optional<absl::Time>> AuthStore::NthNewestFailureForUser(
    std::string_view username, absl::Time since, int n) {
  return NthNewestFailure(pool_, sql::kNthFailureForUser, Truncate(username, 64), since, n);
}

absl::StatusOr<std::optional<absl::Time>> AuthStore::NthNewestFailureForPeer(std::string_view peer,
                                                                             absl::Time since,
                                                                             int n) {
  return NthNewestFailure(pool_, sql::kNthFailureForPeer, Truncate(peer, kMaxPeer), since, n);
}

absl::StatusOr<std::optional<absl::Time>> AuthStore::LastSuccessForUser(std::string_view username,
                                                                        absl::Time since) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      session->Query(sql::kLastSuccessForUser, {std::string(username), int64_t{v1::LOGIN_SUCCEEDED},
                                                db::FormatDateTime(since)}));
  if (rows.empty() || rows[0].IsNull(0)) return std::optional<absl::Time>();
  return std::optional<absl::Time>(ToTime(rows[0].Str(0)));
}

absl::StatusOr<int64_t> AuthStore::BeginLoginAttempt(std::string_view username,
                                                     std::string_view peer,
                                                     absl::Time prune_before) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  // A little housekeeping on the way: rows older than the window no longer count.
  CRM_RETURN_IF_ERROR(
      session->Execute(sql::kPruneLoginAttempts, {db::FormatDateTime(prune_before)}).status());
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      session->Query(sql::kInsertLoginAttempt, {Truncate(username, 64), Truncate(peer, kMaxPeer),
                                                db::FormatDateTime(absl::Now())}));
  if (rows.empty()) return absl::InternalError("insert returned no id");
  return rows[0].Int(0);
}

absl::Status AuthStore::ForgetLoginAttempt(int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return session->Execute(sql::kDeleteLoginAttempt, {id}).status();
}

absl::Status AuthStore::Audit(const AuditEntry& entry) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return AppendAudit(*session, entry, absl::Now());
}

absl::StatusOr<AuthStore::AuditPage> AuthStore::ListAudit(const api::SqlFragment& filter,
                                                          const std::vector<db::Value>* after,
                                                          int page_size) {
  static const std::vector<api::OrderTerm> kOrder = {{"", "a.sequence", true}};
  AuditPage page;
  CRM_RETURN_IF_ERROR(ReadPage(
      pool_,
      absl::StrCat(sql::kSelectAudit, ", a.sequence FROM audit_events a WHERE (", filter.sql, ")"),
      filter.params, kOrder, after, page_size, sql::kAuditColumnCount, AuditFromRow, &page.events,
      &page.last_key, &page.has_more));
  return page;
}

// --- Signing keys ------------------------------------------------------------------------

absl::StatusOr<std::vector<StoredKey>> AuthStore::PublishedKeys() {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kSelectPublishedKeys, {}));
  std::vector<StoredKey> keys;
  for (const auto& row : rows) keys.push_back(KeyFromRow(row));
  return keys;
}

absl::Status AuthStore::InsertKey(const StoredKey& key) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return session
      ->Execute(sql::kInsertKey,
                {key.kid, key.encrypted_pem, key.public_pem, db::FormatDateTime(key.create_time)})
      .status();
}

absl::Status AuthStore::RotateKey(const StoredKey& key, const Actor& actor,
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
                                    absl::Now()));
    response->Clear();
    response->set_kid(key.kid);
    response->set_algorithm("EdDSA");
    response->set_public_key_pem(key.public_pem);
    *response->mutable_create_time() = ToTimestamp(key.create_time);
    response->set_current(true);
    return db::RecordResult(tx, idem, response->SerializeAsString());
  });
}

}  // namespace crm::auth_service
