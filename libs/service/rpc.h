// The RPC edge every service's handlers sit behind, in one line per method:
//
//   grpc::ServerUnaryReactor* CustomerService::GetCustomer(grpc::CallbackServerContext* ctx,
//                                                          const v1::GetCustomerRequest* request,
//                                                          v1::Customer* response) {
//     return rpc_.Serve(ctx, kGetMethod, this, &CustomerService::Get, request, response);
//   }
//
// On the gRPC thread that received the call it verifies the token and the method's row in the
// policy table (a refused call is answered at once and never queues behind real work), builds
// the Caller, then runs the synchronous handler on the executor (handlers block on the
// database; gRPC's callback threads must not), and converts its absl::Status to a grpc::Status
// with google.rpc details once, at this edge.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/auth/caller.h"
#include "libs/auth/verifier.h"
#include "libs/grpc/executor.h"
#include "libs/grpc/peer.h"

namespace crm::service {

class Rpc final {
 public:
  // `domain` is the ErrorInfo domain of every error ("customers.crm"). `trusted_proxies` are
  // the direct peers (the gateway) whose x-forwarded-for names the client in Caller::peer.
  // `authorizer` and `executor` must outlive this object.
  Rpc(const auth::Authorizer& authorizer, Executor& executor, std::string domain,
      TrustedProxies trusted_proxies = TrustedProxies::Loopback())
      : authorizer_(authorizer),
        executor_(executor),
        domain_(std::move(domain)),
        trusted_proxies_(std::move(trusted_proxies)) {}

  // The caller of `ctx` if their token and role may call `method` (the full gRPC name,
  // "/crm.customers.v1.CustomerService/GetCustomer"): UNAUTHENTICATED or PERMISSION_DENIED
  // otherwise. For methods public at this service the principal is empty.
  absl::StatusOr<auth::Caller> Authorize(const grpc::CallbackServerContext& ctx,
                                         std::string_view method) const;

  // Serves a unary call with `(service->*handler)(caller, *request, response)`.
  template <typename Service, typename Request, typename Response>
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* ctx, std::string_view method,
                                  Service* service,
                                  absl::Status (Service::*handler)(const auth::Caller&,
                                                                   const Request&, Response*),
                                  const Request* request, Response* response) {
    return RunAuthorized(ctx, executor_, domain_, Authorize(*ctx, method),
                         [service, handler, request, response](const auth::Caller& caller) {
                           return (service->*handler)(caller, *request, response);
                         });
  }

  // The same for handlers of any other shape: `handler(caller)` returns the call's status
  // (for methods whose handler takes other arguments than (caller, request, response)).
  template <typename Handler>
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* ctx, std::string_view method,
                                Handler handler) {
    return RunAuthorized(ctx, executor_, domain_, Authorize(*ctx, method), std::move(handler));
  }

  // The policy row of `method` for a caller a handler was given: what the edge checked, asked
  // again inside the handler so that no path into it (tests, other edges) skips the table.
  // PERMISSION_DENIED when the row does not let the caller in.
  absl::Status Allow(const auth::Caller& caller, std::string_view method) const {
    return authorizer_.policy().Check(caller.principal, method);
  }

  const auth::Authorizer& authorizer() const { return authorizer_; }
  Executor& executor() const { return executor_; }
  const std::string& domain() const { return domain_; }

 private:
  const auth::Authorizer& authorizer_;
  Executor& executor_;
  const std::string domain_;
  const TrustedProxies trusted_proxies_;
};

}  // namespace crm::service
