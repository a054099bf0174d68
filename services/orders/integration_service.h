// crm.orders.v1.IntegrationService: what the inventory and finance systems report (as their
// own service identities), the relay's dead letters and replays, and the reconciliation
// report (admins).
#pragma once

#include "crm/orders/v1/orders.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/orders/delivery_store.h"
#include "services/orders/order_store.h"
#include "services/orders/reconciliation.h"

namespace crm::orders {

class IntegrationService final : public v1::IntegrationService::CallbackService {
 public:
  static constexpr char kShipmentMethod[] = "/crm.orders.v1.IntegrationService/RecordShipment";
  static constexpr char kPaymentMethod[] = "/crm.orders.v1.IntegrationService/RecordPayment";
  static constexpr char kListDeliveriesMethod[] =
      "/crm.orders.v1.IntegrationService/ListDeliveries";
  static constexpr char kReplayMethod[] = "/crm.orders.v1.IntegrationService/ReplayDelivery";
  static constexpr char kReportMethod[] =
      "/crm.orders.v1.IntegrationService/GetReconciliationReport";

  IntegrationService(const service::Kit& kit, OrderStore& orders, DeliveryStore& deliveries,
                     ReconciliationStore& reconciliation)
      : rpc_(kit.rpc),
        access_(kit.access),
        page_tokens_(kit.page_tokens),
        clock_(kit.clock),
        orders_(orders),
        deliveries_(deliveries),
        reconciliation_(reconciliation) {}

#define CRM_INTEGRATION_RPC(Method, Request, Response, constant, handler)                        \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Request* request, \
                                   v1::Response* response) override {                          \
    return rpc_.Serve(ctx, constant, this, &IntegrationService::handler, request, response);     \
  }
  CRM_INTEGRATION_RPC(RecordShipment, RecordShipmentRequest, Shipment, kShipmentMethod,
                      RecordShipmentFor)
  CRM_INTEGRATION_RPC(RecordPayment, RecordPaymentRequest, Payment, kPaymentMethod,
                      RecordPaymentFor)
  CRM_INTEGRATION_RPC(ListDeliveries, ListDeliveriesRequest, ListDeliveriesResponse,
                      kListDeliveriesMethod, List)
  CRM_INTEGRATION_RPC(ReplayDelivery, ReplayDeliveryRequest, Delivery, kReplayMethod, Replay)
  CRM_INTEGRATION_RPC(GetReconciliationReport, GetReconciliationReportRequest,
                      ReconciliationReport, kReportMethod, Report)
#undef CRM_INTEGRATION_RPC

  absl::Status RecordShipmentFor(const auth::Caller& caller,
                                 const v1::RecordShipmentRequest& request,
                                 v1::Shipment* response);
  absl::Status RecordPaymentFor(const auth::Caller& caller, const v1::RecordPaymentRequest& request,
                                v1::Payment* response);
  absl::Status List(const auth::Caller& caller, const v1::ListDeliveriesRequest& request,
                    v1::ListDeliveriesResponse* response);
  absl::Status Replay(const auth::Caller& caller, const v1::ReplayDeliveryRequest& request,
                      v1::Delivery* response);
  absl::Status Report(const auth::Caller& caller,
                      const v1::GetReconciliationReportRequest& request,
                      v1::ReconciliationReport* response);

 private:
  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  const api::PageTokenCodec& page_tokens_;
  const Clock& clock_;
  OrderStore& orders_;
  DeliveryStore& deliveries_;
  ReconciliationStore& reconciliation_;
};

}  // namespace crm::orders
