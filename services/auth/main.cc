// crm-auth: wiring only. Configuration, the pool, migrations, the start-up bootstrap (first
// signing key, first admin), token verification for its own RPCs, the service, the server.
#include <grpcpp/grpcpp.h>

#include <malloc.h>

#include <cstdlib>
#include <iostream>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/api/query.h"
#include "libs/auth/flags.h"
#include "libs/auth/verifier.h"
#include "libs/config/config.h"
#include "libs/db/db.h"
#include "libs/db/flags.h"
#include "libs/events/feed.h"
#include "libs/events/retention.h"
#include "libs/grpc/executor.h"
#include "libs/grpc/flags.h"
#include "libs/grpc/status.h"
#include "libs/grpc/server.h"
#include "libs/log/log.h"
#include "services/auth/keys.h"
#include "services/auth/service.h"
#include "services/auth/store.h"
#include "services/auth/validation.h"

#ifndef CRM_AUTH_SCHEMA_DIR
#define CRM_AUTH_SCHEMA_DIR "services/auth/schema"
#endif

namespace {
constexpr size_t kMinPassphraseBytes = 16;
}  // namespace

int main(int argc, char** argv) {
  // Every Argon2id hash takes 19 MiB. glibc serves a block that large with mmap and returns
  // it on free, but only until the first such free raises its threshold: after that each
  // worker thread's arena keeps 19 MiB for good (229 MiB idle was measured with 8 workers).
  // A fixed threshold keeps every hash's memory going back to the system.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  crm::ServerRunner::InstallSignalHandlers();
  crm::log::SetService("auth");

  crm::config::Flags flags(argc, argv, "crm-auth");
  crm::ServerOptions server = crm::ReadServerFlags(flags, "auth", 50062, 9462);
  crm::db::PoolOptions db = crm::db::ReadPoolFlags(flags, "auth");
  int workers =
      flags.Int("workers", 16, "threads running database and password-hashing work", 1, 512);
  std::string schema_dir =
      flags.String("schema_dir", CRM_AUTH_SCHEMA_DIR, "directory of NNN_title.sql migrations");
  bool migrate_only = flags.Bool("migrate_only", false, "apply migrations and exit");
  std::string token_secret =
      flags.Required("page_token_secret", "secret that signs page tokens (same on every replica)");
  std::string passphrase = flags.Required(
      "signing_key_passphrase",
      "passphrase that encrypts the token signing keys in the database (same on every "
      "replica, at least 16 bytes)");
  std::string admin_password = flags.String(
      "admin_password", "",
      "password of the bootstrap user \"admin\", used only when no active ADMIN exists; "
      "empty: generate one and print it once");
  crm::auth_service::ServiceOptions options;
  options.access_token_ttl =
      absl::Seconds(flags.Int("access_token_ttl_s", 900, "access token lifetime", 60, 86400));
  options.refresh_token_ttl = absl::Seconds(flags.Int(
      "refresh_token_ttl_s", 604800, "refresh token lifetime (sliding)", 300, 90 * 86400));
  options.login_max_failures_per_user = flags.Int(
      "login_max_failures_per_user", 5, "failed logins per username within the window", 1, 1000);
  options.login_max_failures_per_peer =
      flags.Int("login_max_failures_per_peer", 20,
                "failed logins per client address within the window", 1, 100000);
  options.login_failure_window = absl::Seconds(
      flags.Int("login_failure_window_s", 900, "window in which failed logins count", 1, 86400));
  std::string trusted_proxies = flags.String(
      "trusted_proxies", "127.0.0.1,::1",
      "comma-separated addresses or CIDR ranges whose x-forwarded-for names the client "
      "(the gateway)");
  const bool restore_admin = flags.Bool(
      "restore_admin", false,
      "when no active ADMIN exists and user \"admin\" was disabled or demoted, make it an "
      "active ADMIN again with --admin_password (or a generated password)");
  crm::events::RetentionOptions retention_options = crm::events::ReadRetentionFlags(flags);
  flags.Finish();

  if (passphrase.size() < kMinPassphraseBytes) {
    crm::log::Fatal("--signing_key_passphrase must be at least 16 bytes");
  }
  if (!admin_password.empty()) {
    if (auto st = crm::auth_service::CheckPasswordRules(admin_password, "admin", "admin_password");
        !st.ok()) {
      crm::log::Fatal("--admin_password breaks the password rules",
                      {{"error", std::string(st.message())}});
    }
  }
  options.trusted_proxies.clear();
  for (absl::string_view proxy : absl::StrSplit(trusted_proxies, ',', absl::SkipWhitespace())) {
    options.trusted_proxies.emplace_back(absl::StripAsciiWhitespace(proxy));
  }
  options.idempotency_secret = passphrase;

  crm::ServerRunner runner(server);

  auto pool = crm::db::Pool::Create(db, &runner.metrics());
  if (!pool.ok())
    crm::log::Fatal("cannot reach the database", {{"error", pool.status().ToString()}});
  if (auto st = crm::db::Migrate(**pool, schema_dir); !st.ok()) {
    crm::log::Fatal("migrations failed", {{"error", st.ToString()}});
  }
  if (migrate_only) {
    crm::log::Info("migrations applied");
    return EXIT_SUCCESS;
  }

  crm::auth_service::AuthStore store(
      **pool, {.revocation_keep = options.access_token_ttl + absl::Seconds(60)});
  crm::auth_service::KeyRing keys(store, passphrase);
  // This service verifies tokens on its own RPCs like every other service, with keys and
  // revocations read from its own database instead of over gRPC.
  crm::auth::TokenVerifier verifier(
      std::make_unique<crm::auth_service::StoreVerificationSource>(store, keys));
  crm::auth::Authorizer authorizer(verifier);
  crm::Executor executor(workers);
  crm::api::PageTokenCodec tokens(token_secret);
  crm::auth_service::AuthService service(store, keys, executor, tokens, authorizer, options);

  // Replicas starting together create one first key and one bootstrap admin.
  crm::auth_service::AuthService::Bootstrap bootstrap;
  absl::Status started = store.WithStartupLock([&]() -> absl::Status {
    if (auto st = keys.Initialize(); !st.ok()) return st;
    auto made = service.BootstrapAdmin(admin_password, restore_admin);
    if (!made.ok() && crm::ErrorReason(made.status()) == "ADMIN_DISABLED") {
      // Not fatal: everyone else can still sign in and work; only administration waits.
      crm::log::Error("no active admin", {{"error", made.status().ToString()}});
      return absl::OkStatus();
    }
    if (!made.ok()) return made.status();
    bootstrap = *made;
    return absl::OkStatus();
  });
  if (!started.ok()) crm::log::Fatal("start-up failed", {{"error", started.ToString()}});
  if (bootstrap.created && !bootstrap.generated_password.empty()) {
    // The only place a password is ever written out: once, for the operator.
    std::cerr << "crm-auth: created bootstrap admin \"admin\" with password: "
              << bootstrap.generated_password << " (shown once)" << std::endl;
  } else if (bootstrap.created) {
    crm::log::Info("created bootstrap admin \"admin\" with the password from --admin_password");
  }
  if (auto st = verifier.Start(); !st.ok()) {
    crm::log::Fatal("cannot load verification keys", {{"error", st.ToString()}});
  }

  // Internal consumers call crm.events.v1 here directly. Declared after the executor: its
  // destructor waits for its streams. The policy table decides who may read user changes.
  crm::events::EventFeedService feed(**pool, executor, "auth.crm",
                                     crm::events::FeedOptions{.metrics = &runner.metrics()},
                                     crm::auth::FeedAuthorization(authorizer));
  // Old idempotency keys, outbox and inbox rows go; one replica at a time does it.
  crm::events::Retention retention(**pool, retention_options, crm::Clock::Real(),
                                   &runner.metrics());
  retention.Start();

  runner.builder().RegisterService(&service);
  runner.builder().RegisterService(&feed);
  runner.SetReadinessProbe([&pool] { return (*pool)->Healthy(); });
  runner.OnDrain([&feed] { feed.Drain(); });
  if (auto st = runner.Start(); !st.ok())
    crm::log::Fatal("cannot start", {{"error", st.ToString()}});
  runner.WaitForShutdown();
  return EXIT_SUCCESS;
}
