#include "services/orders/relay.h"

#include <google/protobuf/util/json_util.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "crm/integration/v1/integration.grpc.pb.h"
#include "libs/base/backoff.h"
#include "libs/base/hash.h"
#include "libs/grpc/channel.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"
#include "libs/webhook/webhook.h"

namespace crm::orders {
namespace {

namespace iv1 = integration::v1;

class GrpcSinkImpl final : public Sink {
 public:
  GrpcSinkImpl(std::shared_ptr<grpc::Channel> channel,
               std::shared_ptr<grpc::CallCredentials> credentials, absl::Duration timeout)
      : inventory_(iv1::InventoryService::NewStub(channel)),
        finance_(iv1::FinanceService::NewStub(channel)),
        credentials_(std::move(credentials)),
        timeout_(timeout) {}

  absl::StatusOr<std::string> Deliver(const iv1::WebhookDelivery& d) override {
    auto ctx = ClientCall(timeout_, absl::InfiniteFuture(), credentials_);
    ctx->AddMetadata("idempotency-key", d.event_id());
    iv1::StockResult stock;
    iv1::FinanceDocument document;
    grpc::Status status;
    bool is_stock = true;
    switch (d.effect_case()) {
      case iv1::WebhookDelivery::kReserveStock:
        status = inventory_->ReserveStock(ctx.get(), d.reserve_stock(), &stock);
        break;
      case iv1::WebhookDelivery::kReleaseStock:
        status = inventory_->ReleaseStock(ctx.get(), d.release_stock(), &stock);
        break;
      case iv1::WebhookDelivery::kShipStock:
        status = inventory_->ShipStock(ctx.get(), d.ship_stock(), &stock);
        break;
      case iv1::WebhookDelivery::kCreateInvoice:
        status = finance_->CreateInvoice(ctx.get(), d.create_invoice(), &document);
        is_stock = false;
        break;
      case iv1::WebhookDelivery::kCreateCreditNote:
        status = finance_->CreateCreditNote(ctx.get(), d.create_credit_note(), &document);
        is_stock = false;
        break;
      default:
        return absl::InternalError("a delivery without an effect");
    }
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          absl::StrCat("gRPC ", status.error_code(), ": ", status.error_message()));
    }
    return is_stock ? stock.reference() : document.number();
  }

 private:
  std::unique_ptr<iv1::InventoryService::Stub> inventory_;
  std::unique_ptr<iv1::FinanceService::Stub> finance_;
  std::shared_ptr<grpc::CallCredentials> credentials_;
  const absl::Duration timeout_;
};

class WebhookSinkImpl final : public Sink {
 public:
  WebhookSinkImpl(std::string url, std::string secret, const Clock& clock, absl::Duration timeout)
      : url_(std::move(url)), secret_(std::move(secret)), clock_(clock), timeout_(timeout) {}

  absl::StatusOr<std::string> Deliver(const iv1::WebhookDelivery& d) override {
    std::string body;
    if (!google::protobuf::util::MessageToJsonString(d, &body).ok()) {
      return absl::InternalError("the delivery does not convert to JSON");
    }
    // Any failure, a refusal too, is retried until the delivery is dead-lettered.
    CRM_ASSIGN_OR_RETURN(
        webhook::HttpResponse response,
        webhook::Deliver(url_, secret_, d.event_id(), body, clock_.Now(), timeout_));
    iv1::WebhookResult result;
    google::protobuf::util::JsonParseOptions lenient;
    lenient.ignore_unknown_fields = true;
    if (!response.body.empty() &&
        google::protobuf::util::JsonStringToMessage(response.body, &result, lenient).ok()) {
      return result.reference();
    }
    return std::string();
  }

 private:
  const std::string url_;
  const std::string secret_;
  const Clock& clock_;
  const absl::Duration timeout_;
};

std::string SystemLabel(v1::ExternalSystem system) {
  return system == v1::INVENTORY ? "inventory" : "finance";
}

// A name for this process's leases: unique across replicas and restarts.
std::string RelayOwner() {
  char host[64] = {};
  gethostname(host, sizeof(host) - 1);
  std::random_device random;
  return absl::StrCat(std::string(host).substr(0, 32), "/", getpid(), "/", random() % 1000000);
}

}  // namespace

