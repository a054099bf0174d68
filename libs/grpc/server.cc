#include "libs/grpc/server.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/grpc/build_info.h"
#include "libs/grpc/interceptors.h"
#include "libs/log/log.h"
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>

namespace crm {
namespace {

// Runners that a signal should shut down. Start() adds, the destructor removes.
absl::Mutex runners_mu;
std::vector<ServerRunner*>& Runners() ABSL_EXCLUSIVE_LOCKS_REQUIRED(runners_mu) {
  static auto* runners = new std::vector<ServerRunner*>();
  return *runners;
}

// prometheus-cpp's Exposer takes about two seconds to destroy; one per process is plenty,
// so every runner in a process (tests start several) shares it.
// Set by a signal that arrived before any runner started, so Start() shuts down at once.
std::atomic<bool> signalled{false};

absl::Mutex exposer_mu;
prometheus::Exposer* shared_exposer ABSL_GUARDED_BY(exposer_mu) = nullptr;

int PortOf(const std::string& address) {
  int port = 0;
  auto colon = address.rfind(':');
  if (colon != std::string::npos) (void)absl::SimpleAtoi(address.substr(colon + 1), &port);
  return port;
}

}  // namespace

ServerRunner::ServerRunner(ServerOptions options)
    : options_(std::move(options)),
      registry_(std::make_shared<prometheus::Registry>()),
      calls_(std::make_unique<CallObserver>(*registry_)) {
  RegisterBuildInfo(*registry_, options_.service_name);
}

ServerRunner::~ServerRunner() {
  Shutdown();
  if (probe_thread_.joinable()) probe_thread_.join();
  if (server_) server_->Shutdown(std::chrono::system_clock::now());
  if (health_server_) health_server_->Shutdown(std::chrono::system_clock::now());
  absl::MutexLock lock(&runners_mu);
  std::erase(Runners(), this);
}

absl::Status ServerRunner::Start() {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  if (absl::Status files = CheckTlsFiles(options_.tls); !files.ok()) return files;
  builder_.AddListeningPort(options_.listen_address, ServerCredentials(options_.tls), &port_);
  // gRPC binds with SO_REUSEPORT by default: a second server on a port already taken would
  // start "successfully" and the kernel would hand it part of the first one's connections (a
  // stale replica, or another service, answering calls meant for this one). Taken means taken.
  builder_.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder_.SetMaxReceiveMessageSize(options_.max_message_bytes);
  builder_.SetMaxSendMessageSize(options_.max_message_bytes);
  // Keepalive: notice dead clients behind NATs and load balancers, but let clients ping
  // as often as every 10 s without being told off.
  builder_.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60'000);
  builder_.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20'000);
  builder_.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder_.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10'000);
  builder_.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  // Clients reconnect every few minutes, so they re-resolve and new replicas get traffic.
  builder_.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, 5 * 60'000);
  builder_.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, 30'000);

  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(MakeObservabilityInterceptorFactory(*calls_, observed_by_handler_));
  builder_.experimental().SetInterceptorCreators(std::move(factories));

  server_ = builder_.BuildAndStart();
  if (!server_ || port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.listen_address, " (port in use?)"));
  }

  {
    absl::MutexLock lock(&exposer_mu);
    if (shared_exposer == nullptr) {
      try {
        shared_exposer = new prometheus::Exposer(options_.metrics_address);
      } catch (const std::exception& e) {
        return absl::UnavailableError(absl::StrCat("cannot serve metrics on ",
                                                   options_.metrics_address, ": ", e.what()));
      }
    }
    shared_exposer->RegisterCollectable(registry_);
    auto ports = shared_exposer->GetListeningPorts();
    metrics_port_ = ports.empty() ? PortOf(options_.metrics_address) : ports.front();
  }

  if (!options_.health_address.empty()) {
    // Nothing but the default health service (EnableDefaultHealthCheckService above): a
    // plaintext port that answers probes and carries no API.
    grpc::ServerBuilder health;
    health.AddListeningPort(options_.health_address, grpc::InsecureServerCredentials(),
                            &health_port_);
    health.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    health_server_ = health.BuildAndStart();
    if (!health_server_ || health_port_ == 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", options_.health_address, " (port in use?)"));
    }
  }

  bool ready = !probe_ || probe_();
  // "" (the server as a whole) follows readiness; "liveness" only says the process serves,
  // so a Kubernetes liveness probe does not restart pods during a database outage.
  SetServing("", ready);
  SetServing(kLivenessService, true);
  probe_thread_ = std::thread([this] { ProbeLoop(); });

  if (!options_.port_file.empty()) {
    // Written to a temporary name first so readers never see half a line.
    std::string tmp = options_.port_file + ".tmp";
    {
      std::ofstream out(tmp);
      out << port_ << " " << metrics_port_ << "\n";
    }
    std::rename(tmp.c_str(), options_.port_file.c_str());
  }
  {
    absl::MutexLock lock(&runners_mu);
    Runners().push_back(this);
  }
  if (signalled.load()) Shutdown();
  log::Info("serving", {{"grpc_port", std::to_string(port_)},
                        {"metrics_port", std::to_string(metrics_port_)},
                        {"tls", !options_.tls.serves_tls()      ? "off"
                                : options_.tls.client_ca.empty() ? "server"
                                                                 : "mutual"}});
  return absl::OkStatus();
}

void ServerRunner::SetServing(const std::string& service, bool serving) {
  server_->GetHealthCheckService()->SetServingStatus(service, serving);
  if (health_server_) health_server_->GetHealthCheckService()->SetServingStatus(service, serving);
}

void ServerRunner::ProbeLoop() {
  bool last = true;
  while (!shutdown_.WaitForNotificationWithTimeout(absl::Seconds(1))) {
    if (!probe_) continue;
    bool ready = probe_();
    if (ready != last) {
      log::Info(ready ? "ready: dependencies reachable" : "not ready: dependency unreachable");
      last = ready;
    }
    SetServing("", ready);
  }
}

void ServerRunner::WaitForShutdown() {
  shutdown_.WaitForNotification();
  if (!server_) return;
  log::Info("draining", {{"timeout_s", std::to_string(absl::ToInt64Seconds(options_.drain_timeout))}});
  server_->GetHealthCheckService()->SetServingStatus(false);
  if (health_server_) health_server_->GetHealthCheckService()->SetServingStatus(false);
  if (drain_hook_) drain_hook_();
  // Stops accepting calls, lets in-flight ones finish, cancels what is left at the deadline.
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(options_.drain_timeout));
  if (probe_thread_.joinable()) probe_thread_.join();
  if (health_server_) health_server_->Shutdown(std::chrono::system_clock::now());
  log::Info("stopped");
}

void ServerRunner::Shutdown() {
  if (!shutdown_.HasBeenNotified()) shutdown_.Notify();
}

void ServerRunner::InstallSignalHandlers() {
  // Debian builds Abseil without NDEBUG, which leaves absl::Mutex's deadlock detection on:
  // every lock acquisition looks the mutex up in a process-wide lock graph under a global
  // lock, 1.5-2.5 % of the CPU of a loaded server (tools/loadgen/RESULTS.md). It is a
  // debugging aid that a release build of Abseil compiles out, so a server process switches
  // it off; tests (which do not call this) keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Block the signals in this thread (and so in every thread started later), and take them
  // synchronously on one dedicated thread: no async-signal-safety pitfalls.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    sigwait(&set, &sig);
    log::Info("signal received, shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    signalled.store(true);
    absl::MutexLock lock(&runners_mu);
    for (ServerRunner* runner : Runners()) runner->Shutdown();
  }).detach();
}

}  // namespace crm
