// The order status machine (proto/crm/orders/v1/orders.proto, "Status"), as pure functions:
// the one place that says which status may follow which.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "crm/orders/v1/orders.pb.h"

namespace crm::orders {

using v1::OrderStatus;

// Whether `to` may follow `from`.
bool CanMove(OrderStatus from, OrderStatus to);
// OK, or FAILED_PRECONDITION (ILLEGAL_TRANSITION) naming both.
absl::Status CheckMove(OrderStatus from, OrderStatus to);

// "CONFIRMED", "ON_HOLD", ...
std::string StatusName(OrderStatus status);

// Only a draft can be edited: FAILED_PRECONDITION (ORDER_LOCKED) otherwise.
absl::Status CheckEditable(OrderStatus status);

// What a confirmed order's lines say about it: DELIVERED when every unit was delivered,
// SHIPPED when every unit left, PARTIALLY_SHIPPED when some did, else CONFIRMED.
struct LineProgress {
  int64_t quantity = 0;
  int64_t shipped = 0;
  int64_t delivered = 0;
};
OrderStatus ShippingStatus(const std::vector<LineProgress>& lines);

// Where a held order goes back to: a held APPROVED order stays APPROVED; a confirmed one to
// its lines' ShippingStatus (shipments may have been reported while it was held).
OrderStatus ResumeStatus(OrderStatus held_from, const std::vector<LineProgress>& lines);

}  // namespace crm::orders
