#include "services/auth/bootstrap.h"

#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/auth/principal.h"
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

absl::StatusOr<std::map<std::string, std::string>> ParseServiceAccounts(std::string_view text) {
  std::map<std::string, std::string> accounts;
  for (absl::string_view entry :
       absl::StrSplit(absl::string_view(text.data(), text.size()), ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    const size_t equals = entry.find('=');
    const std::string name(absl::StripAsciiWhitespace(entry.substr(0, equals)));
    std::string digest =
        equals == absl::string_view::npos
            ? ""
            : absl::AsciiStrToLower(absl::StripAsciiWhitespace(entry.substr(equals + 1)));
    if (!auth::IsKnownService(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", name, "\" is not one of the suite's services"));
    }
    if (digest.size() != 64 || digest.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": expected name=<SHA-256 of its secret, 64 hex digits>"));
    }
    if (!accounts.emplace(name, std::move(digest)).second) {
      return absl::InvalidArgumentError(absl::StrCat(name, " is listed twice"));
    }
  }
  return accounts;
}

absl::Status Bootstrap(db::Pool& pool, AuthStores& stores, KeyRing& keys,
                       const BootstrapOptions& options) {
  AdminBootstrap admin;
  int account_changes = 0;
  CRM_RETURN_IF_ERROR(WithStartupLock(pool, [&]() -> absl::Status {
    CRM_RETURN_IF_ERROR(keys.Initialize());
    auto made = BootstrapAdmin(stores.users, options.admin_password, options.restore_admin);
    if (made.ok()) {
      admin = *std::move(made);
    } else if (ErrorReason(made.status()) == "ADMIN_DISABLED") {
      // Not fatal: everyone else can still sign in and work; only administration waits.
      log::Error("no active admin", {{"error", made.status().ToString()}});
    } else {
      return made.status();
    }
    CRM_ASSIGN_OR_RETURN(account_changes,
                         stores.service_accounts.Provision(options.service_accounts));
    return absl::OkStatus();
  }));
  log::Info("service accounts provisioned",
            {{"active", std::to_string(options.service_accounts.size())},
             {"changed", std::to_string(account_changes)}});
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
