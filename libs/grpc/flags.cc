#include "libs/grpc/flags.h"

#include <string>

namespace crm {

ServerOptions ReadServerFlags(config::Flags& flags, std::string_view service_name,
                              int default_port, int default_metrics_port) {
  ServerOptions options;
  options.service_name = std::string(service_name);
  int port = flags.Int("port", default_port, "gRPC port (0 picks a free one)", 0, 65535);
  int metrics_port = flags.Int("metrics_port", default_metrics_port,
                               "Prometheus /metrics port (0 picks a free one)", 0, 65535);
  options.listen_address = "0.0.0.0:" + std::to_string(port);
  options.metrics_address = "0.0.0.0:" + std::to_string(metrics_port);
  options.port_file =
      flags.String("port_file", "", "write \"<grpc_port> <metrics_port>\" here once listening");
  options.drain_timeout = absl::Seconds(
      flags.Int("drain_seconds", 20, "time in-flight calls get on SIGTERM", 0, 600));
  options.tls = ReadTlsFlags(flags);
  const int health_port = flags.Int(
      "health_port", 0,
      "also serve grpc.health.v1 alone, in plaintext, on this port (for probes of a TLS "
      "listener; 0: no such port)",
      0, 65535);
  if (health_port > 0) options.health_address = "0.0.0.0:" + std::to_string(health_port);
  // Channels this process opens to the suite's servers dial as configured (tls.h).
  UseChannelTls(options.tls);
  return options;
}

}  // namespace crm
