// crm-customers: wiring only. Configuration, the pool, migrations, the service, the server.
#include <cstdlib>

#include "libs/api/query.h"
#include "libs/config/config.h"
#include "libs/db/db.h"
#include "libs/events/feed.h"
#include "libs/grpc/executor.h"
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
  int port = flags.Int("port", 50061, "gRPC port (0 picks a free one)", 0, 65535);
  int metrics_port = flags.Int("metrics_port", 9461, "Prometheus /metrics port", 0, 65535);
  std::string port_file = flags.String("port_file", "", "write the chosen ports here");
  crm::db::PoolOptions db;
  db.unix_socket = flags.String("db_socket", "", "MariaDB unix socket (instead of host/port)");
  db.host = flags.String("db_host", "127.0.0.1", "MariaDB host");
  db.port = flags.Int("db_port", 3306, "MariaDB port", 1, 65535);
  db.user = flags.String("db_user", "crm_customers", "MariaDB user (owns only db_name)");
  db.password = flags.String("db_password", "", "MariaDB password");
  db.schema = flags.String("db_name", "crm_customers", "the service's own schema");
  db.size = flags.Int("db_pool_size", 16, "database connections at most", 1, 512);
  int workers = flags.Int("workers", 16, "threads running database work", 1, 512);
  std::string schema_dir = flags.String("schema_dir", CRM_CUSTOMERS_SCHEMA_DIR,
                                        "directory of NNN_title.sql migrations");
  bool migrate_only = flags.Bool("migrate_only", false, "apply migrations and exit");
  std::string token_secret = flags.Required(
      "page_token_secret", "secret that signs page tokens (same on every replica)");
  crm::customers::ServiceOptions options;
  options.default_phone_region =
      flags.String("default_phone_region", "CN", "region for national-format phone numbers");
  int drain_seconds = flags.Int("drain_seconds", 20, "time in-flight calls get on SIGTERM", 0, 600);
  flags.Finish();

  crm::ServerRunner runner({.service_name = "customers",
                            .listen_address = "0.0.0.0:" + std::to_string(port),
                            .metrics_address = "0.0.0.0:" + std::to_string(metrics_port),
                            .port_file = port_file,
                            .drain_timeout = absl::Seconds(drain_seconds)});

  auto pool = crm::db::Pool::Create(db, &runner.metrics());
  if (!pool.ok()) crm::log::Fatal("cannot reach the database", {{"error", pool.status().ToString()}});
  if (auto st = crm::db::Migrate(**pool, schema_dir); !st.ok()) {
    crm::log::Fatal("migrations failed", {{"error", st.ToString()}});
  }
  if (migrate_only) {
    crm::log::Info("migrations applied");
    return EXIT_SUCCESS;
  }

  crm::Executor executor(workers);
  crm::api::PageTokenCodec tokens(token_secret);
  crm::customers::CustomerStore store(**pool);
  crm::customers::CustomerService service(store, executor, tokens, options);
  // Internal consumers call crm.events.v1 here directly; a stream holds a connection only
  // while it fetches. Declared after the executor: its destructor waits for its streams.
  crm::events::EventFeedService feed(**pool, executor, "customers.crm");

  runner.builder().RegisterService(&service);
  runner.builder().RegisterService(&feed);
  runner.SetReadinessProbe([&pool] { return (*pool)->Healthy(); });
  runner.OnDrain([&feed] { feed.Drain(); });
  if (auto st = runner.Start(); !st.ok()) crm::log::Fatal("cannot start", {{"error", st.ToString()}});
  runner.WaitForShutdown();
  return EXIT_SUCCESS;
}
