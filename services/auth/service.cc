#include "services/auth/service.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/api/resource.h"
#include "libs/auth/token.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/peer.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"
#include "services/auth/password.h"
#include "services/auth/validation.h"

namespace crm::auth_service {
namespace {

constexpr char kDomain[] = "auth.crm";
constexpr size_t kMaxRefreshTokenLength = 256;
constexpr int kMaxRevocationsPage = 1000;
constexpr char kBootstrapAdmin[] = "admin";
constexpr char kBootstrapAdminDisplayName[] = "Administrator";

// Full method names: the keys of the policy table.
#define CRM_AUTH_METHOD(name) "/crm.auth.v1.AuthService/" #name
constexpr char kLogin[] = CRM_AUTH_METHOD(Login);
constexpr char kRefreshToken[] = CRM_AUTH_METHOD(RefreshToken);
constexpr char kLogout[] = CRM_AUTH_METHOD(Logout);
constexpr char kChangePassword[] = CRM_AUTH_METHOD(ChangePassword);
constexpr char kGetCurrentUser[] = CRM_AUTH_METHOD(GetCurrentUser);
constexpr char kGetPublicKeys[] = CRM_AUTH_METHOD(GetPublicKeys);
constexpr char kListRevokedSessions[] = CRM_AUTH_METHOD(ListRevokedSessions);
constexpr char kRotateSigningKey[] = CRM_AUTH_METHOD(RotateSigningKey);
constexpr char kCreateUser[] = CRM_AUTH_METHOD(CreateUser);
constexpr char kGetUser[] = CRM_AUTH_METHOD(GetUser);
constexpr char kListUsers[] = CRM_AUTH_METHOD(ListUsers);
constexpr char kUpdateUser[] = CRM_AUTH_METHOD(UpdateUser);
constexpr char kDisableUser[] = CRM_AUTH_METHOD(DisableUser);
constexpr char kSetUserPassword[] = CRM_AUTH_METHOD(SetUserPassword);
constexpr char kCreateTeam[] = CRM_AUTH_METHOD(CreateTeam);
constexpr char kGetTeam[] = CRM_AUTH_METHOD(GetTeam);
constexpr char kListTeams[] = CRM_AUTH_METHOD(ListTeams);
constexpr char kUpdateTeam[] = CRM_AUTH_METHOD(UpdateTeam);
constexpr char kListAuditEvents[] = CRM_AUTH_METHOD(ListAuditEvents);
#undef CRM_AUTH_METHOD

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

absl::Status InvalidCredentials() {
  return Error(absl::StatusCode::kUnauthenticated, "INVALID_CREDENTIALS",
               "the username or password is wrong, or the user is disabled");
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

// An address as 4 or 16 bytes, or "" when `text` is not one.
std::string AddressBytes(const std::string& text) {
  unsigned char buf[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, text.c_str(), buf) == 1) return std::string(buf, buf + 4);
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) return std::string(buf, buf + 16);
  return "";
}

// Whether `address` is one of `entries`: single addresses ("127.0.0.1") or ranges in CIDR
// form ("10.0.0.0/8", "fd00::/8"), since proxies in a cluster have no fixed address.
bool IsTrustedProxy(const std::string& address, const std::vector<std::string>& entries) {
  const std::string bytes = AddressBytes(address);
  if (bytes.empty()) return false;
  for (const std::string& entry : entries) {
    const size_t slash = entry.find('/');
    const std::string network = AddressBytes(entry.substr(0, slash));
    if (network.size() != bytes.size()) continue;
    int prefix = static_cast<int>(bytes.size()) * 8;
    if (slash != std::string::npos &&
        (!absl::SimpleAtoi(entry.substr(slash + 1), &prefix) || prefix < 0 ||
         prefix > static_cast<int>(bytes.size()) * 8)) {
      continue;
    }
    bool match = true;
    for (int bit = 0; bit < prefix && match; ++bit) {
      const int mask = 0x80 >> (bit % 8);
      match = (bytes[bit / 8] & mask) == (network[bit / 8] & mask);
    }
    if (match) return true;
  }
  return false;
}


}  // namespace

