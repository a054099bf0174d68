// What the auth service sets up at start-up before it serves: the first signing key, the
// first admin and the service accounts. Replicas starting together do it one after the
// other, under a database lock.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/db/db.h"
#include "services/auth/keys.h"
#include "services/auth/stores.h"

namespace crm::auth_service {

struct BootstrapOptions {
  // The password of user "admin" when no active ADMIN exists; empty: generate one and
  // print it once on stderr.
  std::string admin_password;
  // Make a disabled or demoted "admin" an active ADMIN again (--restore_admin).
  bool restore_admin = false;
  // The service accounts there are to be, name ("analytics") → SHA-256 hex of its secret
  // (--service_accounts, see ParseServiceAccounts). Every other account is deactivated.
  std::map<std::string, std::string> service_accounts;
};

// "analytics=<64 hex digits>,customers=<...>" → name → lower-case hex. INVALID_ARGUMENT
// naming the entry when a name is not one of the suite's services, a digest is not 64 hex
// digits, or a name repeats. "" declares no account.
absl::StatusOr<std::map<std::string, std::string>> ParseServiceAccounts(std::string_view text);

// Under the start-up lock: creates the first signing key when there is none and loads the
// current one (a passphrase that cannot decrypt it is an error), then the first admin (see
// BootstrapAdmin), then makes the service accounts match `options.service_accounts` (the
// last replica to start wins, so every replica should get the same flag). An admin that was
// disabled or demoted is only logged: everyone else can still sign in and work.
absl::Status Bootstrap(db::Pool& pool, AuthStores& stores, KeyRing& keys,
                       const BootstrapOptions& options);

struct AdminBootstrap {
  bool created = false;            // no active ADMIN existed; "admin" was (re)made one
  std::string generated_password;  // set when the password was generated, to print once
};
// When no active ADMIN exists, creates user "admin" with `password`, or with a generated
// one when empty. When "admin" exists but was disabled or demoted, it is made an active
// ADMIN again only with `restore` (the operator's explicit --restore_admin): a restart must
// not undo an admin's disabling. Otherwise FAILED_PRECONDITION (ADMIN_DISABLED).
// INVALID_ARGUMENT WEAK_PASSWORD when a given password breaks the rules.
absl::StatusOr<AdminBootstrap> BootstrapAdmin(UserStore& users, std::string password,
                                              bool restore = false);

// Runs `body` holding a database lock named after the connected schema, so that replicas
// starting together run it one after the other. UNAVAILABLE (STARTUP_LOCKED) when another
// replica holds it for more than a minute.
absl::Status WithStartupLock(db::Pool& pool, const std::function<absl::Status()>& body);

}  // namespace crm::auth_service
