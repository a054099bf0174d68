#include "services/auth/team_store.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "services/auth/audit_store.h"
#include "services/auth/events.h"
#include "services/auth/user_store.h"

namespace crm::auth_service {
namespace sql {

constexpr char kSelectTeams[] = "SELECT " CRM_AUTH_TEAM_COLUMNS;
constexpr char kSelectTeamById[] = "SELECT " CRM_AUTH_TEAM_COLUMNS " FROM teams t WHERE t.id = ?";
constexpr char kSelectTeamForUpdate[] =
    "SELECT " CRM_AUTH_TEAM_COLUMNS " FROM teams t WHERE t.id = ? FOR UPDATE";
constexpr char kSelectTeamMembers[] = "SELECT id FROM users WHERE team_id = ? ORDER BY id";
constexpr char kSelectMembersOfTeamRange[] =
    "SELECT team_id, id FROM users WHERE team_id BETWEEN ? AND ? ORDER BY team_id, id";
constexpr char kInsertTeam[] =
    "INSERT INTO teams (display_name, manager_id, create_time, update_time) VALUES (?, ?, ?, ?) "
    "RETURNING id";
constexpr char kUpdateTeam[] =
    "UPDATE teams SET display_name = ?, manager_id = ?, update_time = ?, version = version + 1 "
    "WHERE id = ?";

}  // namespace sql

namespace {

absl::Status TeamNameTaken(const v1::Team& team) {
  return Error(absl::StatusCode::kAlreadyExists, "TEAM_NAME_TAKEN",
               absl::StrCat("a team named \"", team.display_name(), "\" exists"));
}

}  // namespace

absl::StatusOr<v1::Team> TeamStore::LoadTeam(db::Session& session, int64_t id, bool for_update,
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

absl::StatusOr<v1::Team> TeamStore::GetTeam(int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return LoadTeam(*session, id, /*for_update=*/false, nullptr);
}

absl::StatusOr<TeamStore::TeamPage> TeamStore::ListTeams(const std::vector<db::Value>* after,
                                                         int page_size) {
  static const std::vector<api::OrderTerm> kOrder = {{"", "t.id", false}};
  std::vector<db::Row> rows;
  CRM_ASSIGN_OR_RETURN(
      TeamPage page,
      ReadPage<v1::Team>(pool_, absl::StrCat(sql::kSelectTeams, ", t.id FROM teams t WHERE TRUE"),
                         {}, kOrder, after, page_size, kTeamColumnCount, TeamFromRow, &rows));
  if (rows.empty()) return page;
  // The page is a contiguous run of team ids, so one range read finds every member.
  const int64_t first = rows.front().Int(0), last = rows.back().Int(0);
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows members,
                       session->Query(sql::kSelectMembersOfTeamRange, {first, last}));
  absl::flat_hash_map<int64_t, v1::Team*> by_id;
  for (size_t i = 0; i < page.items.size(); ++i) by_id[rows[i].Int(0)] = &page.items[i];
  for (const auto& m : members) {
    if (auto it = by_id.find(m.Int(0)); it != by_id.end()) {
      it->second->add_members(api::ResourceName(kUsers, m.Int(1)));
    }
  }
  return page;
}

absl::StatusOr<v1::Team> TeamStore::CreateTeam(const v1::Team& input, const Actor& actor,
                                               const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Team>(
      pool_, key, [&](db::Transaction& tx, v1::Team& result) -> absl::Status {
        CRM_RETURN_IF_ERROR(CheckUserExists(tx, input.manager()));
        const absl::Time now = clock_.Now();
        const std::string now_text = db::FormatDateTime(now);
        const int64_t manager_id = IdOf(input.manager(), kUsers);
        absl::StatusOr<db::Rows> rows = tx.Query(
            sql::kInsertTeam, {input.display_name(), NullableId(manager_id), now_text, now_text});
        if (IsDuplicate(rows.status())) return TeamNameTaken(input);
        CRM_RETURN_IF_ERROR(rows.status());
        if (rows->empty()) return absl::InternalError("insert returned no id");
        const int64_t id = (*rows)[0].Int(0);
        result = input;
        result.set_name(api::ResourceName(kTeams, id));
        result.clear_members();
        result.set_etag(api::EtagFromVersion(1));
        *result.mutable_create_time() = ToTimestamp(now);
        *result.mutable_update_time() = result.create_time();
        CRM_RETURN_IF_ERROR(AppendAudit(
            tx,
            {.action = v1::TEAM_CHANGED,
             .user_id = manager_id,
             .actor_id = actor.user_id,
             .peer = actor.peer,
             .detail = absl::StrCat("created ", result.name(), " \"", result.display_name(),
                                    "\" manager \"", result.manager(), "\"")},
            now));
        // The manager's tokens list the teams they manage.
        if (manager_id != 0) {
          CRM_RETURN_IF_ERROR(sessions_.RevokeUserSessions(
              tx, manager_id, "", "now manages " + result.name(), actor, now));
        }
        CRM_RETURN_IF_ERROR(events::Append(tx,
                                           {.type = event_types::kTeamCreated,
                                            .resource = result.name(),
                                            .actor = EventActor(actor)},
                                           result));
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Team> TeamStore::UpdateTeam(int64_t id, std::optional<int64_t> expected_version,
                                               const TeamMutation& mutate, const Actor& actor,
                                               const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Team>(
      pool_, key, [&](db::Transaction& tx, v1::Team& result) -> absl::Status {
        int64_t version = 0;
        CRM_ASSIGN_OR_RETURN(v1::Team current, LoadTeam(tx, id, /*for_update=*/true, &version));
        CRM_RETURN_IF_ERROR(CheckVersion(current.name(), current.etag(), expected_version));
        v1::Team updated = current;
        CRM_RETURN_IF_ERROR(mutate(updated));
        std::vector<std::string> changed = api::ChangedPaths(current, updated);
        const bool manager_changed = updated.manager() != current.manager();
        if (manager_changed) CRM_RETURN_IF_ERROR(CheckUserExists(tx, updated.manager()));
        const absl::Time now = clock_.Now();
        absl::Status written =
            tx.Execute(sql::kUpdateTeam,
                       {updated.display_name(), NullableId(IdOf(updated.manager(), kUsers)),
                        db::FormatDateTime(now), id})
                .status();
        if (IsDuplicate(written)) return TeamNameTaken(updated);
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
            CRM_RETURN_IF_ERROR(sessions_.RevokeUserSessions(
                tx, IdOf(manager, kUsers), "", "manager of " + updated.name() + " changed", actor,
                now));
          }
        }
        updated.set_etag(api::EtagFromVersion(version + 1));
        *updated.mutable_update_time() = ToTimestamp(now);
        CRM_RETURN_IF_ERROR(events::Append(tx,
                                           {.type = event_types::kTeamUpdated,
                                            .resource = updated.name(),
                                            .actor = EventActor(actor),
                                            .changed_paths = std::move(changed)},
                                           updated));
        result = std::move(updated);
        return absl::OkStatus();
      });
}

}  // namespace crm::auth_service
