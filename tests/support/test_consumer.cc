// crm-test-consumer: a minimal events::Consumer for end-to-end tests. It follows one
// service's event feed into its own schema, counting each (event type, resource) it
// applies in event_counts, until SIGTERM/SIGINT, or until a test SIGKILLs it.
//
//   crm-test-consumer --feed_target=ipv4:127.0.0.1:50061,127.0.0.1:50071 --token=...
//                     --db_socket=... --db_name=... --db_user=... --db_password=...
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdlib>

#include "absl/time/time.h"
#include "libs/auth/flags.h"
#include "libs/auth/service_token.h"
#include "libs/config/config.h"
#include "libs/db/db.h"
#include "libs/db/flags.h"
#include "libs/events/consumer.h"
#include "libs/grpc/channel.h"
#include "libs/grpc/credentials.h"
#include "libs/log/log.h"

#ifndef CRM_TEST_CONSUMER_SCHEMA_DIR
#define CRM_TEST_CONSUMER_SCHEMA_DIR "tests/support/test_consumer_schema"
#endif

namespace {

constexpr char kCount[] =
    "INSERT INTO event_counts (event_type, resource, applied) VALUES (?, ?, 1) "
    "ON DUPLICATE KEY UPDATE applied = applied + 1";

class CountEvents final : public crm::events::EventHandler {
 public:
  absl::Status Apply(crm::db::Transaction& tx, const crm::events::v1::Event& event) override {
    return tx.Execute(kCount, {event.type(), event.resource()}).status();
  }
  absl::Status Reset(crm::db::Transaction& tx, std::string_view) override {
    return tx.Execute("DELETE FROM event_counts", {}).status();
  }
};

}  // namespace

int main(int argc, char** argv) {
  // Taken synchronously below, before any thread starts, so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  crm::log::SetService("test-consumer");

  crm::config::Flags flags(argc, argv, "crm-test-consumer");
  crm::db::PoolOptions db = crm::db::ReadPoolFlags(flags, "test_consumer");
  const std::string target = flags.Required(
      "feed_target", "the producer's address(es), e.g. ipv4:127.0.0.1:1,127.0.0.1:2");
  // The feed admits only the services the policy table names: this consumer acts as one
  // (--service_name), with that service's secret, through the auth service at --auth_target
  // (--service_secret), refreshing its token as a real consumer does.
  const crm::auth::AuthClientOptions auth = crm::auth::ReadAuthFlags(flags);
  const std::string service_name =
      flags.String("service_name", "analytics", "the service identity to read the feed as");
  const std::string consumer_name =
      flags.String("consumer", "test-consumer", "the consumer's name (its cursors' key)");
  const std::string feed_name = flags.String("feed", "customers", "the feed's name");
  const std::string schema_dir =
      flags.String("schema_dir", CRM_TEST_CONSUMER_SCHEMA_DIR, "the consumer's migrations");
  const absl::Duration max_backoff =
      flags.Duration("max_backoff", absl::Seconds(1), "longest wait between reconnects",
                     absl::Milliseconds(10), absl::Minutes(5));
  flags.Finish();

  auto pool = crm::db::Pool::Create(db, nullptr);
  if (!pool.ok())
    crm::log::Fatal("cannot reach the database", {{"error", pool.status().ToString()}});
  if (auto st = crm::db::Migrate(**pool, schema_dir); !st.ok()) {
    crm::log::Fatal("migrations failed", {{"error", st.ToString()}});
  }

  auto credentials =
      crm::auth::ServiceCallCredentials(auth, service_name, crm::ServiceChannel(auth.target));
  if (!credentials.ok()) {
    crm::log::Fatal("--service_secret", {{"error", credentials.status().ToString()}});
  }

  CountEvents handler;
  crm::events::Consumer consumer(
      **pool, handler,
      {.consumer = consumer_name,
       // pick_first rather than crm::ServiceChannel's round_robin: the crash test lists the
       // replica it kills first, so the stream it breaks is always this consumer's.
       .feeds = {{.name = feed_name,
                  .channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials())}},
       .credentials = *credentials,
       .initial_backoff = absl::Milliseconds(50),
       .max_backoff = max_backoff});
  if (auto st = consumer.Start(); !st.ok()) {
    crm::log::Fatal("cannot start the consumer", {{"error", st.ToString()}});
  }
  crm::log::Info("consuming", {{"feed", feed_name}, {"target", target}});
  int signal = 0;
  sigwait(&signals, &signal);
  consumer.Stop();
  crm::log::Info("stopped");
  return EXIT_SUCCESS;
}
