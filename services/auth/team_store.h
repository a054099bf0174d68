// SQL for teams. A team's members are the users whose team it is (set on the user); its
// manager's tokens list the teams they manage, so a change of manager revokes the sessions
// it concerns in the same transaction as the change, its audit row and its outbox event.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"
#include "services/auth/rows.h"
#include "services/auth/session_store.h"

namespace crm::auth_service {

class TeamStore final {
 public:
  TeamStore(db::Pool& pool, const Clock& clock, SessionStore& sessions)
      : pool_(pool), clock_(clock), sessions_(sessions) {}

  // NOT_FOUND (TEAM_NOT_FOUND).
  absl::StatusOr<v1::Team> GetTeam(int64_t id);
  using TeamPage = PageOf<v1::Team>;
  absl::StatusOr<TeamPage> ListTeams(const std::vector<db::Value>* after, int page_size);
  // ALREADY_EXISTS (TEAM_NAME_TAKEN), NOT_FOUND (USER_NOT_FOUND for the manager). A new
  // manager's sessions are revoked (their token lists the teams they manage).
  absl::StatusOr<v1::Team> CreateTeam(const v1::Team& team, const Actor& actor,
                                      const db::IdempotencyKey& key);
  // Locks the team, checks `expected_version` (ABORTED ETAG_MISMATCH), lets `mutate` change
  // it and writes it back; a change of manager revokes the old and the new manager's
  // sessions.
  using TeamMutation = std::function<absl::Status(v1::Team&)>;
  absl::StatusOr<v1::Team> UpdateTeam(int64_t id, std::optional<int64_t> expected_version,
                                      const TeamMutation& mutate, const Actor& actor,
                                      const db::IdempotencyKey& key);

 private:
  absl::StatusOr<v1::Team> LoadTeam(db::Session& session, int64_t id, bool for_update,
                                    int64_t* version);

  db::Pool& pool_;
  const Clock& clock_;
  SessionStore& sessions_;
};

}  // namespace crm::auth_service
