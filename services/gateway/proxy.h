// The gateway's byte-level gRPC proxy. Every call that no registered service claims (the
// gateway's own health and reflection are registered services) arrives here as a generic
// bidi stream; its method path "/crm.customers.v1.CustomerService/GetCustomer" names the
// proto package "crm.customers.v1", which the route table maps to a backend address. The
// proxy forwards messages as opaque bytes, so no RPC is ever re-declared here: a new method
// in a backend's .proto is reachable through the gateway without rebuilding it.
//
// Treating every call as bidi is transparent on the wire for unary, client-streaming,
// server-streaming and bidi methods alike. What is carried across: request and response
// messages in order (one in flight per direction, so gRPC flow control reaches end to end),
// half-close, the deadline, cancellation in both directions, request metadata (minus HTTP/2
// and gRPC transport headers) with an x-request-id added when the client sent none, the
// backend's initial and trailing metadata (except its x-request-id echo, which the gateway's
// own bootstrap already returns), and the final status with its error_details
// (google.rpc.Status bytes).
//
//   auto routes = crm::gateway::ParseRoutes("crm.customers.v1=127.0.0.1:50061");
//   crm::gateway::Proxy proxy(*routes, runner.metrics());
//   runner.builder().RegisterCallbackGenericService(&proxy);
//
// The proxy must outlive the grpc::Server it is registered with, and the registry must
// outlive the proxy.
#pragma once

#include <grpcpp/generic/async_generic_service.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace crm::gateway {

// One entry of the route table: every method of `package` goes to `address`.
struct Route {
  std::string package;  // proto package, e.g. "crm.customers.v1"
  std::string address;  // gRPC target, e.g. "127.0.0.1:50061" or "dns:///customers:50061"
};

// Parses "pkg=address,pkg=address" (spaces around items are ignored). Rejects an empty table,
// malformed items, bad package names and a package listed twice, so a typo stops start-up
// instead of turning into UNIMPLEMENTED at run time.
absl::StatusOr<std::vector<Route>> ParseRoutes(absl::string_view spec);

// The short name used in metric labels and error messages: "crm.customers.v1" → "customers"
// (the last package component before the version).
std::string BackendName(absl::string_view package);

// Whether a request or response metadata key is copied across the proxy. HTTP/2 pseudo
// headers, connection headers and "grpc-*" keys belong to one hop: gRPC regenerates them (the
// deadline travels as the call's deadline, the status details as the status itself).
bool ShouldForwardMetadata(absl::string_view key);

// A fresh random request id in UUID v4 form, for calls that arrive without x-request-id.
std::string NewRequestId();

struct ProxyOptions {
  // Largest message accepted from or sent to a backend; match the gateway server's own limit.
  int max_message_bytes = 4 << 20;
  // Keepalive pings (also on idle connections) detect a dead backend behind a silent
  // network. Backends must accept pings this often: gRPC's default allows one per 5 minutes
  // without data, the shared server bootstrap (libs/grpc/server.h) one per 10 seconds.
  absl::Duration keepalive_time = absl::Seconds(60);
  absl::Duration keepalive_timeout = absl::Seconds(20);
};

class Proxy final : public grpc::CallbackGenericService {
 public:
  // `routes` must not repeat a package (ParseRoutes guarantees that). Channels are created
  // here but connect lazily, so a backend that is down at start-up does not stop the gateway.
  // Calls are counted in crm_gateway_backend_calls_total{backend,code} in `registry`.
  Proxy(const std::vector<Route>& routes, prometheus::Registry& registry,
        ProxyOptions options = {});
  ~Proxy() override;

  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override;

  struct Backend;  // a routed package: its channel, stub and metric family (proxy.cc)

 private:
  // Immutable after construction, so lookups need no lock. Shared with in-flight calls.
  absl::flat_hash_map<std::string, std::shared_ptr<const Backend>> backends_;
};

}  // namespace crm::gateway
