#include "services/auth/admin.h"

#include <set>

#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/base/hash.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/auth/password.h"
#include "services/auth/validation.h"

namespace crm::auth_service {
namespace {

// What UpdateUser / UpdateTeam may change; "*" means all of these.
const std::set<std::string>& UserUpdatablePaths() {
  static const auto* paths =
      new std::set<std::string>{"display_name", "email", "role", "team", "active"};
  return *paths;
}
const std::set<std::string>& TeamUpdatablePaths() {
  static const auto* paths = new std::set<std::string>{"display_name", "manager"};
  return *paths;
}

Actor ActorOf(const Caller& caller) {
  return Actor{.user_id = caller.principal.user_id, .peer = caller.peer};
}

// Team names and managers are for everyone (apps show them); who is in a team only for
// admins and the team's own manager, the same people who may list those users.
void HideMembersFrom(const auth::Principal& principal, v1::Team& team) {
  if (principal.Is(v1::ADMIN) || (!principal.user.empty() && team.manager() == principal.user)) {
    return;
  }
  team.clear_members();
}

}  // namespace

Administration::Administration(AuthStores& stores, KeyRing& keys,
                               const api::PageTokenCodec& page_tokens, const auth::Policy& policy,
                               AdminOptions options)
    : stores_(stores),
      keys_(keys),
      page_tokens_(page_tokens),
      policy_(policy),
      options_(std::move(options)),
      user_list_{.fields = &UserStore::Fields(),
                 .default_order = "",
                 .default_page_size = options_.default_page_size,
                 .max_page_size = options_.max_page_size},
      audit_list_{.fields = &AuditStore::Fields(),
                  .default_order = AuditStore::kNewestFirst,
                  .default_page_size = options_.default_page_size,
                  .max_page_size = options_.max_page_size} {}

UserScope Administration::ScopeOf(const auth::Principal& principal) const {
  // A service reaches a user read only when the policy table names it for the method (it
  // looks people up for its own work, e.g. activities finding a rep's manager): all users.
  return UserScope{.all = principal.Is(v1::ADMIN) || principal.IsService(),
                   .self = principal.user_id,
                   .managed_team_members = principal.Is(v1::SALES_MANAGER)};
}

std::string Administration::PasswordFingerprint(std::string_view password) const {
  return HmacSha256Hex(options_.idempotency_secret, password);
}

absl::StatusOr<int> Administration::PageSize(int requested) const {
  return api::EffectivePageSize(requested, options_.default_page_size, options_.max_page_size);
}

// --- Users ---------------------------------------------------------------------------------

absl::Status Administration::CreateUser(const Caller& caller, const v1::CreateUserRequest& request,
                                        v1::User* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kCreateUser));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_user()) return InvalidField("user", "is required");
  v1::User user = request.user();
  // Output-only fields are the server's to set.
  user.clear_name();
  user.clear_etag();
  user.clear_create_time();
  user.clear_update_time();
  user.clear_managed_teams();
  user.set_active(true);
  CRM_RETURN_IF_ERROR(NormalizeAndValidateUser(user, "user"));
  CRM_RETURN_IF_ERROR(CheckPasswordRules(request.password(), user.username(), "password"));
  CRM_ASSIGN_OR_RETURN(std::string hash, HashPassword(request.password()));
  v1::CreateUserRequest fingerprinted = request;
  fingerprinted.set_password(PasswordFingerprint(request.password()));
  CRM_ASSIGN_OR_RETURN(*response, stores_.users.CreateUser(user, hash, ActorOf(caller),
                                                           db::KeyFor("CreateUser", fingerprinted,
                                                                      caller.principal.user)));
  return absl::OkStatus();
}

absl::Status Administration::GetUser(const Caller& caller, const v1::GetUserRequest& request,
                                     v1::User* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kGetUser));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), "users", "name"));
  CRM_ASSIGN_OR_RETURN(*response, stores_.users.GetUser(id, ScopeOf(caller.principal)));
  return absl::OkStatus();
}

absl::Status Administration::ListUsers(const Caller& caller, const v1::ListUsersRequest& request,
                                       v1::ListUsersResponse* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kListUsers));
  // Tokens are bound to the caller: what they may see decides the rows.
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request.page_size(), request.filter(), /*order_by=*/"",
                                        request.page_token(), user_list_, page_tokens_,
                                        caller.principal.ActingName()));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::User> page,
                       stores_.users.ListUsers(query, ScopeOf(caller.principal)));
  for (auto& u : page.items) *response->add_users() = std::move(u);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status Administration::UpdateUser(const Caller& caller, const v1::UpdateUserRequest& request,
                                        v1::User* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kUpdateUser));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(
      const api::UpdateTarget target,
      api::ParseUpdateTarget(request.has_user(), request.user(), request.has_update_mask(),
                             request.update_mask(), "users", "user", UserUpdatablePaths()));
  auto mutate = [&](v1::User& current) -> absl::Status {
    CRM_RETURN_IF_ERROR(
        api::ApplyFieldMask(request.update_mask(), request.user(), &current, UserUpdatablePaths()));
    return NormalizeAndValidateUser(current, "user");
  };
  CRM_ASSIGN_OR_RETURN(
      *response,
      stores_.users.UpdateUser(target.id, target.version, mutate, v1::USER_UPDATED, ActorOf(caller),
                               db::KeyFor("UpdateUser", request, caller.principal.user)));
  return absl::OkStatus();
}

