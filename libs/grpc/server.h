// Bootstrap shared by every server process (services and the gateway): gRPC server with
// health (readiness follows a probe, e.g. the DB pool), reflection, Prometheus /metrics on
// its own port (with crm_build_info, build_info.h), the standard interceptors (request ids,
// call metrics with bounded labels, access log: interceptors.h), message size and keepalive
// limits, and graceful drain on SIGTERM/SIGINT.
//
// Usage (main.cc):
//   crm::ServerRunner runner(options);
//   runner.builder().RegisterService(&service);
//   runner.SetReadinessProbe([&] { return pool->Healthy(); });
//   if (auto st = runner.Start(); !st.ok()) crm::log::Fatal(...);
//   runner.WaitForShutdown();   // returns after SIGTERM and a drain
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include <grpcpp/grpcpp.h>

#include "libs/grpc/tls.h"

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace crm {

// Health service name that stays SERVING while the process runs (until it drains), for
// liveness probes; the empty name follows the readiness probe.
inline constexpr char kLivenessService[] = "liveness";

struct ServerOptions {
  std::string service_name;                  // "customers", "gateway": crm_build_info's label
  std::string listen_address = "0.0.0.0:0";  // port 0 picks a free port
  std::string metrics_address = "0.0.0.0:0"; // Prometheus /metrics endpoint
  // When set, "<grpc_port> <metrics_port>\n" is written here once both listen, so tests and
  // tools that started the process on port 0 can find it.
  std::string port_file;
  int max_message_bytes = 4 << 20;
  absl::Duration drain_timeout = absl::Seconds(20);
  // The gRPC listener's TLS (tls.h); plaintext by default.
  TlsOptions tls;
  // When set ("0.0.0.0:8086"), grpc.health.v1 alone is also served here in plaintext, with
  // the same statuses: for the kubelet's gRPC probes, which cannot speak TLS.
  std::string health_address;
};

class ServerRunner final {
 public:
  explicit ServerRunner(ServerOptions options);
  ~ServerRunner();

  // The process-wide metrics registry (served at /metrics once started).
  prometheus::Registry& metrics() { return *registry_; }
  // Register services and extra options here before Start().
  grpc::ServerBuilder& builder() { return builder_; }
  // Polled every second; the health status of "" (the whole server) follows it.
  void SetReadinessProbe(std::function<bool()> probe) { probe_ = std::move(probe); }
  // Runs when draining starts, before the server stops accepting calls: ends long-lived
  // streams (event feeds) that would otherwise hold the drain open until its timeout.
  void OnDrain(std::function<void()> hook) { drain_hook_ = std::move(hook); }

  absl::Status Start();
  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }
  int health_port() const { return health_port_; }  // 0 without a health_address

  // Blocks until SIGTERM/SIGINT (see InstallSignalHandlers) or Shutdown(), then drains:
  // health turns NOT_SERVING, new calls are refused, in-flight calls finish (up to
  // drain_timeout, after which they are cancelled).
  void WaitForShutdown();
  void Shutdown();

  // Routes SIGTERM and SIGINT to Shutdown() of every running ServerRunner. Call once in main.
  static void InstallSignalHandlers();

 private:
  void ProbeLoop();
  // Sets a health status on the server and on the plaintext health server, if any.
  void SetServing(const std::string& service, bool serving);

  ServerOptions options_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  grpc::ServerBuilder builder_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;  // options_.health_address's
  std::function<bool()> probe_;
  std::function<void()> drain_hook_;
  std::thread probe_thread_;
  absl::Notification shutdown_;
  int port_ = 0;
  int metrics_port_ = 0;
  int health_port_ = 0;
};

}  // namespace crm
