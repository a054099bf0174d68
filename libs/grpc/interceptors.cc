#include "libs/grpc/interceptors.h"

#include <google/protobuf/descriptor.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/grpc/methods.h"
#include "libs/grpc/trace.h"
#include "libs/log/log.h"

namespace crm {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr std::string_view kRequestIdKey = "x-request-id";

constexpr int kCodeCount = 17;
constexpr const char* kCodeNames[kCodeCount] = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};

int CodeIndex(grpc::StatusCode code) {
  int i = static_cast<int>(code);
  return i >= 0 && i < kCodeCount ? i : static_cast<int>(grpc::StatusCode::UNKNOWN);
}

// Labels and metric children of one known method, or of every unknown one together.
// Children are created on first use and kept: prometheus-cpp's Family::Add builds a label
// map and takes a lock on every call, which adds up on a hot path.
struct MethodMetrics {
  std::string service;  // grpc_service: "crm.customers.v1.CustomerService"
  std::string method;   // grpc_method: "GetCustomer"
  std::string type;     // grpc_type: "unary", ..., "unknown"
  prometheus::Counter* started = nullptr;
  prometheus::Histogram* seconds = nullptr;
  std::atomic<prometheus::Counter*> handled[kCodeCount] = {};
};

constexpr char kUnknown[] = "unknown";

// The metric families and the children of each method. A method gets labels of its own only
// if it is in the generated descriptor pool (methods.h): any client can send any method
// name, and a series per name would grow the server's memory and Prometheus without limit.
// Every other name shares the "unknown" labels and never becomes a key of the cache, whose
// size is therefore bounded by the pool.
class Families final {
 public:
  explicit Families(prometheus::Registry& registry)
      : started_(prometheus::BuildCounter()
                     .Name("grpc_server_started_total")
                     .Help("RPCs started on the server.")
                     .Register(registry)),
        handled_(prometheus::BuildCounter()
                     .Name("grpc_server_handled_total")
                     .Help("RPCs completed on the server, by status code.")
                     .Register(registry)),
        seconds_(prometheus::BuildHistogram()
                     .Name("grpc_server_handling_seconds")
                     .Help("Time from receiving an RPC to sending its status.")
                     .Register(registry)) {}

  // `path` is the call's "/pkg.Service/Method" (null for none).
  MethodMetrics& ForMethod(const char* path) {
    const absl::string_view key = path != nullptr ? path : "";
    {
      absl::ReaderMutexLock lock(&mu_);
      if (auto it = methods_.find(key); it != methods_.end()) return *it->second;
    }
    const google::protobuf::MethodDescriptor* descriptor =
        FindMethod(std::string_view(key.data(), key.size()));
    absl::MutexLock lock(&mu_);
    if (descriptor == nullptr) {
      if (!unknown_) unknown_ = Make(kUnknown, kUnknown, kUnknown);
      return *unknown_;
    }
    std::unique_ptr<MethodMetrics>& slot = methods_[std::string(key)];
    if (!slot) {
      slot =
          Make(descriptor->service()->full_name(), descriptor->name(), MethodTypeName(*descriptor));
    }
    return *slot;
  }

  prometheus::Counter& Handled(MethodMetrics& m, int code) {
    if (prometheus::Counter* c = m.handled[code].load(std::memory_order_acquire)) return *c;
    // Family::Add returns the existing child for equal labels, so a race here is harmless.
    prometheus::Counter* c = &handled_.Add({{"grpc_service", m.service},
                                            {"grpc_method", m.method},
                                            {"grpc_type", m.type},
                                            {"grpc_code", kCodeNames[code]}});
    m.handled[code].store(c, std::memory_order_release);
    return *c;
  }

 private:
  std::unique_ptr<MethodMetrics> Make(std::string service, std::string method, std::string type)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto m = std::make_unique<MethodMetrics>();
    m->service = std::move(service);
    m->method = std::move(method);
    m->type = std::move(type);
    const prometheus::Labels labels = {
        {"grpc_service", m->service}, {"grpc_method", m->method}, {"grpc_type", m->type}};
    m->started = &started_.Add(labels);
    m->seconds = &seconds_.Add(
        labels, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                        0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
    return m;
  }

  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& seconds_;
  absl::Mutex mu_;
  // Keyed by the call's path; only paths of known methods.
  absl::flat_hash_map<std::string, std::unique_ptr<MethodMetrics>> methods_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<MethodMetrics> unknown_ ABSL_GUARDED_BY(mu_);
};

