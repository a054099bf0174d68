#include "libs/grpc/interceptors.h"

#include <random>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
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

const char* CodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {
      "OK",           "CANCELLED",          "UNKNOWN",          "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED", "NOT_FOUND",     "ALREADY_EXISTS",   "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",   "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL",          "UNAVAILABLE",      "DATA_LOSS",
      "UNAUTHENTICATED"};
  int i = static_cast<int>(code);
  return i >= 0 && i < 17 ? kNames[i] : "UNKNOWN";
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

struct Families {
  prometheus::Family<prometheus::Counter>& started;
  prometheus::Family<prometheus::Counter>& handled;
  prometheus::Family<prometheus::Histogram>& seconds;
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
    families_.started
        .Add({{"grpc_service", service_}, {"grpc_method", method_},
              {"grpc_type", TypeName(info_->type())}})
        .Increment();
  }

  void OnFinish(const grpc::Status& status) {
    absl::Duration elapsed = absl::Now() - start_;
    const char* code = CodeName(status.error_code());
    families_.handled
        .Add({{"grpc_service", service_}, {"grpc_method", method_}, {"grpc_code", code}})
        .Increment();
    families_.seconds
        .Add({{"grpc_service", service_}, {"grpc_method", method_}},
             prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})
        .Observe(absl::ToDoubleSeconds(elapsed));
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
};

class ObservabilityFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ObservabilityFactory(prometheus::Registry& registry)
      : families_{prometheus::BuildCounter()
                      .Name("grpc_server_started_total")
                      .Help("RPCs started on the server.")
                      .Register(registry),
                  prometheus::BuildCounter()
                      .Name("grpc_server_handled_total")
                      .Help("RPCs completed on the server, by status code.")
                      .Register(registry),
                  prometheus::BuildHistogram()
                      .Name("grpc_server_handling_seconds")
                      .Help("Time from receiving an RPC to sending its status.")
                      .Register(registry)} {}

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
