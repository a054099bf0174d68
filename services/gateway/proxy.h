// The gateway's byte-level gRPC proxy. Every call that no registered service claims (the
// gateway's own health and reflection are registered services) arrives here as a generic
// call; its method path "/crm.customers.v1.CustomerService/GetCustomer" names the proto
// package "crm.customers.v1", which the route table maps to a backend address. The proxy
// forwards messages as opaque bytes, so no RPC is ever re-declared here: a new method in a
// backend's .proto is reachable through the gateway without rebuilding it.
//
// A call takes one of two paths:
// - Unary path, for the unary methods the gateway is given (ProxyOptions::unary_methods: the
//   gateway passes every method of the policy table) that protobuf's generated descriptor pool
//   knows to be unary and whose package is routed: each is registered with the gRPC server as
//   a method of its own with raw (ByteBuffer) messages, so gRPC matches it by name, hands over
//   the request bytes with the call, and takes the answer in one batch. The backend call is a
//   one-shot unary call on the same bytes. The call records its own metrics, request id and
//   access log (the server's interceptor leaves these methods alone: ServerRunner::
//   ObservedByHandler), and its reactions run where the call completes, with no hand-over
//   to gRPC's executor threads. Almost every CRM call is unary.
// - Stream path, for streaming methods and methods this binary does not know (a backend newer
//   than the gateway): the call arrives at the generic service and is proxied as a bidi
//   stream, which is transparent on the wire for every kind of method. (The gateway's
//   admission lets an unknown method through only when the policy table names it; other
//   unknown methods are UNIMPLEMENTED: admission.h.)
//
// Both paths carry across: request and response messages in order (on the stream path one in
// flight per direction, so gRPC flow control reaches end to end), half-close, the deadline,
// cancellation in both directions, request metadata (minus HTTP/2 and gRPC transport headers)
// with an x-request-id added when the client sent none, the backend's initial and trailing
// metadata (except its x-request-id echo: the gateway returns the id itself), and the final
// status with its error_details (google.rpc.Status bytes).
//
//   auto routes = crm::gateway::ParseRoutes("crm.customers.v1=127.0.0.1:50061");
//   crm::gateway::Proxy proxy(*routes, runner.metrics(),
//                             {.unary_methods = methods, .calls = &runner.calls()});
//   runner.ObservedByHandler(proxy.unary_methods());
//   proxy.RegisterWith(runner.builder());
//
// The proxy must outlive the grpc::Server it is registered with, and the registry and the
// CallObserver must outlive the proxy.
#pragma once

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/server_builder.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace crm {
class CallObserver;
}  // namespace crm

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

// A fresh random request id in UUID v4 form, for calls that arrive without a usable
// x-request-id.
std::string NewRequestId();

// Whether `method` ("/pkg.Service/Method") is a unary RPC of a proto linked into this binary
// (crm::FindMethod, libs/grpc/methods.h). False for streaming methods, unknown methods and
// malformed paths.
bool IsUnaryMethod(absl::string_view method);

// Decides, before routing, whether a call of `method` ("/pkg.Service/Method") may go on; a
// non-OK status answers it instead. Runs on a gRPC callback thread for every call, so it must
// not block (the gateway's admission checks a token against cached keys and a rate limit:
// admission.h).
using AdmissionCheck =
    std::function<grpc::Status(const grpc::ServerContextBase& ctx, std::string_view method)>;

struct ProxyOptions {
  // Largest message accepted from or sent to a backend; match the gateway server's own limit.
  int max_message_bytes = 4 << 20;
  // Keepalive pings (also on idle connections) detect a dead backend behind a silent
  // network. Backends must accept pings this often: gRPC's default allows one per 5 minutes
  // without data, the shared server bootstrap (libs/grpc/server.h) one per 10 seconds.
  absl::Duration keepalive_time = absl::Seconds(60);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // Candidates for the unary path ("/pkg.Service/Method"): those the descriptor pool knows to
  // be unary and whose package is routed are registered; the rest are ignored. Empty: every
  // call takes the stream path.
  std::vector<std::string> unary_methods;
  // Where the unary path records its calls (the server's own: ServerRunner::calls()); none
  // records nothing (tests).
  CallObserver* calls = nullptr;
  // Checked for every call before it is routed; none admits everything.
  AdmissionCheck admit;
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

  // Registers the unary path's methods and the generic service (the stream path) with
  // `builder`. Once, before the server starts.
  void RegisterWith(grpc::ServerBuilder& builder);

  // The methods registered for the unary path (full paths).
  const absl::flat_hash_set<std::string>& unary_methods() const { return unary_methods_; }

  // The stream path: every call no registered method claims.
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override;

  class Backend;      // a routed package: its channel, stub and call counters (proxy.cc)
  class UnaryService; // the unary path's registered methods (proxy.cc)

 private:
  const AdmissionCheck admit_;
  CallObserver* const calls_;
  // Immutable after construction, so lookups need no lock. Shared with in-flight calls.
  absl::flat_hash_map<std::string, std::shared_ptr<const Backend>> backends_;
  absl::flat_hash_set<std::string> unary_methods_;
  std::unique_ptr<UnaryService> unary_service_;
};

}  // namespace crm::gateway
