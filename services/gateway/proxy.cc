#include "services/gateway/proxy.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "libs/grpc/channel.h"
#include "libs/grpc/interceptors.h"
#include "libs/grpc/methods.h"
#include "libs/grpc/peer.h"
#include "libs/grpc/trace.h"
#include "libs/log/log.h"

namespace crm::gateway {

class Proxy::Backend final {
 public:
  Backend(const std::string& package_name, std::shared_ptr<grpc::Channel> channel,
          prometheus::Family<prometheus::Counter>& calls)
      : package(package_name),
        name(BackendName(package_name)),
        unavailable_prefix(absl::StrCat(name, " backend unavailable: ")),
        stub(std::move(channel)),
        calls_(calls) {}

  const std::string package;
  const std::string name;                // BackendName(package): label and error-message form
  const std::string unavailable_prefix;  // "customers backend unavailable: "
  // Starting a call does not change the stub (it only holds the channel), but its methods
  // are not const.
  mutable grpc::GenericStub stub;

  void CountCall(grpc::StatusCode code) const {
    const auto index = static_cast<size_t>(code);
    if (index >= counters_.size()) {  // not a code gRPC defines: counted, just not cached
      CounterFor(code).Increment();
      return;
    }
    prometheus::Counter* counter = counters_[index].load(std::memory_order_acquire);
    if (counter == nullptr) {
      // Family::Add returns the existing child for equal labels, so racing callers agree.
      counter = &CounterFor(code);
      counters_[index].store(counter, std::memory_order_release);
    }
    counter->Increment();
  }

