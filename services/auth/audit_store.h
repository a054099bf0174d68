// SQL for the sign-in attempts that throttling counts and for the audit trail. Audit rows of
// a state change are written by its own store inside its transaction (AppendAudit); this
// store writes the ones that stand alone (failed logins, refused calls) and reads the trail.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/api/list.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "services/auth/rows.h"

namespace crm::auth_service {

// One audit row. Zero ids are stored as NULL; text is cut to the column widths.
struct AuditEntry {
  v1::AuditAction action = v1::AUDIT_ACTION_UNSPECIFIED;
  int64_t user_id = 0;
  std::string username;
  int64_t actor_id = 0;
  std::string peer;
  std::string session_id;
  std::string detail;
};

// Writes `entry` at `now` in the caller's session or transaction.
absl::Status AppendAudit(db::Session& session, const AuditEntry& entry, absl::Time now);

class AuditStore final {
 public:
  AuditStore(db::Pool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

  // The filter whitelist of ListAuditEvents.
  static const api::ResourceFields& Fields();

  // --- Sign-in attempts ----------------------------------------------------------------

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

  // --- The audit trail -----------------------------------------------------------------

  // One row, outside any transaction (login failures must be kept whatever happens).
  absl::Status Audit(const AuditEntry& entry);

  // The order of ListAuditEvents: the newest first (by time, then by the order written).
  static constexpr char kNewestFirst[] = "time desc";
  // One page of the trail, as api::PrepareList made `query`.
  absl::StatusOr<api::Page<v1::AuditEvent>> ListAudit(const api::ListQuery& query);

 private:
  absl::StatusOr<std::optional<absl::Time>> NthNewestFailure(const char* query,
                                                             std::string_view key, absl::Time since,
                                                             int n);

  db::Pool& pool_;
  const Clock& clock_;
};

}  // namespace crm::auth_service
