// Server interceptors installed on every server by ServerRunner:
//  - request ids: takes the client's x-request-id or makes one, makes it visible through
//    ServerContext::client_metadata() to handlers, and returns it in trailing metadata;
//  - metrics: grpc_server_started_total, grpc_server_handled_total{grpc_code} and
//    grpc_server_handling_seconds (the names and labels of the Prometheus community's
//    go-grpc-prometheus, so existing dashboards work), each labelled grpc_service,
//    grpc_method and grpc_type ("unary", "client_stream", "server_stream", "bidi_stream").
//    The labels come from the method's descriptor (methods.h), not from how the call
//    arrived: the gateway's generic proxy receives every call as a bidi stream, yet a
//    proxied unary call is labelled "unary". A method that is not in the descriptor pool
//    (any name a client makes up) is labelled grpc_service="unknown", grpc_method="unknown",
//    grpc_type="unknown", so the number of series stays bounded whatever clients send;
//  - trace context: the caller's W3C traceparent continued with a span of this server's, or a
//    new trace when it sent none; handlers, outgoing calls and log lines carry it (trace.h);
//  - an access log line for every call that failed or took longer than a second.
//
// The metrics and the access log live in a CallObserver, which the interceptor records every
// call into. A handler may observe its own calls instead (the gateway's proxy does, to spare
// each proxied call a pass through gRPC's interceptor machinery): the server is told which
// methods those are (ServerRunner::ObservedByHandler), the interceptor leaves their calls
// alone, and the handler calls Begin and End itself with the same labels and series, and
// takes the request id (IsUsableRequestId) and trace (ServerSpan) as the interceptor would.
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "libs/log/trace.h"

namespace grpc {
class Status;
}  // namespace grpc

namespace prometheus {
class Registry;
}

namespace crm {

namespace internal {
struct MethodMetrics;
class MetricFamilies;
}  // namespace internal

// The call metrics and access log of one server. Thread-safe.
class CallObserver final {
 public:
  explicit CallObserver(prometheus::Registry& registry);
  ~CallObserver();
  CallObserver(const CallObserver&) = delete;
  CallObserver& operator=(const CallObserver&) = delete;

  // One call in progress.
  struct Call {
    internal::MethodMetrics* metrics = nullptr;
    absl::Time start;
  };

  // A call of `method` ("/pkg.Service/Method") started: counts it.
  Call Begin(std::string_view method);
  // It ended with `status`: counts it by code, observes its duration, and writes the access
  // log line (with `request_id` and `trace`) when it failed or took longer than a second.
  void End(const Call& call, std::string_view method, const grpc::Status& status,
           std::string_view request_id, const log::TraceContext& trace);

 private:
  std::unique_ptr<internal::MetricFamilies> families_;
};

// The interceptor factory recording into `observer`, which must outlive it. Calls of the
// methods in `observed_by_handler` (full paths) are not intercepted; the set is read when
// each call starts and must not change once the server runs.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeObservabilityInterceptorFactory(CallObserver& observer,
                                    const absl::flat_hash_set<std::string>& observed_by_handler);

// This server's span of a call with client `metadata`: a child of the caller's traceparent,
// or a new trace when it sent none, a malformed one or more than one (trace.h).
log::TraceContext ServerSpan(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

// The x-request-id of a call as the interceptor accepts it: the client's value when it has one
// of at most 128 characters, else empty (and a new one is made).
bool IsUsableRequestId(std::string_view id);

// A new random request id (32 hex digits).
std::string NewRequestId();

}  // namespace crm