 private:
  prometheus::Counter& CounterFor(grpc::StatusCode code) const {
    return calls_.Add({{"backend", name},
                       {"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(code))}});
  }

  prometheus::Family<prometheus::Counter>& calls_;
  // The child of each status code, created on first use: Family::Add builds a label map and
  // takes the family's lock, too much for every call.
  mutable std::array<std::atomic<prometheus::Counter*>, grpc::StatusCode::UNAUTHENTICATED + 1>
      counters_{};
};

namespace {

constexpr absl::string_view kRequestIdKey = "x-request-id";
constexpr absl::string_view kForwardedForKey = "x-forwarded-for";

bool IsValidPackage(absl::string_view package) {
  if (package.empty() || package.front() == '.' || package.back() == '.' ||
      absl::StrContains(package, "..")) {
    return false;
  }
  for (char c : package) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.') return false;
  }
  return true;
}

// "v1", "v2beta1", "v1alpha": the version component that ends every package of ours.
bool IsVersionComponent(absl::string_view part) {
  if (part.size() < 2 || part[0] != 'v' || !absl::ascii_isdigit(part[1])) return false;
  for (char c : part.substr(1)) {
    if (!absl::ascii_isalnum(c)) return false;
  }
  return true;
}

// "/crm.customers.v1.CustomerService/GetCustomer" → "crm.customers.v1"; "" when malformed.
absl::string_view PackageOfMethod(absl::string_view method) {
  if (!absl::ConsumePrefix(&method, "/")) return {};
  const size_t slash = method.find('/');
  if (slash == absl::string_view::npos) return {};
  const absl::string_view service = method.substr(0, slash);
  const size_t dot = service.rfind('.');
  if (dot == absl::string_view::npos) return {};
  return service.substr(0, dot);
}

absl::string_view ToView(const grpc::string_ref& s) { return {s.data(), s.size()}; }

// The request id a call goes on with: the client's x-request-id when usable, else a new one.
std::string UsableRequestId(const grpc::ServerContextBase& ctx) {
  const auto& metadata = ctx.client_metadata();
  const auto it = metadata.find(grpc::string_ref(kRequestIdKey.data(), kRequestIdKey.size()));
  if (it != metadata.end()) {
    const std::string_view id(it->second.data(), it->second.size());
    if (IsUsableRequestId(id)) return std::string(id);
  }
  return NewRequestId();
}

// What both paths do before calling the backend. `request_id` and `traceparent`: the id and
// the gateway's span the call goes on with (the unary path's own); empty on the stream path,
// where the server's interceptor already put both among the client's metadata (a request id
// is made here when none is there).
void PrepareBackendContext(const grpc::ServerContextBase& ctx, std::string_view request_id,
                           std::string_view traceparent, grpc::ClientContext& backend_ctx) {
  // The backend gets what is left of the client's deadline, so its own work (and any call it
  // makes further down) stops when nobody waits for the answer any more.
  backend_ctx.set_deadline(ctx.raw_deadline());
  // A backend that is down must fail the call at once with UNAVAILABLE, not park it until the
  // deadline.
  backend_ctx.set_wait_for_ready(false);
  bool has_request_id = false;
  for (const auto& [key, value] : ctx.client_metadata()) {
    const absl::string_view k = ToView(key);
    // The client's own claim about its address is never passed on: the gateway states it.
    if (!ShouldForwardMetadata(k) || k == kForwardedForKey) continue;
    if (k == kRequestIdKey) {
      if (!request_id.empty()) continue;  // the unary path adds the id it settled on
      has_request_id = true;
    }
    if (!traceparent.empty() && k == kTraceparentKey) continue;  // the caller's, not ours
    backend_ctx.AddMetadata(std::string(k), std::string(ToView(value)));
  }
  // So that the backend's log lines and the gateway's carry the same id.
  if (!traceparent.empty()) {
    backend_ctx.AddMetadata(kTraceparentKey, std::string(traceparent));
  }
  if (!request_id.empty()) {
    backend_ctx.AddMetadata(std::string(kRequestIdKey), std::string(request_id));
  } else if (!has_request_id) {
    backend_ctx.AddMetadata(std::string(kRequestIdKey), NewRequestId());
  }
  // The auth service throttles failed logins per client address; behind the gateway every
  // call would otherwise come from the gateway's own.
  if (std::string peer = PeerAddress(ctx.peer()); !peer.empty()) {
    backend_ctx.AddMetadata(std::string(kForwardedForKey), std::move(peer));
  }
}

void ForwardInitialMetadata(const grpc::ClientContext& backend_ctx,
                            grpc::ServerContextBase& ctx) {
  for (const auto& [key, value] : backend_ctx.GetServerInitialMetadata()) {
    if (ShouldForwardMetadata(ToView(key))) {
      ctx.AddInitialMetadata(std::string(ToView(key)), std::string(ToView(value)));
    }
  }
}

void ForwardTrailingMetadata(const grpc::ClientContext& backend_ctx,
                             grpc::ServerContextBase& ctx) {
  for (const auto& [key, value] : backend_ctx.GetServerTrailingMetadata()) {
    // The backend's bootstrap returns the request id in its trailers, and so does the
    // gateway's own: forwarding the backend's copy would hand the client the id twice.
    if (ShouldForwardMetadata(ToView(key)) && ToView(key) != kRequestIdKey) {
      ctx.AddTrailingMetadata(std::string(ToView(key)), std::string(ToView(value)));
    }
  }
}

// The status the client gets for a backend call that ended with `status`. `answered`: the
// backend sent response headers.
grpc::Status ClientStatus(const Proxy::Backend& backend, grpc::Status status, bool answered) {
  // No response headers means the failure happened before the backend took the call: say
  // which backend, since the client only knows the gateway's address. (A gateway behind a
  // gateway already said it.)
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE || answered ||
      absl::StartsWith(status.error_message(), backend.unavailable_prefix)) {
    return status;
  }
  return grpc::Status(status.error_code(),
                      absl::StrCat(backend.unavailable_prefix, status.error_message()),
                      status.error_details());
}

// Answers calls that have no route. It never reads: finishing is enough, the library drains.
class UnroutedCall final : public grpc::ServerGenericBidiReactor {
 public:
  explicit UnroutedCall(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

// One call on the unary path. gRPC has read the request; it goes to the backend in a one-shot
// unary call, whose completion answers the client in one batch (with the backend's response
// written into the handler's response buffer, so the bytes are never copied).
//
// Lifetime: the call is finished exactly once, when it never reached the backend (refused,
// unrouted, no request) or from the backend call's completion, which is the last use of this
// object's members. OnDone follows Finish (and OnCancel, if any), so the object deletes
// itself there with no backend call left to touch it.
class UnaryCall final : public grpc::ServerUnaryReactor {
 public:
  UnaryCall(grpc::CallbackServerContext* ctx, const std::string& method,
            std::shared_ptr<const Proxy::Backend> backend, CallObserver* calls,
            const grpc::ByteBuffer* request, grpc::ByteBuffer* response)
      : ctx_(ctx),
        method_(method),
        backend_(std::move(backend)),
        calls_(calls),
        request_(request),
        response_(response),
        request_id_(UsableRequestId(*ctx)),
        trace_(ServerSpan(ctx->client_metadata())) {
    if (calls_ != nullptr) observation_ = calls_->Begin(method_);
  }

  // Sends the request on, or answers at once with `refusal` when it is not OK.
  void Start(const grpc::Status& refusal) {
    if (!refusal.ok()) {
      Answer(refusal);
      return;
    }
    if (!request_->Valid()) {  // the client half-closed (or cancelled) without a request
      Answer(ctx_->IsCancelled()
                 ? grpc::Status::CANCELLED
                 : grpc::Status(grpc::StatusCode::INTERNAL,
                                "gateway: the call ended without a request message (the method "
                                "is unary)"));
      return;
    }
    PrepareBackendContext(*ctx_, request_id_, FormatTraceparent(trace_), backend_ctx_);
    // A cancellation that already arrived is not lost: TryCancel before the call starts is
    // remembered by the context and applied when the call is created.
    backend_->stub.UnaryCall(&backend_ctx_, method_, grpc::StubOptions(), request_, response_,
                             [this](grpc::Status status) { OnBackendDone(std::move(status)); });
  }

  // The client cancelled or its deadline passed: the backend call ends with CANCELLED, and
  // its completion finishes this call.
  void OnCancel() override { backend_ctx_.TryCancel(); }

  void OnDone() override { delete this; }

  // gRPC runs the reactions of a reactor that says its reactions are trivial on the thread
  // that completes the call, instead of handing each OnDone to its executor threads (one
  // more thread wake-up per call). Both reactions here are: OnDone deletes this object and
  // OnCancel cancels a client call, neither blocks nor takes a lock of ours. (gRPC's own
  // DefaultReactor says the same for the same reason; the hook is marked as not meant for
  // applications, so a gRPC upgrade must keep this reactor's reactions this small.)
  bool InternalInlineable() override { return true; }

 private:
  void OnBackendDone(grpc::Status status) {
    const grpc::ClientContext& backend_ctx = backend_ctx_;
    // Response headers are the only sign that the backend took the call (for the UNAVAILABLE
    // prefix rule). They are missing when the call never reached the backend, and also for a
    // trailers-only answer, the form an error status takes unless the backend sent headers
    // first: as on the stream path, an UNAVAILABLE the backend returned itself is prefixed too.
    const bool answered = !backend_ctx.GetServerInitialMetadata().empty();
    ForwardInitialMetadata(backend_ctx, *ctx_);
    ForwardTrailingMetadata(backend_ctx, *ctx_);
    backend_->CountCall(status.error_code());
    if (!status.ok()) status = ClientStatus(*backend_, std::move(status), answered);
    Answer(status);
  }

  // Finishes the call. Nothing of `this` may be touched after Finish: OnDone may run at once
  // on another thread and delete it.
  void Answer(const grpc::Status& status) {
    ctx_->AddTrailingMetadata(std::string(kRequestIdKey), request_id_);
    if (calls_ != nullptr) calls_->End(observation_, method_, status, request_id_, trace_);
    Finish(status);
  }

  grpc::CallbackServerContext* const ctx_;
  const std::string& method_;  // the registered method's name, kept by the UnaryService
  const std::shared_ptr<const Proxy::Backend> backend_;
  CallObserver* const calls_;
  const grpc::ByteBuffer* const request_;
  grpc::ByteBuffer* const response_;
  const std::string request_id_;
  const log::TraceContext trace_;  // the gateway's span of the call (trace.h)
  CallObserver::Call observation_;
  grpc::ClientContext backend_ctx_;
};

// One call of a streaming (or unknown) method: this object is the reactor of the gateway's
// server-side call (the "downstream", towards the client) and owns the reactor of the call to
// the backend ("upstream"). Two pumps move messages, each with one message in flight:
//   request pump:  downstream Read → upstream Write → downstream Read ... → upstream WritesDone
//   response pump: upstream initial metadata → upstream Read → downstream Write → upstream
//                  Read ... until the backend ends its stream.
// The final status always comes from the backend call's OnDone (including failures of the
// call itself) and is the only place the downstream call is finished. Ops on the upstream
// call started from downstream reactions are covered by one hold per pump, so the upstream
// OnDone cannot run while a pump may still touch that call. Downstream ops are only started
// before Finish, which is issued after both pumps released their holds.
class StreamCall final : public grpc::ServerGenericBidiReactor {
 public:
  StreamCall(grpc::GenericCallbackServerContext* ctx, std::shared_ptr<const Proxy::Backend> backend)
      : ctx_(ctx), backend_(std::move(backend)), upstream_(this) {
    PrepareBackendContext(*ctx_, /*request_id=*/"", /*traceparent=*/"", upstream_ctx_);

    // The read is queued before the backend call starts: a backend that fails at once may
    // finish the downstream call from another thread, and no op may follow Finish.
    StartRead(&request_);
    backend_->stub.PrepareBidiStreamingCall(&upstream_ctx_, ctx_->method(), grpc::StubOptions(),
                                            &upstream_);
    upstream_.AddMultipleHolds(2);  // one for each pump
    upstream_.StartCall();
  }

  // --- downstream (client-facing) reactions ---

  void OnReadDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      // The backend finished while this read was pending: the pump already let go.
      if (request_pump_ != RequestPump::kReadingClient) return;
      request_pump_ = ok ? RequestPump::kWritingBackend : RequestPump::kDone;
    }
    if (ok) {
      upstream_.StartWrite(&request_);
      return;
    }
    // The client half-closed (or the call was cancelled, in which case OnCancel also runs
    // and WritesDone is harmless).
    upstream_.StartWritesDone();
    upstream_.RemoveHold();
  }

  void OnWriteDone(bool ok) override {
    response_.Clear();
    if (ok) {
      upstream_.StartRead(&response_);
      return;
    }
    // The client is gone; the backend's remaining answer has nowhere to go.
    upstream_ctx_.TryCancel();
    upstream_.RemoveHold();
  }

  void OnCancel() override { upstream_ctx_.TryCancel(); }

  void OnDone() override { MarkDone(Side::kDownstream); }

 private:
  enum class RequestPump { kReadingClient, kWritingBackend, kDone };
  enum class Side { kDownstream, kUpstream };

  class Upstream final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    explicit Upstream(StreamCall* call) : call_(call) {}
    void OnReadInitialMetadataDone(bool ok) override { call_->OnBackendInitialMetadata(ok); }
    void OnReadDone(bool ok) override { call_->OnBackendReadDone(ok); }
    void OnWriteDone(bool ok) override { call_->OnBackendWriteDone(ok); }
    void OnDone(const grpc::Status& status) override { call_->OnBackendDone(status); }

   private:
    StreamCall* const call_;
  };

  // --- upstream (backend-facing) reactions ---

  void OnBackendInitialMetadata(bool ok) {
    if (!ok) {  // failed call or a trailers-only answer: no messages will follow
      EndResponsePump();
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      backend_answered_ = true;
    }
    ForwardInitialMetadata(upstream_ctx_, *ctx_);
    // Send the backend's headers now rather than with the first message: a client watching a
    // quiet stream learns that the backend accepted the call.
    StartSendInitialMetadata();
    upstream_.StartRead(&response_);
  }

  void OnBackendReadDone(bool ok) {
    if (ok) {
      StartWrite(&response_);
    } else {
      EndResponsePump();
    }
  }

  void OnBackendWriteDone(bool ok) {
    request_.Clear();
    bool next_read = false;
    {
      absl::MutexLock lock(&mu_);
      next_read = ok && !backend_finished_;
      request_pump_ = next_read ? RequestPump::kReadingClient : RequestPump::kDone;
    }
    if (next_read) {
      StartRead(&request_);
    } else {
      upstream_.RemoveHold();
    }
  }

  // The backend's response stream ended, so its status is on the way. A request pump parked
  // on a client read lets go now: the client may never half-close (it may be waiting for this
  // very answer), and the backend needs nothing more from it.
  void EndResponsePump() {
    bool release_request_hold = false;
    {
      absl::MutexLock lock(&mu_);
      backend_finished_ = true;
      if (request_pump_ == RequestPump::kReadingClient) {
        request_pump_ = RequestPump::kDone;
        release_request_hold = true;
      }
    }
    upstream_.RemoveHold();
    if (release_request_hold) upstream_.RemoveHold();
  }

  void OnBackendDone(const grpc::Status& status) {
    ForwardTrailingMetadata(upstream_ctx_, *ctx_);
    bool answered;
    {
      absl::MutexLock lock(&mu_);
      answered = backend_answered_;
    }
    grpc::Status result = ClientStatus(*backend_, status, answered);
    backend_->CountCall(status.error_code());
    MarkDone(Side::kUpstream);
    // Nothing of `this` may be touched after Finish: the downstream OnDone may run at once on
    // another thread and delete it.
    Finish(std::move(result));
  }

  // The call object goes away only when both calls are over; whichever side ends last deletes.
  void MarkDone(Side side) {
    bool both_done;
    {
      absl::MutexLock lock(&mu_);
      (side == Side::kDownstream ? downstream_done_ : upstream_done_) = true;
      both_done = downstream_done_ && upstream_done_;
    }
    if (both_done) delete this;
  }

  grpc::GenericCallbackServerContext* const ctx_;
  const std::shared_ptr<const Proxy::Backend> backend_;
  grpc::ClientContext upstream_ctx_;
  Upstream upstream_;
  grpc::ByteBuffer request_;   // request pump's message in flight
  grpc::ByteBuffer response_;  // response pump's message in flight

  absl::Mutex mu_;
  RequestPump request_pump_ ABSL_GUARDED_BY(mu_) = RequestPump::kReadingClient;
  bool backend_finished_ ABSL_GUARDED_BY(mu_) = false;
  bool backend_answered_ ABSL_GUARDED_BY(mu_) = false;
  bool downstream_done_ ABSL_GUARDED_BY(mu_) = false;
  bool upstream_done_ ABSL_GUARDED_BY(mu_) = false;
};

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address,
                                           const ProxyOptions& options) {
  return ServiceChannel(address, {.max_message_bytes = options.max_message_bytes,
                                  .keepalive_time = options.keepalive_time,
                                  .keepalive_timeout = options.keepalive_timeout});
}

}  // namespace

