#include "libs/grpc/methods.h"

#include <google/protobuf/descriptor.h>

#include <string>

namespace crm {

const google::protobuf::MethodDescriptor* FindMethod(std::string_view path) {
  if (path.empty() || path.front() != '/') return nullptr;
  path.remove_prefix(1);
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos || path.find('/', slash + 1) != std::string_view::npos) {
    return nullptr;
  }
  const std::string_view service = path.substr(0, slash);
  const std::string_view method = path.substr(slash + 1);
  if (service.empty() || method.empty()) return nullptr;
  std::string full_name;
  full_name.reserve(path.size());
  full_name.append(service).append(".").append(method);
  const google::protobuf::MethodDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full_name);
  // "/crm.customers.v1/CustomerService.GetCustomer" has the same full name as the real path;
  // it is not a path gRPC serves, and accepting it would give one method many cache keys.
  if (descriptor == nullptr || descriptor->service()->full_name() != service) return nullptr;
  return descriptor;
}

const char* MethodTypeName(const google::protobuf::MethodDescriptor& method) {
  if (method.client_streaming()) {
    return method.server_streaming() ? "bidi_stream" : "client_stream";
  }
  return method.server_streaming() ? "server_stream" : "unary";
}

}  // namespace crm