std::string ClientPeer(std::string_view grpc_peer, std::string_view forwarded_for,
                       const std::vector<std::string>& trusted_proxies) {
  std::string direct = PeerAddress(grpc_peer);
  // Unix sockets and the like: as gRPC names them.
  if (direct.empty()) direct = std::string(grpc_peer);
  if (!forwarded_for.empty() && IsTrustedProxy(direct, trusted_proxies)) {
    std::string first(
        absl::StripAsciiWhitespace(std::string(forwarded_for.substr(0, forwarded_for.find(',')))));
    if (!AddressBytes(first).empty()) return first;
  }
  return direct;
}

AuthService::AuthService(AuthStore& store, KeyRing& keys, Executor& executor,
                         const api::PageTokenCodec& tokens, const auth::Authorizer& authorizer,
                         ServiceOptions options)
    : store_(store),
      keys_(keys),
      executor_(executor),
      tokens_(tokens),
      authorizer_(authorizer),
      options_(std::move(options)) {
  DummyPasswordHash();  // made now, so the first unknown-user login costs no more than others
}

absl::Status AuthService::Allow(const Caller& caller, std::string_view method) const {
  if (authorizer_.policy().PublicAtService(method)) return absl::OkStatus();
  return authorizer_.policy().Check(caller.principal, method);
}

UserScope AuthService::ScopeOf(const auth::Principal& principal) const {
  return UserScope{.all = principal.Is(v1::ADMIN),
                   .self = principal.user_id,
                   .managed_team_members = principal.Is(v1::SALES_MANAGER)};
}

std::string AuthService::PasswordFingerprint(std::string_view password) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), options_.idempotency_secret.data(),
       static_cast<int>(options_.idempotency_secret.size()),
       reinterpret_cast<const unsigned char*>(password.data()), password.size(), mac, &length);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(mac), length));
}

absl::StatusOr<AuthService::Bootstrap> AuthService::BootstrapAdmin(std::string password,
                                                                   bool restore) {
  CRM_ASSIGN_OR_RETURN(bool has_admin, store_.HasActiveAdmin());
  if (has_admin) return Bootstrap{};
  Bootstrap result{.created = true};
  if (password.empty()) {
    password = auth::RandomToken(18);
    result.generated_password = password;
  }
  CRM_RETURN_IF_ERROR(CheckPasswordRules(password, kBootstrapAdmin, "admin_password"));
  CRM_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  CRM_RETURN_IF_ERROR(
      store_.EnsureAdmin(kBootstrapAdmin, kBootstrapAdminDisplayName, hash, restore).status());
  return result;
}

// --- Sign-in and sessions ----------------------------------------------------------------

bool AuthService::ShouldAuditThrottle(std::string_view username, std::string_view peer,
                                      absl::Time now) {
  // One audit row per user and address a minute: a client hammering Login while throttled
  // must not turn every refused call into a database write.
  constexpr absl::Duration kEvery = absl::Minutes(1);
  const std::string key = absl::StrCat(std::string(username), "\n", std::string(peer));
  absl::MutexLock lock(&throttle_audit_mu_);
  // Forgetting everything only costs an extra audit row per pair; a scan per call under
  // attack would cost more.
  if (throttle_audited_.size() > 10000) throttle_audited_.clear();
  auto [it, inserted] = throttle_audited_.try_emplace(key, now);
  if (!inserted && now - it->second < kEvery) return false;
  it->second = now;
  return true;
}

absl::StatusOr<int64_t> AuthService::BeginAttempt(std::string_view username,
                                                  std::string_view peer) {
  // Recorded before the throttle is checked and before the password is hashed, so guesses
  // sent in parallel see each other; a refused attempt is forgotten again (it guessed
  // nothing), a successful one too.
  CRM_ASSIGN_OR_RETURN(
      const int64_t attempt,
      store_.BeginLoginAttempt(username, peer, absl::Now() - options_.login_failure_window));
  if (absl::Status throttled = CheckThrottle(username, peer); !throttled.ok()) {
    if (absl::Status forgot = store_.ForgetLoginAttempt(attempt); !forgot.ok()) {
      log::Warn("could not forget a refused sign-in attempt", {{"error", forgot.ToString()}});
    }
    return throttled;
  }
  return attempt;
}

