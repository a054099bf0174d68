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
//
// Client-streaming methods (an import) read every message first, on gRPC's threads, up to a
// byte budget, then run the handler on the executor with all of them:
//
//   return rpc_.ServeClientStream<v1::ImportLeadsRequest>(
//       ctx, kImportMethod, kMaxImportBytes,
//       [this, response](const auth::Caller& caller, std::vector<v1::ImportLeadsRequest>& rows) {
//         return Import(caller, rows, response);
//       });
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

  // Serves a client-streaming call: authorizes it, reads every message (a stream whose
  // messages add up to more than `max_bytes` ends with RESOURCE_EXHAUSTED, reason
  // STREAM_TOO_LARGE, before any handler runs), then runs `handler(caller, messages)` on the
  // executor and finishes with its status. The handler fills the call's response itself.
  template <typename Request>
  grpc::ServerReadReactor<Request>* ServeClientStream(
      grpc::CallbackServerContext* ctx, std::string_view method, size_t max_bytes,
      std::function<absl::Status(const auth::Caller&, std::vector<Request>&)> handler);

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

namespace internal {

// The reactor behind Rpc::ServeClientStream. Deletes itself when the call is done.
template <typename Request>
class CollectingReader final : public grpc::ServerReadReactor<Request> {
 public:
  using Handler = std::function<absl::Status(const auth::Caller&, std::vector<Request>&)>;

  CollectingReader(grpc::CallbackServerContext* ctx, Executor& executor, std::string domain,
                   absl::StatusOr<auth::Caller> caller, size_t max_bytes, Handler handler)
      : ctx_(ctx),
        executor_(executor),
        domain_(std::move(domain)),
        max_bytes_(max_bytes),
        handler_(std::move(handler)) {
    if (!caller.ok()) {
      this->Finish(ToGrpcStatus(caller.status(), domain_));
      return;
    }
    caller_ = *std::move(caller);
    this->StartRead(&next_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client finished sending (or the call ended)
      if (ctx_->IsCancelled()) {
        this->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
        return;
      }
      executor_.Submit([this] {
        log::ScopedRequestId scoped(RequestIdOf(*ctx_));
        this->Finish(ToGrpcStatus(handler_(caller_, messages_), domain_));
      });
      return;
    }
    bytes_ += next_.ByteSizeLong();
    if (bytes_ > max_bytes_) {
      this->Finish(ToGrpcStatus(Error(absl::StatusCode::kResourceExhausted, "STREAM_TOO_LARGE",
                                      "the stream is larger than this method accepts"),
                                domain_));
      return;
    }
    messages_.push_back(std::move(next_));
    next_.Clear();
    this->StartRead(&next_);
  }

  void OnDone() override { delete this; }

 private:
  grpc::CallbackServerContext* const ctx_;
  Executor& executor_;
  const std::string domain_;
  const size_t max_bytes_;
  const Handler handler_;
  auth::Caller caller_;
  Request next_;
  std::vector<Request> messages_;
  size_t bytes_ = 0;
};

}  // namespace internal

template <typename Request>
grpc::ServerReadReactor<Request>* Rpc::ServeClientStream(
    grpc::CallbackServerContext* ctx, std::string_view method, size_t max_bytes,
    std::function<absl::Status(const auth::Caller&, std::vector<Request>&)> handler) {
  return new internal::CollectingReader<Request>(ctx, executor_, domain_, Authorize(*ctx, method),
                                                 max_bytes, std::move(handler));
}

}  // namespace crm::service