absl::StatusOr<std::vector<Route>> ParseRoutes(absl::string_view spec) {
  std::vector<Route> routes;
  for (absl::string_view item : absl::StrSplit(spec, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (item.empty()) continue;
    const std::vector<absl::string_view> parts = absl::StrSplit(item, absl::MaxSplits('=', 1));
    if (parts.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("route \"", item, "\" is not of the form package=address"));
    }
    const absl::string_view package = absl::StripAsciiWhitespace(parts[0]);
    const absl::string_view address = absl::StripAsciiWhitespace(parts[1]);
    if (!IsValidPackage(package)) {
      return absl::InvalidArgumentError(
          absl::StrCat("route \"", item, "\": \"", package, "\" is not a proto package name"));
    }
    if (address.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("route \"", item, "\" has no address"));
    }
    for (const Route& route : routes) {
      if (route.package == package) {
        return absl::InvalidArgumentError(
            absl::StrCat("package \"", package, "\" is routed more than once"));
      }
    }
    routes.push_back({std::string(package), std::string(address)});
  }
  if (routes.empty()) return absl::InvalidArgumentError("no routes configured");
  return routes;
}

std::string BackendName(absl::string_view package) {
  std::vector<absl::string_view> parts = absl::StrSplit(package, '.');
  if (parts.size() > 1 && IsVersionComponent(parts.back())) parts.pop_back();
  return std::string(parts.back());
}

