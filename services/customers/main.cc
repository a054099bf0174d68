// crm-customers: wiring only. Configuration, the pool, migrations, token verification, the
// service, the server.
#include <grpcpp/grpcpp.h>

#include <cstdlib>

#include "libs/api/query.h"
#include "libs/auth/directory.h"
#include "libs/auth/flags.h"
#include "libs/auth/verifier.h"
#include "libs/config/config.h"
#include "libs/db/db.h"
#include "libs/db/flags.h"
#include "libs/events/feed.h"
#include "libs/events/retention.h"
#include "libs/grpc/executor.h"
#include "libs/grpc/flags.h"
#include "libs/grpc/server.h"
#include "libs/log/log.h"
#include "services/customers/service.h"
#include "services/customers/store.h"

#ifndef CRM_CUSTOMERS_SCHEMA_DIR
#define CRM_CUSTOMERS_SCHEMA_DIR "services/customers/schema"
#endif

int main(int argc, char** argv) {
  crm::ServerRunner::InstallSignalHandlers();
  crm::log::SetService("customers");

  crm::config::Flags flags(argc, argv, "crm-customers");
  crm::ServerOptions server = crm::ReadServerFlags(flags, "customers", 50061, 9461);
  crm::db::PoolOptions db = crm::db::ReadPoolFlags(flags, "customers");
  int workers = flags.Int("workers", 16, "threads running database work", 1, 512);
  std::string schema_dir = flags.String("schema_dir", CRM_CUSTOMERS_SCHEMA_DIR,
                                        "directory of NNN_title.sql migrations");
  bool migrate_only = flags.Bool("migrate_only", false, "apply migrations and exit");
  std::string token_secret = flags.Required(
      "page_token_secret", "secret that signs page tokens (same on every replica)");
  crm::customers::ServiceOptions options;
  options.default_phone_region =
      flags.String("default_phone_region", "CN", "region for national-format phone numbers");
  crm::auth::AuthClientOptions auth_options = crm::auth::ReadAuthFlags(flags);
  const int team_ttl_ms = flags.Int(
      "team_members_ttl_ms", 30000,
      "how long a team's member list from the auth service is reused (managers' record rules)",
      0, 600000);
  crm::events::RetentionOptions retention_options = crm::events::ReadRetentionFlags(flags);
  flags.Finish();

  crm::ServerRunner runner(server);

  auto pool = crm::db::Pool::Create(db, &runner.metrics());
  if (!pool.ok()) crm::log::Fatal("cannot reach the database", {{"error", pool.status().ToString()}});
  if (auto st = crm::db::Migrate(**pool, schema_dir); !st.ok()) {
    crm::log::Fatal("migrations failed", {{"error", st.ToString()}});
  }
  if (migrate_only) {
    crm::log::Info("migrations applied");
    return EXIT_SUCCESS;
  }

  // Every call is verified here too: a client that reaches this port without the gateway
  // is just as closed. Keys come from the auth service, which may start after us: Verify
  // fetches them on first use, so a failure now is only a warning.
  auto auth_channel =
      grpc::CreateChannel(auth_options.target, grpc::InsecureChannelCredentials());
  std::unique_ptr<crm::auth::TokenVerifier> verifier =
      crm::auth::StartVerifier(auth_options, auth_channel);
  crm::auth::Authorizer authorizer(*verifier);
  std::unique_ptr<crm::auth::UserDirectory> users = crm::auth::AuthServiceDirectory(auth_channel);

  crm::Executor executor(workers);
  crm::api::PageTokenCodec tokens(token_secret);
  crm::customers::CustomerStore store(**pool);
  crm::auth::TeamMembers members(*users, absl::Milliseconds(team_ttl_ms));
  crm::customers::CustomerService service(store, executor, tokens, authorizer, *users, members,
                                          options);
  // Internal consumers call crm.events.v1 here directly; a stream holds a connection only
  // while it fetches. Declared after the executor: its destructor waits for its streams.
  // The feed carries every customer, so only the roles the policy table allows see it.
  crm::events::EventFeedService feed(**pool, executor, "customers.crm",
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
  if (auto st = runner.Start(); !st.ok()) crm::log::Fatal("cannot start", {{"error", st.ToString()}});
  runner.WaitForShutdown();
  return EXIT_SUCCESS;
}