absl::Status AuthService::CheckThrottle(std::string_view username, std::string_view peer) {
  const absl::Time now = absl::Now();
  const absl::Time window_start = now - options_.login_failure_window;
  // A success resets the user's count (the peer's is not reset: one address trying many
  // accounts is the attack it limits).
  CRM_ASSIGN_OR_RETURN(std::optional<absl::Time> last_success,
                       store_.LastSuccessForUser(username, window_start));
  // The caller's own attempt is already recorded (BeginAttempt), hence one more than the
  // limit: `limit` earlier failures and this attempt.
  CRM_ASSIGN_OR_RETURN(std::optional<absl::Time> user_limit,
                       store_.NthNewestFailureForUser(username, last_success.value_or(window_start),
                                                      options_.login_max_failures_per_user + 1));
  CRM_ASSIGN_OR_RETURN(
      std::optional<absl::Time> peer_limit,
      store_.NthNewestFailureForPeer(peer, window_start, options_.login_max_failures_per_peer + 1));
  if (!user_limit && !peer_limit) return absl::OkStatus();

  // Calls succeed again once the failure that reached the limit leaves the window.
  absl::Duration delay = absl::Seconds(1);
  for (const auto& t : {user_limit, peer_limit}) {
    if (t) delay = std::max(delay, *t + options_.login_failure_window - now);
  }
  delay = absl::Ceil(delay, absl::Seconds(1));
  if (ShouldAuditThrottle(username, peer, now)) {
    CRM_RETURN_IF_ERROR(store_.Audit(
      {.action = v1::LOGIN_THROTTLED,
       .username = std::string(username),
       .peer = std::string(peer),
       .detail = user_limit && peer_limit ? "too many failed logins for this user and peer"
                 : user_limit             ? "too many failed logins for this user"
                                          : "too many failed logins from this peer"}));
  }
  return WithRetryDelay(Error(absl::StatusCode::kResourceExhausted, "LOGIN_THROTTLED",
                              absl::StrCat("too many failed sign-in attempts; retry in ",
                                           absl::ToInt64Seconds(delay), " s")),
                        delay);
}

absl::Status AuthService::IssueTokens(int64_t user_id, const std::string& session_id,
                                      const std::string& refresh_token, absl::Time refresh_expire,
                                      v1::LoginResponse* response) {
  // Claims are read now, so a refreshed token carries the current role and teams.
  CRM_ASSIGN_OR_RETURN(v1::User user, store_.GetUser(user_id));
  CRM_ASSIGN_OR_RETURN(std::shared_ptr<const auth::SigningKey> key, keys_.Current());
  const absl::Time now = absl::Now();
  auth::Principal principal;
  principal.user_id = user_id;
  principal.user = user.name();
  principal.username = user.username();
  principal.role = user.role();
  principal.team = user.team();
  principal.managed_teams.assign(user.managed_teams().begin(), user.managed_teams().end());
  principal.session_id = session_id;
  CRM_ASSIGN_OR_RETURN(std::string access_token,
                       key->Sign(principal, now, options_.access_token_ttl));
  response->set_access_token(std::move(access_token));
  response->set_refresh_token(refresh_token);
  response->set_expires_in(absl::ToInt64Seconds(options_.access_token_ttl));
  response->set_refresh_expires_in(
      std::max<int64_t>(0, absl::ToInt64Seconds(refresh_expire - now)));
  *response->mutable_user() = std::move(user);
  return absl::OkStatus();
}

