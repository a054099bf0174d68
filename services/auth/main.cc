// crm-auth: wiring only. Configuration, the pool, migrations, the start-up bootstrap (first
// signing key, first admin, service accounts), token verification for its own RPCs, the
// service, the server.
#include <grpcpp/grpcpp.h>
#include <malloc.h>

#include <cstdlib>

#include "libs/api/query.h"
#include "libs/auth/flags.h"
#include "libs/auth/verifier.h"
#include "libs/base/clock.h"
#include "libs/config/config.h"
#include "libs/db/db.h"
#include "libs/db/flags.h"
#include "libs/events/feed.h"
#include "libs/events/retention.h"
#include "libs/grpc/executor.h"
#include "libs/grpc/flags.h"
#include "libs/grpc/peer.h"
#include "libs/grpc/server.h"
#include "libs/log/log.h"
#include "services/auth/admin.h"
#include "services/auth/bootstrap.h"
#include "services/auth/keys.h"
#include "services/auth/rpc.h"
#include "services/auth/service.h"
#include "services/auth/sign_in.h"
#include "services/auth/stores.h"
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
  crm::auth_service::BootstrapOptions bootstrap;
  bootstrap.admin_password = flags.String(
      "admin_password", "",
      "password of the bootstrap user \"admin\", used only when no active ADMIN exists; "
      "empty: generate one and print it once");
  crm::auth_service::SignInOptions sign_in_options;
  sign_in_options.access_token_ttl =
      absl::Seconds(flags.Int("access_token_ttl_s", 900, "access token lifetime", 60, 86400));
  sign_in_options.refresh_token_ttl = absl::Seconds(flags.Int(
      "refresh_token_ttl_s", 604800, "refresh token lifetime (sliding)", 300, 90 * 86400));
  sign_in_options.login_max_failures_per_user = flags.Int(
      "login_max_failures_per_user", 5, "failed logins per username within the window", 1, 1000);
  sign_in_options.login_max_failures_per_peer =
      flags.Int("login_max_failures_per_peer", 20,
                "failed logins per client address within the window", 1, 100000);
  sign_in_options.login_failure_window = absl::Seconds(
      flags.Int("login_failure_window_s", 900, "window in which failed logins count", 1, 86400));
  std::string trusted_proxies_flag = flags.String(
      "trusted_proxies", "127.0.0.1,::1",
      "comma-separated addresses or CIDR ranges whose x-forwarded-for names the client "
      "(the gateway)");
  std::string service_accounts_flag = flags.String(
      "service_accounts", "",
      "the service accounts there are to be: comma-separated name=<SHA-256 hex of the "
      "service's secret>, e.g. analytics=3f2a...; accounts not listed are deactivated");
  bootstrap.restore_admin = flags.Bool(
      "restore_admin", false,
      "when no active ADMIN exists and user \"admin\" was disabled or demoted, make it an "
      "active ADMIN again with --admin_password (or a generated password)");
  crm::events::RetentionOptions retention_options = crm::events::ReadRetentionFlags(flags);
  flags.Finish();

  if (passphrase.size() < kMinPassphraseBytes) {
    crm::log::Fatal("--signing_key_passphrase must be at least 16 bytes");
  }
  if (!bootstrap.admin_password.empty()) {
    if (auto st = crm::auth_service::CheckPasswordRules(bootstrap.admin_password, "admin",
                                                        "admin_password");
        !st.ok()) {
      crm::log::Fatal("--admin_password breaks the password rules",
                      {{"error", std::string(st.message())}});
    }
  }
  auto service_accounts = crm::auth_service::ParseServiceAccounts(service_accounts_flag);
  if (!service_accounts.ok()) {
    crm::log::Fatal("--service_accounts",
                    {{"error", std::string(service_accounts.status().message())}});
  }
  bootstrap.service_accounts = *std::move(service_accounts);
  auto trusted_proxies = crm::TrustedProxies::Parse(trusted_proxies_flag);
  if (!trusted_proxies.ok()) {
    crm::log::Fatal("--trusted_proxies",
                    {{"error", std::string(trusted_proxies.status().message())}});
  }

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

  const crm::Clock& clock = crm::Clock::Real();
  crm::auth_service::AuthStores stores(
      **pool, clock, {.revocation_keep = sign_in_options.access_token_ttl + absl::Seconds(60)});
  crm::auth_service::KeyRing keys(stores.keys, clock, passphrase);
  if (auto st = crm::auth_service::Bootstrap(**pool, stores, keys, bootstrap); !st.ok()) {
    crm::log::Fatal("start-up failed", {{"error", st.ToString()}});
  }
  // This service verifies tokens on its own RPCs like every other service, with keys and
  // revocations read from its own database instead of over gRPC.
  crm::auth::TokenVerifier verifier(
      std::make_unique<crm::auth_service::StoreVerificationSource>(stores.sessions, keys, clock));
  if (auto st = verifier.Start(); !st.ok()) {
    crm::log::Fatal("cannot load verification keys", {{"error", st.ToString()}});
  }
  crm::auth::Authorizer authorizer(verifier);
  crm::Executor executor(workers);
  crm::api::PageTokenCodec page_tokens(token_secret);
  crm::auth_service::SignIn sign_in(stores, keys, authorizer.policy(), clock, sign_in_options);
  crm::auth_service::Administration admin(stores, keys, page_tokens, authorizer.policy(),
                                          {.idempotency_secret = passphrase});
  crm::auth_service::AuthService service(sign_in, admin, executor, authorizer,
                                         *std::move(trusted_proxies));

  // Internal consumers call crm.events.v1 here directly. Declared after the executor: its
  // destructor waits for its streams. The policy table decides who may read user changes.
  crm::events::EventFeedService feed(**pool, executor, crm::auth_service::kDomain,
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
