#include "services/auth/audit_store.h"

#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"
#include "libs/records/page.h"

namespace crm::auth_service {
namespace sql {

constexpr char kInsertAudit[] =
    "INSERT INTO audit_events (time, action, user_id, username, actor_id, peer, session_id, "
    "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kSelectAudit[] = "SELECT " CRM_AUTH_AUDIT_COLUMNS;
constexpr char kFromAudit[] = " FROM audit_events a WHERE TRUE";
constexpr char kLastSuccessForUser[] =
    "SELECT MAX(time) FROM audit_events WHERE username = ? AND action = ? AND time > ?";

constexpr char kInsertLoginAttempt[] =
    "INSERT INTO login_attempts (username, peer, time) VALUES (?, ?, ?) RETURNING id";
constexpr char kDeleteLoginAttempt[] = "DELETE FROM login_attempts WHERE id = ?";
constexpr char kPruneLoginAttempts[] = "DELETE FROM login_attempts WHERE time < ? LIMIT 100";
constexpr char kNthFailureForUser[] =
    "SELECT time FROM login_attempts WHERE username = ? AND time > ? "
    "ORDER BY time DESC LIMIT 1 OFFSET ?";
constexpr char kNthFailureForPeer[] =
    "SELECT time FROM login_attempts WHERE peer = ? AND time > ? "
    "ORDER BY time DESC LIMIT 1 OFFSET ?";

}  // namespace sql

absl::Status AppendAudit(db::Session& session, const AuditEntry& e, absl::Time now) {
  return session
      .Execute(sql::kInsertAudit,
               {db::FormatDateTime(now), int64_t{e.action}, NullableId(e.user_id),
                Truncate(e.username, kMaxUsername), NullableId(e.actor_id),
                Truncate(e.peer, kMaxPeer), e.session_id, Truncate(e.detail, kMaxDetail)})
      .status();
}

const api::ResourceFields& AuditStore::Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "action",
           .type = api::FieldType::kEnum,
           .column = "a.action",
           .enum_values = api::EnumValues(*v1::AuditAction_descriptor())},
          {.name = "user", .column = "CONCAT('users/', a.user_id)"},
          {.name = "username", .column = "a.username"},
          {.name = "peer", .column = "a.peer"},
          {.name = "time",
           .type = api::FieldType::kTimestamp,
           .column = "a.time",
           .orderable = true},
      },
      "a.sequence");
  return *fields;
}

// --- Sign-in attempts ----------------------------------------------------------------------

absl::StatusOr<int64_t> AuditStore::BeginLoginAttempt(std::string_view username,
                                                      std::string_view peer,
                                                      absl::Time prune_before) {
  {
    // A little housekeeping on the way: rows older than the window no longer count. The
    // prune's range locks can deadlock with a parallel attempt's insert; a prune that loses
    // is left to the next attempt rather than failing this sign-in.
    CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
    absl::Status pruned =
        session->Execute(sql::kPruneLoginAttempts, {db::FormatDateTime(prune_before)}).status();
    if (!pruned.ok() && pruned.code() != absl::StatusCode::kAborted) return pruned;
  }
  // In a transaction of its own so that an insert chosen as a deadlock victim is retried.
  int64_t id = 0;
  CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    CRM_ASSIGN_OR_RETURN(db::Rows rows,
                         tx.Query(sql::kInsertLoginAttempt,
                                  {Truncate(username, kMaxUsername), Truncate(peer, kMaxPeer),
                                   db::FormatDateTime(clock_.Now())}));
    if (rows.empty()) return absl::InternalError("insert returned no id");
    id = rows[0].Int(0);
    return absl::OkStatus();
  }));
  return id;
}

absl::Status AuditStore::ForgetLoginAttempt(int64_t id) {
  return pool_.InTransaction([&](db::Transaction& tx) {
    return tx.Execute(sql::kDeleteLoginAttempt, {id}).status();
  });
}

absl::StatusOr<std::optional<absl::Time>> AuditStore::NthNewestFailure(const char* query,
                                                                       std::string_view key,
                                                                       absl::Time since, int n) {
  if (n <= 0) return std::optional<absl::Time>(since);
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      session->Query(query, {std::string(key), db::FormatDateTime(since), int64_t{n - 1}}));
  if (rows.empty()) return std::optional<absl::Time>();
  return std::optional<absl::Time>(TimeFromDateTime(rows[0].Str(0)));
}

absl::StatusOr<std::optional<absl::Time>> AuditStore::NthNewestFailureForUser(
    std::string_view username, absl::Time since, int n) {
  return NthNewestFailure(sql::kNthFailureForUser, Truncate(username, kMaxUsername), since, n);
}

absl::StatusOr<std::optional<absl::Time>> AuditStore::NthNewestFailureForPeer(std::string_view peer,
                                                                              absl::Time since,
                                                                              int n) {
  return NthNewestFailure(sql::kNthFailureForPeer, Truncate(peer, kMaxPeer), since, n);
}

absl::StatusOr<std::optional<absl::Time>> AuditStore::LastSuccessForUser(std::string_view username,
                                                                         absl::Time since) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      session->Query(sql::kLastSuccessForUser, {std::string(username), int64_t{v1::LOGIN_SUCCEEDED},
                                                db::FormatDateTime(since)}));
  if (rows.empty() || rows[0].IsNull(0)) return std::optional<absl::Time>();
  return std::optional<absl::Time>(TimeFromDateTime(rows[0].Str(0)));
}

// --- The audit trail -----------------------------------------------------------------------

absl::Status AuditStore::Audit(const AuditEntry& entry) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return AppendAudit(*session, entry, clock_.Now());
}

absl::StatusOr<api::Page<v1::AuditEvent>> AuditStore::ListAudit(const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return records::ListPage<v1::AuditEvent>(*session, sql::kSelectAudit, kAuditColumnCount,
                                           sql::kFromAudit, {}, query, AuditFromRow);
}

}  // namespace crm::auth_service