absl::Status AuthService::DoLogin(const Caller& caller, const v1::LoginRequest& request,
                                  v1::LoginResponse* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kLogin));
  Violations violations;
  if (request.username().empty()) violations.Add("username", "is required");
  if (request.password().empty()) violations.Add("password", "is required");
  if (request.password().size() > static_cast<size_t>(Limits::kPasswordMax)) {
    violations.Add("password", "must be at most 1024 bytes");
  }
  CRM_RETURN_IF_ERROR(violations.ToStatus("invalid login"));

  const std::string username = AuditUsername(request.username());
  CRM_ASSIGN_OR_RETURN(const int64_t attempt, BeginAttempt(username, caller.peer));

  // IsValidUsername: an escaped name never matches a stored one; skip the lookup.
  std::optional<Credentials> user;
  if (IsValidUsername(username)) {
    CRM_ASSIGN_OR_RETURN(user, store_.FindCredentials(username));
  }
  // The hash is checked in every case, so that the three failures take the same time.
  const bool password_ok =
      VerifyPassword(user ? user->password_hash : DummyPasswordHash(), request.password());
  if (!user || !password_ok || !user->active) {
    CRM_RETURN_IF_ERROR(store_.Audit({.action = v1::LOGIN_FAILED,
                                      .user_id = user ? user->user_id : 0,
                                      .username = username,
                                      .peer = caller.peer,
                                      .detail = !user          ? "unknown user"
                                                : !password_ok ? "wrong password"
                                                               : "user disabled"}));
    return InvalidCredentials();
  }
  CRM_RETURN_IF_ERROR(store_.ForgetLoginAttempt(attempt));
  if (NeedsRehash(user->password_hash)) {
    if (auto rehashed = HashPassword(request.password()); rehashed.ok()) {
      if (auto st = store_.UpgradePasswordHash(user->user_id, user->password_hash, *rehashed);
          !st.ok()) {
        log::Warn("could not upgrade a password hash", {{"error", st.ToString()}});
      }
    }
  }

  const std::string session_id = auth::RandomToken(24);
  const std::string refresh_token = auth::RandomToken(32);
  const absl::Time refresh_expire = absl::Now() + options_.refresh_token_ttl;
  CRM_RETURN_IF_ERROR(store_.CreateSession(*user, session_id, Sha256Hex(refresh_token),
                                           refresh_expire, caller.peer));
  return IssueTokens(user->user_id, session_id, refresh_token, refresh_expire, response);
}

absl::Status AuthService::DoRefreshToken(const Caller& caller,
                                         const v1::RefreshTokenRequest& request,
                                         v1::LoginResponse* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kRefreshToken));
  if (request.refresh_token().empty()) return InvalidField("refresh_token", "is required");
  if (request.refresh_token().size() > kMaxRefreshTokenLength) {
    return Error(absl::StatusCode::kUnauthenticated, "INVALID_REFRESH_TOKEN",
                 "the refresh token is unknown, expired or revoked: log in again");
  }
  const std::string next = auth::RandomToken(32);
  const absl::Time expire = absl::Now() + options_.refresh_token_ttl;
  CRM_ASSIGN_OR_RETURN(AuthStore::Refreshed refreshed,
                       store_.RotateRefreshToken(Sha256Hex(request.refresh_token()),
                                                 Sha256Hex(next), expire, caller.peer));
  return IssueTokens(refreshed.user_id, refreshed.session_id, next, expire, response);
}

absl::Status AuthService::DoLogout(const Caller& caller) {
  CRM_RETURN_IF_ERROR(Allow(caller, kLogout));
  const auth::Principal& p = caller.principal;
  if (p.session_id.empty()) return absl::OkStatus();
  return store_.RevokeSession(p.session_id, p.user_id, "logout",
                              Actor{.user_id = p.user_id, .peer = caller.peer});
}

absl::Status AuthService::DoChangePassword(const Caller& caller,
                                           const v1::ChangePasswordRequest& request) {
  CRM_RETURN_IF_ERROR(Allow(caller, kChangePassword));
  const auth::Principal& p = caller.principal;
  if (request.current_password().empty()) {
    return InvalidField("current_password", "is required");
  }
  if (request.current_password().size() > static_cast<size_t>(Limits::kPasswordMax)) {
    return InvalidField("current_password", "must be at most 1024 bytes");
  }
  CRM_RETURN_IF_ERROR(CheckPasswordRules(request.new_password(), p.username, "new_password"));
  if (request.new_password() == request.current_password()) {
    return WeakPassword("new_password", "must differ from the current password");
  }
  // A stolen access token must not become a way to guess the password: the same
  // throttle as Login, and failures count toward it.
  CRM_ASSIGN_OR_RETURN(const int64_t attempt, BeginAttempt(p.username, caller.peer));
  CRM_ASSIGN_OR_RETURN(std::optional<Credentials> user, store_.CredentialsById(p.user_id));
  const bool password_ok =
      VerifyPassword(user ? user->password_hash : DummyPasswordHash(), request.current_password());
  if (!user || !password_ok || !user->active) {
    CRM_RETURN_IF_ERROR(store_.Audit({.action = v1::LOGIN_FAILED,
                                      .user_id = p.user_id,
                                      .username = p.username,
                                      .peer = caller.peer,
                                      .session_id = p.session_id,
                                      .detail = "wrong current password (ChangePassword)"}));
    return InvalidCredentials();
  }
  CRM_RETURN_IF_ERROR(store_.ForgetLoginAttempt(attempt));
  CRM_ASSIGN_OR_RETURN(std::string hash, HashPassword(request.new_password()));
  return store_.SetPassword(p.user_id, hash, p.session_id, "changed by the user",
                            Actor{.user_id = p.user_id, .peer = caller.peer}, db::IdempotencyKey{});
}

