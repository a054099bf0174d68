#include "libs/grpc/interceptors.h"

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/log/log.h"
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace crm {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr std::string_view kRequestIdKey = "x-request-id";

constexpr int kCodeCount = 17;
constexpr const char* kCodeNames[kCodeCount] = {
    "OK",        "CANCELLED",          "UNKNOWN",           "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED", "NOT_FOUND",  "ALREADY_EXISTS",    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL",       "UNAVAILABLE",       "DATA_LOSS",
    "UNAUTHENTICATED"};

int CodeIndex(grpc::StatusCode code) {
  int i = static_cast<int>(code);
  return i >= 0 && i < kCodeCount ? i : static_cast<int>(grpc::StatusCode::UNKNOWN);
}

const char* TypeName(grpc::experimental::ServerRpcInfo::Type type) {
  switch (type) {
    case grpc::experimental::ServerRpcInfo::Type::UNARY: return "unary";
    case grpc::experimental::ServerRpcInfo::Type::CLIENT_STREAMING: return "client_stream";
    case grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING: return "server_stream";
    case grpc::experimental::ServerRpcInfo::Type::BIDI_STREAMING: return "bidi_stream";
  }
  return "unknown";
}

// Metric children for one method, created on first use and kept: prometheus-cpp's
// Family::Add builds a label map and takes a lock on every call, which adds up on a hot path.
struct MethodMetrics {
  prometheus::Counter* started = nullptr;
  prometheus::Histogram* seconds = nullptr;
  std::atomic<prometheus::Counter*> handled[kCodeCount] = {};
};

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

  MethodMetrics& ForMethod(const char* full_method, const std::string& service,
                           const std::string& method, const char* type) {
    {
      absl::ReaderMutexLock lock(&mu_);
      if (auto it = methods_.find(absl::string_view(full_method)); it != methods_.end()) {
        return *it->second;
      }
    }
    absl::MutexLock lock(&mu_);
    auto& slot = methods_[full_method];
    if (!slot) {
      slot = std::make_unique<MethodMetrics>();
      slot->started = &started_.Add(
          {{"grpc_service", service}, {"grpc_method", method}, {"grpc_type", type}});
      slot->seconds = &seconds_.Add(
          {{"grpc_service", service}, {"grpc_method", method}},
          prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
    }
    return *slot;
  }

  prometheus::Counter& Handled(MethodMetrics& m, int code, const std::string& service,
                               const std::string& method) {
    if (prometheus::Counter* c = m.handled[code].load(std::memory_order_acquire)) return *c;
    // Family::Add returns the existing child for equal labels, so a race here is harmless.
    prometheus::Counter* c = &handled_.Add(
        {{"grpc_service", service}, {"grpc_method", method}, {"grpc_code", kCodeNames[code]}});
    m.handled[code].store(c, std::memory_order_release);
    return *c;
  }

 private:
  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& seconds_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<MethodMetrics>> methods_ ABSL_GUARDED_BY(mu_);
};

class ObservabilityInterceptor final : public grpc::experimental::Interceptor {
 public:
  ObservabilityInterceptor(grpc::experimental::ServerRpcInfo* info, Families& families)
      : info_(info), families_(families), start_(absl::Now()) {
    // "/pkg.Service/Method" -> service and method labels.
    std::string_view full = info->method() != nullptr ? info->method() : "";
    if (!full.empty() && full.front() == '/') full.remove_prefix(1);
    auto slash = full.find('/');
    service_ = std::string(full.substr(0, slash));
    method_ = slash == std::string_view::npos ? "" : std::string(full.substr(slash + 1));
  }

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
    metrics_ = &families_.ForMethod(info_->method(), service_, method_, TypeName(info_->type()));
    metrics_->started->Increment();
  }

  void OnFinish(const grpc::Status& status) {
    absl::Duration elapsed = absl::Now() - start_;
    int code_index = CodeIndex(status.error_code());
    const char* code = kCodeNames[code_index];
    if (metrics_ == nullptr) {  // no initial metadata was received (rare: a failed call)
      metrics_ = &families_.ForMethod(info_->method(), service_, method_, TypeName(info_->type()));
    }
    families_.Handled(*metrics_, code_index, service_, method_).Increment();
    metrics_->seconds->Observe(absl::ToDoubleSeconds(elapsed));
    if (!status.ok() || elapsed > absl::Seconds(1)) {
      log::ScopedRequestId scoped(request_id_);
      std::string ms = absl::StrFormat("%.1f", absl::ToDoubleMilliseconds(elapsed));
      log::Info("call finished", {{"method", info_->method()}, {"code", code},
                                  {"message", status.error_message()}, {"ms", ms}});
    }
  }

  grpc::experimental::ServerRpcInfo* info_;
  Families& families_;
  absl::Time start_;
  std::string service_;
  std::string method_;
  std::string request_id_;
  MethodMetrics* metrics_ = nullptr;
};

class ObservabilityFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ObservabilityFactory(prometheus::Registry& registry)
      : families_(registry) {}

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
