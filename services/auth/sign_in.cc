#include "services/auth/sign_in.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/api/query.h"
#include "libs/auth/principal.h"
#include "libs/auth/token.h"
#include "libs/base/hash.h"
#include "libs/base/time.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"
#include "services/auth/password.h"
#include "services/auth/validation.h"

namespace crm::auth_service {
namespace {

constexpr size_t kMaxRefreshTokenLength = 256;
constexpr size_t kMaxServiceSecretLength = 1024;
constexpr int kMaxRevocationsPage = 1000;

absl::Status InvalidCredentials() {
  return Error(absl::StatusCode::kUnauthenticated, "INVALID_CREDENTIALS",
               "the username or password is wrong, or the user is disabled");
}

}  // namespace

SignIn::SignIn(AuthStores& stores, KeyRing& keys, const auth::Policy& policy, const Clock& clock,
               SignInOptions options)
    : stores_(stores), keys_(keys), policy_(policy), clock_(clock), options_(options) {
  DummyPasswordHash();  // made now, so the first unknown-user login costs no more than others
}

// --- Throttling ----------------------------------------------------------------------------

bool SignIn::ShouldAuditThrottle(std::string_view username, std::string_view peer, absl::Time now) {
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

absl::StatusOr<int64_t> SignIn::BeginAttempt(std::string_view name, std::string_view peer,
                                             bool limit_name) {
  // Recorded before the throttle is checked and before the password is hashed, so guesses
  // sent in parallel see each other; a refused attempt is forgotten again (it guessed
  // nothing), a successful one too.
  CRM_ASSIGN_OR_RETURN(
      const int64_t attempt,
      stores_.audit.BeginLoginAttempt(name, peer, clock_.Now() - options_.login_failure_window));
  if (absl::Status throttled = CheckThrottle(name, peer, limit_name); !throttled.ok()) {
    if (absl::Status forgot = stores_.audit.ForgetLoginAttempt(attempt); !forgot.ok()) {
      log::Warn("could not forget a refused sign-in attempt", {{"error", forgot.ToString()}});
    }
    return throttled;
  }
  return attempt;
}

absl::Status SignIn::CheckThrottle(std::string_view username, std::string_view peer,
                                   bool limit_name) {
  const absl::Time now = clock_.Now();
  const absl::Time window_start = now - options_.login_failure_window;
  std::optional<absl::Time> user_limit;
  if (limit_name) {
    // A success resets the user's count (the peer's is not reset: one address trying many
    // accounts is the attack it limits).
    CRM_ASSIGN_OR_RETURN(std::optional<absl::Time> last_success,
                         stores_.audit.LastSuccessForUser(username, window_start));
    // The caller's own attempt is already recorded (BeginAttempt), hence one more than the
    // limit: `limit` earlier failures and this attempt.
    CRM_ASSIGN_OR_RETURN(user_limit, stores_.audit.NthNewestFailureForUser(
                                         username, last_success.value_or(window_start),
                                         options_.login_max_failures_per_user + 1));
  }
  CRM_ASSIGN_OR_RETURN(std::optional<absl::Time> peer_limit,
                       stores_.audit.NthNewestFailureForPeer(
                           peer, window_start, options_.login_max_failures_per_peer + 1));
  if (!user_limit && !peer_limit) return absl::OkStatus();

  // Calls succeed again once the failure that reached the limit leaves the window.
  absl::Duration delay = absl::Seconds(1);
  for (const auto& t : {user_limit, peer_limit}) {
    if (t) delay = std::max(delay, *t + options_.login_failure_window - now);
  }
  delay = absl::Ceil(delay, absl::Seconds(1));
  if (ShouldAuditThrottle(username, peer, now)) {
    CRM_RETURN_IF_ERROR(stores_.audit.Audit(
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

// --- Sessions ------------------------------------------------------------------------------

absl::Status SignIn::IssueTokens(int64_t user_id, const std::string& session_id,
                                 const std::string& refresh_token, absl::Time refresh_expire,
                                 v1::LoginResponse* response) {
  // Claims are read now, so a refreshed token carries the current role and teams.
  CRM_ASSIGN_OR_RETURN(v1::User user, stores_.users.GetUser(user_id));
  CRM_ASSIGN_OR_RETURN(std::shared_ptr<const auth::SigningKey> key, keys_.Current());
  const absl::Time now = clock_.Now();
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

absl::Status SignIn::Login(const Caller& caller, const v1::LoginRequest& request,
                           v1::LoginResponse* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kLogin));
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
    CRM_ASSIGN_OR_RETURN(user, stores_.users.FindCredentials(username));
  }
  // The hash is checked in every case, so that the three failures take the same time.
  const bool password_ok =
      VerifyPassword(user ? user->password_hash : DummyPasswordHash(), request.password());
  if (!user || !password_ok || !user->active) {
    CRM_RETURN_IF_ERROR(stores_.audit.Audit({.action = v1::LOGIN_FAILED,
                                             .user_id = user ? user->user_id : 0,
                                             .username = username,
                                             .peer = caller.peer,
                                             .detail = !user          ? "unknown user"
                                                       : !password_ok ? "wrong password"
                                                                      : "user disabled"}));
    return InvalidCredentials();
  }
  CRM_RETURN_IF_ERROR(stores_.audit.ForgetLoginAttempt(attempt));
  if (NeedsRehash(user->password_hash)) {
    if (auto rehashed = HashPassword(request.password()); rehashed.ok()) {
      if (auto st =
              stores_.users.UpgradePasswordHash(user->user_id, user->password_hash, *rehashed);
          !st.ok()) {
        log::Warn("could not upgrade a password hash", {{"error", st.ToString()}});
      }
    }
  }

  const std::string session_id = auth::RandomToken(24);
  const std::string refresh_token = auth::RandomToken(32);
  const absl::Time refresh_expire = clock_.Now() + options_.refresh_token_ttl;
  CRM_RETURN_IF_ERROR(stores_.sessions.CreateSession(user->user_id, user->username, session_id,
                                                     Sha256Hex(refresh_token), refresh_expire,
                                                     caller.peer));
  return IssueTokens(user->user_id, session_id, refresh_token, refresh_expire, response);
}

absl::Status SignIn::RefreshToken(const Caller& caller, const v1::RefreshTokenRequest& request,
                                  v1::LoginResponse* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kRefreshToken));
  if (request.refresh_token().empty()) return InvalidField("refresh_token", "is required");
  if (request.refresh_token().size() > kMaxRefreshTokenLength) {
    return Error(absl::StatusCode::kUnauthenticated, "INVALID_REFRESH_TOKEN",
                 "the refresh token is unknown, expired or revoked: log in again");
  }
  const std::string next = auth::RandomToken(32);
  const absl::Time expire = clock_.Now() + options_.refresh_token_ttl;
  CRM_ASSIGN_OR_RETURN(SessionStore::Refreshed refreshed,
                       stores_.sessions.RotateRefreshToken(Sha256Hex(request.refresh_token()),
                                                           Sha256Hex(next), expire, caller.peer));
  return IssueTokens(refreshed.user_id, refreshed.session_id, next, expire, response);
}

absl::Status SignIn::Logout(const Caller& caller) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kLogout));
  const auth::Principal& p = caller.principal;
  if (p.session_id.empty()) return absl::OkStatus();
  return stores_.sessions.RevokeSession(p.session_id, p.user_id, "logout",
                                        Actor{.user_id = p.user_id, .peer = caller.peer});
}