absl::Status Administration::DisableUser(const Caller& caller,
                                         const v1::DisableUserRequest& request,
                                         v1::User* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kDisableUser));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), "users", "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, api::OptionalVersion(request.etag()));
  auto disable = [](v1::User& user) -> absl::Status {
    user.set_active(false);
    return absl::OkStatus();
  };
  CRM_ASSIGN_OR_RETURN(*response, stores_.users.UpdateUser(
                                      id, version, disable, v1::USER_DISABLED, ActorOf(caller),
                                      db::KeyFor("DisableUser", request, caller.principal.user)));
  return absl::OkStatus();
}

absl::Status Administration::SetUserPassword(const Caller& caller,
                                             const v1::SetUserPasswordRequest& request) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kSetUserPassword));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), "users", "name"));
  CRM_ASSIGN_OR_RETURN(v1::User user, stores_.users.GetUser(id));
  CRM_RETURN_IF_ERROR(CheckPasswordRules(request.password(), user.username(), "password"));
  CRM_ASSIGN_OR_RETURN(std::string hash, HashPassword(request.password()));
  v1::SetUserPasswordRequest fingerprinted = request;
  fingerprinted.set_password(PasswordFingerprint(request.password()));
  return stores_.users.SetPassword(
      id, hash, "", "set by an administrator", ActorOf(caller),
      db::KeyFor("SetUserPassword", fingerprinted, caller.principal.user));
}

// --- Teams ---------------------------------------------------------------------------------

absl::Status Administration::CreateTeam(const Caller& caller, const v1::CreateTeamRequest& request,
                                        v1::Team* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kCreateTeam));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_team()) return InvalidField("team", "is required");
  v1::Team team = request.team();
  team.clear_name();
  team.clear_etag();
  team.clear_members();
  team.clear_create_time();
  team.clear_update_time();
  CRM_RETURN_IF_ERROR(NormalizeAndValidateTeam(team, "team"));
  CRM_ASSIGN_OR_RETURN(*response, stores_.teams.CreateTeam(
                                      team, ActorOf(caller),
                                      db::KeyFor("CreateTeam", request, caller.principal.user)));
  return absl::OkStatus();
}

absl::Status Administration::GetTeam(const Caller& caller, const v1::GetTeamRequest& request,
                                     v1::Team* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kGetTeam));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), "teams", "name"));
  CRM_ASSIGN_OR_RETURN(*response, stores_.teams.GetTeam(id));
  HideMembersFrom(caller.principal, *response);
  return absl::OkStatus();
}

absl::Status Administration::ListTeams(const Caller& caller, const v1::ListTeamsRequest& request,
                                       v1::ListTeamsResponse* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kListTeams));
  CRM_ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  const std::string binding = api::PageBinding("", "", caller.principal.user);
  CRM_ASSIGN_OR_RETURN(auto after,
                       api::DecodePageToken(page_tokens_, request.page_token(), binding, 1));
  CRM_ASSIGN_OR_RETURN(TeamStore::TeamPage page,
                       stores_.teams.ListTeams(after ? &*after : nullptr, page_size));
  for (auto& t : page.items) {
    HideMembersFrom(caller.principal, t);
    *response->add_teams() = std::move(t);
  }
  if (page.has_more) response->set_next_page_token(page_tokens_.Encode(binding, page.last_key));
  return absl::OkStatus();
}

absl::Status Administration::UpdateTeam(const Caller& caller, const v1::UpdateTeamRequest& request,
                                        v1::Team* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kUpdateTeam));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(
      const api::UpdateTarget target,
      api::ParseUpdateTarget(request.has_team(), request.team(), request.has_update_mask(),
                             request.update_mask(), "teams", "team", TeamUpdatablePaths()));
  auto mutate = [&](v1::Team& current) -> absl::Status {
    CRM_RETURN_IF_ERROR(
        api::ApplyFieldMask(request.update_mask(), request.team(), &current, TeamUpdatablePaths()));
    return NormalizeAndValidateTeam(current, "team");
  };
  CRM_ASSIGN_OR_RETURN(*response, stores_.teams.UpdateTeam(
                                      target.id, target.version, mutate, ActorOf(caller),
                                      db::KeyFor("UpdateTeam", request, caller.principal.user)));
  return absl::OkStatus();
}

// --- Audit and keys ------------------------------------------------------------------------

absl::Status Administration::ListAuditEvents(const Caller& caller,
                                             const v1::ListAuditEventsRequest& request,
                                             v1::ListAuditEventsResponse* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kListAuditEvents));
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request.page_size(), request.filter(), /*order_by=*/"",
                                        request.page_token(), audit_list_, page_tokens_,
                                        caller.principal.user));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::AuditEvent> page, stores_.audit.ListAudit(query));
  for (auto& e : page.items) *response->add_events() = std::move(e);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status Administration::RotateSigningKey(const Caller& caller,
                                              const v1::RotateSigningKeyRequest& request,
                                              v1::PublicKey* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kRotateSigningKey));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(
      *response, keys_.Rotate(ActorOf(caller),
                              db::KeyFor("RotateSigningKey", request, caller.principal.user)));
  return absl::OkStatus();
}

absl::Status Administration::ListServiceAccounts(const Caller& caller,
                                                 const v1::ListServiceAccountsRequest&,
                                                 v1::ListServiceAccountsResponse* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kListServiceAccounts));
  CRM_ASSIGN_OR_RETURN(std::vector<v1::ServiceAccount> accounts, stores_.service_accounts.List());
  for (auto& account : accounts) *response->add_service_accounts() = std::move(account);
  return absl::OkStatus();
}

}  // namespace crm::auth_service