absl::Status AuthService::DoGetCurrentUser(const Caller& caller, v1::User* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kGetCurrentUser));
  CRM_ASSIGN_OR_RETURN(*response, store_.GetUser(caller.principal.user_id));
  return absl::OkStatus();
}

// --- Keys and revocations ----------------------------------------------------------------

absl::Status AuthService::DoGetPublicKeys(const Caller& caller,
                                          v1::GetPublicKeysResponse* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kGetPublicKeys));
  CRM_ASSIGN_OR_RETURN(std::vector<v1::PublicKey> keys, keys_.Published());
  for (auto& key : keys) *response->add_keys() = std::move(key);
  return absl::OkStatus();
}

absl::Status AuthService::DoListRevokedSessions(const Caller& caller,
                                                const v1::ListRevokedSessionsRequest& request,
                                                v1::ListRevokedSessionsResponse* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kListRevokedSessions));
  if (request.after_sequence() < 0) return InvalidField("after_sequence", "must not be negative");
  CRM_ASSIGN_OR_RETURN(
      int page_size,
      api::EffectivePageSize(request.page_size(), kMaxRevocationsPage, kMaxRevocationsPage));
  CRM_ASSIGN_OR_RETURN(std::vector<v1::RevokedSession> sessions,
                       RevocationsAfter(store_, request.after_sequence(), page_size));
  for (auto& s : sessions) *response->add_sessions() = std::move(s);
  return absl::OkStatus();
}

absl::Status AuthService::DoRotateSigningKey(const Caller& caller,
                                             const v1::RotateSigningKeyRequest& request,
                                             v1::PublicKey* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kRotateSigningKey));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(*response,
                       keys_.Rotate(Actor{.user_id = caller.principal.user_id, .peer = caller.peer},
                                    db::KeyFor("RotateSigningKey", request, caller.principal.user)));
  return absl::OkStatus();
}

// --- Users -------------------------------------------------------------------------------

absl::Status AuthService::DoCreateUser(const Caller& caller, const v1::CreateUserRequest& request,
                                       v1::User* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kCreateUser));
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
  CRM_ASSIGN_OR_RETURN(
      *response,
      store_.CreateUser(user, hash, Actor{.user_id = caller.principal.user_id, .peer = caller.peer},
                        db::KeyFor("CreateUser", fingerprinted, caller.principal.user)));
  return absl::OkStatus();
}

absl::Status AuthService::DoGetUser(const Caller& caller, const v1::GetUserRequest& request,
                                    v1::User* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kGetUser));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), "users", "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.GetUser(id, ScopeOf(caller.principal)));
  return absl::OkStatus();
}

absl::Status AuthService::DoListUsers(const Caller& caller, const v1::ListUsersRequest& request,
                                      v1::ListUsersResponse* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kListUsers));
  CRM_ASSIGN_OR_RETURN(int page_size,
                       api::EffectivePageSize(request.page_size(), options_.default_page_size,
                                              options_.max_page_size));
  CRM_ASSIGN_OR_RETURN(api::SqlFragment filter,
                       api::CompileFilter(request.filter(), AuthStore::UserFields()));
  const std::string binding = api::PageBinding(request.filter(), "", caller.principal.user);
  CRM_ASSIGN_OR_RETURN(auto after, api::DecodePageToken(tokens_, request.page_token(), binding, 1));
  CRM_ASSIGN_OR_RETURN(
      AuthStore::UserPage page,
      store_.ListUsers(filter, ScopeOf(caller.principal), after ? &*after : nullptr, page_size));
  for (auto& u : page.users) *response->add_users() = std::move(u);
  if (page.has_more) response->set_next_page_token(tokens_.Encode(binding, page.last_key));
  return absl::OkStatus();
}

