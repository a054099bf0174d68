// What the auth stores share: who acted, the row mapping of users, teams, audit events and
// signing keys (each SELECT list beside the function that reads it), and the small checks
// every write makes. One copy, so a column added to a table is mapped in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "crm/auth/v1/auth.pb.h"
#include "libs/api/query.h"
#include "libs/db/db.h"

namespace crm::auth_service {

namespace v1 = ::crm::auth::v1;

// Who acted and from where, for the audit trail. user_id 0 means nobody (a login, or the
// service itself at start-up).
struct Actor {
  int64_t user_id = 0;
  std::string peer;
};

// Who an outbox event names as its actor: the user who acted, or the auth service itself
// (start-up's bootstrap admin).
std::string EventActor(const Actor& actor);

// A signing key row: the private key only in its encrypted form.
struct StoredKey {
  std::string kid;
  std::string encrypted_pem;
  std::string public_pem;
  absl::Time create_time;
};

inline constexpr char kUsers[] = "users";
inline constexpr char kTeams[] = "teams";
// Column widths of the audit and attempt tables (schema/001_auth.sql).
inline constexpr size_t kMaxUsername = 64;
inline constexpr size_t kMaxPeer = 64;
inline constexpr size_t kMaxDetail = 512;

// The SELECT lists the mappers below read, in their order. A user's last column lists the
// teams they manage.
#define CRM_AUTH_USER_COLUMNS                                                           \
  "u.id, u.version, u.username, u.display_name, u.email, u.role, u.team_id, u.active, " \
  "u.create_time, u.update_time, "                                                      \
  "(SELECT GROUP_CONCAT(mt.id ORDER BY mt.id) FROM teams mt WHERE mt.manager_id = u.id)"
inline constexpr size_t kUserColumnCount = 11;
#define CRM_AUTH_TEAM_COLUMNS \
  "t.id, t.version, t.display_name, t.manager_id, t.create_time, t.update_time"
inline constexpr size_t kTeamColumnCount = 6;
#define CRM_AUTH_AUDIT_COLUMNS                                                              \
  "a.sequence, a.time, a.action, a.user_id, a.username, a.actor_id, a.peer, a.session_id, " \
  "a.detail"
inline constexpr size_t kAuditColumnCount = 9;
#define CRM_AUTH_KEY_COLUMNS "kid, encrypted_pem, public_pem, create_time"

v1::User UserFromRow(const db::Row& row);
v1::Team TeamFromRow(const db::Row& row);
v1::AuditEvent AuditFromRow(const db::Row& row);
StoredKey KeyFromRow(const db::Row& row);

// NOT_FOUND, USER_NOT_FOUND / TEAM_NOT_FOUND.
absl::Status UserNotFound(int64_t id);
absl::Status TeamNotFound(int64_t id);
// ABORTED ETAG_MISMATCH unless `expected` is unset or is the version behind `etag`.
absl::Status CheckVersion(std::string_view name, std::string_view etag,
                          std::optional<int64_t> expected);
// Whether a write failed on a unique key.
bool IsDuplicate(const absl::Status& status);

// A DATETIME(6) column as a time (the infinite past when it does not parse).
absl::Time TimeFromDateTime(const std::string& datetime);
// 0 as NULL (no user, no team).
db::Value NullableId(int64_t id);
// "teams/7" -> 7, "" -> 0 (validated before it gets here).
int64_t IdOf(std::string_view name, std::string_view collection);
// Cuts UTF-8 text to at most `max` bytes without splitting a character.
std::string Truncate(std::string_view text, size_t max);

// One keyset page of `query`, whose SELECT list has `columns` columns followed by the
// order columns: the mapped rows in `out`, and the raw rows in `rows_out` when given.
template <typename T>
struct PageOf {
  std::vector<T> items;
  std::vector<db::Value> last_key;
  bool has_more = false;
};
template <typename T, typename Map>
absl::StatusOr<PageOf<T>> ReadPage(db::Pool& pool, std::string query, std::vector<db::Value> params,
                                   const std::vector<api::OrderTerm>& order,
                                   const std::vector<db::Value>* after, int page_size,
                                   size_t columns, Map map,
                                   std::vector<db::Row>* rows_out = nullptr) {
  api::AppendPageClauses(query, params, order, after, page_size);
  auto session = pool.Borrow();
  if (!session.ok()) return session.status();
  absl::StatusOr<db::Rows> rows = (*session)->Query(query, params);
  if (!rows.ok()) return rows.status();
  PageOf<T> page;
  page.has_more = api::TakePage(*rows, page_size, order, columns, &page.last_key);
  for (const auto& row : *rows) page.items.push_back(map(row));
  if (rows_out != nullptr) *rows_out = std::move(*rows);
  return page;
}

}  // namespace crm::auth_service
