#include "services/orders/status.h"

#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"

namespace crm::orders {

bool CanMove(OrderStatus from, OrderStatus to) {
  switch (from) {
    case v1::DRAFT:
      return to == v1::PENDING_APPROVAL || to == v1::APPROVED || to == v1::CANCELLED;
    case v1::PENDING_APPROVAL:
      // A rejection sends it back to its owner as a draft.
      return to == v1::APPROVED || to == v1::DRAFT || to == v1::CANCELLED;
    case v1::APPROVED:
      return to == v1::CONFIRMED || to == v1::ON_HOLD || to == v1::CANCELLED;
    case v1::CONFIRMED:
      // Shipments may report several steps at once (a shipment delivered on arrival).
      return to == v1::PARTIALLY_SHIPPED || to == v1::SHIPPED || to == v1::DELIVERED ||
             to == v1::ON_HOLD || to == v1::CANCELLED;
    case v1::PARTIALLY_SHIPPED:
      return to == v1::SHIPPED || to == v1::DELIVERED || to == v1::ON_HOLD;
    case v1::SHIPPED:
      return to == v1::DELIVERED;
    case v1::DELIVERED:
      return to == v1::COMPLETED;
    case v1::ON_HOLD:
      return to == v1::APPROVED || to == v1::CONFIRMED || to == v1::PARTIALLY_SHIPPED ||
             to == v1::SHIPPED || to == v1::DELIVERED || to == v1::CANCELLED;
    default:  // COMPLETED and CANCELLED are final
      return false;
  }
}

std::string StatusName(OrderStatus status) { return v1::OrderStatus_Name(status); }

absl::Status CheckMove(OrderStatus from, OrderStatus to) {
  if (CanMove(from, to)) return absl::OkStatus();
  return Error(absl::StatusCode::kFailedPrecondition, "ILLEGAL_TRANSITION",
               absl::StrCat("an order that is ", StatusName(from), " cannot become ",
                            StatusName(to)));
}

absl::Status CheckEditable(OrderStatus status) {
  if (status == v1::DRAFT) return absl::OkStatus();
  return Error(absl::StatusCode::kFailedPrecondition, "ORDER_LOCKED",
               absl::StrCat("only a DRAFT order can be edited; this one is ", StatusName(status)));
}

OrderStatus ShippingStatus(const std::vector<LineProgress>& lines) {
  bool all_delivered = !lines.empty(), all_shipped = !lines.empty(), any_shipped = false;
  for (const LineProgress& line : lines) {
    all_delivered = all_delivered && line.delivered >= line.quantity;
    all_shipped = all_shipped && line.shipped >= line.quantity;
    any_shipped = any_shipped || line.shipped > 0;
  }
  if (all_delivered) return v1::DELIVERED;
  if (all_shipped) return v1::SHIPPED;
  if (any_shipped) return v1::PARTIALLY_SHIPPED;
  return v1::CONFIRMED;
}

OrderStatus ResumeStatus(OrderStatus held_from, const std::vector<LineProgress>& lines) {
  if (held_from == v1::APPROVED) return v1::APPROVED;
  return ShippingStatus(lines);
}

}  // namespace crm::orders
