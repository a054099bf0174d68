// The orders service's event types, as they appear in Event.type on its feed:
// crm.orders.v1.<Thing><Happened>. Payloads are listed in proto/crm/orders/v1/orders.proto
// ("Events").
#pragma once

namespace crm::orders {

inline constexpr char kOrderCreated[] = "crm.orders.v1.OrderCreated";
inline constexpr char kOrderUpdated[] = "crm.orders.v1.OrderUpdated";
inline constexpr char kOrderStatusChanged[] = "crm.orders.v1.OrderStatusChanged";
inline constexpr char kOrderSubmittedForApproval[] = "crm.orders.v1.OrderSubmittedForApproval";
inline constexpr char kOrderApproved[] = "crm.orders.v1.OrderApproved";
inline constexpr char kOrderRejected[] = "crm.orders.v1.OrderRejected";
inline constexpr char kOrderApprovalEscalated[] = "crm.orders.v1.OrderApprovalEscalated";
inline constexpr char kOrderApprovalWithdrawn[] = "crm.orders.v1.OrderApprovalWithdrawn";
inline constexpr char kShipmentRecorded[] = "crm.orders.v1.ShipmentRecorded";
inline constexpr char kPaymentReceived[] = "crm.orders.v1.PaymentReceived";
inline constexpr char kReturnRequested[] = "crm.orders.v1.ReturnRequested";
inline constexpr char kReturnApproved[] = "crm.orders.v1.ReturnApproved";
inline constexpr char kReturnRejected[] = "crm.orders.v1.ReturnRejected";
inline constexpr char kReturnReceived[] = "crm.orders.v1.ReturnReceived";
inline constexpr char kReturnResolved[] = "crm.orders.v1.ReturnResolved";
inline constexpr char kApprovalRuleCreated[] = "crm.orders.v1.ApprovalRuleCreated";
inline constexpr char kApprovalRuleDeleted[] = "crm.orders.v1.ApprovalRuleDeleted";
// Effects on the external systems; the event's id is the idempotency key they see.
inline constexpr char kStockReservationRequested[] = "crm.orders.v1.StockReservationRequested";
inline constexpr char kStockReleaseRequested[] = "crm.orders.v1.StockReleaseRequested";
inline constexpr char kShipmentRequested[] = "crm.orders.v1.ShipmentRequested";
inline constexpr char kInvoiceRequested[] = "crm.orders.v1.InvoiceRequested";
inline constexpr char kCreditNoteRequested[] = "crm.orders.v1.CreditNoteRequested";
inline constexpr char kDeliveryDeadLettered[] = "crm.orders.v1.DeliveryDeadLettered";
inline constexpr char kDeliveryReplayed[] = "crm.orders.v1.DeliveryReplayed";

}  // namespace crm::orders
