// The start-up every service shares, so that a service's main.cc is its own options, store
// and handlers and nothing else:
//
//   int main(int argc, char** argv) {
//     crm::service::Process process(argc, argv, CRM_SERVICE_SPEC);
//     crm::customers::ServiceOptions options{.default_phone_region = process.flags().String(
//         "default_phone_region", "CN", "region for national-format phone numbers")};
//     crm::service::Kit& kit = process.Start();
//     crm::customers::CustomerStore store(kit.pool, kit.clock);
//     crm::customers::CustomerService service(kit, store, options);
//     return process.Serve({&service});
//   }
//
// What it does, in order:
// - the constructor: signal handling (SIGTERM/SIGINT drain), the log's service name, and the
//   flags every service takes: server (--port, --metrics_port, --port_file, --drain_seconds),
//   database (--db_*), auth client (--auth_target, --revocation_poll_ms), --workers,
//   --schema_dir, --migrate_only, --page_token_secret, --team_members_ttl_ms, and retention
//   (--idempotency_retention, --outbox_retention, --inbox_retention, --retention_interval,
//   --retention_batch: libs/events/retention.h);
// - OpenDatabase() (called by Start() unless the service needs the database earlier): the
//   flags are finished (any problem stops the process with every problem listed), the pool
//   connects and migrations are applied under the database's migration lock; with
//   --migrate_only the process exits here, as a Kubernetes migration Job wants;
// - Start(): token verification (keys and revocations from the auth service), the policy
//   table, the executor for blocking work, page tokens, the team directory and record access,
//   the RPC edge, the service's event feed (crm.events.v1.EventFeed on its outbox, with its
//   metrics) and the retention job of the library tables (one replica at a time);
// - Serve(): registers the services, the feed and crm.events.v1.ConsumerAdmin (the feeds
//   this process follows, if any: Follow()), reports readiness from the pool, drains on
//   SIGTERM (feeds end first, followed feeds and background jobs stop, then in-flight calls
//   get --drain_seconds), and returns main's exit status.
// Configuration and start-up problems are fatal with a clear log line; nothing here fails at
// run time.
#pragma once

#include <grpcpp/grpcpp.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "libs/api/query.h"
#include "libs/auth/directory.h"
#include "libs/auth/verifier.h"
#include "libs/base/clock.h"
#include "libs/config/config.h"
#include "libs/db/db.h"
#include "libs/events/feed.h"
#include "libs/events/retention.h"
#include "libs/grpc/executor.h"
#include "libs/grpc/server.h"
#include "libs/records/access.h"
#include "libs/service/follow.h"
#include "libs/service/job.h"
#include "libs/service/peers.h"
#include "libs/service/rpc.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace crm::service {

// What differs between services at start-up.
struct ServiceSpec {
  std::string_view name;        // "customers": logs, metrics, schema and user crm_<name>
  int port = 0;                 // default gRPC port
  int metrics_port = 0;         // default /metrics port
  std::string_view schema_dir;  // default --schema_dir (compiled in by crm_service())
  int workers = 16;             // default --workers
};

// The ServiceSpec of the service whose main.cc is being compiled: crm_service()
// (cmake/crm_service.cmake) compiles in its name and ports from services/services.list and
// its migrations directory.
#if defined(CRM_SERVICE_NAME) && defined(CRM_SERVICE_PORT) && defined(CRM_SERVICE_METRICS_PORT) && \
    defined(CRM_SCHEMA_DIR)
#define CRM_SERVICE_SPEC                                                                          \
  ::crm::service::ServiceSpec {                                                                   \
    .name = CRM_SERVICE_NAME, .port = CRM_SERVICE_PORT, .metrics_port = CRM_SERVICE_METRICS_PORT, \
    .schema_dir = CRM_SCHEMA_DIR                                                                  \
  }
#endif

// What a service's handlers and stores are built from. Everything outlives the services.
struct Kit {
  std::string_view name;  // "customers"
  db::Pool& pool;
  Executor& executor;
  Rpc& rpc;  // the RPC edge (token, policy, executor, errors)
  const auth::Authorizer& authorizer;
  const records::AccessResolver& access;  // record rules for owned records
  auth::UserDirectory& users;             // the auth service's users, as the caller sees them
  const api::PageTokenCodec& page_tokens;
  const Clock& clock;
  prometheus::Registry& metrics;
  const std::string& auth_target;  // where the auth service is, for clients of it
  const Peers& peers;              // where the other services are, a channel to each
  // This service's own identity (services/<name>, from --service_secret) for calls it makes
  // as itself: put them on a client context (ClientCall in libs/grpc/channel.h). Null when
  // the process was given no secret; calls made for a user forward the user's token instead.
  std::shared_ptr<grpc::CallCredentials> service_credentials;
};

class Process final {
 public:
  Process(int argc, char** argv, ServiceSpec spec);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // For the service's own options; read them before OpenDatabase() or Start().
  config::Flags& flags() { return flags_; }

  // Finishes the flags, connects and migrates (see above). Idempotent.
  db::Pool& OpenDatabase();

  // Builds the kit with tokens verified against the auth service.
  Kit& Start();
  // The same with keys and revocations from `source` (the auth service itself reads its own
  // database instead of calling itself); keys that do not load are fatal then.
  Kit& Start(std::unique_ptr<auth::VerificationSource> source);

  // Follows other services' feeds as this service, applying each event exactly once to its
  // own schema through `handler` (libs/service/follow.h). Between Start() and Serve(); the
  // consumer starts with the server and stops when it drains. Needs --service_secret (the
  // feeds admit only the services the policy table names).
  events::Consumer& Follow(events::EventHandler& handler, std::vector<FollowedFeed> feeds);

  // Runs `job` (named `name` in logs) while the process serves: Serve() starts it once the
  // server is up, and the drain stops it (jobs in reverse order) before in-flight calls are
  // waited for. Between Start() and Serve(); `job` outlives Serve().
  void Run(std::string name, BackgroundJob& job);

  // Serves until SIGTERM or SIGINT and a drain; the result is main's return value.
  int Serve(std::initializer_list<grpc::Service*> services);

 private:
  struct Parts;
  Kit& Build(std::unique_ptr<auth::VerificationSource> source, bool local_keys);

  const ServiceSpec spec_;
  config::Flags flags_;
  std::unique_ptr<Parts> parts_;  // flags read in the constructor, then what Start() makes
};

}  // namespace crm::service
