#include "services/auth/options.h"

#include "libs/log/log.h"
#include "services/auth/validation.h"

namespace crm::auth_service {
namespace {

constexpr size_t kMinPassphraseBytes = 16;

}  // namespace

Options ReadOptions(config::Flags& flags) {
  Options options;
  options.signing_key_passphrase = flags.Required(
      "signing_key_passphrase",
      "passphrase that encrypts the token signing keys in the database (same on every "
      "replica, at least 16 bytes)");
  options.bootstrap.admin_password = flags.String(
      "admin_password", "",
      "password of the bootstrap user \"admin\", used only when no active ADMIN exists; "
      "empty: generate one and print it once");
  options.bootstrap.restore_admin = flags.Bool(
      "restore_admin", false,
      "when no active ADMIN exists and user \"admin\" was disabled or demoted, make it an "
      "active ADMIN again with --admin_password (or a generated password)");
  const std::string service_accounts = flags.String(
      "service_accounts", "",
      "the service accounts there are to be: comma-separated name=<SHA-256 hex of the "
      "service's secret>, e.g. analytics=3f2a...; accounts not listed are deactivated");
  SignInOptions& sign_in = options.sign_in;
  sign_in.access_token_ttl =
      absl::Seconds(flags.Int("access_token_ttl_s", 900, "access token lifetime", 60, 86400));
  sign_in.refresh_token_ttl = absl::Seconds(flags.Int(
      "refresh_token_ttl_s", 604800, "refresh token lifetime (sliding)", 300, 90 * 86400));
  sign_in.login_max_failures_per_user = flags.Int(
      "login_max_failures_per_user", 5, "failed logins per username within the window", 1, 1000);
  sign_in.login_max_failures_per_peer =
      flags.Int("login_max_failures_per_peer", 20,
                "failed logins per client address within the window", 1, 100000);
  sign_in.login_failure_window = absl::Seconds(
      flags.Int("login_failure_window_s", 900, "window in which failed logins count", 1, 86400));

  // A missing passphrase is reported with every other missing flag by Flags::Finish.
  if (!options.signing_key_passphrase.empty() &&
      options.signing_key_passphrase.size() < kMinPassphraseBytes) {
    log::Fatal("--signing_key_passphrase must be at least 16 bytes");
  }
  if (!options.bootstrap.admin_password.empty()) {
    if (absl::Status st =
            CheckPasswordRules(options.bootstrap.admin_password, "admin", "admin_password");
        !st.ok()) {
      log::Fatal("--admin_password breaks the password rules",
                 {{"error", std::string(st.message())}});
    }
  }
  absl::StatusOr<std::map<std::string, std::string>> accounts =
      ParseServiceAccounts(service_accounts);
  if (!accounts.ok()) {
    log::Fatal("--service_accounts", {{"error", std::string(accounts.status().message())}});
  }
  options.bootstrap.service_accounts = *std::move(accounts);
  return options;
}

}  // namespace crm::auth_service
