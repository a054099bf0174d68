// Which gRPC methods this binary knows. Every binary that links crm_grpc links every proto of
// crm_proto whole (libs/grpc/CMakeLists.txt), so protobuf's generated descriptor pool holds
// every crm.* method, the vendored grpc.health.v1 and gRPC's reflection service: the methods
// any of our servers can serve. Method names a client makes up are not there, which is what
// keeps metric labels and caches keyed by method bounded (interceptors.h, the gateway).
#pragma once

#include <string_view>

namespace google::protobuf {
class MethodDescriptor;
}  // namespace google::protobuf

namespace crm {

// The descriptor of the method at `path` ("/pkg.Service/Method"), or null when the path is
// malformed or names no method in the generated pool. Only the canonical path matches, so
// each known method has exactly one path. A miss costs a lookup under the pool's lock:
// callers cache hits, never misses (a miss is what a made-up name gives).
const google::protobuf::MethodDescriptor* FindMethod(std::string_view path);

// "unary", "client_stream", "server_stream" or "bidi_stream": the grpc_type metric label
// (the values go-grpc-prometheus uses).
const char* MethodTypeName(const google::protobuf::MethodDescriptor& method);

}  // namespace crm
