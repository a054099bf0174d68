#include "libs/service/process.h"

#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/auth/flags.h"
#include "libs/auth/service_token.h"
#include "libs/db/flags.h"
#include "libs/grpc/channel.h"
#include "libs/grpc/flags.h"
#include "libs/log/log.h"

namespace crm::service {

// Declared in the order things are made; destroyed in reverse, so the feed (which waits for
// its streams) goes before the executor and pool it uses, and the runner (whose registry
// holds the pool's metrics) goes last.
struct Process::Parts {
  // Read in the constructor.
  ServerOptions server;
  db::PoolOptions db;
  auth::AuthClientOptions auth;
  int workers = 0;
  std::string schema_dir;
  bool migrate_only = false;
  std::string page_token_secret;
  absl::Duration team_ttl;
  events::RetentionOptions retention_options;
  TrustedProxies trusted_proxies = TrustedProxies::Loopback();
  std::unique_ptr<Peers> peers;

  // Made by OpenDatabase() and Start().
  std::unique_ptr<ServerRunner> runner;
  std::unique_ptr<db::Pool> pool;
  std::unique_ptr<auth::TokenVerifier> verifier;
  std::unique_ptr<auth::Authorizer> authorizer;
  std::unique_ptr<Executor> executor;
  std::unique_ptr<api::PageTokenCodec> page_tokens;
  std::unique_ptr<auth::UserDirectory> users;
  std::unique_ptr<auth::TeamMembers> teams;
  std::unique_ptr<records::AccessResolver> access;
  std::shared_ptr<grpc::CallCredentials> service_credentials;
  std::unique_ptr<Rpc> rpc;
  std::unique_ptr<events::EventFeedService> feed;
  std::unique_ptr<events::Retention> retention;
  std::unique_ptr<events::Consumer> consumer;
  std::vector<std::pair<std::string, BackgroundJob*>> jobs;  // Run(), in start order
  std::unique_ptr<ConsumerAdminService> consumer_admin;
  std::unique_ptr<Kit> kit;
};

Process::Process(int argc, char** argv, ServiceSpec spec)
    : spec_(spec),
      flags_(argc, argv, "crm-" + std::string(spec.name)),
      parts_(std::make_unique<Parts>()) {
  ServerRunner::InstallSignalHandlers();
  log::SetService(std::string(spec_.name));
  Parts& p = *parts_;
  p.server = ReadServerFlags(flags_, spec_.name, spec_.port, spec_.metrics_port);
  p.db = db::ReadPoolFlags(flags_, spec_.name);
  p.auth = auth::ReadAuthFlags(flags_);
  p.workers =
      flags_.Int("workers", spec_.workers, "threads running blocking (database) work", 1, 512);
  p.schema_dir = flags_.String("schema_dir", spec_.schema_dir,
                               "directory of the service's NNN_title.sql migrations");
  p.migrate_only = flags_.Bool("migrate_only", false, "apply migrations and exit");
  p.page_token_secret = flags_.Required(
      "page_token_secret", "secret that signs page tokens (the same on every replica)");
  p.team_ttl = absl::Milliseconds(flags_.Int(
      "team_members_ttl_ms", 30000,
      "how long a team's member list from the auth service is reused (managers' record rules)", 0,
      600000));
  p.retention_options = events::ReadRetentionFlags(flags_);
  p.peers = std::make_unique<Peers>(flags_, spec_.name, p.auth.target);
  const std::string trusted = flags_.String(
      "trusted_proxies", "127.0.0.1,::1",
      "comma-separated addresses or CIDR ranges whose x-forwarded-for names the client (the "
      "gateway)");
  if (absl::StatusOr<TrustedProxies> parsed = TrustedProxies::Parse(trusted); parsed.ok()) {
    p.trusted_proxies = *std::move(parsed);
  } else {
    log::Fatal("--trusted_proxies", {{"error", std::string(parsed.status().message())}});
  }
}

Process::~Process() = default;

db::Pool& Process::OpenDatabase() {
  Parts& p = *parts_;
  if (p.pool) return *p.pool;
  flags_.Finish();
  p.runner = std::make_unique<ServerRunner>(p.server);
  absl::StatusOr<std::unique_ptr<db::Pool>> pool = db::Pool::Create(p.db, &p.runner->metrics());
  if (!pool.ok()) log::Fatal("cannot reach the database", {{"error", pool.status().ToString()}});
  p.pool = std::move(*pool);
  if (absl::Status st = db::Migrate(*p.pool, p.schema_dir); !st.ok()) {
    log::Fatal("migrations failed", {{"error", st.ToString()}});
  }
  if (p.migrate_only) {
    log::Info("migrations applied");
    std::exit(EXIT_SUCCESS);
  }
  return *p.pool;
}

Kit& Process::Start() {
  OpenDatabase();
  return Build(auth::AuthServiceSource(parts_->peers->Channel("auth")), /*local=*/false);
}

Kit& Process::Start(std::unique_ptr<auth::VerificationSource> source) {
  OpenDatabase();
  return Build(std::move(source), /*local=*/true);
}

Kit& Process::Build(std::unique_ptr<auth::VerificationSource> source, bool local_keys) {
  Parts& p = *parts_;
  if (p.kit) log::Fatal("Process::Start called twice");
  p.verifier = std::make_unique<auth::TokenVerifier>(std::move(source), p.auth.verifier);
  if (absl::Status st = p.verifier->Start(); !st.ok()) {
    // Keys read locally (the auth service's own) must load. Keys from the auth service may
    // come later: it may start after this one, and the verifier fetches them again on the
    // first token.
    if (local_keys) log::Fatal("cannot load verification keys", {{"error", st.ToString()}});
    log::Warn("token keys not available yet; they are fetched again on the first token",
              {{"auth_target", p.auth.target}, {"error", st.ToString()}});
  }
  // This service's own identity for calls it makes as itself (services/<name>); without a
  // --service_secret it can only act for its callers, with their tokens.
  if (!p.auth.service_secret.empty()) {
    absl::StatusOr<std::shared_ptr<grpc::CallCredentials>> credentials =
        auth::ServiceCallCredentials(p.auth, spec_.name, p.peers->Channel("auth"));
    if (!credentials.ok()) {
      log::Fatal("--service_secret", {{"error", std::string(credentials.status().message())}});
    }
    p.service_credentials = *std::move(credentials);
  }
  p.authorizer = std::make_unique<auth::Authorizer>(*p.verifier);
  p.executor = std::make_unique<Executor>(p.workers);
  p.page_tokens = std::make_unique<api::PageTokenCodec>(p.page_token_secret);
  // One channel to auth for keys, the service's own tokens and the user directory.
  p.users = auth::AuthServiceDirectory(p.peers->Channel("auth"));
  p.teams = std::make_unique<auth::TeamMembers>(*p.users, p.team_ttl);
  p.access = std::make_unique<records::AccessResolver>(p.authorizer->policy(), *p.teams, *p.users);
  const std::string domain = std::string(spec_.name) + ".crm";
  p.rpc = std::make_unique<Rpc>(*p.authorizer, *p.executor, domain, p.trusted_proxies);
  p.consumer_admin = std::make_unique<ConsumerAdminService>(*p.rpc);
  // Internal consumers call crm.events.v1 here directly; the policy table decides who may
  // (a feed carries every record of the service).
  p.feed = std::make_unique<events::EventFeedService>(
      *p.pool, *p.executor, domain, events::FeedOptions{.metrics = &p.runner->metrics()},
      auth::FeedAuthorization(*p.authorizer));
  // Old idempotency keys, outbox rows and inbox rows go; one replica at a time does it.
  p.retention = std::make_unique<events::Retention>(*p.pool, p.retention_options, Clock::Real(),
                                                    &p.runner->metrics());
  p.retention->Start();
  p.kit = std::make_unique<Kit>(Kit{.name = spec_.name,
                                    .pool = *p.pool,
                                    .executor = *p.executor,
                                    .rpc = *p.rpc,
                                    .authorizer = *p.authorizer,
                                    .access = *p.access,
                                    .users = *p.users,
                                    .page_tokens = *p.page_tokens,
                                    .clock = Clock::Real(),
                                    .metrics = p.runner->metrics(),
                                    .auth_target = p.auth.target,
                                    .peers = *p.peers,
                                    .service_credentials = p.service_credentials});
  return *p.kit;
}

events::Consumer& Process::Follow(events::EventHandler& handler, std::vector<FollowedFeed> feeds) {
  Parts& p = *parts_;
  if (!p.kit) log::Fatal("Process::Follow called before Start");
  if (p.consumer) log::Fatal("Process::Follow called twice: follow every feed in one call");
  if (!p.service_credentials) {
    log::Fatal("following event feeds needs this service's identity: set --service_secret");
  }
  events::ConsumerOptions options{.consumer = std::string(spec_.name),
                                  .credentials = p.service_credentials,
                                  .metrics = &p.runner->metrics()};
  for (FollowedFeed& feed : feeds) {
    options.feeds.push_back({.name = feed.service,
                             .channel = p.peers->Channel(feed.service),
                             .types = std::move(feed.types)});
  }
  p.consumer = std::make_unique<events::Consumer>(*p.pool, handler, std::move(options));
  p.consumer_admin->set_consumer(p.consumer.get());
  return *p.consumer;
}

int Process::Serve(std::initializer_list<grpc::Service*> services) {
  Parts& p = *parts_;
  if (!p.kit) log::Fatal("Process::Serve called before Start");
  p.runner->builder().RegisterService(p.consumer_admin.get());
  for (grpc::Service* service : services) p.runner->builder().RegisterService(service);
  p.runner->builder().RegisterService(p.feed.get());
  db::Pool* pool = p.pool.get();
  p.runner->SetReadinessProbe([pool] { return pool->Healthy(); });
  events::EventFeedService* feed = p.feed.get();
  events::Consumer* consumer = p.consumer.get();
  const std::vector<std::pair<std::string, BackgroundJob*>>* jobs = &p.jobs;
  p.runner->OnDrain([feed, consumer, jobs] {
    feed->Drain();
    if (consumer != nullptr) consumer->Stop();
    for (auto it = jobs->rbegin(); it != jobs->rend(); ++it) {
      it->second->Stop();
      log::Info("background job stopped", {{"job", it->first}});
    }
  });
  if (absl::Status st = p.runner->Start(); !st.ok()) {
    log::Fatal("cannot start", {{"error", st.ToString()}});
  }
  if (consumer != nullptr) {
    if (absl::Status st = consumer->Start(); !st.ok()) {
      log::Fatal("cannot follow the event feeds", {{"error", st.ToString()}});
    }
  }
  for (const auto& [name, job] : p.jobs) job->Start();
  p.runner->WaitForShutdown();
  return EXIT_SUCCESS;
}

void Process::Run(std::string name, BackgroundJob& job) {
  if (!parts_->kit) log::Fatal("Process::Run called before Start");
  parts_->jobs.emplace_back(std::move(name), &job);
}

}  // namespace crm::service