absl::Status SignIn::ChangePassword(const Caller& caller,
                                    const v1::ChangePasswordRequest& request) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kChangePassword));
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
  CRM_ASSIGN_OR_RETURN(std::optional<Credentials> user, stores_.users.CredentialsById(p.user_id));
  const bool password_ok =
      VerifyPassword(user ? user->password_hash : DummyPasswordHash(), request.current_password());
  if (!user || !password_ok || !user->active) {
    CRM_RETURN_IF_ERROR(stores_.audit.Audit({.action = v1::LOGIN_FAILED,
                                             .user_id = p.user_id,
                                             .username = p.username,
                                             .peer = caller.peer,
                                             .session_id = p.session_id,
                                             .detail = "wrong current password (ChangePassword)"}));
    return InvalidCredentials();
  }
  CRM_RETURN_IF_ERROR(stores_.audit.ForgetLoginAttempt(attempt));
  CRM_ASSIGN_OR_RETURN(std::string hash, HashPassword(request.new_password()));
  return stores_.users.SetPassword(p.user_id, hash, p.session_id, "changed by the user",
                                   Actor{.user_id = p.user_id, .peer = caller.peer},
                                   db::IdempotencyKey{});
}

absl::Status SignIn::GetCurrentUser(const Caller& caller, v1::User* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kGetCurrentUser));
  CRM_ASSIGN_OR_RETURN(*response, stores_.users.GetUser(caller.principal.user_id));
  return absl::OkStatus();
}

