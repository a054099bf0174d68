#include "libs/auth/testing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/grpc/status.h"

namespace crm::auth::testing {

Principal MakePrincipal(int64_t user_id, Role role, std::string team,
                        std::vector<std::string> managed_teams) {
  Principal p;
  p.user_id = user_id;
  p.user = absl::StrCat("users/", user_id);
  p.username = absl::StrCat("user", user_id);
  p.role = role;
  p.team = std::move(team);
  p.managed_teams = std::move(managed_teams);
  p.session_id = absl::StrCat("session-", user_id);
  return p;
}

Caller MakeCaller(int64_t user_id, Role role, std::string team,
                  std::vector<std::string> managed_teams) {
  Caller caller;
  caller.principal = MakePrincipal(user_id, role, std::move(team), std::move(managed_teams));
  caller.authorization = absl::StrCat("Bearer token-of-", user_id);
  caller.peer = "127.0.0.1";
  caller.request_id = absl::StrCat("request-of-", user_id);
  return caller;
}

// --- FakeKeySource ---------------------------------------------------------------------

absl::StatusOr<std::vector<v1::PublicKey>> FakeKeySource::FetchKeys() {
  if (block_fetch_ != nullptr) {
    if (!fetch_started_.HasBeenNotified()) fetch_started_.Notify();
    block_fetch_->WaitForNotification();
  }
  absl::MutexLock lock(&mu_);
  ++key_fetches_;
  if (!reachable_) return absl::UnavailableError("connection refused");
  return keys_;
}

absl::StatusOr<std::vector<v1::RevokedSession>> FakeKeySource::FetchRevocations(
    int64_t after_sequence) {
  absl::MutexLock lock(&mu_);
  cursors_.push_back(after_sequence);
  if (!reachable_) return absl::UnavailableError("connection refused");
  std::vector<v1::RevokedSession> page;
  for (const auto& session : revoked_) {
    if (session.sequence() > after_sequence && page.size() < 1000) page.push_back(session);
  }
  return page;
}

void FakeKeySource::ServeKey(const SigningKey& key) {
  absl::MutexLock lock(&mu_);
  keys_.push_back(PublicKeyOf(key, /*current=*/keys_.empty()));
}

void FakeKeySource::ServeOnly(const SigningKey& key) {
  absl::MutexLock lock(&mu_);
  keys_ = {PublicKeyOf(key)};
}

void FakeKeySource::Revoke(std::string session_id, absl::Time expires) {
  absl::MutexLock lock(&mu_);
  v1::RevokedSession session;
  session.set_session_id(std::move(session_id));
  session.set_sequence(static_cast<int64_t>(revoked_.size()) + 1);
  session.mutable_expire_time()->set_seconds(absl::ToUnixSeconds(expires));
  revoked_.push_back(session);
}

void FakeKeySource::SetReachable(bool reachable) {
  absl::MutexLock lock(&mu_);
  reachable_ = reachable;
}

int FakeKeySource::key_fetches() const {
  absl::MutexLock lock(&mu_);
  return key_fetches_;
}

std::vector<int64_t> FakeKeySource::revocation_cursors() const {
  absl::MutexLock lock(&mu_);
  return cursors_;
}

v1::PublicKey PublicKeyOf(const SigningKey& key, bool current) {
  v1::PublicKey published;
  published.set_kid(key.kid());
  published.set_algorithm("EdDSA");
  published.set_public_key_pem(key.PublicPem());
  published.set_current(current);
  return published;
}

// --- TestSigner ------------------------------------------------------------------------

namespace {

SigningKey NewKey() {
  absl::StatusOr<SigningKey> key = SigningKey::Generate();
  // Generating an Ed25519 key fails only when OpenSSL is broken; no test can run then.
  if (!key.ok()) std::abort();
  return *std::move(key);
}

}  // namespace

TestSigner::TestSigner()
    : key_(NewKey()),
      verifier_(std::make_unique<TokenVerifier>(
          std::make_unique<FakeKeySource>(std::vector<v1::PublicKey>{PublicKeyOf(key_)}))) {}

std::string TestSigner::Bearer(const Principal& principal, absl::Duration ttl) const {
  absl::StatusOr<std::string> token = key_.Sign(principal, absl::Now(), ttl);
  return absl::StrCat("Bearer ", token.value_or("unsignable"));
}

// --- FakeUserDirectory -----------------------------------------------------------------

void FakeUserDirectory::Add(int64_t id, Role role, std::string team, bool active) {
  v1::User user;
  user.set_name(absl::StrCat("users/", id));
  user.set_username(absl::StrCat("user", id));
  user.set_role(role);
  user.set_team(std::move(team));
  user.set_active(active);
  absl::MutexLock lock(&mu_);
  users_[user.name()] = user;
}

void FakeUserDirectory::Hide(const std::string& name) {
  absl::MutexLock lock(&mu_);
  hidden_.push_back(name);
}

void FakeUserDirectory::FailWith(absl::Status status) {
  absl::MutexLock lock(&mu_);
  failure_ = std::move(status);
}

void FakeUserDirectory::MoveTo(const std::string& name, std::string team) {
  absl::MutexLock lock(&mu_);
  users_[name].set_team(std::move(team));
}

absl::StatusOr<v1::User> FakeUserDirectory::GetUser(std::string_view name,
                                                    std::string_view authorization) {
  absl::MutexLock lock(&mu_);
  lookups_.emplace_back(std::string(name), std::string(authorization));
  if (!failure_.ok()) return failure_;
  auto it = users_.find(std::string(name));
  bool hidden = std::find(hidden_.begin(), hidden_.end(), name) != hidden_.end();
  if (it == users_.end() || hidden) {
    return Error(absl::StatusCode::kNotFound, "USER_NOT_FOUND",
                 absl::StrCat(std::string(name), " does not exist"));
  }
  return it->second;
}

absl::StatusOr<std::vector<std::string>> FakeUserDirectory::ActiveMembers(
    std::string_view team, std::string_view authorization) {
  absl::MutexLock lock(&mu_);
  lookups_.emplace_back(std::string(team), std::string(authorization));
  if (!failure_.ok()) return failure_;
  std::vector<std::string> members;
  for (const auto& [name, user] : users_) {
    if (user.team() == team && user.active()) members.push_back(name);
  }
  return members;
}

void FakeUserDirectory::SetManager(const std::string& team, std::string manager) {
  absl::MutexLock lock(&mu_);
  managers_[team] = std::move(manager);
}

absl::StatusOr<std::string> FakeUserDirectory::TeamManager(std::string_view team,
                                                           std::string_view authorization) {
  absl::MutexLock lock(&mu_);
  lookups_.emplace_back(std::string(team), std::string(authorization));
  if (!failure_.ok()) return failure_;
  if (auto it = managers_.find(std::string(team)); it != managers_.end()) return it->second;
  for (const auto& [name, user] : users_) {
    if (user.team() == team) return std::string();
  }
  return Error(absl::StatusCode::kNotFound, "TEAM_NOT_FOUND",
               absl::StrCat(std::string(team), " does not exist"));
}

std::vector<std::pair<std::string, std::string>> FakeUserDirectory::lookups() const {
  absl::MutexLock lock(&mu_);
  return lookups_;
}

}  // namespace crm::auth::testing