bool ShouldForwardMetadata(absl::string_view key) {
  static constexpr absl::string_view kHopByHop[] = {
      "te",         "content-type",     "user-agent",        "host",    "connection",
      "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
  };
  if (key.empty() || key.front() == ':' || absl::StartsWith(key, "grpc-")) return false;
  for (absl::string_view hop : kHopByHop) {
    if (key == hop) return false;
  }
  return true;
}

std::string NewRequestId() {
  thread_local absl::BitGen gen;
  const uint64_t high = absl::Uniform<uint64_t>(gen);
  const uint64_t low = absl::Uniform<uint64_t>(gen);
  // RFC 4122 version 4 (random) and variant 10xx bits, so the id reads as an ordinary UUID.
  return absl::StrFormat("%08x-%04x-4%03x-%04x-%012x", high >> 32, (high >> 16) & 0xffff,
                         high & 0x0fff, 0x8000 | ((low >> 48) & 0x3fff), low & 0xffffffffffffULL);
}

bool IsUnaryMethod(absl::string_view method) {
  const google::protobuf::MethodDescriptor* descriptor =
      FindMethod(std::string_view(method.data(), method.size()));
  return descriptor != nullptr && !descriptor->client_streaming() &&
         !descriptor->server_streaming();
}

// The unary path's methods, registered with the server as raw (ByteBuffer) callback methods:
// the same thing generated code does for a service's "WithRawCallbackMethod_" variants, with
// the names of the routed methods instead of compiled-in ones.
class Proxy::UnaryService final : public grpc::Service {
 public:
  using Handler = std::function<grpc::ServerUnaryReactor*(
      grpc::CallbackServerContext*, const std::string& method, const grpc::ByteBuffer*,
      grpc::ByteBuffer*)>;