// --- Service tokens ------------------------------------------------------------------------

absl::Status SignIn::IssueServiceToken(const Caller& caller,
                                       const v1::IssueServiceTokenRequest& request,
                                       v1::ServiceToken* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kIssueServiceToken));
  Violations violations;
  const std::string_view name = auth::ServiceName(request.service());
  if (request.service().empty()) {
    violations.Add("service", "is required");
  } else if (name.empty()) {
    violations.Add("service", "must be services/{name}, e.g. services/analytics");
  }
  if (request.secret().empty()) violations.Add("secret", "is required");
  if (request.secret().size() > kMaxServiceSecretLength) {
    violations.Add("secret", "must be at most 1024 bytes");
  }
  CRM_RETURN_IF_ERROR(violations.ToStatus("invalid service token request"));

  const std::string& account = request.service();
  CRM_ASSIGN_OR_RETURN(const int64_t attempt,
                       BeginAttempt(account, caller.peer, /*limit_name=*/false));
  CRM_ASSIGN_OR_RETURN(std::optional<ServiceCredentials> found,
                       stores_.service_accounts.Find(name));
  // Compared in constant time, and compared even for an unknown account (against a digest
  // no secret has), so the time taken does not tell which accounts exist.
  static const std::string kNoAccountDigest(64, '0');  // as long as a hex SHA-256
  const std::string presented = Sha256Hex(request.secret());
  const std::string& expected = found ? found->secret_sha256 : kNoAccountDigest;
  const bool digests_match =
      expected.size() == presented.size() &&
      CRYPTO_memcmp(expected.data(), presented.data(), presented.size()) == 0;
  const bool secret_ok = found && digests_match;
  if (!found || !secret_ok || !found->active) {
    CRM_RETURN_IF_ERROR(stores_.audit.Audit({.action = v1::SERVICE_TOKEN_REFUSED,
                                             .username = account,
                                             .peer = caller.peer,
                                             .detail = !found       ? "unknown service account"
                                                       : !secret_ok ? "wrong secret"
                                                                    : "account inactive"}));
    return Error(absl::StatusCode::kUnauthenticated, "INVALID_SERVICE_CREDENTIALS",
                 "the service account is unknown or inactive, or the secret is wrong");
  }
  CRM_RETURN_IF_ERROR(stores_.audit.ForgetLoginAttempt(attempt));

  CRM_ASSIGN_OR_RETURN(std::shared_ptr<const auth::SigningKey> key, keys_.Current());
  const absl::Time now = clock_.Now();
  auth::Principal principal;
  principal.service = account;
  CRM_ASSIGN_OR_RETURN(std::string token, key->Sign(principal, now, options_.access_token_ttl));
  CRM_RETURN_IF_ERROR(stores_.audit.Audit(
      {.action = v1::SERVICE_TOKEN_ISSUED, .username = account, .peer = caller.peer}));
  response->set_access_token(std::move(token));
  // The token's exp is in whole seconds.
  *response->mutable_expire_time() =
      ToTimestamp(absl::FromUnixSeconds(absl::ToUnixSeconds(now + options_.access_token_ttl)));
  return absl::OkStatus();
}

// --- Verification material -----------------------------------------------------------------

absl::Status SignIn::GetPublicKeys(const Caller& caller, v1::GetPublicKeysResponse* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kGetPublicKeys));
  CRM_ASSIGN_OR_RETURN(std::vector<v1::PublicKey> keys, keys_.Published());
  for (auto& key : keys) *response->add_keys() = std::move(key);
  return absl::OkStatus();
}

absl::Status SignIn::ListRevokedSessions(const Caller& caller,
                                         const v1::ListRevokedSessionsRequest& request,
                                         v1::ListRevokedSessionsResponse* response) {
  CRM_RETURN_IF_ERROR(Allow(policy_, caller, methods::kListRevokedSessions));
  if (request.after_sequence() < 0) return InvalidField("after_sequence", "must not be negative");
  CRM_ASSIGN_OR_RETURN(
      int page_size,
      api::EffectivePageSize(request.page_size(), kMaxRevocationsPage, kMaxRevocationsPage));
  CRM_ASSIGN_OR_RETURN(
      std::vector<v1::RevokedSession> sessions,
      RevocationsAfter(stores_.sessions, clock_, request.after_sequence(), page_size));
  for (auto& s : sessions) *response->add_sessions() = std::move(s);
  return absl::OkStatus();
}

}  // namespace crm::auth_service
