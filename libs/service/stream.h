// Streaming methods behind the same RPC edge as unary ones (rpc.h), with handlers written as
// plain blocking code:
//
//   grpc::ServerBidiReactor<ImportRequest, ImportResponse>* ImportCustomers(
//       grpc::CallbackServerContext* ctx) override {
//     return service::ServeBidi(rpc_, ctx, kImportMethod, this, &BulkService::Import);
//   }
//   absl::Status BulkService::Import(const auth::Caller& caller,
//                                    service::StreamReader<ImportRequest>& in,
//                                    service::StreamWriter<ImportResponse>& out);
//
// The token and the policy row are checked on the gRPC thread that received the call (a
// refused call ends at once and never occupies a worker); the handler then runs on the
// executor, where Read and Write block until gRPC has done them. One read and one write are
// in flight at most, so gRPC flow control reaches the handler: a client that stops reading
// stops the handler at its next Write, and a handler that stops reading stops the client.
// The handler's absl::Status ends the call, converted once with google.rpc details.
//
// Tests call handlers directly with in-memory readers and writers.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "libs/auth/caller.h"
#include "libs/grpc/executor.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"
#include "libs/service/rpc.h"

namespace crm::service {

// The client's messages, as a handler reads them.
template <typename Request>
class StreamReader {
 public:
  virtual ~StreamReader() = default;
  // The next message. False at the end of the stream (the client closed its side) and when
  // the call ended (cancelled, deadline passed); call it no more then.
  virtual bool Read(Request* request) = 0;
};

// The handler's messages to the client.
template <typename Response>
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Sends one message, blocking until gRPC has taken it (flow control). False when the call
  // ended: the handler should stop and return (its status is then not delivered).
  virtual bool Write(const Response& response) = 0;
};

namespace internal {

// Hands memory the finished stream freed back to the kernel. A stream (an import of 100,000
// rows, an export) allocates far more than a unary call, and glibc keeps what was freed in
// the executor threads' arenas: the customers service sat at 62 MiB resident when idle after
// a few imports, 10 MiB of it free memory that malloc_trim returns.
void ReturnFreedMemory();

// The blocking halves over a reactor's StartRead/StartWrite: each call starts one operation
// and waits for its completion callback.
class BlockingOps {
 public:
  // Waits for the operation started after Begin(); true when it succeeded.
  bool Wait() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&done_));
    return ok_;
  }
  void Begin() {
    absl::MutexLock lock(&mu_);
    done_ = false;
  }
  void Complete(bool ok) {
    absl::MutexLock lock(&mu_);
    ok_ = ok;
    done_ = true;
  }

 private:
  absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool ok_ ABSL_GUARDED_BY(mu_) = false;
};

// Runs `body` (returning absl::Status) for the call of `ctx` and finishes it through `finish`.
template <typename Body, typename Finish>
void RunStream(const grpc::CallbackServerContext& ctx, const std::string& domain, Body& body,
               Finish finish) {
  log::ScopedRequestId scoped(RequestIdOf(ctx));
  if (ctx.IsCancelled()) {
    finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled before it ran"));
    return;
  }
  finish(ToGrpcStatus(body(), domain));
  ReturnFreedMemory();
}