absl::Status AuthService::DoUpdateUser(const Caller& caller, const v1::UpdateUserRequest& request,
                                       v1::User* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kUpdateUser));
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
      *response, store_.UpdateUser(target.id, target.version, mutate, v1::USER_UPDATED,
                                   Actor{.user_id = caller.principal.user_id, .peer = caller.peer},
                                   db::KeyFor("UpdateUser", request, caller.principal.user)));
  return absl::OkStatus();
}

absl::Status AuthService::DoDisableUser(const Caller& caller, const v1::DisableUserRequest& request,
                                        v1::User* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kDisableUser));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), "users", "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, api::OptionalVersion(request.etag()));
  auto disable = [](v1::User& user) -> absl::Status {
    user.set_active(false);
    return absl::OkStatus();
  };
  CRM_ASSIGN_OR_RETURN(
      *response, store_.UpdateUser(id, version, disable, v1::USER_DISABLED,
                                   Actor{.user_id = caller.principal.user_id, .peer = caller.peer},
                                   db::KeyFor("DisableUser", request, caller.principal.user)));
  return absl::OkStatus();
}

absl::Status AuthService::DoSetUserPassword(const Caller& caller,
                                            const v1::SetUserPasswordRequest& request) {
  CRM_RETURN_IF_ERROR(Allow(caller, kSetUserPassword));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), "users", "name"));
  CRM_ASSIGN_OR_RETURN(v1::User user, store_.GetUser(id));
  CRM_RETURN_IF_ERROR(CheckPasswordRules(request.password(), user.username(), "password"));
  CRM_ASSIGN_OR_RETURN(std::string hash, HashPassword(request.password()));
  v1::SetUserPasswordRequest fingerprinted = request;
  fingerprinted.set_password(PasswordFingerprint(request.password()));
  return store_.SetPassword(id, hash, "", "set by an administrator",
                            Actor{.user_id = caller.principal.user_id, .peer = caller.peer},
                            db::KeyFor("SetUserPassword", fingerprinted, caller.principal.user));
}

// --- Teams -------------------------------------------------------------------------------

absl::Status AuthService::DoCreateTeam(const Caller& caller, const v1::CreateTeamRequest& request,
                                       v1::Team* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kCreateTeam));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_team()) return InvalidField("team", "is required");
  v1::Team team = request.team();
  team.clear_name();
  team.clear_etag();
  team.clear_members();
  team.clear_create_time();
  team.clear_update_time();
  CRM_RETURN_IF_ERROR(NormalizeAndValidateTeam(team, "team"));
  CRM_ASSIGN_OR_RETURN(
      *response,
      store_.CreateTeam(team, Actor{.user_id = caller.principal.user_id, .peer = caller.peer},
                        db::KeyFor("CreateTeam", request, caller.principal.user)));
  return absl::OkStatus();
}

namespace {

// Team names and managers are for everyone (apps show them); who is in a team only for
// admins and the team's own manager, the same people who may list those users.
void HideMembersFrom(const auth::Principal& principal, v1::Team& team) {
  if (principal.Is(v1::ADMIN) || (!principal.user.empty() && team.manager() == principal.user)) {
    return;
  }
  team.clear_members();
}

}  // namespace

absl::Status AuthService::DoGetTeam(const Caller& caller, const v1::GetTeamRequest& request,
                                    v1::Team* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kGetTeam));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), "teams", "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.GetTeam(id));
  HideMembersFrom(caller.principal, *response);
  return absl::OkStatus();
}

absl::Status AuthService::DoListTeams(const Caller& caller, const v1::ListTeamsRequest& request,
                                      v1::ListTeamsResponse* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kListTeams));
  CRM_ASSIGN_OR_RETURN(int page_size,
                       api::EffectivePageSize(request.page_size(), options_.default_page_size,
                                              options_.max_page_size));
  const std::string binding = api::PageBinding("", "", caller.principal.user);
  CRM_ASSIGN_OR_RETURN(auto after, api::DecodePageToken(tokens_, request.page_token(), binding, 1));
  CRM_ASSIGN_OR_RETURN(AuthStore::TeamPage page,
                       store_.ListTeams(after ? &*after : nullptr, page_size));
  for (auto& t : page.teams) {
    HideMembersFrom(caller.principal, t);
    *response->add_teams() = std::move(t);
  }
  if (page.has_more) response->set_next_page_token(tokens_.Encode(binding, page.last_key));
  return absl::OkStatus();
}

