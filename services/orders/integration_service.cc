#include "services/orders/integration_service.h"

#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/orders/validation.h"

namespace crm::orders {

absl::Status IntegrationService::RecordShipmentFor(const auth::Caller& caller,
                                                   const v1::RecordShipmentRequest& request,
                                                   v1::Shipment* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kShipmentMethod));
  v1::RecordShipmentRequest report = request;
  CRM_RETURN_IF_ERROR(ValidateShipmentReport(report));
  CRM_ASSIGN_OR_RETURN(*response, orders_.RecordShipment(access.actor(), report));
  return absl::OkStatus();
}

absl::Status IntegrationService::RecordPaymentFor(const auth::Caller& caller,
                                                  const v1::RecordPaymentRequest& request,
                                                  v1::Payment* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kPaymentMethod));
  v1::RecordPaymentRequest notice = request;
  CRM_RETURN_IF_ERROR(ValidatePaymentNotice(notice));
  CRM_ASSIGN_OR_RETURN(*response, orders_.RecordPayment(access.actor(), notice));
  return absl::OkStatus();
}

absl::Status IntegrationService::List(const auth::Caller& caller,
                                      const v1::ListDeliveriesRequest& request,
                                      v1::ListDeliveriesResponse* response) {
  CRM_RETURN_IF_ERROR(access_.For(caller, kListDeliveriesMethod).status());
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request.page_size(), request.filter(), "",
                                        request.page_token(), DeliveryStore::ListSpec(),
                                        page_tokens_, ""));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Delivery> page, deliveries_.List(query));
  for (v1::Delivery& d : page.items) *response->add_deliveries() = std::move(d);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status IntegrationService::Replay(const auth::Caller& caller,
                                        const v1::ReplayDeliveryRequest& request,
                                        v1::Delivery* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kReplayMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), "deliveries", "name"));
  CRM_ASSIGN_OR_RETURN(*response,
                       deliveries_.Replay(id, access.actor(),
                                          db::KeyFor("ReplayDelivery", request, access.actor())));
  return absl::OkStatus();
}

absl::Status IntegrationService::Report(const auth::Caller& caller,
                                        const v1::GetReconciliationReportRequest& request,
                                        v1::ReconciliationReport* response) {
  CRM_RETURN_IF_ERROR(access_.For(caller, kReportMethod).status());
  std::optional<absl::Time> start, end;
  if (request.has_start_time()) start = FromTimestamp(request.start_time());
  if (request.has_end_time()) end = FromTimestamp(request.end_time());
  if (start && end && *start >= *end) return InvalidField("end_time", "must be after start_time");
  if (!request.customer().empty() &&
      !api::ParseResourceId(request.customer(), "customers", "customer").ok()) {
    return InvalidField("customer", "must be a name like \"customers/42\"");
  }
  CRM_ASSIGN_OR_RETURN(std::vector<OrderLedger> ledgers,
                       reconciliation_.Load(start, end, request.customer()));
  *response = BuildReport(ledgers, clock_.Now());
  return absl::OkStatus();
}

}  // namespace crm::orders