  UnaryService(const absl::flat_hash_set<std::string>& methods, Handler handler)
      : handler_(std::move(handler)) {
    for (const std::string& method : methods) {
      // The server keeps the name's pointer: the strings live (and never move) in this object.
      const std::string& name = *names_.emplace_back(std::make_unique<std::string>(method));
      AddMethod(new grpc::internal::RpcServiceMethod(
          name.c_str(), grpc::internal::RpcMethod::NORMAL_RPC, /*handler=*/nullptr));
      MarkMethodRawCallback(
          static_cast<int>(names_.size() - 1),
          new grpc::internal::CallbackUnaryHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
              [this, &name](grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
                            grpc::ByteBuffer* response) {
                return handler_(ctx, name, request, response);
              }));
    }
  }

 private:
  const Handler handler_;
  std::vector<std::unique_ptr<std::string>> names_;
};

Proxy::Proxy(const std::vector<Route>& routes, prometheus::Registry& registry, ProxyOptions options)
    : admit_(std::move(options.admit)), calls_(options.calls) {
  auto& calls = prometheus::BuildCounter()
                    .Name("crm_gateway_backend_calls_total")
                    .Help("Calls the gateway forwarded, by backend and final gRPC status code.")
                    .Register(registry);
  // Packages served by the same process share one connection.
  absl::flat_hash_map<std::string, std::shared_ptr<grpc::Channel>> channels;
  for (const Route& route : routes) {
    std::shared_ptr<grpc::Channel>& channel = channels[route.address];
    if (channel == nullptr) channel = MakeChannel(route.address, options);
    backends_[route.package] = std::make_shared<const Backend>(route.package, channel, calls);
  }
  for (const std::string& method : options.unary_methods) {
    if (IsUnaryMethod(method) && backends_.contains(PackageOfMethod(method))) {
      unary_methods_.insert(method);
    }
  }
  if (!unary_methods_.empty()) {
    unary_service_ = std::make_unique<UnaryService>(
        unary_methods_, [this](grpc::CallbackServerContext* ctx, const std::string& method,
                               const grpc::ByteBuffer* request, grpc::ByteBuffer* response) {
          auto* call = new UnaryCall(ctx, method, backends_.at(PackageOfMethod(method)), calls_,
                                     request, response);
          call->Start(admit_ ? admit_(*ctx, method) : grpc::Status::OK);
          return call;
        });
  }
  log::Info("gateway unary path", {{"methods", std::to_string(unary_methods_.size())}});
}

Proxy::~Proxy() = default;

void Proxy::RegisterWith(grpc::ServerBuilder& builder) {
  if (unary_service_ != nullptr) builder.RegisterService(unary_service_.get());
  builder.RegisterCallbackGenericService(this);
}

grpc::ServerGenericBidiReactor* Proxy::CreateReactor(grpc::GenericCallbackServerContext* ctx) {
  if (admit_) {
    if (grpc::Status admitted = admit_(*ctx, ctx->method()); !admitted.ok()) {
      return new UnroutedCall(std::move(admitted));
    }
  }
  const absl::string_view package = PackageOfMethod(ctx->method());
  const auto it = backends_.find(package);
  if (it == backends_.end()) {
    return new UnroutedCall(grpc::Status(
        grpc::StatusCode::UNIMPLEMENTED,
        package.empty() ? absl::StrCat("gateway: malformed method \"", ctx->method(), "\"")
                        : absl::StrCat("gateway: no backend serves package \"", package,
                                       "\" (method ", ctx->method(), ")")));
  }
  return new StreamCall(ctx, it->second);
}

}  // namespace crm::gateway