absl::Status AuthService::DoUpdateTeam(const Caller& caller, const v1::UpdateTeamRequest& request,
                                       v1::Team* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kUpdateTeam));
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
  CRM_ASSIGN_OR_RETURN(
      *response, store_.UpdateTeam(target.id, target.version, mutate,
                                   Actor{.user_id = caller.principal.user_id, .peer = caller.peer},
                                   db::KeyFor("UpdateTeam", request, caller.principal.user)));
  return absl::OkStatus();
}

// --- Audit -------------------------------------------------------------------------------

absl::Status AuthService::DoListAuditEvents(const Caller& caller,
                                            const v1::ListAuditEventsRequest& request,
                                            v1::ListAuditEventsResponse* response) {
  CRM_RETURN_IF_ERROR(Allow(caller, kListAuditEvents));
  CRM_ASSIGN_OR_RETURN(int page_size,
                       api::EffectivePageSize(request.page_size(), options_.default_page_size,
                                              options_.max_page_size));
  CRM_ASSIGN_OR_RETURN(api::SqlFragment filter,
                       api::CompileFilter(request.filter(), AuthStore::AuditFields()));
  const std::string binding = api::PageBinding(request.filter(), "", caller.principal.user);
  CRM_ASSIGN_OR_RETURN(auto after, api::DecodePageToken(tokens_, request.page_token(), binding, 1));
  CRM_ASSIGN_OR_RETURN(AuthStore::AuditPage page,
                       store_.ListAudit(filter, after ? &*after : nullptr, page_size));
  for (auto& e : page.events) *response->add_events() = std::move(e);
  if (page.has_more) response->set_next_page_token(tokens_.Encode(binding, page.last_key));
  return absl::OkStatus();
}

// --- The RPC edge ------------------------------------------------------------------------

template <typename Handler>
grpc::ServerUnaryReactor* AuthService::Serve(grpc::CallbackServerContext* ctx,
                                             std::string_view method, Handler handler) {
  return RunAuthorized(ctx, executor_, kDomain, CallerOf(*ctx, method), std::move(handler));
}

absl::StatusOr<Caller> AuthService::CallerOf(const grpc::CallbackServerContext& ctx,
                                            std::string_view method) const {
  CRM_ASSIGN_OR_RETURN(auth::Principal principal, authorizer_.Authorize(ctx, method));
  std::string_view forwarded;
  const auto& metadata = ctx.client_metadata();
  if (auto it = metadata.find("x-forwarded-for"); it != metadata.end()) {
    forwarded = std::string_view(it->second.data(), it->second.size());
  }
  return Caller{std::move(principal), ClientPeer(ctx.peer(), forwarded, options_.trusted_proxies)};
}

