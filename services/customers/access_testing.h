// Test doubles for the customers service's access dependencies: callers built directly
// (no tokens), a user directory held in memory, and a token verifier over fixed keys.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/auth/directory.h"
#include "libs/auth/verifier.h"
#include "libs/grpc/status.h"
#include "services/customers/service.h"

namespace crm::customers::testing {

// A caller as a verified token would describe them.
inline Caller MakeCaller(int64_t user_id, auth::Role role, std::string team,
                         std::vector<std::string> managed_teams = {}) {
  Caller caller;
  caller.principal.user_id = user_id;
  caller.principal.user = absl::StrCat("users/", user_id);
  caller.principal.username = absl::StrCat("user", user_id);
  caller.principal.role = role;
  caller.principal.team = std::move(team);
  caller.principal.managed_teams = std::move(managed_teams);
  caller.principal.session_id = absl::StrCat("session-", user_id);
  caller.authorization = absl::StrCat("Bearer token-of-", user_id);
  return caller;
}

// Keys and revocations handed out as given (none by default).
class FixedKeys final : public auth::VerificationSource {
 public:
  explicit FixedKeys(std::vector<auth::v1::PublicKey> keys = {}) : keys_(std::move(keys)) {}
  absl::StatusOr<std::vector<auth::v1::PublicKey>> FetchKeys() override { return keys_; }
  absl::StatusOr<std::vector<auth::v1::RevokedSession>> FetchRevocations(int64_t) override {
    return std::vector<auth::v1::RevokedSession>{};
  }

 private:
  std::vector<auth::v1::PublicKey> keys_;
};

// Users by name. Lookups the test marks hidden answer NOT_FOUND, as the auth service does
// for users outside the caller's teams. Records every lookup.
class FakeUserDirectory final : public auth::UserDirectory {
 public:
  void Add(int64_t id, auth::Role role, std::string team, bool active = true) {
    auth::v1::User user;
    user.set_name(absl::StrCat("users/", id));
    user.set_username(absl::StrCat("user", id));
    user.set_role(role);
    user.set_team(std::move(team));
    user.set_active(active);
    absl::MutexLock lock(&mu_);
    users_[user.name()] = user;
  }
  void Hide(const std::string& name) {
    absl::MutexLock lock(&mu_);
    hidden_.push_back(name);
  }
  void FailWith(absl::Status status) {
    absl::MutexLock lock(&mu_);
    failure_ = std::move(status);
  }

  absl::StatusOr<auth::v1::User> GetUser(std::string_view name,
                                         std::string_view authorization) override {
    absl::MutexLock lock(&mu_);
    lookups_.emplace_back(std::string(name), std::string(authorization));
    if (!failure_.ok()) return failure_;
    auto it = users_.find(std::string(name));
    bool hidden = std::find(hidden_.begin(), hidden_.end(), std::string(name)) != hidden_.end();
    if (it == users_.end() || hidden) {
      return Error(absl::StatusCode::kNotFound, "USER_NOT_FOUND",
                   absl::StrCat(std::string(name), " does not exist"));
    }
    return it->second;
  }

  // Active users whose team is `team`, as the auth service's ListUsers answers a manager.
  absl::StatusOr<std::vector<std::string>> ActiveMembers(std::string_view team,
                                                         std::string_view authorization) override {
    absl::MutexLock lock(&mu_);
    lookups_.emplace_back(std::string(team), std::string(authorization));
    if (!failure_.ok()) return failure_;
    std::vector<std::string> members;
    for (const auto& [name, user] : users_) {
      if (user.team() == team && user.active()) members.push_back(name);
    }
    return members;
  }

  // Moves a user to another team (as an admin's UpdateUser would).
  void MoveTo(const std::string& name, std::string team) {
    absl::MutexLock lock(&mu_);
    users_[name].set_team(std::move(team));
  }

  // (name or team, authorization) of every lookup so far.
  std::vector<std::pair<std::string, std::string>> lookups() {
    absl::MutexLock lock(&mu_);
    return lookups_;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, auth::v1::User> users_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> hidden_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<std::string, std::string>> lookups_ ABSL_GUARDED_BY(mu_);
};

}  // namespace crm::customers::testing