class ObservabilityInterceptor final : public grpc::experimental::Interceptor {
 public:
  ObservabilityInterceptor(grpc::experimental::ServerRpcInfo* info, Families& families)
      : info_(info), families_(families), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      OnInitialMetadata(methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      methods->GetSendTrailingMetadata()->emplace(std::string(kRequestIdKey), request_id_);
      OnFinish(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void OnInitialMetadata(std::multimap<grpc::string_ref, grpc::string_ref>* md) {
    auto it = md->find(grpc::string_ref(kRequestIdKey.data(), kRequestIdKey.size()));
    if (it != md->end() && !it->second.empty() && it->second.size() <= 128) {
      request_id_.assign(it->second.data(), it->second.size());
    } else {
      if (it != md->end()) md->erase(it);
      request_id_ = NewRequestId();
      // The map holds references: request_id_ lives as long as this interceptor, which
      // lives as long as the call, so handlers can read the id like a client-sent one.
      md->emplace(grpc::string_ref(kRequestIdKey.data(), kRequestIdKey.size()),
                  grpc::string_ref(request_id_));
    }
    OnTraceparent(md);
    metrics_ = &families_.ForMethod(info_->method());
    metrics_->started->Increment();
  }

  // This server's span: a child of the caller's traceparent, or a new trace when it sent
  // none (or a malformed one). It replaces the caller's header in the call's metadata, so
  // handlers and the gateway's proxy pass this span on as the parent (trace.h).
  void OnTraceparent(std::multimap<grpc::string_ref, grpc::string_ref>* md) {
    const grpc::string_ref key(kTraceparentKey);
    std::optional<log::TraceContext> caller;
    auto [begin, end] = md->equal_range(key);
    // W3C: more than one traceparent is as good as none.
    if (begin != end && std::next(begin) == end) {
      caller = ParseTraceparent(std::string_view(begin->second.data(), begin->second.size()));
    }
    md->erase(begin, end);
    trace_ = caller ? ChildSpan(*caller) : NewTrace();
    traceparent_ = FormatTraceparent(trace_);
    md->emplace(key, grpc::string_ref(traceparent_));
  }

  void OnFinish(const grpc::Status& status) {
    absl::Duration elapsed = absl::Now() - start_;
    int code_index = CodeIndex(status.error_code());
    const char* code = kCodeNames[code_index];
    if (metrics_ == nullptr) {  // no initial metadata was received (rare: a failed call)
      metrics_ = &families_.ForMethod(info_->method());
    }
    families_.Handled(*metrics_, code_index).Increment();
    metrics_->seconds->Observe(absl::ToDoubleSeconds(elapsed));
    if (!status.ok() || elapsed > absl::Seconds(1)) {
      log::ScopedRequestId scoped(request_id_);
      log::ScopedTrace trace(trace_);
      std::string ms = absl::StrFormat("%.1f", absl::ToDoubleMilliseconds(elapsed));
      log::Info("call finished", {{"method", info_->method()},
                                  {"code", code},
                                  {"message", status.error_message()},
                                  {"ms", ms}});
    }
  }

  grpc::experimental::ServerRpcInfo* info_;
  Families& families_;
  absl::Time start_;
  std::string request_id_;
  log::TraceContext trace_;  // this server's span of the call
  std::string traceparent_;  // its header, referenced by the call's metadata
  MethodMetrics* metrics_ = nullptr;
};

class ObservabilityFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ObservabilityFactory(prometheus::Registry& registry) : families_(registry) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new ObservabilityInterceptor(info, families_);
  }

 private:
  Families families_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeObservabilityInterceptorFactory(prometheus::Registry& registry) {
  return std::make_unique<ObservabilityFactory>(registry);
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrFormat("%016x%016x", rng(), rng());
}

}  // namespace crm