grpc::ServerUnaryReactor* AuthService::Login(grpc::CallbackServerContext* ctx,
                                             const v1::LoginRequest* request,
                                             v1::LoginResponse* response) {
  return Serve(ctx, kLogin, [=, this](const Caller& c) { return DoLogin(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::RefreshToken(grpc::CallbackServerContext* ctx,
                                                    const v1::RefreshTokenRequest* request,
                                                    v1::LoginResponse* response) {
  return Serve(ctx, kRefreshToken,
               [=, this](const Caller& c) { return DoRefreshToken(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::Logout(grpc::CallbackServerContext* ctx,
                                              const v1::LogoutRequest*, google::protobuf::Empty*) {
  return Serve(ctx, kLogout, [this](const Caller& c) { return DoLogout(c); });
}

grpc::ServerUnaryReactor* AuthService::ChangePassword(grpc::CallbackServerContext* ctx,
                                                      const v1::ChangePasswordRequest* request,
                                                      google::protobuf::Empty*) {
  return Serve(ctx, kChangePassword,
               [=, this](const Caller& c) { return DoChangePassword(c, *request); });
}

grpc::ServerUnaryReactor* AuthService::GetCurrentUser(grpc::CallbackServerContext* ctx,
                                                      const v1::GetCurrentUserRequest*,
                                                      v1::User* response) {
  return Serve(ctx, kGetCurrentUser,
               [=, this](const Caller& c) { return DoGetCurrentUser(c, response); });
}

grpc::ServerUnaryReactor* AuthService::GetPublicKeys(grpc::CallbackServerContext* ctx,
                                                     const v1::GetPublicKeysRequest*,
                                                     v1::GetPublicKeysResponse* response) {
  return Serve(ctx, kGetPublicKeys,
               [=, this](const Caller& c) { return DoGetPublicKeys(c, response); });
}

grpc::ServerUnaryReactor* AuthService::ListRevokedSessions(
    grpc::CallbackServerContext* ctx, const v1::ListRevokedSessionsRequest* request,
    v1::ListRevokedSessionsResponse* response) {
  return Serve(ctx, kListRevokedSessions,
               [=, this](const Caller& c) { return DoListRevokedSessions(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::RotateSigningKey(grpc::CallbackServerContext* ctx,
                                                        const v1::RotateSigningKeyRequest* request,
                                                        v1::PublicKey* response) {
  return Serve(ctx, kRotateSigningKey,
               [=, this](const Caller& c) { return DoRotateSigningKey(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::CreateUser(grpc::CallbackServerContext* ctx,
                                                  const v1::CreateUserRequest* request,
                                                  v1::User* response) {
  return Serve(ctx, kCreateUser,
               [=, this](const Caller& c) { return DoCreateUser(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::GetUser(grpc::CallbackServerContext* ctx,
                                               const v1::GetUserRequest* request,
                                               v1::User* response) {
  return Serve(ctx, kGetUser,
               [=, this](const Caller& c) { return DoGetUser(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::ListUsers(grpc::CallbackServerContext* ctx,
                                                 const v1::ListUsersRequest* request,
                                                 v1::ListUsersResponse* response) {
  return Serve(ctx, kListUsers,
               [=, this](const Caller& c) { return DoListUsers(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::UpdateUser(grpc::CallbackServerContext* ctx,
                                                  const v1::UpdateUserRequest* request,
                                                  v1::User* response) {
  return Serve(ctx, kUpdateUser,
               [=, this](const Caller& c) { return DoUpdateUser(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::DisableUser(grpc::CallbackServerContext* ctx,
                                                   const v1::DisableUserRequest* request,
                                                   v1::User* response) {
  return Serve(ctx, kDisableUser,
               [=, this](const Caller& c) { return DoDisableUser(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::SetUserPassword(grpc::CallbackServerContext* ctx,
                                                       const v1::SetUserPasswordRequest* request,
                                                       google::protobuf::Empty*) {
  return Serve(ctx, kSetUserPassword,
               [=, this](const Caller& c) { return DoSetUserPassword(c, *request); });
}

grpc::ServerUnaryReactor* AuthService::CreateTeam(grpc::CallbackServerContext* ctx,
                                                  const v1::CreateTeamRequest* request,
                                                  v1::Team* response) {
  return Serve(ctx, kCreateTeam,
               [=, this](const Caller& c) { return DoCreateTeam(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::GetTeam(grpc::CallbackServerContext* ctx,
                                               const v1::GetTeamRequest* request,
                                               v1::Team* response) {
  return Serve(ctx, kGetTeam,
               [=, this](const Caller& c) { return DoGetTeam(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::ListTeams(grpc::CallbackServerContext* ctx,
                                                 const v1::ListTeamsRequest* request,
                                                 v1::ListTeamsResponse* response) {
  return Serve(ctx, kListTeams,
               [=, this](const Caller& c) { return DoListTeams(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::UpdateTeam(grpc::CallbackServerContext* ctx,
                                                  const v1::UpdateTeamRequest* request,
                                                  v1::Team* response) {
  return Serve(ctx, kUpdateTeam,
               [=, this](const Caller& c) { return DoUpdateTeam(c, *request, response); });
}

grpc::ServerUnaryReactor* AuthService::ListAuditEvents(grpc::CallbackServerContext* ctx,
                                                       const v1::ListAuditEventsRequest* request,
                                                       v1::ListAuditEventsResponse* response) {
  return Serve(ctx, kListAuditEvents,
               [=, this](const Caller& c) { return DoListAuditEvents(c, *request, response); });
}

}  // namespace crm::auth_service