template <typename Request, typename Response>
class BidiReactor final : public grpc::ServerBidiReactor<Request, Response>,
                          public StreamReader<Request>,
                          public StreamWriter<Response> {
 public:
  using Handler =
      std::function<absl::Status(StreamReader<Request>&, StreamWriter<Response>&)>;

  // Finishes at once with `refused` when it is not OK; otherwise runs `handler` on `executor`.
  BidiReactor(grpc::CallbackServerContext* ctx, Executor& executor, std::string domain,
              absl::Status refused, Handler handler)
      : ctx_(ctx), domain_(std::move(domain)), handler_(std::move(handler)) {
    if (!refused.ok()) {
      this->Finish(ToGrpcStatus(refused, domain_));
      return;
    }
    executor.Submit([this] {
      auto body = [this] { return handler_(*this, *this); };
      // Nothing touches `this` after Finish: OnDone may delete it at once.
      RunStream(*ctx_, domain_, body, [this](grpc::Status status) { this->Finish(status); });
    });
  }

  bool Read(Request* request) override {
    reads_.Begin();
    this->StartRead(request);
    return reads_.Wait();
  }
  bool Write(const Response& response) override {
    writes_.Begin();
    this->StartWrite(&response);
    return writes_.Wait();
  }

  void OnReadDone(bool ok) override { reads_.Complete(ok); }
  void OnWriteDone(bool ok) override { writes_.Complete(ok); }
  void OnDone() override { delete this; }

 private:
  grpc::CallbackServerContext* ctx_;
  const std::string domain_;
  Handler handler_;
  BlockingOps reads_;
  BlockingOps writes_;
};

template <typename Response>
class WriteReactor final : public grpc::ServerWriteReactor<Response>,
                           public StreamWriter<Response> {
 public:
  using Handler = std::function<absl::Status(StreamWriter<Response>&)>;

  WriteReactor(grpc::CallbackServerContext* ctx, Executor& executor, std::string domain,
               absl::Status refused, Handler handler)
      : ctx_(ctx), domain_(std::move(domain)), handler_(std::move(handler)) {
    if (!refused.ok()) {
      this->Finish(ToGrpcStatus(refused, domain_));
      return;
    }
    executor.Submit([this] {
      auto body = [this] { return handler_(*this); };
      RunStream(*ctx_, domain_, body, [this](grpc::Status status) { this->Finish(status); });
    });
  }

  bool Write(const Response& response) override {
    writes_.Begin();
    this->StartWrite(&response);
    return writes_.Wait();
  }

  void OnWriteDone(bool ok) override { writes_.Complete(ok); }
  void OnDone() override { delete this; }

 private:
  grpc::CallbackServerContext* ctx_;
  const std::string domain_;
  Handler handler_;
  BlockingOps writes_;
};

}  // namespace internal

// A bidirectional or client-streaming method (a client-streaming one is declared as bidi
// in its .proto, or answers with a single Write): `(service->*handler)(caller, in, out)`.
template <typename Service, typename Request, typename Response>
grpc::ServerBidiReactor<Request, Response>* ServeBidi(
    Rpc& rpc, grpc::CallbackServerContext* ctx, std::string_view method, Service* service,
    absl::Status (Service::*handler)(const auth::Caller&, StreamReader<Request>&,
                                     StreamWriter<Response>&)) {
  absl::StatusOr<auth::Caller> caller = rpc.Authorize(*ctx, method);
  absl::Status refused = caller.status();
  auth::Caller who = caller.ok() ? *std::move(caller) : auth::Caller{};
  return new internal::BidiReactor<Request, Response>(
      ctx, rpc.executor(), rpc.domain(), std::move(refused),
      [service, handler, who = std::move(who)](StreamReader<Request>& in,
                                               StreamWriter<Response>& out) {
        return (service->*handler)(who, in, out);
      });
}

// A server-streaming method: `(service->*handler)(caller, *request, out)`.
template <typename Service, typename Request, typename Response>
grpc::ServerWriteReactor<Response>* ServeServerStream(
    Rpc& rpc, grpc::CallbackServerContext* ctx, std::string_view method, Service* service,
    absl::Status (Service::*handler)(const auth::Caller&, const Request&,
                                     StreamWriter<Response>&),
    const Request* request) {
  absl::StatusOr<auth::Caller> caller = rpc.Authorize(*ctx, method);
  absl::Status refused = caller.status();
  auth::Caller who = caller.ok() ? *std::move(caller) : auth::Caller{};
  return new internal::WriteReactor<Response>(
      ctx, rpc.executor(), rpc.domain(), std::move(refused),
      [service, handler, request, who = std::move(who)](StreamWriter<Response>& out) {
        return (service->*handler)(who, *request, out);
      });
}

}  // namespace crm::service