std::unique_ptr<Sink> GrpcSink(std::shared_ptr<grpc::Channel> channel,
                               std::shared_ptr<grpc::CallCredentials> credentials,
                               absl::Duration timeout) {
  return std::make_unique<GrpcSinkImpl>(std::move(channel), std::move(credentials), timeout);
}

std::unique_ptr<Sink> WebhookSink(std::string url, std::string secret, const Clock& clock,
                                  absl::Duration timeout) {
  return std::make_unique<WebhookSinkImpl>(std::move(url), std::move(secret), clock, timeout);
}

absl::StatusOr<std::unique_ptr<Sink>> SinkFor(const std::string& endpoint,
                                              const std::string& webhook_secret,
                                              std::shared_ptr<grpc::CallCredentials> credentials,
                                              const Clock& clock, absl::Duration timeout) {
  if (endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
    if (webhook_secret.size() < 16) {
      return absl::InvalidArgumentError(
          "a webhook endpoint needs --webhook_secret (at least 16 characters)");
    }
    return WebhookSink(endpoint, webhook_secret, clock, timeout);
  }
  return GrpcSink(ServiceChannel(endpoint), std::move(credentials), timeout);
}

struct Relay::Metrics {
  prometheus::Family<prometheus::Counter>* attempts = nullptr;
};

Relay::Relay(DeliveryStore& store, std::map<v1::ExternalSystem, std::unique_ptr<Sink>> sinks,
             RelayOptions options, const Clock& clock, prometheus::Registry* metrics)
    : store_(store),
      sinks_(std::move(sinks)),
      options_(options),
      clock_(clock),
      owner_(RelayOwner()),
      metrics_(std::make_unique<Metrics>()) {
  if (metrics != nullptr) {
    metrics_->attempts = &prometheus::BuildCounter()
                              .Name("crm_orders_delivery_attempts_total")
                              .Help("Attempts to deliver effects to the external systems, by "
                                    "system and result (delivered, failed, dead)")
                              .Register(*metrics);
  }
}

Relay::~Relay() { Stop(); }

void Relay::Start() {
  if (sinks_.empty()) return;  // nothing configured: deliveries wait
  thread_ = std::thread([this] { Loop(); });
}

void Relay::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::Duration Relay::Backoff(int attempts) {
  return crm::Backoff(attempts, options_.initial_backoff, options_.max_backoff);
}

absl::StatusOr<int> Relay::RunOnce() {
  std::vector<v1::ExternalSystem> systems;
  for (const auto& [system, sink] : sinks_) systems.push_back(system);
  const absl::Duration lease = options_.call_timeout * options_.batch + absl::Seconds(30);
  CRM_ASSIGN_OR_RETURN(std::vector<ClaimedDelivery> claimed,
                       store_.Claim(systems, owner_, options_.batch, lease));
  for (const ClaimedDelivery& d : claimed) {
    absl::StatusOr<std::string> reference = sinks_.at(d.system)->Deliver(d.payload);
    std::string result;
    if (reference.ok()) {
      CRM_RETURN_IF_ERROR(store_.MarkDelivered(d.id, *reference));
      result = "delivered";
    } else {
      const int attempts = d.attempts + 1;
      CRM_ASSIGN_OR_RETURN(bool dead, store_.MarkFailed(d.id, std::string(reference.status().message()),
                                                        Backoff(attempts), options_.max_attempts));
      result = dead ? "dead" : "failed";
      (dead ? log::Error : log::Warn)(
          dead ? "delivery dead-lettered" : "delivery failed; will retry",
          {{"delivery", absl::StrCat("deliveries/", d.id)},
           {"event_id", d.event_id},
           {"system", SystemLabel(d.system)},
           {"attempts", absl::StrCat(attempts)},
           {"error", std::string(reference.status().message())}});
    }
    if (metrics_->attempts != nullptr) {
      metrics_->attempts->Add({{"system", SystemLabel(d.system)}, {"result", result}}).Increment();
    }
  }
  return static_cast<int>(claimed.size());
}

void Relay::Loop() {
  while (true) {
    absl::StatusOr<int> tried = RunOnce();
    if (!tried.ok()) log::Warn("relay pass failed", {{"error", tried.status().ToString()}});
    // A full batch means more may be due at once; otherwise wait.
    const absl::Duration wait =
        tried.ok() && *tried >= options_.batch ? absl::ZeroDuration() : options_.idle_interval;
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    mu_.AwaitWithTimeout(absl::Condition(&stop_), wait);
    if (stop_) return;
  }
}

}  // namespace crm::orders
