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
#pragma once

#include <memory>
#include <string>

#include <grpcpp/support/server_interceptor.h>

namespace prometheus {
class Registry;
}

namespace crm {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeObservabilityInterceptorFactory(prometheus::Registry& registry);

// A new random request id (32 hex digits).
std::string NewRequestId();

}  // namespace crm
