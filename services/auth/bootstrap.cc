#include "services/auth/bootstrap.h"

#include <iostream>

#include "libs/auth/token.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"
#include "services/auth/password.h"
#include "services/auth/validation.h"

namespace crm::auth_service {
namespace sql {

// GET_LOCK belongs to the connection that took it; the name includes the schema so test
// schemas on one server do not wait for each other.
constexpr char kGetStartupLock[] = "SELECT GET_LOCK(CONCAT('crm_auth_start.', DATABASE()), ?)";
constexpr char kReleaseStartupLock[] = "SELECT RELEASE_LOCK(CONCAT('crm_auth_start.', DATABASE()))";

}  // namespace sql

namespace {

constexpr int kStartupLockSeconds = 60;
constexpr char kBootstrapAdmin[] = "admin";
constexpr char kBootstrapAdminDisplayName[] = "Administrator";

}  // namespace

absl::Status WithStartupLock(db::Pool& pool, const std::function<absl::Status()>& body) {
  CRM_ASSIGN_OR_RETURN(auto session, pool.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session->Query(sql::kGetStartupLock, {int64_t{kStartupLockSeconds}}));
  if (rows.empty() || rows[0].Int(0) != 1) {
    return Error(absl::StatusCode::kUnavailable, "STARTUP_LOCKED",
                 "another replica held the start-up lock too long");
  }
  absl::Status status = body();
  (void)session->Query(sql::kReleaseStartupLock, {});
  return status;
}

absl::StatusOr<AdminBootstrap> BootstrapAdmin(UserStore& users, std::string password,
                                              bool restore) {
  CRM_ASSIGN_OR_RETURN(bool has_admin, users.HasActiveAdmin());
  if (has_admin) return AdminBootstrap{};
  AdminBootstrap result{.created = true};
  if (password.empty()) {
    password = auth::RandomToken(18);
    result.generated_password = password;
  }
  CRM_RETURN_IF_ERROR(CheckPasswordRules(password, kBootstrapAdmin, "admin_password"));
  CRM_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  CRM_RETURN_IF_ERROR(
      users.EnsureAdmin(kBootstrapAdmin, kBootstrapAdminDisplayName, hash, restore).status());
  return result;
}

absl::Status Bootstrap(db::Pool& pool, AuthStores& stores, KeyRing& keys,
                       const BootstrapOptions& options) {
  AdminBootstrap admin;
  CRM_RETURN_IF_ERROR(WithStartupLock(pool, [&]() -> absl::Status {
    CRM_RETURN_IF_ERROR(keys.Initialize());
    auto made = BootstrapAdmin(stores.users, options.admin_password, options.restore_admin);
    if (!made.ok() && ErrorReason(made.status()) == "ADMIN_DISABLED") {
      // Not fatal: everyone else can still sign in and work; only administration waits.
      log::Error("no active admin", {{"error", made.status().ToString()}});
      return absl::OkStatus();
    }
    if (!made.ok()) return made.status();
    admin = *std::move(made);
    return absl::OkStatus();
  }));
  if (admin.created && !admin.generated_password.empty()) {
    // The only place a password is ever written out: once, for the operator.
    std::cerr << "crm-auth: created bootstrap admin \"admin\" with password: "
              << admin.generated_password << " (shown once)" << std::endl;
  } else if (admin.created) {
    log::Info("created bootstrap admin \"admin\" with the password from --admin_password");
  }
  return absl::OkStatus();
}

}  // namespace crm::auth_service
