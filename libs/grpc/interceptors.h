// Server interceptors installed on every server by ServerRunner:
//  - request ids: takes the client's x-request-id or makes one, makes it visible through
//    ServerContext::client_metadata() to handlers, and returns it in trailing metadata;
//  - metrics: grpc_server_started_total, grpc_server_handled_total{grpc_code},
//    grpc_server_handling_seconds (the names the Prometheus community's go-grpc-prometheus
//    uses, so existing dashboards work);
//  - an access log line for every call that failed or took longer than a second.
#pragma once

#include <memory>

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
