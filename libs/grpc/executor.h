// A fixed pool of worker threads for blocking work (database calls) so that it never runs
// on gRPC's callback reactor threads, plus the glue that runs a unary handler there.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include <grpcpp/grpcpp.h>

#include "libs/grpc/status.h"
#include "libs/grpc/trace.h"
#include "libs/log/log.h"

namespace crm {

// A task goes straight to the worker that went idle last, if any is idle, and only queues
// when every worker is busy. Handing work to the most recently idle worker (a stack, not the
// queue of waiters a shared condition gives) wakes exactly one thread per task, keeps the
// few threads a light load needs warm in the CPU caches and lets the others sleep; a worker
// that finishes a task takes the next queued one without sleeping at all.
class Executor final {
 public:
  using Task = absl::AnyInvocable<void()>;

  explicit Executor(int threads);
  ~Executor();  // runs what is queued, then joins
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  void Submit(Task task);

 private:
  struct Worker {
    absl::CondVar wake;
    Task task;              // handed over by Submit while the worker was idle
    bool has_task = false;  // guarded by the executor's mu_
  };

  void Work(Worker& self);

  absl::Mutex mu_;
  // Only when no worker is idle: a worker checks the queue before it goes idle.
  std::deque<Task> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<Worker*> idle_ ABSL_GUARDED_BY(mu_);  // a stack: the last one idle on top
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::unique_ptr<Worker>> workers_;
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
