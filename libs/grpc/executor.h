// A fixed pool of worker threads for blocking work (database calls) so that it never runs
// on gRPC's callback reactor threads, plus the glue that runs a unary handler there.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include <grpcpp/grpcpp.h>

#include "libs/grpc/status.h"
#include "libs/grpc/trace.h"
#include "libs/log/log.h"

namespace crm {

class Executor final {
 public:
  explicit Executor(int threads);
  ~Executor();  // runs what is queued, then joins
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  void Submit(std::function<void()> task);

 private:
  void Work();

  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

// The request id of a call: the client's x-request-id, or the one the server interceptor
// generated for it.
std::string RequestIdOf(const grpc::ServerContextBase& ctx);

// Runs `handler` (returning absl::Status) on `executor` and finishes the unary call with
// its status, converted at this edge with ErrorInfo domain `domain`. Calls whose deadline
// passed or that were cancelled while queued are not run.
template <typename Handler>
grpc::ServerUnaryReactor* RunBlocking(grpc::CallbackServerContext* ctx, Executor& executor,
                                      std::string_view domain, Handler handler) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  executor.Submit([ctx, reactor, domain, handler = std::move(handler)]() mutable {
    log::ScopedRequestId scoped(RequestIdOf(*ctx));
    log::ScopedTrace trace(TraceOf(*ctx));
    if (ctx->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled before it ran"));
      return;
    }
    reactor->Finish(ToGrpcStatus(handler(), domain));
  });
  return reactor;
}

// RunBlocking for a call authorized (or refused) on the gRPC thread: a refused call is
// finished at once with its status and never queues work behind real calls; otherwise
// `handler(caller)` runs on the executor.
template <typename Caller, typename Handler>
grpc::ServerUnaryReactor* RunAuthorized(grpc::CallbackServerContext* ctx, Executor& executor,
                                        std::string_view domain, absl::StatusOr<Caller> caller,
                                        Handler handler) {
  if (!caller.ok()) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(ToGrpcStatus(caller.status(), domain));
    return reactor;
  }
  return RunBlocking(
      ctx, executor, domain,
      [caller = *std::move(caller), handler = std::move(handler)] { return handler(caller); });
}

}  // namespace crm
